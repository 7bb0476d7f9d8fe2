package store

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Catalog is the product catalogue as the API serves it: every product in every language,
// with what lists filter, sort and search on worked out once. It is immutable.
type Catalog struct {
	served      *Collection
	items       []catalogItem
	defaultLang string
}

// catalogItem is what the rules of a list read of one product.
type catalogItem struct {
	id       int
	position int
	price    *float64
	status   string
	template string
	placed   placement
	related  []int
	blocks   []string
	// byLang holds the title and attribute values in each language; "" is the default one.
	byLang map[string]productText
}

type productText struct {
	title string
	attrs map[string]attributeValue
}

type attributeValue struct {
	Type             string          `json:"type"`
	Value            json.RawMessage `json:"value"`
	Position         int             `json:"position"`
	IsProductPreview bool            `json:"isProductPreview"`
}

type productPage struct {
	PageID       int    `json:"pageId"`
	CategoryPath string `json:"categoryPath"`
}

// productDetails is an entry of FileProductDetails: what a product gains in the site the
// default project is, over the answer the seed recorded. Its values may be keyed by language.
type productDetails struct {
	ID               int                        `json:"id"`
	LocalizeInfos    json.RawMessage            `json:"localizeInfos"`
	StatusIdentifier *string                    `json:"statusIdentifier"`
	AttributeValues  map[string]json.RawMessage `json:"attributeValues"`
	RelatedIDs       []int                      `json:"relatedIds"`
	Blocks           []string                   `json:"blocks"`
}

// productStatus is what the catalogue reads of an entry of FileProductStatuses.
type productStatus struct {
	LocalizeInfos json.RawMessage `json:"localizeInfos"`
}

// buildCatalog returns the products as the API serves them: as the seed recorded them, or,
// with site set, as today's API serves the site's: with what FileProductDetails adds when the
// set has it (titles and descriptions in every language, statuses, images, related products),
// and with the module configs that bind each (the seed recorded none). A detail naming an
// unknown product or status is an error.
func (f *Fixtures) buildCatalog(site bool) (*Catalog, error) {
	products, err := f.Collection(FileProducts)
	if err != nil {
		return nil, err
	}
	raws := slices.Clone(products.items)
	if site {
		if ok, err := hasFixture(f.fsys, FileProductDetails); err != nil {
			return nil, err
		} else if ok {
			if err := f.addDetails(raws); err != nil {
				return nil, err
			}
		}
		for i := range raws {
			configs, err := json.Marshal(f.productFormConfigs(i))
			if err != nil {
				return nil, err
			}
			raws[i] = WithRawField(raws[i], "moduleFormConfigs", configs)
		}
	}
	c := &Catalog{
		served:      newCollection(raws, products.idx, f.Project.DefaultLanguage),
		items:       make([]catalogItem, len(raws)),
		defaultLang: f.Project.DefaultLanguage,
	}
	for i, raw := range raws {
		if err := c.index(i, raw); err != nil {
			return nil, fixtureErr(FileProducts, fmt.Sprintf("[%d]", i), "%v", err)
		}
		c.items[i].placed = f.Products[i].placed // raws are products.json's items, in its order
	}
	return c, nil
}

