package store_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

const (
	seedUserID   = 16
	seedLogin    = "your-user@email.com"
	seedPassword = "123456"
	ticketsItem  = `{"type":"entity","marker":"tickets","value":["p-8-10"]}`
)

// ticketOrder returns the seed scenario's order body as the HTTP layer hands it to the store:
// every string and slice freshly allocated, as decoding a request body leaves them.
func ticketOrder(tb testing.TB) store.OrderInput {
	tb.Helper()
	item, ok, err := store.ParseFormDataItem(json.RawMessage(ticketsItem))
	require.NoError(tb, err)
	require.True(tb, ok)
	return store.OrderInput{
		FormIdentifier:           strings.Clone("tickets_form"),
		PaymentAccountIdentifier: strings.Clone("cash"),
		Language:                 strings.Clone("en_US"),
		FormData:                 []store.FormDataItem{item},
		Products:                 []store.OrderLine{{ProductID: 10, Quantity: 1}},
	}
}

// BenchmarkAuthenticate is a login: provider and credential checks, a new auth session, a
// refresh token from crypto/rand and an HS256 access token.
func BenchmarkAuthenticate(b *testing.B) {
	st := newStore(b, store.Options{})
	ctx := context.Background()
	c := creds(seedLogin, seedPassword)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := st.Authenticate(ctx, "email", c, store.DeviceInfo{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyAccessToken is the bearer check every user route makes: signature, expiry on
// the mock clock, and the user lookup under the store lock. "parallel" shows what the lock and
// the clock's mutex cost when every core verifies at once.
func BenchmarkVerifyAccessToken(b *testing.B) {
	st := newStore(b, store.Options{})
	ctx := context.Background()
	tk, err := st.Authenticate(ctx, "email", creds(seedLogin, seedPassword), store.DeviceInfo{})
	require.NoError(b, err)
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := st.VerifyAccessToken(ctx, tk.AccessToken); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := st.VerifyAccessToken(ctx, tk.AccessToken); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkCreateOrder is the store half of an order create: storage, account, product and
// form-data validation, then the write under the lock. The store keeps every order, so the
// benchmark also shows what growing state costs.
func BenchmarkCreateOrder(b *testing.B) {
	ctx := context.Background()
	b.Run("serial", func(b *testing.B) {
		st := newStore(b, store.Options{})
		in := ticketOrder(b)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := st.CreateOrder(ctx, seedUserID, "tickets", in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		st := newStore(b, store.Options{})
		in := ticketOrder(b)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := st.CreateOrder(ctx, seedUserID, "tickets", in); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkOrders lists a page of 30 of a user's orders, first and last page, for users with 30
// and with 10,000 orders: the cost should follow the page, not the user's history.
func BenchmarkOrders(b *testing.B) {
	ctx := context.Background()
	for _, own := range []int{30, 10_000} {
		b.Run("own="+strconv.Itoa(own), func(b *testing.B) {
			st := newStore(b, store.Options{})
			in := ticketOrder(b)
			for range own {
				_, err := st.CreateOrder(ctx, seedUserID, "tickets", in)
				require.NoError(b, err)
			}
			for _, pg := range []struct {
				name string
				page store.Page
			}{
				{"first", store.Page{Limit: 30}},
				{"last", store.Page{Offset: own - 30, Limit: 30}},
			} {
				b.Run(pg.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						list, total, err := st.Orders(ctx, seedUserID, "tickets", pg.page)
						if err != nil || total != own || len(list) != 30 {
							b.Fatalf("got %d of %d orders, err %v", len(list), total, err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkPaymentSessionsByOrder is the read-back of the flow: the sessions of one order.
func BenchmarkPaymentSessionsByOrder(b *testing.B) {
	ctx := context.Background()
	st := newStore(b, store.Options{})
	o, err := st.CreateOrder(ctx, seedUserID, "tickets", ticketOrder(b))
	require.NoError(b, err)
	_, err = st.CreatePaymentSession(ctx, seedUserID, o.ID, store.SessionTypeSession, nil)
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		sessions, err := st.PaymentSessionsByOrder(ctx, seedUserID, o.ID, nil)
		if err != nil || len(sessions) != 1 {
			b.Fatalf("got %d sessions, err %v", len(sessions), err)
		}
	}
}

// BenchmarkReadWithWaitingSessions reads one order while other payment sessions wait for
// payment. A session waits up to 30 minutes, so under the ticket flow thousands wait at once;
// a read should not pay for each of them.
func BenchmarkReadWithWaitingSessions(b *testing.B) {
	ctx := context.Background()
	for _, waiting := range []int{0, 1_000, 10_000} {
		b.Run("waiting="+strconv.Itoa(waiting), func(b *testing.B) {
			st := newStore(b, store.Options{})
			in := ticketOrder(b)
			for range waiting {
				o, err := st.CreateOrder(ctx, seedUserID, "tickets", in)
				require.NoError(b, err)
				_, err = st.CreatePaymentSession(ctx, seedUserID, o.ID, store.SessionTypeSession, nil)
				require.NoError(b, err)
			}
			o, err := st.CreateOrder(ctx, seedUserID, "tickets", in)
			require.NoError(b, err)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := st.Order(ctx, seedUserID, "tickets", o.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
