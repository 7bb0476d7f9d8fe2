package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/oneentry-mock/oneentry-mock/schedule"
)

// OrderLine is one product of an order.
type OrderLine struct {
	ProductID   int
	Quantity    int
	SignedPrice string
	// PriceCents is the unit price when the order was priced (nil: the product has none), and
	// DiscountPriceCents the unit price after per-item discounts (nil: none applied).
	PriceCents         *int64
	DiscountPriceCents *int64
}

// Order is an order in a storage, owned by the user who created it.
type Order struct {
	ID                       int
	StorageID                int
	StorageMarker            string
	UserID                   int
	FormIdentifier           string
	PaymentAccountIdentifier string
	StatusIdentifier         string
	Language                 string
	FormData                 []FormDataItem
	Products                 []OrderLine
	Currency                 string
	TotalCents               int64
	CreatedDate              time.Time
	// Slots are the schedule slots the order books (its timeInterval values), in UTC.
	Slots []schedule.Slot
	// PaymentURL and IsCompleted stay nil until a payment provider sets them.
	PaymentURL  *string
	IsCompleted *bool
	// PaidAt is when the first payment of the order completed.
	PaidAt *time.Time
	// Discounts is how TotalCents was worked out; Refunds are the buyer's refund requests,
	// oldest first.
	Discounts OrderDiscounts
	Refunds   []RefundRequest

	holdsSeats bool
}

// Money formats cents as a two-decimal string ("100.00"), the way the live API writes totals
// it reads back, and the way receipts show them.
func Money(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}

// Title is what a receipt calls the order: its form's title in the order's language, else its
// storage marker.
func (fx *Fixtures) Title(o Order) string {
	if form, ok := fx.Form(o.FormIdentifier); ok {
		if t := LocalizedTitle(form.LocalizeInfos, o.Language); t != "" {
			return t
		}
	}
	return o.StorageMarker
}

// ShownLine is a line of an order or a cart as a page or an e-mail shows it to the buyer.
type ShownLine struct {
	OrderLine
	Title string
	// PriceCents is the unit price (nil: the product has none), LineCents Quantity times it.
	PriceCents, LineCents *int64
}

// DiscountTitles name the discounts an order applied, in its language: each by its title, or
// by its identifier when it has no title there, or by its id once the fixtures no longer have it.
func (fx *Fixtures) DiscountTitles(o Order) []string {
	var out []string
	for _, id := range o.Discounts.DiscountIDs {
		d, ok := fx.DiscountByID(id)
		switch {
		case !ok:
			out = append(out, "discount "+strconv.Itoa(id))
		case LocalizedTitle(d.LocalizeInfos, o.Language) != "":
			out = append(out, LocalizedTitle(d.LocalizeInfos, o.Language))
		default:
			out = append(out, d.Identifier)
		}
	}
	return out
}

// ShowLine names a line by its product's title in lang as catalog serves it ("product N" once
// the product is gone), priced as it was ordered, or at today's price when it was not yet
// priced (a cart's line).
func ShowLine(fx *Fixtures, catalog *Catalog, lang string, l OrderLine) ShownLine {
	line := ShownLine{OrderLine: l, Title: "product " + strconv.Itoa(l.ProductID), PriceCents: l.PriceCents}
	if title, ok := catalog.Title(l.ProductID, lang); ok && title != "" {
		line.Title = title
	}
	if p, ok := fx.Product(l.ProductID); ok && line.PriceCents == nil {
		line.PriceCents = p.PriceCents
	}
	if line.PriceCents != nil {
		total := *line.PriceCents * int64(l.Quantity)
		line.LineCents = &total
	}
	return line
}

func (o *Order) clone() Order {
	c := *o
	c.FormData = slices.Clone(o.FormData)
	c.Products = slices.Clone(o.Products)
	c.Slots = slices.Clone(o.Slots)
	c.Discounts.Markers = slices.Clone(o.Discounts.Markers)
	c.Discounts.DiscountIDs = slices.Clone(o.Discounts.DiscountIDs)
	c.Refunds = slices.Clone(o.Refunds)
	for i := range c.Refunds {
		c.Refunds[i].Products = slices.Clone(o.Refunds[i].Products)
	}
	return c
}

