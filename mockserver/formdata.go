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
	Status                 *string         `json:"status"`
	FormData               json.RawMessage `json:"formData"`
}

type formDataPosted struct {
	ActionMessage string                     `json:"actionMessage"`
	FormData      submissionWritten[*string] `json:"formData"`
}

// submissionCore holds the keys every answer about a submission carries.
type submissionCore struct {
	ID               int                  `json:"id"`
	FormIdentifier   string               `json:"formIdentifier"`
	Time             string               `json:"time"`
	EntityIdentifier string               `json:"entityIdentifier"`
	IsUserAdmin      bool                 `json:"isUserAdmin"`
	FormData         []store.FormDataItem `json:"formData"`
}

func coreOf(sub store.Submission) submissionCore {
	return submissionCore{ID: sub.ID, FormIdentifier: sub.FormIdentifier, Time: timestamp(sub.Time), EntityIdentifier: sub.EntityIdentifier, FormData: sub.FormData}
}

// submissionWritten is a submission as create and update answer it. The SDK types its
// userIdentifier as nullable after a create (a visitor's) and as a string after an update (only
// the author can update).
type submissionWritten[U interface{ *string | string }] struct {
	submissionCore
	Fingerprint    string `json:"fingerprint"`
	FormModuleID   int    `json:"formModuleId"`
	ParentID       *int   `json:"parentId"`
	UserIdentifier U      `json:"userIdentifier"`
}

func writtenOf[U interface{ *string | string }](sub store.Submission, user U) submissionWritten[U] {
	return submissionWritten[U]{submissionCore: coreOf(sub), Fingerprint: sub.Fingerprint, FormModuleID: sub.ConfigID, UserIdentifier: user}
}

// formDataEntry is a submission as reads list it.
type formDataEntry struct {
	submissionCore
	entryModule
	Status         string  `json:"status"`
	UserIdentifier *string `json:"userIdentifier"`
	// *entryThread is the extended mode's.
	*entryThread
}

// entryModule names what a read submission was made through.
type entryModule struct {
	AttributeSetIdentifier *string `json:"attributeSetIdentifier"`
	ModuleIdentifier       string  `json:"moduleIdentifier"`
	FormModuleConfigID     int     `json:"formModuleConfigId"`
}

