package scenarios

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/oneentry-mock/oneentry-mock/client"
	"github.com/oneentry-mock/oneentry-mock/schedule"
)

// All returns every flow, in the order a full run executes them.
func All() []Flow {
	return []Flow{
		TicketPurchase(),
		TokenRefresh(),
		AuthFailures(),
		OrderValidation(),
		Isolation(),
		Pagination(),
		GuestCartOrder(),
		PayPalPolling(),
		SignUpCode(),
		ForgotPassword(),
		ContactForm(),
		RefundRequest(),
		Browse(),
	}
}

// Select returns the flows with the given names, in the order given; no names means All.
func Select(names ...string) ([]Flow, error) {
	all := All()
	if len(names) == 0 {
		return all, nil
	}
	out := make([]Flow, 0, len(names))
	for _, name := range names {
		i := slices.IndexFunc(all, func(f Flow) bool { return f.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("unknown flow %q (flows: %s)", name, strings.Join(Names(), ", "))
		}
		out = append(out, all[i])
	}
	return out, nil
}

// Names returns the names of all flows.
func Names() []string {
	var names []string
	for _, f := range All() {
		names = append(names, f.Name)
	}
	return names
}

// step is one entry of a sequence of steps.
type step struct {
	name string
	fn   func() error
}

// sequence runs steps in order. A step that fails stops it, returning the step's error; a step
// that skips while others follow stops it too and skips the flow, since later steps build on
// what it would have done. The steps it then does not run are listed as not run, so a report
// names the same steps whether the flow passed or not.
func sequence(env *Env, steps ...step) error {
	for i, s := range steps {
		done, err := env.step(s.name, s.fn)
		rest := steps[i+1:]
		switch {
		case err != nil:
			env.notRun(stepNames(rest), fmt.Sprintf("not run: step %s failed", done.Name))
			return err
		case done.Status == StatusSkipped && len(rest) > 0:
			env.notRun(stepNames(rest), fmt.Sprintf("not run: step %s was skipped", done.Name))
			return env.Skip(done.SkipReason)
		}
	}
	return nil
}

func stepNames(steps []step) []string {
	names := make([]string, len(steps))
	for i, s := range steps {
		names[i] = s.name
	}
	return names
}

// checks collects failed expectations of one step, so a step reports all of them at once.
type checks struct{ errs []error }

func (c *checks) that(ok bool, format string, args ...any) {
	if !ok {
		c.errs = append(c.errs, fmt.Errorf(format, args...))
	}
}

func (c *checks) err() error { return errors.Join(c.errs...) }

// shown formats a value of an answer for a message as the JSON it stands for: %v would print
// the address of a pointer field (an optional string) and the bytes of raw JSON.
func shown(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%+v", v)
	}
	return string(b)
}

// login logs cred in on c and checks the answer's shape.
func login(ctx context.Context, env *Env, c *client.Client, cred Credentials) (*client.AuthResult, error) {
	t := env.Target
	res, err := c.Auth(ctx, t.AuthProvider, authRequest(t, cred))
	if err != nil {
		return nil, err
	}
	var ck checks
	ck.that(res.AccessToken != "", "no accessToken")
	ck.that(res.RefreshToken != "", "no refreshToken")
	ck.that(strings.EqualFold(res.UserIdentifier, cred.Login), "userIdentifier %q, want %q", res.UserIdentifier, cred.Login)
	ck.that(res.AuthProviderIdentifier == t.AuthProvider, "authProviderIdentifier %q, want %q", res.AuthProviderIdentifier, t.AuthProvider)
	return res, ck.err()
}

// refusal checks that err is the API refusing a call with status want. On this mock the
// status must be exactly want; elsewhere (where no recording or documentation shows the live
// status) any 4xx passes and a different one is noted. A call that succeeded is an error.
func refusal(env *Env, err error, call string, want int) (*client.APIError, error) {
	if err == nil {
		return nil, fmt.Errorf("%s succeeded; want status %d", call, want)
	}
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) {
		return nil, fmt.Errorf("%s: %w", call, err)
	}
	switch {
	case apiErr.StatusCode == want:
	case env.Strict():
		return apiErr, fmt.Errorf("%s answered %d (%s); want %d", call, apiErr.StatusCode, apiErr.Message, want)
	case apiErr.StatusCode >= 400 && apiErr.StatusCode < 500:
		env.Note("%s answered %d where the mock answers %d", call, apiErr.StatusCode, want)
	default:
		return apiErr, fmt.Errorf("%s answered %d (%s); want a 4xx refusal", call, apiErr.StatusCode, apiErr.Message)
	}
	return apiErr, nil
}

// answeredTrue checks the answer of a call that confirms with a boolean:
// answeredTrue("activate")(c.ActivateUser(...)) fails unless the call answered true.
func answeredTrue(call string) func(bool, error) error {
	return func(ok bool, err error) error {
		if err == nil && !ok {
			return fmt.Errorf("%s answered false", call)
		}
		return err
	}
}

