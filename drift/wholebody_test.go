package drift_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/drift"
	"github.com/oneentry-mock/oneentry-mock/exchange"
	"github.com/oneentry-mock/oneentry-mock/scenarios"
)

// TestAllowPointerDashMatchesTheWholeBody acknowledges a whole-body difference by the pointer the
// reports print for it, "-", without silencing the differences inside the body of the same step.
func TestAllowPointerDashMatchesTheWholeBody(t *testing.T) {
	t.Parallel()
	step := func(form, product exchange.Exchange) []scenarios.Result {
		return []scenarios.Result{{Flow: "ticket-purchase", Status: scenarios.StatusPassed, Steps: []scenarios.StepResult{
			{Name: "browse", Status: scenarios.StatusPassed, Exchanges: []exchange.Exchange{form, product}},
		}}}
	}
	form := func(body string) exchange.Exchange {
		return exchange.Exchange{Method: "GET", Path: formPath, Status: 200, ResponseBody: json.RawMessage(body)}
	}
	mock := step(form(`{"identifier":"tickets_form","localizeInfos":{"title":"Tickets"}}`),
		exchange.Exchange{Method: "GET", Path: productPath, Status: 200, ResponseBody: json.RawMessage(`{"id":10,"price":100}`)})
	other := step(form(`{"identifier":"tickets_form","localizeInfos":{"title":"Билеты"}}`),
		exchange.Exchange{Method: "GET", Path: productPath, Status: 200, ResponseText: "<html>Bad gateway</html>"})

	tests := map[string]struct {
		pointer     string
		wantAllowed []string // the acknowledged pointers
	}{
		"dash is the whole body only":                              {"-", []string{""}},
		"slash is the member named by the empty key, not the body": {"/", nil},
		"star is every pointer":                                    {"*", []string{"/localizeInfos/title", ""}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			allow, err := drift.ParseAllowFile([]byte(`
allow:
  - step: ticket-purchase/browse
    pointer: "` + tc.pointer + `"
    kind: "*"
    reason: the proxy in front of the project answers HTML
    expires: 2027-06-30
`))
			require.NoError(t, err)
			r, err := drift.Compare(t.Context(), mock, other, drift.Options{Allow: allow, Now: allowDay})
			require.NoError(t, err)
			require.Len(t, find(r, "ticket-purchase/browse", ""), 1, textReport(t, r))
			assert.Equal(t, drift.KindType, find(r, "ticket-purchase/browse", "")[0].Kind)
			var allowed []string
			for _, it := range r.Items() {
				if it.Allowed != nil {
					allowed = append(allowed, it.Pointer)
				}
			}
			assert.ElementsMatch(t, tc.wantAllowed, allowed, textReport(t, r))
		})
	}
	t.Run("as the text report prints it", func(t *testing.T) {
		t.Parallel()
		r, err := drift.Compare(t.Context(), mock, other, drift.Options{})
		require.NoError(t, err)
		assert.Regexp(t, `(?m)^  breaking type +- +mock-vs-other `, textReport(t, r))
	})
}

// TestEmptyBodyIsNotJSON answers the product read with 200 and an empty body: that is a body
// a JSON client cannot read (breaking type), not the JSON null a literal "null" body is.
func TestEmptyBodyIsNotJSON(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		body string
		kind string
	}{
		"empty":        {"", drift.KindType},
		"literal null": {"null", drift.KindBecameNull},
	}
	flow := scenarios.TicketPurchase()
	mock := run(t, scenarios.MockOptions{}, flow)
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			answer := func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Method != http.MethodGet || r.URL.Path != productPath {
						next.ServeHTTP(w, r)
						return
					}
					rec := httptest.NewRecorder()
					next.ServeHTTP(rec, r)
					for k, vs := range rec.Header() {
						w.Header()[k] = vs
					}
					w.Header().Del("Content-Length")
					w.WriteHeader(http.StatusOK)
					_, _ = w.Write([]byte(tc.body))
				})
			}
			other := run(t, scenarios.MockOptions{Wrap: answer}, flow)
			r, err := drift.Compare(t.Context(), mock, other, drift.Options{Target: "proxy", TargetKind: drift.TargetURL})
			require.NoError(t, err)
			// The step also failed on the other side; that item is about the step, not the body.
			var got []drift.Item
			for _, it := range find(r, "ticket-purchase/read-product", "") {
				if it.Kind != drift.KindStep {
					got = append(got, it)
				}
			}
			require.Len(t, got, 1, textReport(t, r))
			assert.Equal(t, tc.kind, got[0].Kind, textReport(t, r))
			assert.Equal(t, drift.SeverityBreaking, got[0].Severity)
			assert.Equal(t, drift.ExitBreaking, r.ExitCode())
			if tc.body == "" {
				assert.NotContains(t, textReport(t, r), "is null on the other side")
				assert.False(t, strings.Contains(got[0].Other, "null"), "other: %q", got[0].Other)
			}
		})
	}
}
