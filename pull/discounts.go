package pull

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing/fstest"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/exchange"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// pullDiscounts adds the project's discounts to a set, read in each language, with the coupons
// named in Options.Coupons and the bonus the signed-in user was accrued. The API shows neither a discount's coupons nor whether it applies
// by itself, so a discount without a named coupon applies only on request (onRequest), which
// a note says: applied to every order, a discount the project gates by a coupon would lower
// totals where the project's do not, with nothing to show for it. A discount the mock cannot
// price (gifts, exclusions, a condition on a product the pull did not read) is left out with a
// note, rather than stop the pull.
func (w *walker) pullDiscounts(ctx context.Context, set *capsule.FixtureSet) error {
	vals := map[string]any{}
	for _, lang := range w.langs {
		items, err := w.list(ctx, "discounts", "/api/content/discounts", url.Values{"langCode": {lang}}, func(exchange.Exchange) {})
		if errors.Is(err, ErrNotFound) {
			w.note("discounts.json: GET /api/content/discounts answered 404; left out")
			return nil
		}
		if err != nil {
			return err
		}
		list := make([]any, 0, len(items))
		for _, raw := range items {
			v, err := capsule.DecodeOrdered(raw)
			if err != nil {
				return fmt.Errorf("pull: discounts: %w", err)
			}
			list = append(list, v)
		}
		vals[lang] = list
	}
	discounts, ok := mergeValues(w.langs, vals, nil).([]any)
	if !ok {
		w.note("discounts.json: the languages list different discounts; left out")
		return nil
	}
	if len(discounts) == 0 {
		return nil
	}
	known := store.APIFields(store.Discount{})
	for _, d := range discounts {
		m, ok := d.(*capsule.Object)
		if !ok {
			return errors.New("pull: discounts: an item is not an object")
		}
		for _, k := range slices.Clone(m.Keys) {
			if !slices.Contains(known, k) {
				m.Delete(k)
				w.note("discounts.json: field %q is not part of the fixture format and was left out", k)
			}
		}
	}
	if err := w.addCoupons(ctx, discounts); err != nil {
		return err
	}
	if err := w.addAccruals(ctx, set, discounts); err != nil {
		return err
	}
	for _, d := range discounts {
		m := d.(*capsule.Object)
		_, gated := m.Get("coupons")
		if kind, _ := m.Get("type"); !gated && kind != store.DiscountKindBonus {
			m.Set("onRequest", true)
			w.note("discounts.json: %q applies only to an order naming it in additionalDiscountsMarkers: the API does not show whether it applies by itself; name the coupons that gate it with --coupon", identifierOf(m))
		}
	}
	return w.keepLoadable(set, discounts)
}

// identifierOf is a discount's identifier, for the notes.
func identifierOf(d *capsule.Object) any {
	id, _ := d.Get("identifier")
	return id
}

// addCoupons asks the project about each coupon named in Options.Coupons and puts the ones it
// knows under their discounts, in the state the project gives them.
func (w *walker) addCoupons(ctx context.Context, discounts []any) error {
	for _, code := range w.opts.Coupons {
		e, err := w.do(ctx, "coupon "+code, http.MethodGet, "/api/content/discounts/coupons/validate", url.Values{"code": {code}}, nil)
		if err != nil {
			return err
		}
		var answer struct {
			Coupon *struct {
				store.Coupon
				DiscountID int `json:"discountId"`
			} `json:"coupon"`
			Error string `json:"error"`
		}
		if json.Unmarshal(e.ResponseBody, &answer) != nil || answer.Coupon == nil {
			w.note("discounts.json: coupon %q left out: the project answered %q", code, answer.Error)
			continue
		}
		c := answer.Coupon
		d := discountWithID(discounts, c.DiscountID)
		if d == nil {
			w.note("discounts.json: coupon %q left out: its discount %d is not listed", code, c.DiscountID)
			continue
		}
		coupons, _ := d.Get("coupons")
		list, _ := coupons.([]any)
		d.Set("coupons", append(list, c.Coupon))
	}
	return nil
}

