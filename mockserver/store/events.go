package store

import (
	"context"
	"time"
)

// EventType names what happened: to a payment session, an order or an account.
type EventType string

// The events the store emits. Their names are the webhook event names.
const (
	EventSessionCreated   EventType = "payment.session.created"
	EventSessionUpdated   EventType = "payment.session.updated"
	EventSessionCompleted EventType = "payment.session.completed"
	EventSessionDeclined  EventType = "payment.session.declined"
	EventSessionCanceled  EventType = "payment.session.canceled"
	EventSessionExpired   EventType = "payment.session.expired"
	// EventRefundApproved is a refund request the shop approved: its tickets are canceled.
	EventRefundApproved EventType = "order.refund.approved"
	// EventUserRemoved is an account deleted or marked for deletion.
	EventUserRemoved EventType = "user.removed"
)

// SessionEvents are the events of a payment session, the ones its account's webhookUrl hears.
var SessionEvents = []EventType{EventSessionCreated, EventSessionUpdated, EventSessionCompleted,
	EventSessionDeclined, EventSessionCanceled, EventSessionExpired}

// Event is a change the outside world may react to (a webhook, the ticket e-mail). It carries
// copies taken when the change was made.
type Event struct {
	Type      EventType
	Time      time.Time
	RequestID string
	Session   PaymentSession
	Order     Order
	User      User
	Account   PaymentAccount
	// TicketDue is set once per order: on the first completed payment.
	TicketDue bool
	// Refund is the refund request of a refund event.
	Refund RefundRequest
}

type requestIDKey struct{}

// WithRequestID tags ctx with the id of the request being served, so events (and the e-mails
// they cause) can name the request that caused them.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id ctx was tagged with.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// emit hands events to the listener; call it after releasing the lock.
func (s *Store) emit(events []Event) {
	f := s.opts.OnEvent
	if f == nil {
		return
	}
	for _, e := range events {
		f(e)
	}
}
