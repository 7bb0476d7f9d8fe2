package store

import (
	"container/heap"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Payment session types the API accepts.
const (
	SessionTypeSession = "session"
	SessionTypeIntent  = "intent"
)

// Payment session statuses the simulated provider sets (the live vocabulary).
const (
	StatusWaiting   = "waiting"
	StatusCompleted = "completed"
	StatusCanceled  = "canceled"
	StatusExpired   = "expired"
)

// PaymentAction is what a buyer (or a test) does on the simulated provider's side.
type PaymentAction string

// The actions of the checkout page and of /__admin/payments/sessions/{id}/{action}.
const (
	ActionComplete PaymentAction = "complete"
	ActionDecline  PaymentAction = "decline"
	ActionCancel   PaymentAction = "cancel"
	ActionExpire   PaymentAction = "expire"
)

// ParsePaymentAction validates an action name.
func ParsePaymentAction(s string) (PaymentAction, error) {
	switch a := PaymentAction(s); a {
	case ActionComplete, ActionDecline, ActionCancel, ActionExpire:
		return a, nil
	}
	return "", Invalid("action must be one of complete, decline, cancel, expire")
}

func isFinal(status string) bool {
	return status == StatusCompleted || status == StatusCanceled || status == StatusExpired
}

// PaymentSession is a payment attempt for an order.
type PaymentSession struct {
	ID               int
	OrderID          int
	UserID           int
	PaymentAccountID int
	Type             string
	Status           string
	PaymentURL       *string
	CreatedDate      time.Time
	UpdatedDate      time.Time
	// ExpiresAt is when a session still waiting turns expired.
	ExpiresAt time.Time
	// Declines counts the payments the provider refused; the session stays open after one.
	Declines int
	// CheckoutToken names the session in its checkout page's URL (cs_test_ and 128 random
	// bits, as Stripe's ids look): unguessable, so the URL alone is the buyer's credential.
	// Empty for sessions without a checkout page.
	CheckoutToken string
	ProviderData
}

// ProviderData is what the simulated provider made for a session besides its URL; stored
// whole in PaymentSessionRecord.
type ProviderData struct {
	// ClientSecret is what an intent of a stripe-kind account answers instead of a payment
	// URL: the checkout token, "_secret_" and random hex, as Stripe's look. The checkout page
	// takes it in place of the token.
	ClientSecret string `json:"clientSecret,omitempty"`
	// PendingURL is the payment URL a session of a PayPal-like account gets at URLAt.
	PendingURL string    `json:"pendingUrl,omitempty"`
	URLAt      time.Time `json:"urlAt,omitzero"`
}

func (p *PaymentSession) clone() PaymentSession {
	c := *p
	c.PaymentURL = clonePtr(p.PaymentURL)
	return c
}

// CreatePaymentSession opens a new session for one of the user's orders. Every call opens a new
// session. Accounts with a checkout get a random checkout token: the stripe kind
// checkoutURL(token) as their payment URL at once (an intent a client secret instead),
// PayPal-like ones the URL after the account's delay on the mock clock; custom accounts such
// as cash have neither. An account whose settings.status is not "connected" opens nothing.
func (s *Store) CreatePaymentSession(ctx context.Context, userID, orderID int, sessionType string, checkoutURL func(token string) string) (PaymentSession, error) {
	if sessionType != SessionTypeSession && sessionType != SessionTypeIntent {
		return PaymentSession{}, Invalid("type must be one of the following values: session, intent")
	}
	var out PaymentSession
	err := s.update(ctx, func() ([]Event, error) {
		p, evs, err := s.createPaymentLocked(ctx, userID, orderID, sessionType, checkoutURL)
		out = p
		return evs, err
	})
	return out, err
}

func (s *Store) createPaymentLocked(ctx context.Context, userID, orderID int, sessionType string, checkoutURL func(token string) string) (PaymentSession, []Event, error) {
	o, err := s.ownOrderLocked(userID, nil, orderID)
	if err != nil {
		return PaymentSession{}, nil, err
	}
	if o.PaidAt != nil {
		// A session would charge the whole order again, and a refund gives back one payment.
		return PaymentSession{}, nil, Invalid(fmt.Sprintf("Order %d is paid (payment state %s): there is nothing left to pay", o.ID, s.paymentStateLocked(o)))
	}
	acc, ok := s.accountByMarkerLocked(o.PaymentAccountIdentifier)
	if !ok {
		return PaymentSession{}, nil, Invalid("Payment account " + o.PaymentAccountIdentifier + " not found")
	}
	if !acc.Connected() {
		return PaymentSession{}, nil, Errorf(CodeInvalid, "Your payment account is not connected")
	}
	if err := checkIDLeft(s.state.nextPaymentID, "payment session"); err != nil {
		return PaymentSession{}, nil, err
	}
	if err := s.reclaimSeatsLocked(o); err != nil {
		return PaymentSession{}, nil, err
	}
	if storage, ok := s.canceledUnpaid(o); ok {
		// The buyer pays the order again: it is not canceled while its new session waits, and
		// that session's cancel or expiry cancels it again.
		s.touchOrder(o.ID)
		o.StatusIdentifier = storage.DefaultStatus()
	}
	now := s.clock.Now()
	p := &PaymentSession{
		ID:               s.state.nextPaymentID,
		OrderID:          o.ID,
		UserID:           userID,
		PaymentAccountID: acc.ID,
		Type:             sessionType,
		Status:           StatusWaiting,
		CreatedDate:      now,
		UpdatedDate:      now,
		ExpiresAt:        after(now, acc.SessionTimeout()),
	}
	s.touchPayment(p.ID)
	if acc.HasCheckout() && checkoutURL != nil {
		p.CheckoutToken = newCheckoutToken()
		u := checkoutURL(p.CheckoutToken)
		switch {
		case acc.PaymentURLDelaySeconds != nil:
			p.PendingURL, p.URLAt = u, after(now, acc.PaymentURLDelay())
		case sessionType == SessionTypeIntent:
			p.ClientSecret = p.CheckoutToken + "_secret_" + randomHex(12)
		default:
			s.touchOrder(o.ID)
			p.PaymentURL = &u
			o.PaymentURL = &u
		}
	}
	s.state.nextPaymentID++
	s.state.payments[p.ID] = p
	if p.CheckoutToken != "" {
		s.state.checkoutTokens[p.CheckoutToken] = p.ID
	}
	s.state.markWaiting(p)
	if p.PendingURL != "" {
		heap.Push(&s.state.reveals, expiry{at: p.URLAt, id: p.ID})
	}
	s.state.paymentsByOrder[o.ID] = append(s.state.paymentsByOrder[o.ID], p.ID)
	s.state.paymentsByUser[userID] = append(s.state.paymentsByUser[userID], p.ID)
	return p.clone(), []Event{s.eventLocked(ctx, EventSessionCreated, p, false)}, nil
}

// eventLocked snapshots a session with its order, buyer and account.
func (s *Store) eventLocked(ctx context.Context, typ EventType, p *PaymentSession, ticket bool) Event {
	// The event is the session's change, so it is dated as the session is: an expiry found late
	// is dated at its deadline.
	e := Event{Type: typ, Time: p.UpdatedDate, RequestID: RequestID(ctx), Session: p.clone(), TicketDue: ticket}
	if o, ok := s.state.orders[p.OrderID]; ok {
		e.Order = o.clone()
	}
	if u, ok := s.state.users[p.UserID]; ok {
		e.User = u.clone()
	}
	if acc, ok := s.accountLocked(p.PaymentAccountID); ok {
		e.Account = acc
	}
	return e
}

func (s *Store) ownPaymentLocked(userID, id int) (*PaymentSession, error) {
	p, ok := s.state.payments[id]
	if !ok || p.UserID != userID {
		return nil, Errorf(CodeNotFound, "Payment session with id %d not found", id)
	}
	return p, nil
}

// read runs f under the lock after expiring due sessions, so every read sees the clock's
// verdict. The expiries are saved before f reads; when they cannot be, the read fails.
func (s *Store) read(ctx context.Context, f func() error) error {
	// Reads share the lock unless a session is due to expire, which a read must apply first.
	s.mu.RLock()
	if now := s.clock.Now(); !s.state.expiries.due(now) && !s.state.reveals.due(now) {
		err := f()
		s.mu.RUnlock()
		return err
	}
	s.mu.RUnlock()
	s.mu.Lock()
	s.beginLocked()
	events := s.sweepLocked(ctx)
	if err := s.commitLocked(ctx); err != nil {
		s.mu.Unlock()
		return err
	}
	err := f()
	s.mu.Unlock()
	s.emit(events)
	return err
}

// PaymentSession returns one of the user's sessions.
func (s *Store) PaymentSession(ctx context.Context, userID, id int) (PaymentSession, error) {
	var out PaymentSession
	err := s.read(ctx, func() error {
		p, err := s.ownPaymentLocked(userID, id)
		if err == nil {
			out = p.clone()
		}
		return err
	})
	return out, err
}

// PaymentSessionByCheckoutToken returns the session a checkout page URL names, whoever owns
// it: the token is the credential. An intent's client secret names its session too.
func (s *Store) PaymentSessionByCheckoutToken(ctx context.Context, token string) (PaymentSession, Order, error) {
	var p PaymentSession
	var o Order
	err := s.read(ctx, func() error {
		prefix, _, isSecret := strings.Cut(token, "_secret_")
		id, ok := s.state.checkoutTokens[prefix]
		if !ok || token == "" || isSecret && s.state.payments[id].ClientSecret != token {
			return Errorf(CodeNotFound, "No checkout session %q", token)
		}
		got := s.state.payments[id]
		p = got.clone()
		if order, ok := s.state.orders[got.OrderID]; ok {
			o = order.clone()
		}
		return nil
	})
	return p, o, err
}

// CheckoutTokenPrefix starts every checkout token.
const CheckoutTokenPrefix = "cs_test_"

// newCheckoutToken returns a fresh checkout token: the prefix and 128 random bits in hex.
func newCheckoutToken() string { return CheckoutTokenPrefix + randomHex(16) }

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

// ValidCheckoutToken reports whether t has the shape of a checkout token, so a state document
// cannot plant one that breaks a URL.
func ValidCheckoutToken(t string) bool {
	rest, ok := strings.CutPrefix(t, CheckoutTokenPrefix)
	if !ok || len(rest) < 16 || len(rest) > 64 {
		return false
	}
	for _, c := range rest {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// PaymentSessionsByOrder returns the sessions of one of the user's orders, newest first. An
// order of an account that opens its session by itself (OpenSessionWithOrder, PayPal-like) and
// has none yet gets it first, as the provider's asynchronous creation: front ends written from
// OneEntry's rules poll here after createOrder without calling createSession. checkoutURL
// makes its page's URL, as for CreatePaymentSession.
func (s *Store) PaymentSessionsByOrder(ctx context.Context, userID, orderID int, checkoutURL func(token string) string) ([]PaymentSession, error) {
	var out []PaymentSession
	opens := false
	err := s.read(ctx, func() error {
		var err error
		out, opens, err = s.sessionsByOrderLocked(userID, orderID)
		return err
	})
	if err != nil || !opens || checkoutURL == nil {
		return out, err
	}
	err = s.update(ctx, func() ([]Event, error) {
		var err error
		if out, opens, err = s.sessionsByOrderLocked(userID, orderID); err != nil || !opens {
			return nil, err
		}
		_, evs, err := s.createPaymentLocked(ctx, userID, orderID, SessionTypeSession, checkoutURL)
		if err == nil {
			out, _, err = s.sessionsByOrderLocked(userID, orderID)
		}
		return evs, err
	})
	return out, err
}

// sessionsByOrderLocked returns the order's sessions, newest first, and whether the order's
// account would open its first one by itself now.
func (s *Store) sessionsByOrderLocked(userID, orderID int) ([]PaymentSession, bool, error) {
	o, err := s.ownOrderLocked(userID, nil, orderID)
	if err != nil {
		return nil, false, err
	}
	ids := s.state.paymentsByOrder[orderID]
	out := make([]PaymentSession, 0, len(ids))
	for i := len(ids) - 1; i >= 0; i-- {
		out = append(out, s.state.payments[ids[i]].clone())
	}
	if _, canceled := s.canceledUnpaid(o); len(ids) > 0 || canceled {
		// A canceled order's provider opens nothing; a read must not book it again.
		return out, false, nil
	}
	acc, ok := s.accountByMarkerLocked(o.PaymentAccountIdentifier)
	return out, ok && acc.OpenSessionWithOrder && acc.Connected(), nil
}

// PaymentSessions lists the user's sessions, newest first, and their total count.
func (s *Store) PaymentSessions(ctx context.Context, userID int, page Page) ([]PaymentSession, int, error) {
	var out []PaymentSession
	var total int
	err := s.read(ctx, func() error {
		ids := s.state.paymentsByUser[userID]
		out, total = newestFirst[PaymentSession](ids, s.state.payments, page), len(ids)
		return nil
	})
	return out, total, err
}

// PaymentSessionUpdate is the body of the PUT the 1.0.115 SDK sends. Nil fields stay as they are.
type PaymentSessionUpdate struct {
	Status        *string
	PaymentURL    *string
	SetPaymentURL bool // PaymentURL was present in the body (null clears it)
}

// UpdatePaymentSession sets the status and payment URL verbatim and bumps updatedDate. The order
// is not changed and no ticket is sent: on the live API orders follow provider callbacks, not
// this call.
func (s *Store) UpdatePaymentSession(ctx context.Context, userID, id int, upd PaymentSessionUpdate) (PaymentSession, error) {
	if upd.Status != nil && *upd.Status == "" {
		return PaymentSession{}, Invalid("status should not be empty")
	}
	var out PaymentSession
	err := s.update(ctx, func() ([]Event, error) {
		p, err := s.ownPaymentLocked(userID, id)
		if err != nil {
			return nil, err
		}
		_, wasOpen := s.state.waiting[p.ID]
		o := s.state.orders[p.OrderID]
		if upd.Status != nil && !isFinal(*upd.Status) && !wasOpen && o != nil {
			if err := s.reclaimSeatsLocked(o); err != nil {
				return nil, err
			}
		}
		out = s.updatePaymentLocked(p, upd)
		if upd.Status != nil && isFinal(*upd.Status) && wasOpen && o != nil {
			s.releaseCanceledLocked(o)
		}
		return []Event{s.eventLocked(ctx, EventSessionUpdated, p, false)}, nil
	})
	if err != nil {
		return PaymentSession{}, err
	}
	return out, nil
}

// reclaimSeatsLocked takes back the seats of a canceled order about to be paid again, through
// a new session or one reopened: it gave them back when it was canceled, and others may have
// taken them since. When they have, nothing changes and the 409 of a new order answers, so a
// slot is never paid for beyond its seats.
func (s *Store) reclaimSeatsLocked(o *Order) error {
	storage, ok := s.canceledUnpaid(o)
	if !ok || o.holdsSeats {
		return nil
	}
	if err := s.rebookableLocked(o); err != nil {
		return err
	}
	s.touchOrder(o.ID)
	return s.reserveLocked(storage, o)
}

// releaseCanceledLocked gives back the seats of a canceled, unpaid order once no session of it
// is open: the seats a reopened session took back were for that session's payment.
func (s *Store) releaseCanceledLocked(o *Order) {
	storage, ok := s.canceledUnpaid(o)
	if !ok || !o.holdsSeats || s.orderHasOpenSessionLocked(o.ID) {
		return
	}
	s.touchOrder(o.ID)
	s.releaseLocked(storage, o)
}

// canceledUnpaid returns the storage of an order that is canceled and was never paid.
func (s *Store) canceledUnpaid(o *Order) (*OrderStorage, bool) {
	storage, ok := s.fx.OrderStorage(o.StorageMarker)
	return storage, ok && o.PaidAt == nil && storage.isCanceled(o.StatusIdentifier)
}

func (s *Store) updatePaymentLocked(p *PaymentSession, upd PaymentSessionUpdate) PaymentSession {
	s.touchPayment(p.ID)
	if upd.Status != nil {
		p.Status = *upd.Status
		if isFinal(p.Status) {
			delete(s.state.waiting, p.ID)
		} else if _, open := s.state.waiting[p.ID]; !open {
			// Reopened: it waits its account's timeout from now, as a new session would,
			// not until the deadline that already closed it.
			if acc, ok := s.accountLocked(p.PaymentAccountID); ok {
				p.ExpiresAt = after(s.clock.Now(), acc.SessionTimeout())
			}
			s.state.markWaiting(p)
		}
	}
	if upd.SetPaymentURL {
		p.PaymentURL = clonePtr(upd.PaymentURL)
	}
	p.UpdatedDate = s.clock.Now()
	return p.clone()
}

// ApplyPaymentAction moves a session as the provider would: complete pays the order (once:
// paying twice changes nothing), decline records a refused payment and keeps the session
// open, cancel and expire close it and give the order's seats back. A session that is already
// closed answers a conflict, except for repeating the action that closed it.
func (s *Store) ApplyPaymentAction(ctx context.Context, id int, action PaymentAction) (PaymentSession, Order, error) {
	var out PaymentSession
	var order Order
	err := s.update(ctx, func() ([]Event, error) {
		p, ok := s.state.payments[id]
		if !ok {
			return nil, Errorf(CodeNotFound, "Payment session with id %d not found", id)
		}
		evs, err := s.applyLocked(ctx, p, action, s.clock.Now())
		if err == nil {
			out = p.clone()
			if o, ok := s.state.orders[p.OrderID]; ok {
				order = o.clone()
			}
		}
		return evs, err
	})
	if err != nil {
		return PaymentSession{}, Order{}, err
	}
	return out, order, nil
}

var finalStatusOf = map[PaymentAction]string{ActionComplete: StatusCompleted, ActionCancel: StatusCanceled, ActionExpire: StatusExpired}

// applyLocked moves the session as of now, which an expiry found late sets to its deadline.
func (s *Store) applyLocked(ctx context.Context, p *PaymentSession, action PaymentAction, now time.Time) ([]Event, error) {
	if isFinal(p.Status) {
		if action == ActionComplete && p.Status == StatusCompleted {
			// SDK 1.0.115's PUT can write "completed" without paying: repeating a payment
			// is a no-op only where there was one.
			if o, ok := s.state.orders[p.OrderID]; ok && o.PaidAt == nil {
				return nil, Errorf(CodeConflict, "Payment session %d was set to completed by the client; its order %d is not paid", p.ID, p.OrderID)
			}
		}
		if finalStatusOf[action] == p.Status {
			return nil, nil
		}
		return nil, Errorf(CodeConflict, "Payment session %d is already %s", p.ID, p.Status)
	}
	o := s.state.orders[p.OrderID]
	storage, _ := s.fx.OrderStorage(o.StorageMarker)
	s.touchPayment(p.ID)
	s.touchOrder(o.ID)
	p.UpdatedDate = now
	switch action {
	case ActionDecline:
		p.Declines++
		return []Event{s.eventLocked(ctx, EventSessionDeclined, p, false)}, nil
	case ActionComplete:
		p.Status = StatusCompleted
		delete(s.state.waiting, p.ID)
		firstPayment := o.PaidAt == nil
		if firstPayment {
			paid := true
			o.PaidAt = &now
			o.IsCompleted = &paid
			if storage.PaidStatus != "" {
				o.StatusIdentifier = storage.PaidStatus
			}
			if !o.holdsSeats && storage.CanceledStatus != "" && s.reserveLocked(storage, o) != nil {
				// A payment that arrives for an order canceled meanwhile takes its seats back;
				// when others have taken them, the ticket is owed all the same, and its seats
				// count beyond the slot's, so none of them is sold again.
				s.state.countSeats(storage, o)
				o.holdsSeats = true
			}
		}
		return []Event{s.eventLocked(ctx, EventSessionCompleted, p, firstPayment)}, nil
	default: // cancel, expire
		p.Status = finalStatusOf[action]
		delete(s.state.waiting, p.ID)
		if o.PaidAt == nil && !s.orderHasOpenSessionLocked(o.ID) && storage.CanceledStatus != "" {
			o.StatusIdentifier = storage.CanceledStatus
			s.releaseLocked(storage, o)
		}
		typ := EventSessionCanceled
		if action == ActionExpire {
			typ = EventSessionExpired
		}
		return []Event{s.eventLocked(ctx, typ, p, false)}, nil
	}
}

func (s *Store) orderHasOpenSessionLocked(orderID int) bool {
	for _, id := range s.state.paymentsByOrder[orderID] {
		if _, open := s.state.waiting[id]; open {
			return true
		}
	}
	return false
}

// SweepExpired expires every session that waited past its deadline on the mock clock. Reads
// sweep too, so a session is never seen waiting after its deadline. With a persister it also
// saves the clock's setting when it changed, so the admin clock call, which sweeps after
// moving the clock, is durable when it answers. It fails only when saving fails; the expiries
// and the clock change are then undone.
func (s *Store) SweepExpired(ctx context.Context) error {
	return s.remove(ctx, func() ([]Event, error) { return nil, nil }) // remove sweeps first
}

func (s *Store) sweepLocked(ctx context.Context) []Event {
	now := s.clock.Now()
	var events []Event
	// One move of the clock may pass a session's URL time and its deadline both: they take
	// effect in the order they fell due, as they would one small step at a time, so a URL due
	// after the session expired never appears. At the same instant the expiry goes first, as a
	// session is expired from its deadline on.
	for {
		reveal, expire := s.state.reveals.due(now), s.state.expiries.due(now)
		switch {
		case expire && (!reveal || !s.state.reveals[0].at.Before(s.state.expiries[0].at)):
			events = append(events, s.expireNextLocked(ctx)...)
		case reveal:
			events = append(events, s.revealNextLocked(ctx)...)
		default:
			return events
		}
	}
}

// revealNextLocked takes the earliest URL time off its heap and shows that session's URL.
func (s *Store) revealNextLocked(ctx context.Context) []Event {
	next := heap.Pop(&s.state.reveals).(expiry)
	p, ok := s.state.payments[next.id]
	if !ok || p.PendingURL == "" {
		return nil
	}
	if _, waiting := s.state.waiting[next.id]; !waiting {
		// Closed before its URL came: the provider shows no link for it any more.
		s.touchPayment(p.ID)
		p.PendingURL, p.URLAt = "", time.Time{}
		return nil
	}
	return []Event{s.revealLocked(ctx, p, latest(next.at, p.UpdatedDate))}
}

// expireNextLocked takes the earliest deadline off its heap and expires that session if it
// still waits.
func (s *Store) expireNextLocked(ctx context.Context) []Event {
	next := heap.Pop(&s.state.expiries).(expiry)
	p, ok := s.state.payments[next.id]
	if _, waiting := s.state.waiting[next.id]; !ok || !waiting || !next.at.Equal(p.ExpiresAt) {
		return nil // closed, or reopened since with a deadline of its own
	}
	// Waiting sessions are never final, so expiring one cannot fail. It expired at its deadline,
	// however late the sweep finds it (a session reopened since is not dated before that).
	evs, _ := s.applyLocked(ctx, p, ActionExpire, latest(next.at, p.UpdatedDate))
	return evs
}

// expiry is a waiting session's deadline.
type expiry struct {
	at time.Time
	id int
}

// expiryHeap is a min-heap of deadlines (container/heap), earliest first; ties by id.
type expiryHeap []expiry

func (h expiryHeap) Len() int { return len(h) }
func (h expiryHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].id < h[j].id
	}
	return h[i].at.Before(h[j].at)
}
func (h expiryHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)   { *h = append(*h, x.(expiry)) }
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// latest returns the later of two times.
func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// due reports whether the earliest deadline has passed at now.
func (h expiryHeap) due(now time.Time) bool { return len(h) > 0 && !now.Before(h[0].at) }

// markWaiting records that a session can expire.
func (st *state) markWaiting(p *PaymentSession) {
	st.waiting[p.ID] = struct{}{}
	heap.Push(&st.expiries, expiry{at: p.ExpiresAt, id: p.ID})
}

// revealLocked gives a PayPal-like session the payment URL its provider produced, and its
// order too, as a stripe-kind session has from the start.
func (s *Store) revealLocked(ctx context.Context, p *PaymentSession, at time.Time) Event {
	s.touchPayment(p.ID)
	u := p.PendingURL
	p.PaymentURL, p.PendingURL, p.URLAt = &u, "", time.Time{}
	p.UpdatedDate = at
	if o, ok := s.state.orders[p.OrderID]; ok && o.PaymentURL == nil {
		s.touchOrder(o.ID)
		o.PaymentURL = &u
	}
	return s.eventLocked(ctx, EventSessionUpdated, p, false)
}
