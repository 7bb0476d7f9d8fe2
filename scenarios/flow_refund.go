package scenarios

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/oneentry-mock/oneentry-mock/client"
)

// RefundRequest asks for a refund of a paid order: refused while the order is unpaid, one
// pending request at a time, withdrawn by the buyer, asked again and approved by the shop, whose
// approval e-mails the buyer that the tickets are canceled. Paying and approving take the mock's
// admin endpoints; elsewhere the flow stops after the unpaid refusal.
func RefundRequest() Flow {
	return clientFlow("refund-request", "a paid order's refund request: refused unpaid, one pending at a time, withdrawn, asked again, approved with an e-mail", runRefundRequest)
}

func runRefundRequest(ctx context.Context, env *Env, t *Target, c *client.Client) error {
	var (
		plan  *orderPlan
		order *client.Order
	)
	ticket := func() client.EntityOption { return plan.options[0] }
	product := func() map[int]int { return map[int]int{ticket().ProductID(): 1} }
	latest := func(want string) (*client.RefundRequest, error) {
		rs, err := c.Refunds(ctx, order.ID)
		if err != nil {
			return nil, err
		}
		if len(rs) == 0 {
			return nil, fmt.Errorf("order %d has no refund requests", order.ID)
		}
		if rs[0].Status != want {
			return &rs[0], fmt.Errorf("newest refund request is %s, want %s", rs[0].Status, want)
		}
		return &rs[0], nil
	}
	admin := func(path string) ([]byte, error) {
		status, body, err := t.adminRequest(ctx, http.MethodPost, path, t.AppToken, nil)
		if err == nil && status != http.StatusOK {
			err = fmt.Errorf("POST %s answered %d: %s", path, status, body)
		}
		return body, err
	}
	steps := prepareOrders(ctx, env, c, t.User, "login", &plan)
	steps = append(steps,
		step{"create-order", func() error {
			var err error
			order, err = plan.createOrder(ctx, env, c, ticket(), 2)
			return err
		}},
		step{"refund-unpaid", func() error {
			ok, err := c.CreateRefundRequest(ctx, order.ID, product(), "")
			if err == nil && !ok {
				return fmt.Errorf("refund of the unpaid order %d answered false, not an error", order.ID)
			}
			_, err = refusal(env, err, "refund an unpaid order", http.StatusBadRequest)
			return err
		}},
	)
	if !t.Admin {
		steps = append(steps, step{"pay", func() error {
			env.Note("the target cannot be paid from a flow (no mock admin endpoints): the refund of a paid order is not tried")
			return nil
		}})
		return sequence(env, steps...)
	}
	steps = append(steps,
		step{"pay", func() error {
			s, err := c.CreateSession(ctx, order.ID, client.SessionTypeSession, false)
			if err != nil {
				return err
			}
			env.Created("payment-session", "", s.ID)
			_, err = admin(fmt.Sprintf("/__admin/payments/sessions/%d/complete", s.ID))
			return err
		}},
		step{"request-refund", func() error {
			ok, err := c.CreateRefundRequest(ctx, order.ID, product(), "cannot come")
			if err != nil {
				return err
			}
			r, err := latest("pending")
			if err != nil {
				return err
			}
			var ck checks
			ck.that(ok, "createRefundRequest answered false")
			ck.that(r.Products[fmt.Sprint(ticket().ProductID())].Quantity == 1, "products %v, want one of product %d", r.Products, ticket().ProductID())
			ck.that(r.Amount.Cents*2 == order.TotalSum.Cents, "amount %s, want half of the order's %s", r.Amount, order.TotalSum)
			ck.that(r.Note == "cannot come", "note %q", r.Note)
			return ck.err()
		}},
		step{"second-request-refused", func() error {
			_, err := c.CreateRefundRequest(ctx, order.ID, product(), "")
			_, err = refusal(env, err, "a second pending refund request", http.StatusConflict)
			return err
		}},
		step{"cancel", func() error {
			if err := answeredTrue("cancelRefundRequest")(c.CancelRefundRequest(ctx, order.ID)); err != nil {
				return err
			}
			_, err := latest("canceled")
			return err
		}},
		step{"request-again-and-approve", func() error {
			if _, err := c.CreateRefundRequest(ctx, order.ID, product(), ""); err != nil {
				return err
			}
			r, err := latest("pending")
			if err != nil {
				return err
			}
			if _, err := admin(fmt.Sprintf("/__admin/refunds/%d/approve", r.ID)); err != nil {
				return err
			}
			_, err = latest("approved")
			return err
		}},
		step{"cancellation-mail", func() error {
			status, body, err := t.adminRequest(ctx, http.MethodGet, "/__admin/mail?to="+url.QueryEscape(t.User.Login), t.AppToken, nil)
			if err != nil {
				return err
			}
			var box struct {
				Messages []struct {
					Subject string `json:"subject"`
				} `json:"messages"`
			}
			if status != http.StatusOK || json.Unmarshal(body, &box) != nil {
				return fmt.Errorf("GET /__admin/mail answered %d: %s", status, body)
			}
			want := fmt.Sprintf("Your tickets are canceled: order #%d", order.ID)
			for _, m := range box.Messages {
				if strings.HasPrefix(m.Subject, want) {
					return nil
				}
			}
			return fmt.Errorf("no e-mail %q among %d to %s", want, len(box.Messages), t.User.Login)
		}},
	)
	return sequence(env, steps...)
}
