package drift_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/drift"
	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
	"github.com/oneentry-mock/oneentry-mock/scenarios"
)

// serveMock serves a mock of the embedded fixtures as `oneentry-mock serve` does by default.
func serveMock(t *testing.T) *httptest.Server {
	t.Helper()
	fx, err := store.LoadFixtures(fixtures.FS)
	require.NoError(t, err)
	srv, err := mockserver.New(mockserver.Options{Sandbox: sandbox.Options{Fixtures: fx}})
	require.NoError(t, err)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts
}

// run runs flows (all when none) against the in-process mock built with opts.
func run(t *testing.T, opts scenarios.MockOptions, flows ...scenarios.Flow) []scenarios.Result {
	t.Helper()
	tg, err := scenarios.MockTarget(opts)
	require.NoError(t, err)
	t.Cleanup(tg.Close)
	if len(flows) == 0 {
		flows = scenarios.All()
	}
	return scenarios.Run(t.Context(), tg, flows...)
}

// rewrite changes the mock's answers to one method and path: the deliberately drifted server.
type rewrite struct {
	method, path string
	// fn edits the answer in place; body is the decoded JSON (numbers as json.Number). It returns
	// the body to send.
	fn func(status *int, h http.Header, body any) any
}

func drifted(rules ...rewrite) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			status, body := rec.Code, rec.Body.Bytes()
			h := rec.Header().Clone()
			for _, rule := range rules {
				if r.Method != rule.method || r.URL.Path != rule.path {
					continue
				}
				dec := json.NewDecoder(bytes.NewReader(body))
				dec.UseNumber()
				var v any
				if err := dec.Decode(&v); err != nil {
					panic(err)
				}
				out, err := json.Marshal(rule.fn(&status, h, v))
				if err != nil {
					panic(err)
				}
				body = out
			}
			for k, vs := range h {
				w.Header()[k] = vs
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(status)
			_, _ = w.Write(body)
		})
	}
}

func obj(v any) map[string]any { return v.(map[string]any) }

// find returns the items of a report at a step and pointer on the mock-vs-other side.
func find(r *drift.Report, step, pointer string) []drift.Item {
	var out []drift.Item
	for _, it := range r.Items() {
		if it.StepID() == step && it.Pointer == pointer && it.Side == drift.SideMockOther {
			out = append(out, it)
		}
	}
	return out
}

func textReport(t *testing.T, r *drift.Report) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, drift.WriteText(&b, r))
	return b.String()
}
