package scenarios

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/oneentry-mock/oneentry-mock/client"
)

const (
	// unknownProductID is a product id no project is expected to have.
	unknownProductID = 2147483000
	// unknownStorage is an order storage marker no project is expected to have.
	unknownStorage = "oneentry-mock-scenarios-no-such-storage"
)

// prepareOrders is the common start of flows that place orders: log in as cred, read the form,
// choose a ticket and a slot.
func prepareOrders(ctx context.Context, env *Env, c *client.Client, cred Credentials, loginStep string, plan **orderPlan) []step {
	return []step{
		{loginStep, func() error {
			_, err := login(ctx, env, c, cred)
			return err
		}},
		{"read-form", func() error {
			p, err := readOrderForm(ctx, env, c)
			*plan = p
			return err
		}},
		{"choose-slot", func() error { return (*plan).chooseSlot(ctx, env) }},
	}
}

// OrderValidation sends orders the API must refuse: an unknown product, a zero quantity, a
// missing required form field and an unknown storage.
func OrderValidation() Flow {
	return clientFlow("order-validation", "orders with an unknown product, zero quantity, a missing required field or an unknown storage are refused", runOrderValidation)
}

func runOrderValidation(ctx context.Context, env *Env, t *Target, c *client.Client) error {
	var plan *orderPlan
	// refused sends in and checks the refusal; an order that is created anyway is recorded so it
	// can be found on a live project.
	refused := func(storage string, in client.OrderInput, call string, want int) (*client.APIError, error) {
		order, err := c.CreateOrder(ctx, storage, in)
		if err == nil {
			env.Created("order", storage, order.ID)
		}
		return refusal(env, err, call, want)
	}
	steps := prepareOrders(ctx, env, c, t.User, "login", &plan)
	steps = append(steps,
		step{"unknown-product", func() error {
			in := plan.input(env, plan.options[0], 1)
			in.Products[0].ProductID = unknownProductID
			apiErr, err := refused(t.StorageMarker, in, "order an unknown product", http.StatusBadRequest)
			if err != nil || !env.Strict() {
				return err
			}
			var ck checks
			ck.that(strings.Contains(apiErr.Message, fmt.Sprint(unknownProductID)), "message %q does not name product %d", apiErr.Message, unknownProductID)
			return ck.err()
		}},
		step{"zero-quantity", func() error {
			in := plan.input(env, plan.options[0], 0)
			apiErr, err := refused(t.StorageMarker, in, "order zero tickets", http.StatusBadRequest)
			if err != nil || !env.Strict() {
				return err
			}
			var ck checks
			ck.that(strings.Contains(apiErr.Message, "quantity"), "message %q does not name the quantity", apiErr.Message)
			return ck.err()
		}},
		step{"missing-required-field", func() error {
			in := plan.input(env, plan.options[0], 1)
			in.FormData = slices.DeleteFunc(in.FormData, func(i client.FormDataItem) bool { return i.Marker == plan.tickets.Marker })
			apiErr, err := refused(t.StorageMarker, in, "order without "+plan.tickets.Marker, http.StatusBadRequest)
			if err != nil || !env.Strict() {
				return err
			}
			want := "required values are missing or incorrect: " + plan.tickets.Marker
			var ck checks
			ck.that(slices.Contains(apiErr.Messages, want), "messages %q lack %q", apiErr.Messages, want)
			return ck.err()
		}},
		step{"unknown-storage", func() error {
			_, err := refused(unknownStorage, plan.input(env, plan.options[0], 1), "order in an unknown storage", http.StatusNotFound)
			return err
		}},
	)
	return sequence(env, steps...)
}

// Isolation checks that a second user can neither read nor pay the first user's order, nor see
// its payment session.
func Isolation() Flow {
	return targetFlow("isolation", "a second user cannot read the first user's order or payment session", runIsolation)
}

