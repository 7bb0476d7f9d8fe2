package store

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
)

// The methods here read across owners, for the operator's tools (the dashboard): the API's
// own reads are scoped to the calling user.

// Counts is how much state a store holds.
type Counts struct {
	Users, Orders, PaymentSessions int
}

// Counts returns how many users, orders and payment sessions the store holds.
func (s *Store) Counts(ctx context.Context) (Counts, error) {
	var c Counts
	err := s.read(ctx, func() error {
		c = Counts{Users: len(s.state.users), Orders: len(s.state.orders), PaymentSessions: len(s.state.payments)}
		return nil
	})
	return c, err
}

// AllOrders lists every order of every user, newest first, and their total count.
func (s *Store) AllOrders(ctx context.Context, page Page) ([]Order, int, error) {
	return allNewestFirst[Order](ctx, s, func() map[int]*Order { return s.state.orders }, page)
}

// AllPaymentSessions lists every payment session, newest first, and their total count.
func (s *Store) AllPaymentSessions(ctx context.Context, page Page) ([]PaymentSession, int, error) {
	return allNewestFirst[PaymentSession](ctx, s, func() map[int]*PaymentSession { return s.state.payments }, page)
}

// AllSubmissions lists every form submission, of any form and in any status, newest first, and
// their total count.
func (s *Store) AllSubmissions(ctx context.Context, page Page) ([]Submission, int, error) {
	return allNewestFirst[Submission](ctx, s, func() map[int]*Submission { return s.state.formData }, page)
}

// AllCarts returns every cart, the most recently changed first.
func (s *Store) AllCarts(ctx context.Context) ([]Cart, error) {
	var out []Cart
	err := s.read(ctx, func() error {
		for _, c := range s.state.carts {
			out = append(out, c.clone())
		}
		return nil
	})
	slices.SortFunc(out, func(a, b Cart) int {
		return cmp.Or(b.UpdatedDate.Compare(a.UpdatedDate), strings.Compare(a.Owner, b.Owner))
	})
	return out, err
}

// AllSubscriptions returns every user's event subscriptions, by event marker, then product,
// then the oldest first.
func (s *Store) AllSubscriptions(ctx context.Context) ([]Subscription, error) {
	var out []Subscription
	err := s.read(ctx, func() error {
		for _, sub := range s.state.subs {
			out = append(out, *sub)
		}
		return nil
	})
	slices.SortFunc(out, func(a, b Subscription) int {
		return cmp.Or(strings.Compare(a.EventMarker, b.EventMarker), cmp.Compare(a.ProductID, b.ProductID),
			a.Created.Compare(b.Created), cmp.Compare(a.UserID, b.UserID))
	})
	return out, err
}

// allNewestFirst pages through every entity of a map of the state, by descending id. The map
// is read under the lock: Reset and Import replace the state.
func allNewestFirst[V any, P interface{ clone() V }](ctx context.Context, s *Store, of func() map[int]P, page Page) ([]V, int, error) {
	var out []V
	var total int
	err := s.read(ctx, func() error {
		byID := of()
		ids := slices.Sorted(maps.Keys(byID))
		out, total = newestFirst[V](ids, byID, page), len(ids)
		return nil
	})
	return out, total, err
}

// OrderWithSessions returns any user's order and its payment sessions, newest first.
func (s *Store) OrderWithSessions(ctx context.Context, id int) (Order, []PaymentSession, error) {
	var o Order
	var sessions []PaymentSession
	err := s.read(ctx, func() error {
		p, ok := s.state.orders[id]
		if !ok {
			return Errorf(CodeNotFound, "Order not found")
		}
		o = p.clone()
		ids := s.state.paymentsByOrder[id]
		for i := len(ids) - 1; i >= 0; i-- {
			sessions = append(sessions, s.state.payments[ids[i]].clone())
		}
		return nil
	})
	return o, sessions, err
}

// SessionSummary is what an order list says of an order's payment sessions.
type SessionSummary struct {
	Latest PaymentSession
	Count  int
}

// SessionSummaries returns the newest payment session and the session count of each order in
// orders that has sessions, by order id.
func (s *Store) SessionSummaries(ctx context.Context, orders []Order) (map[int]SessionSummary, error) {
	out := make(map[int]SessionSummary, len(orders))
	err := s.read(ctx, func() error {
		for _, o := range orders {
			if ids := s.state.paymentsByOrder[o.ID]; len(ids) > 0 {
				out[o.ID] = SessionSummary{Latest: s.state.payments[ids[len(ids)-1]].clone(), Count: len(ids)}
			}
		}
		return nil
	})
	return out, err
}

// FixtureLogins are the fixture users whose fixture password still signs them in: not changed,
// and the user neither removed nor waiting for activation. The dashboard and the admin API's
// sandbox list show these.
func (s *Store) FixtureLogins(ctx context.Context) ([]UserFixture, error) {
	var out []UserFixture
	err := s.read(ctx, func() error {
		for _, f := range s.fx.Users {
			id, ok := s.state.userByLogin[loginKey(f.AuthProviderIdentifier, f.Identifier)]
			if u := s.state.users[id]; ok && !u.removed() && u.IsActive && u.password == f.Password {
				out = append(out, f)
			}
		}
		return nil
	})
	return out, err
}

// AllUsers returns every user, by ascending id.
func (s *Store) AllUsers(ctx context.Context) ([]User, error) {
	var out []User
	err := s.read(ctx, func() error {
		for _, id := range slices.Sorted(maps.Keys(s.state.users)) {
			out = append(out, s.state.users[id].clone())
		}
		return nil
	})
	return out, err
}