// entryThread holds the comment fields of the extended mode; submissions here are never replies.
type entryThread struct {
	ParentID *int `json:"parentId"`
	Depth    int  `json:"depth"`
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
func (s *Server) handleFormDataPost(w http.ResponseWriter, r *http.Request, sc *scope, req formDataPostRequest) {
	// A rating form needs the visitor's device, as sign-in does (platform notes,
	// rating-forms-and-reviews.md): the fingerprint tells one reviewer from another.
	if form, ok := sc.store.Fixtures().Form(req.FormIdentifier); ok && form.Type != nil && *form.Type == "rating" {
		if _, err := s.device(r); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	in := store.SubmissionInput{
		FormIdentifier:   req.FormIdentifier,
		ConfigID:         req.FormModuleConfigID,
		EntityIdentifier: req.ModuleEntityIdentifier,
		FormData:         req.FormData,
		UserIdentifier:   s.optionalUser(r, sc.store),
		Fingerprint:      fingerprint(r),
	}
	if req.Status != nil {
		in.Status = *req.Status
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
	s.writeJSON(w, http.StatusCreated, formDataPosted{ActionMessage: successMessage(form, sub.Language), FormData: writtenOf(sub, nullable(sub.UserIdentifier))})
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
	Status           statusFilter    `json:"status"`
	UserIdentifier   string          `json:"userIdentifier"`
	ParentID         int             `json:"parentId"`
	IsSentByAdmin    bool            `json:"isSentByAdmin"`
}

// statusFilter is the statuses a read keeps: a list, or one status as a string, where "" keeps
// any (the SDK's own example body for getFormsDataByMarker sends "status": "", as it sends its
// other unused filters).
type statusFilter []string

func (f *statusFilter) UnmarshalJSON(data []byte) error {
	var one string
	if err := json.Unmarshal(data, &one); err == nil {
		if *f = nil; one != "" {
			*f = statusFilter{one}
		}
		return nil
	}
	return json.Unmarshal(data, (*[]string)(f))
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

// handleFormDataByMarker handles POST /api/content/form-data/marker/{marker}, and the GET of
// SDK 1.0.115 with no filter.
func (s *Server) handleFormDataByMarker(w http.ResponseWriter, r *http.Request, sc *scope, body formDataFilter) {
	q := r.URL.Query()
	f := store.SubmissionFilter{
		Statuses:       body.Status,
		UserIdentifier: body.UserIdentifier,
		ParentID:       body.ParentID,
		SentByAdmin:    body.IsSentByAdmin,
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
	s.writeSubmissions(w, r, sc, subs, total)
}

// handleFormDataAll handles GET /api/content/form-data (SDK 1.0.115's getFormsData): the
// submissions of every publicly readable form in the language, newest first.
func (s *Server) handleFormDataAll(w http.ResponseWriter, r *http.Request, sc *scope) {
	f := store.SubmissionFilter{Language: language(r, sc.store), Viewer: s.optionalUser(r, sc.store)}
	subs, total, err := sc.store.PublicSubmissions(r.Context(), f, page(r.URL.Query()))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeSubmissions(w, r, sc, subs, total)
}

// writeSubmissions answers a page of submissions: 201 to the POST of today's SDK, 200 to the
// GET of SDK 1.0.115.
func (s *Server) writeSubmissions(w http.ResponseWriter, r *http.Request, sc *scope, subs []store.Submission, total int) {
	extended := r.URL.Query().Get("isExtended") == "1"
	fx := sc.store.Fixtures()
	out := formDataPage{Items: make([]formDataEntry, len(subs)), Total: total}
	for i, sub := range subs {
		e := formDataEntry{
			submissionCore: coreOf(sub), entryModule: entryModule{FormModuleConfigID: sub.ConfigID},
			Status: sub.Status, UserIdentifier: nullable(sub.UserIdentifier),
		}
		if cfg, _, ok := fx.ModuleFormConfig(sub.ConfigID); ok {
			e.ModuleIdentifier = cfg.ModuleIdentifier
		}
		if extended {
			e.entryThread = &entryThread{}
		}
		out.Items[i] = e
	}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		status = http.StatusCreated
	}
	s.writeJSON(w, status, out)
}

type formDataUpdateRequest struct {
	FormData json.RawMessage `json:"formData"`
}

// handleFormDataUpdate handles PUT /api/content/form-data/{id}.
func (s *Server) handleFormDataUpdate(w http.ResponseWriter, r *http.Request, sc *scope, id int, req formDataUpdateRequest) {
	sub, err := sc.store.UpdateSubmission(r.Context(), sc.claims.UserIdentifier, id, req.FormData)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, writtenOf(sub, sub.UserIdentifier))
}

type formDataStatusRequest struct {
	Status string `json:"status"`
}

// handleFormDataStatus handles PUT /api/content/form-data/{id}/update-status.
func (s *Server) handleFormDataStatus(w http.ResponseWriter, r *http.Request, sc *scope, id int, req formDataStatusRequest) {
	s.answerTrue(w, r, http.StatusOK, sc.store.SetSubmissionStatus(r.Context(), sc.claims.UserIdentifier, id, req.Status))
}

// handleFormDataDelete handles DELETE /api/content/form-data/{id}.
func (s *Server) handleFormDataDelete(w http.ResponseWriter, r *http.Request, sc *scope, id int, _ struct{}) {
	s.answerTrue(w, r, http.StatusOK, sc.store.DeleteSubmission(r.Context(), sc.claims.UserIdentifier, id))
}
