package mockserver_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkFormRead is GET /forms/marker/tickets_form through the whole stack, contract
// validation included.
func BenchmarkFormRead(b *testing.B) {
	h, token := handlerWithUser(b)
	b.ReportAllocs()
	b.ResetTimer() // the set-up's allocations are not the request's
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rec := serveAPI(h, http.MethodGet, "/api/content/forms/marker/tickets_form?langCode=en_US", token, nil)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d", rec.Code)
			}
		}
	})
}

// BenchmarkOrderCreate is the seed's POST of an order with a logged-in user, contract
// validation included.
func BenchmarkOrderCreate(b *testing.B) {
	h, token := handlerWithUser(b)
	body, err := json.Marshal(seedOrderBody(10, 1))
	require.NoError(b, err)
	b.ReportAllocs()
	b.ResetTimer() // the set-up's allocations are not the request's
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rec := serveAPI(h, http.MethodPost, ordersPath, token, bytes.NewReader(body))
			if rec.Code != http.StatusCreated {
				b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
			}
		}
	})
}
