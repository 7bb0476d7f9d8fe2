package scenarios_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/scenarios"
)

// rewrite wraps the mock so that answers to method+path (a regexp over the URL path) pass
// through edit, which may change the status and the decoded JSON body.
func rewrite(method, path string, edit func(status int, body map[string]any) int) func(http.Handler) http.Handler {
	re := regexp.MustCompile("^" + path + "$")
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != method || !re.MatchString(r.URL.Path) {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			var body map[string]any
			status := rec.Code
			out := rec.Body.Bytes()
			if json.Unmarshal(out, &body) == nil {
				status = edit(status, body)
				out, _ = json.Marshal(body)
			}
			for k, vs := range rec.Header() {
				w.Header()[k] = vs
			}
			w.Header().Set("Content-Length", strconv.Itoa(len(out)))
			w.WriteHeader(status)
			_, _ = w.Write(out)
		})
	}
}

// TestContractCatchesMistakes proves that the contract check of every exchange catches what a
// broken server would send: each rewrite of one answer shows up as a violation on the step
// that made the call, with the JSON pointer of the offending value.
func TestContractCatchesMistakes(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		wrap        func(http.Handler) http.Handler
		step        string
		pointer     string
		kind        string
		stepFailsOn bool // the client cannot use the answer either
	}{
		"missing required field": {
			wrap: rewrite(http.MethodPost, "/api/content/orders-storage/marker/tickets/orders", func(status int, body map[string]any) int {
				delete(body, "currency")
				return status
			}),
			step: "create-order", pointer: "/currency", kind: contracts.KindRequired, stepFailsOn: true,
		},
		"wrong type": {
			wrap: rewrite(http.MethodGet, "/api/content/orders-storage/marker/tickets/orders/[0-9]+", func(status int, body map[string]any) int {
				body["storageId"] = "1"
				return status
			}),
			step: "read-order", pointer: "/storageId", kind: contracts.KindType, stepFailsOn: true,
		},
		"undocumented status": {
			wrap: rewrite(http.MethodGet, "/api/content/forms/marker/tickets_form", func(int, map[string]any) int {
				return http.StatusAccepted
			}),
			step: "read-form", pointer: "status", kind: contracts.KindStatus,
		},
		"unknown property": {
			wrap: rewrite(http.MethodPost, "/api/content/payments/sessions", func(status int, body map[string]any) int {
				body["receiptUrl"] = "https://example.com/receipt"
				return status
			}),
			step: "create-session", pointer: "/receiptUrl", kind: contracts.KindUnknownProperty,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tg := mockTarget(t, scenarios.MockOptions{Wrap: tc.wrap})
			r := scenarios.Run(t.Context(), tg, scenarios.TicketPurchase())[0]
			assert.Equal(t, scenarios.StatusFailed, r.Status)

			var found []contracts.Violation
			for _, s := range r.Steps {
				if s.Name != tc.step {
					assert.Empty(t, s.Violations, "step %s", s.Name)
					continue
				}
				assert.Equal(t, scenarios.StatusFailed, s.Status)
				found = s.Violations
			}
			require.Len(t, found, 1, "violations of %s: %v", tc.step, found)
			v := found[0]
			assert.Equal(t, contracts.PhaseResponse, v.Phase)
			assert.Equal(t, tc.pointer, v.Pointer)
			assert.Equal(t, tc.kind, v.Kind)
			if !tc.stepFailsOn {
				// A violation alone does not stop the flow: the answer was usable.
				assert.Equal(t, "list-my-orders", r.Steps[len(r.Steps)-1].Name)
			}

			var junit bytes.Buffer
			require.NoError(t, scenarios.WriteJUnit(&junit, []scenarios.Result{r}))
			assert.Contains(t, junit.String(), tc.pointer)
		})
	}
}
