package mockserver

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/oneentry-mock/oneentry-mock/datetime"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// discountConfigResponse is how an order's price was worked out (IOrderDiscountConfig). A
// preview answers the inputs only; an order also the applied markers and totals.
type discountConfigResponse struct {
	Bonus            *bonusConfigResponse `json:"bonus"`
	Coupon           *couponResponse      `json:"coupon"`
	OrderDiscounts   []json.RawMessage    `json:"orderDiscounts"`
	ProductDiscounts []json.RawMessage    `json:"productDiscounts"`
	Settings         discountSettings     `json:"settings"`

	AdditionalDiscountsMarkers []string     `json:"additionalDiscountsMarkers,omitempty"`
	BonusApplied               *moneyNumber `json:"bonusApplied,omitempty"`
	ExcludedGiftProductIDs     []string     `json:"excludedGiftProductIds,omitempty"`
	TotalDue                   *moneyNumber `json:"totalDue,omitempty"`
	TotalRaw                   *moneyNumber `json:"totalRaw,omitempty"`
	TotalSumWithDiscount       *moneyNumber `json:"totalSumWithDiscount,omitempty"`
}

type bonusConfigResponse struct {
	AvailableBalance       moneyNumber  `json:"availableBalance"`
	BonusApplied           moneyNumber  `json:"bonusApplied"`
	MaxBonusDiscount       moneyNumber  `json:"maxBonusDiscount"`
	MinBonusAmount         *moneyNumber `json:"minBonusAmount"`
	MinOrderAmountForBonus *moneyNumber `json:"minOrderAmountForBonus"`
}

type discountSettings struct {
	AllowGiftStacking bool         `json:"allowGiftStacking"`
	AllowStacking     bool         `json:"allowStacking"`
	MaxDiscountValue  *moneyNumber `json:"maxDiscountValue"`
}

// couponResponse is a coupon (ICouponEntity): the fixture's coupon with its discount's id.
type couponResponse struct {
	store.Coupon
	DiscountID int `json:"discountId"`
}

func newCouponResponse(c store.Coupon, discountID int) *couponResponse {
	return &couponResponse{Coupon: c, DiscountID: discountID}
}

func money(c int64) *moneyNumber { m := moneyNumber(c); return &m }

// discountConfig renders a quote's discount configuration in lang; order adds what an order
// answer carries beyond a preview's (nil for a preview).
func (s *Server) discountConfig(sc *scope, lang string, q store.Quote, order *store.Order) (*discountConfigResponse, error) {
	fx := sc.store.Fixtures()
	served, err := s.served(store.FileDiscounts)
	if err != nil {
		return nil, err
	}
	cfg := &discountConfigResponse{
		OrderDiscounts:   []json.RawMessage{},
		ProductDiscounts: []json.RawMessage{},
		Settings:         discountSettings{AllowGiftStacking: store.DiscountSettings.AllowGiftStacking, AllowStacking: store.DiscountSettings.AllowStacking},
	}
	d := q.Discounts
	for _, id := range d.DiscountIDs {
		raw, ok := served.ByID(id, lang)
		if !ok {
			continue
		}
		if disc, ok := fx.DiscountByID(id); ok && disc.DiscountValue != nil && disc.DiscountValue.Applicability == "TO_PRODUCT" {
			cfg.ProductDiscounts = append(cfg.ProductDiscounts, raw)
		} else {
			cfg.OrderDiscounts = append(cfg.OrderDiscounts, raw)
		}
	}
	if c, discountID, ok := fx.Coupon(d.CouponCode); ok {
		cfg.Coupon = newCouponResponse(c, discountID)
		if order != nil && !c.IsReusable {
			at := timestamp(order.CreatedDate)
			cfg.Coupon.IsUsed, cfg.Coupon.OrderID, cfg.Coupon.UsedAt = true, &order.ID, &at
		}
	}
	if d.BonusRequestedCents != nil {
		cfg.Bonus = &bonusConfigResponse{
			AvailableBalance: moneyNumber(d.BonusAvailableCents), BonusApplied: moneyNumber(d.BonusAppliedCents),
			MaxBonusDiscount: moneyNumber(q.MaxBonusCents()),
		}
	}
	if order != nil {
		cfg.AdditionalDiscountsMarkers = append([]string{}, d.Markers...)
		cfg.ExcludedGiftProductIDs = []string{}
		cfg.BonusApplied, cfg.TotalDue = money(d.BonusAppliedCents), money(q.DueCents())
		cfg.TotalRaw, cfg.TotalSumWithDiscount = money(d.RawCents), money(q.TotalCents)
	}
	return cfg, nil
}

