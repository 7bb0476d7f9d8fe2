package contracts

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/internal/testkit"
)

// reports collects what a Transport reports; Report may be called from the client's goroutines.
type reports struct {
	mu  sync.Mutex
	got []Violation
}

func (r *reports) report(_ *http.Request, v Violation) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, v)
}

func (r *reports) all() []Violation {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Violation(nil), r.got...)
}

// reply is a canned answer of the test server, keyed by "METHOD path".
type reply struct {
	status int
	body   string
}

// newTransportClient starts a server answering from replies (404 otherwise) and returns a client
// whose transport validates every exchange. received records the request bodies the server saw.
func newTransportClient(t *testing.T, replies map[string]reply) (*http.Client, *httptest.Server, *reports, *sync.Map) {
	t.Helper()
	var received sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		received.Store(r.Method+" "+r.URL.Path, string(body))
		rep, ok := replies[r.Method+" "+r.URL.Path]
		if !ok {
			rep = reply{http.StatusNotFound, errorBody(404, `"Cannot `+r.Method+` `+r.URL.Path+`"`)}
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(rep.status)
		_, _ = io.WriteString(w, rep.body)
	}))
	t.Cleanup(srv.Close)
	rep := &reports{}
	client := &http.Client{Transport: &Transport{Base: srv.Client().Transport, Validator: testValidator(t), Report: rep.report}}
	return client, srv, rep, &received
}

func do(t *testing.T, c *http.Client, method, url, body string) (int, string) {
	t.Helper()
	status, got := testkit.Call(t, c, method, url, body, "x-app-token", appToken)
	return status, string(got)
}

func TestTransportReportsBadResponseAndKeepsBody(t *testing.T) {
	t.Parallel()
	bad := `{"id":"9","extra":true}`
	c, srv, rep, _ := newTransportClient(t, map[string]reply{
		"GET /api/content/forms/marker/tickets_form": {200, bad},
	})
	status, body := do(t, c, "GET", srv.URL+"/api/content/forms/marker/tickets_form?langCode=en_US", "")
	assert.Equal(t, 200, status)
	assert.Equal(t, bad, body, "the caller gets the original body")

	got := rep.all()
	require.NotEmpty(t, got)
	byPointer := map[string]Violation{}
	for _, v := range got {
		byPointer[v.Pointer] = v
		assert.Equal(t, PhaseResponse, v.Phase)
		assert.Equal(t, 200, v.Status)
		assert.Equal(t, "/api/content/forms/marker/tickets_form", v.Path)
	}
	assert.Equal(t, KindType, byPointer["/id"].Kind)
	assert.Equal(t, KindUnknownProperty, byPointer["/extra"].Kind)
	assert.Equal(t, KindRequired, byPointer["/attributes"].Kind)
}

// An answer over MaxBody is passed on whole and unvalidated, and only MaxBody+1 of it is held.
func TestTransportPassesAnAnswerOverItsLimitUnread(t *testing.T) {
	t.Parallel()
	bad := `{"id":"9","extra":true}`
	c, srv, rep, _ := newTransportClient(t, map[string]reply{
		"GET /api/content/forms/marker/tickets_form": {200, bad},
	})
	c.Transport.(*Transport).MaxBody = 8
	status, body := do(t, c, "GET", srv.URL+"/api/content/forms/marker/tickets_form?langCode=en_US", "")
	assert.Equal(t, 200, status)
	assert.Equal(t, bad, body, "the caller reads all the server sent")
	assert.Empty(t, rep.all(), "not validated")
}

