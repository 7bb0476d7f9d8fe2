package mockserver

import (
	"encoding/json"
	"net/http"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// handleAdmins handles POST /api/content/admins/all?langCode=&offset=&limit=: the project's
// admins whose attribute values pass the body's filters (an array of IFilterParams; empty or
// no body: all). Their attributeValues stay keyed by language, as the SDK's schema expects.
func (s *Server) handleAdmins(w http.ResponseWriter, r *http.Request, sc *scope, filters []store.AttributeFilter) {
	q := r.URL.Query()
	found, err := s.site().Admins(filters, language(r, sc.store))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	admins := s.collection(store.FileAdmins)
	items := make([]json.RawMessage, len(found))
	for n, i := range found {
		items[n] = admins.Raw(i)
	}
	s.writeMedia(w, r, http.StatusCreated, listBody(items, page(q), false))
}
