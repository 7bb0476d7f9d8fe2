package store

import (
	"context"
	"fmt"
	"maps"
	"math/bits"
	"slices"
	"strconv"
	"time"

	"github.com/oneentry-mock/oneentry-mock/datetime"
)

// The statuses of a refund request. A request waits for the shop (pending) until an admin
// approves or declines it, or the buyer cancels it.
const (
	RefundPending  = "pending"
	RefundApproved = "approved"
	RefundDeclined = "declined"
	RefundCanceled = "canceled"
)

// RefundRequest is a buyer's request to be refunded some of an order's products. It is kept
// on its order, as it is stored.
type RefundRequest struct {
	ID          int          `json:"id"`
	CreatedDate time.Time    `json:"createdDate"`
	Status      string       `json:"status"`
	AmountCents int64        `json:"amountCents"`
	Note        string       `json:"note"`
	Products    []RefundLine `json:"products"`
}

// RefundLine is how many of one product a refund request asks to return.
type RefundLine struct {
	ProductID int `json:"productId"`
	Quantity  int `json:"quantity"`
}

// PaymentState is the payment axis of an order. OneEntry derives it from the order's payment
// sessions and refunds; no request writes it.
type PaymentState string

// The payment states of an order.
const (
	PaymentUnpaid            PaymentState = "unpaid"
	PaymentPending           PaymentState = "pending"
	PaymentPaid              PaymentState = "paid"
	PaymentPartiallyRefunded PaymentState = "partially_refunded"
	PaymentRefunded          PaymentState = "refunded"
)

// paymentStateLocked derives an order's payment state: paid once one of its sessions completed
// (less what approved refunds returned), pending while a session waits, unpaid otherwise.
func (s *Store) paymentStateLocked(o *Order) PaymentState {
	if o.PaidAt == nil {
		for _, id := range s.state.paymentsByOrder[o.ID] {
			if p := s.state.payments[id]; p != nil && p.Status == StatusWaiting {
				return PaymentPending
			}
		}
		return PaymentUnpaid
	}
	var refunded int64
	for _, r := range o.Refunds {
		if r.Status == RefundApproved {
			refunded += r.AmountCents
		}
	}
	switch {
	case refunded == 0:
		return PaymentPaid
	case refunded >= o.DueCents():
		return PaymentRefunded
	default:
		return PaymentPartiallyRefunded
	}
}

// OrderPaymentState returns the payment state of one of the user's orders.
func (s *Store) OrderPaymentState(ctx context.Context, userID, orderID int) (PaymentState, error) {
	var out PaymentState
	err := s.read(ctx, func() error {
		o, err := s.ownOrderLocked(userID, nil, orderID)
		if err == nil {
			out = s.paymentStateLocked(o)
		}
		return err
	})
	return out, err
}

// countDiscounts adds (sign 1) or removes (-1) what an order holds of the shared discount
// state: its single-use coupon and the bonus it spent.
func (st *state) countDiscounts(o *Order, sign int) {
	if st.couponUses == nil {
		st.couponUses = map[string]int{}
		st.bonusSpent = map[int]int64{}
	}
	if c := o.Discounts.CouponCode; c != "" {
		if sign > 0 {
			if _, taken := st.couponUses[c]; !taken {
				st.couponUses[c] = o.ID
			}
		} else if st.couponUses[c] == o.ID {
			delete(st.couponUses, c)
		}
	}
	if b := o.Discounts.BonusAppliedCents; b != 0 {
		st.bonusSpent[o.UserID] += int64(sign) * b
	}
}

// reindexDiscounts rebuilds the coupon uses, bonus spent and the next refund id from the
// orders, which hold them.
func (st *state) reindexDiscounts() {
	st.couponUses, st.bonusSpent, st.nextRefundID = map[string]int{}, map[int]int64{}, 1
	for _, id := range sortedKeys(st.orders) {
		o := st.orders[id]
		st.countDiscounts(o, 1)
		for _, r := range o.Refunds {
			st.nextRefundID = max(st.nextRefundID, r.ID+1)
		}
	}
}

