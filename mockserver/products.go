package mockserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// catalog is the product catalogue the profile serves: the site's, or the seed's answers.
func (s *Server) catalog() *store.Catalog {
	return s.site().Catalog(s.profile.SiteProducts)
}

// productScope says which products a list route covers.
type productScope int

const (
	scopeAll productScope = iota
	scopePageID
	scopePageURL
	// scopeEmptyPage is the empty page, whose body SDK 1.0.149 fills with its paging: keys
	// beside filter are let be there.
	scopeEmptyPage
)

// productQuery reads a list request: its scope from the path, its filters from the body, and
// from the query its language, paging, sorting and the one filter IProductsQuery carries.
func (s *Server) productQuery(r *http.Request, sc *scope, where productScope) (store.ProductQuery, error) {
	filters, err := store.ParseProductFilters(sc.body, where == scopeEmptyPage)
	if err != nil {
		return store.ProductQuery{}, err
	}
	q := r.URL.Query()
	pq := store.ProductQuery{
		Filters:   filters,
		Lang:      language(r, sc.store),
		SortKey:   q.Get("sortKey"),
		SortOrder: q.Get("sortOrder"),
		Template:  q.Get("templateMarker"),
		Page:      page(q),
	}
	// The query's statusMarker is ignored, as today's API ignores it: only a filter record's
	// filters by status.
	var qf store.ProductFilter
	if cm := q.Get("conditionMarker"); cm != "" {
		qf.AttributeMarker, qf.ConditionMarker = q.Get("attributeMarker"), cm
		qf.ConditionValue, _ = json.Marshal(q.Get("conditionValue"))
		if qf.AttributeMarker == "" {
			return store.ProductQuery{}, store.Invalid("attributeMarker must be a string")
		}
	}
	if qf.ConditionMarker != "" {
		pq.Filters = append(pq.Filters, qf)
	}
	switch where {
	case scopePageID:
		if pq.PageID, err = pathID(r, "id"); err != nil {
			return store.ProductQuery{}, err
		}
	case scopePageURL:
		pq.PageURL = mux.Vars(r)["url"]
	}
	if (where == scopePageID || where == scopePageURL) && !s.pageKnown(pq.PageID, pq.PageURL) {
		return store.ProductQuery{}, store.Errorf(store.CodeNotFound, "Page not found")
	}
	return pq, nil
}

// pageKnown reports whether a catalogue page exists: a page products sit on, or a page of
// pages.json when the fixture set has one. An unknown one answers 404.
func (s *Server) pageKnown(id int, url string) bool {
	if s.catalog().HasPage(id, url) {
		return true
	}
	pages := s.collection(store.FilePages)
	if id > 0 {
		_, ok := pages.ByID(id, "")
		return ok
	}
	for _, p := range pages.Items("") {
		var page struct {
			PageURL string `json:"pageUrl"`
		}
		if json.Unmarshal(p, &page) == nil && page.PageURL == url {
			return true
		}
	}
	return false
}

// handleProductList handles the list routes, POST /products/all, /products/page/{id} and
// /products/page/url/{url}, and with counts their /counts routes.
func (s *Server) handleProductList(where productScope, counts bool) func(http.ResponseWriter, *http.Request, *scope) {
	return func(w http.ResponseWriter, r *http.Request, sc *scope) {
		q, err := s.productQuery(r, sc, where)
		switch {
		case err != nil:
			s.writeError(w, r, err)
		case counts:
			s.writeJSON(w, http.StatusCreated, s.catalog().Count(q))
		default:
			s.writeProducts(w, r, http.StatusCreated, s.catalog().Find(q))
		}
	}
}

// handleProductsEmptyPage handles POST /products/empty-page: the products on no catalogue page,
// grouped. The mock lists no groups (how today's API groups them is not documented), but checks
// the filters and query as the other product lists do.
func (s *Server) handleProductsEmptyPage(w http.ResponseWriter, r *http.Request, sc *scope) {
	if _, err := s.productQuery(r, sc, scopeEmptyPage); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeRaw(w, http.StatusCreated, []byte(`[]`))
}

// handleProductsOnNoPage handles GET /products/empty-page under SDK 1.0.115: the products on no
// catalogue page as a paged list, the IProductsResponse that SDK's types give it.
func (s *Server) handleProductsOnNoPage(w http.ResponseWriter, r *http.Request, sc *scope) {
	q, err := s.productQuery(r, sc, scopeAll)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q.OnNoPage = true
	s.writeProducts(w, r, http.StatusOK, s.catalog().Find(q))
}

type priceItem struct {
	ID    int      `json:"id"`
	Price *float64 `json:"price"`
}

