package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/datetime"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/socketio"
	"github.com/oneentry-mock/oneentry-mock/webhook"
)

// The operator's actions on a sandbox. The admin API and the dashboard both call these, so
// the two cannot drift apart.

// PaymentAction does on a payment session what the simulated provider's buyer would
// (complete, decline, cancel or expire), whoever owns it.
func (sb *Sandbox) PaymentAction(ctx context.Context, sessionID int, action string) (store.PaymentSession, store.Order, error) {
	a, err := store.ParsePaymentAction(action)
	if err != nil {
		return store.PaymentSession{}, store.Order{}, err
	}
	return sb.Store().ApplyPaymentAction(ctx, sessionID, a)
}

// ClockInput changes the sandbox's clock: its parts apply in the order Reset, Set (an RFC 3339
// time), Advance (a Go duration), then Freeze (true stops the clock, false lets it run).
type ClockInput struct {
	Reset   bool
	Set     string
	Advance string
	Freeze  *bool
}

// SetClock changes the clock and expires at once the sessions the new time makes overdue.
func (sb *Sandbox) SetClock(ctx context.Context, in ClockInput) error {
	change := store.ClockChange{Reset: in.Reset, Freeze: in.Freeze}
	if in.Set != "" {
		t, err := datetime.Parse(in.Set)
		if err != nil {
			return store.Invalid("set: " + err.Error())
		}
		change.Set = &t
	}
	if in.Advance != "" {
		d, err := time.ParseDuration(in.Advance)
		if err != nil {
			return store.Invalid("advance must be a Go duration such as 90s or 2h")
		}
		change.Advance = d
	}
	if _, err := sb.Store().Clock().Apply(change); err != nil {
		return err
	}
	sb.changed()
	return sb.Store().SweepExpired(ctx)
}

// AddFault checks a fault rule and starts applying it.
func (sb *Sandbox) AddFault(rule FaultRule) (FaultRule, error) {
	if err := rule.Validate(); err != nil {
		return FaultRule{}, err
	}
	// A rule is state a reset empties, up to 64 KiB of it: refused above the memory limit
	// like every write that adds state.
	if err := sb.reg.memory.check(); err != nil {
		return FaultRule{}, err
	}
	added, err := sb.faults.Add(rule, time.Now().UTC())
	if err == nil {
		sb.changed()
	}
	return added, err
}

// RemoveFault stops applying a fault rule.
func (sb *Sandbox) RemoveFault(id string) error {
	if !sb.faults.Remove(id) {
		return store.Errorf(store.CodeNotFound, "No fault rule %q", id)
	}
	sb.changed()
	return nil
}

// importAdmitted marks the context of an import AdmitImport let in.
type importAdmitted struct{}

// AdmitImport waits until no other state import is being read, and returns a context that
// carries the admission (an ImportState under it does not wait again) and its release. One
// document is read and decoded at a time, over every sandbox: each costs several times its size
// in memory, and uploads that others leave unfinished must not add up to the memory limit and
// refuse every sandbox's writes. The others wait unread. A caller that reads the document
// before ImportState does (the dashboard's form) is admitted first.
func (r *Registry) AdmitImport(ctx context.Context) (context.Context, func(), error) {
	if ctx.Value(importAdmitted{}) != nil {
		return ctx, func() {}, nil
	}
	select {
	case r.importing <- struct{}{}:
		return context.WithValue(ctx, importAdmitted{}, true), func() { <-r.importing }, nil
	case <-ctx.Done(): // the client went away, or the server is shutting down
		return ctx, nil, store.Errorf(store.CodeConflict, "state document: given up waiting for another state import to finish")
	}
}

// ImportState replaces the sandbox's state with a document exported from this or another
// sandbox. Like every write that can add state, it is refused while the process is above its
// memory limit: a document as large as the body limit allows would otherwise grow the heap
// past any bound, one sandbox after another.
func (sb *Sandbox) ImportState(ctx context.Context, r io.Reader) error {
	ctx, release, err := sb.reg.AdmitImport(ctx)
	if err != nil {
		return err
	}
	defer release()
	if err := sb.reg.memory.check(); err != nil {
		return err
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return store.Invalid("state document: could not read it: " + err.Error())
	}
	// The schema check below reads these bytes too, and would refuse a byte order mark.
	data = store.BlankBOM(data)
	doc, err := store.DecodeStateDocument(data)
	if err != nil {
		return err
	}
	if err := checkStateSchema(ctx, data); err != nil {
		return err
	}
	if err := sb.Store().Import(ctx, doc); err != nil {
		return err
	}
	sb.sockets.DropStrangers()
	sb.reg.memory.freed()
	// The document's clock may stand past a waiting session's deadline: it expires now, as
	// after a move of the clock. The import stands if that cannot be saved; the next request
	// sweeps again and reports the failure.
	_ = sb.Store().SweepExpired(ctx)
	sb.changed()
	return nil
}

