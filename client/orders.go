package client

import (
	"context"
	"encoding/json"
	"net/http"
)

// OrderInput is the body of CreateOrder and UpdateOrder before the client wraps FormData by
// language ({"en_US":[…]}), which is how the SDK sends it.
type OrderInput struct {
	FormIdentifier           string
	PaymentAccountIdentifier string
	FormData                 []FormDataItem
	Products                 []OrderProductInput
	// StatusIdentifier sets the order status (e.g. "canceled" on update); omitted when empty,
	// which leaves the storage's default on create.
	StatusIdentifier           string
	CouponCode                 string
	AdditionalDiscountsMarkers []string
	BonusAmount                *float64
}

// OrderProductInput is one ordered product.
type OrderProductInput struct {
	ProductID int `json:"productId"`
	Quantity  int `json:"quantity"`
	// SignedPrice is a signed price token; omitted when empty.
	SignedPrice string `json:"signedPrice,omitempty"`
}

type orderBody struct {
	FormIdentifier             string                    `json:"formIdentifier"`
	PaymentAccountIdentifier   string                    `json:"paymentAccountIdentifier"`
	FormData                   map[string][]FormDataItem `json:"formData"`
	Products                   []OrderProductInput       `json:"products"`
	StatusIdentifier           string                    `json:"statusIdentifier,omitempty"`
	CouponCode                 string                    `json:"couponCode,omitempty"`
	AdditionalDiscountsMarkers []string                  `json:"additionalDiscountsMarkers,omitempty"`
	BonusAmount                *float64                  `json:"bonusAmount,omitempty"`
}

func (c *Client) orderBody(in OrderInput) orderBody {
	// The SDK always sends formData and products; empty lists stand in for nil ones.
	formData := in.FormData
	if formData == nil {
		formData = []FormDataItem{}
	}
	products := in.Products
	if products == nil {
		products = []OrderProductInput{}
	}
	return orderBody{
		FormIdentifier:             in.FormIdentifier,
		PaymentAccountIdentifier:   in.PaymentAccountIdentifier,
		FormData:                   map[string][]FormDataItem{c.lang: formData},
		Products:                   products,
		StatusIdentifier:           in.StatusIdentifier,
		CouponCode:                 in.CouponCode,
		AdditionalDiscountsMarkers: in.AdditionalDiscountsMarkers,
		BonusAmount:                in.BonusAmount,
	}
}

// Order is an order in an order storage. Create and update answers (O1, O4) and reads (O2,
// O3) share this type but not all fields: create/update answers carry products as
// {productId, quantity} and totalSum as a number; reads carry storageId, statusIdentifier,
// expanded products and totalSum as a "100.00" string.
type Order struct {
	ID                     int                       `json:"id"`
	StorageID              int                       `json:"storageId,omitempty"`
	CreatedDate            string                    `json:"createdDate,omitempty"`
	StatusIdentifier       string                    `json:"statusIdentifier,omitempty"`
	StatusLocalizeInfos    Localized[LocalizeInfos]  `json:"statusLocalizeInfos"`
	FormIdentifier         string                    `json:"formIdentifier,omitempty"`
	FormData               Localized[[]FormDataItem] `json:"formData"`
	AttributeSetIdentifier string                    `json:"attributeSetIdentifier,omitempty"`
	// TotalSum is Σ price × quantity.
	TotalSum                    Money                    `json:"totalSum"`
	Currency                    string                   `json:"currency"`
	PaymentAccountIdentifier    string                   `json:"paymentAccountIdentifier,omitempty"`
	PaymentAccountLocalizeInfos Localized[LocalizeInfos] `json:"paymentAccountLocalizeInfos"`
	Products                    []OrderProduct           `json:"products"`
	// PaymentURL and IsCompleted are null until a payment URL exists / the order completes.
	PaymentURL  *string `json:"paymentUrl"`
	IsCompleted *bool   `json:"isCompleted"`
	IsHistory   *bool   `json:"isHistory,omitempty"`
	// The fields below come with discounts and bonuses on newer instances.
	CouponCode                 string          `json:"couponCode,omitempty"`
	AdditionalDiscountsMarkers []string        `json:"additionalDiscountsMarkers,omitempty"`
	DiscountConfig             json.RawMessage `json:"discountConfig,omitempty"`
	BonusAmount                *float64        `json:"bonusAmount,omitempty"`
	BonusApplied               *float64        `json:"bonusApplied,omitempty"`
	TotalDue                   *Money          `json:"totalDue,omitempty"`
}

// FormValue returns the order's form value with the marker.
func (o *Order) FormValue(marker string) (FormDataItem, bool) {
	for _, item := range o.FormData.Value {
		if item.Marker == marker {
			return item, true
		}
	}
	return FormDataItem{}, false
}