// addDetails merges the details into the products' JSON: top-level fields replace the seed's,
// attribute values are added to (or replace) the seed's of the same marker.
func (f *Fixtures) addDetails(raws []json.RawMessage) error {
	var details []productDetails
	if _, err := decodeList(f.fsys, FileProductDetails, &details, decodeStrict); err != nil {
		return err
	}
	statuses, err := f.Collection(FileProductStatuses)
	if err != nil {
		return err
	}
	seen := make(map[int]bool, len(details))
	for i, d := range details {
		at := fmt.Sprintf("[%d]", i)
		pi, ok := f.index(FileProducts).id(d.ID)
		if !ok {
			return fixtureErr(FileProductDetails, at+".id", "no product with id %d in %s", d.ID, FileProducts)
		}
		if seen[d.ID] {
			return fixtureErr(FileProductDetails, at+".id", "duplicate product id %d", d.ID)
		}
		seen[d.ID] = true
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raws[pi], &obj); err != nil {
			return fixtureErr(FileProducts, at, "%v", err)
		}
		if d.LocalizeInfos != nil {
			obj["localizeInfos"] = d.LocalizeInfos
		}
		if d.StatusIdentifier != nil {
			si, ok := statuses.idx.marker(*d.StatusIdentifier)
			if !ok {
				return fixtureErr(FileProductDetails, at+".statusIdentifier", "no status %q in %s", *d.StatusIdentifier, FileProductStatuses)
			}
			// The status's labels as the fixture keys them, so the product is told in the
			// asked language like the rest of it.
			var s productStatus
			_ = json.Unmarshal(statuses.items[si], &s) // a served object
			obj["statusIdentifier"], _ = json.Marshal(d.StatusIdentifier)
			obj["statusLocalizeInfos"] = orEmpty(s.LocalizeInfos)
		}
		if len(d.AttributeValues) > 0 {
			attrs := map[string]json.RawMessage{}
			_ = json.Unmarshal(obj["attributeValues"], &attrs) // the seed's, checked at load
			for k, v := range d.AttributeValues {
				attrs[k] = v
			}
			obj["attributeValues"], _ = json.Marshal(attrs)
		}
		for _, id := range d.RelatedIDs {
			if _, ok := f.index(FileProducts).id(id); !ok || id == d.ID {
				return fixtureErr(FileProductDetails, at+".relatedIds", "%d is not another product", id)
			}
		}
		if d.RelatedIDs != nil {
			obj["relatedIds"], _ = json.Marshal(d.RelatedIDs)
		}
		if d.Blocks != nil {
			if blocks, ok := f.collections[FileBlocks]; ok {
				if err := checkBlockRefs(FileProductDetails, i, d.Blocks, blocks); err != nil {
					return err
				}
			}
			obj["blocks"], _ = json.Marshal(d.Blocks)
		}
		raws[pi] = marshalOrdered(raws[pi], obj)
	}
	return nil
}

func orEmpty(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return json.RawMessage(`{}`)
	}
	return raw
}