// Redeliver sends a logged webhook delivery again and returns the new delivery's id.
func (sb *Sandbox) Redeliver(id string) (string, error) {
	sb.mu.Lock()
	disp := sb.dispatch
	sb.mu.Unlock()
	if disp == nil {
		return "", store.Errorf(store.CodeNotFound, "No webhook delivery %q", id)
	}
	newID, err := disp.Redeliver(id)
	if errors.Is(err, webhook.ErrUnknownDelivery) {
		return "", store.Errorf(store.CodeNotFound, "No webhook delivery %q", id)
	}
	return newID, err
}

// Catalog returns the products the sandbox's content API serves.
func (sb *Sandbox) Catalog() *store.Catalog {
	return sb.reg.Fixtures().Catalog(sb.reg.opts.Profile.SiteProducts)
}

// ProductEvent is an event about a product fired at its subscribers, as the shop fires one
// when a price or a status changes.
type ProductEvent struct {
	Marker    string `json:"event"`
	ProductID int    `json:"productId"`
	Message   string `json:"message"`
	// Subscribers is how many users are subscribed to the event for the product; Delivered
	// how many of their open sockets it was sent to.
	Subscribers int `json:"subscribers"`
	Delivered   int `json:"delivered"`
}

// FireProductEvent pushes the event named by ev.Marker about ev.ProductID to the sockets of
// every user subscribed to it (Events.subscribeByMarker), each in the language they
// subscribed in, under the event's marker as the Socket.IO event name.
func (sb *Sandbox) FireProductEvent(ev ProductEvent) (ProductEvent, error) {
	if ev.Marker == "" {
		return ev, store.Invalid("marker should not be empty")
	}
	if socketio.ReservedEvent(ev.Marker) {
		return ev, store.Invalid(fmt.Sprintf("%q is a name Socket.IO keeps for itself: no socket can receive an event of that name", ev.Marker))
	}
	catalog := sb.Catalog()
	if !catalog.Has(ev.ProductID) {
		return ev, store.Errorf(store.CodeNotFound, "Product with id %d not found", ev.ProductID)
	}
	subs := sb.Store().Subscribers(ev.Marker, ev.ProductID)
	ev.Subscribers, ev.Delivered = len(subs), 0
	for _, sub := range subs {
		notice, ok := catalog.ProductNotice(ev.ProductID, sub.Locale, ev.Message)
		if !ok {
			continue
		}
		data, err := json.Marshal(notice)
		if err != nil {
			return ev, err
		}
		login, ok := sb.Store().LoginOf(sub.UserID)
		if !ok {
			continue
		}
		n, err := sb.sockets.Emit(sub.UserID, login, ev.Marker, data)
		if err != nil {
			return ev, err
		}
		ev.Delivered += n
	}
	return ev, nil
}

// Changes identifies the sandbox's state as far as an observer can see it: when two calls
// return the same value, nothing the dashboard shows has changed in between, except the
// running clock.
type Changes struct {
	Sandbox, Journal, Webhooks uint64
	Faults                     int
}

// Changes returns the sandbox's current Changes.
func (sb *Sandbox) Changes() Changes {
	c := Changes{Sandbox: sb.changes.Load(), Journal: sb.journal.Seq()}
	sb.mu.Lock()
	disp := sb.dispatch
	sb.mu.Unlock()
	if disp != nil {
		c.Webhooks = disp.Changes()
	}
	for _, f := range sb.faults.List() {
		c.Faults += 1 + f.Matched
	}
	return c
}

func (sb *Sandbox) changed() { sb.changes.Add(1) }

// checkStateSchema holds a state document to the admin contract's StateDocument, the schema of
// what an export answers: a required list left out or null, a user's state that is no object or
// a form value without its value would otherwise import as something else (an empty list,
// false), and the content API would then answer off its own contract.
func checkStateSchema(ctx context.Context, data []byte) error {
	var v any
	_ = json.Unmarshal(data, &v) // valid JSON: the document decoded
	violations, err := contracts.CheckAdminSchema(ctx, "StateDocument", v)
	if err != nil {
		return fmt.Errorf("state document: %w", err)
	}
	if len(violations) == 0 {
		return nil
	}
	msgs := make([]string, len(violations))
	for i, viol := range violations {
		msgs[i] = "state document: " + fieldPath(viol.Pointer) + ": " + viol.Reason
	}
	return store.Invalid(msgs...)
}

// fieldPath writes a JSON pointer as the store's import errors name a field:
// /users/0/isActive as users[0].isActive.
func fieldPath(pointer string) string {
	var b strings.Builder
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		if _, err := strconv.Atoi(tok); err == nil {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}
