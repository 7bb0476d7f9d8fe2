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

func credentials(entries []authDataEntry, code string) store.Credentials {
	c := store.Credentials{Values: make(map[string]string, len(entries)), Code: code}
	for _, e := range entries {
		c.Values[e.Marker] = e.Value
	}
	return c
}

// deviceMetadata is what the x-device-metadata header SDK 1.0.127+ sends on POSTs says.
type deviceMetadata struct {
	fingerprint string           // "" unless the fingerprint is a string
	device      store.DeviceInfo // deviceInfo's fields, when it is an object
}

// parseDeviceMetadata reads the header's JSON and reports whether it has the shape every SDK
// sends: an object with a string fingerprint and an object deviceInfo. The fingerprint and the
// device's fields are read from whatever object there is, for the profile that does not insist
// on the shape and for a submission, which keeps the fingerprint whenever there is one.
func parseDeviceMetadata(header string) (deviceMetadata, bool) {
	var d deviceMetadata
	var raw struct {
		Fingerprint json.RawMessage `json:"fingerprint"`
		DeviceInfo  json.RawMessage `json:"deviceInfo"`
	}
	if json.Unmarshal([]byte(header), &raw) != nil {
		return d, false
	}
	isObject := func(v []byte) bool { return len(v) > 0 && v[0] == '{' }
	if isObject(raw.DeviceInfo) {
		_ = json.Unmarshal(raw.DeviceInfo, &d.device) // fields of another type stay empty
	}
	isString := len(raw.Fingerprint) > 0 && raw.Fingerprint[0] == '"' && json.Unmarshal(raw.Fingerprint, &d.fingerprint) == nil
	return d, isObject([]byte(strings.TrimSpace(header))) && isObject(raw.DeviceInfo) && isString
}

// maxDeviceMetadataBytes bounds the x-device-metadata header. The SDK sends a fingerprint and
// three short device fields (a few hundred bytes); the session keeps the fields, so a
// megabyte header on every login would otherwise stay in memory.
const maxDeviceMetadataBytes = 2048

// device reads the x-device-metadata header of a sign-in. The profile decides whether it is
// required; the messages are the live API's.
func (s *Server) device(r *http.Request) (store.DeviceInfo, error) {
	header := r.Header.Get("x-device-metadata")
	if len(header) > maxDeviceMetadataBytes {
		return store.DeviceInfo{}, store.Invalid("x-device-metadata header must be at most " + strconv.Itoa(maxDeviceMetadataBytes) + " bytes long")
	}
	if header == "" {
		if s.profile.RequireDeviceMetadata {
			return store.DeviceInfo{}, store.Invalid("Missing x-device-metadata header")
		}
		return store.DeviceInfo{}, nil
	}
	d, ok := parseDeviceMetadata(header)
	if !ok && s.profile.RequireDeviceMetadata {
		return store.DeviceInfo{}, store.Invalid("Invalid x-device-metadata format")
	}
	return d.device, nil
}

// fingerprint is the x-device-metadata header's fingerprint, "" when there is none or the
// header is longer than a sign-in takes.
func fingerprint(r *http.Request) string {
	header := r.Header.Get("x-device-metadata")
	if len(header) > maxDeviceMetadataBytes {
		return ""
	}
	d, _ := parseDeviceMetadata(header)
	return d.fingerprint
}

// handleAuth handles POST /api/content/users-auth-providers/marker/{marker}/users/auth.
func (s *Server) handleAuth(w http.ResponseWriter, r *http.Request, sc *scope) {
	answer(s, w, r, sc, http.StatusCreated, func(req authRequest) (tokensResponse, error) {
		t, err := sc.store.Authenticate(r.Context(), mux.Vars(r)["marker"], credentials(req.AuthData, req.Code), sc.device)
		return newTokensResponse(t), err
	})
}

type refreshRequest struct {
	RefreshToken string `json:"refreshToken"`
}

// handleRefresh handles POST …/marker/{marker}/users/refresh.
func (s *Server) handleRefresh(w http.ResponseWriter, r *http.Request, sc *scope) {
	answer(s, w, r, sc, http.StatusCreated, func(req refreshRequest) (tokensResponse, error) {
		t, err := sc.store.Refresh(r.Context(), mux.Vars(r)["marker"], req.RefreshToken)
		return newTokensResponse(t), err
	})
}

