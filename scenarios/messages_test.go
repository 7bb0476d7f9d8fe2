package scenarios_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/scenarios"
)

// rewriting returns a wrapper that lets edit change the JSON answer to method and path.
func rewriting(method, path string, edit func(body map[string]any)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != method || r.URL.Path != path {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			edit(body)
			out, _ := json.Marshal(body)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Set("Content-Length", strconv.Itoa(len(out)))
			w.WriteHeader(rec.Code)
			_, _ = w.Write(out)
		})
	}
}

// Failure messages show the values of an answer, not the addresses of its optional fields or
// the bytes of its raw JSON.
func TestFailureMessagesShowValues(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		method, path string
		edit         func(body map[string]any)
		step         string
		want         string
	}{
		"an optional string": {http.MethodPost, "/api/content/payments/sessions", func(body map[string]any) {
			body["paymentUrl"] = "https://pay.example/x"
		}, "create-session", `paymentUrl "https://pay.example/x", want null`},
		"a list of structs with optional fields": {http.MethodPost, "/api/content/orders-storage/marker/tickets/orders", func(body map[string]any) {
			body["products"] = []any{map[string]any{"productId": 999, "sku": "T-1", "isGift": false, "previewImage": map[string]any{"x": 1}, "quantity": 1}}
		}, "create-order", `order products [{"productId":999,"sku":"T-1","previewImage":{"x":1},"quantity":1,"isGift":false}] lack product`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tg := mockTarget(t, scenarios.MockOptions{Wrap: rewriting(tc.method, tc.path, tc.edit)})
			r := scenarios.Run(t.Context(), tg, scenarios.TicketPurchase())[0]
			s := step(t, r, tc.step)
			require.Equal(t, scenarios.StatusFailed, s.Status, scenarios.Details(s))
			assert.Contains(t, s.Err, tc.want)
			assert.NotRegexp(t, `0x[0-9a-f]+`, s.Err, "an address")
		})
	}
}
