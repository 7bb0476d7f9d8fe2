package mockserver

import (
	"encoding/json"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

type formDataPostRequest struct {
	FormIdentifier         string          `json:"formIdentifier"`
	FormModuleConfigID     int             `json:"formModuleConfigId"`
	ModuleEntityIdentifier string          `json:"moduleEntityIdentifier"`
	FormData               json.RawMessage `json:"formData"`
}

type formDataPosted struct {
	ActionMessage string              `json:"actionMessage"`
	FormData      formDataPostedEntry `json:"formData"`
}

type formDataPostedEntry struct {
	ID               int                  `json:"id"`
	FormIdentifier   string               `json:"formIdentifier"`
	Time             string               `json:"time"`
	EntityIdentifier string               `json:"entityIdentifier"`
	Fingerprint      string               `json:"fingerprint"`
	IsUserAdmin      bool                 `json:"isUserAdmin"`
	FormModuleID     int                  `json:"formModuleId"`
	UserIdentifier   *string              `json:"userIdentifier"`
	ParentID         *int                 `json:"parentId"`
	FormData         []store.FormDataItem `json:"formData"`
}

// formDataUpdated is the answer of PUT /form-data/{id}: the same entry, userIdentifier always set
// (only the user who made a submission can change it).
type formDataUpdated struct {
	ID               int                  `json:"id"`
	FormIdentifier   string               `json:"formIdentifier"`
	Time             string               `json:"time"`
	FormData         []store.FormDataItem `json:"formData"`
	UserIdentifier   string               `json:"userIdentifier"`
	EntityIdentifier string               `json:"entityIdentifier"`
	ParentID         *int                 `json:"parentId"`
	Fingerprint      string               `json:"fingerprint"`
	IsUserAdmin      bool                 `json:"isUserAdmin"`
	FormModuleID     int                  `json:"formModuleId"`
}

type formDataEntry struct {
	ID                     int                  `json:"id"`
	FormIdentifier         string               `json:"formIdentifier"`
	Time                   string               `json:"time"`
	FormData               []store.FormDataItem `json:"formData"`
	AttributeSetIdentifier *string              `json:"attributeSetIdentifier"`
	ModuleIdentifier       string               `json:"moduleIdentifier"`
	EntityIdentifier       string               `json:"entityIdentifier"`
	FormModuleConfigID     int                  `json:"formModuleConfigId"`
	Status                 string               `json:"status"`
	UserIdentifier         *string              `json:"userIdentifier"`
	IsUserAdmin            bool                 `json:"isUserAdmin"`
	// The comment fields of the extended mode; submissions here are never replies.
	ParentID json.RawMessage `json:"parentId,omitempty"`
	Depth    *int            `json:"depth,omitempty"`
}

type formDataPage struct {
	Items []formDataEntry `json:"items"`
	Total int             `json:"total"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// handleFormDataPost handles POST /api/content/form-data.
func (s *Server) handleFormDataPost(w http.ResponseWriter, r *http.Request, sc *scope) {
	var req formDataPostRequest
	if err := decodeBody(sc, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	in := store.SubmissionInput{
		FormIdentifier:   req.FormIdentifier,
		ConfigID:         req.FormModuleConfigID,
		EntityIdentifier: req.ModuleEntityIdentifier,
		FormData:         req.FormData,
		UserIdentifier:   s.optionalUser(r, sc.store),
		Fingerprint:      fingerprint(r),
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		in.IP = host
	}
	sub, err := sc.store.Submit(r.Context(), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	form, _ := sc.store.Fixtures().Form(sub.FormIdentifier)
	s.writeJSON(w, http.StatusCreated, formDataPosted{
		ActionMessage: successMessage(form, sub.Language),
		FormData: formDataPostedEntry{
			ID: sub.ID, FormIdentifier: sub.FormIdentifier, Time: timestamp(sub.Time), EntityIdentifier: sub.EntityIdentifier,
			Fingerprint: sub.Fingerprint, FormModuleID: sub.ConfigID, UserIdentifier: nullable(sub.UserIdentifier),
			FormData: sub.FormData,
		},
	})
}

// optionalUser is the login of a valid bearer token on a public route, "" without one: a
// signed-in visitor's submission is theirs, an anonymous one nobody's.
func (s *Server) optionalUser(r *http.Request, st *store.Store) string {
	if r.Header.Get("Authorization") == "" {
		return ""
	}
	claims, err := s.bearer(r, st)
	if err != nil {
		return ""
	}
	return claims.UserIdentifier
}

// fingerprint is the x-device-metadata header's fingerprint, "" when there is none.
func fingerprint(r *http.Request) string {
	header := r.Header.Get("x-device-metadata")
	var device struct {
		Fingerprint string `json:"fingerprint"`
	}
	if len(header) > maxDeviceMetadataBytes || json.Unmarshal([]byte(header), &device) != nil {
		return ""
	}
	return device.Fingerprint
}

// successMessage is the form's successMessage in lang, the actionMessage of a submission.
func successMessage(form *store.Form, lang string) string {
	var infos map[string]json.RawMessage
	if form == nil || json.Unmarshal(form.LocalizeInfos, &infos) != nil {
		return ""
	}
	if keyed, ok := infos[lang]; ok {
		_ = json.Unmarshal(keyed, &infos)
	}
	var msg string
	_ = json.Unmarshal(infos["successMessage"], &msg)
	return msg
}

type formDataFilter struct {
	EntityIdentifier json.RawMessage `json:"entityIdentifier"`
	DateFrom         string          `json:"dateFrom"`
	DateTo           string          `json:"dateTo"`
	Status           []string        `json:"status"`
	UserIdentifier   string          `json:"userIdentifier"`
}

// dateBound is a filter date: YYYY-MM-DD, optionally with a time of day after a space.
var dateBound = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$`)

// parseBound reads a date bound; a bound without a time covers its whole day, one with a time
// its whole second, so both ends are inclusive.
func parseBound(field, v string, end bool) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	layout := time.DateOnly
	if len(v) > len(time.DateOnly) {
		layout = time.DateTime
	}
	t, err := time.Parse(layout, v)
	if err != nil || !dateBound.MatchString(v) {
		return time.Time{}, store.Invalid(field + " must be a date as YYYY-MM-DD or YYYY-MM-DD HH:MM:SS")
	}
	if end {
		if layout == time.DateOnly {
			return t.Add(24*time.Hour - time.Nanosecond), nil
		}
		return t.Add(time.Second - time.Nanosecond), nil
	}
	return t, nil
}