// discountWithID returns the pulled discount of an id, nil when none has it.
func discountWithID(discounts []any, id int) *capsule.Object {
	for _, d := range discounts {
		m := d.(*capsule.Object)
		if n, _ := m.Get("id"); n == json.Number(strconv.Itoa(id)) {
			return m
		}
	}
	return nil
}

// addAccruals puts the bonus the signed-in user's history shows accrued under its BONUS
// discounts, so the user's balance and history start as the project's. What orders spent is
// the orders' part, which a pull does not copy: a note says so.
func (w *walker) addAccruals(ctx context.Context, set *capsule.FixtureSet, discounts []any) error {
	if w.access == "" {
		return nil
	}
	type user struct {
		ID         int    `json:"id"`
		Identifier string `json:"identifier"`
	}
	var users []user
	_ = json.Unmarshal(set.Files[capsule.FixtureUsers], &users)
	i := slices.IndexFunc(users, func(u user) bool { return strings.EqualFold(u.Identifier, w.opts.User) })
	if i < 0 {
		return nil
	}
	e, err := w.do(ctx, "bonus history", http.MethodGet, "/api/content/discounts/bonus-balance/history", nil, nil)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var history []struct {
		Type       string      `json:"type"`
		DiscountID *int        `json:"discountId"`
		Amount     json.Number `json:"amount"`
		Comment    string      `json:"comment"`
		CreatedAt  string      `json:"createdAt"`
	}
	if err := json.Unmarshal(e.ResponseBody, &history); err != nil {
		w.note("discounts.json: the bonus history is not a list of transactions; no bonus is copied")
		return nil
	}
	spent := false
	for _, tx := range history {
		if tx.Type != "ACCRUAL" || tx.DiscountID == nil {
			spent = spent || tx.Type == "USAGE"
			continue
		}
		d := discountWithID(discounts, *tx.DiscountID)
		if d == nil {
			continue
		}
		if kind, _ := d.Get("type"); kind != store.DiscountKindBonus {
			continue
		}
		accrual := &capsule.Object{Keys: []string{"userId", "amount", "date"}, Values: []any{users[i].ID, tx.Amount, tx.CreatedAt}}
		if tx.Comment != "" {
			accrual.Set("comment", tx.Comment)
		}
		accruals, _ := d.Get("accruals")
		list, _ := accruals.([]any)
		// The history is newest first; the fixtures list accruals as they happened.
		d.Set("accruals", append([]any{accrual}, list...))
	}
	if spent {
		w.note("discounts.json: %s spent bonus on orders, which are not copied: the pulled balance is what was accrued", w.opts.User)
	}
	return nil
}

// keepLoadable writes discounts.json with the discounts the fixtures load, leaving out, with a
// note, each the loader refuses: the loader is the one judge of what the mock can price.
func (w *walker) keepLoadable(set *capsule.FixtureSet, discounts []any) error {
	for {
		data, err := capsule.MarshalFile(discounts)
		if err != nil {
			return err
		}
		set.Files[store.FileDiscounts] = data
		fsys := fstest.MapFS{}
		for name, data := range set.Files {
			fsys[name] = &fstest.MapFile{Data: data}
		}
		_, err = store.LoadFixtures(fsys)
		var fe *store.FixtureError
		if err == nil || !errors.As(err, &fe) || fe.File != store.FileDiscounts {
			return nil // the set is checked whole where it is written
		}
		var i int
		if _, scanErr := fmt.Sscanf(fe.Field, "[%d]", &i); scanErr != nil || i < 0 || i >= len(discounts) {
			return nil
		}
		w.note("discounts.json: %q left out: %v", identifierOf(discounts[i].(*capsule.Object)), fe.Err)
		discounts = slices.Delete(discounts, i, i+1)
	}
}