// marshalOrdered encodes obj with the keys of orig first, in orig's order, then the new ones
// sorted, so a product keeps the field order the seed recorded.
func marshalOrdered(orig json.RawMessage, obj map[string]json.RawMessage) json.RawMessage {
	ms, _, _ := parts(orig)
	seen := map[string]bool{}
	var buf bytes.Buffer
	buf.WriteByte('{')
	write := func(k string, v json.RawMessage) {
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		buf.Write(appendJSONString(nil, k))
		buf.WriteByte(':')
		buf.Write(v)
	}
	for _, m := range ms {
		seen[m.key] = true
		write(m.key, obj[m.key])
	}
	rest := make([]string, 0, len(obj))
	for k := range obj {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range rest {
		write(k, obj[k])
	}
	buf.WriteByte('}')
	return buf.Bytes()
}

// index works out what the rules read of product i.
func (c *Catalog) index(i int, raw json.RawMessage) error {
	var p struct {
		ID                 int                        `json:"id"`
		Position           int                        `json:"position"`
		Price              *float64                   `json:"price"`
		StatusIdentifier   *string                    `json:"statusIdentifier"`
		TemplateIdentifier *string                    `json:"templateIdentifier"`
		RelatedIDs         []int                      `json:"relatedIds"`
		Blocks             []string                   `json:"blocks"`
		LocalizeInfos      map[string]json.RawMessage `json:"localizeInfos"`
		AttributeValues    map[string]attributeValue  `json:"attributeValues"`
	}
	it := catalogItem{byLang: map[string]productText{}}
	// "" is every language the product is not told in: its keyed values blank, as the
	// collection serves it.
	langs := Languages(raw)
	if !slices.Contains(langs, c.defaultLang) {
		langs = append(langs, c.defaultLang)
	}
	for _, l := range append([]string{""}, langs...) {
		rendered := localize(raw, l)
		p.LocalizeInfos, p.AttributeValues = nil, nil
		if err := json.Unmarshal(rendered, &p); err != nil {
			return err
		}
		var title string
		_ = json.Unmarshal(p.LocalizeInfos["title"], &title)
		it.byLang[l] = productText{title: title, attrs: p.AttributeValues}
	}
	it.id, it.position, it.price, it.related, it.blocks = p.ID, p.Position, p.Price, p.RelatedIDs, p.Blocks
	if p.StatusIdentifier != nil {
		it.status = *p.StatusIdentifier
	}
	if p.TemplateIdentifier != nil {
		it.template = *p.TemplateIdentifier
	}
	c.items[i] = it
	return nil
}

// text returns the product's title and attributes in lang, a language (not "").
func (it *catalogItem) text(lang string) productText {
	if t, ok := it.byLang[lang]; ok {
		return t
	}
	return it.byLang[""]
}

// lang returns the language an answer is given in: the asked one, the default when none is
// asked. A language the products are not told in gets no fallback (see Localize).
func (c *Catalog) lang(lang string) string {
	if lang == "" {
		return c.defaultLang
	}
	return lang
}

// Product returns the product with the given id, in lang.
func (c *Catalog) Product(id int, lang string) (json.RawMessage, bool) {
	return c.served.ByID(id, c.lang(lang))
}

// Has reports whether a product with the given id exists.
func (c *Catalog) Has(id int) bool {
	_, ok := c.served.idx.id(id)
	return ok
}

// Blocks returns the identifiers of the blocks a product is shown with.
func (c *Catalog) Blocks(id int) []string {
	i, ok := c.served.idx.id(id)
	if !ok {
		return nil
	}
	return c.items[i].blocks
}

// The conditions of a filter, as IFilterParams documents them.
const (
	CondIn        = "in"   // contains
	CondNotIn     = "nin"  // does not contain
	CondEqual     = "eq"   // equal
	CondNotEqual  = "neq"  // not equal
	CondMoreThan  = "mth"  // greater than
	CondLessThan  = "lth"  // less than
	CondExists    = "exs"  // exists
	CondNotExists = "nexs" // does not exist
)

var conditions = []string{CondIn, CondNotIn, CondEqual, CondNotEqual, CondMoreThan, CondLessThan, CondExists, CondNotExists}

// ProductFilter is one element of a product list's filter (the SDK's IFilterParams). Every
// part that is set must hold for a product to match.
type ProductFilter struct {
	AttributeMarker string
	ConditionMarker string
	ConditionValue  json.RawMessage
	PageURLs        []string
	StatusMarker    string
	Title           string
	IsNested        bool
}

// filterWire is a filter element as sent; null and absent mean "not set".
type filterWire struct {
	AttributeMarker *string         `json:"attributeMarker"`
	ConditionMarker *string         `json:"conditionMarker"`
	ConditionValue  json.RawMessage `json:"conditionValue"`
	PageURL         *string         `json:"pageUrl"`
	PageURLs        []string        `json:"pageUrls"`
	StatusMarker    *string         `json:"statusMarker"`
	Title           *string         `json:"title"`
	IsNested        *bool           `json:"isNested"`
}

// MaxProductFilters bounds the filters of a product list request, and the page URLs they
// name together: a shop's filter panel uses a handful.
const MaxProductFilters = 32

// ParseProductFilters reads a list request's body: {"filter": [...]} as SDK 1.0.149 sends it,
// a bare array as older SDKs and the count routes send it, or nothing. A malformed element is
// a CodeInvalid error naming it, in class-validator's words; so is a key of the object beside
// filter, unless besideFilter lets them be.
func ParseProductFilters(body []byte, besideFilter bool) ([]ProductFilter, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, nil
	}
	field := "filter"
	list := json.RawMessage(body)
	if body[0] == '{' {
		var wrapper map[string]json.RawMessage
		if err := json.Unmarshal(body, &wrapper); err != nil {
			return nil, Invalid("filter must be an array")
		}
		// Paging and language are the query's: in the body they are refused, not ignored,
		// unless besideFilter lets other keys be.
		if !besideFilter {
			var extra []string
			for _, k := range slices.Sorted(maps.Keys(wrapper)) {
				if k != "filter" {
					extra = append(extra, "property "+k+" should not exist")
				}
			}
			if len(extra) > 0 {
				return nil, Invalid(extra...)
			}
		}
		list = wrapper["filter"]
		if len(list) == 0 || string(list) == "null" {
			return nil, nil
		}
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(list, &elems); err != nil {
		return nil, Invalid(field + " must be an array")
	}
	// Every filter is tested on every product: bounded, a request costs a bounded multiple
	// of the catalogue, whatever its body holds.
	if len(elems) > MaxProductFilters {
		return nil, Invalid(fmt.Sprintf("%s must contain no more than %d elements", field, MaxProductFilters))
	}
	out := make([]ProductFilter, 0, len(elems))
	pageURLs := 0
	var msgs []string
	for i, e := range elems {
		at := fmt.Sprintf("%s.%d.", field, i)
		var w filterWire
		if len(bytes.TrimSpace(e)) == 0 || bytes.TrimSpace(e)[0] != '{' {
			msgs = append(msgs, fmt.Sprintf("%s.%d must be an object", field, i))
			continue
		}
		if err := json.Unmarshal(e, &w); err != nil {
			msgs = append(msgs, at+wireFieldMessage(err))
			continue
		}
		f := ProductFilter{ConditionValue: w.ConditionValue, PageURLs: w.PageURLs}
		if pageURLs += len(w.PageURLs); pageURLs > MaxProductFilters {
			return nil, Invalid(fmt.Sprintf("%s may name no more than %d pageUrls in all", field, MaxProductFilters))
		}
		if w.AttributeMarker != nil {
			f.AttributeMarker = *w.AttributeMarker
		}
		if w.ConditionMarker != nil {
			f.ConditionMarker = *w.ConditionMarker
			if !slices.Contains(conditions, f.ConditionMarker) {
				msgs = append(msgs, at+"conditionMarker must be one of the following values: "+strings.Join(conditions, ", "))
			}
		}
		if f.ConditionMarker != "" && f.AttributeMarker == "" {
			msgs = append(msgs, at+"attributeMarker must be a string")
		}
		if w.PageURL != nil && *w.PageURL != "" {
			f.PageURLs = append(f.PageURLs, *w.PageURL)
		}
		if w.StatusMarker != nil {
			f.StatusMarker = *w.StatusMarker
		}
		if w.Title != nil {
			f.Title = *w.Title
		}
		if w.IsNested != nil {
			f.IsNested = *w.IsNested
		}
		out = append(out, f)
	}
	if len(msgs) > 0 {
		return nil, Invalid(msgs...)
	}
	return out, nil
}

// wireFieldMessage words a type error of a filter element's field.
func wireFieldMessage(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		switch te.Field {
		case "pageUrls":
			return "pageUrls must be an array of strings"
		case "isNested":
			return "isNested must be a boolean value"
		default:
			return te.Field + " must be a string"
		}
	}
	return "must be an object"
}

