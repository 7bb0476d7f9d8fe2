package mockserver

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

type orderProductRequest struct {
	ProductID   int    `json:"productId"`
	Quantity    int    `json:"quantity"`
	SignedPrice string `json:"signedPrice"`
}

type orderRequest struct {
	FormIdentifier             string                `json:"formIdentifier"`
	PaymentAccountIdentifier   string                `json:"paymentAccountIdentifier"`
	FormData                   json.RawMessage       `json:"formData"`
	Products                   []orderProductRequest `json:"products"`
	StatusIdentifier           string                `json:"statusIdentifier"`
	StatusMarker               string                `json:"statusMarker"`
	CouponCode                 string                `json:"couponCode"`
	AdditionalDiscountsMarkers []string              `json:"additionalDiscountsMarkers"`
	BonusAmount                *float64              `json:"bonusAmount"`
}

func (req orderRequest) input(fx *store.Fixtures, lang string) (store.OrderInput, error) {
	if req.StatusMarker != "" && req.StatusIdentifier != "" && req.StatusMarker != req.StatusIdentifier {
		return store.OrderInput{}, store.Invalid(fmt.Sprintf("statusMarker %q and statusIdentifier %q name different statuses", req.StatusMarker, req.StatusIdentifier))
	}
	items, lang, err := formDataReader{fx: fx, fallbackLang: lang, dropNull: true}.read(req.FormData)
	if err != nil {
		return store.OrderInput{}, err
	}
	in := store.OrderInput{
		FormIdentifier:           req.FormIdentifier,
		PaymentAccountIdentifier: req.PaymentAccountIdentifier,
		Language:                 lang,
		FormData:                 items,
		StatusIdentifier:         cmp.Or(req.StatusIdentifier, req.StatusMarker),
		Discounts:                store.DiscountRequest{CouponCode: req.CouponCode, Markers: req.AdditionalDiscountsMarkers, BonusAmount: req.BonusAmount},
	}
	for _, p := range req.Products {
		in.Products = append(in.Products, store.OrderLine{ProductID: p.ProductID, Quantity: p.Quantity, SignedPrice: p.SignedPrice})
	}
	return in, nil
}

type orderLineResponse struct {
	ProductID int `json:"productId"`
	Quantity  int `json:"quantity"`
}

// orderWriteResponse is what create and update answer (O1 in docs/api.md): totalSum is a number.
type orderWriteResponse struct {
	ID                       int                             `json:"id"`
	FormIdentifier           string                          `json:"formIdentifier"`
	PaymentAccountIdentifier string                          `json:"paymentAccountIdentifier"`
	FormData                 map[string][]store.FormDataItem `json:"formData"`
	Products                 []orderLineResponse             `json:"products"`
	StatusIdentifier         string                          `json:"statusIdentifier,omitempty"`
	Currency                 string                          `json:"currency"`
	TotalSum                 moneyNumber                     `json:"totalSum"`
	CreatedDate              string                          `json:"createdDate"`
	*orderDiscountFields
}

func newOrderWriteResponse(o store.Order, withStatus bool) orderWriteResponse {
	lines := make([]orderLineResponse, len(o.Products))
	for i, p := range o.Products {
		lines[i] = orderLineResponse{ProductID: p.ProductID, Quantity: p.Quantity}
	}
	resp := orderWriteResponse{
		ID:                       o.ID,
		FormIdentifier:           o.FormIdentifier,
		PaymentAccountIdentifier: o.PaymentAccountIdentifier,
		FormData:                 localeMap(o.Language, o.FormData),
		Products:                 lines,
		Currency:                 o.Currency,
		TotalSum:                 moneyNumber(o.TotalCents),
		CreatedDate:              timestamp(o.CreatedDate),
	}
	if withStatus {
		resp.StatusIdentifier = o.StatusIdentifier
	}
	return resp
}

type orderProductResponse struct {
	ID           int          `json:"id"`
	Title        string       `json:"title"`
	SKU          *string      `json:"sku"`
	PreviewImage any          `json:"previewImage"`
	Price        *moneyNumber `json:"price"`
	Quantity     int          `json:"quantity"`
	IsGift       *bool        `json:"isGift,omitempty"`
}

// orderReadResponse is one order as list and get answer it (O2 in docs/api.md): totalSum is a
// two-decimal string.
type orderReadResponse struct {
	ID                          int                             `json:"id"`
	StorageID                   int                             `json:"storageId"`
	CreatedDate                 string                          `json:"createdDate"`
	StatusIdentifier            string                          `json:"statusIdentifier"`
	FormIdentifier              string                          `json:"formIdentifier"`
	FormData                    map[string][]store.FormDataItem `json:"formData"`
	AttributeSetIdentifier      string                          `json:"attributeSetIdentifier"`
	TotalSum                    string                          `json:"totalSum"`
	Currency                    string                          `json:"currency"`
	PaymentAccountIdentifier    string                          `json:"paymentAccountIdentifier"`
	PaymentAccountLocalizeInfos json.RawMessage                 `json:"paymentAccountLocalizeInfos"`
	Products                    []orderProductResponse          `json:"products"`
	PaymentURL                  *string                         `json:"paymentUrl"`
	IsCompleted                 *bool                           `json:"isCompleted"`
	StatusLocalizeInfos         json.RawMessage                 `json:"statusLocalizeInfos,omitempty"`
}

