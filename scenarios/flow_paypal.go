package scenarios

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/oneentry-mock/oneentry-mock/client"
)

// PayPal polling as OneEntry's front-end rules do it: the session's URL appears some time
// after createSession answers, so poll getSessionByOrderId, four times 1.5 s apart.
const (
	paypalAccount   = "paypal"
	paypalPolls     = 4
	paypalPollEvery = 1500 * time.Millisecond
)

// PayPalPolling is OneEntry's front-end recipe for PayPal: order with the PayPal account, call
// no createSession, and poll the order's sessions until the provider's session carries a
// payment URL; on the mock by moving its clock, elsewhere by waiting as a front end does.
func PayPalPolling() Flow {
	return clientFlow("paypal-polling", "after a PayPal order, polling the order's sessions finds the provider's session and, a little later, its payment URL", runPayPalPolling)
}

func runPayPalPolling(ctx context.Context, env *Env, t *Target, c *client.Client) error {
	var plan *orderPlan
	var order *client.Order
	steps := prepareOrders(ctx, env, c, t.User, "login", &plan)
	steps = append(steps,
		step{"storage-offers-paypal", func() error {
			st, err := c.OrderStorage(ctx, t.StorageMarker)
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(st.PaymentAccountIdentifiers, func(a client.PaymentAccountRef) bool { return a.Identifier == paypalAccount }) {
				return env.Skip(fmt.Sprintf("storage %s offers no %s account", t.StorageMarker, paypalAccount))
			}
			return nil
		}},
		step{"order-with-paypal", func() error {
			in := plan.input(env, plan.options[0], 1)
			in.PaymentAccountIdentifier = paypalAccount
			var err error
			order, err = c.CreateOrder(ctx, t.StorageMarker, in)
			if err == nil {
				env.Created("order", t.StorageMarker, order.ID)
			}
			return err
		}},
		step{"poll-for-url", func() error {
			recorded := 0
			for i := range paypalPolls {
				if env.CanControlClock() {
					if err := env.AdvanceClock(ctx, paypalPollEvery); err != nil {
						return err
					}
				} else if err := sleep(ctx, paypalPollEvery); err != nil {
					return err
				}
				sessions, err := c.SessionsByOrder(ctx, order.ID)
				if err != nil {
					return err
				}
				if len(sessions) > 0 && sessions[0].ID != recorded {
					recorded = sessions[0].ID
					env.Created("payment-session", "", recorded)
				}
				if len(sessions) > 0 && deref(sessions[0].PaymentURL) != "" {
					env.Note("the URL appeared at poll %d", i+1)
					return nil
				}
			}
			if env.Strict() {
				return fmt.Errorf("no paymentUrl after %d polls %s apart", paypalPolls, paypalPollEvery)
			}
			env.Note("no paymentUrl after %d polls %s apart: a front end following OneEntry's recipe shows no payment link", paypalPolls, paypalPollEvery)
			return nil
		}},
	)
	return sequence(env, steps...)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// sleep waits d, or less when ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
