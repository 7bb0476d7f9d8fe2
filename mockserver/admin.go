package mockserver

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/datetime"
	"github.com/oneentry-mock/oneentry-mock/mail"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
	"github.com/oneentry-mock/oneentry-mock/webhook"
)

// adminSandbox is the sandbox an admin call addresses: the one of its x-app-token (sb), or the
// default sandbox when the header is absent.
func (s *Server) adminSandbox(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) (*sandbox.Sandbox, bool) {
	token := r.Header.Get("x-app-token")
	if token == "" {
		return s.sandboxes.Default(), true
	}
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

// adminOnly guards an admin handler that addresses no sandbox.
func (s *Server) adminOnly(h http.HandlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, _ *sandbox.Sandbox) {
		if s.adminAllowed(w, r) {
			h(w, r)
		}
	}
}

// admin wraps an admin handler with the admin token check and the sandbox lookup.
func (s *Server) admin(h handlerFunc) handlerFunc {
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

// Drain makes /readyz answer 503 ahead of a shutdown.
func (s *Server) Drain() { s.draining.Store(true) }

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
	change := store.ClockChange{Reset: req.Reset, Freeze: req.Freeze}
	if req.Set != "" {
		t, err := datetime.Parse(req.Set)
		if err != nil {
			s.writeError(w, r, store.Invalid("set: "+err.Error()))
			return
		}
		change.Set = &t
	}
	if req.Advance != "" {
		d, err := time.ParseDuration(req.Advance)
		if err != nil {
			s.writeError(w, r, store.Invalid("advance must be a Go duration such as 90s or 2h"))
			return
		}
		change.Advance = d
	}
	c := sb.Store().Clock()
	if err := c.Apply(change); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := sb.Store().SweepExpired(r.Context()); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, clockState(c))
}

// decodeAdmin decodes a small admin body strictly; shape describes it in the error.
func decodeAdmin(w http.ResponseWriter, r *http.Request, s *Server, v any, shape string) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		s.writeError(w, r, store.Invalid("body must be "+shape+": "+err.Error()))
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
func (s *Server) handleAdminPaymentAction(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	action, err := store.ParsePaymentAction(mux.Vars(r)["action"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, o, err := sb.Store().ApplyPaymentAction(r.Context(), id, action)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, paymentActionResponse{Session: newSessionResponse(p), Order: newOrderReadResponse(sb.Store().Fixtures(), o)})
}

// handleAdminMailList handles GET /__admin/mail: newest first, `?to=` filters by recipient,
// `?limit=` caps the list.
func (s *Server) handleAdminMailList(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	q := r.URL.Query()
	limit, err := limitParam(q.Get("limit"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	msgs := sb.Outbox().List(mail.Filter{To: q.Get("to"), Limit: limit})
	if msgs == nil {
		msgs = []mail.Message{}
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"total": len(msgs), "messages": msgs})
}

func (s *Server) mailByID(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) (mail.Message, bool) {
	id := mux.Vars(r)["id"]
	m, ok := sb.Outbox().Get(id)
	if !ok {
		s.writeError(w, r, store.Errorf(store.CodeNotFound, "No message %q in the outbox", id))
	}
	return m, ok
}

type mailDetailResponse struct {
	mail.Message
	Parsed mail.Parsed `json:"parsed"`
}

// handleAdminMailGet handles GET /__admin/mail/{id} (`latest` is the newest): the message and
// its parsed MIME parts.
func (s *Server) handleAdminMailGet(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	m, ok := s.mailByID(w, r, sb)
	if !ok {
		return
	}
	parsed, err := mail.Parse(m.Raw)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, mailDetailResponse{Message: m, Parsed: parsed})
}

// handleAdminMailRaw handles GET /__admin/mail/{id}/raw: the RFC 5322 message.
func (s *Server) handleAdminMailRaw(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	m, ok := s.mailByID(w, r, sb)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "message/rfc822")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(m.Raw)
}