// orderDiscountFields are the discount fields of a create or update answer (IBaseOrdersEntity).
// An order that asked for no discount and got none is answered without them, in the shape the
// live API answered before discounts existed (the recorded seed order).
type orderDiscountFields struct {
	CouponCode                 string                  `json:"couponCode,omitempty"`
	AdditionalDiscountsMarkers []string                `json:"additionalDiscountsMarkers,omitempty"`
	DiscountConfig             *discountConfigResponse `json:"discountConfig,omitempty"`
	BonusAmount                *moneyNumber            `json:"bonusAmount,omitempty"`
	BonusApplied               *moneyNumber            `json:"bonusApplied,omitempty"`
	TotalDue                   *moneyNumber            `json:"totalDue,omitempty"`
}

func (s *Server) orderDiscounts(sc *scope, r *http.Request, o store.Order) *orderDiscountFields {
	d := o.Discounts
	if !d.Asked && len(d.DiscountIDs) == 0 {
		return nil
	}
	q := store.Quote{Lines: o.Products, TotalCents: o.TotalCents, Discounts: d}
	cfg, err := s.discountConfig(sc, language(r, sc.store), q, &o)
	if err != nil {
		s.log.ErrorContext(r.Context(), "discount config", "order", o.ID, "err", err)
	}
	f := &orderDiscountFields{
		CouponCode: d.CouponCode, AdditionalDiscountsMarkers: d.Markers, DiscountConfig: cfg,
		BonusApplied: money(d.BonusAppliedCents), TotalDue: money(o.DueCents()),
	}
	if d.BonusRequestedCents != nil {
		f.BonusAmount = money(*d.BonusRequestedCents)
	}
	return f
}

type previewRequest struct {
	Products                   []orderProductRequest `json:"products"`
	CouponCode                 string                `json:"couponCode"`
	AdditionalDiscountsMarkers []string              `json:"additionalDiscountsMarkers"`
	BonusAmount                *float64              `json:"bonusAmount"`
}

type previewLineResponse struct {
	ID            int          `json:"id"`
	Price         *moneyNumber `json:"price"`
	Quantity      int          `json:"quantity"`
	DiscountPrice *moneyNumber `json:"discountPrice"`
	IsGift        bool         `json:"isGift"`
}

// previewResponse is IOrderPreviewResponse.
type previewResponse struct {
	TotalSum             moneyNumber             `json:"totalSum"`
	TotalSumWithDiscount moneyNumber             `json:"totalSumWithDiscount"`
	DiscountConfig       *discountConfigResponse `json:"discountConfig"`
	Currency             string                  `json:"currency"`
	OrderPreview         []previewLineResponse   `json:"orderPreview"`
	BonusApplied         moneyNumber             `json:"bonusApplied"`
	TotalDue             moneyNumber             `json:"totalDue"`
}