func TestTransportGoodTrafficReportsNothing(t *testing.T) {
	t.Parallel()
	sessions := `{"items":[],"total":0}`
	c, srv, rep, received := newTransportClient(t, map[string]reply{
		"POST /api/content/users-auth-providers/marker/email/users/auth":       {201, string(recorded(t, "auth.json"))},
		"GET /api/content/payments/sessions":                                   {200, sessions},
		"GET /api/content/payments/sessions/":                                  {200, sessions},
		"GET /api/content/forms/marker/tickets_form":                           {200, string(recorded(t, "form-tickets_form.json"))},
		"POST /api/content/users-auth-providers/marker/email/users/logout-all": {201, `true`},
		"GET /__admin/health":                                                  {200, `ok`},
	})
	authBody := `{"authData":[{"marker":"email_reg","value":"your-user@email.com"},{"marker":"password_reg","value":"123456"}]}`

	status, body := do(t, c, "POST", srv.URL+"/api/content/users-auth-providers/marker/email/users/auth", authBody)
	assert.Equal(t, 201, status)
	assert.JSONEq(t, string(recorded(t, "auth.json")), body)
	sent, _ := received.Load("POST /api/content/users-auth-providers/marker/email/users/auth")
	assert.Equal(t, authBody, sent, "the server receives the request body intact")

	status, _ = do(t, c, "GET", srv.URL+"/api/content/payments/sessions?offset=0&limit=30", "")
	assert.Equal(t, 200, status)
	status, _ = do(t, c, "GET", srv.URL+"/api/content/payments/sessions/?offset=0&limit=30", "")
	assert.Equal(t, 200, status)
	status, _ = do(t, c, "POST", srv.URL+"/api/content/users-auth-providers/marker/email/users/logout-all", "")
	assert.Equal(t, 201, status)
	status, body = do(t, c, "GET", srv.URL+"/__admin/health", "")
	assert.Equal(t, 200, status, "admin routes are outside the contract and pass unchecked")
	assert.Equal(t, "ok", body)

	assert.Empty(t, messages(rep.all()))
}

func TestTransportDoubleSlashPath(t *testing.T) {
	t.Parallel()
	// The test server sees the raw "//api/..." path, as the mock does from SDK 1.0.115.
	c, srv, rep, _ := newTransportClient(t, map[string]reply{
		"GET //api/content/forms/marker/tickets_form": {200, string(recorded(t, "form-tickets_form.json"))},
	})
	status, _ := do(t, c, "GET", srv.URL+"//api/content/forms/marker/tickets_form?langCode=en_US", "")
	assert.Equal(t, 200, status)
	assert.Empty(t, messages(rep.all()))
}

func TestTransportReportsRequestViolationsAndUnknownRoutes(t *testing.T) {
	t.Parallel()
	c, srv, rep, _ := newTransportClient(t, map[string]reply{
		"POST /api/content/users-auth-providers/marker/email/users/auth": {400, errorBody(400, `["property langCode should not exist"]`)},
	})
	status, body := do(t, c, "POST", srv.URL+"/api/content/users-auth-providers/marker/email/users/auth",
		`{"authData":[{"marker":"m","value":"v"}],"langCode":"en_US"}`)
	assert.Equal(t, 400, status, "violations never fail the call")
	assert.Contains(t, body, "should not exist")

	status, _ = do(t, c, "GET", srv.URL+"/api/content/users/cart", "")
	assert.Equal(t, 404, status)

	assert.ElementsMatch(t, []finding{
		req("/langCode", "langCode", KindUnknownProperty, "property langCode should not exist"),
		req("", "", KindRoute, "GET /api/content/users/cart matches no operation of the contract"),
	}, findings(rep.all()))
}

func TestTransportNilReportAndDefaults(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"bad":true}`)
	}))
	t.Cleanup(srv.Close)
	// Base nil means http.DefaultTransport; Report nil means violations are dropped.
	c := &http.Client{Transport: &Transport{Validator: testValidator(t)}}
	status, body := do(t, c, "GET", srv.URL+"/api/content/users/me", "")
	assert.Equal(t, 200, status)
	assert.Equal(t, `{"bad":true}`, body)

	_, err := (&Transport{}).RoundTrip(httptest.NewRequest("GET", srv.URL+"/api/content/users/me", strings.NewReader("x")))
	require.Error(t, err, "a Transport without a Validator refuses to run unchecked")
}

type failingTransport struct{ err error }

func (f failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_ = r.Body.Close()
	}
	return nil, f.err
}

func TestTransportPassesBaseErrors(t *testing.T) {
	t.Parallel()
	boom := errors.New("connection refused")
	rep := &reports{}
	tr := &Transport{Base: failingTransport{boom}, Validator: testValidator(t), Report: rep.report}
	_, err := tr.RoundTrip(newRequest("GET", "http://example.test/api/content/users/me", ""))
	require.ErrorIs(t, err, boom)
	assert.Empty(t, rep.all())
}
