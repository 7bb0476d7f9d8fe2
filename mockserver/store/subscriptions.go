package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Subscription is a user's subscription to an event about a product (a price change, a
// product back in stock).
type Subscription struct {
	UserID      int       `json:"userId"`
	EventMarker string    `json:"eventMarker"`
	ProductID   int       `json:"productId"`
	Locale      string    `json:"locale"`
	Created     time.Time `json:"created"`
}

func (s *Subscription) clone() Subscription { return *s }

func (s Subscription) key() string {
	return subscriptionKey(s.UserID, s.EventMarker, s.ProductID)
}

func subscriptionKey(userID int, marker string, productID int) string {
	return strconv.Itoa(userID) + "/" + marker + "/" + strconv.Itoa(productID)
}

// Subscribe subscribes a user to an event about a product; subscribing again changes only
// the locale. An unknown product is refused.
func (s *Store) Subscribe(ctx context.Context, userID int, marker string, productID int, locale string) error {
	if err := s.checkSubscription(marker, productID); err != nil {
		return err
	}
	// The SDK sends its configured language, whatever the site set it to ("en-US", "en"): only
	// its size is held, since the state keeps it.
	if len(locale) > MaxLocaleBytes || !printable(locale) {
		return Invalid("locale must be at most " + strconv.Itoa(MaxLocaleBytes) + " bytes of printable UTF-8, such as en_US")
	}
	return s.update(ctx, func() ([]Event, error) {
		if err := s.activeUserLocked(userID); err != nil {
			return nil, err
		}
		k := subscriptionKey(userID, marker, productID)
		created := s.clock.Now()
		if old, ok := s.state.subs[k]; ok {
			created = old.Created
		} else if s.subscriptionsOfLocked(userID) >= MaxSubscriptionsPerUser {
			return nil, Invalid("a user holds at most " + strconv.Itoa(MaxSubscriptionsPerUser) + " subscriptions: unsubscribe from one first")
		}
		s.touchSubscription(k)
		s.state.subs[k] = &Subscription{UserID: userID, EventMarker: marker, ProductID: productID, Locale: locale, Created: created}
		return nil, nil
	})
}

func (s *Store) subscriptionsOfLocked(userID int) int {
	n := 0
	for _, sub := range s.state.subs {
		if sub.UserID == userID {
			n++
		}
	}
	return n
}

// Unsubscribe ends a user's subscription; ending one that does not exist changes nothing. A
// subscription to a product the fixtures no longer have (kept from a saved state) ends too;
// such a product the user is not subscribed to is not found.
func (s *Store) Unsubscribe(ctx context.Context, userID int, marker string, productID int) error {
	if err := checkEventMarker(marker); err != nil {
		return err
	}
	unknown := s.knownProduct(productID)
	return s.remove(ctx, func() ([]Event, error) {
		k := subscriptionKey(userID, marker, productID)
		if _, ok := s.state.subs[k]; !ok {
			return nil, unknown
		}
		s.touchSubscription(k)
		delete(s.state.subs, k)
		return nil, nil
	})
}

func (s *Store) checkSubscription(marker string, productID int) error {
	if err := checkEventMarker(marker); err != nil {
		return err
	}
	return s.knownProduct(productID)
}

// knownProduct refuses a product the fixtures do not have.
func (s *Store) knownProduct(productID int) error {
	if _, ok := s.fx.Product(productID); !ok {
		return Errorf(CodeNotFound, "Product with id %d not found", productID)
	}
	return nil
}

// Subscriptions returns a window of a user's subscriptions, oldest first, and their number.
func (s *Store) Subscriptions(ctx context.Context, userID int, p Page) ([]Subscription, int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var mine []Subscription
	for _, sub := range s.state.subs {
		if sub.UserID == userID {
			mine = append(mine, *sub)
		}
	}
	slices.SortFunc(mine, func(a, b Subscription) int {
		return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.key(), b.key()))
	})
	start, end := p.window(len(mine))
	return mine[start:end], len(mine)
}

// Subscribers returns the subscriptions to an event about a product, oldest first. A removed
// user's are not among them: a removal ends them, and a state saved before it did may hold some.
func (s *Store) Subscribers(marker string, productID int) []Subscription {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Subscription
	for _, sub := range s.state.subs {
		if u := s.state.users[sub.UserID]; sub.EventMarker == marker && sub.ProductID == productID && u != nil && !u.removed() {
			out = append(out, *sub)
		}
	}
	slices.SortFunc(out, func(a, b Subscription) int {
		return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.UserID, b.UserID))
	})
	return out
}

func (s *Store) touchSubscription(k string) {
	if s.tx != nil {
		remember(&s.tx.subs, s.state.subs, k, (*Subscription).clone)
	}
}

// buildSubscriptions checks the subscriptions of a document.
func buildSubscriptions(st *state, subs []Subscription) error {
	st.subs = make(map[string]*Subscription, len(subs))
	for i, sub := range subs {
		if field, problem := subscriptionProblem(st, sub); problem != "" {
			return invalidf(fmt.Sprintf("subscriptions[%d]%s", i, field), "%s", problem)
		}
		c := sub
		st.subs[sub.key()] = &c
	}
	return nil
}

// subscriptionProblem names what is wrong with a subscription of a document, if anything.
func subscriptionProblem(st *state, sub Subscription) (field, problem string) {
	if st.users[sub.UserID] == nil {
		return ".userId", fmt.Sprintf("no user %d in the document", sub.UserID)
	}
	// Looser than Subscribe, so that what earlier versions took (longer markers and locales)
	// loads: a document is bounded by its own size.
	if sub.EventMarker == "" {
		return ".eventMarker", "must not be empty"
	}
	// A product the fixtures no longer have keeps its subscriptions, as orders keep their
	// lines: nothing fires for it, and the user can still unsubscribe.
	if st.subs[sub.key()] != nil {
		return "", "duplicate subscription"
	}
	return "", ""
}