// refusedFresh checks that call, made on a client holding no tokens, is refused with status
// want (see refusal): a client holding tokens would answer a 401 by refreshing first.
func refusedFresh(env *Env, what string, want int, call func(c *client.Client) error) error {
	c, err := env.Client()
	if err != nil {
		return err
	}
	_, err = refusal(env, call(c), what, want)
	return err
}

// exactRefusal is refusal for statuses a recording or the platform's documentation shows for
// the live API, so every target must answer exactly want.
func exactRefusal(err error, call string, want int) (*client.APIError, error) {
	if err == nil {
		return nil, fmt.Errorf("%s succeeded; want status %d", call, want)
	}
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) {
		return nil, fmt.Errorf("%s: %w", call, err)
	}
	if apiErr.StatusCode != want {
		return apiErr, fmt.Errorf("%s answered %d (%s); want %d", call, apiErr.StatusCode, apiErr.Message, want)
	}
	return apiErr, nil
}

// orderPlan is what a flow needs to place valid orders: the form's ticket field and schedule
// field, a ticket and a slot.
type orderPlan struct {
	form     *client.Form
	tickets  *client.FormAttribute
	options  []client.EntityOption
	schedule *client.FormAttribute // nil when the form has no timeInterval field
	slot     schedule.Slot
}

// readBack reads order through c and checks that the answer is that order; the caller adds
// its own checks before reporting them.
func readBack(ctx context.Context, c *client.Client, t *Target, order *client.Order) (*client.Order, checks, error) {
	got, err := c.Order(ctx, t.StorageMarker, order.ID)
	if err != nil {
		return nil, checks{}, err
	}
	var ck checks
	ck.that(got.ID == order.ID, "order id %d, want %d", got.ID, order.ID)
	return got, ck, nil
}

// readOrderForm reads the storage's form and finds its ticket (entity with products) and
// schedule (timeInterval) fields.
func readOrderForm(ctx context.Context, env *Env, c *client.Client) (*orderPlan, error) {
	t := env.Target
	form, err := c.Form(ctx, t.FormMarker)
	if err != nil {
		return nil, err
	}
	p := &orderPlan{form: form}
	for i := range form.Attributes {
		a := &form.Attributes[i]
		switch {
		case a.Type == "entity" && p.tickets == nil && len(a.EntityOptions()) > 0:
			p.tickets, p.options = a, a.EntityOptions()
		case a.Type == "timeInterval" && p.schedule == nil:
			p.schedule = a
		}
	}
	var ck checks
	ck.that(form.Identifier == t.FormMarker, "form identifier %q, want %q", form.Identifier, t.FormMarker)
	ck.that(p.tickets != nil, "form %s has no entity field offering products", t.FormMarker)
	if env.Strict() {
		ck.that(p.schedule != nil, "form %s has no timeInterval field", t.FormMarker)
	}
	return p, ck.err()
}

// chooseSlot picks the first slot of the schedule after the target's now, or the last slot when
// the whole schedule lies in the past (the seed's schedule ends in March 2026); on a target whose
// clock the flow controls, the clock then moves back before that slot for the flow's duration.
func (p *orderPlan) chooseSlot(ctx context.Context, env *Env) error {
	if p.schedule == nil {
		env.Note("the form has no timeInterval field; orders carry no slot")
		return nil
	}
	now, err := env.Now(ctx)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(p.schedule.LocalizeInfos.Value.Intervals)
	if err != nil {
		return err
	}
	sched, err := schedule.Parse(raw)
	if err != nil {
		return fmt.Errorf("schedule of %s: %w", p.schedule.Marker, err)
	}
	// In UTC, as the JS SDK (1.0.137+) computes slots from the schedule's hours and as the mock
	// checks them.
	opts := schedule.Options{Location: time.UTC}
	if slot, ok := sched.Next(now, opts); ok {
		p.slot = slot
		env.Note("slot %s: the first after %s", slot, now.Format("2006-01-02T15:04:05Z07:00"))
		return nil
	}
	slots := sched.Slots(opts)
	if len(slots) == 0 {
		return fmt.Errorf("the schedule of %s offers no slot at all", p.schedule.Marker)
	}
	p.slot = slots[len(slots)-1]
	env.Note("slot %s: the schedule has no slot after %s, so its last one", p.slot, now.Format("2006-01-02T15:04:05Z07:00"))
	if env.CanControlClock() {
		// A mock that refuses slots which have already started would reject it, so for the rest
		// of the flow its clock stands an hour before the slot (and goes back afterwards).
		back := p.slot.Start.Add(-time.Hour).Sub(now)
		if err := env.AdvanceClock(ctx, back); err != nil {
			return err
		}
		env.Note("moved the mock clock by %s, to an hour before the slot", back)
	}
	return nil
}