// OrderInput is the body of an order create or update.
type OrderInput struct {
	FormIdentifier           string
	PaymentAccountIdentifier string
	Language                 string
	FormData                 []FormDataItem
	Products                 []OrderLine
	// StatusIdentifier is honoured on update; on create it overrides the storage default.
	// A payment status is refused: payments set it.
	StatusIdentifier string
	// Discounts are read on create; an update prices the new products with the order's own.
	Discounts DiscountRequest
}

// checkClientStatus refuses a status a client may not set: the storage's paid status, which
// reflects the order's payment sessions (OneEntry derives the payment axis; nobody writes it).
func checkClientStatus(storage *OrderStorage, status string) error {
	if status != "" && status == storage.PaidStatus {
		return Invalid(fmt.Sprintf("statusIdentifier: %s is a payment status, set by the order's payments", status))
	}
	return nil
}

// OrderStorage returns the storage with the given marker or a not-found error.
func (s *Store) OrderStorage(marker string) (*OrderStorage, error) {
	return foundByMarker(s.fx.OrderStorage, "Orders storage", marker)
}

// validateOrder checks an order body against its storage, form and products (quoteLocked
// prices it). It reads only immutable fixtures, so it runs before taking the lock.
func (s *Store) validateOrder(storage *OrderStorage, in OrderInput, held []schedule.Slot) ([]schedule.Slot, error) {
	if err := checkClientStatus(storage, in.StatusIdentifier); err != nil {
		return nil, err
	}
	var msgs []string
	if in.FormIdentifier != storage.FormIdentifier {
		msgs = append(msgs, fmt.Sprintf("Incorrect formIdentifier for provided storage: %s", in.FormIdentifier))
	}
	if _, ok := s.fx.PaymentAccount(in.PaymentAccountIdentifier); !ok || !storage.acceptsAccount(in.PaymentAccountIdentifier) {
		msgs = append(msgs, fmt.Sprintf("Payment account %s is not linked to storage %s", in.PaymentAccountIdentifier, storage.Identifier))
	}
	if in.StatusIdentifier != "" && !storage.hasStatus(in.StatusIdentifier) {
		msgs = append(msgs, fmt.Sprintf("Unknown order status %s for storage %s", in.StatusIdentifier, storage.Identifier))
	}
	if len(in.Products) == 0 {
		msgs = append(msgs, "products should not be empty")
	}
	msgs = append(msgs, s.checkLines(in.Products)...)
	if len(msgs) > 0 {
		return nil, Invalid(msgs...)
	}
	form, _ := s.fx.Form(storage.FormIdentifier) // checked at load
	if err := checkFormData(form, in.FormData, nil); err != nil {
		return nil, err
	}
	return bookedSlots(form, in.FormData, s.opts.ValidateSlots, s.clock.Now(), held)
}

// CreateOrder validates and stores a new order for the user.
func (s *Store) CreateOrder(ctx context.Context, userID int, storageMarker string, in OrderInput) (Order, error) {
	storage, err := s.OrderStorage(storageMarker)
	if err != nil {
		return Order{}, err
	}
	slots, err := s.validateOrder(storage, in, nil)
	if err != nil {
		return Order{}, err
	}
	status := in.StatusIdentifier
	if status == "" {
		status = storage.DefaultStatus()
	}
	lang := in.Language
	if lang == "" {
		lang = s.fx.Project.DefaultLanguage
	}
	return updated(ctx, s, func() (Order, error) {
		return s.createOrderLocked(userID, storage, in, status, lang, slots)
	})
}

