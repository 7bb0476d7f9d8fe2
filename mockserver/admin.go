package mockserver

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// adminSandbox is the sandbox an admin call addresses: the one of its x-app-token (sb), or the
// default sandbox when the header is absent.
func (s *Server) adminSandbox(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) (*sandbox.Sandbox, bool) {
	// Only a request without the header means the default sandbox: an empty one is a token
	// no sandbox has, as on the content API, or a suite whose token variable is unset would
	// reset the sandbox a front end is using.
	if _, sent := r.Header["X-App-Token"]; !sent {
		return s.sandboxes.Default(), true
	}
	token := r.Header.Get("x-app-token")
	if sb == nil {
		s.writeError(w, r, store.Errorf(store.CodeNotFound, "No sandbox has app token %q", token))
		return nil, false
	}
	return sb, true
}

// adminAllowed checks the admin token when one is configured.
func (s *Server) adminAllowed(w http.ResponseWriter, r *http.Request) bool {
	if s.adminToken == "" || subtle.ConstantTimeCompare([]byte(r.Header.Get("x-admin-token")), []byte(s.adminToken)) == 1 {
		return true
	}
	s.writeErrorStatus(w, r, http.StatusUnauthorized, "admin calls need the x-admin-token header")
	return false
}

// adminOnly guards an admin handler that addresses no sandbox and takes no body.
func (s *Server) adminOnly(h http.HandlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, _ *sandbox.Sandbox) {
		if s.adminAllowed(w, r) && s.adminBodyBounded(w, r, false) {
			h(w, r)
		}
	}
}

// admin wraps an admin handler that takes no body with the admin token check, the body bound
// and the sandbox lookup.
func (s *Server) admin(h handlerFunc) handlerFunc {
	return s.adminCall(h, false)
}

// adminWithBody is admin for a handler that reads its body with decodeAdmin.
func (s *Server) adminWithBody(h handlerFunc) handlerFunc {
	return s.adminCall(h, true)
}

func (s *Server) adminCall(h handlerFunc, takesBody bool) handlerFunc {
	return s.adminState(func(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
		if s.adminBodyBounded(w, r, takesBody) {
			h(w, r, sb)
		}
	})
}

// adminBodyBounded reads the body before the handler runs, whether or not the handler reads
// it, so that no admin call acts on a request its limit refuses (413), on a body that did not
// arrive whole (400: a broken chunk, a connection closed early) or on one that is not a JSON
// object (400), even where the call takes none. A call that takes no body accepts only an
// empty object: a field it would ignore (`{"appToken":"ci-1"}` to a sandbox create) is a
// client that believes it chose something, and learns otherwise only from later failures.
func (s *Server) adminBodyBounded(w http.ResponseWriter, r *http.Request, takesBody bool) bool {
	if r.ContentLength > maxAdminBody {
		s.writeError(w, r, errAdminBodyTooLarge)
		return false
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxAdminBody+1))
	switch {
	case err != nil:
		s.writeError(w, r, store.Invalid("could not read the request body"))
		return false
	case len(data) > maxAdminBody:
		s.writeError(w, r, errAdminBodyTooLarge)
		return false
	}
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 {
		if trimmed[0] != '{' || !json.Valid(trimmed) {
			s.writeError(w, r, store.Invalid("body must be a JSON object"))
			return false
		}
		if name, ok := nullField(trimmed); ok {
			s.writeError(w, r, store.Invalid("body must be a JSON object: "+name+" must not be null; leave it out instead"))
			return false
		}
		if name, ok := firstField(trimmed); ok && !takesBody {
			s.writeError(w, r, store.Invalid(fmt.Sprintf("body must be {}: this call takes no body: json: unknown field %q", name)))
			return false
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	return true
}

// firstField names the first member of a JSON object, in name order, if it has any.
func firstField(object []byte) (string, bool) {
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(object, &fields) // a valid object: checked by the caller
	names := slices.Sorted(maps.Keys(fields))
	if len(names) == 0 {
		return "", false
	}
	return names[0], true
}

// nullField names the first member of a JSON object, in name order, whose value is null: the
// admin contract declares no nullable field (leave out what is not set), so null is refused,
// on the calls that read no body too.
func nullField(object []byte) (string, bool) {
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(object, &fields) // a valid object: checked by the caller
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if string(fields[name]) == "null" {
			return name, true
		}
	}
	return "", false
}

