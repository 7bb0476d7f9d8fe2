package store

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/oneentry-mock/oneentry-mock/datetime"
)

// FileDiscounts holds the project's discounts, their coupons and the bonus accruals. Unlike the
// other files it may be left out: a project without it has no discounts.
const FileDiscounts = "discounts.json"

// The kinds of discount (IDiscountType).
const (
	DiscountKindDiscount = "DISCOUNT"
	DiscountKindBonus    = "BONUS"
	DiscountKindPersonal = "PERSONAL_DISCOUNT"
)

// Discount is a discount as the API serves it, with the mock-only settings that decide when it
// applies: its coupons, whether it waits to be asked for by marker, and the bonus it accrued.
type Discount struct {
	ID                     int                 `json:"id"`
	AttributeSetID         *int                `json:"attributeSetId"`
	LocalizeInfos          json.RawMessage     `json:"localizeInfos"`
	Version                int                 `json:"version"`
	Identifier             string              `json:"identifier"`
	Type                   string              `json:"type"`
	StartDate              *string             `json:"startDate,omitempty"`
	EndDate                *string             `json:"endDate,omitempty"`
	DiscountValue          *DiscountValue      `json:"discountValue,omitempty"`
	ConditionLogic         string              `json:"conditionLogic,omitempty"`
	Conditions             []DiscountCondition `json:"conditions"`
	Exclusions             json.RawMessage     `json:"exclusions"`
	Gifts                  json.RawMessage     `json:"gifts"`
	GiftsReplaceCartItems  bool                `json:"giftsReplaceCartItems"`
	UserGroups             json.RawMessage     `json:"userGroups"`
	UserExclusions         json.RawMessage     `json:"userExclusions"`
	AttributeValues        json.RawMessage     `json:"attributeValues,omitempty"`
	AttributeSetIdentifier *string             `json:"attributeSetIdentifier,omitempty"`
	BonusEvent             json.RawMessage     `json:"bonusEvent,omitempty"`
	Position               int                 `json:"position"`

	// Coupons gate the discount: where there are any, it applies only to an order naming one.
	Coupons []Coupon `json:"coupons,omitempty" fixture:"mock"`
	// OnRequest keeps the discount out of orders that do not name it in
	// additionalDiscountsMarkers.
	OnRequest bool `json:"onRequest,omitempty" fixture:"mock"`
	// Accruals are the bonus a BONUS discount has credited to users before the sandbox starts.
	Accruals []BonusAccrual `json:"accruals,omitempty" fixture:"mock"`

	// start and end bound the discount to [start, end); nil leaves that side open. Pointers,
	// as the zero time.Time is a date a fixture can give (0001-01-01T00:00:00.000Z).
	start, end *time.Time
}

// DiscountValue is how a discount computes its amount.
type DiscountValue struct {
	Applicability string   `json:"applicability"`
	DiscountType  string   `json:"discountType"`
	Value         float64  `json:"value"`
	MaxAmount     *float64 `json:"maxAmount"`
}

// DiscountCondition narrows what a discount applies to.
type DiscountCondition struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// Coupon is a code that unlocks its discount (ICouponEntity). IsUsed, OrderID and UsedAt are
// its state when the sandbox starts; orders of the sandbox use it up from there.
type Coupon struct {
	ID         int     `json:"id"`
	Code       string  `json:"code"`
	IsReusable bool    `json:"isReusable"`
	IsUsed     bool    `json:"isUsed"`
	OrderID    *int    `json:"orderId"`
	UsedAt     *string `json:"usedAt"`
}

// BonusAccrual is bonus a BONUS discount credited to a user.
type BonusAccrual struct {
	UserID  int     `json:"userId"`
	Amount  float64 `json:"amount"`
	Date    string  `json:"date"`
	Comment string  `json:"comment,omitempty"`

	cents int64
	at    time.Time
}

// couponRef finds a coupon: the discount holding it and its place there.
type couponRef struct{ discount, coupon int }

// Discount returns the discount with the given identifier.
func (f *Fixtures) Discount(marker string) (*Discount, bool) {
	return pick(f.Discounts)(f.index(FileDiscounts).marker(marker))
}