// handleAdminMailClear handles DELETE /__admin/mail.
func (s *Server) handleAdminMailClear(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	sb.Outbox().Clear()
	w.WriteHeader(http.StatusNoContent)
}

// handleAdminWebhooks handles GET /__admin/webhooks: every delivery with its attempts and the
// receiver's answers, newest first; `?event=`, `?status=`, `?requestId=`, `?limit=` filter.
func (s *Server) handleAdminWebhooks(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	q := r.URL.Query()
	limit, err := limitParam(q.Get("limit"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if st := q.Get("status"); st != "" && !webhook.Status(st).Valid() {
		s.writeError(w, r, store.Invalid("status must be pending, delivered or failed"))
		return
	}
	records := sb.Webhooks(webhook.Filter{Event: q.Get("event"), Status: q.Get("status"), RequestID: q.Get("requestId"), Limit: limit})
	s.writeJSON(w, http.StatusOK, map[string]any{"total": len(records), "deliveries": records})
}

type sandboxUser struct {
	Identifier             string `json:"identifier"`
	Password               string `json:"password"`
	AuthProviderIdentifier string `json:"authProviderIdentifier"`
}

type sandboxResponse struct {
	AppToken  string        `json:"appToken"`
	Users     []sandboxUser `json:"users"`
	CreatedAt string        `json:"createdAt"`
	Default   bool          `json:"default"`
}

func (s *Server) describeSandbox(sb *sandbox.Sandbox) sandboxResponse {
	fx := sb.Store().Fixtures()
	users := make([]sandboxUser, len(fx.Users))
	for i, u := range fx.Users {
		users[i] = sandboxUser{Identifier: u.Identifier, Password: u.Password, AuthProviderIdentifier: u.AuthProviderIdentifier}
	}
	return sandboxResponse{AppToken: sb.Token(), Users: users, CreatedAt: sb.Created().UTC().Format(timestampLayout), Default: sb.IsDefault()}
}

// handleSandboxCreate handles POST /__admin/sandboxes: a new sandbox seeded from the fixtures,
// with its own app token, token secret, ids, outbox and clock.
func (s *Server) handleSandboxCreate(w http.ResponseWriter, r *http.Request) {
	sb, err := s.sandboxes.Create(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, s.describeSandbox(sb))
}

// handleSandboxList handles GET /__admin/sandboxes.
func (s *Server) handleSandboxList(w http.ResponseWriter, r *http.Request) {
	all := s.sandboxes.All()
	out := make([]sandboxResponse, len(all))
	for i, sb := range all {
		out[i] = s.describeSandbox(sb)
	}
	s.writeJSON(w, http.StatusOK, out)
}

// handleSandboxDelete handles DELETE /__admin/sandboxes/{token}. The default sandbox stays.
func (s *Server) handleSandboxDelete(w http.ResponseWriter, r *http.Request) {
	token := mux.Vars(r)["token"]
	ok, err := s.sandboxes.Remove(r.Context(), token)
	if !ok {
		s.writeError(w, r, store.Errorf(store.CodeNotFound, "No removable sandbox has app token %q", token))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleAdminStateGet handles GET /__admin/state: the whole sandbox as one versioned JSON
// document, the basis of a bug capsule.
func (s *Server) handleAdminStateGet(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	s.writeJSON(w, http.StatusOK, sb.Store().Export(r.Context()))
}

// maxStateBytes bounds an imported state document.
const maxStateBytes = 256 << 20

// handleAdminStatePut handles PUT /__admin/state: replaces the sandbox's state with a document
// from GET /__admin/state (of this or another sandbox) and answers the state now held.
func (s *Server) handleAdminStatePut(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	doc, err := store.DecodeStateDocument(http.MaxBytesReader(w, r.Body, maxStateBytes))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := sb.Store().Import(r.Context(), doc); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, sb.Store().Export(r.Context()))
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
