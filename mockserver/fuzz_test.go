package mockserver_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/mocktest"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// handlerWithUser is the server without a listener, and a logged-in user's access token:
// fuzzing and benchmarks go through the full handler stack (app token, bearer, size limit,
// contract, store) as requests would.
func handlerWithUser(tb testing.TB) (http.Handler, string) {
	tb.Helper()
	srv, err := mockserver.New(mockserver.Options{Sandbox: sandbox.Options{Fixtures: mocktest.DefaultFixtures(tb), Profile: sandbox.ProfileSDK115}, Contract: mocktest.Contract(tb)})
	require.NoError(tb, err)
	tk, err := srv.Store().Authenticate(tb.Context(), "email", store.Credentials{Values: map[string]string{"email_reg": userLogin, "password_reg": userPass}}, store.DeviceInfo{})
	require.NoError(tb, err)
	return srv, tk.AccessToken
}

// checkFuzzResponse fails on anything but a well-formed answer below 500.
func checkFuzzResponse(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	if !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("status %d with a non-JSON body: %q", rec.Code, rec.Body.String())
	}
	if rec.Code >= 400 {
		var e map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e["statusCode"] != float64(rec.Code) {
			t.Fatalf("error body does not carry its status: %s", rec.Body.String())
		}
	}
}

func FuzzOrderCreateBody(f *testing.F) {
	h, token := handlerWithUser(f)
	for _, seed := range []string{
		`{"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[{"type":"entity","marker":"tickets","value":["p-8-10"]}]},"products":[{"productId":10,"quantity":1}]}`,
		`{"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[null]},"products":[{"productId":10,"quantity":1}]}`,
		`{"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[{"type":"timeInterval","marker":"schedule","value":[["2025-04-26T16:30:00.000Z","2025-04-26T18:00:00.000Z"]]}]},"products":[{"productId":99999999999999999999,"quantity":1}]}`,
		`{"formData":[],"products":[]}`,
		`{"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[{"type":"entity","marker":"tickets","value":["p-8-10"]}]},"products":[{"productId":10,"quantity":1}],"couponCode":"FIRST-K4M9","additionalDiscountsMarkers":["early_bird"],"bonusAmount":12.345}`,
		`{`, `[]`, `null`, `"x"`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkFuzzResponse(t, serveAPI(h, http.MethodPost, ordersPath, token, bytes.NewReader(body)))
	})
}

func FuzzOrderPreviewBody(f *testing.F) {
	h, token := handlerWithUser(f)
	for _, seed := range []string{
		`{"products":[{"productId":10,"quantity":2},{"productId":11,"quantity":1}],"couponCode":"WELCOME10","additionalDiscountsMarkers":["early_bird"],"bonusAmount":30}`,
		`{"products":[{"productId":12,"quantity":1000000}],"bonusAmount":1e300}`,
		`{"products":[],"couponCode":"SUMMER24","additionalDiscountsMarkers":["nope","loyalty"]}`,
		`{"bonusAmount":-0.001}`, `{}`, `{`, `[]`, `null`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkFuzzResponse(t, serveAPI(h, http.MethodPost, "/api/content/orders-storage/orders/preview?langCode=en_US", token, bytes.NewReader(body)))
	})
}

// FuzzRefundBody sends refund requests for an order of the user: bodies are checked against
// the order before anything else, so an unpaid order still reaches every rule of the body.
func FuzzRefundBody(f *testing.F) {
	h, token := handlerWithUser(f)
	rec := serveAPI(h, http.MethodPost, ordersPath, token, strings.NewReader(`{"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[{"type":"entity","marker":"tickets","value":["p-8-10"]}]},"products":[{"productId":10,"quantity":2}]}`))
	require.Equal(f, http.StatusCreated, rec.Code, rec.Body.String())
	var order struct{ ID int }
	require.NoError(f, json.Unmarshal(rec.Body.Bytes(), &order))
	for _, seed := range []string{
		`{"products":{"10":{"quantity":1}},"note":"x"}`,
		`{"products":{"10":{"quantity":3},"11":{"quantity":1},"-1":{"quantity":1},"x":{"quantity":0}}}`,
		`{"products":{"99999999999999999999":{"quantity":1}}}`,
		`{"products":{}}`, `{"products":[]}`, `{`, `[]`, `null`, ``,
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	path := "/api/content/orders/" + strconv.Itoa(order.ID) + "/refund"
	f.Fuzz(func(t *testing.T, body []byte, cancel bool) {
		method := http.MethodPost
		if cancel {
			method = http.MethodDelete
		}
		checkFuzzResponse(t, serveAPI(h, method, path, token, bytes.NewReader(body)))
	})
}

func FuzzAuthBody(f *testing.F) {
	h, _ := handlerWithUser(f)
	for _, seed := range []string{
		`{"authData":[{"marker":"email_reg","value":"your-user@email.com"},{"marker":"password_reg","value":"123456"}]}`,
		`{"authData":[]}`, `{"authData":[{"marker":1}]}`, `{"authData":null,"code":"1"}`, `{"refreshToken":"1-2"}`, `{`, ``,
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, refresh bool) {
		path := authPath
		if refresh {
			path = "/api/content/users-auth-providers/marker/email/users/refresh"
		}
		checkFuzzResponse(t, serveAPI(h, http.MethodPost, path, "", bytes.NewReader(body), func(req *http.Request) {
			req.Header.Set("x-device-metadata", string(body))
		}))
	})
}