// coupon returns the coupon with the given code (codes are matched exactly) and its discount.
func (f *Fixtures) coupon(code string) (*Coupon, *Discount, bool) {
	ref, ok := f.couponByCode[code]
	if !ok {
		return nil, nil, false
	}
	d := &f.Discounts[ref.discount]
	return &d.Coupons[ref.coupon], d, true
}

// loadDiscounts decodes the optional discounts file; a missing one leaves the project without.
func (f *Fixtures) loadDiscounts(fsys fs.FS, name string) ([]json.RawMessage, error) {
	if ok, err := hasFixture(fsys, name); err != nil {
		return nil, err
	} else if !ok {
		f.Discounts = nil
		return []json.RawMessage{}, nil
	}
	return listOf(&f.Discounts)(fsys, name)
}

// activeAt reports whether d runs at t.
func (d *Discount) activeAt(t time.Time) bool {
	return !d.startsAfter(t) && !d.endedBy(t)
}

// startsAfter reports whether d has not started yet at t.
func (d *Discount) startsAfter(t time.Time) bool { return d.start != nil && t.Before(*d.start) }

// endedBy reports whether d has ended at t: its end is the first instant it no longer runs.
func (d *Discount) endedBy(t time.Time) bool { return d.end != nil && !t.Before(*d.end) }

// Discount value types: the SDK's names and the platform's (PERCENTAGE), which mean the same.
const (
	valuePercent     = "PERCENT"
	valuePercentage  = "PERCENTAGE"
	valueFixedAmount = "FIXED_AMOUNT"
	valueFixedPrice  = "FIXED_PRICE"
	valueNone        = "NONE"
	toProduct        = "TO_PRODUCT"
	toOrder          = "TO_ORDER"
)

// The condition types the mock evaluates; the others need data it does not keep.
const (
	condProduct       = "PRODUCT"
	condProductInCart = "PRODUCT_IN_CART"
	condCategory      = "CATEGORY"
	condMinCartAmount = "MIN_CART_AMOUNT"
)