// handleFormDataByMarker handles POST /api/content/form-data/marker/{marker}.
func (s *Server) handleFormDataByMarker(w http.ResponseWriter, r *http.Request, sc *scope) {
	var body formDataFilter
	if err := decodeBody(sc, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	f := store.SubmissionFilter{
		Statuses:       body.Status,
		UserIdentifier: body.UserIdentifier,
		Language:       language(r, sc.store),
		Viewer:         s.optionalUser(r, sc.store),
	}
	f.ConfigID, _ = strconv.Atoi(q.Get("formModuleConfigId"))
	var text string
	if json.Unmarshal(body.EntityIdentifier, &text) == nil {
		f.EntityIdentifier = text
	} else if len(body.EntityIdentifier) > 0 {
		f.EntityIdentifier = string(body.EntityIdentifier)
	}
	var err error
	if f.From, err = parseBound("dateFrom", body.DateFrom, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	if f.To, err = parseBound("dateTo", body.DateTo, true); err != nil {
		s.writeError(w, r, err)
		return
	}
	subs, total, err := sc.store.Submissions(r.Context(), mux.Vars(r)["marker"], f, page(q))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	extended := q.Get("isExtended") == "1"
	fx := sc.store.Fixtures()
	out := formDataPage{Items: make([]formDataEntry, len(subs)), Total: total}
	for i, sub := range subs {
		cfg, _, _ := fx.ModuleFormConfig(sub.ConfigID)
		e := formDataEntry{
			ID: sub.ID, FormIdentifier: sub.FormIdentifier, Time: timestamp(sub.Time), FormData: sub.FormData,
			ModuleIdentifier: cfg.ModuleIdentifier, EntityIdentifier: sub.EntityIdentifier, FormModuleConfigID: sub.ConfigID,
			Status: sub.Status, UserIdentifier: nullable(sub.UserIdentifier),
		}
		if extended {
			e.Depth, e.ParentID = new(int), json.RawMessage("null")
		}
		out.Items[i] = e
	}
	s.writeJSON(w, http.StatusCreated, out)
}

type formDataUpdateRequest struct {
	FormData json.RawMessage `json:"formData"`
}

// handleFormDataUpdate handles PUT /api/content/form-data/{id}.
func (s *Server) handleFormDataUpdate(w http.ResponseWriter, r *http.Request, sc *scope) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req formDataUpdateRequest
	if err := decodeBody(sc, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	sub, err := sc.store.UpdateSubmission(r.Context(), sc.claims.UserIdentifier, id, req.FormData)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, formDataUpdated{
		ID: sub.ID, FormIdentifier: sub.FormIdentifier, Time: timestamp(sub.Time), FormData: sub.FormData,
		UserIdentifier: sub.UserIdentifier, EntityIdentifier: sub.EntityIdentifier, Fingerprint: sub.Fingerprint,
		FormModuleID: sub.ConfigID,
	})
}

type formDataStatusRequest struct {
	Status string `json:"status"`
}

// handleFormDataStatus handles PUT /api/content/form-data/{id}/update-status.
func (s *Server) handleFormDataStatus(w http.ResponseWriter, r *http.Request, sc *scope) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req formDataStatusRequest
	if err := decodeBody(sc, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := sc.store.SetSubmissionStatus(r.Context(), sc.claims.UserIdentifier, id, req.Status); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, true)
}

// handleFormDataDelete handles DELETE /api/content/form-data/{id}.
func (s *Server) handleFormDataDelete(w http.ResponseWriter, r *http.Request, sc *scope) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := sc.store.DeleteSubmission(r.Context(), sc.claims.UserIdentifier, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, true)
}