// ProductQuery selects, orders and windows a product list.
type ProductQuery struct {
	Filters []ProductFilter
	Lang    string
	// Scope limits the list to a catalogue page: by id (PageID > 0) or by url (PageURL); with
	// Nested, its child pages' products too.
	PageID  int
	PageURL string
	Nested  bool
	// OnNoPage limits the list to the products that sit on no catalogue page.
	OnNoPage bool
	// Related limits the list to the products related to this one.
	Related int
	// Template limits the list to the products shown with this template.
	Template string
	// SortKey is id, position, title, date, price or status; empty keeps catalogue order
	// (position). SortOrder is ASC or DESC (the default).
	SortKey   string
	SortOrder string
	Page      Page
}

// ProductList is a window of a product list and how many products the whole list holds.
type ProductList struct {
	Items []json.RawMessage
	Total int
}

// Find returns the products q selects, ordered and windowed, in q.Lang.
func (c *Catalog) Find(q ProductQuery) ProductList {
	lang := c.lang(q.Lang)
	idx := c.match(q, lang)
	c.sort(idx, q.SortKey, q.SortOrder, lang)
	start, end := q.Page.window(len(idx))
	out := ProductList{Items: make([]json.RawMessage, 0, end-start), Total: len(idx)}
	for _, i := range idx[start:end] {
		out.Items = append(out.Items, c.served.item(i, lang))
	}
	return out
}