// OrderProduct is one product line of an order: {productId, quantity} in create and update
// answers, {id, title, sku, price, quantity, previewImage} in reads.
type OrderProduct struct {
	ProductID    int             `json:"productId,omitempty"`
	ID           int             `json:"id,omitempty"`
	Title        string          `json:"title,omitempty"`
	SKU          *string         `json:"sku,omitempty"`
	PreviewImage json.RawMessage `json:"previewImage,omitempty"`
	Price        *Money          `json:"price,omitempty"`
	Quantity     int             `json:"quantity"`
	IsGift       *bool           `json:"isGift,omitempty"`
}

// EffectiveProductID returns the product id whichever key carried it (productId in create
// answers, id in reads).
func (p OrderProduct) EffectiveProductID() int {
	if p.ProductID != 0 {
		return p.ProductID
	}
	return p.ID
}

// OrderList is a page of the user's orders in one storage.
type OrderList struct {
	Items []Order `json:"items"`
	Total Count   `json:"total"`
}

// OrderStorage is an order storage: which form its orders use and which payment accounts
// they may be paid with.
type OrderStorage struct {
	ID                        int                      `json:"id"`
	LocalizeInfos             Localized[LocalizeInfos] `json:"localizeInfos"`
	Position                  *int                     `json:"position"`
	Identifier                string                   `json:"identifier"`
	FormIdentifier            string                   `json:"formIdentifier"`
	GeneralTypeID             *int                     `json:"generalTypeId"`
	PaymentAccountIdentifiers []PaymentAccountRef      `json:"paymentAccountIdentifiers"`
}

// PaymentAccountRef names a payment account linked to a storage.
type PaymentAccountRef struct {
	Identifier string `json:"identifier"`
}

// OrderStatus is a status orders of a storage can have.
type OrderStatus struct {
	ID            int                      `json:"id"`
	LocalizeInfos Localized[LocalizeInfos] `json:"localizeInfos"`
	Identifier    string                   `json:"identifier"`
	Position      int                      `json:"position"`
	IsUsed        bool                     `json:"isUsed"`
	IsDefault     bool                     `json:"isDefault"`
}

func storagePath(marker string) string { return "/orders-storage/marker/" + seg(marker) }

// CreateOrder places an order in the storage (O1, POST /orders-storage/marker/{marker}/orders).
// Like the SDK it sends no query string: the language is only the key of formData.
func (c *Client) CreateOrder(ctx context.Context, storageMarker string, in OrderInput) (*Order, error) {
	return call[Order](ctx, c, http.MethodPost, storagePath(storageMarker)+"/orders", nil, c.orderBody(in))
}

// Orders lists the user's orders in the storage (O2).
func (c *Client) Orders(ctx context.Context, storageMarker string, offset, limit int) (*OrderList, error) {
	return call[OrderList](ctx, c, http.MethodGet, storagePath(storageMarker)+"/orders", c.pageQuery(offset, limit), nil)
}

// Order returns one of the user's orders (O3).
func (c *Client) Order(ctx context.Context, storageMarker string, id int) (*Order, error) {
	return call[Order](ctx, c, http.MethodGet, storagePath(storageMarker)+"/orders/"+itoa(id), c.langQuery(), nil)
}

// UpdateOrder replaces an order's data (O4, PUT …/orders/{id}?langCode=); set
// StatusIdentifier to change its status.
func (c *Client) UpdateOrder(ctx context.Context, storageMarker string, id int, in OrderInput) (*Order, error) {
	return call[Order](ctx, c, http.MethodPut, storagePath(storageMarker)+"/orders/"+itoa(id), c.langQuery(), c.orderBody(in))
}

// OrderStorages lists the project's order storages (O5; a bare array).
func (c *Client) OrderStorages(ctx context.Context, offset, limit int) ([]OrderStorage, error) {
	return callList[OrderStorage](ctx, c, http.MethodGet, "/orders-storage", c.pageQuery(offset, limit), nil)
}

// OrderStorage returns one order storage by marker (O6).
func (c *Client) OrderStorage(ctx context.Context, marker string) (*OrderStorage, error) {
	return call[OrderStorage](ctx, c, http.MethodGet, storagePath(marker), c.langQuery(), nil)
}

// OrderStatuses lists the statuses of the storage's orders (O7).
func (c *Client) OrderStatuses(ctx context.Context, storageMarker string, offset, limit int) ([]OrderStatus, error) {
	return callList[OrderStatus](ctx, c, http.MethodGet, storagePath(storageMarker)+"/order-statuses", c.pageQuery(offset, limit), nil)
}
