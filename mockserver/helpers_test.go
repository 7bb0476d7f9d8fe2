package mockserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/mocktest"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store/bolt"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

const (
	appToken  = "your-app-token"
	userLogin = "your-user@email.com"
	userPass  = "123456"
	user2     = "second-user@email.com"
	user2Pass = "654321"
)

type serverOption func(*mockserver.Options)

func withAccessTTL(d time.Duration) serverOption {
	return func(mo *mockserver.Options) { mo.Sandbox.AccessTokenTTL = d }
}

func withProfile(p sandbox.Profile) serverOption {
	return func(mo *mockserver.Options) { mo.Sandbox.Profile = p }
}

func withMaxBody(n int64) serverOption {
	return func(mo *mockserver.Options) { mo.MaxBodyBytes = n }
}

func withMaxState(n int64) serverOption {
	return func(mo *mockserver.Options) { mo.MaxStateBytes = n }
}

// underEachProfile runs test once per compat profile, each a parallel subtest on a mock of its
// own.
func underEachProfile(t *testing.T, test func(t *testing.T, ts *testServer, p sandbox.Profile)) {
	t.Helper()
	for _, p := range []sandbox.Profile{sandbox.ProfileSDK115, sandbox.ProfileLive} {
		t.Run(p.Name, func(t *testing.T) {
			t.Parallel()
			test(t, newTestServer(t, withProfile(p)), p)
		})
	}
}

// testServer is a mock behind a real HTTP listener whose every /api/content response is checked
// against the contract.
type testServer struct {
	*httptest.Server
	server *mockserver.Server
	store  *store.Store
	clock  *store.Clock
}

// newTestServer serves the default fixtures as the seed recorded them (sdk-1.0.115), which most
// tests here reproduce; a test of today's API passes withProfile(sandbox.ProfileLive).
func newTestServer(t testing.TB, opts ...serverOption) *testServer {
	t.Helper()
	clock := store.NewClock(nil)
	ts := startTestServer(t, append([]serverOption{func(mo *mockserver.Options) { mo.Sandbox.Clock = clock }}, opts...)...)
	ts.clock = clock
	return ts
}

func startTestServer(t testing.TB, opts ...serverOption) *testServer {
	t.Helper()
	// The memory guard reads the heap of the whole test process, which every parallel test's
	// server shares: under the default limit (half a small container's memory) one test's
	// writes would be refused for the others' state. The tests of the guard set their own.
	mo := mockserver.Options{Sandbox: sandbox.Options{Profile: sandbox.ProfileSDK115, MaxMemoryBytes: math.MaxInt64}}
	for _, o := range opts {
		o(&mo)
	}
	hs, srv := mocktest.Start(t, mo)
	return &testServer{Server: hs, server: srv, store: srv.Store()}
}

// startOnDataDir serves a mock that keeps its state in dir, as --data-dir does. stop closes
// the listener, the server and the database, so that starting again on dir is a restart.
func startOnDataDir(t testing.TB, dir string, opts ...serverOption) (ts *testServer, db *bolt.DB, stop func()) {
	t.Helper()
	db, err := bolt.Open(dir)
	require.NoError(t, err)
	ts = startTestServer(t, append([]serverOption{func(mo *mockserver.Options) { mo.Sandbox.Persistence = db }}, opts...)...)
	return ts, db, func() {
		ts.Close()
		require.NoError(t, ts.server.Close(context.Background()))
		require.NoError(t, db.Close())
	}
}

// request builds method path with body as sent (no body when empty), the Content-Type when one
// is given, and headers, where "Host" sets the host the request names, as a rebinding page
// would, and an empty value sends no header.
func (ts *testServer) request(t testing.TB, method, path, body, contentType string, headers map[string]string) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, ts.URL+path, rd)
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range headers {
		switch {
		case k == "Host":
			req.Host = v
		case v != "":
			req.Header.Set(k, v)
		}
	}
	return req
}

// call sends one request with the SDK's headers and returns status and body.
func (ts *testServer) call(t testing.TB, method, path, bearer string, body any) (int, []byte) {
	t.Helper()
	return ts.callWith(t, method, path, bearer, body, map[string]string{"x-app-token": appToken})
}

func (ts *testServer) callWith(t testing.TB, method, path, bearer string, body any, headers map[string]string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		require.NoError(t, err)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, ts.URL+path, rd)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, data := ts.send(t, req)
	return resp.StatusCode, data
}

// send sends req and returns the response with its body, read whole and closed.
func (ts *testServer) send(t testing.TB, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := ts.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, data
}

