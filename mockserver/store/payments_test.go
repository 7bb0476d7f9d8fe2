package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver/mocktest"
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
		ps := openSession(t, st, o.ID)
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

// A change made after a session's deadline finds the session expired, though no sweep has run
// since: seats it held are free for the next buyer, its order's products can change, and the
// expiry is dated at the deadline however late it was found.
func TestOverdueSessionsExpireBeforeAChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := seatFixtures(t)
	var (
		mu      sync.Mutex
		expired []time.Time
	)
	st := store.New(store.Options{Fixtures: fx, Clock: frozenClock(), OnEvent: func(e store.Event) {
		mu.Lock()
		defer mu.Unlock()
		if e.Type == store.EventSessionExpired {
			expired = append(expired, e.Time)
		}
	}})
	first, err := st.CreateOrder(ctx, 16, "tickets", stateOrder(t, "stripe", 10))
	require.NoError(t, err)
	ps := openSession(t, st, first.ID)
	_, err = st.CreateOrder(ctx, 17, "tickets", stateOrder(t, "cash", 1))
	require.Error(t, err, "the slot's ten seats are held by the waiting session")

	_, err = st.Clock().Advance(time.Hour)
	require.NoError(t, err)
	second, err := st.CreateOrder(ctx, 17, "tickets", stateOrder(t, "cash", 1))
	require.NoError(t, err, "the expired session's seats are free")
	update := stateOrder(t, "stripe", 2)
	update.StatusIdentifier = "inProgress"
	_, err = st.UpdateOrder(ctx, 16, "tickets", first.ID, update)
	require.NoError(t, err, "the order's only payment has expired: its products may change")

	got, err := st.PaymentSession(ctx, 16, ps.ID)
	require.NoError(t, err)
	assert.Equal(t, store.StatusExpired, got.Status)
	assert.Equal(t, ps.ExpiresAt, got.UpdatedDate, "expired at its deadline, not when it was found")
	mu.Lock()
	assert.Equal(t, []time.Time{ps.ExpiresAt}, expired)
	mu.Unlock()
	assert.NotEqual(t, first.ID, second.ID)
}

// A session opened for an order its expired payment canceled takes the order back from
// canceled while it waits; once the order's slot has begun, no new session books it again.
func TestReopenedOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := store.New(store.Options{Fixtures: seatFixtures(t), Clock: frozenClock(), ValidateSlots: true})
	checkout := testCheckoutURL
	o, err := st.CreateOrder(ctx, 16, "tickets", stateOrder(t, "stripe", 1))
	require.NoError(t, err)
	_, err = st.CreatePaymentSession(ctx, 16, o.ID, store.SessionTypeSession, checkout)
	require.NoError(t, err)
	status := func() string {
		t.Helper()
		got, err := st.Order(ctx, 16, "tickets", o.ID)
		require.NoError(t, err)
		return got.StatusIdentifier
	}
	_, err = st.Clock().Advance(time.Hour)
	require.NoError(t, err)
	require.Equal(t, "canceled", status())

	_, err = st.CreatePaymentSession(ctx, 16, o.ID, store.SessionTypeSession, checkout)
	require.NoError(t, err)
	assert.Equal(t, "inProgress", status(), "an order being paid again is not canceled")
	_, err = st.Clock().Advance(time.Hour)
	require.NoError(t, err)
	require.Equal(t, "canceled", status(), "its new session expired too")

	// The slot of stateOrder begins on 26 April 2025 at 16:30 UTC.
	require.NoError(t, st.Clock().Set(time.Date(2025, 4, 27, 0, 0, 0, 0, time.UTC)))
	before := exportJSON(t, st)
	_, err = st.CreatePaymentSession(ctx, 16, o.ID, store.SessionTypeSession, checkout)
	var e *store.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, store.CodeInvalid, e.Code)
	assert.Contains(t, e.Error(), "has already started")
	assert.Equal(t, before, exportJSON(t, st), "the refused session changed nothing")
	assert.Equal(t, "canceled", status())
}

