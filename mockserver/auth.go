package mockserver

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/mail"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

type authDataEntry struct {
	Marker string `json:"marker"`
	Value  string `json:"value"`
}

type authRequest struct {
	AuthData []authDataEntry `json:"authData"`
	Code     string          `json:"code"`
}

type tokensResponse struct {
	UserIdentifier         string `json:"userIdentifier"`
	AuthProviderIdentifier string `json:"authProviderIdentifier"`
	AccessToken            string `json:"accessToken"`
	RefreshToken           string `json:"refreshToken"`
}

func newTokensResponse(t store.Tokens) tokensResponse {
	return tokensResponse(t)
}

func credentials(entries []authDataEntry) store.Credentials {
	c := store.Credentials{Values: make(map[string]string, len(entries))}
	for _, e := range entries {
		c.Values[e.Marker] = e.Value
	}
	return c
}

// deviceMetadata is the x-device-metadata header SDK 1.0.127+ sends on POSTs.
type deviceMetadata struct {
	Fingerprint string           `json:"fingerprint"`
	DeviceInfo  store.DeviceInfo `json:"deviceInfo"`
}

// maxDeviceMetadataBytes bounds the x-device-metadata header. The SDK sends a fingerprint and
// three short device fields (a few hundred bytes); the session keeps the fields, so a
// megabyte header on every login would otherwise stay in memory.
const maxDeviceMetadataBytes = 2048

// handleAuth handles POST /api/content/users-auth-providers/marker/{marker}/users/auth.
func (s *Server) handleAuth(w http.ResponseWriter, r *http.Request, sc *scope) {
	header := r.Header.Get("x-device-metadata")
	if len(header) > maxDeviceMetadataBytes {
		s.writeError(w, r, store.Invalid("x-device-metadata header must be at most "+strconv.Itoa(maxDeviceMetadataBytes)+" bytes long"))
		return
	}
	if header == "" && s.profile.RequireDeviceMetadata {
		s.writeError(w, r, store.Invalid("x-device-metadata header is required"))
		return
	}
	var device deviceMetadata
	if header != "" {
		if err := json.Unmarshal([]byte(header), &device); err != nil && s.profile.RequireDeviceMetadata {
			s.writeError(w, r, store.Invalid("x-device-metadata header must be a JSON object"))
			return
		}
	}
	var req authRequest
	if err := decodeBody(sc, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	tokens, err := sc.store.Authenticate(r.Context(), mux.Vars(r)["marker"], credentials(req.AuthData), device.DeviceInfo)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, newTokensResponse(tokens))
}

type refreshRequest struct {
	RefreshToken string `json:"refreshToken"`
}

// handleRefresh handles POST …/marker/{marker}/users/refresh.
func (s *Server) handleRefresh(w http.ResponseWriter, r *http.Request, sc *scope) {
	var req refreshRequest
	if err := decodeBody(sc, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	tokens, err := sc.store.Refresh(r.Context(), mux.Vars(r)["marker"], req.RefreshToken)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, newTokensResponse(tokens))
}

// handleLogout handles POST …/marker/{marker}/users/logout.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, sc *scope) {
	var req refreshRequest
	if err := decodeBody(sc, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := sc.store.Logout(r.Context(), sc.claims.ID, mux.Vars(r)["marker"], req.RefreshToken); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, true)
}

// handleLogoutAll handles POST …/marker/{marker}/users/logout-all.
func (s *Server) handleLogoutAll(w http.ResponseWriter, r *http.Request, sc *scope) {
	if err := sc.store.LogoutAll(r.Context(), sc.claims.ID, mux.Vars(r)["marker"]); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, true)
}

type activeSessionResponse struct {
	DeviceInfo store.DeviceInfo `json:"deviceInfo"`
}

// handleActiveSessions handles GET …/marker/{marker}/users/sessions.
func (s *Server) handleActiveSessions(w http.ResponseWriter, r *http.Request, sc *scope) {
	devices, err := sc.store.ActiveSessions(r.Context(), sc.claims.ID, mux.Vars(r)["marker"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]activeSessionResponse, len(devices))
	for i, d := range devices {
		out[i] = activeSessionResponse{DeviceInfo: d}
	}
	s.writeJSON(w, http.StatusOK, out)
}

