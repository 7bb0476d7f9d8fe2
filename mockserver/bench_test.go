package mockserver_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/mocktest"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
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

// BenchmarkDashboardFirstPage renders the first page of the requests and orders views of a
// sandbox holding 10,000 journal entries and 10,000 orders, in the server alone (no network,
// no browser): ns/op is the server time of one page. Lists are paged, so the cost should
// follow the page rather than the state.
func BenchmarkDashboardFirstPage(b *testing.B) {
	const n = 10_000
	srv, err := mockserver.New(mockserver.Options{
		Sandbox:  sandbox.Options{Fixtures: mocktest.DefaultFixtures(b), JournalSize: n},
		Contract: mocktest.Contract(b),
	})
	require.NoError(b, err)
	sb := srv.Sandboxes().Default()
	ctx := b.Context()
	item, ok, err := store.ParseFormDataItem(json.RawMessage(`{"type":"entity","marker":"tickets","value":["p-8-10"]}`))
	require.NoError(b, err)
	require.True(b, ok)
	user, err := srv.Store().Authenticate(ctx, "email", store.Credentials{Values: map[string]string{"email_reg": userLogin, "password_reg": userPass}}, store.DeviceInfo{})
	require.NoError(b, err)
	claims, err := srv.Store().VerifyAccessToken(ctx, user.AccessToken)
	require.NoError(b, err)
	in := store.OrderInput{FormIdentifier: "tickets_form", PaymentAccountIdentifier: "cash", Language: "en_US", FormData: []store.FormDataItem{item}, Products: []store.OrderLine{{ProductID: 10, Quantity: 1}}}
	request := []byte(`{"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":[` + `{"type":"entity","marker":"tickets","value":["p-8-10"]}` + `],"products":[{"productId":10,"quantity":1}]}`)
	for i := range n {
		o, err := srv.Store().CreateOrder(ctx, claims.ID, "tickets", in)
		require.NoError(b, err)
		response, err := json.Marshal(map[string]any{"id": o.ID, "statusIdentifier": o.StatusIdentifier, "totalSum": store.Money(o.TotalCents)})
		require.NoError(b, err)
		sb.Journal().Add(sandbox.Entry{
			ID: "req_bench-" + strconv.Itoa(i), Time: time.Now().UTC(), Method: http.MethodPost, Path: ordersPath,
			Route: "POST /api/content/orders-storage/marker/{marker}/orders", Status: http.StatusCreated, DurationMs: 1.5,
			RequestHeaders: map[string]string{"content-type": "application/json", "x-app-token": "your…"},
			RawRequest:     request, RawResponse: response,
		})
	}
	for _, path := range []string{"/__admin/ui/requests", "/__admin/ui/orders", "/__admin/ui/"} {
		b.Run(path, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "http://localhost"+path, nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
				}
			}
		})
	}
}