// An order with a payment keeps the money it was charged when it is sent back unchanged: its
// bonus is not priced again against a balance other orders have moved since.
func TestAPaidOrderKeepsItsBonus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx, err := store.LoadFixtures(replaceIn(t, store.FileDiscounts, `"amount": 50`, `"amount": 500`))
	require.NoError(t, err)
	st := store.New(store.Options{Fixtures: fx, Clock: frozenClock()})
	withBonus := func(product, quantity int, bonus float64) store.OrderInput {
		in := stateOrder(t, "stripe", quantity)
		in.Products = []store.OrderLine{{ProductID: product, Quantity: quantity}}
		in.Discounts.BonusAmount = &bonus
		return in
	}
	other, err := st.CreateOrder(ctx, 16, "tickets", withBonus(12, 1, 300))
	require.NoError(t, err)
	paid, err := st.CreateOrder(ctx, 16, "tickets", withBonus(11, 2, 500))
	require.NoError(t, err)
	require.Equal(t, int64(20000), paid.Discounts.BonusAppliedCents, "what the balance had left")
	ps := openSession(t, st, paid.ID)
	_, _, err = st.ApplyPaymentAction(ctx, ps.ID, store.ActionComplete)
	require.NoError(t, err)

	_, err = st.UpdateOrder(ctx, 16, "tickets", other.ID, withBonus(10, 1, 300)) // gives 200 of bonus back
	require.NoError(t, err)
	again, err := st.UpdateOrder(ctx, 16, "tickets", paid.ID, withBonus(11, 2, 500))
	require.NoError(t, err)
	assert.Equal(t, paid.Discounts.BonusAppliedCents, again.Discounts.BonusAppliedCents)
	assert.Equal(t, paid.DueCents(), again.DueCents(), "what the payment charged")
	balance, err := st.BonusBalance(ctx, 16)
	require.NoError(t, err)
	assert.Equal(t, int64(20000), balance, "500 accrued, 200 and 100 spent")
}

// An order keeps the unit prices it recorded when the catalogue's change: sent back unchanged it
// keeps its total, with a payment waiting too, and a product added to it is priced now while the
// ones it held keep their price.
func TestAnUpdateKeepsTheRecordedPrices(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	before := store.New(store.Options{Fixtures: seatFixtures(t), Clock: frozenClock()})
	unpaid, pending := placeOrder(t, before, "cash", 2), placeOrder(t, before, "stripe", 2)
	openSession(t, before, pending.ID)
	fx, err := store.LoadFixtures(replaceIn(t, store.FileProducts, `"price": 100,`, `"price": 120,`))
	require.NoError(t, err)
	st := store.New(store.Options{Fixtures: fx, Clock: frozenClock()})
	require.NoError(t, st.Import(ctx, before.Export(ctx)))

	same, err := st.UpdateOrder(ctx, 16, "tickets", unpaid.ID, stateOrder(t, "cash", 2))
	require.NoError(t, err)
	assert.Equal(t, int64(20000), same.TotalCents, "two tickets at the 100 recorded, not the 120 of today")
	cancel := stateOrder(t, "stripe", 2)
	cancel.StatusIdentifier = "canceled"
	canceled, err := st.UpdateOrder(ctx, 16, "tickets", pending.ID, cancel)
	require.NoError(t, err, "the same products are no change to a paid-for basket")
	assert.Equal(t, int64(20000), canceled.TotalCents)

	more := stateOrder(t, "cash", 3)
	more.Products = append(more.Products, store.OrderLine{ProductID: 11, Quantity: 1})
	grown, err := st.UpdateOrder(ctx, 16, "tickets", unpaid.ID, more)
	require.NoError(t, err)
	assert.Equal(t, int64(3*10000+20000), grown.TotalCents, "a held product keeps its price, a new one is priced now")
	fresh, err := st.CreateOrder(ctx, 16, "tickets", stateOrder(t, "cash", 1))
	require.NoError(t, err)
	assert.Equal(t, int64(12000), fresh.TotalCents)
}

