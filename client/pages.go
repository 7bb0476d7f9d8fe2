package client

import (
	"context"
	"encoding/json"
	"net/http"
)

// Page is a page of the site: its URL, place in the tree and content.
type Page struct {
	ID                     int                          `json:"id"`
	ParentID               *int                         `json:"parentId"`
	PageURL                string                       `json:"pageUrl"`
	Depth                  int                          `json:"depth"`
	LocalizeInfos          Localized[PageLocalizeInfos] `json:"localizeInfos"`
	IsVisible              bool                         `json:"isVisible"`
	IsSync                 bool                         `json:"isSync"`
	Type                   string                       `json:"type"`
	TemplateIdentifier     *string                      `json:"templateIdentifier"`
	AttributeSetIdentifier *string                      `json:"attributeSetIdentifier"`
	AttributeValues        json.RawMessage              `json:"attributeValues"`
	Position               *int                         `json:"position,omitempty"`
	Blocks                 json.RawMessage              `json:"blocks,omitempty"`
	ModuleFormConfigs      json.RawMessage              `json:"moduleFormConfigs,omitempty"`
	Rating                 json.RawMessage              `json:"rating,omitempty"`
}

// PageLocalizeInfos is the translated text of a page: its title, its title in menus and its
// content as HTML and as plain text.
type PageLocalizeInfos struct {
	Title        string `json:"title"`
	MenuTitle    string `json:"menuTitle,omitempty"`
	HTMLContent  string `json:"htmlContent,omitempty"`
	PlainContent string `json:"plainContent,omitempty"`
}

// PageByURL returns the page at a URL (GET /pages/url/{url}).
func (c *Client) PageByURL(ctx context.Context, pageURL string) (*Page, error) {
	return call[Page](ctx, c, http.MethodGet, "/pages/url/"+seg(pageURL), c.langQuery(), nil)
}

// Menu is a navigation menu: the pages it links, in one list where a child names its parent
// by ParentID, or nested where an answer nests them.
type Menu struct {
	ID            int                      `json:"id"`
	Identifier    string                   `json:"identifier"`
	LocalizeInfos Localized[LocalizeInfos] `json:"localizeInfos"`
	Pages         []MenuPage               `json:"pages"`
}

// MenuPage is one entry of a menu; Children nests its sub-pages where the answer nests them.
type MenuPage struct {
	ID      *int    `json:"id"`
	PageURL *string `json:"pageUrl"`
	// ItemType tells a link to a page of the project from an external one.
	ItemType        string                       `json:"itemType,omitempty"`
	LocalizeInfos   Localized[PageLocalizeInfos] `json:"localizeInfos"`
	AttributeValues json.RawMessage              `json:"attributeValues"`
	Position        int                          `json:"position"`
	ParentID        *int                         `json:"parentId"`
	Children        []MenuPage                   `json:"children,omitempty"`
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
