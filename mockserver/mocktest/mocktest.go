// Package mocktest starts the mock for tests, as net/http/httptest starts a handler: on a
// loopback listener that closes when the test ends. Every answer it serves is checked against
// the contract, and a 5xx that no fault rule asked for fails the test, so no test can pass on
// an off-contract answer.
package mocktest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// Start serves the mock that mo describes until the test ends. Where mo names no fixtures it
// serves the embedded default project, and where it names no contract, the embedded one with
// CheckResponses on. wrap, when given, stands between the listener and the mock, where it may
// answer on the mock's behalf, with a 5xx too.
func Start(t testing.TB, mo mockserver.Options, wrap ...func(http.Handler) http.Handler) (*httptest.Server, *mockserver.Server) {
	t.Helper()
	if mo.Sandbox.Fixtures == nil {
		mo.Sandbox.Fixtures = DefaultFixtures(t)
	}
	if mo.Contract == nil {
		mo.Contract = Contract(t)
		mo.CheckResponses = true
	}
	srv, err := mockserver.New(mo)
	require.NoError(t, err)
	h := FailOnServerError(t, srv)
	for _, w := range wrap {
		h = w(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts, srv
}

// Contract is the embedded OpenAPI contract's validator.
func Contract(t testing.TB) *contracts.Validator {
	t.Helper()
	v, err := contracts.Default(context.Background())
	require.NoError(t, err)
	return v
}

// DefaultFixtures is the embedded default project, loaded afresh: a test may change it.
func DefaultFixtures(t testing.TB) *store.Fixtures {
	t.Helper()
	fx, err := store.LoadFixtures(fixtures.FS)
	require.NoError(t, err)
	return fx
}

// FailOnServerError fails the test on any 5xx from next that nothing asked for; with
// CheckResponses on, that includes every answer that breaks the contract. A fault rule, a
// readiness probe while the mock is not ready, and the API's own test500 route answer 5xx
// on purpose.
func FailOnServerError(t testing.TB, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWatcher{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status >= 500 && w.Header().Get("X-Mock-Fault") == "" && !answersFiveHundredOnPurpose[r.URL.Path] {
			t.Errorf("%s %s answered %d", r.Method, r.URL.Path, sw.status)
		}
	})
}

var answersFiveHundredOnPurpose = map[string]bool{"/readyz": true, "/api/content/system/test500": true}

// statusWatcher notes the status and passes everything through, hijacking included.
type statusWatcher struct {
	http.ResponseWriter
	status int
}

func (s *statusWatcher) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWatcher) Unwrap() http.ResponseWriter { return s.ResponseWriter }
