package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Caps on carts, which anyone holding the app token can create with a fresh guest id.
const (
	// MaxCartLines bounds the products of one cart.
	MaxCartLines = 200
	// MaxGuestCarts bounds the guest carts of a sandbox; a further one replaces the guest cart
	// changed longest ago.
	MaxGuestCarts = 10_000
	// MaxCartQty bounds the quantity of one line, as orders bound theirs.
	MaxCartQty = 1_000_000
)

// CartItem is one product of a cart, in the live wire's names.
type CartItem struct {
	ProductID int `json:"productId"`
	Qty       int `json:"qty"`
}

// Cart is the cart of a user or of a guest; it is also its record in a state document.
type Cart struct {
	// Owner is "user/<id>" or "guest/<uuid>" (see CartOwner.key).
	Owner       string     `json:"owner"`
	Items       []CartItem `json:"items"`
	UpdatedDate time.Time  `json:"updatedDate"`
}

func (c *Cart) clone() Cart {
	out := *c
	out.Items = slices.Clone(c.Items)
	if out.Items == nil {
		out.Items = []CartItem{}
	}
	return out
}

func (c Cart) key() string { return c.Owner }

// Whose returns the cart's owner: a user's id, or else a guest's id.
func (c Cart) Whose() (userID int, guestID string) {
	if id, ok := strings.CutPrefix(c.Owner, "user/"); ok {
		n, _ := strconv.Atoi(id)
		return n, ""
	}
	return 0, strings.TrimPrefix(c.Owner, "guest/")
}

// CartOwner is whose cart a request means: a signed-in user, else the guest of an x-guest-id.
// A signed-in user's request that names a guest too (MergeGuest) first merges that guest's
// cart into the user's: what signing in does to a guest cart.
type CartOwner struct {
	UserID     int
	GuestID    string
	MergeGuest string
}

// key names the owner's cart; "" for a guest id that is not a UUID, whose cart the live API
// keeps nowhere: adds answer an echo of the item and reads an empty cart.
func (o CartOwner) key() string {
	if o.UserID > 0 {
		return "user/" + strconv.Itoa(o.UserID)
	}
	if isUUID(o.GuestID) {
		return "guest/" + strings.ToLower(o.GuestID)
	}
	return ""
}

// isUUID reports whether s is a UUID in its canonical 8-4-4-4-12 hex form (any version); a
// prefixed one ("guest_<uuid>") is not.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// checkCartLine refuses a product the project does not have and a quantity out of range.
func (s *Store) checkCartLine(productID, qty int) error {
	if _, ok := s.fx.Product(productID); !ok {
		return Errorf(CodeNotFound, "Product with id %d not found", productID)
	}
	if qty < 1 || qty > MaxCartQty {
		return Invalid("qty must be an integer from 1 to " + strconv.Itoa(MaxCartQty))
	}
	return nil
}

// Cart returns the owner's cart: empty when there is none, and always for a guest id that is
// not a UUID.
func (s *Store) Cart(ctx context.Context, owner CartOwner) (Cart, error) {
	// A read, whose merge only moves lines: a sandbox at its memory limit still answers it.
	return swapped(ctx, s, func() (Cart, error) {
		if err := s.ownCartLocked(owner); err != nil {
			return Cart{}, err
		}
		return s.cartLocked(owner.key()), nil
	})
}

// cartLocked returns a copy of the cart of key; an empty one when there is none.
func (s *Store) cartLocked(key string) Cart {
	if c, ok := s.state.carts[key]; ok {
		return c.clone()
	}
	return Cart{Owner: key, Items: []CartItem{}}
}

// AddCartItem adds qty of a product to the owner's cart (to its line, when it has one). For a
// guest id that is not a UUID it keeps nothing and answers the cart as if it held the item
// alone: the live API's echo.
func (s *Store) AddCartItem(ctx context.Context, owner CartOwner, productID, qty int) (Cart, error) {
	return s.changeCart(ctx, owner, productID, qty, func(c *Cart, i int) error {
		if i < 0 {
			c.Items = append(c.Items, CartItem{productID, qty})
			return nil
		}
		if sum := c.Items[i].Qty + qty; sum > MaxCartQty {
			return Invalid(fmt.Sprintf("qty: the line of product %d would hold %d; a line holds at most %d", productID, sum, MaxCartQty))
		}
		c.Items[i].Qty += qty
		return nil
	})
}

// SetCartItem sets the quantity of a product in the owner's cart, adding its line when absent.
func (s *Store) SetCartItem(ctx context.Context, owner CartOwner, productID, qty int) (Cart, error) {
	return s.changeCart(ctx, owner, productID, qty, func(c *Cart, i int) error {
		if i < 0 {
			c.Items = append(c.Items, CartItem{productID, qty})
		} else {
			c.Items[i].Qty = qty
		}
		return nil
	})
}

