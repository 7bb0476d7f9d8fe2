package mockserver

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// handlePageBlocks handles GET /api/content/pages/{url}/blocks: the blocks attached to the
// page, in the page's order, as the block reads serve them.
func (s *Server) handlePageBlocks(w http.ResponseWriter, r *http.Request, sc *scope) {
	s.writePageObjects(w, r, sc, store.FileBlocks, (*store.Fixtures).PageBlocks)
}

// handlePageForms handles GET /api/content/pages/{url}/forms (SDK 1.0.115's getFormsByPageUrl):
// the forms that take submissions on the page, as the form reads serve them.
func (s *Server) handlePageForms(w http.ResponseWriter, r *http.Request, sc *scope) {
	s.writePageObjects(w, r, sc, store.FileForms, (*store.Fixtures).PageForms)
}

// writePageObjects answers the objects of file that markers names for the page of the path, in
// that order, in the request's language.
func (s *Server) writePageObjects(w http.ResponseWriter, r *http.Request, sc *scope, file string, markers func(*store.Fixtures, int) []string) {
	fx := sc.store.Fixtures()
	i, err := fx.Page(mux.Vars(r)["url"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	objects := s.collection(file)
	lang := r.URL.Query().Get("langCode")
	var out [][]byte
	for _, marker := range markers(fx, i) {
		if j, ok := objects.MarkerIndex(marker); ok {
			out = append(out, objects.At(j, lang))
		}
	}
	s.writeMedia(w, r, http.StatusOK, listBody(out, store.Page{}, false))
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
	hits, err := sc.store.Fixtures().SearchPages(q.Get("name"), url, lang)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, hits)
}