// input returns the body of an order for quantity of the ticket option, with the chosen slot.
func (p *orderPlan) input(env *Env, option client.EntityOption, quantity int) client.OrderInput {
	var data []client.FormDataItem
	if p.schedule != nil {
		v := p.slot.Value()
		data = append(data, client.FormDataItem{Marker: p.schedule.Marker, Type: "timeInterval", Value: [][]string{{v[0], v[1]}}})
	}
	data = append(data, client.FormDataItem{Marker: p.tickets.Marker, Type: "entity", Value: []string{option.ID}})
	return client.OrderInput{
		FormIdentifier:           p.form.Identifier,
		PaymentAccountIdentifier: env.Target.PaymentAccount,
		FormData:                 data,
		Products:                 []client.OrderProductInput{{ProductID: option.ProductID(), Quantity: quantity}},
	}
}

// createOrder places an order, records it as created and checks the create answer.
func (p *orderPlan) createOrder(ctx context.Context, env *Env, c *client.Client, option client.EntityOption, quantity int) (*client.Order, error) {
	storage := env.Target.StorageMarker
	order, err := c.CreateOrder(ctx, storage, p.input(env, option, quantity))
	if err != nil {
		return nil, err
	}
	env.Created("order", storage, order.ID)
	var ck checks
	ck.that(order.ID > 0, "order id %d", order.ID)
	ck.that(!order.TotalSum.IsString(), "create answered totalSum %s as a string; the recorded answer has a number", order.TotalSum.Raw)
	line := slices.IndexFunc(order.Products, func(l client.OrderProduct) bool { return l.EffectiveProductID() == option.ProductID() })
	ck.that(line >= 0, "order products %s lack product %d", shown(order.Products), option.ProductID())
	if line >= 0 {
		ck.that(order.Products[line].Quantity == quantity, "order quantity %d, want %d", order.Products[line].Quantity, quantity)
	}
	if p.schedule != nil {
		ck.that(p.hasSlot(order), "the order's %s value is not the chosen slot %s", p.schedule.Marker, p.slot)
	}
	return order, ck.err()
}

// hasSlot reports whether the order carries the chosen slot, which is how a flow recognises
// its own orders on a shared project.
func (p *orderPlan) hasSlot(o *client.Order) bool {
	item, ok := o.FormValue(p.schedule.Marker)
	if !ok {
		return false
	}
	raw, err := json.Marshal(item.Value)
	if err != nil {
		return false
	}
	// Compared as instants: a server may write the same time differently ("…:00Z").
	slots, err := schedule.ParseSubmitted(raw)
	return err == nil && len(slots) == 1 && slots[0].Start.Equal(p.slot.Start) && slots[0].End.Equal(p.slot.End)
}

// pager lists one page of a user's list: the ids on it and the list's total.
type pager func(offset, limit int) (ids []int, total int, err error)

// orderPages pages through the user's orders in the storage.
func orderPages(ctx context.Context, c *client.Client, storage string) pager {
	return func(offset, limit int) ([]int, int, error) {
		l, err := c.Orders(ctx, storage, offset, limit)
		if err != nil {
			return nil, 0, err
		}
		return idsOf(l.Items, func(o client.Order) int { return o.ID }), int(l.Total), nil
	}
}

// sessionPages pages through the user's payment sessions.
func sessionPages(ctx context.Context, c *client.Client) pager {
	return func(offset, limit int) ([]int, int, error) {
		l, err := c.Sessions(ctx, offset, limit)
		if err != nil {
			return nil, 0, err
		}
		return idsOf(l.Items, func(s client.PaymentSession) int { return s.ID }), int(l.Total), nil
	}
}

func idsOf[T any](items []T, id func(T) int) []int {
	ids := make([]int, len(items))
	for i, it := range items {
		ids[i] = id(it)
	}
	return ids
}

// findID pages through list (at most maxPages pages of limit) looking for id; total is the
// list's total as the last page read gave it.
func findID(list pager, id int) (found bool, total int, err error) {
	const limit, maxPages = 30, 10
	for page := 0; page < maxPages; page++ {
		ids, tot, err := list(page*limit, limit)
		if err != nil {
			return false, 0, err
		}
		total = tot
		if slices.Contains(ids, id) {
			return true, total, nil
		}
		if (page+1)*limit >= total || len(ids) == 0 {
			break
		}
	}
	return false, total, nil
}

// statusOf returns the HTTP status of an API error, 0 for anything else.
func statusOf(err error) int {
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode
	}
	return 0
}

// gone reports whether err says the route does not exist on the target.
func gone(err error) bool {
	s := statusOf(err)
	return s == http.StatusNotFound || s == http.StatusMethodNotAllowed
}

// targetFlow is a flow whose run gets the target; it makes the clients it needs itself.
func targetFlow(name, description string, run func(ctx context.Context, env *Env, t *Target) error) Flow {
	return Flow{Name: name, Description: description, Run: func(ctx context.Context, env *Env) error {
		return run(ctx, env, env.Target)
	}}
}

// clientFlow is a flow whose run gets the target and a client of its own, as most flows begin.
func clientFlow(name, description string, run func(ctx context.Context, env *Env, t *Target, c *client.Client) error) Flow {
	return targetFlow(name, description, func(ctx context.Context, env *Env, t *Target) error {
		c, err := env.Client()
		if err != nil {
			return err
		}
		return run(ctx, env, t, c)
	})
}
