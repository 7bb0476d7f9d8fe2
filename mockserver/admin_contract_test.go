package mockserver_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/internal/testkit"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// adminContract checks exchanges with the server's non-content routes against
// contracts/admin.yaml and remembers which documented responses were seen.
type adminContract struct {
	doc       *openapi3.T
	validator *contracts.Validator
	router    routers.Router

	mu   sync.Mutex
	seen map[string]bool // "operationId status"
}

func newAdminContract(t *testing.T) *adminContract {
	t.Helper()
	doc, err := contracts.LoadAdmin(t.Context())
	require.NoError(t, err)
	v, err := contracts.NewValidator(doc)
	require.NoError(t, err)
	// A second router only to name the operation each exchange hit, for the coverage check.
	router, err := gorillamux.NewRouter(doc)
	require.NoError(t, err)
	return &adminContract{doc: doc, validator: v, router: router, seen: map[string]bool{}}
}

// adminCall is one request to a non-content route and the status it must get.
type adminCall struct {
	method, path string
	headers      map[string]string
	body         string
	contentType  string // application/json when a body is given without one
	status       int
	// badRequest says the contract refuses the request as well as the server; otherwise the
	// request must satisfy the contract.
	badRequest bool
}

// do sends c through the real HTTP stack (redirects are not followed), checks the status and
// validates request and response against admin.yaml.
func (ac *adminContract) do(t *testing.T, ts *testServer, c adminCall) (http.Header, []byte) {
	t.Helper()
	contentType := c.contentType
	if c.body != "" && contentType == "" {
		contentType = "application/json"
	}
	build := func() *http.Request { return ts.request(t, c.method, c.path, c.body, contentType, c.headers) }
	client := *ts.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(build())
	require.NoError(t, err)
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, c.status, resp.StatusCode, "%s %s: %s", c.method, c.path, data)

	name := c.method + " " + c.path
	vreq := build()
	route, _, err := ac.router.FindRoute(vreq)
	require.NoError(t, err, "%s is not in admin.yaml", name)
	reqErr := ac.validator.ValidateRequest(t.Context(), vreq)
	if c.badRequest {
		require.Error(t, reqErr, "%s: the contract should refuse this request too", name)
		require.NotErrorIs(t, reqErr, contracts.ErrNoRoute)
	} else {
		require.NoError(t, reqErr, "%s: request breaks admin.yaml: %v", name, violations(reqErr))
	}
	respErr := ac.validator.ValidateResponse(t.Context(), vreq, resp.StatusCode, resp.Header, data)
	require.NoError(t, respErr, "%s answered %d off admin.yaml: %v\n%s", name, resp.StatusCode, violations(respErr), data)

	ac.mu.Lock()
	ac.seen[route.Operation.OperationID+" "+strconv.Itoa(resp.StatusCode)] = true
	ac.mu.Unlock()
	return resp.Header, data
}

// adminJSON sends c and decodes the JSON answer.
func adminJSON[T any](t *testing.T, ac *adminContract, ts *testServer, c adminCall) T {
	t.Helper()
	_, body := ac.do(t, ts, c)
	return decode[T](t, body)
}

func violations(err error) []string {
	var out []string
	for _, v := range contracts.Violations(err) {
		out = append(out, v.String())
	}
	return out
}

// operations lists every operation of admin.yaml with its method and path template.
func (ac *adminContract) operations() []adminOperation {
	var out []adminOperation
	for _, path := range ac.doc.Paths.InMatchingOrder() {
		for method, op := range ac.doc.Paths.Value(path).Operations() {
			out = append(out, adminOperation{method: method, path: path, op: op})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].method+out[i].path < out[j].method+out[j].path })
	return out
}

type adminOperation struct {
	method, path string
	op           *openapi3.Operation
}

// sandboxScoped reports whether the operation addresses a sandbox through x-app-token.
func (o adminOperation) sandboxScoped() bool {
	for _, p := range o.op.Parameters {
		if p.Value.In == openapi3.ParameterInHeader && p.Value.Name == "x-app-token" {
			return true
		}
	}
	return false
}

// sample returns a request for the operation that satisfies the contract.
func (o adminOperation) sample() adminCall {
	path := strings.NewReplacer("{action}", "complete", "{token}", "no-such-sandbox", "{session}", "cs_test_00000000000000000000000000000000").Replace(o.path)
	if strings.HasPrefix(path, "/__admin/faults/") {
		path = strings.Replace(path, "{id}", "flt_1", 1)
	}
	path = strings.Replace(path, "{id}", "1", 1)
	if strings.HasPrefix(path, "/__admin/refunds/") {
		path = strings.Replace(path, "/complete", "/approve", 1)
	}
	c := adminCall{method: o.method, path: path}
	switch o.op.OperationID {
	case "setClock":
		c.body = `{"advance":"1s"}`
	case "createFault":
		c.body = `{"path":"/api/content/forms","status":500}`
	case "importState":
		c.body = emptyState
	case "grantOAuthCode":
		c.body = `{"email":"a@b.c"}`
	case "patchPaymentAccount":
		c.body = `{"testSettings":{"successUrl":"http://localhost:3000/thanks"}}`
	case "fireProductEvent":
		c.body = `{"productId":12}`
	}
	return c
}

// emptyState is a state document of a sandbox without users.
const emptyState = `{"format":"oneentry-mock-state","version":1,"clock":{"offset":"0s","frozenAt":null},` +
	`"counters":{"nextUserId":1,"nextAuthSessionId":1,"nextOrderId":1,"nextPaymentSessionId":1},` +
	`"users":[],"authSessions":[],"orders":[],"paymentSessions":[],"codes":[]}`

// requireCoverage fails for every documented response of admin.yaml that no exchange produced:
// the contract promises nothing the tests have not seen.
func (ac *adminContract) requireCoverage(t *testing.T) {
	t.Helper()
	var missing []string
	for _, o := range ac.operations() {
		for code := range o.op.Responses.Map() {
			if !ac.seen[o.op.OperationID+" "+code] {
				missing = append(missing, fmt.Sprintf("%s (%s %s) %s", o.op.OperationID, o.method, o.path, code))
			}
		}
	}
	sort.Strings(missing)
	assert.Empty(t, missing, "documented in admin.yaml but never exercised")
}

// subtestsFiltered reports whether -run selects subtests, which makes the coverage check
// meaningless for this run.
func subtestsFiltered() bool {
	f := flag.Lookup("test.run")
	return f != nil && strings.Contains(f.Value.String(), "/")
}

// TestAdminContract drives every non-content route through a real server, validates each exchange
// against contracts/admin.yaml, and then checks that every response the file documents was seen.
func TestAdminContract(t *testing.T) {
	t.Parallel()
	ac := newAdminContract(t)
	t.Run("exchanges", func(t *testing.T) {
		for _, part := range []struct {
			name string
			run  func(*testing.T, *adminContract)
		}{
			{"health readiness metrics", adminHealth},
			{"sandboxes", adminSandboxes},
			{"unknown sandbox", adminUnknownSandbox},
			{"admin token", adminToken},
			{"origins and hosts", adminOrigins},
			{"reset and clock", adminResetAndClock},
			{"state export and import", adminState},
			{"payments checkout mail webhooks", adminPayments},
			{"payment accounts", adminPaymentAccounts},
			{"form data approval", adminFormData},
			{"sockets and product events", adminEvents},
			{"journal", adminJournal},
			{"faults", adminFaults},
			{"limits", adminLimits},
			{"bodies that are not objects", adminBodiesNotObjects},
			{"fields sent to calls that take no body", adminBodiesWithFields},
			{"reload", adminReload},
			{"site media and sitemaps", adminSiteFiles},
			{"oauth", adminOAuth},
			{"uploads", adminStatic},
			{"bodies over the bound", adminBodiesTooLarge},
		} {
			t.Run(part.name, func(t *testing.T) {
				t.Parallel()
				part.run(t, ac)
			})
		}
	})
	if t.Failed() {
		return
	}
	if subtestsFiltered() {
		t.Log("coverage of admin.yaml not checked: -run selects subtests")
		return
	}
	ac.requireCoverage(t)
}

