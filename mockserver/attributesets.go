package mockserver

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// handleSetAttributes handles GET /api/content/attributes-sets/{marker}/attributes and
// …/attributes/{attributeMarker}: the attributes of a set's schema, in position order, or
// the one named.
func (s *Server) handleSetAttributes(w http.ResponseWriter, r *http.Request, _ *scope) {
	sets := s.collection(store.FileAttributeSets)
	vars := mux.Vars(r)
	i, ok := sets.MarkerIndex(vars["marker"])
	if !ok {
		s.writeError(w, r, store.Errorf(store.CodeNotFound, "Attributes set not found"))
		return
	}
	var schema map[string]json.RawMessage
	_ = json.Unmarshal(fieldOf(sets.At(i, r.URL.Query().Get("langCode")), "schema"), &schema) // no schema: no attributes
	if name, one := vars["attributeMarker"]; one {
		attr, ok := schema[name]
		if !ok {
			s.writeError(w, r, store.Errorf(store.CodeNotFound, "Attribute not found"))
			return
		}
		s.writeMedia(w, r, http.StatusOK, attr)
		return
	}
	type attr struct {
		marker   string
		position int
		raw      json.RawMessage
	}
	attrs := make([]attr, 0, len(schema))
	for marker, raw := range schema {
		var p struct {
			Position int `json:"position"`
		}
		_ = json.Unmarshal(raw, &p) // no position: first
		attrs = append(attrs, attr{marker, p.Position, raw})
	}
	slices.SortFunc(attrs, func(a, b attr) int {
		return cmp.Or(cmp.Compare(a.position, b.position), cmp.Compare(a.marker, b.marker))
	})
	sorted := make([]json.RawMessage, len(attrs))
	for n, a := range attrs {
		sorted[n] = a.raw
	}
	s.writeMedia(w, r, http.StatusOK, listBody(sorted, store.Page{}, false))
}
