package mockserver

import (
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/datetime"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// rowResponse is a collection row as the API answers it, its values in the asked language.
type rowResponse struct {
	ID                     int              `json:"id"`
	CreatedDate            string           `json:"createdDate"`
	UpdatedDate            string           `json:"updatedDate"`
	CollectionID           int              `json:"collectionId"`
	FormData               []store.RowField `json:"formData"`
	EntityType             *string          `json:"entityType"`
	EntityID               *int             `json:"entityId"`
	AttributeSetIdentifier *string          `json:"attributeSetIdentifier"`
}

func newRowResponse(row store.CollectionRow, lang, defaultLang string) rowResponse {
	fields := row.Fields(lang, defaultLang)
	if fields == nil {
		fields = []store.RowField{}
	}
	return rowResponse{
		ID: row.ID, CreatedDate: datetime.Format(row.CreatedDate), UpdatedDate: datetime.Format(row.UpdatedDate),
		CollectionID: row.CollectionID, FormData: fields, EntityType: row.EntityType, EntityID: row.EntityID,
	}
}

type rowsResponse struct {
	Items []rowResponse `json:"items"`
	Total int           `json:"total"`
}

// handleCollectionRows handles GET /integration-collections/{id}/rows and
// /integration-collections/marker/{marker}/rows: the rows oldest first, paged, optionally
// those bound to ?entityType= and ?entityId=.
func (s *Server) handleCollectionRows(w http.ResponseWriter, r *http.Request, sc *scope) {
	marker, id := mux.Vars(r)["marker"], 0
	if marker == "" {
		var err error
		if id, err = pathID(r, "id"); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	qv := r.URL.Query()
	q := store.RowQuery{EntityType: qv.Get("entityType"), Page: page(qv)}
	q.EntityID, _ = strconv.Atoi(qv.Get("entityId")) // an integer: the contract checked it
	rows, total, err := sc.store.CollectionRows(r.Context(), marker, id, q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	lang, def := language(r, sc.store), sc.store.Fixtures().Project.DefaultLanguage
	items := make([]rowResponse, 0, len(rows))
	for _, row := range rows {
		items = append(items, newRowResponse(row, lang, def))
	}
	s.writeJSON(w, http.StatusOK, rowsResponse{Items: items, Total: total})
}

// handleCollectionRowOp handles one row: POST /integration-collections/marker/{marker}/rows
// creates one; GET, PUT and DELETE of .../rows/{id} read, update and remove it. Writes take
// the values in ?langCode=.
func (s *Server) handleCollectionRowOp(w http.ResponseWriter, r *http.Request, sc *scope) {
	marker, lang := mux.Vars(r)["marker"], language(r, sc.store)
	var id int
	var in store.RowInput
	var err error
	if r.Method != http.MethodPost {
		id, err = pathID(r, "id")
	}
	if err == nil && (r.Method == http.MethodPost || r.Method == http.MethodPut) {
		in, err = store.ParseRowInput(sc.body)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var row store.CollectionRow
	status := http.StatusOK
	switch r.Method {
	case http.MethodPost:
		status = http.StatusCreated
		row, err = sc.store.CreateCollectionRow(r.Context(), marker, lang, in)
	case http.MethodPut:
		row, err = sc.store.UpdateCollectionRow(r.Context(), marker, id, lang, in)
	case http.MethodDelete:
		if err = sc.store.DeleteCollectionRow(r.Context(), marker, id); err == nil {
			s.writeRaw(w, status, []byte(`true`))
			return
		}
	default:
		row, err = sc.store.CollectionRowByID(r.Context(), marker, id)
	}
	s.writeRow(w, r, sc, status, row, err)
}

func (s *Server) writeRow(w http.ResponseWriter, r *http.Request, sc *scope, status int, row store.CollectionRow, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, status, newRowResponse(row, language(r, sc.store), sc.store.Fixtures().Project.DefaultLanguage))
}

// handleMarkerValidation handles GET .../marker-validation/{marker} of a fixture file:
// {"valid": true} when an object of the file has the marker.
func (s *Server) handleMarkerValidation(file string) func(http.ResponseWriter, *http.Request, *scope) {
	return func(w http.ResponseWriter, r *http.Request, _ *scope) {
		items, err := s.served(file)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		_, ok := items.ByMarker(mux.Vars(r)["marker"], "")
		s.writeJSON(w, http.StatusOK, struct {
			Valid bool `json:"valid"`
		}{ok})
	}
}
