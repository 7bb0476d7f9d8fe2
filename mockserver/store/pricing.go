package store

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// DiscountRequest is what a buyer asks of an order's price: a coupon, discounts named by
// marker, and bonus to spend.
type DiscountRequest struct {
	CouponCode string
	Markers    []string
	// BonusAmount is the bonus to spend, in currency units; nil when not asked.
	BonusAmount *float64
}

// asked reports whether the request asks for anything; an order that asks for nothing is
// answered in the shape the live API had before discounts.
func (r DiscountRequest) asked() bool {
	return r.CouponCode != "" || r.Markers != nil || r.BonusAmount != nil
}

// OrderDiscounts is how an order's price was worked out, recorded when it was: what was asked,
// what applied, and the totals before and after. Prices and discounts never change afterwards,
// whatever happens to the fixtures' prices or discounts.
type OrderDiscounts struct {
	// Asked says the order named a coupon, discount markers or bonus.
	Asked      bool     `json:"asked,omitempty"`
	CouponCode string   `json:"couponCode,omitempty"`
	Markers    []string `json:"markers,omitempty"`
	// BonusRequestedCents is the bonus asked for; nil when none was.
	BonusRequestedCents *int64 `json:"bonusRequestedCents,omitempty"`
	// BonusAvailableCents is the buyer's balance when the price was worked out.
	BonusAvailableCents int64 `json:"bonusAvailableCents,omitempty"`
	BonusAppliedCents   int64 `json:"bonusAppliedCents,omitempty"`
	// RawCents is the total before discounts.
	RawCents int64 `json:"rawCents"`
	// DiscountIDs are the discounts that applied, in the order they were applied.
	DiscountIDs []int `json:"discountIds,omitempty"`
}

// Quote is a priced basket: what previewOrder answers and what an order records.
type Quote struct {
	Lines []OrderLine
	// TotalCents is the total after discounts, before bonus.
	TotalCents int64
	Discounts  OrderDiscounts
}

// DueCents is what is left to pay once bonus is spent.
func (q Quote) DueCents() int64 { return q.TotalCents - q.Discounts.BonusAppliedCents }

// DueCents is what the buyer pays for the order: its total less the bonus spent on it.
func (o Order) DueCents() int64 { return o.TotalCents - o.Discounts.BonusAppliedCents }

// DiscountCents is what the order's discounts took off its lines' sum: 0 for an order without
// discounts, or imported from a document that did not record the sum.
func (o Order) DiscountCents() int64 { return max(o.Discounts.RawCents-o.TotalCents, 0) }

// DiscountSettings are the project's stacking rules. OneEntry keeps them per instance; the mock
// has one fixed set: discounts stack, gifts do not, no cap.
var DiscountSettings = struct {
	AllowStacking, AllowGiftStacking bool
}{AllowStacking: true}

// The reasons a coupon is refused, as validateDiscountsCoupon's `error` and as the 400 of an
// order or preview naming it.
const (
	CouponNotFound   = "Coupon not found"
	CouponExpired    = "Coupon has expired"
	CouponNotStarted = "Coupon is not active yet"
	CouponUsed       = "Coupon has already been used"
)

// couponProblemLocked says why the coupon cannot be used at t by order orderID (0: a new one),
// or "" when it can.
func (s *Store) couponProblemLocked(c *Coupon, d *Discount, t time.Time, orderID int) string {
	switch {
	case d.startsAfter(t):
		return CouponNotStarted
	case d.endedBy(t):
		return CouponExpired
	}
	if c.IsReusable {
		return ""
	}
	if c.IsUsed {
		return CouponUsed
	}
	if by, ok := s.state.couponUses[c.Code]; ok && by != orderID {
		return CouponUsed
	}
	return ""
}