// serveAPI sends one request straight to h, with the SDK's headers as call sends them: the app
// token, the bearer token when there is one, and a JSON content type when there is a body.
// edit, when given, adjusts the request first.
func serveAPI(h http.Handler, method, target, bearer string, body io.Reader, edit ...func(*http.Request)) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, body)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("x-app-token", appToken)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	for _, f := range edit {
		f(req)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

type tokens struct {
	UserIdentifier         string `json:"userIdentifier"`
	AuthProviderIdentifier string `json:"authProviderIdentifier"`
	AccessToken            string `json:"accessToken"`
	RefreshToken           string `json:"refreshToken"`
}

func authBody(login, password string) map[string]any {
	return map[string]any{"authData": []map[string]string{
		{"marker": "email_reg", "value": login},
		{"marker": "password_reg", "value": password},
	}}
}

const authPath = "/api/content/users-auth-providers/marker/email/users/auth"

func (ts *testServer) login(t testing.TB, login, password string) tokens {
	t.Helper()
	status, body := ts.call(t, http.MethodPost, authPath, "", authBody(login, password))
	require.Equal(t, http.StatusCreated, status, string(body))
	var tk tokens
	require.NoError(t, json.Unmarshal(body, &tk))
	return tk
}

func seedOrderBody(productID, quantity int) map[string]any {
	return map[string]any{
		"formIdentifier":           "tickets_form",
		"paymentAccountIdentifier": "cash",
		"formData": map[string]any{"en_US": []map[string]any{
			{"type": "entity", "marker": "tickets", "value": []string{"p-8-10"}},
		}},
		"products": []map[string]any{{"productId": productID, "quantity": quantity}},
	}
}

const ordersPath = "/api/content/orders-storage/marker/tickets/orders"

// orderWithWaitingSession places the seed order on the stripe account, opens its payment
// session, which waits for the buyer, and returns the order.
func (ts *testServer) orderWithWaitingSession(t *testing.T, bearer string) map[string]any {
	t.Helper()
	body := seedOrderBody(10, 1)
	body["paymentAccountIdentifier"] = "stripe"
	order := ts.createOrder(t, bearer, body)
	status, data := ts.call(t, http.MethodPost, sessionsPath, bearer, map[string]any{"orderId": order["id"], "type": "session"})
	require.Equal(t, http.StatusCreated, status, string(data))
	return order
}

// placeOrders places n orders of one ticket each as the bearer's user.
func (ts *testServer) placeOrders(t *testing.T, bearer string, n int) {
	t.Helper()
	for range n {
		status, body := ts.call(t, http.MethodPost, ordersPath, bearer, seedOrderBody(10, 1))
		require.Equal(t, http.StatusCreated, status, string(body))
	}
}

func decode[T any](t testing.TB, data []byte) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(data, &v), string(data))
	return v
}

// errorResponse is the live error body; decoding it strictly proves there are no extra keys.
type errorResponse struct {
	StatusCode int             `json:"statusCode"`
	Message    json.RawMessage `json:"message"`
	Error      string          `json:"error"`
	PageData   json.RawMessage `json:"pageData"`
	Timestamp  string          `json:"timestamp"`
}

func decodeError(t testing.TB, status int, data []byte) errorResponse {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var e errorResponse
	require.NoError(t, dec.Decode(&e), string(data))
	require.Equal(t, status, e.StatusCode)
	wantReason := http.StatusText(status)
	if status == http.StatusRequestEntityTooLarge {
		wantReason = "Payload Too Large"
	}
	require.Equal(t, wantReason, e.Error)
	require.Equal(t, "null", string(e.PageData))
	_, err := time.Parse("2006-01-02T15:04:05.000Z", e.Timestamp)
	require.NoError(t, err, "timestamp %q", e.Timestamp)
	return e
}

// messages returns the error message as a list, whether it was a string or an array.
func (e errorResponse) messages() []string {
	var list []string
	if json.Unmarshal(e.Message, &list) == nil {
		return list
	}
	var one string
	_ = json.Unmarshal(e.Message, &one)
	return []string{one}
}

// contractWith is the embedded contract with paths and schemas added.
func contractWith(t *testing.T, paths, schemas string) *contracts.Validator {
	t.Helper()
	spec := contracts.Spec()
	spec = bytes.Replace(spec, []byte("\npaths:\n"), []byte("\npaths:"+paths), 1)
	spec = bytes.Replace(spec, []byte("\n  schemas:\n"), []byte("\n  schemas:"+schemas), 1)
	doc, err := openapi3.NewLoader().LoadFromData(spec)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(t.Context()))
	v, err := contracts.NewValidator(doc)
	require.NoError(t, err)
	return v
}