// Prices returns the ids and prices of the products q selects, ordered and windowed; nil for
// a product without a price ("no price set", not zero, as its own answer says).
func (c *Catalog) Prices(q ProductQuery) (ids []int, prices []*float64, total int) {
	lang := c.lang(q.Lang)
	idx := c.match(q, lang)
	c.sort(idx, q.SortKey, q.SortOrder, lang)
	start, end := q.Page.window(len(idx))
	for _, i := range idx[start:end] {
		ids = append(ids, c.items[i].id)
		prices = append(prices, c.items[i].price)
	}
	return ids, prices, len(idx)
}

// ProductCounts are the answer of the count routes.
type ProductCounts struct {
	TotalAll                  int `json:"totalAll"`
	TotalInCategory           int `json:"totalInCategory"`
	TotalInCategoryWithNested int `json:"totalInCategoryWithNested"`
}

// Count counts the products the filters select: in the whole catalogue, in q's page, and in
// q's page with its child pages. Without a page, the three are the catalogue's.
func (c *Catalog) Count(q ProductQuery) ProductCounts {
	lang := c.lang(q.Lang)
	all := q
	all.PageID, all.PageURL, all.Nested = 0, "", false
	out := ProductCounts{TotalAll: len(c.match(all, lang))}
	if q.PageID == 0 && q.PageURL == "" {
		out.TotalInCategory, out.TotalInCategoryWithNested = out.TotalAll, out.TotalAll
		return out
	}
	q.Nested = false
	out.TotalInCategory = len(c.match(q, lang))
	q.Nested = true
	out.TotalInCategoryWithNested = len(c.match(q, lang))
	return out
}

// HasPage reports whether a catalogue page holds products, by id or by url.
func (c *Catalog) HasPage(id int, url string) bool {
	for i := range c.items {
		if c.items[i].onPage(id, url, false) {
			return true
		}
	}
	return false
}

// Search returns the products whose title in lang contains text, case-insensitively, in
// catalogue order: the quick search's id and title projection.
func (c *Catalog) Search(text, lang string) []SearchHit {
	lang = c.lang(lang)
	needle := strings.ToLower(strings.TrimSpace(text))
	out := []SearchHit{}
	if needle == "" {
		return out
	}
	idx := make([]int, 0, len(c.items))
	for i := range c.items {
		if strings.Contains(strings.ToLower(c.items[i].text(lang).title), needle) {
			idx = append(idx, i)
		}
	}
	c.sort(idx, "", "", lang)
	for _, i := range idx {
		out = append(out, SearchHit{ID: c.items[i].id, Title: c.items[i].text(lang).title})
	}
	return out
}

// SearchHit is one answer of the quick search.
type SearchHit struct {
	ID    int    `json:"id"`
	Title string `json:"title"`
}

