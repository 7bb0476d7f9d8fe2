package mockserver

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

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

type userUpdateRequest struct {
	FormIdentifier   string          `json:"formIdentifier"`
	AuthData         []authDataEntry `json:"authData"`
	FormData         json.RawMessage `json:"formData"`
	NotificationData json.RawMessage `json:"notificationData"`
	State            json.RawMessage `json:"state"`
	LangCode         string          `json:"langCode"`
}

// handleUserUpdate handles PUT /api/content/users/me.
func (s *Server) handleUserUpdate(w http.ResponseWriter, r *http.Request, sc *scope, req userUpdateRequest) {
	lang := req.LangCode
	if lang == "" {
		lang = language(r, sc.store)
	}
	in := store.UserUpdate{
		FormIdentifier:   req.FormIdentifier,
		Language:         req.LangCode,
		NotificationData: nonNull(req.NotificationData),
		State:            nonNull(req.State),
	}
	if raw := nonNull(req.FormData); raw != nil {
		items, _, err := formDataReader{fx: sc.store.Fixtures(), fallbackLang: lang}.read(raw)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		in.FormData, in.HasFormData = items, true
	}
	if provider, err := sc.store.AuthProvider(sc.claims.AuthProviderIdentifier); err == nil {
		in.Password = credentials(req.AuthData, "").Values[provider.PasswordMarker]
	}
	if _, err := sc.store.UpdateUser(r.Context(), sc.claims.ID, in); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, true)
}

// nonNull treats an absent field and an explicit null alike: nothing to change.
func nonNull(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return raw
}

// handleUserArchive handles DELETE /api/content/users/me.
func (s *Server) handleUserArchive(w http.ResponseWriter, r *http.Request, sc *scope) {
	s.answerTrue(w, r, http.StatusOK, sc.store.ArchiveUser(r.Context(), sc.claims.ID))
}

// handleUserDelete handles DELETE /api/content/users/me/account.
func (s *Server) handleUserDelete(w http.ResponseWriter, r *http.Request, sc *scope) {
	s.answerTrue(w, r, http.StatusOK, sc.store.DeleteUser(r.Context(), sc.claims.ID))
}

// handleFCMTokenAdd handles POST /api/content/users/me/fcm-token/{token}.
func (s *Server) handleFCMTokenAdd(w http.ResponseWriter, r *http.Request, sc *scope) {
	s.answerTrue(w, r, http.StatusCreated, sc.store.AddFCMToken(r.Context(), sc.claims.ID, mux.Vars(r)["token"]))
}

// handleFCMTokenDelete handles DELETE /api/content/users/me/fcm-token/{token}.
func (s *Server) handleFCMTokenDelete(w http.ResponseWriter, r *http.Request, sc *scope) {
	s.answerTrue(w, r, http.StatusOK, sc.store.RemoveFCMToken(r.Context(), sc.claims.ID, mux.Vars(r)["token"]))
}

// answerTrue answers `true` with status, or err.
func (s *Server) answerTrue(w http.ResponseWriter, r *http.Request, status int, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, status, true)
}