func adminHealth(t *testing.T, ac *adminContract) {
	ts := newTestServer(t)
	ac.do(t, ts, adminCall{method: http.MethodGet, path: "/healthz", status: http.StatusOK})
	ac.do(t, ts, adminCall{method: http.MethodGet, path: "/readyz", status: http.StatusOK})
	status, _ := ts.call(t, http.MethodGet, "/api/content/forms/marker/tickets_form", "", nil)
	require.Equal(t, http.StatusOK, status)
	status, _ = ts.call(t, http.MethodGet, "/api/content/froms", "", nil)
	require.Equal(t, http.StatusNotFound, status)
	header, body := ac.do(t, ts, adminCall{method: http.MethodGet, path: "/metrics", status: http.StatusOK})
	assert.True(t, strings.HasPrefix(header.Get("Content-Type"), "text/plain"), header.Get("Content-Type"))
	assert.Contains(t, string(body), `oneentry_mock_requests_total{code="200",method="GET",route="GET /api/content/forms/marker/{marker}"} 1`)
	assert.Contains(t, string(body), `oneentry_mock_requests_total{code="404",method="GET",route="unmatched"} 1`)
	assert.Contains(t, string(body), `oneentry_mock_request_duration_seconds_count{method="GET",route="GET /api/content/forms/marker/{marker}"} 1`)
	assert.Contains(t, string(body), "oneentry_mock_sandboxes 1\n")
	assert.Contains(t, string(body), "oneentry_mock_outbox_messages 0\n")
	assert.Contains(t, string(body), "\ngo_goroutines ", "the Go runtime collector")
	assert.Contains(t, string(body), "\nprocess_start_time_seconds ", "the process collector")

	// A page on another origin gets no CORS grant from the admin API, and its preflight is
	// refused, unless the origin is listed (examples/compose lists its front end).
	preflight := func(ts *testServer) *http.Response {
		return testkit.Preflight(t, ts.Client(), ts.URL+"/__admin/mail", http.MethodGet, "x-app-token")
	}
	resp := preflight(ts)
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))
	header, _ = ac.do(t, ts, adminCall{method: http.MethodGet, path: "/__admin/mail", headers: map[string]string{"Origin": "http://localhost:3000"}, status: http.StatusOK})
	assert.Empty(t, header.Get("Access-Control-Allow-Origin"), "no CORS grant for an unlisted origin")

	listed := newTestServer(t, withAdminAllowOrigins("http://localhost:3000"))
	resp = preflight(listed)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, "http://localhost:3000", resp.Header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, resp.Header.Get("Access-Control-Allow-Headers"), "x-app-token")
	header, _ = ac.do(t, listed, adminCall{method: http.MethodGet, path: "/__admin/mail", headers: map[string]string{"Origin": "http://localhost:3000"}, status: http.StatusOK})
	assert.Equal(t, "http://localhost:3000", header.Get("Access-Control-Allow-Origin"))

	ts.server.Drain()
	assert.Equal(t, "draining", adminJSON[map[string]string](t, ac, ts, adminCall{method: http.MethodGet, path: "/readyz", status: http.StatusServiceUnavailable})["status"])
	assert.Equal(t, "ok", adminJSON[map[string]string](t, ac, ts, adminCall{method: http.MethodGet, path: "/healthz", status: http.StatusOK})["status"])
}

// The socket side of product events is in sockets_test.go; here, the admin calls' shapes.
func adminEvents(t *testing.T, ac *adminContract) {
	ts := newTestServer(t)
	ac.do(t, ts, adminCall{method: http.MethodGet, path: "/__admin/sockets", status: http.StatusOK})
	fire := "/__admin/events/back_in_stock/fire"
	ac.do(t, ts, adminCall{method: http.MethodPost, path: fire, body: `{"productId":12}`, status: http.StatusOK})
	ac.do(t, ts, adminCall{method: http.MethodPost, path: fire, body: `{"productId":"12"}`, status: http.StatusBadRequest, badRequest: true})
	ac.do(t, ts, adminCall{method: http.MethodPost, path: fire, body: `{"productId":99}`, status: http.StatusNotFound})
}

type adminSandboxInfo struct {
	AppToken string `json:"appToken"`
	Users    []struct {
		Identifier             string `json:"identifier"`
		Password               string `json:"password"`
		AuthProviderIdentifier string `json:"authProviderIdentifier"`
	} `json:"users"`
	CreatedAt string `json:"createdAt"`
	Default   bool   `json:"default"`
}