func (c *Catalog) match(q ProductQuery, lang string) []int {
	var related map[int]bool
	if q.Related > 0 {
		related = map[int]bool{}
		if i, ok := c.served.idx.id(q.Related); ok {
			for _, id := range c.items[i].related {
				related[id] = true
			}
		}
	}
	out := make([]int, 0, len(c.items))
	for i := range c.items {
		it := &c.items[i]
		if related != nil && !related[it.id] {
			continue
		}
		if (q.PageID > 0 || q.PageURL != "") && !it.onPage(q.PageID, q.PageURL, q.Nested) {
			continue
		}
		if q.Template != "" && it.template != q.Template {
			continue
		}
		if q.OnNoPage && len(it.placed.on) > 0 {
			continue
		}
		ok := true
		for _, f := range q.Filters {
			if !it.matches(f, lang) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, i)
		}
	}
	return out
}

// onPage reports whether the product sits on the page with the id or url given; nested admits
// the pages under it, as the page tree (not the text of a path) has them.
func (it *catalogItem) onPage(id int, url string, nested bool) bool {
	return it.placed.in(pageRef{id, url}, nested)
}

func (it *catalogItem) matches(f ProductFilter, lang string) bool {
	if f.StatusMarker != "" && it.status != f.StatusMarker {
		return false
	}
	if f.Title != "" && !strings.Contains(strings.ToLower(it.text(lang).title), strings.ToLower(f.Title)) {
		return false
	}
	if len(f.PageURLs) > 0 && !slices.ContainsFunc(f.PageURLs, func(u string) bool { return it.onPage(0, u, f.IsNested) }) {
		return false
	}
	if f.ConditionMarker == "" {
		return true
	}
	av, ok := it.text(lang).attrs[f.AttributeMarker]
	present := ok && !emptyValue(av.Value)
	switch f.ConditionMarker {
	case CondExists:
		return present
	case CondNotExists:
		return !present
	// As the platform notes say (filters.md), membership on a number and greater-than on a
	// string return nothing.
	case CondIn:
		return present && !numericType(av.Type) && contains(av.Value, f.ConditionValue, textType(av.Type))
	case CondNotIn:
		return present && !numericType(av.Type) && !contains(av.Value, f.ConditionValue, textType(av.Type))
	case CondEqual:
		return present && equalValue(av.Value, f.ConditionValue)
	case CondNotEqual:
		return present && !equalValue(av.Value, f.ConditionValue)
	case CondMoreThan, CondLessThan:
		a, aok := number(av.Value)
		b, bok := number(f.ConditionValue)
		if !present || !aok || !bok || textType(av.Type) {
			return false
		}
		if f.ConditionMarker == CondMoreThan {
			return a > b
		}
		return a < b
	}
	return false
}

func numericType(t string) bool { return t == "integer" || t == "float" || t == "real" }

func textType(t string) bool { return t == "string" || t == "text" || t == "textWithHeader" }

// emptyValue is an attribute with nothing in it: null, "", [] or {}.
func emptyValue(v json.RawMessage) bool {
	s := string(bytes.TrimSpace(v))
	return s == "" || s == "null" || s == `""` || s == "[]" || s == "{}"
}

// scalars returns the comparable values of an attribute value: a scalar itself, the elements
// of a list, for list options ({"title", "value"}) their value, and for text
// ({"htmlValue", "plainValue"}) its plain text, else its Markdown or HTML. Each is a string.
func scalars(v json.RawMessage) []string {
	var list []json.RawMessage
	if json.Unmarshal(v, &list) == nil {
		var out []string
		for _, e := range list {
			out = append(out, scalars(e)...)
		}
		return out
	}
	var opt struct {
		Value json.RawMessage `json:"value"`
		Plain json.RawMessage `json:"plainValue"`
		MD    json.RawMessage `json:"mdValue"`
		HTML  json.RawMessage `json:"htmlValue"`
	}
	if t := bytes.TrimSpace(v); len(t) > 0 && t[0] == '{' {
		if json.Unmarshal(v, &opt) != nil {
			return nil
		}
		for _, inner := range [...]json.RawMessage{opt.Value, opt.Plain, opt.MD, opt.HTML} {
			if inner != nil {
				return scalars(inner)
			}
		}
		return nil
	}
	if s, ok := scalar(v); ok {
		return []string{s}
	}
	return nil
}