// bonusBalanceLocked is what the user has accrued less what their orders spent, now: an
// accrual the fixtures date later is not theirs yet on the sandbox's clock.
func (s *Store) bonusBalanceLocked(userID int) int64 {
	now := s.clock.Now()
	var sum int64
	for _, d := range s.fx.Discounts {
		for _, a := range d.Accruals {
			if a.UserID == userID && !a.at.After(now) {
				sum += a.cents
			}
		}
	}
	return sum - s.state.bonusSpent[userID]
}

// quoteLocked prices lines (already checked: known products, sane quantities) with the
// discounts that apply at t and the ones req asks for. orderID is the order being priced again
// (0 for a new one): its own coupon and bonus stay available to it, and a product it already
// holds keeps the unit price it recorded; only a product new to it is priced now.
func (s *Store) quoteLocked(userID, orderID int, lines []OrderLine, req DiscountRequest, t time.Time) (Quote, error) {
	q := Quote{Lines: make([]OrderLine, len(lines))}
	q.Discounts.Asked = req.asked()
	q.Discounts.CouponCode = req.CouponCode
	q.Discounts.Markers = slices.Clone(req.Markers)
	var recorded map[int]*int64
	priced, again := s.state.orders[orderID] // the order priced again, when there is one
	if again {
		recorded = make(map[int]*int64, len(priced.Products))
		for _, l := range priced.Products {
			recorded[l.ProductID] = l.PriceCents
		}
	}
	inCart := map[int]bool{}
	for i, l := range lines {
		l.PriceCents, l.DiscountPriceCents = nil, nil
		if price, ok := recorded[l.ProductID]; ok {
			l.PriceCents = clonePtr(price)
		} else if prod, ok := s.fx.Product(l.ProductID); ok {
			l.PriceCents = clonePtr(prod.PriceCents)
		}
		if l.PriceCents != nil {
			price, qty := *l.PriceCents, int64(l.Quantity)
			if qty > 0 && price > (MaxOrderCents-q.Discounts.RawCents)/qty {
				return Quote{}, Invalid("products: an order's total must be at most " + Money(MaxOrderCents))
			}
			q.Discounts.RawCents += price * qty
		}
		q.Lines[i] = l
		inCart[l.ProductID] = true
	}

	var msgs []string
	chosen := map[int]bool{} // discount ids the request names, by coupon or marker
	if req.CouponCode != "" {
		c, d, ok := s.fx.coupon(req.CouponCode)
		switch {
		case !ok:
			msgs = append(msgs, CouponNotFound)
		default:
			if p := s.couponProblemLocked(c, d, t, orderID); p != "" {
				msgs = append(msgs, p)
			} else {
				chosen[d.ID] = true
			}
		}
	}
	for i, m := range req.Markers {
		d, ok := s.fx.Discount(m)
		switch {
		case !ok:
			msgs = append(msgs, fmt.Sprintf("additionalDiscountsMarkers.%d: discount %q not found", i, m))
		case d.Type == DiscountKindBonus:
			msgs = append(msgs, fmt.Sprintf("additionalDiscountsMarkers.%d: %q is a bonus program, not a discount", i, m))
		case len(d.Coupons) > 0 && !chosen[d.ID]:
			msgs = append(msgs, fmt.Sprintf("additionalDiscountsMarkers.%d: discount %q needs its coupon", i, m))
		case !d.activeAt(t):
			msgs = append(msgs, fmt.Sprintf("additionalDiscountsMarkers.%d: discount %q is not active", i, m))
		default:
			chosen[d.ID] = true
		}
	}
	const maxBonusAmount = 1e12
	var bonusCents int64
	if req.BonusAmount != nil {
		// Bonus is spent up to the balance, so a larger ask only needs to stay countable in
		// cents: past maxBonusAmount it is taken as maxBonusAmount.
		b := min(*req.BonusAmount, maxBonusAmount)
		if b < 0 || math.IsNaN(b) {
			msgs = append(msgs, "bonusAmount must not be less than 0")
		} else {
			bonusCents = int64(math.Round(b * 100))
			if float64(bonusCents)/100 > b+1e-9 { // part of a cent is not spent: never more than asked
				bonusCents--
			}
			q.Discounts.BonusRequestedCents = &bonusCents
		}
	}
	if len(msgs) > 0 {
		return Quote{}, Invalid(msgs...)
	}

	var applied []*Discount
	for i := range s.fx.Discounts {
		d := &s.fx.Discounts[i]
		if d.Type == DiscountKindBonus || d.DiscountValue == nil || !d.activeAt(t) {
			continue
		}
		gated := len(d.Coupons) > 0 || d.OnRequest
		if (gated && !chosen[d.ID]) || !d.conditionsHold(s.fx, q.Lines, inCart, q.Discounts.RawCents) {
			continue
		}
		applied = append(applied, d)
	}
	slices.SortStableFunc(applied, func(a, b *Discount) int { return cmp.Or(cmp.Compare(a.Position, b.Position), cmp.Compare(a.ID, b.ID)) })

	// Per-item discounts first, on unit prices; then order discounts on what that leaves.
	for _, d := range applied {
		if d.DiscountValue.Applicability != toProduct {
			continue
		}
		hit := false
		for i := range q.Lines {
			l := &q.Lines[i]
			if l.PriceCents == nil || !d.matchesLine(s.fx, l.ProductID) {
				continue
			}
			unit := *l.PriceCents
			if l.DiscountPriceCents != nil {
				unit = *l.DiscountPriceCents
			}
			off := d.DiscountValue.amountOff(unit)
			if off > 0 {
				unit -= off
				l.DiscountPriceCents = &unit
				hit = true
			}
		}
		if hit {
			q.Discounts.DiscountIDs = append(q.Discounts.DiscountIDs, d.ID)
		}
	}
	for _, l := range q.Lines {
		switch {
		case l.DiscountPriceCents != nil:
			q.TotalCents += *l.DiscountPriceCents * int64(l.Quantity)
		case l.PriceCents != nil:
			q.TotalCents += *l.PriceCents * int64(l.Quantity)
		}
	}
	for _, d := range applied {
		if d.DiscountValue.Applicability != toOrder {
			continue
		}
		if off := d.DiscountValue.amountOff(q.TotalCents); off > 0 {
			q.TotalCents -= off
			q.Discounts.DiscountIDs = append(q.Discounts.DiscountIDs, d.ID)
		}
	}

	// The balance is the user's now, whatever date the order is priced at: an update priced as
	// of its order's creation still subtracts what other orders have spent since.
	available := s.bonusBalanceLocked(userID)
	if again {
		available += priced.Discounts.BonusAppliedCents
	}
	q.Discounts.BonusAvailableCents = available
	if req.BonusAmount != nil {
		q.Discounts.BonusAppliedCents = min(bonusCents, max(available, 0), q.TotalCents)
	}
	return q, nil
}