func runIsolation(ctx context.Context, env *Env, t *Target) error {
	if t.User2.IsZero() {
		return env.Skip(fmt.Sprintf("needs a second user: set %s and %s", EnvUser2Email, EnvUser2Password))
	}
	c1, err := env.Client()
	if err != nil {
		return err
	}
	c2, err := env.Client()
	if err != nil {
		return err
	}
	var (
		plan    *orderPlan
		order   *client.Order
		session *client.PaymentSession
	)
	steps := prepareOrders(ctx, env, c1, t.User, "login-user-1", &plan)
	steps = append(steps,
		step{"user-1-creates-order", func() error {
			order, err = plan.createOrder(ctx, env, c1, plan.options[0], 1)
			return err
		}},
		step{"user-1-opens-session", func() error {
			session, err = c1.CreateSession(ctx, order.ID, client.SessionTypeSession, false)
			if err == nil {
				env.Created("payment-session", "", session.ID)
			}
			return err
		}},
		step{"login-user-2", func() error {
			_, err := login(ctx, env, c2, t.User2)
			return err
		}},
		step{"user-2-cannot-read-order", func() error {
			_, err := c2.Order(ctx, t.StorageMarker, order.ID)
			_, err = refusal(env, err, "user 2 reads user 1's order", http.StatusNotFound)
			return err
		}},
		step{"user-2-cannot-read-session", func() error {
			var ck checks
			_, err := c2.Session(ctx, session.ID)
			if _, err := refusal(env, err, "user 2 reads user 1's session", http.StatusNotFound); err != nil {
				ck.errs = append(ck.errs, err)
			}
			_, err = c2.SessionsByOrder(ctx, order.ID)
			if _, err := refusal(env, err, "user 2 reads the sessions of user 1's order", http.StatusNotFound); err != nil {
				ck.errs = append(ck.errs, err)
			}
			return ck.err()
		}},
		step{"user-2-cannot-pay-order", func() error {
			s, err := c2.CreateSession(ctx, order.ID, client.SessionTypeSession, false)
			if err == nil {
				env.Created("payment-session", "", s.ID)
			}
			_, err = refusal(env, err, "user 2 opens a session for user 1's order", http.StatusNotFound)
			return err
		}},
		step{"user-2-lists-exclude-them", func() error {
			var ck checks
			found, _, err := findID(orderPages(ctx, c2, t.StorageMarker), order.ID)
			if err != nil {
				return err
			}
			ck.that(!found, "user 1's order %d is listed for user 2", order.ID)
			found, _, err = findID(sessionPages(ctx, c2), session.ID)
			if err != nil {
				return err
			}
			ck.that(!found, "user 1's session %d is listed for user 2", session.ID)
			return ck.err()
		}},
		step{"user-1-still-reads-order", func() error {
			_, ck, err := readBack(ctx, c1, t, order)
			if err != nil {
				return err
			}
			return ck.err()
		}},
	)
	return sequence(env, steps...)
}

// paginationOrders is how many orders (each with a session) the pagination flow creates; with
// pages of paginationLimit they fill more than one page.
const (
	paginationOrders = 3
	paginationLimit  = 2
	// maxPages bounds a walk through a live user's lists; past it, presence is not checked.
	maxPages = 25
)

// Pagination creates a few orders with a payment session each, then pages through the user's
// orders and sessions: page sizes, totals, no item on two pages, the flow's own items present
// once the walk has covered the list, an empty page past the end, and limits outside the
// documented range.
func Pagination() Flow {
	return clientFlow("pagination", "offset and limit over the user's orders and payment sessions", runPagination)
}

