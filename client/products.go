package client

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

// Product is a catalogue product (R1); orders reference it by ID.
type Product struct {
	ID                          int                      `json:"id"`
	LocalizeInfos               Localized[LocalizeInfos] `json:"localizeInfos"`
	StatusIdentifier            *string                  `json:"statusIdentifier"`
	StatusLocalizeInfos         Localized[LocalizeInfos] `json:"statusLocalizeInfos"`
	AttributeSetIdentifier      *string                  `json:"attributeSetIdentifier"`
	Position                    int                      `json:"position"`
	TemplateIdentifier          *string                  `json:"templateIdentifier"`
	ShortDescTemplateIdentifier *string                  `json:"shortDescTemplateIdentifier"`
	// Price is the value of the set's price attribute; nil when the API sends null (which is
	// not 0).
	Price      *Money            `json:"price"`
	Additional ProductAdditional `json:"additional"`
	SKU        *string           `json:"sku"`
	IsSync     bool              `json:"isSync"`
	IsVisible  bool              `json:"isVisible"`
	Categories []string          `json:"categories"`
	// AttributeValues maps attribute markers to values; raw answers may wrap it by language.
	AttributeValues   Localized[map[string]AttributeValue] `json:"attributeValues"`
	ProductPages      []ProductPage                        `json:"productPages,omitempty"`
	Blocks            json.RawMessage                      `json:"blocks,omitempty"`
	ModuleFormConfigs json.RawMessage                      `json:"moduleFormConfigs,omitempty"`
	Rating            json.RawMessage                      `json:"rating,omitempty"`
	PaymentStages     json.RawMessage                      `json:"paymentStages,omitempty"`
	// RelatedIDs are the products shown as related to this one, on newer instances.
	RelatedIDs []int `json:"relatedIds,omitempty"`
}

// ProductAdditional holds derived product data.
type ProductAdditional struct {
	Prices PriceRange `json:"prices"`
}

// PriceRange is the lowest and highest price of the product's catalogue.
type PriceRange struct {
	Min Money `json:"min"`
	Max Money `json:"max"`
}

// AttributeValue is one attribute of a product. Value's shape depends on Type; numeric
// values may arrive as strings.
type AttributeValue struct {
	Type             string          `json:"type"`
	Value            any             `json:"value"`
	IsIcon           bool            `json:"isIcon"`
	Position         int             `json:"position"`
	AdditionalFields json.RawMessage `json:"additionalFields,omitempty"`
	IsProductPreview bool            `json:"isProductPreview"`
}

// ProductPage links a product to a catalogue page; PageID is the page of "p-<pageId>-<id>".
type ProductPage struct {
	ID           int    `json:"id"`
	PageID       int    `json:"pageId"`
	ProductID    int    `json:"productId"`
	PositionID   int    `json:"positionId"`
	CategoryPath string `json:"categoryPath"`
}

// Product returns one product by id (R1, GET /products/{id}?langCode=).
func (c *Client) Product(ctx context.Context, id int) (*Product, error) {
	return call[Product](ctx, c, http.MethodGet, "/products/"+itoa(id), c.langQuery(), nil)
}

// ProductsByIDs returns the products whose ids are given, in that order; ids the project
// does not have are left out (R2).
func (c *Client) ProductsByIDs(ctx context.Context, ids ...int) ([]Product, error) {
	if len(ids) == 0 {
		return []Product{}, nil // the API takes at least one id: none asked, none found
	}
	list := make([]string, len(ids))
	for i, id := range ids {
		list[i] = itoa(id)
	}
	q := c.langQuery()
	q.Set("ids", strings.Join(list, ","))
	return callList[Product](ctx, c, http.MethodGet, "/products/ids", q, nil)
}