var errAdminBodyTooLarge = store.Errorf(store.CodeTooLarge, "request entity too large: an admin request body holds at most %d bytes", maxAdminBody)

// adminState is admin without the body bound, for the state document, which has its own
// (--max-state-bytes).
func (s *Server) adminState(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
		if !s.adminAllowed(w, r) {
			return
		}
		sb, ok := s.adminSandbox(w, r, sb)
		if !ok {
			return
		}
		h(w, r, sb)
	}
}

// handleHealth handles GET /healthz.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReady handles GET /readyz: 200 while the server takes requests, 503 once it drains
// for shutdown, so a load balancer stops sending before the listener closes.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		s.writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "draining"})
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// Drain makes /readyz answer 503 ahead of a shutdown, and ends the dashboard's live streams,
// which would otherwise hold the shutdown up.
func (s *Server) Drain() {
	s.draining.Store(true)
	s.dashboard.Stop()
}

// handleAdminReset handles POST /__admin/reset: the sandbox goes back to the fixtures, with an
// empty outbox, journal, fault list and delivery log.
func (s *Server) handleAdminReset(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	if err := sb.Reset(r.Context()); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]bool{"reset": true})
}

type clockResponse struct {
	Now    string `json:"now"`
	Frozen bool   `json:"frozen"`
}

func clockState(c *store.Clock) clockResponse {
	return clockResponse{Now: timestamp(c.Now()), Frozen: c.Frozen()}
}

// handleAdminClock handles GET /__admin/clock.
func (s *Server) handleAdminClock(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	s.writeJSON(w, http.StatusOK, clockState(sb.Store().Clock()))
}

// clockRequest changes the mock clock. Fields apply in this order: reset, set, advance, then
// freeze/unfreeze; any combination is allowed.
type clockRequest struct {
	Reset   bool   `json:"reset"`
	Set     string `json:"set"`
	Advance string `json:"advance"`
	Freeze  *bool  `json:"freeze"`
}

// handleAdminClockSet handles POST /__admin/clock. Sessions that the new time makes overdue
// expire at once.
func (s *Server) handleAdminClockSet(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	var req clockRequest
	if !decodeAdmin(w, r, s, &req, `{"reset":bool, "set":"RFC 3339 time", "advance":"Go duration", "freeze":bool}`) {
		return
	}
	if err := sb.SetClock(r.Context(), sandbox.ClockInput(req)); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, clockState(sb.Store().Clock()))
}

// maxAdminBody bounds an admin request's JSON body, the state document excepted: rules,
// clock moves and account changes are a few hundred bytes.
const maxAdminBody = 64 << 10

// decodeAdmin decodes a small admin body strictly: one JSON object and no field unknown to v;
// shape describes it in the error. The body is the one adminBodyBounded read whole, bounded
// and found to be an object with no null field.
func decodeAdmin(w http.ResponseWriter, r *http.Request, s *Server, v any, shape string) bool {
	data, _ := io.ReadAll(r.Body) // in memory: adminBodyBounded read it
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		s.writeError(w, r, store.Invalid("body must be "+shape+": "+err.Error()))
		return false
	}
	// One value and nothing after it: "{...} {...}" or "{...}garbage" is a client bug that
	// would otherwise pass as its first half.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		s.writeError(w, r, store.Invalid("body must be "+shape+": unexpected data after the JSON value"))
		return false
	}
	return true
}

