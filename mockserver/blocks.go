package mockserver

import (
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// handleBlockProducts handles the three product lists of a block, GET
// /api/content/blocks/{marker}/products, …/similar-products and
// …/products/{productId}/frequently-ordered: the block's products (store.BlockProducts) as
// {items, total}, windowed by ?offset= and ?limit=, as the product reads serve them.
func (s *Server) handleBlockProducts(w http.ResponseWriter, r *http.Request, sc *scope) {
	q := r.URL.Query()
	source := 0
	if _, ok := mux.Vars(r)["productId"]; ok {
		id, err := pathID(r, "productId")
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		source = id
	} else if v := q.Get("productId"); v != "" {
		id, err := strconv.Atoi(v)
		if err != nil || id < 1 {
			s.writeError(w, r, store.Invalid("productId must be a positive integer"))
			return
		}
		source = id
	}
	ids, err := s.site().BlockProducts(mux.Vars(r)["marker"], source)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body := listBody(s.catalogProducts(ids, language(r, sc.store)), page(q), true)
	if _, frequentlyOrdered := mux.Vars(r)["productId"]; frequentlyOrdered {
		// The answer is never drawn from orders, so it is always the block's fallback.
		body = append(body[:len(body)-1], `,"fallbackUsed":true}`...)
	}
	s.writeMedia(w, r, http.StatusOK, body)
}

// handleBlockSearch handles GET /api/content/blocks/quick/search?name=&langCode=: the blocks
// whose title in the language contains name, as {id, identifier, name}.
func (s *Server) handleBlockSearch(w http.ResponseWriter, r *http.Request, sc *scope) {
	q := r.URL.Query()
	s.writeJSON(w, http.StatusOK, s.site().SearchBlocks(q.Get("name"), q.Get("langCode")))
}
