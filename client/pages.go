package client

import (
	"context"
	"encoding/json"
	"net/http"
)

// Page is a page of the site: its URL, place in the tree and content.
type Page struct {
	ID                     int                      `json:"id"`
	ParentID               *int                     `json:"parentId"`
	PageURL                string                   `json:"pageUrl"`
	Depth                  int                      `json:"depth"`
	LocalizeInfos          Localized[LocalizeInfos] `json:"localizeInfos"`
	IsVisible              bool                     `json:"isVisible"`
	Type                   string                   `json:"type"`
	TemplateIdentifier     *string                  `json:"templateIdentifier"`
	AttributeSetIdentifier *string                  `json:"attributeSetIdentifier"`
	AttributeValues        json.RawMessage          `json:"attributeValues"`
	Blocks                 json.RawMessage          `json:"blocks,omitempty"`
}

// PageByURL returns the page at a URL (GET /pages/url/{url}).
func (c *Client) PageByURL(ctx context.Context, pageURL string) (*Page, error) {
	return call[Page](ctx, c, http.MethodGet, "/pages/url/"+seg(pageURL), c.langQuery(), nil)
}

// Menu is a navigation menu: the pages it links, as a tree.
type Menu struct {
	ID            int                      `json:"id"`
	Identifier    string                   `json:"identifier"`
	LocalizeInfos Localized[LocalizeInfos] `json:"localizeInfos"`
	Pages         []MenuPage               `json:"pages"`
}

// MenuPage is one entry of a menu; Children nests its sub-pages.
type MenuPage struct {
	ID            *int                     `json:"id"`
	PageURL       *string                  `json:"pageUrl"`
	LocalizeInfos Localized[LocalizeInfos] `json:"localizeInfos"`
	Position      int                      `json:"position"`
	ParentID      *int                     `json:"parentId"`
	Children      []MenuPage               `json:"children,omitempty"`
}

// Menu returns a menu by marker (GET /menus/marker/{marker}).
func (c *Client) Menu(ctx context.Context, marker string) (*Menu, error) {
	return call[Menu](ctx, c, http.MethodGet, "/menus/marker/"+seg(marker), c.langQuery(), nil)
}

// ProductList is a page of a catalogue.
type ProductList struct {
	Items []Product `json:"items"`
	Total int       `json:"total"`
}

// ProductsByPageURL returns a page of the products of a catalogue page, unfiltered
// (POST /products/page/url/{url}, as the SDK's getProductsByPageUrl sends it).
func (c *Client) ProductsByPageURL(ctx context.Context, pageURL string, offset, limit int) (*ProductList, error) {
	return call[ProductList](ctx, c, http.MethodPost, "/products/page/url/"+seg(pageURL), c.pageQuery(offset, limit), map[string]any{"filter": []any{}})
}