func runPagination(ctx context.Context, env *Env, t *Target, c *client.Client) error {
	var err error
	var (
		plan                     *orderPlan
		orderIDs, sessIDs        []int
		orderTotal, sessionTotal int
	)
	listOrders, listSessions := orderPages(ctx, c, t.StorageMarker), sessionPages(ctx, c)
	steps := prepareOrders(ctx, env, c, t.User, "login", &plan)
	steps = append(steps,
		step{"create-orders", func() error {
			for i := range paginationOrders {
				option := plan.options[i%len(plan.options)]
				o, err := plan.createOrder(ctx, env, c, option, i+1)
				if err != nil {
					return err
				}
				orderIDs = append(orderIDs, o.ID)
			}
			return nil
		}},
		step{"create-sessions", func() error {
			for _, id := range orderIDs {
				s, err := c.CreateSession(ctx, id, client.SessionTypeSession, false)
				if err != nil {
					return err
				}
				env.Created("payment-session", "", s.ID)
				sessIDs = append(sessIDs, s.ID)
			}
			return nil
		}},
		step{"page-orders", func() error {
			orderTotal, err = walkPages(env, listOrders, "orders", orderIDs)
			return err
		}},
		step{"page-sessions", func() error {
			sessionTotal, err = walkPages(env, listSessions, "sessions", sessIDs)
			return err
		}},
		step{"offset-past-end", func() error {
			var ck checks
			ids, total, err := listOrders(orderTotal, paginationLimit)
			if err != nil {
				return err
			}
			ck.that(len(ids) == 0, "orders at offset %d (the total): %v, want none", orderTotal, ids)
			ck.that(total == orderTotal, "orders total %d at the end, want %d", total, orderTotal)
			ids, total, err = listSessions(sessionTotal, paginationLimit)
			if err != nil {
				return err
			}
			ck.that(len(ids) == 0, "sessions at offset %d (the total): %v, want none", sessionTotal, ids)
			ck.that(total == sessionTotal, "sessions total %d at the end, want %d", total, sessionTotal)
			return ck.err()
		}},
		step{"page-out-of-range", func() error {
			// The contract documents offset ≥ 0 and limit 1…100; the live API's bounds are
			// unknown, so outside the mock the answers are only recorded.
			env.ExpectInvalidRequest()
			var ck checks
			probe := func(call string, err error) {
				if !env.Strict() {
					switch status := statusOf(err); {
					case err == nil:
						env.Note("%s: accepted", call)
					case status == 0:
						ck.errs = append(ck.errs, fmt.Errorf("%s: %w", call, err))
					default:
						env.Note("%s: status %d", call, status)
					}
					return
				}
				if _, err := exactRefusal(err, call, http.StatusBadRequest); err != nil {
					ck.errs = append(ck.errs, err)
				}
			}
			_, _, err := listOrders(0, 0)
			probe("orders with limit=0", err)
			_, _, err = listOrders(-1, paginationLimit)
			probe("orders with offset=-1", err)
			_, _, err = listSessions(0, 101)
			probe("sessions with limit=101", err)
			return ck.err()
		}},
	)
	return sequence(env, steps...)
}

// walkPages pages through a list with paginationLimit and checks every page; it returns the
// list's total. mine are the ids the flow created: once the walk covers the whole list they
// must all be on it, and on a fresh mock they are the whole list, newest first.
func walkPages(env *Env, list pager, what string, mine []int) (int, error) {
	var (
		ck       checks
		total    int
		seen     []int
		complete bool
	)
	for page := range maxPages {
		offset := page * paginationLimit
		ids, tot, err := list(offset, paginationLimit)
		if err != nil {
			return 0, err
		}
		if page == 0 {
			total = tot
		}
		ck.that(tot == total, "%s total changed from %d to %d while paging", what, total, tot)
		want := min(paginationLimit, max(total-offset, 0))
		ck.that(len(ids) == want, "%s page at offset %d has %d items, want %d of %d", what, offset, len(ids), want, total)
		for _, id := range ids {
			ck.that(!slices.Contains(seen, id), "%s id %d is on two pages", what, id)
			seen = append(seen, id)
		}
		if offset+paginationLimit >= total || len(ids) == 0 {
			complete = true
			break
		}
	}
	switch {
	case !complete:
		env.Note("the user has %d %s; only the first %d pages were walked", total, what, maxPages)
	default:
		for _, id := range mine {
			ck.that(slices.Contains(seen, id), "%s id %d created by the flow is on no page", what, id)
		}
	}
	if env.ExactState() {
		newestFirst := slices.Clone(mine)
		slices.Reverse(newestFirst)
		ck.that(total == len(mine), "%s total %d, want %d", what, total, len(mine))
		ck.that(slices.Equal(seen, newestFirst), "%s pages %v, want %v (newest first)", what, seen, newestFirst)
	}
	return total, ck.err()
}
