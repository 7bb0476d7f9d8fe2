package store

import (
	"context"
	"time"
)

// Payment session types the API accepts.
const (
	SessionTypeSession = "session"
	SessionTypeIntent  = "intent"
)

// StatusWaiting is the status of a new payment session.
const StatusWaiting = "waiting"

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
}

func (p *PaymentSession) clone() PaymentSession {
	c := *p
	if p.PaymentURL != nil {
		u := *p.PaymentURL
		c.PaymentURL = &u
	}
	return c
}

// CreatePaymentSession opens a new session for one of the user's orders. Every call opens a new
// session; a payment account of a custom kind (cash) has no payment URL.
func (s *Store) CreatePaymentSession(ctx context.Context, userID, orderID int, sessionType string) (PaymentSession, error) {
	if sessionType != SessionTypeSession && sessionType != SessionTypeIntent {
		return PaymentSession{}, Invalid("type must be one of the following values: session, intent")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.ownOrderLocked(userID, nil, orderID)
	if err != nil {
		return PaymentSession{}, err
	}
	acc, ok := s.fx.PaymentAccount(o.PaymentAccountIdentifier)
	if !ok {
		return PaymentSession{}, Invalid("Payment account " + o.PaymentAccountIdentifier + " not found")
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
	}
	s.state.nextPaymentID++
	s.state.payments[p.ID] = p
	s.state.paymentsByOrder[o.ID] = append(s.state.paymentsByOrder[o.ID], p.ID)
	s.state.paymentsByUser[userID] = append(s.state.paymentsByUser[userID], p.ID)
	return p.clone(), nil
}

func (s *Store) ownPaymentLocked(userID, id int) (*PaymentSession, error) {
	p, ok := s.state.payments[id]
	if !ok || p.UserID != userID {
		return nil, Errorf(CodeNotFound, "Payment session with id %d not found", id)
	}
	return p, nil
}

// PaymentSession returns one of the user's sessions.
func (s *Store) PaymentSession(ctx context.Context, userID, id int) (PaymentSession, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.ownPaymentLocked(userID, id)
	if err != nil {
		return PaymentSession{}, err
	}
	return p.clone(), nil
}

// PaymentSessionsByOrder returns the sessions of one of the user's orders, newest first.
func (s *Store) PaymentSessionsByOrder(ctx context.Context, userID, orderID int) ([]PaymentSession, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.ownOrderLocked(userID, nil, orderID); err != nil {
		return nil, err
	}
	ids := s.state.paymentsByOrder[orderID]
	out := make([]PaymentSession, 0, len(ids))
	for i := len(ids) - 1; i >= 0; i-- {
		out = append(out, s.state.payments[ids[i]].clone())
	}
	return out, nil
}

// PaymentSessions lists the user's sessions, newest first, and their total count.
func (s *Store) PaymentSessions(ctx context.Context, userID int, page Page) ([]PaymentSession, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := s.state.paymentsByUser[userID]
	start, end := page.window(len(ids))
	out := make([]PaymentSession, 0, end-start)
	for i := start; i < end; i++ {
		out = append(out, s.state.payments[ids[len(ids)-1-i]].clone())
	}
	return out, len(ids), nil
}

// PaymentSessionUpdate is the body of the PUT the 1.0.115 SDK sends. Nil fields stay as they are.
type PaymentSessionUpdate struct {
	Status        *string
	PaymentURL    *string
	SetPaymentURL bool // PaymentURL was present in the body (null clears it)
}

// UpdatePaymentSession sets the status and payment URL verbatim and bumps updatedDate. The order
// is not changed: on the live API orders follow provider callbacks, not this call.
func (s *Store) UpdatePaymentSession(ctx context.Context, userID, id int, upd PaymentSessionUpdate) (PaymentSession, error) {
	if upd.Status != nil && *upd.Status == "" {
		return PaymentSession{}, Invalid("status should not be empty")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.ownPaymentLocked(userID, id)
	if err != nil {
		return PaymentSession{}, err
	}
	if upd.Status != nil {
		p.Status = *upd.Status
	}
	if upd.SetPaymentURL {
		if upd.PaymentURL == nil {
			p.PaymentURL = nil
		} else {
			u := *upd.PaymentURL
			p.PaymentURL = &u
		}
	}
	p.UpdatedDate = s.clock.Now()
	return p.clone(), nil
}