func (s *Store) createOrderLocked(userID int, storage *OrderStorage, in OrderInput, status, lang string, slots []schedule.Slot) (Order, error) {
	if err := s.activeUserLocked(userID); err != nil {
		return Order{}, err
	}
	if err := checkIDLeft(s.state.nextOrderID, "order"); err != nil {
		return Order{}, err
	}
	now := s.clock.Now()
	q, err := s.quoteLocked(userID, 0, in.Products, in.Discounts, now)
	if err != nil {
		return Order{}, err
	}
	o := &Order{
		ID:                       s.state.nextOrderID,
		StorageID:                storage.ID,
		StorageMarker:            storage.Identifier,
		UserID:                   userID,
		FormIdentifier:           in.FormIdentifier,
		PaymentAccountIdentifier: in.PaymentAccountIdentifier,
		StatusIdentifier:         status,
		Language:                 lang,
		FormData:                 slices.Clone(in.FormData),
		Products:                 q.Lines,
		Currency:                 storage.Currency,
		TotalCents:               q.TotalCents,
		CreatedDate:              now,
		Slots:                    slots,
		Discounts:                q.Discounts,
	}
	s.touchOrder(o.ID)
	if !storage.isCanceled(status) {
		if err := s.reserveLocked(storage, o); err != nil {
			return Order{}, err
		}
	}
	s.state.nextOrderID++
	s.state.orders[o.ID] = o
	s.state.countDiscounts(o, 1)
	key := ownerStorage{userID, storage.ID}
	s.state.ordersByOwner[key] = append(s.state.ordersByOwner[key], o.ID)
	return o.clone(), nil
}

// ownOrderLocked returns the user's order in the storage; any other order is "not found".
func (s *Store) ownOrderLocked(userID int, storage *OrderStorage, id int) (*Order, error) {
	o, ok := s.state.orders[id]
	if !ok || o.UserID != userID || (storage != nil && o.StorageID != storage.ID) {
		return nil, Errorf(CodeNotFound, "Order with id %d not found", id)
	}
	return o, nil
}

// Order returns one of the user's orders in the storage.
func (s *Store) Order(ctx context.Context, userID int, storageMarker string, id int) (Order, error) {
	storage, err := s.OrderStorage(storageMarker)
	if err != nil {
		return Order{}, err
	}
	var out Order
	err = s.read(ctx, func() error {
		o, err := s.ownOrderLocked(userID, storage, id)
		if err == nil {
			out = o.clone()
		}
		return err
	})
	return out, err
}

// Orders lists the user's orders in the storage, newest first, and their total count.
// The cost depends on the page and the user's own orders, not on the store's size.
func (s *Store) Orders(ctx context.Context, userID int, storageMarker string, page Page) ([]Order, int, error) {
	storage, err := s.OrderStorage(storageMarker)
	if err != nil {
		return nil, 0, err
	}
	var out []Order
	var total int
	err = s.read(ctx, func() error {
		ids := s.state.ordersByOwner[ownerStorage{userID, storage.ID}]
		out, total = newestFirst[Order](ids, s.state.orders, page), len(ids)
		return nil
	})
	return out, total, err
}

// UpdateOrder replaces the body of one of the user's orders and recomputes its total.
func (s *Store) UpdateOrder(ctx context.Context, userID int, storageMarker string, id int, in OrderInput) (Order, error) {
	storage, err := s.OrderStorage(storageMarker)
	if err != nil {
		return Order{}, err
	}
	// The order's status is read before the lock the update takes, so sessions past their
	// deadline are expired first: a canceled order's slots are not taken for still held.
	if err := s.SweepExpired(ctx); err != nil {
		return Order{}, err
	}
	// Ownership first: a stranger learns nothing about the order from validation messages.
	s.mu.Lock()
	o, err := s.ownOrderLocked(userID, storage, id)
	var current string
	var held []schedule.Slot
	if err == nil {
		current, held = o.StatusIdentifier, slices.Clone(o.Slots)
	}
	s.mu.Unlock()
	if err != nil {
		return Order{}, err
	}
	if in.StatusIdentifier == current {
		in.StatusIdentifier = "" // the order sent back as read: its status is not being set
	}
	if storage.isCanceled(current) && in.StatusIdentifier != "" && !storage.isCanceled(in.StatusIdentifier) {
		held = nil // a canceled order gave its slots back: taking them again is a new booking
	}
	slots, err := s.validateOrder(storage, in, held)
	if err != nil {
		return Order{}, err
	}
	return updated(ctx, s, func() (Order, error) {
		return s.updateOrderLocked(userID, storage, id, in, slots)
	})
}

