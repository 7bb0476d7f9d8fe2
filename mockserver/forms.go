package mockserver

import (
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// handleForm handles GET /api/content/forms/marker/{marker}. Forms are served byte for byte as
// the fixture holds them, which is how the seed recorded them.
func (s *Server) handleForm(w http.ResponseWriter, r *http.Request, sc *scope) {
	marker := mux.Vars(r)["marker"]
	data, ok := s.encoded.forms[marker]
	if !ok {
		s.writeError(w, r, store.Errorf(store.CodeNotFound, "Form with marker %q not found", marker))
		return
	}
	s.writeRaw(w, http.StatusOK, data)
}

// handleForms handles GET /api/content/forms: `{"total": n, "items": [...]}`.
func (s *Server) handleForms(w http.ResponseWriter, r *http.Request, sc *scope) {
	items := jsonArray(s.encoded.formList, page(r.URL.Query()))
	out := make([]byte, 0, len(items)+32)
	out = append(out, `{"total":`...)
	out = strconv.AppendInt(out, int64(len(s.encoded.formList)), 10)
	out = append(out, `,"items":`...)
	out = append(out, items...)
	out = append(out, '}')
	s.writeRaw(w, http.StatusOK, out)
}

// handleProduct handles GET /api/content/products/{id}.
func (s *Server) handleProduct(w http.ResponseWriter, r *http.Request, sc *scope) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data, ok := s.encoded.products[id]
	if !ok {
		s.writeError(w, r, store.Errorf(store.CodeNotFound, "Product with id %d not found", id))
		return
	}
	s.writeRaw(w, http.StatusOK, data)
}