// Refunds returns the refund requests of one of the user's orders, newest first.
func (s *Store) Refunds(ctx context.Context, userID, orderID int) (Order, error) {
	var out Order
	err := s.read(ctx, func() error {
		o, err := s.ownOrderLocked(userID, nil, orderID)
		if err == nil {
			out = o.clone()
		}
		return err
	})
	return out, err
}

// RefundInput is the body of a refund request: quantities by product id, and a note.
type RefundInput struct {
	Products map[string]int
	Note     string
}

// CreateRefundRequest asks for part or all of a paid order back. One request waits at a time;
// the quantities asked, with those of requests still pending or approved, may not exceed the
// order's. The amount is what the buyer paid for those products: their share of what was due.
func (s *Store) CreateRefundRequest(ctx context.Context, userID, orderID int, in RefundInput) (RefundRequest, error) {
	return updated(ctx, s, func() (RefundRequest, error) {
		o, err := s.ownOrderLocked(userID, nil, orderID)
		if err != nil {
			return RefundRequest{}, err
		}
		lines, err := refundLines(o, in.Products)
		if err != nil {
			return RefundRequest{}, err
		}
		if st := s.paymentStateLocked(o); st != PaymentPaid && st != PaymentPartiallyRefunded {
			return RefundRequest{}, Invalid(fmt.Sprintf("Order %d is not paid (payment state %s): there is nothing to refund", o.ID, st))
		}
		if slices.ContainsFunc(o.Refunds, func(r RefundRequest) bool { return r.Status == RefundPending }) {
			return RefundRequest{}, Errorf(CodeConflict, "Order %d already has a pending refund request", o.ID)
		}
		amount := refundAmount(o, lines)
		if err := checkIDLeft(s.state.nextRefundID, "refund request"); err != nil {
			return RefundRequest{}, err
		}
		s.touchOrder(o.ID)
		rr := RefundRequest{
			ID: s.state.nextRefundID, CreatedDate: s.clock.Now(), Status: RefundPending,
			AmountCents: amount, Note: in.Note, Products: lines,
		}
		s.state.nextRefundID++
		o.Refunds = append(o.Refunds, rr)
		return rr, nil
	})
}

// refundAmount is the part of what was paid that lines give back: their share of the order's
// value after per-item discounts. The request that gives back everything left gets what the
// other live requests have not, so refunds in parts add up to exactly what was paid.
func refundAmount(o *Order, lines []RefundLine) int64 {
	due := o.DueCents()
	left := map[int]int{}
	var value, all, taken int64
	for _, l := range o.Products {
		all += lineValue(l, l.Quantity)
		left[l.ProductID] = l.Quantity
	}
	for _, r := range o.Refunds {
		if r.Status == RefundPending || r.Status == RefundApproved {
			taken += r.AmountCents
			for _, l := range r.Products {
				left[l.ProductID] -= l.Quantity
			}
		}
	}
	for _, l := range lines {
		i := slices.IndexFunc(o.Products, func(p OrderLine) bool { return p.ProductID == l.ProductID })
		value += lineValue(o.Products[i], l.Quantity)
		left[l.ProductID] -= l.Quantity
	}
	if !slices.ContainsFunc(slices.Collect(maps.Values(left)), func(n int) bool { return n > 0 }) {
		return max(due-taken, 0)
	}
	if all <= 0 || due <= 0 || value <= 0 {
		return 0
	}
	return shareOf(due, min(value, all), all)
}

// shareOf is a*b/c rounded down, for a >= 0 and 0 <= b <= c, without overflow: a product of two amounts
// in cents passes int64 from about 30 million dollars.
func shareOf(a, b, c int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	q, _ := bits.Div64(hi, lo, uint64(c))
	return int64(q)
}