type paymentActionResponse struct {
	Session sessionResponse   `json:"session"`
	Order   orderReadResponse `json:"order"`
}

// handleAdminPaymentAction handles POST /__admin/payments/sessions/{id}/{action}: what the
// checkout page's buttons do, for tests without a browser.
func (s *Server) handleAdminPaymentAction(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox, id int) {
	p, o, err := sb.PaymentAction(r.Context(), id, mux.Vars(r)["action"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, paymentActionResponse{Session: newSessionResponse(p), Order: s.orderRead(sb.Store().Fixtures(), "", origin(r), o)})
}

// handleAdminAccountPatch handles PATCH /__admin/payments/accounts/{id}: sets keys of the
// account's settings and testSettings in this sandbox (a return URL, a status) until the next
// reset or import, and answers the account as the API now serves it.
func (s *Server) handleAdminAccountPatch(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	var patch store.AccountPatch
	if !decodeAdmin(w, r, s, &patch, `{"settings": {...}, "testSettings": {...}}`) {
		return
	}
	id, err := pathID(r, "id")
	var a store.PaymentAccount
	if err == nil {
		a, err = sb.Store().PatchPaymentAccount(r.Context(), id, patch)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, newAccountResponse(a))
}

// handleAdminStateGet handles GET /__admin/state: the whole sandbox as one versioned JSON
// document, the basis of a bug capsule.
func (s *Server) handleAdminStateGet(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	s.writeJSON(w, http.StatusOK, sb.Store().Export(r.Context()))
}

// DefaultMaxStateBytes bounds a state document imported with PUT /__admin/state, which is read
// whole and then checked: decoding costs several times its size in memory.
const DefaultMaxStateBytes = 64 << 20

// handleAdminStatePut handles PUT /__admin/state: replaces the sandbox's state with a document
// from GET /__admin/state (of this or another sandbox) and answers the state now held.
func (s *Server) handleAdminStatePut(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	body := &limitedBody{r: http.MaxBytesReader(w, r.Body, s.maxState)}
	err := sb.ImportState(r.Context(), body)
	if body.tooLarge {
		s.writeError(w, r, store.Errorf(store.CodeTooLarge, "request entity too large"))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, sb.Store().Export(r.Context()))
}

// limitedBody notes whether a http.MaxBytesReader refused to read further, which the decoder
// reports only as text.
type limitedBody struct {
	r        io.Reader
	tooLarge bool
}

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		b.tooLarge = true
	}
	return n, err
}

// limitParam reads an optional positive ?limit= of an admin list.
func limitParam(v string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, store.Invalid("limit must be a positive integer")
	}
	return n, nil
}

// adminFormData is a submission as the admin API shows it: everything the store keeps.
type adminFormData struct {
	ID                 int                  `json:"id"`
	FormIdentifier     string               `json:"formIdentifier"`
	FormModuleConfigID int                  `json:"formModuleConfigId"`
	EntityIdentifier   string               `json:"entityIdentifier"`
	Language           string               `json:"language"`
	FormData           []store.FormDataItem `json:"formData"`
	Status             string               `json:"status"`
	UserIdentifier     *string              `json:"userIdentifier"`
	Time               string               `json:"time"`
}

// handleAdminFormDataApprove handles POST /__admin/form-data/{id}/approve: the operator's
// approval that lets a submission held in moderation show in reads.
func (s *Server) handleAdminFormDataApprove(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox, id int) {
	sub, err := sb.Store().ApproveSubmission(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, adminFormData{
		ID: sub.ID, FormIdentifier: sub.FormIdentifier, FormModuleConfigID: sub.ConfigID, EntityIdentifier: sub.EntityIdentifier,
		Language: sub.Language, FormData: sub.FormData, Status: sub.Status, UserIdentifier: nullable(sub.UserIdentifier),
		Time: timestamp(sub.Time),
	})
}