// FuzzAdminStatePut imports documents into a sandbox with a user and a login: an import never
// answers 5xx, and a refused document leaves the state exactly as it was.
func FuzzAdminStatePut(f *testing.F) {
	h, _ := handlerWithUser(f)
	// Small seeds only: the fuzzer minimises every new input it finds, and a document of a
	// few kilobytes takes it most of a short run.
	for _, seed := range []string{
		emptyState, emptyState + `{}`, `{"format":"oneentry-mock-state","version":1}`,
		strings.Replace(emptyState, `"nextOrderId":1`, `"nextOrderId":9223372036854775807`, 1),
		strings.Replace(emptyState, `"offset":"0s"`, `"offset":"-9999999h"`, 1),
		`{`, `[]`, `null`, ``,
	} {
		f.Add([]byte(seed))
	}
	// httptest's requests name the host example.com, which the admin API refuses without an
	// admin token; the developer's own curl names a loopback host.
	adminRequest := func(method string, body io.Reader) *http.Request {
		req := httptest.NewRequest(method, "/__admin/state", body)
		req.Host = "127.0.0.1:8080"
		return req
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		before := httptest.NewRecorder()
		h.ServeHTTP(before, adminRequest(http.MethodGet, nil))
		if before.Code != http.StatusOK {
			t.Fatalf("GET /__admin/state answered %d: %s", before.Code, before.Body)
		}
		req := adminRequest(http.MethodPut, bytes.NewReader(doc))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkFuzzResponse(t, rec)
		if rec.Code == http.StatusOK {
			return
		}
		after := httptest.NewRecorder()
		h.ServeHTTP(after, adminRequest(http.MethodGet, nil))
		if !bytes.Equal(before.Body.Bytes(), after.Body.Bytes()) {
			t.Fatalf("a refused document (%d) changed the state:\nbefore %s\nafter  %s", rec.Code, before.Body, after.Body)
		}
	})
}

// FuzzLiveAuthBodies sends arbitrary bodies (and the same bytes as x-device-metadata) to the
// auth routes whose bodies today's API added or changed: no 5xx, and every refusal is the
// error body.
func FuzzLiveAuthBodies(f *testing.F) {
	srv, err := mockserver.New(mockserver.Options{Sandbox: sandbox.Options{Fixtures: mocktest.DefaultFixtures(f), Profile: sandbox.ProfileLive}, Contract: mocktest.Contract(f)})
	require.NoError(f, err)
	routes := []string{
		usersBase + "sign-up", codeBase + "sign-up", usersBase + "change-password", oauthPath,
		codeBase + "auth", codeBase + "generate-code", codeBase + "check-code", codeBase + "activate",
	}
	for _, seed := range []string{
		`{"langCode":"en_US","authData":[{"marker":"email_reg","value":"a@b.c"},{"marker":"password_reg","value":"1"}],"notificationData":{"email":"a@b.c","phonePush":[]}}`,
		`{"langCode":"en_US","authData":[{"marker":"email_reg","value":"a@b.c"}],"notificationData":{"email":["a@b.c"],"phoneSMS":"+1"}}`,
		`{"userIdentifier":"your-user@email.com","eventIdentifier":"reset","type":1,"code":"1","password1":"a","password2":"a"}`,
		`{"client_id":"c","code":"x","grant_type":"authorization_code","redirect_uri":"http://localhost"}`,
		`{"authData":[{"marker":"email_reg","value":"your-user@email.com"},{"marker":"code","value":"1"}],"code":"2"}`,
		`{"userIdentifier":"your-user@email.com","eventIdentifier":"auth","code":"123456"}`,
		`{`, `[]`, `null`, ``,
	} {
		for i := range routes {
			f.Add([]byte(seed), uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, route uint8) {
		checkFuzzResponse(t, serveAPI(srv, http.MethodPost, routes[int(route)%len(routes)], "", bytes.NewReader(body), func(req *http.Request) {
			req.Header.Set("x-device-metadata", string(body))
		}))
	})
}