// checkDiscounts validates the discounts, their coupons and accruals, and indexes discounts by
// identifier and coupons by code.
func (f *Fixtures) checkDiscounts(idx *index) error {
	f.couponByCode = map[string]couponRef{}
	couponIDs := map[int]bool{}
	bad := func(at, format string, args ...any) error { return fixtureErr(FileDiscounts, at, format, args...) }
	for i := range f.Discounts {
		d := &f.Discounts[i]
		at := fmt.Sprintf("[%d]", i)
		if err := checkKeys(idx, FileDiscounts, at, "discount", key{id: d.ID, useID: true, marker: d.Identifier, useMarker: true}); err != nil {
			return err
		}
		if !slices.Contains([]string{DiscountKindDiscount, DiscountKindBonus, DiscountKindPersonal}, d.Type) {
			return bad(at+".type", "must be DISCOUNT, BONUS or PERSONAL_DISCOUNT, not %q", d.Type)
		}
		for field, s := range map[string]*string{"startDate": d.StartDate, "endDate": d.EndDate} {
			if s == nil {
				continue
			}
			t, err := datetime.Parse(*s)
			if err != nil {
				return bad(at+"."+field, "%v", err)
			}
			if field == "startDate" {
				d.start = &t
			} else {
				d.end = &t
			}
		}
		if d.ConditionLogic != "" && d.ConditionLogic != "AND" && d.ConditionLogic != "OR" {
			return bad(at+".conditionLogic", "must be AND or OR")
		}
		// What pricing does not apply is refused rather than served and ignored: a test that
		// relies on it would pass here and fail live.
		for _, field := range []struct {
			name  string
			value json.RawMessage
		}{{"exclusions", d.Exclusions}, {"gifts", d.Gifts}, {"userGroups", d.UserGroups}, {"userExclusions", d.UserExclusions}} {
			if !emptyValue(field.value) {
				return bad(at+"."+field.name, "is not simulated: the mock's pricing would ignore it, so leave it empty")
			}
		}
		if d.Conditions == nil {
			d.Conditions = []DiscountCondition{}
		}
		for j, c := range d.Conditions {
			cat := fmt.Sprintf("%s.conditions[%d]", at, j)
			switch c.Type {
			case condProduct, condProductInCart:
				if id, err := strconv.Atoi(c.Value); err != nil {
					return bad(cat+".value", "must be a product id")
				} else if _, ok := f.Product(id); !ok {
					return bad(cat+".value", "no product %d in %s", id, FileProducts)
				}
			case condMinCartAmount:
				if v, err := strconv.ParseFloat(c.Value, 64); err != nil || v < 0 {
					return bad(cat+".value", "must be a non-negative amount")
				}
			case condCategory:
			default:
				return bad(cat+".type", "%q is not simulated (PRODUCT, PRODUCT_IN_CART, CATEGORY or MIN_CART_AMOUNT)", c.Type)
			}
		}
		if v := d.DiscountValue; v != nil {
			if v.Applicability != toProduct && v.Applicability != toOrder {
				return bad(at+".discountValue.applicability", "must be TO_PRODUCT or TO_ORDER")
			}
			if !slices.Contains([]string{valuePercent, valuePercentage, valueFixedAmount, valueFixedPrice, valueNone}, v.DiscountType) {
				return bad(at+".discountValue.discountType", "must be PERCENT, FIXED_AMOUNT, FIXED_PRICE or NONE")
			}
			if v.Value < 0 || math.IsInf(v.Value, 0) || math.IsNaN(v.Value) || (v.DiscountType != valueFixedAmount && v.DiscountType != valueFixedPrice && v.Value > 100) {
				return bad(at+".discountValue.value", "must be a non-negative amount, at most 100 for a percentage")
			}
			if v.MaxAmount != nil && *v.MaxAmount < 0 {
				return bad(at+".discountValue.maxAmount", "must not be negative")
			}
		} else if d.Type != DiscountKindBonus {
			return bad(at+".discountValue", "a %s needs a discountValue", d.Type)
		}
		for j := range d.Coupons {
			c := &d.Coupons[j]
			cat := fmt.Sprintf("%s.coupons[%d]", at, j)
			switch {
			case c.ID < 1 || couponIDs[c.ID]:
				return bad(cat+".id", "must be a positive integer no other coupon has")
			case c.Code == "":
				return bad(cat+".code", "must not be empty")
			}
			if _, dup := f.couponByCode[c.Code]; dup {
				return bad(cat+".code", "duplicate coupon code %q", c.Code)
			}
			if c.UsedAt != nil {
				if _, err := datetime.Parse(*c.UsedAt); err != nil {
					return bad(cat+".usedAt", "%v", err)
				}
			}
			couponIDs[c.ID] = true
			f.couponByCode[c.Code] = couponRef{i, j}
		}
		if len(d.Accruals) > 0 && d.Type != DiscountKindBonus {
			return bad(at+".accruals", "only a BONUS discount accrues bonus")
		}
		for j := range d.Accruals {
			a := &d.Accruals[j]
			cat := fmt.Sprintf("%s.accruals[%d]", at, j)
			if !slices.ContainsFunc(f.Users, func(u UserFixture) bool { return u.ID == a.UserID }) {
				return bad(cat+".userId", "no user %d in %s", a.UserID, FileUsers)
			}
			if a.Amount <= 0 || a.Amount > 1e12 {
				return bad(cat+".amount", "must be a positive amount")
			}
			t, err := datetime.Parse(a.Date)
			if err != nil {
				return bad(cat+".date", "%v", err)
			}
			a.cents, a.at = int64(math.Round(a.Amount*100)), t
		}
		idx.add(i, d.ID, d.Identifier)
	}
	return nil
}

// DiscountByID returns the discount with the given id.
func (f *Fixtures) DiscountByID(id int) (*Discount, bool) {
	return pick(f.Discounts)(f.index(FileDiscounts).id(id))
}

// Coupon returns the coupon with the given code as the fixtures hold it, and its discount's id.
func (f *Fixtures) Coupon(code string) (Coupon, int, bool) {
	c, d, ok := f.coupon(code)
	if !ok {
		return Coupon{}, 0, false
	}
	return *c, d.ID, true
}

// Served returns the discount as the API serves it: without the mock's settings.
func (d Discount) Served() Discount {
	d.Coupons, d.OnRequest, d.Accruals = nil, false, nil
	return d
}