// MaxBonusCents is the most bonus the priced basket could take.
func (q Quote) MaxBonusCents() int64 {
	return min(max(q.Discounts.BonusAvailableCents, 0), q.TotalCents)
}

// MaxLineQuantity bounds the quantity of a product in an order, as the contract does.
const MaxLineQuantity = 1_000_000

// MaxOrderCents bounds an order's total before discounts, far beyond any real basket: amounts
// travel as JavaScript numbers in currency units (the live API's arithmetic), which hold every
// cent below 2^46 units. Past that, the number answers and the two-decimal strings part ways.
const MaxOrderCents = 1<<46*100 - 1

// cents is an amount of money in cents, rounded, and clamped to ±MaxOrderCents so that a
// fixture's huge discount value takes everything off rather than wrapping around.
func cents(amount float64) int64 { return roundCents(amount * 100) }

func roundCents(c float64) int64 {
	return int64(math.Round(max(min(c, MaxOrderCents), -MaxOrderCents)))
}

// amountOff is what the value takes off an amount of base cents, never more than base.
func (v *DiscountValue) amountOff(base int64) int64 {
	var off int64
	switch v.DiscountType {
	case valuePercent, valuePercentage:
		off = roundCents(float64(base) * v.Value / 100)
	case valueFixedAmount:
		off = cents(v.Value)
	case valueFixedPrice:
		off = base - cents(v.Value)
	}
	if v.MaxAmount != nil {
		off = min(off, cents(*v.MaxAmount))
	}
	return min(max(off, 0), base)
}

