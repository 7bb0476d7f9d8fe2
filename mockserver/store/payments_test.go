package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// A PayPal-like session whose URL would come after its timeout ends the same way whether the
// clock gets there in one step or several: expired, with no URL on it or its order, and no
// update event before the expiry.
func TestURLDueAfterExpiryNeverComes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx, err := store.LoadFixtures(replaceIn(t, store.FilePaymentAccounts, `"paymentUrlDelaySeconds": 3,`, `"paymentUrlDelaySeconds": 3600,`))
	require.NoError(t, err)
	type outcome struct {
		Status     string
		SessionURL *string
		OrderURL   *string
		Events     []store.EventType
		EventURLs  []bool // whether each event's session had a URL
	}
	run := func(t *testing.T, steps ...time.Duration) outcome {
		var (
			mu  sync.Mutex
			out outcome
		)
		st := store.New(store.Options{Fixtures: fx, Clock: frozenClock(), OnEvent: func(e store.Event) {
			mu.Lock()
			defer mu.Unlock()
			out.Events = append(out.Events, e.Type)
			out.EventURLs = append(out.EventURLs, e.Session.PaymentURL != nil)
		}})
		in := stateOrder(t, "paypal", 1)
		in.FormData = in.FormData[:1]
		o, err := st.CreateOrder(ctx, 16, "tickets", in)
		require.NoError(t, err)
		ps, err := st.CreatePaymentSession(ctx, 16, o.ID, store.SessionTypeSession, func(token string) string { return "http://mock/checkout/" + token })
		require.NoError(t, err)
		for _, d := range steps {
			_, err := st.Clock().Advance(d)
			require.NoError(t, err)
			require.NoError(t, st.SweepExpired(ctx))
		}
		got, err := st.PaymentSession(ctx, 16, ps.ID)
		require.NoError(t, err)
		order, err := st.Order(ctx, 16, "tickets", o.ID)
		require.NoError(t, err)
		mu.Lock()
		defer mu.Unlock()
		out.Status, out.SessionURL, out.OrderURL = got.Status, got.PaymentURL, order.PaymentURL
		return out
	}
	inSteps := run(t, 31*time.Minute, 2*time.Hour)
	assert.Equal(t, outcome{
		Status:    store.StatusExpired,
		Events:    []store.EventType{store.EventSessionCreated, store.EventSessionExpired},
		EventURLs: []bool{false, false},
	}, inSteps)
	assert.Equal(t, inSteps, run(t, 2*time.Hour+31*time.Minute), "one step")
	assert.Equal(t, inSteps, run(t, 2*time.Hour), "one step past both deadlines")
}
