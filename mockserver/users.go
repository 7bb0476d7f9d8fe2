package mockserver

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

type userResponse struct {
	ID                     int                             `json:"id"`
	Identifier             string                          `json:"identifier"`
	AuthProviderIdentifier string                          `json:"authProviderIdentifier"`
	FormData               map[string][]store.FormDataItem `json:"formData"`
	FormIdentifier         string                          `json:"formIdentifier"`
	Total                  string                          `json:"total"`
	Groups                 []int                           `json:"groups"`
	State                  json.RawMessage                 `json:"state"`
	ModuleFormConfigs      []struct{}                      `json:"moduleFormConfigs"`
	Rating                 struct{}                        `json:"rating"`
}

// handleUserMe handles GET /api/content/users/me.
func (s *Server) handleUserMe(w http.ResponseWriter, r *http.Request, sc *scope) {
	u, err := sc.store.User(r.Context(), sc.claims.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	groups := u.Groups
	if groups == nil {
		groups = []int{}
	}
	s.writeJSON(w, http.StatusOK, userResponse{
		ID:                     u.ID,
		Identifier:             u.Identifier,
		AuthProviderIdentifier: u.AuthProviderIdentifier,
		FormData:               localeMap(language(r, sc.store), u.FormData),
		FormIdentifier:         u.FormIdentifier,
		// The live API sends the number of form values as a string; the SDK requires a string.
		Total:             strconv.Itoa(len(u.FormData)),
		Groups:            groups,
		State:             orEmptyObject(u.State),
		ModuleFormConfigs: []struct{}{},
	})
}
