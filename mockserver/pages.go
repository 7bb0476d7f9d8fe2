package mockserver

import (
	"encoding/json"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// handlePageBlocks handles GET /api/content/pages/{url}/blocks: the blocks attached to the
// page, in the page's order, as the block reads serve them.
func (s *Server) handlePageBlocks(w http.ResponseWriter, r *http.Request, sc *scope) {
	fx := sc.store.Fixtures()
	i, err := fx.Page(mux.Vars(r)["url"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	blocks := s.collection(store.FileBlocks)
	lang := r.URL.Query().Get("langCode")
	var out []json.RawMessage
	for _, marker := range fx.PageBlocks(i) {
		if j, ok := blocks.MarkerIndex(marker); ok {
			out = append(out, blocks.At(j, lang))
		}
	}
	s.writeMedia(w, r, http.StatusOK, listBody(out, store.Page{}, false))
}

// pageHit is one answer of a page quick search.
type pageHit struct {
	ID      int    `json:"id"`
	Title   string `json:"title"`
	PageURL string `json:"pageUrl"`
}

// handlePageSearch handles GET /api/content/pages/quick/search?name=&url=&lang=: the pages
// whose title in the language contains name, within the page url and its children when given.
// The SDK names the language `lang` here; `langCode` is read too.
func (s *Server) handlePageSearch(w http.ResponseWriter, r *http.Request, sc *scope) {
	q := r.URL.Query()
	lang := q.Get("lang")
	if lang == "" {
		lang = q.Get("langCode")
	}
	url := q.Get("url")
	if url == "undefined" { // the SDK's query when searchPage is called without a url
		url = ""
	}
	fx := sc.store.Fixtures()
	hits, err := fx.SearchPages(q.Get("name"), url, lang)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	pages := s.collection(store.FilePages)
	out := make([]pageHit, len(hits))
	for n, h := range hits {
		out[n] = pageHit{ID: fieldInt(pages, h.Index, "id"), Title: h.Title, PageURL: pages.FieldText(h.Index, "pageUrl")}
	}
	s.writeJSON(w, http.StatusOK, out)
}

// fieldInt reads a numeric top-level field of object i.
func fieldInt(c *store.Collection, i int, name string) int {
	var n int
	_ = json.Unmarshal(c.Field(i, name), &n) // not a number: 0
	return n
}