// lineValue is what qty of an order line cost after per-item discounts.
func lineValue(l OrderLine, qty int) int64 {
	switch {
	case l.DiscountPriceCents != nil:
		return *l.DiscountPriceCents * int64(qty)
	case l.PriceCents != nil:
		return *l.PriceCents * int64(qty)
	}
	return 0
}

// refundLines checks the quantities a refund request asks for against the order and what its
// other live requests already claim, and returns them sorted by product id.
func refundLines(o *Order, products map[string]int) ([]RefundLine, error) {
	if len(products) == 0 {
		return nil, Invalid("products should not be empty")
	}
	claimed := map[int]int{}
	for _, r := range o.Refunds {
		if r.Status == RefundPending || r.Status == RefundApproved {
			for _, l := range r.Products {
				claimed[l.ProductID] += l.Quantity
			}
		}
	}
	var msgs []string
	lines := make([]RefundLine, 0, len(products))
	for key, qty := range products {
		id, err := strconv.Atoi(key)
		i := slices.IndexFunc(o.Products, func(p OrderLine) bool { return p.ProductID == id })
		switch {
		// Only the canonical spelling: "+10" and "010" would name product 10 again under another
		// key and claim its quantity twice.
		case err != nil || id < 1 || strconv.Itoa(id) != key:
			msgs = append(msgs, fmt.Sprintf("products.%s: must be keyed by a product id", key))
		case i < 0:
			msgs = append(msgs, fmt.Sprintf("products.%s: product %d is not in order %d", key, id, o.ID))
		case qty < 1:
			msgs = append(msgs, fmt.Sprintf("products.%s.quantity must not be less than 1", key))
		case qty > o.Products[i].Quantity-claimed[id]: // not qty+claimed, which a huge qty overflows
			msgs = append(msgs, fmt.Sprintf("products.%s.quantity: %d asked, %d of %d left to refund", key, qty, o.Products[i].Quantity-claimed[id], o.Products[i].Quantity))
		default:
			lines = append(lines, RefundLine{ProductID: id, Quantity: qty})
		}
	}
	if len(msgs) > 0 {
		slices.Sort(msgs)
		return nil, Invalid(msgs...)
	}
	slices.SortFunc(lines, func(a, b RefundLine) int { return a.ProductID - b.ProductID })
	return lines, nil
}

// CancelRefundRequest withdraws the order's pending refund request.
func (s *Store) CancelRefundRequest(ctx context.Context, userID, orderID int) (RefundRequest, error) {
	return updated(ctx, s, func() (RefundRequest, error) {
		o, err := s.ownOrderLocked(userID, nil, orderID)
		if err != nil {
			return RefundRequest{}, err
		}
		i := slices.IndexFunc(o.Refunds, func(r RefundRequest) bool { return r.Status == RefundPending })
		if i < 0 {
			return RefundRequest{}, Errorf(CodeNotFound, "Order %d has no pending refund request", o.ID)
		}
		s.touchOrder(o.ID)
		o.Refunds[i].Status = RefundCanceled
		return o.Refunds[i], nil
	})
}

// RefundAction is what the shop does with a pending refund request.
type RefundAction string

// The refund actions of the admin API.
const (
	RefundApprove RefundAction = "approve"
	RefundDecline RefundAction = "decline"
)

// ParseRefundAction reads a refund action from the admin API's path.
func ParseRefundAction(s string) (RefundAction, error) {
	switch a := RefundAction(s); a {
	case RefundApprove, RefundDecline:
		return a, nil
	}
	return "", Invalid(fmt.Sprintf("action must be one of approve, decline (not %q)", s))
}

