package scenarios

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"

	"github.com/oneentry-mock/oneentry-mock/client"
)

// welcomeCoupon is the default project's 10 % coupon.
const welcomeCoupon = "WELCOME10"

// GuestCartOrder is a shop visitor: fill a guest cart under a UUID x-guest-id (and see the
// documented trap of any other id), sign in, find the cart carried over, order what it holds.
func GuestCartOrder() Flow {
	return targetFlow("guest-cart-order", "a guest cart under a UUID survives, any other id keeps nothing; signing in carries it over; its products are ordered", runGuestCartOrder)
}

// newUUID returns a random version 4 UUID, as a front end makes one per visitor.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func runGuestCartOrder(ctx context.Context, env *Env, t *Target) error {
	guest := newUUID()
	c, err := env.Client(client.WithGuestID(guest))
	if err != nil {
		return err
	}
	var (
		plan   *orderPlan
		ticket client.EntityOption
		cart   *client.Cart
	)
	env.Cleanup(func(ctx context.Context) error {
		if c.AccessToken() == "" || ticket.ID == "" {
			return nil
		}
		_, err := c.RemoveCartItem(ctx, ticket.ProductID())
		return err
	})
	return sequence(env,
		step{"read-form", func() error {
			plan, err = readOrderForm(ctx, env, c)
			if err == nil {
				ticket = plan.options[0]
			}
			return err
		}},
		step{"guest-adds-to-cart", func() error {
			if _, err := c.AddCartItem(ctx, ticket.ProductID(), 2); err != nil {
				return err
			}
			cart, err = c.Cart(ctx)
			if err != nil {
				return err
			}
			var ck checks
			ck.that(cartQty(cart, ticket.ProductID()) == 2, "a second request finds %v in the guest cart, want product %d ×2", cart.Items, ticket.ProductID())
			ck.that(cart.Total == len(cart.Items), "total %d for %d lines", cart.Total, len(cart.Items))
			return ck.err()
		}},
		step{"guest-id-not-a-uuid", func() error {
			trap, err := env.Client(client.WithGuestID("guest_" + guest))
			if err != nil {
				return err
			}
			echo, err := trap.AddCartItem(ctx, ticket.ProductID(), 1)
			if err != nil {
				return err
			}
			kept, err := trap.Cart(ctx)
			if err != nil {
				return err
			}
			var ck checks
			ck.that(cartQty(echo, ticket.ProductID()) == 1, "the add answered %v, want the echo of the item", echo.Items)
			ck.that(len(kept.Items) == 0, "a prefixed UUID kept %v; the live API keeps nothing for it", kept.Items)
			return ck.err()
		}},
		step{"sign-in", func() error {
			_, err := login(ctx, env, c, t.User)
			return err
		}},
		step{"cart-after-sign-in", func() error {
			cart, err = c.Cart(ctx)
			if err != nil {
				return err
			}
			if got := cartQty(cart, ticket.ProductID()); got < 2 {
				if env.Strict() {
					return fmt.Errorf("the signed-in cart %v lacks the guest's product %d ×2", cart.Items, ticket.ProductID())
				}
				env.Note("the signed-in cart holds %v: the guest cart was not carried over", cart.Items)
				cart = &client.Cart{Items: []client.CartItem{{ProductID: ticket.ProductID(), Qty: 2}}, Total: 1}
			}
			return nil
		}},
		step{"choose-slot", func() error { return plan.chooseSlot(ctx, env) }},
		step{"order-the-cart-with-a-coupon", func() error {
			qty := cartQty(cart, ticket.ProductID())
			in := plan.input(env, ticket, qty)
			in.CouponCode = welcomeCoupon
			order, err := c.CreateOrder(ctx, t.StorageMarker, in)
			if err != nil {
				if env.Strict() {
					return err
				}
				// A live project without the default project's coupon still takes the order.
				env.Note("coupon %s refused (%v); ordering without it", welcomeCoupon, err)
				in.CouponCode = ""
				if order, err = c.CreateOrder(ctx, t.StorageMarker, in); err != nil {
					return err
				}
			}
			env.Created("order", t.StorageMarker, order.ID)
			var ck checks
			if in.CouponCode != "" {
				ck.that(order.CouponCode == welcomeCoupon, "the order names coupon %q, want %q", order.CouponCode, welcomeCoupon)
				if p, err := c.Product(ctx, ticket.ProductID()); err == nil && p.Price != nil {
					full := p.Price.Cents * int64(qty)
					ck.that(order.TotalSum.Cents*10 == full*9, "with %s the order totals %s for %d at %s, want 10 %% off", welcomeCoupon, order.TotalSum, qty, p.Price)
				}
			}
			env.Note("ordered product %d ×%d from the cart with coupon %q", ticket.ProductID(), qty, in.CouponCode)
			return ck.err()
		}},
		step{"clear-cart", func() error {
			cart, err = c.RemoveCartItem(ctx, ticket.ProductID())
			if err != nil {
				return err
			}
			var ck checks
			ck.that(cartQty(cart, ticket.ProductID()) == 0, "product %d still in the cart %v", ticket.ProductID(), cart.Items)
			return ck.err()
		}},
	)
}

// cartQty is the quantity of a product in a cart; 0 when it is not there.
func cartQty(c *client.Cart, productID int) int {
	i := slices.IndexFunc(c.Items, func(it client.CartItem) bool { return it.ProductID == productID })
	if i < 0 {
		return 0
	}
	return c.Items[i].Qty
}