type signUpRequest struct {
	FormIdentifier   string          `json:"formIdentifier"`
	AuthData         []authDataEntry `json:"authData"`
	FormData         json.RawMessage `json:"formData"`
	NotificationData json.RawMessage `json:"notificationData"`
	LangCode         string          `json:"langCode"`
}

type signUpResponse struct {
	ID               int                             `json:"id"`
	UpdatedDate      string                          `json:"updatedDate"`
	Version          int                             `json:"version"`
	Identifier       string                          `json:"identifier"`
	IsActive         bool                            `json:"isActive"`
	FormData         map[string][]store.FormDataItem `json:"formData"`
	NotificationData json.RawMessage                 `json:"notificationData"`
	Locale           string                          `json:"locale"`
	CreatedDate      string                          `json:"createdDate"`
	State            json.RawMessage                 `json:"state"`
}

// handleSignUp handles POST …/marker/{marker}/users/sign-up.
func (s *Server) handleSignUp(w http.ResponseWriter, r *http.Request, sc *scope) {
	var req signUpRequest
	if err := decodeBody(sc, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	lang := req.LangCode
	if lang == "" {
		lang = language(r, sc.store)
	}
	items, lang, err := parseFormData(req.FormData, lang)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := sc.store.SignUp(r.Context(), store.SignUpInput{
		ProviderMarker:   mux.Vars(r)["marker"],
		FormIdentifier:   req.FormIdentifier,
		Credentials:      credentials(req.AuthData),
		Language:         lang,
		FormData:         items,
		NotificationData: req.NotificationData,
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, signUpResponse{
		ID:               u.ID,
		UpdatedDate:      timestamp(u.UpdatedDate),
		Version:          0,
		Identifier:       u.Identifier,
		IsActive:         u.IsActive,
		FormData:         localeMap(u.Language, u.FormData),
		NotificationData: u.NotificationData,
		Locale:           u.Language,
		CreatedDate:      timestamp(u.CreatedDate),
		State:            orEmptyObject(u.State),
	})
}

type codeRequest struct {
	UserIdentifier  string `json:"userIdentifier"`
	EventIdentifier string `json:"eventIdentifier"`
	Code            string `json:"code"`
}

// codePurpose maps a project's event identifier to the wording of the code e-mail.
func codePurpose(event string) string {
	e := strings.ToLower(event)
	switch {
	case strings.Contains(e, "reg") || strings.Contains(e, "sign"):
		return mail.PurposeSignUp
	case strings.Contains(e, "pass") || strings.Contains(e, "reset"):
		return mail.PurposePasswordReset
	}
	return event
}

// handleGenerateCode handles POST …/marker/{marker}/users/generate-code: the code goes to the
// user's outbox; the answer has no body, as the SDK expects (it returns void).
func (s *Server) handleGenerateCode(w http.ResponseWriter, r *http.Request, sc *scope) {
	var req codeRequest
	if err := decodeBody(sc, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	code, err := sc.store.GenerateCode(r.Context(), mux.Vars(r)["marker"], req.UserIdentifier, req.EventIdentifier)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if code.Email != "" {
		if err := sc.sandbox.SendCode(store.RequestID(r.Context()), code.Email, codePurpose(req.EventIdentifier), code.Code); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	w.WriteHeader(http.StatusCreated)
}

// handleCheckCode handles POST …/marker/{marker}/users/check-code: true or false.
func (s *Server) handleCheckCode(w http.ResponseWriter, r *http.Request, sc *scope) {
	var req codeRequest
	if err := decodeBody(sc, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ok, err := sc.store.CheckCode(r.Context(), mux.Vars(r)["marker"], req.UserIdentifier, req.EventIdentifier, req.Code)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, ok)
}

// handleActivate handles POST …/marker/{marker}/users/activate.
func (s *Server) handleActivate(w http.ResponseWriter, r *http.Request, sc *scope) {
	var req codeRequest
	if err := decodeBody(sc, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := sc.store.Activate(r.Context(), mux.Vars(r)["marker"], req.UserIdentifier, req.Code); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, true)
}