// DecideRefund approves or declines a pending refund request, as the shop would in the admin
// panel. Approving one emits EventRefundApproved, whose e-mail cancels the tickets. Repeating
// the decision a request already has changes nothing; changing it is a conflict.
func (s *Store) DecideRefund(ctx context.Context, refundID int, action RefundAction) (RefundRequest, Order, error) {
	var out RefundRequest
	var order Order
	err := s.update(ctx, func() ([]Event, error) {
		o, i := s.refundLocked(refundID)
		if o == nil {
			return nil, Errorf(CodeNotFound, "Refund request with id %d not found", refundID)
		}
		want := RefundApproved
		if action == RefundDecline {
			want = RefundDeclined
		}
		r := &o.Refunds[i]
		switch r.Status {
		case want:
			out, order = *r, o.clone()
			return nil, nil
		case RefundPending:
		default:
			return nil, Errorf(CodeConflict, "Refund request %d is %s", refundID, r.Status)
		}
		s.touchOrder(o.ID)
		r.Status = want
		out, order = *r, o.clone()
		if want != RefundApproved {
			return nil, nil
		}
		e := Event{Type: EventRefundApproved, Time: s.clock.Now(), RequestID: RequestID(ctx), Order: order, Refund: out}
		if u, ok := s.state.users[o.UserID]; ok {
			e.User = u.clone()
		}
		return []Event{e}, nil
	})
	return out, order, err
}

// refundLocked finds a refund request by id: its order and its place there.
func (s *Store) refundLocked(id int) (*Order, int) {
	if id < 1 || id >= s.state.nextRefundID {
		return nil, 0
	}
	for _, o := range s.state.orders {
		for i, r := range o.Refunds {
			if r.ID == id {
				return o, i
			}
		}
	}
	return nil, 0
}

// CouponCheck is the answer of coupon validation.
type CouponCheck struct {
	Valid bool
	// Coupon is the coupon as it stands now (used or not); nil for an unknown code.
	Coupon     *Coupon
	DiscountID int
	// Error says why an invalid coupon cannot be used.
	Error string
}

// ValidateCoupon says whether a new order could use the coupon now.
func (s *Store) ValidateCoupon(ctx context.Context, code string) (CouponCheck, error) {
	c, d, ok := s.fx.coupon(code)
	if !ok {
		return CouponCheck{Error: CouponNotFound}, nil
	}
	var out CouponCheck
	err := s.read(ctx, func() error {
		cur := *c
		if by, used := s.state.couponUses[c.Code]; used && !c.IsReusable {
			cur.IsUsed, cur.OrderID = true, &by
			if o, ok := s.state.orders[by]; ok {
				at := datetime.Format(o.CreatedDate)
				cur.UsedAt = &at
			}
		}
		problem := s.couponProblemLocked(c, d, s.clock.Now(), 0)
		out = CouponCheck{Valid: problem == "", Coupon: &cur, DiscountID: d.ID, Error: problem}
		return nil
	})
	return out, err
}

// BonusBalance returns the user's bonus balance in cents.
func (s *Store) BonusBalance(ctx context.Context, userID int) (int64, error) {
	var out int64
	err := s.read(ctx, func() error {
		if _, ok := s.state.users[userID]; !ok {
			return Errorf(CodeUnauthorized, "Unauthorized")
		}
		out = s.bonusBalanceLocked(userID)
		return nil
	})
	return out, err
}

// The bonus transaction types the mock records (IBonusTransactionType).
const (
	BonusAccrualTx = "ACCRUAL"
	BonusUsageTx   = "USAGE"
)

// BonusTransaction is one movement of a user's bonus balance. Amounts are positive; the type
// says which way they went.
type BonusTransaction struct {
	UserID      int
	AmountCents int64
	Type        string
	// DiscountID is the bonus program of an accrual; OrderID the order that spent bonus.
	DiscountID int
	OrderID    int
	Comment    string
	CreatedAt  time.Time
}

// BonusFilter narrows the bonus history; zero fields match everything.
type BonusFilter struct {
	Type string
	// From and To bound the time of a transaction, both inclusive; nil leaves that side open.
	// Pointers, as the zero time.Time is a bound a request can name (0001-01-01T00:00:00Z).
	From, To   *time.Time
	DiscountID int
}