// scalar renders a JSON string, number or boolean as text; numbers in their shortest form so
// that 100, 100.0 and "100" compare equal.
func scalar(v json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return textScalar(s), true
	}
	var f float64
	if json.Unmarshal(v, &f) == nil {
		return strconv.FormatFloat(f, 'g', -1, 64), true
	}
	var b bool
	if json.Unmarshal(v, &b) == nil {
		return strconv.FormatBool(b), true
	}
	return "", false
}

// textScalar is a text as scalar renders it: a number written as text in its shortest form.
func textScalar(s string) string {
	if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return s
}

// equalValue: the attribute's value (or one of its list values) equals the asked one.
func equalValue(attr, want json.RawMessage) bool {
	w, ok := scalar(want)
	if !ok {
		return false
	}
	return slices.ContainsFunc(scalars(attr), func(s string) bool { return strings.EqualFold(s, w) })
}

// contains: the asked value, or one of the asked list, is one of the attribute's values, or,
// when partial (a text attribute), part of its text (case-insensitive). A list's options match
// whole: the platform notes (filters.md) have choices filtered by their stored value.
func contains(attr, want json.RawMessage, partial bool) bool {
	wants := askedSet(want)
	if len(wants) == 0 {
		return false
	}
	have := scalars(attr)
	for _, w := range wants {
		for _, h := range have {
			if strings.EqualFold(h, w) || partial && strings.Contains(strings.ToLower(h), strings.ToLower(w)) {
				return true
			}
		}
	}
	return false
}

// askedSet is the set an `in` or `nin` filter asks about: the elements of a list, or the
// comma-separated parts of a text. The SDK types the value as one string or number, and
// OneEntry's own product-list code asks for several facet values by joining them with commas.
func askedSet(want json.RawMessage) []string {
	var text string
	if json.Unmarshal(want, &text) != nil || !strings.Contains(text, ",") {
		return scalars(want)
	}
	var set []string
	for part := range strings.SplitSeq(text, ",") {
		if part = strings.TrimSpace(part); part != "" {
			set = append(set, textScalar(part))
		}
	}
	return set
}

// number reads a number, or a string holding one.
func number(v json.RawMessage) (float64, bool) {
	var list []json.RawMessage
	if json.Unmarshal(v, &list) == nil && len(list) == 1 {
		return number(list[0])
	}
	s, ok := scalar(v)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// sort orders idx by key; ties, and no key, keep catalogue order (position, then id). The
// catalogue has no creation dates, so "date" orders by id, the order products were made in.
func (c *Catalog) sort(idx []int, key, order, lang string) {
	base := func(a, b int) int {
		return cmp.Or(cmp.Compare(c.items[a].position, c.items[b].position), cmp.Compare(c.items[a].id, c.items[b].id))
	}
	var by func(a, b int) int
	switch key {
	case "id", "date":
		by = func(a, b int) int { return cmp.Compare(c.items[a].id, c.items[b].id) }
	case "position":
		by = base
	case "title":
		by = func(a, b int) int {
			return strings.Compare(strings.ToLower(c.items[a].text(lang).title), strings.ToLower(c.items[b].text(lang).title))
		}
	case "price":
		// No price sorts below every price, as null sorts first in ascending SQL order.
		by = func(a, b int) int {
			pa, pb := c.items[a].price, c.items[b].price
			switch {
			case pa == nil && pb == nil:
				return 0
			case pa == nil:
				return -1
			case pb == nil:
				return 1
			}
			return cmp.Compare(*pa, *pb)
		}
	case "status":
		by = func(a, b int) int { return strings.Compare(c.items[a].status, c.items[b].status) }
	default:
		slices.SortStableFunc(idx, base)
		return
	}
	sign := -1
	if order == "ASC" {
		sign = 1
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if r := by(a, b); r != 0 {
			return sign * r
		}
		return base(a, b)
	})
}