// An update sent just after its order's payment expired, before any sweep, finds the order
// canceled by that expiry: it cannot take back the seats of a slot that has begun.
func TestAnUpdateAfterTheDeadlineFindsTheOrderCanceled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := store.New(store.Options{Fixtures: seatFixtures(t), Clock: frozenClock(), ValidateSlots: true})
	o, err := st.CreateOrder(ctx, 16, "tickets", stateOrder(t, "stripe", 10))
	require.NoError(t, err)
	openSession(t, st, o.ID)
	require.NoError(t, st.Clock().Set(time.Date(2025, 4, 27, 0, 0, 0, 0, time.UTC))) // past the deadline and the slot's start

	update := stateOrder(t, "stripe", 10)
	update.StatusIdentifier = "completed"
	_, err = st.UpdateOrder(ctx, 16, "tickets", o.ID, update)
	require.ErrorContains(t, err, "has already started")
	got, err := st.Order(ctx, 16, "tickets", o.ID)
	require.NoError(t, err)
	assert.Equal(t, "canceled", got.StatusIdentifier)
	left, _, err := st.SeatsLeft("tickets", stateSlot)
	require.NoError(t, err)
	assert.Equal(t, 10, left)
}

// An unpaid order sent back unchanged keeps the bonus it spent, though its update is priced
// as of its creation, before a later accrual, and other orders have spent since.
func TestAnUnchangedUpdateKeepsTheBonusSpent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx, err := store.LoadFixtures(replaceIn(t, store.FileDiscounts,
		`{ "userId": 16, "amount": 50, "date": "2025-04-01T09:00:00.000Z", "comment": "Welcome bonus" }`,
		`{ "userId": 16, "amount": 50, "date": "2025-04-01T09:00:00.000Z", "comment": "Welcome bonus" },
		{ "userId": 16, "amount": 100, "date": "2025-04-10T09:00:00.000Z", "comment": "Loyalty" }`))
	require.NoError(t, err)
	st := store.New(store.Options{Fixtures: fx, Clock: frozenClock()})
	withBonus := func(bonus float64) store.OrderInput {
		in := stateOrder(t, "cash", 1)
		in.Discounts.BonusAmount = &bonus
		return in
	}
	require.NoError(t, st.Clock().Set(time.Date(2025, 4, 5, 0, 0, 0, 0, time.UTC)))
	first, err := st.CreateOrder(ctx, 16, "tickets", withBonus(50))
	require.NoError(t, err)
	require.Equal(t, int64(5000), first.Discounts.BonusAppliedCents)
	require.NoError(t, st.Clock().Set(time.Date(2025, 4, 20, 0, 0, 0, 0, time.UTC)))
	_, err = st.CreateOrder(ctx, 16, "tickets", withBonus(100))
	require.NoError(t, err)

	again, err := st.UpdateOrder(ctx, 16, "tickets", first.ID, withBonus(50))
	require.NoError(t, err)
	assert.Equal(t, int64(5000), again.Discounts.BonusAppliedCents)
	balance, err := st.BonusBalance(ctx, 16)
	require.NoError(t, err)
	assert.Zero(t, balance)
}

// Reading the sessions of a canceled order whose provider opens sessions by itself opens
// none: the read neither books the order again nor fails as a booking would.
func TestReadingACanceledOrdersSessionsOpensNone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := store.New(store.Options{Fixtures: seatFixtures(t), Clock: frozenClock(), ValidateSlots: true})
	in := stateOrder(t, "paypal", 1)
	in.StatusIdentifier = "canceled"
	o, err := st.CreateOrder(ctx, 16, "tickets", in)
	require.NoError(t, err)
	sessions, err := st.PaymentSessionsByOrder(ctx, 16, o.ID, testCheckoutURL)
	require.NoError(t, err)
	assert.Empty(t, sessions)
	got, err := st.Order(ctx, 16, "tickets", o.ID)
	require.NoError(t, err)
	assert.Equal(t, "canceled", got.StatusIdentifier)
}