func (s *Store) updateOrderLocked(userID int, storage *OrderStorage, id int, in OrderInput, slots []schedule.Slot) (Order, error) {
	o, err := s.ownOrderLocked(userID, storage, id)
	if err != nil {
		return Order{}, err
	}
	q, err := s.requoteLocked(userID, o, in.Products)
	if err != nil {
		return Order{}, err
	}
	// A paid order does not go back to the status new orders get: it would disagree with its
	// payments, and the client could not put the paid status back.
	if st := s.paymentStateLocked(o); in.StatusIdentifier != "" && in.StatusIdentifier == storage.DefaultStatus() &&
		st != PaymentUnpaid && st != PaymentPending {
		return Order{}, Invalid(fmt.Sprintf("statusIdentifier: order %d is paid; %s, the status of new orders, comes before its payment", o.ID, in.StatusIdentifier))
	}
	// Money has moved against the recorded contents: a completed session paid for them, a
	// waiting one will charge them. Changing them would leave a total no payment covers.
	if st := s.paymentStateLocked(o); st != PaymentUnpaid && !sameContents(q.Lines, o.Products) {
		return Order{}, Invalid(fmt.Sprintf("Order %d has a payment (payment state %s): its products cannot change", o.ID, st))
	}
	s.touchOrder(o.ID)
	next := o.clone()
	next.FormIdentifier = in.FormIdentifier
	next.PaymentAccountIdentifier = in.PaymentAccountIdentifier
	if in.Language != "" {
		next.Language = in.Language
	}
	next.FormData = slices.Clone(in.FormData)
	next.Products = q.Lines
	next.Slots = slots
	next.TotalCents = q.TotalCents
	next.Discounts = q.Discounts
	if in.StatusIdentifier != "" {
		next.StatusIdentifier = in.StatusIdentifier
	}
	if storage.isCanceled(o.StatusIdentifier) && !storage.isCanceled(next.StatusIdentifier) {
		// Checked again under the lock: the order may have been canceled since its body was
		// checked, and taking a canceled order's slots is a new booking.
		if err := s.rebookableLocked(&next); err != nil {
			return Order{}, err
		}
	}
	unchanged := o.holdsSeats && !storage.isCanceled(next.StatusIdentifier) && sameContents(next.Products, o.Products) &&
		slices.EqualFunc(next.Slots, o.Slots, schedule.Slot.Same)
	if !unchanged {
		// Swap the seats: give back the old booking, take the new one, and put the old one
		// back if the new one does not fit, so a failed update changes nothing. An order
		// that keeps its booking keeps its seats, also one paid beyond a full slot's.
		held := o.holdsSeats
		s.releaseLocked(storage, o)
		next.holdsSeats = false
		if !storage.isCanceled(next.StatusIdentifier) {
			if err := s.reserveLocked(storage, &next); err != nil {
				if held {
					s.state.countSeats(storage, o)
					o.holdsSeats = true
				}
				return Order{}, err
			}
		}
	}
	s.state.countDiscounts(o, -1)
	*o = next
	s.state.countDiscounts(o, 1)
	return o.clone(), nil
}

// requoteLocked prices an update's lines for order o. The same products in the same quantities
// keep the order's money as recorded: its unit prices, discounts and bonus, whatever the
// catalogue or the buyer's balance says now. Other lines are priced with the discounts, coupon
// and bonus the order was created with, as of its creation (an update never takes a discount
// the order did not have), a product it already held at its recorded price.
func (s *Store) requoteLocked(userID int, o *Order, lines []OrderLine) (Quote, error) {
	if sameContents(lines, o.Products) {
		return Quote{Lines: o.Products, TotalCents: o.TotalCents, Discounts: o.Discounts}, nil
	}
	req := DiscountRequest{CouponCode: o.Discounts.CouponCode, Markers: o.Discounts.Markers}
	if o.Discounts.BonusRequestedCents != nil {
		b := float64(*o.Discounts.BonusRequestedCents) / 100
		req.BonusAmount = &b
	}
	q, err := s.quoteLocked(userID, o.ID, lines, req, o.CreatedDate)
	q.Discounts.Asked = o.Discounts.Asked
	return q, err
}

// sameContents reports whether two orders' lines hold the same products in the same quantities,
// in whatever order.
func sameContents(a, b []OrderLine) bool {
	count := func(lines []OrderLine) map[int]int {
		m := make(map[int]int, len(lines))
		for _, l := range lines {
			m[l.ProductID] += l.Quantity
		}
		return m
	}
	return maps.Equal(count(a), count(b))
}