func adminSandboxes(t *testing.T, ac *adminContract) {
	ts := newTestServer(t)
	created := adminJSON[adminSandboxInfo](t, ac, ts, adminCall{method: http.MethodPost, path: "/__admin/sandboxes", status: http.StatusCreated})
	assert.False(t, created.Default)
	require.NotEmpty(t, created.Users)
	assert.Equal(t, "email", created.Users[0].AuthProviderIdentifier)

	list := adminJSON[[]adminSandboxInfo](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/sandboxes", status: http.StatusOK})
	require.Len(t, list, 2)
	assert.Equal(t, appToken, list[0].AppToken, "oldest first: the default sandbox")
	assert.True(t, list[0].Default)
	assert.Equal(t, created.AppToken, list[1].AppToken)

	// The new sandbox answers admin calls by its token, with its own state.
	own := map[string]string{"x-app-token": created.AppToken}
	ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/clock", headers: own, body: `{"advance":"24h"}`, status: http.StatusOK})
	mine := adminJSON[map[string]any](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/clock", headers: own, status: http.StatusOK})
	def := adminJSON[map[string]any](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/clock", status: http.StatusOK})
	assert.NotEqual(t, def["now"], mine["now"], "absent x-app-token addresses the default sandbox")

	ac.do(t, ts, adminCall{method: http.MethodDelete, path: "/__admin/sandboxes/" + created.AppToken, status: http.StatusNoContent})
	ac.do(t, ts, adminCall{method: http.MethodDelete, path: "/__admin/sandboxes/" + created.AppToken, status: http.StatusNotFound})
	ac.do(t, ts, adminCall{method: http.MethodDelete, path: "/__admin/sandboxes/" + appToken, status: http.StatusNotFound})
	ac.do(t, ts, adminCall{method: http.MethodGet, path: "/__admin/clock", headers: own, status: http.StatusNotFound})
	assert.Len(t, adminJSON[[]adminSandboxInfo](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/sandboxes", status: http.StatusOK}), 1)
}

// Every sandbox-scoped operation answers an unknown x-app-token with 404 and the error body.
func adminUnknownSandbox(t *testing.T, ac *adminContract) {
	ts := newTestServer(t)
	n := 0
	for _, o := range ac.operations() {
		if !o.sandboxScoped() {
			continue
		}
		c := o.sample()
		c.headers = map[string]string{"x-app-token": "no-such-sandbox"}
		c.status = http.StatusNotFound
		_, body := ac.do(t, ts, c)
		e := decodeError(t, http.StatusNotFound, body)
		assert.Equal(t, []string{`No sandbox has app token "no-such-sandbox"`}, e.messages(), o.op.OperationID)
		n++
	}
	assert.Greater(t, n, 10)
}

// With --admin-token every /__admin operation answers 401 without the right x-admin-token;
// health, metrics and the checkout page stay open.
func adminToken(t *testing.T, ac *adminContract) {
	ts := newTestServer(t, withAdminToken("s3cret"))
	n := 0
	for _, o := range ac.operations() {
		if !strings.HasPrefix(o.path, "/__admin/") {
			continue
		}
		for _, token := range []string{"", "wrong"} {
			c := o.sample()
			c.status = http.StatusUnauthorized
			if token != "" {
				c.headers = map[string]string{"x-admin-token": token}
			}
			_, body := ac.do(t, ts, c)
			decodeError(t, http.StatusUnauthorized, body)
		}
		n++
	}
	assert.Greater(t, n, 15)
	admin := map[string]string{"x-admin-token": "s3cret"}
	ac.do(t, ts, adminCall{method: http.MethodGet, path: "/__admin/clock", headers: admin, status: http.StatusOK})
	ac.do(t, ts, adminCall{method: http.MethodGet, path: "/__admin/sandboxes", headers: admin, status: http.StatusOK})
	ac.do(t, ts, adminCall{method: http.MethodGet, path: "/healthz", status: http.StatusOK})
	ac.do(t, ts, adminCall{method: http.MethodGet, path: "/metrics", status: http.StatusOK})
	ac.do(t, ts, adminCall{method: http.MethodGet, path: "/checkout/" + appToken + "/1", status: http.StatusNotFound})
}

// adminOrigins refuses every admin and checkout operation to a foreign Host (DNS rebinding)
// while no admin token is set, and every state-changing one to a cross-site browser request.
func adminOrigins(t *testing.T, ac *adminContract) {
	ts := newTestServer(t)
	n := 0
	for _, o := range ac.operations() {
		if !strings.HasPrefix(o.path, "/__admin/") && !strings.HasPrefix(o.path, "/checkout/") {
			continue
		}
		c := o.sample()
		c.status = http.StatusForbidden
		c.headers = map[string]string{"Host": "evil.example"}
		_, body := ac.do(t, ts, c)
		decodeError(t, http.StatusForbidden, body)
		if o.method != http.MethodGet {
			c.headers = map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
			_, body = ac.do(t, ts, c)
			decodeError(t, http.StatusForbidden, body)
		}
		n++
	}
	assert.Greater(t, n, 15)
}

type adminClock struct {
	Now    string `json:"now"`
	Frozen bool   `json:"frozen"`
}

func adminResetAndClock(t *testing.T, ac *adminContract) {
	receiver := newWebhookReceiver(t, "whsec_oneentry_mock_default")
	ts := newTestServer(t, withFixtures(stripeFixtures(t, receiver.URL, false)))
	clock := func(body string) adminClock {
		return adminJSON[adminClock](t, ac, ts, adminCall{method: http.MethodPost, path: "/__admin/clock", body: body, status: http.StatusOK})
	}
	// Frozen first, so that set shows exactly the time given.
	assert.True(t, clock(`{"freeze":true}`).Frozen)
	assert.Equal(t, adminClock{Now: "2025-04-26T12:00:00.000Z", Frozen: true}, clock(`{"set":"2025-04-26T15:00:00+03:00"}`))
	assert.Equal(t, adminClock{Now: "2025-04-26T13:30:00.000Z", Frozen: true}, clock(`{"advance":"90m"}`))
	assert.Equal(t, adminClock{Now: "2025-04-26T13:00:00.000Z", Frozen: true}, clock(`{"advance":"-0.5h"}`))
	got := adminJSON[adminClock](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/clock", status: http.StatusOK})
	assert.Equal(t, adminClock{Now: "2025-04-26T13:00:00.000Z", Frozen: true}, got)
	assert.False(t, clock(`{"freeze":false}`).Frozen)
	// One body with every field: reset, then set, then advance, then freeze.
	combined := clock(`{"reset":true,"set":"2025-04-26T12:00:00Z","advance":"1h","freeze":true}`)
	at, err := time.Parse(time.RFC3339, combined.Now)
	require.NoError(t, err)
	assert.WithinDuration(t, time.Date(2025, 4, 26, 13, 0, 0, 0, time.UTC), at, time.Second, "advance applies after set")
	assert.True(t, combined.Frozen)
	real := clock(`{"reset":true}`)
	now, err := time.Parse(time.RFC3339, real.Now)
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now(), now, time.Minute, "reset: real time again")
	assert.False(t, real.Frozen)

	for body, contractRefuses := range map[string]bool{
		`{"advance":"soon"}`:                 true,
		`{"advance":"1d"}`:                   true,
		`{"set":"yesterday"}`:                true,
		`{"tick":1}`:                         true,
		`{"freeze":"yes"}`:                   true,
		`not json`:                           true,
		`{"set":"2025-04-26T12:00:00+03:00"`: true,
	} {
		_, resp := ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/clock", body: body, status: http.StatusBadRequest, badRequest: contractRefuses})
		decodeError(t, http.StatusBadRequest, resp)
	}
	ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/clock", status: http.StatusBadRequest, badRequest: true})

	// Reset empties what the sandbox collected: journal, fault rules, outbox, webhook log.
	f := ts.openStripeSession(t, 10, 1)
	ac.do(t, ts, adminCall{method: http.MethodPost, path: fmt.Sprintf("/__admin/payments/sessions/%d/complete", f.sessionID), status: http.StatusOK})
	ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/faults", body: `{"path":"/nowhere","status":500}`, status: http.StatusCreated})
	type totals struct {
		Total int `json:"total"`
	}
	require.Eventually(t, func() bool {
		_, body := ac.do(t, ts, adminCall{method: http.MethodGet, path: "/__admin/webhooks?status=delivered", status: http.StatusOK})
		return decode[totals](t, body).Total == 2
	}, 10*time.Second, 10*time.Millisecond, "created and completed are delivered")
	assert.Equal(t, 1, adminJSON[totals](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/mail", status: http.StatusOK}).Total)
	assert.Equal(t, map[string]bool{"reset": true}, adminJSON[map[string]bool](t, ac, ts, adminCall{method: http.MethodPost, path: "/__admin/reset", status: http.StatusOK}))
	assert.Equal(t, map[string]int{"count": 0}, adminJSON[map[string]int](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/requests/count", status: http.StatusOK}))
	assert.Empty(t, adminJSON[[]map[string]any](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/faults", status: http.StatusOK}))
	assert.Zero(t, adminJSON[totals](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/mail", status: http.StatusOK}).Total)
	assert.Zero(t, adminJSON[totals](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/webhooks", status: http.StatusOK}).Total)
	tk := ts.login(t, userLogin, userPass)
	status, body := ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, seedOrderBody(10, 1))
	require.Equal(t, http.StatusCreated, status)
	assert.Equal(t, float64(92), decode[map[string]any](t, body)["id"], "ids start over")
}

type adminPaymentResult struct {
	Session map[string]any `json:"session"`
	Order   map[string]any `json:"order"`
}

func adminPayments(t *testing.T, ac *adminContract) {
	receiver := newWebhookReceiver(t, "whsec_oneentry_mock_default")
	ts := newTestServer(t, withFixtures(stripeFixtures(t, receiver.URL, true)))

	// The checkout page and its buttons.
	f := ts.openStripeSession(t, 11, 1)
	pay, err := url.Parse(f.payURL)
	require.NoError(t, err)
	_, page := ac.do(t, ts, adminCall{method: http.MethodGet, path: pay.Path, status: http.StatusOK})
	assert.Contains(t, string(page), `id="complete"`)
	session := path.Base(pay.Path)
	assert.True(t, strings.HasPrefix(session, "cs_test_"), "the URL names the session by its checkout token, not its id")
	ac.do(t, ts, adminCall{method: http.MethodGet, path: "/checkout/no-such-sandbox/" + session, status: http.StatusNotFound})
	ac.do(t, ts, adminCall{method: http.MethodGet, path: "/checkout/" + appToken + "/" + strconv.Itoa(f.sessionID), status: http.StatusNotFound})
	ac.do(t, ts, adminCall{method: http.MethodGet, path: "/checkout/" + appToken + "/cs_test_00000000000000000000000000000000", status: http.StatusNotFound})
	form := "application/x-www-form-urlencoded"
	csrf := "csrf=" + ts.checkoutCSRF(t, f.payURL)
	// Without the page's csrf token, or with another session's, nothing happens.
	other := ts.openStripeSession(t, 10, 1)
	for _, body := range []string{"", "action=complete", "csrf=", "csrf=" + ts.checkoutCSRF(t, other.payURL)} {
		_, resp := ac.do(t, ts, adminCall{method: http.MethodPost, path: pay.Path + "/complete", body: body, contentType: form, status: http.StatusForbidden})
		decodeError(t, http.StatusForbidden, resp)
	}
	// The page's forms send csrf and the path's action alone: another action or another field
	// is not the page's, and nothing happens.
	before := stateDocument(t, ts)
	for _, body := range []string{"action=complete&" + csrf, csrf + "&zzz=1"} {
		_, resp := ac.do(t, ts, adminCall{method: http.MethodPost, path: pay.Path + "/decline", body: body, contentType: form, status: http.StatusBadRequest})
		decodeError(t, http.StatusBadRequest, resp)
	}
	assert.Equal(t, before, stateDocument(t, ts), "no decline was counted")
	assert.Equal(t, "waiting", ts.session(t, f.token, f.sessionID)["status"])
	header, _ := ac.do(t, ts, adminCall{method: http.MethodPost, path: pay.Path + "/decline", body: "action=decline&" + csrf, contentType: form, status: http.StatusSeeOther})
	assert.Equal(t, pay.Path+"?result=declined", header.Get("Location"), "a refused card goes back to the page")
	ac.do(t, ts, adminCall{method: http.MethodPost, path: pay.Path + "/refund", body: csrf, contentType: form, status: http.StatusBadRequest, badRequest: true})
	ac.do(t, ts, adminCall{method: http.MethodPost, path: "/checkout/" + appToken + "/" + strconv.Itoa(f.sessionID) + "/complete", body: csrf, contentType: form, status: http.StatusNotFound})
	header, _ = ac.do(t, ts, adminCall{method: http.MethodPost, path: pay.Path + "/complete", body: "action=complete&" + csrf, contentType: form, status: http.StatusSeeOther})
	loc, err := url.Parse(header.Get("Location"))
	require.NoError(t, err)
	assert.Equal(t, "http://shop.test/thanks", loc.Scheme+"://"+loc.Host+loc.Path)
	assert.Equal(t, url.Values{"session_id": {strconv.Itoa(f.sessionID)}, "order_id": {strconv.Itoa(f.orderID)}, "status": {"completed"}}, loc.Query())
	header, _ = ac.do(t, ts, adminCall{method: http.MethodPost, path: pay.Path + "/cancel", body: csrf, contentType: form, status: http.StatusSeeOther})
	assert.Equal(t, pay.Path, header.Get("Location"), "a second click shows the page as it now is")

	// The same transitions without a browser.
	g := ts.openStripeSession(t, 10, 1)
	action := func(id int, act string) string { return fmt.Sprintf("/__admin/payments/sessions/%d/%s", id, act) }
	res := adminJSON[adminPaymentResult](t, ac, ts, adminCall{method: http.MethodPost, path: action(g.sessionID, "decline"), status: http.StatusOK})
	assert.Equal(t, "waiting", res.Session["status"], "a declined card leaves the session open")
	res = adminJSON[adminPaymentResult](t, ac, ts, adminCall{method: http.MethodPost, path: action(g.sessionID, "complete"), status: http.StatusOK})
	assert.Equal(t, "completed", res.Session["status"])
	assert.Equal(t, "paid", res.Order["statusIdentifier"])
	assert.Equal(t, true, res.Order["isCompleted"])
	ac.do(t, ts, adminCall{method: http.MethodPost, path: action(g.sessionID, "complete"), status: http.StatusOK})
	_, body := ac.do(t, ts, adminCall{method: http.MethodPost, path: action(g.sessionID, "cancel"), status: http.StatusConflict})
	decodeError(t, http.StatusConflict, body)
	ac.do(t, ts, adminCall{method: http.MethodPost, path: action(g.sessionID, "refund"), status: http.StatusBadRequest, badRequest: true})
	ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/payments/sessions/x/complete", status: http.StatusBadRequest, badRequest: true})
	ac.do(t, ts, adminCall{method: http.MethodPost, path: fmt.Sprintf("/__admin/payments/sessions/+%d/complete", g.sessionID), status: http.StatusBadRequest, badRequest: true})
	ac.do(t, ts, adminCall{method: http.MethodPost, path: action(999, "complete"), status: http.StatusNotFound})
	// The shop's decision on a refund request of the paid order: once taken it stands.
	refundID := ts.requestRefund(t, g.token, g.orderID, map[string]any{"10": map[string]int{"quantity": 1}})
	decide := func(act string) string { return fmt.Sprintf("/__admin/refunds/%d/%s", refundID, act) }
	ac.do(t, ts, adminCall{method: http.MethodPost, path: decide("decline"), status: http.StatusOK})
	ac.do(t, ts, adminCall{method: http.MethodPost, path: decide("decline"), status: http.StatusOK})
	_, body = ac.do(t, ts, adminCall{method: http.MethodPost, path: decide("approve"), status: http.StatusConflict})
	decodeError(t, http.StatusConflict, body)
	ac.do(t, ts, adminCall{method: http.MethodPost, path: decide("refund"), status: http.StatusBadRequest, badRequest: true})
	ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/refunds/999/approve", status: http.StatusNotFound})
	h := ts.openStripeSession(t, 12, 1)
	res = adminJSON[adminPaymentResult](t, ac, ts, adminCall{method: http.MethodPost, path: action(h.sessionID, "expire"), status: http.StatusOK})
	assert.Equal(t, "expired", res.Session["status"])
	assert.Equal(t, "canceled", res.Order["statusIdentifier"])
	k := ts.openStripeSession(t, 10, 2)
	res = adminJSON[adminPaymentResult](t, ac, ts, adminCall{method: http.MethodPost, path: action(k.sessionID, "cancel"), status: http.StatusOK})
	assert.Equal(t, "canceled", res.Session["status"])
	// Cancel and expire on the page go to the account's cancelUrl.
	for _, act := range []string{"cancel", "expire"} {
		m := ts.openStripeSession(t, 10, 1)
		page, err := url.Parse(m.payURL)
		require.NoError(t, err)
		header, _ := ac.do(t, ts, adminCall{method: http.MethodPost, path: page.Path + "/" + act, body: "csrf=" + ts.checkoutCSRF(t, m.payURL), contentType: form, status: http.StatusSeeOther})
		loc, err := url.Parse(header.Get("Location"))
		require.NoError(t, err)
		assert.Equal(t, "http://shop.test/cart", loc.Scheme+"://"+loc.Host+loc.Path, act)
		assert.Equal(t, map[string]string{"cancel": "canceled", "expire": "expired"}[act], loc.Query().Get("status"))
	}

	// Two paid orders: two ticket e-mails, newest first.
	type mailList struct {
		Total    int              `json:"total"`
		Messages []map[string]any `json:"messages"`
	}
	all := adminJSON[mailList](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/mail", status: http.StatusOK})
	require.Equal(t, 2, all.Total)
	newest := all.Messages[0]["id"].(string)
	headers := all.Messages[0]["headers"].(map[string]any)
	assert.Equal(t, fmt.Sprint(g.orderID), headers["X-Oneentry-Order"])
	assert.Equal(t, "order.ticket", headers["X-Oneentry-Event"])
	assert.Equal(t, 1, adminJSON[mailList](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/mail?limit=1", status: http.StatusOK}).Total)
	assert.Equal(t, 2, adminJSON[mailList](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/mail?to=" + url.QueryEscape(strings.ToUpper(userLogin)), status: http.StatusOK}).Total)
	assert.Equal(t, 0, adminJSON[mailList](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/mail?to=nobody%40example.com", status: http.StatusOK}).Total)
	detail := adminJSON[map[string]any](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/mail/" + newest, status: http.StatusOK})
	latest := adminJSON[map[string]any](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/mail/latest", status: http.StatusOK})
	assert.Equal(t, detail, latest)
	parsed := detail["parsed"].(map[string]any)
	assert.Contains(t, parsed["text"], "Бронзовый")
	assert.NotEmpty(t, parsed["parts"])
	header, raw := ac.do(t, ts, adminCall{method: http.MethodGet, path: "/__admin/mail/" + newest + "/raw", status: http.StatusOK})
	assert.Equal(t, "message/rfc822", header.Get("Content-Type"))
	assert.Contains(t, string(raw), "\r\nX-Request-Id: "+detail["requestId"].(string)+"\r\n", "the raw message names the request that caused it")
	ac.do(t, ts, adminCall{method: http.MethodGet, path: "/__admin/mail/999", status: http.StatusNotFound})
	ac.do(t, ts, adminCall{method: http.MethodGet, path: "/__admin/mail/999/raw", status: http.StatusNotFound})
	ac.do(t, ts, adminCall{method: http.MethodDelete, path: "/__admin/mail", status: http.StatusNoContent})
	assert.Equal(t, 0, adminJSON[mailList](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/mail", status: http.StatusOK}).Total)
	ac.do(t, ts, adminCall{method: http.MethodGet, path: "/__admin/mail/latest", status: http.StatusNotFound})

	// Webhooks: every session change of the stripe account, signed and delivered.
	type deliveries struct {
		Total      int              `json:"total"`
		Deliveries []map[string]any `json:"deliveries"`
	}
	require.Eventually(t, func() bool {
		_, body := ac.do(t, ts, adminCall{method: http.MethodGet, path: "/__admin/webhooks?status=pending", status: http.StatusOK})
		return decode[deliveries](t, body).Total == 0
	}, 10*time.Second, 10*time.Millisecond, "every delivery finishes")
	list := adminJSON[deliveries](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/webhooks", status: http.StatusOK})
	events, verified := receiver.received()
	assert.Len(t, events, list.Total)
	assert.NotContains(t, verified, false, "every signature verifies")
	byType := map[string]int{}
	for _, e := range events {
		byType[e]++
	}
	assert.Equal(t, map[string]int{
		"payment.session.created": 7, "payment.session.declined": 2, "payment.session.completed": 2,
		"payment.session.expired": 2, "payment.session.canceled": 2,
	}, byType)
	for _, d := range list.Deliveries {
		body := d["body"].(map[string]any)
		assert.Equal(t, d["event"], body["type"])
		assert.Equal(t, body["session"].(map[string]any)["orderId"], body["order"].(map[string]any)["id"])
	}
	completed := adminJSON[deliveries](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/webhooks?event=payment.session.completed&status=delivered", status: http.StatusOK})
	require.Equal(t, 2, completed.Total)
	first := completed.Deliveries[0]
	assert.Equal(t, receiver.URL, first["url"])
	attempts := first["attempts"].([]any)
	require.Len(t, attempts, 1)
	assert.Equal(t, float64(http.StatusNoContent), attempts[0].(map[string]any)["statusCode"])
	byRequest := adminJSON[deliveries](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/webhooks?limit=5&requestId=" + url.QueryEscape(first["requestId"].(string)), status: http.StatusOK})
	require.Equal(t, 1, byRequest.Total)
	assert.Equal(t, first["id"], byRequest.Deliveries[0]["id"])
	assert.Equal(t, 1, adminJSON[deliveries](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/webhooks?limit=1", status: http.StatusOK}).Total)
	assert.Equal(t, 0, adminJSON[deliveries](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/webhooks?status=failed", status: http.StatusOK}).Total)

	// Redelivery: a new delivery of the same event and body, signed afresh.
	again := adminJSON[map[string]string](t, ac, ts, adminCall{method: http.MethodPost, path: "/__admin/webhooks/" + first["id"].(string) + "/redeliver", status: http.StatusAccepted})
	assert.Equal(t, first["id"], again["redeliveryOf"])
	assert.NotEqual(t, first["id"], again["id"])
	require.Eventually(t, func() bool {
		events, _ := receiver.received()
		return len(events) == list.Total+1
	}, 10*time.Second, 10*time.Millisecond, "the redelivery arrives")
	_, verified = receiver.received()
	assert.NotContains(t, verified, false, "the redelivery's signature verifies")
	ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/webhooks/whd_none/redeliver", status: http.StatusNotFound})
}

type adminJournalList struct {
	Total    int              `json:"total"`
	Requests []map[string]any `json:"requests"`
}

func adminJournal(t *testing.T, ac *adminContract) {
	ts := newTestServer(t)
	empty := adminJSON[adminJournalList](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/requests", status: http.StatusOK})
	assert.Equal(t, adminJournalList{Total: 0, Requests: []map[string]any{}}, empty)
	since := time.Now().UTC()
	tk := ts.login(t, userLogin, userPass)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, ts.URL+"/api/content/forms/marker/tickets_form?langCode=en_US", nil)
	require.NoError(t, err)
	req.Header.Set("x-app-token", appToken)
	resp, err := ts.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	requestID := resp.Header.Get("X-Request-Id")
	require.NotEmpty(t, requestID)
	status, _ := ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, seedOrderBody(10, 1))
	require.Equal(t, http.StatusCreated, status)
	status, _ = ts.call(t, http.MethodGet, "/api/content/froms/marker/tickets_form", "", nil)
	require.Equal(t, http.StatusNotFound, status)
	status, _ = ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, "not json")
	require.Equal(t, http.StatusBadRequest, status)
	// Admin traffic is not journaled.
	ac.do(t, ts, adminCall{method: http.MethodGet, path: "/__admin/clock", status: http.StatusOK})

	all := adminJSON[adminJournalList](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/requests", status: http.StatusOK})
	require.Equal(t, 5, all.Total)
	paths := make([]string, len(all.Requests))
	for i, e := range all.Requests {
		paths[i] = e["path"].(string)
	}
	assert.Equal(t, []string{authPath, "/api/content/forms/marker/tickets_form", ordersPath, "/api/content/froms/marker/tickets_form", ordersPath}, paths, "oldest first")
	assert.Equal(t, "langCode=en_US", all.Requests[1]["query"])
	assert.Equal(t, requestID, all.Requests[1]["id"], "an entry's id is the request's X-Request-Id")
	assert.Equal(t, "GET /api/content/forms/marker/{marker}", all.Requests[3]["nearestRoute"])
	assert.Equal(t, "not json", all.Requests[4]["requestText"], "a body that is not JSON is kept as text")
	assert.NotContains(t, fmt.Sprint(all.Requests), tk.AccessToken)

	count := func(query string) int {
		return adminJSON[map[string]int](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/requests/count" + query, status: http.StatusOK})["count"]
	}
	list := func(query string) adminJournalList {
		return adminJSON[adminJournalList](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/requests" + query, status: http.StatusOK})
	}
	assert.Equal(t, 5, count(""))
	assert.Equal(t, 3, count("?method=post"))
	assert.Equal(t, 2, count("?method=POST&status=201"))
	assert.Equal(t, 2, count("?path="+url.QueryEscape(ordersPath)))
	assert.Equal(t, 2, count("?path="+url.QueryEscape("/api/content/f*")))
	assert.Equal(t, 5, count("?since="+url.QueryEscape(since.Format(time.RFC3339Nano))))
	assert.Equal(t, 0, count("?since="+url.QueryEscape(time.Now().Add(time.Hour).UTC().Format(time.RFC3339))))
	last := list("?limit=2")
	require.Equal(t, 2, last.Total)
	assert.Equal(t, all.Requests[3]["id"], last.Requests[0]["id"], "limit keeps the newest")
	assert.Equal(t, 1, list("?status=404").Total)

	for _, query := range []string{"?status=abc", "?status=42", "?since=yesterday"} {
		for _, path := range []string{"/__admin/requests", "/__admin/requests/count"} {
			_, body := ac.do(t, ts, adminCall{method: http.MethodGet, path: path + query, status: http.StatusBadRequest, badRequest: true})
			decodeError(t, http.StatusBadRequest, body)
		}
	}
	ac.do(t, ts, adminCall{method: http.MethodGet, path: "/__admin/requests?limit=0", status: http.StatusBadRequest, badRequest: true})
	ac.do(t, ts, adminCall{method: http.MethodDelete, path: "/__admin/requests", status: http.StatusNoContent})
	assert.Equal(t, 0, count(""))
}

type adminFaultRule struct {
	ID        string `json:"id"`
	Remaining *int   `json:"remaining"`
	Matched   int    `json:"matched"`
}

func adminFaults(t *testing.T, ac *adminContract) {
	ts := newTestServer(t)
	const formPath = "/api/content/forms/marker/tickets_form"
	add := func(rule string) adminFaultRule {
		return adminJSON[adminFaultRule](t, ac, ts, adminCall{method: http.MethodPost, path: "/__admin/faults", body: rule, status: http.StatusCreated})
	}
	status := add(`{"method":"GET","path":"/api/content/forms/marker/*","status":503,"message":"Down for maintenance","times":2}`)
	assert.Equal(t, "flt_1", status.ID)
	require.NotNil(t, status.Remaining)
	assert.Equal(t, 2, *status.Remaining)
	reset := add(`{"path":"/api/content/products/**","reset":true,"times":1}`)
	truncate := add(`{"path":"/api/content/users-auth-providers","truncate":true,"times":1}`)
	ranged := add(`{"method":"*","path":"/api/content/orders-storage/**","latency":{"minMs":20,"maxMs":40}}`)
	add(`{"path":"/api/content/payments/**","latency":{"minMs":1,"maxMs":3},"bodyContains":"intent","probability":0.5}`)
	add(`{"path":"/api/content/users/me","status":429,"latency":{"fixedMs":1}}`)
	assert.Len(t, adminJSON[[]adminFaultRule](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/faults", status: http.StatusOK}), 6)

	// Each kind takes effect, so the journal and the rule list show their traces.
	get := func(client *http.Client, path string) (*http.Response, error) {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, ts.URL+path, nil)
		require.NoError(t, err)
		req.Header.Set("x-app-token", appToken)
		return client.Do(req)
	}
	resp, err := get(ts.Client(), formPath)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, []string{"Down for maintenance"}, decodeError(t, resp.StatusCode, body).messages())
	assert.Equal(t, status.ID, resp.Header.Get("X-Mock-Fault"), "a deliberate failure names its rule")
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	t.Cleanup(fresh.CloseIdleConnections)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, ts.URL+"/api/content/products/10", nil)
	require.NoError(t, err)
	req.Header.Set("x-app-token", appToken)
	_, err = fresh.Do(req)
	require.Error(t, err, "the connection is reset")
	req, err = http.NewRequestWithContext(t.Context(), http.MethodGet, ts.URL+"/api/content/users-auth-providers", nil)
	require.NoError(t, err)
	req.Header.Set("x-app-token", appToken)
	resp, err = fresh.Do(req)
	require.NoError(t, err)
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.ErrorIs(t, err, io.ErrUnexpectedEOF, "the body is cut short")
	start := time.Now()
	resp, err = get(ts.Client(), "/api/content/orders-storage")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "latency alone delays the real answer")
	assert.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond, "at least minMs")
	assert.Equal(t, ranged.ID, resp.Header.Get("X-Mock-Fault"))

	rules := adminJSON[[]adminFaultRule](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/faults", status: http.StatusOK})
	require.Len(t, rules, 4, "rules whose times are used up are gone")
	assert.Equal(t, status.ID, rules[0].ID)
	assert.Equal(t, 1, rules[0].Matched)
	assert.Equal(t, 1, *rules[0].Remaining)
	assert.NotContains(t, []string{rules[1].ID, rules[2].ID, rules[3].ID}, reset.ID)
	assert.NotContains(t, []string{rules[1].ID, rules[2].ID, rules[3].ID}, truncate.ID)

	journal := adminJSON[adminJournalList](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/requests", status: http.StatusOK})
	require.Equal(t, 4, journal.Total)
	// A reset connection's entry is written as its handler ends, which may be after the client
	// has seen the reset and sent the next request: the order of those two is not fixed.
	faults := make([]string, 4)
	for i, e := range journal.Requests {
		faults[i] = fmt.Sprint(e["fault"])
		if faults[i] == truncate.ID {
			assert.NotEmpty(t, e["responseText"], "the half body sent is kept as text")
		}
	}
	assert.ElementsMatch(t, []string{status.ID, reset.ID, truncate.ID, ranged.ID}, faults, "the journal names the rule applied")
	assert.Contains(t, faults, truncate.ID)

	ac.do(t, ts, adminCall{method: http.MethodDelete, path: "/__admin/faults/" + status.ID, status: http.StatusNoContent})
	ac.do(t, ts, adminCall{method: http.MethodDelete, path: "/__admin/faults/" + status.ID, status: http.StatusNotFound})
	ac.do(t, ts, adminCall{method: http.MethodDelete, path: "/__admin/faults/" + reset.ID, status: http.StatusNotFound})
	code, _ := ts.call(t, http.MethodGet, formPath, "", nil)
	assert.Equal(t, http.StatusOK, code, "removed")

	// A probability applies the rule to a random share of the matches.
	coin := add(`{"path":"/api/content/products/*","status":503,"probability":0.5}`)
	failed := 0
	for range 100 {
		code, body := ts.call(t, http.MethodGet, "/api/content/products/10", "", nil)
		if code == http.StatusServiceUnavailable {
			failed++
			assert.Equal(t, []string{"Service Unavailable"}, decodeError(t, code, body).messages(), "without a message, the reason phrase")
		}
	}
	assert.Greater(t, failed, 0)
	assert.Less(t, failed, 100)
	for _, r := range adminJSON[[]adminFaultRule](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/faults", status: http.StatusOK}) {
		if r.ID == coin.ID {
			assert.Equal(t, failed, r.Matched, "matched counts the requests the rule applied to")
		}
	}

	for body, contractRefuses := range map[string]bool{
		`{"path":"/a"}`:                                 true,
		`{"path":"/a","reset":false}`:                   true,
		`{"path":"a","status":500}`:                     true,
		`{"path":"/a","status":200}`:                    true,
		`{"path":"/a","status":500,"probability":2}`:    true,
		`{"path":"/a","latency":{"fixedMs":999999}}`:    true,
		`{"path":"/a","times":-1,"status":500}`:         true,
		`{"path":"/a","status":500,"colour":"red"}`:     true,
		`{"path":"/a","latency":{"minMs":5,"maxMs":1}}`: false,
		`{"path":"/a","status":500,"reset":true}`:       false,
		`{"path":"/a/[","status":500}`:                  false,
	} {
		_, resp := ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/faults", body: body, status: http.StatusBadRequest, badRequest: contractRefuses})
		decodeError(t, http.StatusBadRequest, resp)
	}
	// A rule for every path leaves health, admin and checkout routes alone, and the journal
	// records only content-API traffic.
	ac.do(t, ts, adminCall{method: http.MethodDelete, path: "/__admin/requests", status: http.StatusNoContent})
	add(`{"path":"/**","status":500}`)
	code, _ = ts.call(t, http.MethodGet, formPath, "", nil)
	assert.Equal(t, http.StatusInternalServerError, code)
	ac.do(t, ts, adminCall{method: http.MethodGet, path: "/healthz", status: http.StatusOK})
	ac.do(t, ts, adminCall{method: http.MethodGet, path: "/readyz", status: http.StatusOK})
	ac.do(t, ts, adminCall{method: http.MethodGet, path: "/checkout/" + appToken + "/49", status: http.StatusNotFound})
	ac.do(t, ts, adminCall{method: http.MethodGet, path: "/__admin/faults", status: http.StatusOK})
	assert.Equal(t, map[string]int{"count": 1}, adminJSON[map[string]int](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/requests/count", status: http.StatusOK}))

	ac.do(t, ts, adminCall{method: http.MethodDelete, path: "/__admin/faults", status: http.StatusNoContent})
	assert.Empty(t, adminJSON[[]adminFaultRule](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/faults", status: http.StatusOK}))
}

// Every route routes.go registers outside the content API is an operation of admin.yaml, and
// the other way round: a new admin route cannot ship undocumented.
func TestAdminContractMatchesRoutes(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "routes.go", nil, 0)
	require.NoError(t, err)
	var routes *ast.FuncDecl
	for _, d := range file.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Name.Name == "routes" {
			routes = fn
		}
	}
	require.NotNil(t, routes, "routes.go declares routes")
	var registered []string
	ast.Inspect(routes, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "handle" || len(call.Args) < 3 {
			return true
		}
		method, ok := call.Args[1].(*ast.SelectorExpr)
		require.True(t, ok, "%s: the method is an http.Method constant", fset.Position(call.Pos()))
		lit, ok := call.Args[2].(*ast.BasicLit)
		require.True(t, ok, "%s: the path is a string literal", fset.Position(call.Pos()))
		path, err := strconv.Unquote(lit.Value)
		require.NoError(t, err)
		registered = append(registered, strings.ToUpper(strings.TrimPrefix(method.Sel.Name, "Method"))+" "+path)
		return true
	})
	require.NotEmpty(t, registered)

	doc, err := contracts.LoadAdmin(t.Context())
	require.NoError(t, err)
	var documented []string
	for _, path := range doc.Paths.InMatchingOrder() {
		for method := range doc.Paths.Value(path).Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	slices.Sort(registered)
	slices.Sort(documented)
	assert.Equal(t, registered, documented)
}

// The checker itself must fail on an off-contract answer, or the suite above proves nothing.
func TestAdminContractCatchesOffContractAnswers(t *testing.T) {
	t.Parallel()
	ac := newAdminContract(t)
	ts := newTestServer(t)
	clockReq := mustRequest(t, http.MethodGet, ts.URL+"/__admin/clock")
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	body, err := json.Marshal(map[string]any{"now": "2025-04-26T12:00:00.000Z", "frozen": false, "zone": "UTC"})
	require.NoError(t, err)
	assert.Error(t, ac.validator.ValidateResponse(t.Context(), clockReq, http.StatusOK, jsonHeader, body), "an extra field")
	assert.Error(t, ac.validator.ValidateResponse(t.Context(), clockReq, http.StatusTeapot, jsonHeader, []byte(`{}`)), "an undocumented status")
	_, _, err = ac.router.FindRoute(mustRequest(t, http.MethodGet, ts.URL+"/__admin/nowhere"))
	assert.ErrorIs(t, err, routers.ErrPathNotFound)
}

func mustRequest(t *testing.T, method, target string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, target, nil)
	require.NoError(t, err)
	return req
}

func adminState(t *testing.T, ac *adminContract) {
	receiver := newWebhookReceiver(t, "whsec_oneentry_mock_default")
	ts := newTestServer(t, withFixtures(stripeFixtures(t, receiver.URL, false)))
	// A state with every kind of record: users, logins, orders with a slot, payment sessions,
	// a one-time code and a moved clock.
	f := ts.openStripeSession(t, 11, 2)
	ac.do(t, ts, adminCall{method: http.MethodPost, path: fmt.Sprintf("/__admin/payments/sessions/%d/complete", f.sessionID), status: http.StatusOK})
	ts.openStripeSession(t, 10, 1)
	status, body := ts.call(t, http.MethodPost, "/api/content/users-auth-providers/marker/email/users/generate-code", "",
		map[string]string{"userIdentifier": userLogin, "eventIdentifier": "reset_password"})
	require.Equal(t, http.StatusCreated, status, string(body))
	ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/clock", body: `{"advance":"-2h"}`, status: http.StatusOK})

	_, exported := ac.do(t, ts, adminCall{method: http.MethodGet, path: "/__admin/state", status: http.StatusOK})
	doc := decode[map[string]any](t, exported)
	for _, list := range []string{"users", "authSessions", "orders", "paymentSessions", "codes"} {
		assert.NotEmpty(t, doc[list], list)
	}
	assert.Equal(t, "-2h0m0s", doc["clock"].(map[string]any)["offset"])

	// Into a fresh sandbox, and back out: the same document.
	sb := adminJSON[adminSandboxInfo](t, ac, ts, adminCall{method: http.MethodPost, path: "/__admin/sandboxes", status: http.StatusCreated})
	other := map[string]string{"x-app-token": sb.AppToken}
	_, imported := ac.do(t, ts, adminCall{method: http.MethodPut, path: "/__admin/state", headers: other, body: string(exported), status: http.StatusOK})
	assert.JSONEq(t, string(exported), string(imported))
	_, again := ac.do(t, ts, adminCall{method: http.MethodGet, path: "/__admin/state", headers: other, status: http.StatusOK})
	assert.JSONEq(t, string(exported), string(again))

	// A document the server refuses changes nothing, and the error names the field.
	orphan := strings.Replace(emptyState, `"orders":[]`, `"orders":[`+orderRecordOf(t, doc)+`]`, 1)
	for body, contractRefuses := range map[string]bool{
		`{"format":"capsule","version":1}`:                                                true,
		strings.Replace(string(exported), `"version":1`, `"version":2`, 1):                true,
		strings.Replace(string(exported), `"format"`, `"colour":"red","format"`, 1):       true,
		`{"format":"oneentry-mock-state"`:                                                 true,
		strings.Replace(emptyState, `"nextOrderId":1`, `"nextOrderId":0`, 1):              true,
		strings.Replace(string(exported), `"offset":"-2h0m0s"`, `"offset":"-2 hours"`, 1): true,
		orphan: false,
	} {
		_, resp := ac.do(t, ts, adminCall{method: http.MethodPut, path: "/__admin/state", headers: other, body: body, status: http.StatusBadRequest, badRequest: contractRefuses})
		decodeError(t, http.StatusBadRequest, resp)
	}
	_, resp := ac.do(t, ts, adminCall{method: http.MethodPut, path: "/__admin/state", headers: other, status: http.StatusBadRequest,
		body: strings.Replace(string(exported), `"nextOrderId":`, `"nextOrderId":1,"x":`, 1), badRequest: true})
	assert.Contains(t, strings.Join(decodeError(t, http.StatusBadRequest, resp).messages(), " "), `unknown field "x"`)
	_, resp = ac.do(t, ts, adminCall{method: http.MethodPut, path: "/__admin/state", headers: other, status: http.StatusBadRequest, body: orphan})
	assert.Contains(t, strings.Join(decodeError(t, http.StatusBadRequest, resp).messages(), " "), "orders[0].userId", "the error names the field")
	_, after := ac.do(t, ts, adminCall{method: http.MethodGet, path: "/__admin/state", headers: other, status: http.StatusOK})
	assert.JSONEq(t, string(exported), string(after))
	ac.do(t, ts, adminCall{method: http.MethodPut, path: "/__admin/state", headers: other, body: emptyState, status: http.StatusOK})

	// A document over the size limit answers 413 and changes nothing.
	small := newTestServer(t, withMaxState(int64(len(exported)-1)))
	_, before := ac.do(t, small, adminCall{method: http.MethodGet, path: "/__admin/state", status: http.StatusOK})
	_, resp = ac.do(t, small, adminCall{method: http.MethodPut, path: "/__admin/state", body: string(exported), status: http.StatusRequestEntityTooLarge})
	decodeError(t, http.StatusRequestEntityTooLarge, resp)
	_, after = ac.do(t, small, adminCall{method: http.MethodGet, path: "/__admin/state", status: http.StatusOK})
	assert.JSONEq(t, string(before), string(after))
}

// orderRecordOf returns the first order of an exported document: one whose user a document
// without users lacks.
func orderRecordOf(t *testing.T, doc map[string]any) string {
	t.Helper()
	data, err := json.Marshal(doc["orders"].([]any)[0])
	require.NoError(t, err)
	return string(data)
}

func withMaxSandboxes(n int) serverOption {
	return func(mo *mockserver.Options) { mo.Sandbox.MaxSandboxes = n }
}

// adminBodiesNotObjects sends each call that takes no body one that is not a JSON object: it
// is refused before the call acts.
func adminBodiesNotObjects(t *testing.T, ac *adminContract) {
	ts := newTestServer(t)
	for _, c := range []struct{ method, path string }{
		{http.MethodPost, "/__admin/reset"}, {http.MethodGet, "/__admin/state"}, {http.MethodGet, "/__admin/clock"},
		{http.MethodGet, "/__admin/mail"}, {http.MethodDelete, "/__admin/mail"}, {http.MethodGet, "/__admin/mail/1"},
		{http.MethodGet, "/__admin/mail/1/raw"}, {http.MethodGet, "/__admin/webhooks"}, {http.MethodPost, "/__admin/webhooks/whd_1/redeliver"},
		{http.MethodDelete, "/__admin/requests"}, {http.MethodGet, "/__admin/faults"}, {http.MethodDelete, "/__admin/faults"},
		{http.MethodDelete, "/__admin/faults/flt_1"}, {http.MethodPost, "/__admin/sandboxes"}, {http.MethodGet, "/__admin/sandboxes"},
		{http.MethodDelete, "/__admin/sandboxes/nope"}, {http.MethodGet, "/__admin/sockets"},
	} {
		_, body := ac.do(t, ts, adminCall{method: c.method, path: c.path, body: "{", status: http.StatusBadRequest})
		assert.Equal(t, []string{"body must be a JSON object"}, decodeError(t, http.StatusBadRequest, body).messages(), "%s %s", c.method, c.path)
		_, body = ac.do(t, ts, adminCall{method: c.method, path: c.path, body: `{"appToken":null}`, status: http.StatusBadRequest})
		assert.Equal(t, []string{"body must be a JSON object: appToken must not be null; leave it out instead"}, decodeError(t, http.StatusBadRequest, body).messages(), "%s %s", c.method, c.path)
	}
	status, body := ts.call(t, http.MethodGet, "/__admin/sandboxes", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Len(t, decode[[]any](t, body), 1, "no refused call made a sandbox")
}

// adminBodiesWithFields sends every /__admin call of the contract that declares no request
// body an object with a field: it is refused by name before the call acts, so that a client
// that thinks it chose a token or a profile learns it did not.
func adminBodiesWithFields(t *testing.T, ac *adminContract) {
	ts := newTestServer(t)
	before := stateDocument(t, ts)
	placeholder := regexp.MustCompile(`\{[^}]+\}`)
	calls := 0
	for path, item := range ac.doc.Paths.Map() {
		if !strings.HasPrefix(path, "/__admin/") {
			continue
		}
		for method, op := range item.Operations() {
			if op.RequestBody != nil {
				continue
			}
			calls++
			filled := placeholder.ReplaceAllStringFunc(path, func(name string) string {
				param := append(op.Parameters, item.Parameters...).GetByInAndName("path", strings.Trim(name, "{}"))
				if param != nil && param.Schema != nil && len(param.Schema.Value.Enum) > 0 {
					return fmt.Sprint(param.Schema.Value.Enum[0])
				}
				return "1"
			})
			_, body := ac.do(t, ts, adminCall{method: method, path: filled, body: `{"appToken":"ci-job-1"}`, status: http.StatusBadRequest})
			assert.Equal(t, []string{`body must be {}: this call takes no body: json: unknown field "appToken"`}, decodeError(t, http.StatusBadRequest, body).messages(), "%s %s", method, path)
		}
	}
	assert.Greater(t, calls, 15)
	ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/sandboxes", body: `{}`, status: http.StatusCreated})
	status, body := ts.call(t, http.MethodGet, "/__admin/sandboxes", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Len(t, decode[[]any](t, body), 2, "only the empty object made a sandbox")
	assert.Equal(t, before, stateDocument(t, ts), "no refused call changed the default sandbox")
}

// adminMemoryLimit: above --max-memory-bytes every admin write that adds state answers 409
// and changes nothing.
func adminMemoryLimit(t *testing.T, ac *adminContract) {
	ts, heap := newMemoryLimitedServer(t)
	f := ts.openStripeSession(t, 10, 1)
	pay, err := url.Parse(f.payURL)
	require.NoError(t, err)
	csrf := ts.checkoutCSRF(t, f.payURL)
	doc := stateDocument(t, ts)
	heap.bytes.Store(65 << 20)
	for _, call := range []adminCall{
		{method: http.MethodPut, path: "/__admin/state", body: doc},
		{method: http.MethodPost, path: pay.Path + "/complete", body: "csrf=" + csrf, contentType: "application/x-www-form-urlencoded"},
		{method: http.MethodPost, path: "/__admin/faults", body: `{"path":"/x","status":500}`},
		{method: http.MethodPatch, path: "/__admin/payments/accounts/2", body: `{"settings":{"successUrl":"http://localhost:3000/ok"}}`},
		{method: http.MethodPost, path: "/__admin/sandboxes"},
	} {
		call.status = http.StatusConflict
		header, body := ac.do(t, ts, call)
		assert.Equal(t, "memory", header.Get("X-Mock-Limit"), call.path)
		assert.Contains(t, strings.Join(decodeError(t, http.StatusConflict, body).messages(), " "), "above its limit of 64 MiB", call.path)
	}
	heap.bytes.Store(0)
	assert.Equal(t, doc, stateDocument(t, ts), "the refused writes changed nothing")
	status, body := ts.call(t, http.MethodGet, "/__admin/faults", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.JSONEq(t, "[]", string(body), "the refused rule was not added")
	status, body = ts.call(t, http.MethodGet, "/api/content/payments/accounts", ts.login(t, userLogin, userPass).AccessToken, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Contains(t, string(body), `"identifier":"stripe"`)
	assert.NotContains(t, string(body), "localhost:3000/ok", "the refused patch was not kept")
}

// adminLimits covers the admin limits through the admin contract: sandbox creation and
// fault rules are bounded (409 beyond), and counters a JavaScript client could not read, or
// whose next id would wrap, are refused (400 naming the counter).
// adminBodiesTooLarge sends every admin call a body past 64 KiB: each answers 413 before it
// acts, whether or not it takes a body (the state import has a bound of its own).
func adminBodiesTooLarge(t *testing.T, ac *adminContract) {
	ts := newTestServer(t)
	_, before := ac.do(t, ts, adminCall{method: http.MethodGet, path: "/__admin/state", status: http.StatusOK})
	body := `{"padding":"` + strings.Repeat("a", 64<<10) + `"}`
	checked := 0
	for _, o := range ac.operations() {
		if !strings.HasPrefix(o.path, "/__admin/") || o.op.OperationID == "importState" {
			continue
		}
		path := o.path
		for _, p := range o.op.Parameters {
			if p.Value.In != openapi3.ParameterInPath {
				continue
			}
			value := "1"
			if enum := p.Value.Schema.Value.Enum; len(enum) > 0 {
				value = fmt.Sprint(enum[0])
			}
			path = strings.Replace(path, "{"+p.Value.Name+"}", value, 1)
		}
		_, resp := ac.do(t, ts, adminCall{method: strings.ToUpper(o.method), path: path, body: body,
			status: http.StatusRequestEntityTooLarge, badRequest: o.op.RequestBody != nil})
		assert.Contains(t, strings.Join(decodeError(t, http.StatusRequestEntityTooLarge, resp).messages(), " "), "65536 bytes", o.path)
		checked++
	}
	assert.Greater(t, checked, 25)
	_, after := ac.do(t, ts, adminCall{method: http.MethodGet, path: "/__admin/state", status: http.StatusOK})
	assert.JSONEq(t, string(before), string(after), "nothing happened, not even a reset")
}

func adminLimits(t *testing.T, ac *adminContract) {
	adminMemoryLimit(t, ac)
	ts := newTestServer(t, withMaxSandboxes(3))
	var made []string
	for range 2 {
		sb := adminJSON[adminSandboxInfo](t, ac, ts, adminCall{method: http.MethodPost, path: "/__admin/sandboxes", status: http.StatusCreated})
		made = append(made, sb.AppToken)
	}
	_, body := ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/sandboxes", status: http.StatusConflict})
	assert.Contains(t, strings.Join(decodeError(t, http.StatusConflict, body).messages(), " "), "At most 3 sandboxes")
	list := adminJSON[[]adminSandboxInfo](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/sandboxes", status: http.StatusOK})
	assert.Len(t, list, 3, "the refused call made nothing")
	ac.do(t, ts, adminCall{method: http.MethodDelete, path: "/__admin/sandboxes/" + made[0], status: http.StatusNoContent})
	ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/sandboxes", status: http.StatusCreated})

	rule := `{"path":"/api/content/products","status":503}`
	for range sandbox.MaxFaultRules {
		status, body := ts.call(t, http.MethodPost, "/__admin/faults", "", rule)
		require.Equal(t, http.StatusCreated, status, string(body))
	}
	_, body = ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/faults", body: rule, status: http.StatusConflict})
	assert.Contains(t, strings.Join(decodeError(t, http.StatusConflict, body).messages(), " "), "fault rules")
	status, body := ts.call(t, http.MethodGet, "/__admin/faults", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Len(t, decode[[]any](t, body), sandbox.MaxFaultRules)

	_, before := ac.do(t, ts, adminCall{method: http.MethodGet, path: "/__admin/state", status: http.StatusOK})
	for _, counter := range []string{"nextUserId", "nextAuthSessionId", "nextOrderId", "nextPaymentSessionId"} {
		// 2^53+1 is the same float64 as 2^53, so only the server tells it apart.
		for n, contractRefuses := range map[string]bool{"9223372036854775807": true, "9007199254740993": false} {
			doc := strings.Replace(emptyState, fmt.Sprintf(`"%s":1`, counter), fmt.Sprintf(`"%s":%s`, counter, n), 1)
			_, body := ac.do(t, ts, adminCall{method: http.MethodPut, path: "/__admin/state", body: doc, status: http.StatusBadRequest, badRequest: contractRefuses})
			assert.Contains(t, strings.Join(decodeError(t, http.StatusBadRequest, body).messages(), " "), "counters."+counter)
		}
	}
	_, after := ac.do(t, ts, adminCall{method: http.MethodGet, path: "/__admin/state", status: http.StatusOK})
	assert.JSONEq(t, string(before), string(after), "a refused document changes nothing")

	// The largest counter allowed still hands out a readable id.
	doc := strings.Replace(emptyState, `"nextOrderId":1`, `"nextOrderId":9007199254740992`, 1)
	ac.do(t, ts, adminCall{method: http.MethodPut, path: "/__admin/state", body: doc, status: http.StatusOK})
}

// Every /__admin operation of admin.yaml has its row in docs/admin.md's table, which is where a
// developer looks first; the row may send them on to docs/api/.
func TestAdminDocsListEveryAdminOperation(t *testing.T) {
	t.Parallel()
	docs, err := os.ReadFile("../docs/admin.md")
	require.NoError(t, err)
	for _, o := range newAdminContract(t).operations() {
		if strings.HasPrefix(o.path, "/__admin/") {
			row := "| `" + strings.ToUpper(o.method) + " " + o.path + "`"
			assert.True(t, strings.Contains(string(docs), row), "docs/admin.md has no row %s", row)
		}
	}
}

// An admin call's error body has message as an array of strings for a 400 (one string per
// failed rule, as the live API's validation answers: the body, the query or a path value) and as
// a string for every other status, as admin.yaml's conventions say; the 404s named there say what
// was not found.
func TestAdminErrorMessageIsAnArrayForBrokenRules(t *testing.T) {
	t.Parallel()
	ts := newLiveServer(t)
	id := ts.submitOK(t, ts.signIn(t, userLogin, userPass).AccessToken, contactBody())
	author := ts.signIn(t, userLogin, userPass).AccessToken
	status, body := ts.call(t, http.MethodDelete, formDataPath+"/"+strconv.Itoa(id), author, nil)
	require.Equal(t, http.StatusOK, status, string(body))

	for _, c := range []struct {
		method, path, body string
		status             int
		array              bool
		message            string
	}{
		{http.MethodGet, "/__admin/requests?status=abc", "", http.StatusBadRequest, true, ""},
		{http.MethodGet, "/__admin/webhooks?status=x", "", http.StatusBadRequest, true, ""},
		{http.MethodPost, "/__admin/payments/sessions/abc/complete", "", http.StatusBadRequest, true, ""},
		{http.MethodPost, "/__admin/payments/sessions/1/bogus", "", http.StatusBadRequest, true, ""},
		{http.MethodPost, "/__admin/refunds/1/bogus", "", http.StatusBadRequest, true, ""},
		{http.MethodPost, "/__admin/faults", `{"path":"/api/content/x","status":99}`, http.StatusBadRequest, true, ""},
		{http.MethodPost, "/__admin/clock", `{"advance":"soon"}`, http.StatusBadRequest, true, ""},
		{http.MethodPost, "/__admin/clock", `{"advance":`, http.StatusBadRequest, true, ""},
		{http.MethodPost, "/__admin/clock", `{"padding":"` + strings.Repeat("a", 64<<10) + `"}`, http.StatusRequestEntityTooLarge, false, ""},
		{http.MethodDelete, "/__admin/faults/nope", "", http.StatusNotFound, false, ""},
		{http.MethodPost, "/__admin/oauth/nosuch/codes", `{"email":"a@example.com"}`, http.StatusNotFound, false, `Auth provider with marker "nosuch" not found`},
		{http.MethodPost, "/__admin/form-data/" + strconv.Itoa(id) + "/approve", "", http.StatusNotFound, false, "Form data with id " + strconv.Itoa(id) + " not found"},
	} {
		var body any
		if c.body != "" {
			body = c.body
		}
		status, answer := ts.call(t, c.method, c.path, "", body)
		name := c.method + " " + c.path
		require.Equal(t, c.status, status, "%s: %s", name, answer)
		var e struct {
			Message json.RawMessage `json:"message"`
		}
		require.NoError(t, json.Unmarshal(answer, &e), name)
		if c.array {
			var messages []string
			assert.NoError(t, json.Unmarshal(e.Message, &messages), "%s: %s", name, e.Message)
			continue
		}
		var message string
		require.NoError(t, json.Unmarshal(e.Message, &message), "%s: %s", name, e.Message)
		if c.message != "" {
			assert.Equal(t, c.message, message, name)
		}
	}
}
