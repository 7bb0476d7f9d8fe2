// Package mockserver serves the OneEntry content API over HTTP from a store: routing, the
// app-token and bearer checks, contract validation of requests, and the live wire format.
package mockserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// DefaultMaxBodyBytes bounds request bodies; the live API (NestJS body-parser) refuses large
// bodies with 413 too.
const DefaultMaxBodyBytes = 1 << 20

// APIPrefix is where every OneEntry content route lives.
const APIPrefix = "/api/content"

// Options configures a Server.
type Options struct {
	// Sandbox configures the sandboxes the server serves; Sandbox.Fixtures is required. Its
	// OnEvent hook, when set, hears of events after the server has sent their callbacks.
	Sandbox sandbox.Options
	// Contract validates every API request; the embedded contract when nil.
	Contract *contracts.Validator
	// Logger receives one line per request; discarded when nil.
	Logger *slog.Logger
	// MaxBodyBytes bounds request bodies; DefaultMaxBodyBytes when zero.
	MaxBodyBytes int64
	// AdminToken, when set, must accompany every /__admin call in the x-admin-token header.
	AdminToken string
	// Reads declares fixture-backed read endpoints beyond the built-in ones, for a fixture set
	// with more files and a contract with their routes.
	Reads []Read
	// CheckResponses validates every API response against the contract before it is sent and
	// replaces an off-contract one with a 500 naming the breach. For fixture authors and tests:
	// a custom fixture that the SDK would reject fails loudly instead of subtly.
	CheckResponses bool
}

// Server is the mock's HTTP handler.
type Server struct {
	sandboxes *sandbox.Registry
	contract  *contracts.Validator
	log       *slog.Logger
	profile   sandbox.Profile
	maxBody   int64
	handler   http.Handler
	check     bool
	// fixtures are what the default sandbox was seeded from; shaped holds the files the API
	// serves in another shape than the fixture's.
	fixtures *store.Fixtures
	shaped   map[string]*store.Collection

	adminToken string
	metrics    *metrics
	routeTable routeTable
	draining   atomic.Bool
	routeErrs  []error

	// Request ids are a per-process random prefix and a counter: unique, and cheap to make.
	requestPrefix string
	requestSeq    atomic.Uint64
}

var _ http.Handler = (*Server)(nil)

// New builds a Server and the sandboxes it serves.
func New(opts Options) (*Server, error) {
	if opts.Sandbox.Fixtures == nil {
		return nil, errors.New("mockserver: Options.Sandbox.Fixtures is required")
	}
	if opts.Contract == nil {
		v, err := contracts.Default(context.Background())
		if err != nil {
			return nil, err
		}
		opts.Contract = v
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	s := &Server{
		contract:   opts.Contract,
		log:        opts.Logger,
		maxBody:    opts.MaxBodyBytes,
		check:      opts.CheckResponses,
		adminToken: opts.AdminToken,

		requestPrefix: randomPrefix(),
	}
	so := opts.Sandbox
	if so.Logger == nil {
		so.Logger = opts.Logger
	}
	so.OnEvent = s.sendWebhook(so.OnEvent)
	reg, err := sandbox.New(context.Background(), so)
	if err != nil {
		return nil, err
	}
	s.sandboxes = reg
	s.profile = reg.Profile()
	s.fixtures = reg.Default().Store().Fixtures()
	if s.shaped, err = newServedFixtures(reg.Default().Store()); err != nil {
		return nil, err
	}
	s.metrics = newMetrics(s)
	router := mux.NewRouter()
	// We collapse duplicate slashes ourselves; mux's cleaning would answer them with a 301
	// that the SDK's fetch follows as a GET, breaking POSTs.
	router.SkipClean(true)
	s.routes(router)
	for _, rd := range opts.Reads {
		s.handleRead(router, rd)
	}
	if err := errors.Join(s.routeErrs...); err != nil {
		return nil, fmt.Errorf("mockserver: routes outside the contract: %w", err)
	}
	notFound := s.observe("", s.handleNotFound)
	router.NotFoundHandler = notFound
	router.MethodNotAllowedHandler = notFound
	s.handler = s.recoverPanics(collapseSlashes(router))
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Store returns the store of the default sandbox, the one the fixtures' app token opens.
func (s *Server) Store() *store.Store { return s.sandboxes.Default().Store() }

// Sandboxes returns the registry of the sandboxes the server serves.
func (s *Server) Sandboxes() *sandbox.Registry { return s.sandboxes }

// SweepExpired expires overdue payment sessions in every sandbox. The serve command calls it
// every second, so a session left waiting expires (and its webhook fires) even when nobody
// looks at it; reads expire overdue sessions too.
func (s *Server) SweepExpired(ctx context.Context) { s.sandboxes.SweepExpired(ctx) }

// Close stops the background work of every sandbox (webhook deliveries in flight finish or are
// marked failed when ctx ends). The SMTP relay and the data dir belong to the caller.
func (s *Server) Close(ctx context.Context) error {
	return s.sandboxes.Close(ctx)
}

// handleNotFound answers unknown routes, and known paths with a method they do not serve, as
// NestJS does: 404 "Cannot METHOD /path". The body stays the live one; observe names the
// closest known route in X-Mock-Nearest-Route and in the journal.
func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request, _ *sandbox.Sandbox) {
	s.writeErrorStatus(w, r, http.StatusNotFound, fmt.Sprintf("Cannot %s %s", r.Method, r.URL.Path))
}

// access says what a route needs besides the app token.
type access int

const (
	public access = iota
	user
)

// scope is what the API wrapper establishes for a handler.
type scope struct {
	sandbox *sandbox.Sandbox
	store   *store.Store
	claims  store.Claims
	body    []byte
}

// api wraps a content-API handler with the checks the live API makes, in its order (NestJS runs
// guards before pipes): app token (403), user bearer (401), body size (413), contract (400).
func (s *Server) api(level access, op *contracts.Operation, h func(http.ResponseWriter, *http.Request, *scope)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
		if sb == nil {
			s.writeErrorStatus(w, r, http.StatusForbidden, "Resource is closed")
			return
		}
		st := sb.Store()
		sc := &scope{sandbox: sb, store: st}
		if level == user {
			claims, err := s.bearer(r, st)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			sc.claims = claims
		}
		body, err := s.readBody(w, r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		sc.body = body
		if err := s.validateRequest(r, op, body); err != nil {
			s.writeError(w, r, err)
			return
		}
		h(w, r, sc)
	}
}

func (s *Server) bearer(r *http.Request, st *store.Store) (store.Claims, error) {
	h := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || token == "" {
		return store.Claims{}, store.Errorf(store.CodeUnauthorized, "Unauthorized")
	}
	return st.VerifyAccessToken(r.Context(), strings.TrimSpace(token))
}

func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, store.Errorf(store.CodeTooLarge, "request entity too large")
		}
		return nil, store.Errorf(store.CodeInvalid, "could not read the request body")
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	return data, nil
}