// A session the 1.0.115 PUT reopens waits its account's timeout from then, as a new one does.
func TestAReopenedSessionWaitsAFreshTimeout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := store.New(store.Options{Fixtures: seatFixtures(t), Clock: frozenClock()})
	o, err := st.CreateOrder(ctx, 16, "tickets", stateOrder(t, "stripe", 1))
	require.NoError(t, err)
	ps := openSession(t, st, o.ID)
	_, err = st.Clock().Advance(time.Hour)
	require.NoError(t, err)
	waiting := store.StatusWaiting
	reopened, err := st.UpdatePaymentSession(ctx, 16, ps.ID, store.PaymentSessionUpdate{Status: &waiting})
	require.NoError(t, err)
	assert.Equal(t, ps.ExpiresAt.Sub(ps.CreatedDate), reopened.ExpiresAt.Sub(reopened.UpdatedDate))
	got, err := st.PaymentSession(ctx, 16, ps.ID)
	require.NoError(t, err)
	assert.Equal(t, store.StatusWaiting, got.Status, "still waiting on the unmoved clock")

	// Closed before its deadline and reopened: the first deadline no longer applies.
	canceled := store.StatusCanceled
	_, err = st.UpdatePaymentSession(ctx, 16, ps.ID, store.PaymentSessionUpdate{Status: &canceled})
	require.NoError(t, err)
	_, err = st.Clock().Advance(time.Minute)
	require.NoError(t, err)
	reopened, err = st.UpdatePaymentSession(ctx, 16, ps.ID, store.PaymentSessionUpdate{Status: &waiting})
	require.NoError(t, err)
	require.NoError(t, st.Clock().Set(got.ExpiresAt.Add(time.Second)))
	got, err = st.PaymentSession(ctx, 16, ps.ID)
	require.NoError(t, err)
	assert.Equal(t, store.StatusWaiting, got.Status, "past the deadline it had before, not %v", reopened.ExpiresAt)
}

// A payment that completes for an order canceled while its session waited is owed its
// tickets, also when others have taken the seats meanwhile: they count beyond the slot's, so
// none is sold again, and the paid order can still be sent back unchanged.
func TestAPaymentForACanceledOrderHoldsItsSeats(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := store.New(store.Options{Fixtures: seatFixtures(t), Clock: frozenClock(), ValidateSlots: true})
	withStatus := func(account, status string) store.OrderInput {
		in := stateOrder(t, account, 10)
		in.StatusIdentifier = status
		return in
	}
	seatsLeft := func() int {
		t.Helper()
		left, _, err := st.SeatsLeft("tickets", stateSlot)
		require.NoError(t, err)
		return left
	}
	a, err := st.CreateOrder(ctx, 16, "tickets", stateOrder(t, "stripe", 10))
	require.NoError(t, err)
	ps := openSession(t, st, a.ID)
	_, err = st.UpdateOrder(ctx, 16, "tickets", a.ID, withStatus("stripe", "canceled"))
	require.NoError(t, err)
	b, err := st.CreateOrder(ctx, 17, "tickets", stateOrder(t, "cash", 10))
	require.NoError(t, err)
	_, paid, err := st.ApplyPaymentAction(ctx, ps.ID, store.ActionComplete)
	require.NoError(t, err)
	require.NotNil(t, paid.PaidAt)
	assert.Equal(t, 0, seatsLeft())

	_, err = st.UpdateOrder(ctx, 17, "tickets", b.ID, withStatus("cash", "canceled"))
	require.NoError(t, err)
	assert.Equal(t, 0, seatsLeft(), "the paid order's ten tickets are in the slot")
	_, err = st.CreateOrder(ctx, 17, "tickets", stateOrder(t, "cash", 1))
	assert.ErrorContains(t, err, "sold out")
	_, err = st.UpdateOrder(ctx, 16, "tickets", a.ID, withStatus("stripe", paid.StatusIdentifier))
	assert.NoError(t, err, "sent back as read")
}

