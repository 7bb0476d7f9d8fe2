package mockserver_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkFormRead is GET /forms/marker/tickets_form through the whole stack, contract
// validation included.
func BenchmarkFormRead(b *testing.B) {
	h, token := handlerWithUser(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodGet, "/api/content/forms/marker/tickets_form?langCode=en_US", nil)
			req.Header.Set("x-app-token", appToken)
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
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
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, ordersPath, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("x-app-token", appToken)
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusCreated {
				b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
			}
		}
	})
}