// BonusHistory lists the user's bonus transactions, newest first: the accruals of the fixtures
// and one usage per order that spent bonus.
func (s *Store) BonusHistory(ctx context.Context, userID int, f BonusFilter) ([]BonusTransaction, error) {
	var out []BonusTransaction
	err := s.read(ctx, func() error {
		if _, ok := s.state.users[userID]; !ok {
			return Errorf(CodeUnauthorized, "Unauthorized")
		}
		now := s.clock.Now()
		for _, d := range s.fx.Discounts {
			for _, a := range d.Accruals {
				if a.UserID == userID && !a.at.After(now) {
					out = append(out, BonusTransaction{UserID: userID, AmountCents: a.cents, Type: BonusAccrualTx, DiscountID: d.ID, Comment: a.Comment, CreatedAt: a.at})
				}
			}
		}
		for i := range s.fx.OrderStorages {
			for _, id := range s.state.ordersByOwner[ownerStorage{userID, s.fx.OrderStorages[i].ID}] {
				o := s.state.orders[id]
				if b := o.Discounts.BonusAppliedCents; b > 0 {
					out = append(out, BonusTransaction{UserID: userID, AmountCents: b, Type: BonusUsageTx, OrderID: o.ID, Comment: fmt.Sprintf("Order #%d", o.ID), CreatedAt: o.CreatedDate})
				}
			}
		}
		return nil
	})
	out = slices.DeleteFunc(out, func(t BonusTransaction) bool {
		return (f.Type != "" && t.Type != f.Type) || (f.DiscountID != 0 && t.DiscountID != f.DiscountID) ||
			(f.From != nil && t.CreatedAt.Before(*f.From)) || (f.To != nil && t.CreatedAt.After(*f.To))
	})
	slices.SortStableFunc(out, func(a, b BonusTransaction) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, err
}

// checkRefunds checks the refund requests of an imported order: ids (unique across the orders
// seen, which taken holds), statuses, products of the order; and that the live ones (pending or
// approved) are what requests could have made: one pending at most, no product returned more
// often than ordered, no more money than was due.
func checkRefunds(at string, refunds []RefundRequest, lines []OrderLine, dueCents int64, taken map[int]bool) error {
	claimed := map[int]int{}
	var pending int
	var amount int64
	for i, r := range refunds {
		rat := fmt.Sprintf("%s.refunds[%d]", at, i)
		switch {
		case r.ID < 1 || r.ID >= MaxCounter || taken[r.ID]:
			return invalidf(rat+".id", "must be a positive integer below %d that no other refund request has", MaxCounter)
		case !slices.Contains([]string{RefundPending, RefundApproved, RefundDeclined, RefundCanceled}, r.Status):
			return invalidf(rat+".status", "must be pending, approved, declined or canceled")
		case r.AmountCents < 0:
			return invalidf(rat+".amountCents", "must not be negative")
		}
		live := r.Status == RefundPending || r.Status == RefundApproved
		for j, l := range r.Products {
			k := slices.IndexFunc(lines, func(o OrderLine) bool { return o.ProductID == l.ProductID })
			if l.Quantity < 1 || k < 0 {
				return invalidf(fmt.Sprintf("%s.products[%d]", rat, j), "must name a product of the order, quantity at least 1")
			}
			if live {
				// Compared by what is left, as a huge quantity would overflow the sum.
				if l.Quantity > lines[k].Quantity-claimed[l.ProductID] {
					return invalidf(fmt.Sprintf("%s.products[%d]", rat, j), "returns product %d beyond the %d ordered, with the order's other pending and approved refunds", l.ProductID, lines[k].Quantity)
				}
				claimed[l.ProductID] += l.Quantity
			}
		}
		if r.Status == RefundPending {
			if pending++; pending > 1 {
				return invalidf(rat+".status", "a second pending refund request: an order has one at a time")
			}
		}
		if live {
			if r.AmountCents > dueCents-amount {
				return invalidf(rat+".amountCents", "with the order's other pending and approved refunds, more than the %s it was due", Money(dueCents))
			}
			amount += r.AmountCents
		}
		taken[r.ID] = true
	}
	return nil
}