// An update racing a cancel of the order's payment, after the order's slot has begun, never
// leaves the order booked: whichever comes first, the order ends canceled with its seats free.
func TestAnUpdateRacingACancelNeverRebooksABegunSlot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for range 100 {
		clock := frozenClock()
		require.NoError(t, clock.Set(time.Date(2025, 4, 26, 16, 10, 0, 0, time.UTC)))
		st := store.New(store.Options{Fixtures: seatFixtures(t), Clock: clock, ValidateSlots: true})
		o, err := st.CreateOrder(ctx, 16, "tickets", stateOrder(t, "stripe", 1))
		require.NoError(t, err)
		ps := openSession(t, st, o.ID)
		require.NoError(t, st.Clock().Set(time.Date(2025, 4, 26, 16, 35, 0, 0, time.UTC))) // begun; the session still waits
		done := make(chan error)
		go func() {
			_, _, err := st.ApplyPaymentAction(ctx, ps.ID, store.ActionCancel)
			done <- err
		}()
		update := stateOrder(t, "stripe", 1)
		update.StatusIdentifier = "completed"
		_, _ = st.UpdateOrder(ctx, 16, "tickets", o.ID, update)
		require.NoError(t, <-done)
		got, err := st.Order(ctx, 16, "tickets", o.ID)
		require.NoError(t, err)
		require.Equal(t, "canceled", got.StatusIdentifier)
	}
}

// What discounts took off is the lines' sum less the total; an order imported from a document
// that recorded no sum shows none rather than a negative amount.
func TestDiscountCents(t *testing.T) {
	t.Parallel()
	discounted := store.Order{TotalCents: 288_00, Discounts: store.OrderDiscounts{RawCents: 400_00}}
	assert.Equal(t, int64(112_00), discounted.DiscountCents())
	assert.Zero(t, store.Order{TotalCents: 100_00}.DiscountCents())
}

// testCheckoutURL is the address of the checkout page of a test's payment sessions.
func testCheckoutURL(token string) string { return "http://mock/checkout/" + token }

// openSession opens a payment session of an order of user 16.
func openSession(t testing.TB, st *store.Store, orderID int) store.PaymentSession {
	t.Helper()
	ps, err := st.CreatePaymentSession(context.Background(), 16, orderID, store.SessionTypeSession, testCheckoutURL)
	require.NoError(t, err)
	return ps
}

// placeOrder places stateOrder as user 16.
func placeOrder(t testing.TB, st *store.Store, account string, quantity int) store.Order {
	t.Helper()
	o, err := st.CreateOrder(context.Background(), 16, "tickets", stateOrder(t, account, quantity))
	require.NoError(t, err)
	return o
}

// A paid order opens no new session: it would charge the whole order again, and a refund gives
// back one payment. A second session opened while the first still waited stays payable.
func TestAPaidOrderOpensNoNewSession(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := store.New(store.Options{Fixtures: mocktest.DefaultFixtures(t), Clock: frozenClock()})
	o := placeOrder(t, st, "stripe", 1)
	first, waiting := openSession(t, st, o.ID), openSession(t, st, o.ID)
	_, _, err := st.ApplyPaymentAction(ctx, first.ID, store.ActionComplete)
	require.NoError(t, err)

	before := exportJSON(t, st)
	_, err = st.CreatePaymentSession(ctx, 16, o.ID, store.SessionTypeSession, testCheckoutURL)
	var e *store.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, store.CodeInvalid, e.Code)
	assert.Equal(t, fmt.Sprintf("Order %d is paid (payment state paid): there is nothing left to pay", o.ID), e.Message)
	assert.Equal(t, before, exportJSON(t, st), "the refused session changes nothing")

	_, _, err = st.ApplyPaymentAction(ctx, waiting.ID, store.ActionComplete)
	assert.NoError(t, err)
}
