package scenarios

import (
	"context"
	"fmt"
	"slices"

	"github.com/oneentry-mock/oneentry-mock/client"
)

// Browse markers and URLs: what a shop front end of the default project renders.
const (
	browseHome    = "home"
	browseMenu    = "main"
	browseAccount = "stripe"
)

// Browse is a shopper's way through the site before checkout: the home page, the main menu,
// the catalogue it links to, a product, the cart as a guest, then sign-in, the order of the
// cart and a checkout page.
func Browse() Flow {
	return targetFlow("browse", "home page, main menu, the catalogue it links, a product, a guest cart, sign-in, the cart ordered and a checkout page opened", runBrowse)
}

func runBrowse(ctx context.Context, env *Env, t *Target) error {
	c, err := env.Client(client.WithGuestID(newUUID()))
	if err != nil {
		return err
	}
	var (
		menu      *client.Menu
		catalogue string
		listed    client.Product
		plan      *orderPlan
		option    client.EntityOption
		order     *client.Order
	)
	return sequence(env,
		step{"home", func() error {
			home, err := c.PageByURL(ctx, browseHome)
			if err != nil {
				return err
			}
			var ck checks
			ck.that(home.PageURL == browseHome, "page url %q, want %q", home.PageURL, browseHome)
			ck.that(home.LocalizeInfos.Value.Title != "", "the home page has no title in %s", c.Language())
			return ck.err()
		}},
		step{"menu", func() error {
			menu, err = c.Menu(ctx, browseMenu)
			if err != nil {
				return err
			}
			if len(menuURLs(menu.Pages)) == 0 {
				return fmt.Errorf("menu %s links no page", browseMenu)
			}
			return nil
		}},
		step{"catalogue", func() error {
			// The catalogue is the first page of the menu that lists products.
			for _, u := range menuURLs(menu.Pages) {
				list, err := c.ProductsByPageURL(ctx, u, 0, 30)
				if err != nil || list.Total == 0 || len(list.Items) == 0 {
					continue
				}
				var ck checks
				ck.that(list.Total >= len(list.Items), "total %d below the %d products listed", list.Total, len(list.Items))
				catalogue, listed = u, list.Items[0]
				env.Note("catalogue %s: %d products", u, list.Total)
				return ck.err()
			}
			return fmt.Errorf("no page of menu %s lists products", browseMenu)
		}},
		step{"product", func() error {
			p, err := c.Product(ctx, listed.ID)
			if err != nil {
				return err
			}
			var ck checks
			ck.that(p.ID == listed.ID, "product %d, want %d", p.ID, listed.ID)
			ck.that(p.LocalizeInfos.Value.Title == listed.LocalizeInfos.Value.Title, "product title %q, the catalogue says %q", p.LocalizeInfos.Value.Title, listed.LocalizeInfos.Value.Title)
			if p.Price != nil && listed.Price != nil {
				ck.that(p.Price.Cents == listed.Price.Cents, "product price %s, the catalogue says %s", p.Price, listed.Price)
			}
			return ck.err()
		}},
		step{"add-to-cart", func() error {
			if _, err := c.AddCartItem(ctx, listed.ID, 1); err != nil {
				return err
			}
			cart, err := c.Cart(ctx)
			if err != nil {
				return err
			}
			var ck checks
			ck.that(cartQty(cart, listed.ID) == 1, "the guest cart holds %v, want product %d ×1", cart.Items, listed.ID)
			return ck.err()
		}},
		step{"sign-in", func() error {
			_, err := login(ctx, env, c, t.User)
			return err
		}},
		step{"read-order-form", func() error {
			plan, err = readOrderForm(ctx, env, c)
			if err != nil {
				return err
			}
			i := slices.IndexFunc(plan.options, func(o client.EntityOption) bool { return o.ProductID() == listed.ID })
			if i < 0 {
				return fmt.Errorf("the order form offers no option for product %d of catalogue %s", listed.ID, catalogue)
			}
			option = plan.options[i]
			return plan.chooseSlot(ctx, env)
		}},
		step{"order-the-cart", func() error {
			cart, err := c.Cart(ctx)
			if err != nil {
				return err
			}
			qty := cartQty(cart, listed.ID)
			if qty == 0 {
				if env.Strict() {
					return fmt.Errorf("after sign-in the cart %v lacks the guest's product %d", cart.Items, listed.ID)
				}
				qty = 1
			}
			in := plan.input(env, option, qty)
			if st, err := c.OrderStorage(ctx, t.StorageMarker); err == nil && slices.ContainsFunc(st.PaymentAccountIdentifiers, func(a client.PaymentAccountRef) bool { return a.Identifier == browseAccount }) {
				in.PaymentAccountIdentifier = browseAccount
			}
			order, err = c.CreateOrder(ctx, t.StorageMarker, in)
			if err != nil {
				return err
			}
			env.Created("order", t.StorageMarker, order.ID)
			_, err = c.RemoveCartItem(ctx, listed.ID)
			return err
		}},
		step{"checkout", func() error {
			s, err := c.CreateSession(ctx, order.ID, client.SessionTypeSession, false)
			if err != nil {
				return err
			}
			var ck checks
			ck.that(s.OrderID == order.ID, "session of order %d, want %d", s.OrderID, order.ID)
			if order.PaymentAccountIdentifier == browseAccount {
				ck.that(s.PaymentURL != nil && *s.PaymentURL != "", "a %s session without a checkout URL", browseAccount)
			}
			return ck.err()
		}},
	)
}

// menuURLs lists the page URLs of a menu, depth first.
func menuURLs(pages []client.MenuPage) []string {
	var out []string
	for _, p := range pages {
		if p.PageURL != nil && *p.PageURL != "" {
			out = append(out, *p.PageURL)
		}
		out = append(out, menuURLs(p.Children)...)
	}
	return out
}