// handleProductPrices handles GET /products/page/{url}/prices: the ids and prices of a
// catalogue page's products (null for a product without a price).
func (s *Server) handleProductPrices(w http.ResponseWriter, r *http.Request, sc *scope) {
	q, err := s.productQuery(r, sc, scopePageURL)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ids, prices, total := s.catalog().Prices(q)
	items := make([]priceItem, len(ids))
	for i := range ids {
		items[i] = priceItem{ID: ids[i], Price: prices[i]}
	}
	s.writeJSON(w, http.StatusOK, struct {
		Items []priceItem `json:"items"`
		Total int         `json:"total"`
	}{items, total})
}

// handleProduct handles GET /products/{id}.
func (s *Server) handleProduct(w http.ResponseWriter, r *http.Request, sc *scope, id int) {
	data, ok := s.catalog().Product(id, language(r, sc.store))
	if !ok {
		s.writeError(w, r, store.Errorf(store.CodeNotFound, "Product with id %d not found", id))
		return
	}
	s.writeMedia(w, r, http.StatusOK, data)
}

// handleProductsByIDs handles GET /products/ids?ids=: the products ?ids= lists, in that order
// and each once, as /products/{id} answers them; ids the catalogue lacks are left out.
func (s *Server) handleProductsByIDs(w http.ResponseWriter, r *http.Request, sc *scope) {
	// A repeated ?ids= is read as one list, each of its values checked, as the validation
	// of the list Express makes of it would.
	ids, err := idList(strings.Join(r.URL.Query()["ids"], ","))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeMedia(w, r, http.StatusOK, listBody(s.catalogProducts(ids, language(r, sc.store)), store.Page{}, false))
}

// catalogProducts returns the catalogue's products with the given ids, in lang, leaving out
// ids it lacks.
func (s *Server) catalogProducts(ids []int, lang string) []json.RawMessage {
	catalog := s.catalog()
	items := make([]json.RawMessage, 0, len(ids))
	for _, id := range ids {
		if p, ok := catalog.Product(id, lang); ok {
			items = append(items, p)
		}
	}
	return items
}

// maxIDList bounds the ids of one ?ids= list.
const maxIDList = 100

// idList parses a comma-separated list of positive ids, each once, in order.
func idList(raw string) ([]int, error) {
	parts := strings.Split(raw, ",")
	if len(parts) > maxIDList {
		return nil, store.Invalid(fmt.Sprintf("ids must list at most %d ids", maxIDList))
	}
	ids := make([]int, 0, len(parts))
	seen := map[int]bool{}
	for _, p := range parts {
		id, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || id < 1 {
			return nil, store.Invalid("ids must be a comma-separated list of positive integers")
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// handleProductRelated handles GET /products/{id}/related: the products the product names
// as related, as a list.
func (s *Server) handleProductRelated(w http.ResponseWriter, r *http.Request, sc *scope) {
	q, err := s.productQuery(r, sc, scopeAll)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if q.Related, err = pathID(r, "id"); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.catalog().Has(q.Related) {
		s.writeError(w, r, store.Errorf(store.CodeNotFound, "Product with id %d not found", q.Related))
		return
	}
	s.writeProducts(w, r, http.StatusOK, s.catalog().Find(q))
}

// handleProductBlocks handles GET /products/{id}/blocks: the blocks the product names, from
// blocks.json when the fixture set has one.
func (s *Server) handleProductBlocks(w http.ResponseWriter, r *http.Request, sc *scope, id int) {
	if !s.catalog().Has(id) {
		s.writeError(w, r, store.Errorf(store.CodeNotFound, "Product with id %d not found", id))
		return
	}
	items := [][]byte{}
	blocks := s.collection(store.FileBlocks)
	for _, marker := range s.catalog().Blocks(id) {
		if b, ok := blocks.ByMarker(marker, language(r, sc.store)); ok {
			items = append(items, b)
		}
	}
	s.writeMedia(w, r, http.StatusOK, listBody(items, store.Page{}, false))
}

// handleProductSearch handles GET /products/quick/search?name=: the id and title of the
// products whose title in langCode contains the text.
func (s *Server) handleProductSearch(w http.ResponseWriter, r *http.Request, sc *scope) {
	s.writeJSON(w, http.StatusOK, s.catalog().Search(r.URL.Query().Get("name"), language(r, sc.store)))
}

// writeProducts answers a product list as {items, total}.
func (s *Server) writeProducts(w http.ResponseWriter, r *http.Request, status int, l store.ProductList) {
	out := make([]byte, 0, 1024*len(l.Items)+32)
	out = append(out, `{"items":`...)
	out = append(out, listBody(l.Items, store.Page{}, false)...)
	out = append(out, `,"total":`...)
	out = strconv.AppendInt(out, int64(l.Total), 10)
	out = append(out, '}')
	s.writeMedia(w, r, status, out)
}