// handleOrderPreview handles POST /api/content/orders-storage/orders/preview: what createOrder
// would charge for a basket, stored nowhere.
func (s *Server) handleOrderPreview(w http.ResponseWriter, r *http.Request, sc *scope, req previewRequest) {
	lines := make([]store.OrderLine, len(req.Products))
	for i, p := range req.Products {
		lines[i] = store.OrderLine{ProductID: p.ProductID, Quantity: p.Quantity}
	}
	q, err := sc.store.PreviewOrder(r.Context(), sc.claims.ID, lines, store.DiscountRequest{
		CouponCode: req.CouponCode, Markers: req.AdditionalDiscountsMarkers, BonusAmount: req.BonusAmount,
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cfg, err := s.discountConfig(sc, language(r, sc.store), q, nil)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := previewResponse{
		TotalSum: moneyNumber(q.Discounts.RawCents), TotalSumWithDiscount: moneyNumber(q.TotalCents), DiscountConfig: cfg,
		Currency: sc.store.Fixtures().Currency(), OrderPreview: make([]previewLineResponse, len(q.Lines)),
		BonusApplied: moneyNumber(q.Discounts.BonusAppliedCents), TotalDue: moneyNumber(q.DueCents()),
	}
	for i, l := range q.Lines {
		out.OrderPreview[i] = previewLineResponse{ID: l.ProductID, Quantity: l.Quantity,
			Price: (*moneyNumber)(l.PriceCents), DiscountPrice: (*moneyNumber)(l.DiscountPriceCents)}
	}
	s.writeJSON(w, http.StatusCreated, out)
}

type couponValidationResponse struct {
	Valid  bool            `json:"valid"`
	Coupon *couponResponse `json:"coupon,omitempty"`
	Error  string          `json:"error,omitempty"`
}

// handleCouponValidate handles GET /api/content/discounts/coupons/validate?code=: whether a new
// order could use the coupon. An unknown, expired or used-up coupon is a 200 with valid false
// and the reason, as ICouponValidationResult declares.
func (s *Server) handleCouponValidate(w http.ResponseWriter, r *http.Request, sc *scope) {
	code := r.URL.Query().Get("code")
	if code == "" {
		s.writeError(w, r, store.Invalid("code should not be empty"))
		return
	}
	res, err := sc.store.ValidateCoupon(r.Context(), code)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := couponValidationResponse{Valid: res.Valid, Error: res.Error}
	if res.Coupon != nil {
		out.Coupon = newCouponResponse(*res.Coupon, res.DiscountID)
	}
	s.writeJSON(w, http.StatusOK, out)
}

// handleBonusBalance handles GET /api/content/discounts/bonus-balance.
func (s *Server) handleBonusBalance(w http.ResponseWriter, r *http.Request, sc *scope) {
	b, err := sc.store.BonusBalance(r.Context(), sc.claims.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, struct {
		Balance moneyNumber `json:"balance"`
	}{moneyNumber(b)})
}

// bonusTransactionResponse is IBonusTransactionEntity.
type bonusTransactionResponse struct {
	BalanceID        int         `json:"balanceId"`
	Amount           moneyNumber `json:"amount"`
	Type             string      `json:"type"`
	DiscountID       *int        `json:"discountId,omitempty"`
	EntityIdentifier string      `json:"entityIdentifier,omitempty"`
	Comment          string      `json:"comment,omitempty"`
	IsAdmin          bool        `json:"isAdmin"`
	TriggerType      string      `json:"triggerType"`
	CreatedAt        string      `json:"createdAt"`
}

// handleBonusHistory handles GET /api/content/discounts/bonus-balance/history. The filters are
// those of the SDK; moduleId matches nothing the mock records, and isAdmin=true neither.
func (s *Server) handleBonusHistory(w http.ResponseWriter, r *http.Request, sc *scope) {
	q := r.URL.Query()
	f := store.BonusFilter{Type: q.Get("type")}
	for name, dst := range map[string]**time.Time{"dateFrom": &f.From, "dateTo": &f.To} {
		if v := q.Get(name); v != "" {
			t, err := datetime.Parse(v)
			if err != nil {
				if t, err = datetime.ParseDate(v); err != nil {
					s.writeError(w, r, store.Invalid(name+" must be an ISO 8601 date"))
					return
				}
			}
			*dst = &t
		}
	}
	f.DiscountID, _ = strconv.Atoi(q.Get("discountId")) // the contract checked it
	txs, err := sc.store.BonusHistory(r.Context(), sc.claims.ID, f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := []bonusTransactionResponse{}
	if q.Get("moduleId") != "" || q.Get("isAdmin") == "true" {
		txs = nil
	}
	for _, t := range txs {
		tx := bonusTransactionResponse{
			BalanceID: t.UserID, Amount: moneyNumber(t.AmountCents), Type: t.Type, Comment: t.Comment,
			TriggerType: "EVENT", CreatedAt: timestamp(t.CreatedAt),
		}
		if t.DiscountID != 0 {
			tx.DiscountID = &t.DiscountID
		}
		if t.OrderID != 0 {
			tx.EntityIdentifier = strconv.Itoa(t.OrderID)
		}
		out = append(out, tx)
	}
	s.writeJSON(w, http.StatusOK, out)
}
