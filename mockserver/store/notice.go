package store

import "encoding/json"

// ProductNotice is what a product event pushes to a subscriber's socket, in the shape the
// SDK's WS documentation gives: the event's text and attributes, and the product with its
// title, status and attribute values as {identifier, type, value}.
type ProductNotice struct {
	Message    string                     `json:"message"`
	Attributes map[string]json.RawMessage `json:"attributes"`
	Product    NoticeProduct              `json:"product"`
}

// NoticeProduct is the product part of a ProductNotice.
type NoticeProduct struct {
	ID         int                        `json:"id"`
	Info       noticeInfo                 `json:"info"`
	Status     *noticeStatus              `json:"status"`
	Attributes map[string]NoticeAttribute `json:"attributes"`
}

type noticeInfo struct {
	Title string `json:"title"`
}

type noticeStatus struct {
	Identifier string     `json:"identifier"`
	Info       noticeInfo `json:"info"`
}

// NoticeAttribute is one attribute value of a notice, keyed by its marker.
type NoticeAttribute struct {
	Identifier string          `json:"identifier"`
	Type       string          `json:"type"`
	Value      json.RawMessage `json:"value"`
}

// Title returns a product's title in lang (the default language when lang is ""), as the
// catalogue serves it.
func (c *Catalog) Title(id int, lang string) (string, bool) {
	i, ok := c.served.idx.id(id)
	if !ok {
		return "", false
	}
	return c.items[i].text(c.lang(lang)).title, true
}

// PreviewImage returns the value of the product's preview attribute (isProductPreview) in lang,
// as the catalogue serves it, which an order's line shows as its previewImage: a list of images
// for an image attribute, one object for a file. Nil when the product has none. Of two, the one
// first in position.
func (c *Catalog) PreviewImage(id int, lang string) json.RawMessage {
	i, ok := c.served.idx.id(id)
	if !ok {
		return nil
	}
	attrs := c.items[i].text(c.lang(lang)).attrs
	var preview json.RawMessage
	first := ""
	for marker, a := range attrs {
		if !a.IsProductPreview || len(a.Value) == 0 {
			continue
		}
		if first == "" || a.Position < attrs[first].Position || a.Position == attrs[first].Position && marker < first {
			first, preview = marker, a.Value
		}
	}
	return preview
}

// ProductNotice builds the notice of an event about a product, in lang. The product is read
// as the catalogue serves it, so the notice names what a page shows.
func (c *Catalog) ProductNotice(id int, lang, message string) (ProductNotice, bool) {
	raw, ok := c.Product(id, lang)
	if !ok {
		return ProductNotice{}, false
	}
	var served struct {
		LocalizeInfos       noticeInfo      `json:"localizeInfos"`
		StatusIdentifier    *string         `json:"statusIdentifier"`
		StatusLocalizeInfos noticeInfo      `json:"statusLocalizeInfos"`
		AttributeValues     json.RawMessage `json:"attributeValues"`
	}
	if json.Unmarshal(raw, &served) != nil {
		return ProductNotice{}, false
	}
	// attributeValues is an object keyed by marker; a product without values may have [].
	var values map[string]struct {
		Type  string          `json:"type"`
		Value json.RawMessage `json:"value"`
	}
	_ = json.Unmarshal(served.AttributeValues, &values)
	n := ProductNotice{Message: message, Attributes: map[string]json.RawMessage{},
		Product: NoticeProduct{ID: id, Info: served.LocalizeInfos, Attributes: make(map[string]NoticeAttribute, len(values))}}
	if served.StatusIdentifier != nil {
		n.Product.Status = &noticeStatus{Identifier: *served.StatusIdentifier, Info: served.StatusLocalizeInfos}
	}
	for marker, v := range values {
		n.Product.Attributes[marker] = NoticeAttribute{Identifier: marker, Type: v.Type, Value: v.Value}
	}
	return n, true
}