// handleLogout handles POST …/marker/{marker}/users/logout.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, sc *scope) {
	answer(s, w, r, sc, http.StatusCreated, func(req refreshRequest) (bool, error) {
		return true, sc.store.Logout(r.Context(), sc.claims.ID, mux.Vars(r)["marker"], req.RefreshToken)
	})
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
func (s *Server) handleSignUp(w http.ResponseWriter, r *http.Request, sc *scope, req signUpRequest) {
	lang := req.LangCode
	if lang == "" {
		lang = language(r, sc.store)
	}
	items, lang, err := formDataReader{fx: sc.store.Fixtures(), fallbackLang: lang}.read(req.FormData)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	u, code, err := sc.store.SignUp(r.Context(), store.SignUpInput{
		ProviderMarker:   mux.Vars(r)["marker"],
		FormIdentifier:   req.FormIdentifier,
		Credentials:      credentials(req.AuthData, ""),
		Language:         lang,
		FormData:         items,
		NotificationData: req.NotificationData,
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if !s.sendCode(w, r, sc, code, mail.PurposeSignUp) {
		return
	}
	notification := u.NotificationData
	if s.profile.LiveAuthBodies {
		notification = signUpNotification(u.NotificationData)
	}
	s.writeJSON(w, http.StatusCreated, signUpResponse{
		ID:               u.ID,
		UpdatedDate:      timestamp(u.UpdatedDate),
		Version:          0,
		Identifier:       u.Identifier,
		IsActive:         u.IsActive,
		FormData:         localeMap(u.Language, u.FormData),
		NotificationData: notification,
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
func (s *Server) handleGenerateCode(w http.ResponseWriter, r *http.Request, sc *scope, req codeRequest) {
	code, err := sc.store.GenerateCode(r.Context(), mux.Vars(r)["marker"], req.UserIdentifier, req.EventIdentifier)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if s.sendCode(w, r, sc, code, codePurpose(req.EventIdentifier)) {
		w.WriteHeader(http.StatusCreated)
	}
}

// sendCode e-mails a one-time code the store made (none when code is zero); on failure it
// answers the error and reports false.
func (s *Server) sendCode(w http.ResponseWriter, r *http.Request, sc *scope, code store.OneTimeCode, purpose string) bool {
	if code.Code == "" {
		return true
	}
	if err := sc.sandbox.SendCode(store.RequestID(r.Context()), code.Email, purpose, code.Code); err != nil {
		s.writeError(w, r, err)
		return false
	}
	return true
}

// signUpNotification is the notificationData of a sign-up answer in the shape SDK 1.0.149's
// schema demands: email a string, phonePush an array.
func signUpNotification(stored json.RawMessage) json.RawMessage {
	nd := struct {
		Email     string   `json:"email"`
		PhonePush []string `json:"phonePush"`
	}{PhonePush: []string{}}
	_ = json.Unmarshal(stored, &nd) // refused at sign-up unless email is a string
	if nd.PhonePush == nil {
		nd.PhonePush = []string{}
	}
	out, _ := json.Marshal(nd) // strings only
	return out
}

// handleCheckCode handles POST …/marker/{marker}/users/check-code: true or false.
func (s *Server) handleCheckCode(w http.ResponseWriter, r *http.Request, sc *scope) {
	answer(s, w, r, sc, http.StatusCreated, func(req codeRequest) (bool, error) {
		return sc.store.CheckCode(r.Context(), mux.Vars(r)["marker"], req.UserIdentifier, req.EventIdentifier, req.Code)
	})
}

// handleActivate handles POST …/marker/{marker}/users/activate.
func (s *Server) handleActivate(w http.ResponseWriter, r *http.Request, sc *scope) {
	answer(s, w, r, sc, http.StatusCreated, func(req codeRequest) (bool, error) {
		return true, sc.store.Activate(r.Context(), mux.Vars(r)["marker"], req.UserIdentifier, req.Code)
	})
}

type changePasswordRequest struct {
	UserIdentifier  string `json:"userIdentifier"`
	EventIdentifier string `json:"eventIdentifier"`
	Code            string `json:"code"`
	Type            *int   `json:"type"`
	Password1       string `json:"password1"`
	Password2       string `json:"password2"`
}

// handleChangePassword handles POST …/marker/{marker}/users/change-password: the code from
// generate-code and the new password twice; true.
func (s *Server) handleChangePassword(w http.ResponseWriter, r *http.Request, sc *scope) {
	answer(s, w, r, sc, http.StatusCreated, func(req changePasswordRequest) (bool, error) {
		return true, sc.store.ChangePassword(r.Context(), store.ChangePasswordInput{
			ProviderMarker: mux.Vars(r)["marker"], Login: req.UserIdentifier, Event: req.EventIdentifier,
			Code: req.Code, Password1: req.Password1, Password2: req.Password2,
		})
	})
}