// conditionsHold evaluates the discount's conditions on a basket; none means it always applies.
func (d *Discount) conditionsHold(fx *Fixtures, lines []OrderLine, inCart map[int]bool, rawCents int64) bool {
	if len(d.Conditions) == 0 {
		return true
	}
	anyOf := d.ConditionLogic == "OR"
	for _, c := range d.Conditions {
		var ok bool
		switch c.Type {
		case condProduct, condProductInCart:
			id, _ := strconv.Atoi(c.Value) // checked at load
			ok = inCart[id]
		case condCategory:
			ok = slices.ContainsFunc(lines, func(l OrderLine) bool { return inCategory(fx, l.ProductID, c.Value) })
		case condMinCartAmount:
			v, _ := strconv.ParseFloat(c.Value, 64) // checked at load
			ok = rawCents >= cents(v)
		}
		if ok == anyOf {
			return ok
		}
	}
	return !anyOf
}

// matchesLine reports whether a per-item discount applies to a product: the products and
// categories its conditions name, or every product when they name none.
func (d *Discount) matchesLine(fx *Fixtures, productID int) bool {
	named := false
	for _, c := range d.Conditions {
		switch c.Type {
		case condProduct:
			named = true
			if c.Value == strconv.Itoa(productID) {
				return true
			}
		case condCategory:
			named = true
			if inCategory(fx, productID, c.Value) {
				return true
			}
		}
	}
	return !named
}

func inCategory(fx *Fixtures, productID int, category string) bool {
	p, ok := fx.Product(productID)
	return ok && slices.Contains(p.Categories, category)
}

// checkLines checks the products of a basket: known, sane quantities, each listed once.
func (s *Store) checkLines(lines []OrderLine) []string {
	var msgs []string
	seen := map[int]bool{}
	for i, line := range lines {
		_, ok := s.fx.Product(line.ProductID)
		switch {
		case !ok:
			msgs = append(msgs, fmt.Sprintf("products.%d.productId: product %d not found", i, line.ProductID))
		case line.Quantity < 1:
			msgs = append(msgs, fmt.Sprintf("products.%d.quantity must not be less than 1", i))
		case line.Quantity > MaxLineQuantity:
			msgs = append(msgs, fmt.Sprintf("products.%d.quantity must not be greater than %d", i, MaxLineQuantity))
		case seen[line.ProductID]:
			msgs = append(msgs, fmt.Sprintf("products.%d.productId: product %d is listed twice", i, line.ProductID))
		}
		seen[line.ProductID] = true
	}
	return msgs
}

// PreviewOrder prices a basket for the user as createOrder would, without storing anything.
func (s *Store) PreviewOrder(ctx context.Context, userID int, lines []OrderLine, req DiscountRequest) (Quote, error) {
	if msgs := s.checkLines(lines); len(msgs) > 0 {
		return Quote{}, Invalid(msgs...)
	}
	var q Quote
	err := s.read(ctx, func() error {
		if _, ok := s.state.users[userID]; !ok {
			return Errorf(CodeUnauthorized, "Unauthorized")
		}
		var err error
		q, err = s.quoteLocked(userID, 0, lines, req, s.clock.Now())
		return err
	})
	return q, err
}

// Currency is the project's currency: that of its first order storage, since a preview names
// no storage.
func (f *Fixtures) Currency() string {
	if len(f.OrderStorages) > 0 {
		return f.OrderStorages[0].Currency
	}
	return ""
}