// orderRead answers o with its products' titles in lang, or in the order's language when lang
// is "", and their preview images' links made absolute against origin, the address the request
// came to (only there: an order's form data is the buyer's text).
func (s *Server) orderRead(fx *store.Fixtures, lang, origin string, o store.Order) orderReadResponse {
	lang = cmp.Or(lang, o.Language)
	catalog := s.catalog()
	products := make([]orderProductResponse, len(o.Products))
	for i, line := range o.Products {
		// The price is the one recorded when the order was priced, not today's.
		p := orderProductResponse{ID: line.ProductID, Quantity: line.Quantity, Price: (*moneyNumber)(line.PriceCents)}
		if s.profile.GiftLines {
			p.IsGift = new(bool)
		}
		p.Title, _ = catalog.Title(line.ProductID, lang)
		if img := catalog.PreviewImage(line.ProductID, lang); img != nil {
			p.PreviewImage = json.RawMessage(store.AbsoluteMedia(img, origin))
		}
		if prod, ok := fx.Product(line.ProductID); ok {
			p.SKU = prod.SKU
			if p.Price == nil {
				p.Price = (*moneyNumber)(prod.PriceCents)
			}
		}
		products[i] = p
	}
	accountInfo := json.RawMessage(`{}`)
	if acc, ok := fx.PaymentAccount(o.PaymentAccountIdentifier); ok {
		accountInfo = orEmptyObject(acc.LocalizeInfos)
	}
	attrSet := ""
	var statusInfo json.RawMessage
	if st, ok := fx.OrderStorage(o.StorageMarker); ok {
		attrSet = st.AttributeSetIdentifier
		if i := slices.IndexFunc(st.Statuses, func(s store.OrderStatus) bool { return s.Identifier == o.StatusIdentifier }); i >= 0 {
			statusInfo = orEmptyObject(st.Statuses[i].LocalizeInfos)
		}
	}
	return orderReadResponse{
		ID:                          o.ID,
		StorageID:                   o.StorageID,
		CreatedDate:                 timestamp(o.CreatedDate),
		StatusIdentifier:            o.StatusIdentifier,
		FormIdentifier:              o.FormIdentifier,
		FormData:                    localeMap(o.Language, o.FormData),
		AttributeSetIdentifier:      attrSet,
		TotalSum:                    store.Money(o.TotalCents),
		Currency:                    o.Currency,
		PaymentAccountIdentifier:    o.PaymentAccountIdentifier,
		PaymentAccountLocalizeInfos: accountInfo,
		Products:                    products,
		PaymentURL:                  o.PaymentURL,
		IsCompleted:                 o.IsCompleted,
		StatusLocalizeInfos:         statusInfo,
	}
}

// handleOrderCreate handles POST /api/content/orders-storage/marker/{marker}/orders.
func (s *Server) handleOrderCreate(w http.ResponseWriter, r *http.Request, sc *scope, req orderRequest) {
	s.writeOrder(w, r, sc, req, sc.store.Fixtures().Project.DefaultLanguage, false, func(in store.OrderInput) (store.Order, error) {
		return sc.store.CreateOrder(r.Context(), sc.claims.ID, mux.Vars(r)["marker"], in)
	})
}

// writeOrder is what create and update share: the request's input, its form data in lang, goes
// to write, and the order written is answered, 201 when new; an update's answer also carries
// the order's status.
func (s *Server) writeOrder(w http.ResponseWriter, r *http.Request, sc *scope, req orderRequest, lang string, update bool, write func(store.OrderInput) (store.Order, error)) {
	in, err := req.input(sc.store.Fixtures(), lang)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	o, err := write(in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp := newOrderWriteResponse(o, update)
	resp.orderDiscountFields = s.orderDiscounts(sc, r, o)
	status := http.StatusCreated
	if update {
		status = http.StatusOK
	}
	s.writeJSON(w, status, resp)
}

type orderListResponse struct {
	Items []orderReadResponse `json:"items"`
	Total int                 `json:"total"`
}

// handleOrders handles GET /api/content/orders-storage/marker/{marker}/orders.
func (s *Server) handleOrders(w http.ResponseWriter, r *http.Request, sc *scope) {
	orders, total, err := sc.store.Orders(r.Context(), sc.claims.ID, mux.Vars(r)["marker"], page(r.URL.Query()))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := orderListResponse{Items: make([]orderReadResponse, len(orders)), Total: total}
	for i, o := range orders {
		out.Items[i] = s.orderRead(sc.store.Fixtures(), r.URL.Query().Get("langCode"), origin(r), o)
	}
	s.writeJSON(w, http.StatusOK, out)
}

// handleOrder handles GET /api/content/orders-storage/marker/{marker}/orders/{id}.
func (s *Server) handleOrder(w http.ResponseWriter, r *http.Request, sc *scope, id int) {
	o, err := sc.store.Order(r.Context(), sc.claims.ID, mux.Vars(r)["marker"], id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, s.orderRead(sc.store.Fixtures(), r.URL.Query().Get("langCode"), origin(r), o))
}

// handleOrderUpdate handles PUT /api/content/orders-storage/marker/{marker}/orders/{id}.
func (s *Server) handleOrderUpdate(w http.ResponseWriter, r *http.Request, sc *scope, id int, req orderRequest) {
	s.writeOrder(w, r, sc, req, language(r, sc.store), true, func(in store.OrderInput) (store.Order, error) {
		return sc.store.UpdateOrder(r.Context(), sc.claims.ID, mux.Vars(r)["marker"], id, in)
	})
}

// handleOrderStatuses handles GET /api/content/orders-storage/marker/{marker}/order-statuses:
// the statuses of one storage, paged.
func (s *Server) handleOrderStatuses(w http.ResponseWriter, r *http.Request, sc *scope) {
	st, err := sc.store.OrderStorage(mux.Vars(r)["marker"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	statuses := newStatusResponses(st)
	p := page(r.URL.Query())
	start := min(p.Offset, len(statuses))
	s.writeJSON(w, http.StatusOK, statuses[start:min(start+p.Limit, len(statuses))])
}