// RemoveCartItem removes a product from the owner's cart; removing one it does not hold
// answers the cart unchanged. A line of a product the fixtures no longer have (kept from a
// saved state) is removed too; such a product the cart does not hold is not found.
func (s *Store) RemoveCartItem(ctx context.Context, owner CartOwner, productID int) (Cart, error) {
	_, known := s.fx.Product(productID)
	return swapped(ctx, s, func() (Cart, error) { // a deletion, made at the memory limit too
		if !known {
			// Asked before the merge, so that a refused call merges nothing.
			if c, _ := s.mergedCartLocked(owner); c == nil || lineOf(c, productID) < 0 {
				return Cart{}, Errorf(CodeNotFound, "Product with id %d not found", productID)
			}
		}
		if err := s.ownCartLocked(owner); err != nil {
			return Cart{}, err
		}
		key := owner.key()
		if c, ok := s.state.carts[key]; ok {
			if i := lineOf(c, productID); i >= 0 {
				s.touchCart(key)
				c.Items = slices.Delete(c.Items, i, i+1)
				c.UpdatedDate = s.clock.Now()
			}
		}
		return s.cartLocked(key), nil
	})
}

func lineOf(c *Cart, productID int) int {
	return slices.IndexFunc(c.Items, func(it CartItem) bool { return it.ProductID == productID })
}

// changeCart applies change to the owner's cart (i is the product's line, -1 when absent),
// creating the cart when needed, after checking the line.
func (s *Store) changeCart(ctx context.Context, owner CartOwner, productID, qty int, change func(c *Cart, i int) error) (Cart, error) {
	if err := s.checkCartLine(productID, qty); err != nil {
		return Cart{}, err
	}
	key := owner.key()
	if key == "" {
		echo := Cart{Items: []CartItem{}}
		_ = change(&echo, -1) // a new line: nothing to refuse
		return echo, nil
	}
	return updated(ctx, s, func() (Cart, error) {
		if err := s.ownerLocked(owner); err != nil {
			return Cart{}, err
		}
		// The change is made to a copy of the cart as the merge leaves it, and kept only when
		// it holds: a refused change merges nothing either.
		c, guest := s.mergedCartLocked(owner)
		i := -1
		if c != nil {
			i = lineOf(c, productID)
		}
		if i < 0 && c != nil && len(c.Items) >= MaxCartLines {
			return Cart{}, Invalid("a cart holds at most " + strconv.Itoa(MaxCartLines) + " products")
		}
		if c == nil {
			c = &Cart{Owner: key}
		}
		if err := change(c, i); err != nil {
			return Cart{}, err
		}
		if _, ok := s.state.carts[key]; !ok {
			s.makeRoomLocked(owner)
		}
		c.UpdatedDate = s.clock.Now()
		s.keepCartLocked(key, c, guest)
		return c.clone(), nil
	})
}

// makeRoomLocked drops the guest cart changed longest ago when a new guest cart would exceed
// MaxGuestCarts.
func (s *Store) makeRoomLocked(owner CartOwner) {
	if owner.UserID > 0 {
		return
	}
	guests, oldest := 0, ""
	for k, c := range s.state.carts {
		if !strings.HasPrefix(k, "guest/") {
			continue
		}
		guests++
		if oldest == "" || c.UpdatedDate.Before(s.state.carts[oldest].UpdatedDate) {
			oldest = k
		}
	}
	if guests >= MaxGuestCarts {
		s.touchCart(oldest)
		delete(s.state.carts, oldest)
	}
}

// ownCartLocked checks that a signed-in owner is still a user, then merges the guest cart
// they name into theirs.
func (s *Store) ownCartLocked(owner CartOwner) error {
	if err := s.ownerLocked(owner); err != nil {
		return err
	}
	if u, guest := s.mergedCartLocked(owner); guest != "" {
		s.keepCartLocked(owner.key(), u, guest)
	}
	return nil
}

// keepCartLocked stores c as the cart of key and drops the guest cart merged into it ("":
// none).
func (s *Store) keepCartLocked(key string, c *Cart, guest string) {
	s.touchCart(key)
	s.state.carts[key] = c
	if guest != "" {
		s.touchCart(guest)
		delete(s.state.carts, guest)
	}
}

// ownerLocked checks that a signed-in owner is still a user.
func (s *Store) ownerLocked(owner CartOwner) error {
	if owner.UserID > 0 {
		return s.activeUserLocked(owner.UserID)
	}
	return nil
}

// mergedCartLocked returns a copy of the owner's cart as merging the guest cart of
// owner.MergeGuest into it leaves it (nil when there is no cart either way), and the key of the
// guest cart it took in ("" when none). Quantities of a product both hold add up (capped at
// MaxCartQty); the guest's lines past MaxCartLines are left out. The state is not changed.
func (s *Store) mergedCartLocked(owner CartOwner) (*Cart, string) {
	var u *Cart
	if c, ok := s.state.carts[owner.key()]; ok {
		cl := c.clone()
		u = &cl
	}
	guest := CartOwner{GuestID: owner.MergeGuest}.key()
	g, ok := s.state.carts[guest]
	if owner.UserID == 0 || guest == "" || !ok {
		return u, ""
	}
	if u == nil {
		u = &Cart{Owner: owner.key(), Items: []CartItem{}}
	}
	for _, it := range g.Items {
		if i := lineOf(u, it.ProductID); i >= 0 {
			u.Items[i].Qty = min(u.Items[i].Qty+it.Qty, MaxCartQty)
		} else if len(u.Items) < MaxCartLines {
			u.Items = append(u.Items, it)
		}
	}
	u.UpdatedDate = s.clock.Now()
	return u, guest
}
