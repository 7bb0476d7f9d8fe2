package scenarios

import (
	"context"
	"slices"

	"github.com/oneentry-mock/oneentry-mock/client"
	"github.com/oneentry-mock/oneentry-mock/datetime"
)

// seedSessionStatus and seedPaymentURL are what the seed scenario writes into its payment
// session (SDK 1.0.115's updateSessionById).
const (
	seedSessionStatus = "expired_ticket"
	seedPaymentURL    = ""
)

// TicketPurchase is the seed scenario: log in, read the order form, pick a ticket and a real
// slot of the form's schedule, read the ticket's price, order it, open a payment session,
// update it, read it by order id, read the order and find it among the user's orders.
func TicketPurchase() Flow {
	return clientFlow("ticket-purchase", "the seed flow: log in, order a ticket for a slot, open and update its payment session, read it back", runTicketPurchase)
}

func runTicketPurchase(ctx context.Context, env *Env, t *Target, c *client.Client) error {
	var err error
	var (
		plan    *orderPlan
		ticket  client.EntityOption
		price   *client.Money
		order   *client.Order
		session *client.PaymentSession
		updated bool
	)
	return sequence(env,
		step{"login", func() error {
			_, err := login(ctx, env, c, t.User)
			return err
		}},
		step{"read-form", func() error {
			plan, err = readOrderForm(ctx, env, c)
			return err
		}},
		step{"choose-ticket-and-slot", func() error {
			ticket = plan.options[0]
			env.Note("ticket %s (%s), product %d", ticket.ID, ticket.Title, ticket.ProductID())
			return plan.chooseSlot(ctx, env)
		}},
		step{"read-product", func() error {
			p, err := c.Product(ctx, ticket.ProductID())
			if err != nil {
				return err
			}
			var ck checks
			ck.that(p.ID == ticket.ProductID(), "product id %d, want %d", p.ID, ticket.ProductID())
			price = p.Price
			if price == nil {
				env.Note("product %d has no price; the order total is not checked", p.ID)
			}
			return ck.err()
		}},
		step{"create-order", func() error {
			order, err = plan.createOrder(ctx, env, c, ticket, 1)
			if order == nil {
				return err
			}
			var ck checks
			if err != nil {
				ck.errs = append(ck.errs, err)
			}
			if price != nil {
				ck.that(order.TotalSum.Cents == price.Cents, "totalSum %s, want the ticket's price %s", order.TotalSum, price)
			}
			ck.that(order.Currency != "" || !env.Strict(), "no currency")
			if env.ExactState() {
				now, _ := env.Now(ctx)
				ck.that(order.ID == t.seed.firstOrderID, "order id %d, want the fixtures' first id %d", order.ID, t.seed.firstOrderID)
				ck.that(order.CreatedDate == now.UTC().Format(datetime.Layout), "createdDate %s, want the mock clock %s", order.CreatedDate, now.UTC().Format(datetime.Layout))
			}
			return ck.err()
		}},
		step{"create-session", func() error {
			session, err = c.CreateSession(ctx, order.ID, client.SessionTypeSession, false)
			if err != nil {
				return err
			}
			env.Created("payment-session", "", session.ID)
			var ck checks
			ck.that(session.OrderID == order.ID, "session orderId %d, want %d", session.OrderID, order.ID)
			ck.that(session.Status == "waiting", "session status %q, want waiting", session.Status)
			ck.that(session.Type == client.SessionTypeSession, "session type %q, want session", session.Type)
			if env.Strict() {
				ck.that(session.PaymentURL == nil, "paymentUrl %s, want null for a custom account", shown(session.PaymentURL))
				if session.Amount != nil {
					ck.that(session.Amount.Cents == order.TotalSum.Cents, "amount %s, want the order total %s", session.Amount, order.TotalSum)
				}
			}
			if env.ExactState() {
				ck.that(session.ID == t.seed.firstSessionID, "session id %d, want the fixtures' first id %d", session.ID, t.seed.firstSessionID)
			}
			return ck.err()
		}},
		step{"update-session", func() error {
			url := seedPaymentURL
			got, err := c.UpdateSession(ctx, session.ID, client.SessionUpdate{Status: seedSessionStatus, PaymentURL: &url})
			if err != nil && gone(err) {
				// Only SDK 1.0.115 has this call; the mock serves it under that profile only
				// (later ones: only the provider moves sessions).
				env.Note("the target does not serve PUT /payments/sessions/{id} (status %d)", statusOf(err))
				return nil
			}
			if err != nil {
				return err
			}
			updated = true
			var ck checks
			ck.that(got.ID == session.ID, "updated session id %d, want %d", got.ID, session.ID)
			ck.that(got.Status == seedSessionStatus, "status %q, want %q", got.Status, seedSessionStatus)
			ck.that(got.PaymentURL != nil && *got.PaymentURL == seedPaymentURL, "paymentUrl %s, want %q", shown(got.PaymentURL), seedPaymentURL)
			return ck.err()
		}},
		step{"read-session-by-order", func() error {
			sessions, err := c.SessionsByOrder(ctx, order.ID)
			if err != nil {
				return err
			}
			i := slices.IndexFunc(sessions, func(s client.PaymentSession) bool { return s.ID == session.ID })
			var ck checks
			ck.that(i >= 0, "session %d missing from the order's sessions", session.ID)
			if i >= 0 && updated && env.Strict() {
				ck.that(sessions[i].Status == seedSessionStatus, "session status %q after the update, want %q", sessions[i].Status, seedSessionStatus)
			}
			return ck.err()
		}},
		step{"read-order", func() error {
			got, ck, err := readBack(ctx, c, t, order)
			if err != nil {
				return err
			}
			ck.that(got.TotalSum.IsString(), "read answered totalSum %s as a number; recorded reads have a string", got.TotalSum.Raw)
			ck.that(got.TotalSum.Cents == order.TotalSum.Cents, "totalSum %s, want %s", got.TotalSum, order.TotalSum)
			ck.that(got.StatusIdentifier != "", "no statusIdentifier")
			item, ok := got.FormValue(plan.tickets.Marker)
			ck.that(ok, "the order has no %s value", plan.tickets.Marker)
			if ok {
				values, _ := item.Value.([]any)
				ck.that(slices.Contains(values, any(ticket.ID)), "the order's %s value %v lacks %s", plan.tickets.Marker, item.Value, ticket.ID)
			}
			if env.ExactState() {
				ck.that(got.StatusIdentifier == t.seed.defaultStatus, "status %q, want the storage default %q", got.StatusIdentifier, t.seed.defaultStatus)
			}
			return ck.err()
		}},
		step{"list-my-orders", func() error {
			found, total, err := findID(orderPages(ctx, c, t.StorageMarker), order.ID)
			if err != nil {
				return err
			}
			var ck checks
			ck.that(found, "order %d not among the user's %d orders", order.ID, total)
			if env.ExactState() {
				ck.that(total == 1, "the user has %d orders, want 1", total)
			}
			return ck.err()
		}},
	)
}