// validateRequest checks the request against the contract. Broken JSON gets body-parser's
// wording first, since that is what the live API answers before any validation runs.
func (s *Server) validateRequest(r *http.Request, op *contracts.Operation, body []byte) error {
	err := op.ValidateRequest(r.Context(), r, mux.Vars(r))
	if err == nil {
		return nil
	}
	if len(bytes.TrimSpace(body)) > 0 && !json.Valid(body) {
		return store.Errorf(store.CodeInvalid, "%s", jsonSyntaxMessage(body))
	}
	msgs := contracts.Messages(contracts.Violations(err), contracts.PhaseRequest)
	if len(msgs) == 0 {
		msgs = []string{"request does not match the API contract"}
	}
	return store.Invalid(msgs...)
}

// jsonSyntaxMessage words a JSON syntax error as Node's JSON.parse does, which is what the live
// API's body parser reports.
func jsonSyntaxMessage(body []byte) string {
	var v any
	err := json.Unmarshal(body, &v)
	var syn *json.SyntaxError
	if errors.As(err, &syn) && !strings.Contains(syn.Error(), "unexpected end") {
		pos := int(syn.Offset) - 1
		if pos >= 0 && pos < len(body) {
			return fmt.Sprintf("Unexpected token %s in JSON at position %d", string(body[pos]), pos)
		}
	}
	return "Unexpected end of JSON input"
}

// collapseSlashes serves "//api/content/..." (SDK ≤ 1.0.115 with a base URL ending in "/") like
// the single-slash path.
func collapseSlashes(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "//") {
			u := *r.URL
			u.Path = squeeze(u.Path)
			if u.RawPath != "" {
				u.RawPath = squeeze(u.RawPath)
			}
			r2 := r.Clone(r.Context())
			r2.URL = &u
			r = r2
		}
		next.ServeHTTP(w, r)
	})
}

func squeeze(p string) string {
	var b strings.Builder
	b.Grow(len(p))
	for i := 0; i < len(p); i++ {
		if p[i] == '/' && i > 0 && p[i-1] == '/' {
			continue
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

// cors lets browser front ends call the mock from any origin, as they call the live API. It
// reports whether it has answered the request (a preflight).
func cors(w http.ResponseWriter, r *http.Request) bool {
	h := w.Header()
	origin := r.Header.Get("Origin")
	if origin != "" {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Add("Vary", "Origin")
	} else {
		h.Set("Access-Control-Allow-Origin", "*")
	}
	if isPreflight(r) {
		h.Set("Access-Control-Allow-Methods", "GET,HEAD,PUT,PATCH,POST,DELETE")
		h.Set("Access-Control-Allow-Headers", "Content-Type, Authorization, x-app-token, x-device-metadata, x-guest-id, x-admin-token, x-request-id, Accept")
		h.Set("Access-Control-Max-Age", "86400")
		w.WriteHeader(http.StatusNoContent)
		return true
	}
	return false
}

func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
}

// recoverPanics turns a handler panic into a logged 500 with the live error body, so one bad
// request never takes the sandbox down.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
				s.writeErrorStatus(w, r, http.StatusInternalServerError, "Internal server error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// requestID is the request's id, answered in X-Request-Id and carried in the context, so an
// e-mail or webhook can name the request that caused it. A sane incoming X-Request-Id is kept.
func (s *Server) requestID(r *http.Request) string {
	id := r.Header.Get("X-Request-Id")
	if id == "" || len(id) > 128 || strings.ContainsAny(id, " \t\r\n") {
		id = s.requestPrefix + strconv.FormatUint(s.requestSeq.Add(1), 36)
	}
	return id
}

// randomPrefix starts the request ids of one process.
func randomPrefix() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "req_" + hex.EncodeToString(b[:]) + "-"
}
