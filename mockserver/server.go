// Package mockserver serves the OneEntry content API over HTTP from the sandboxes: routing, the
// app-token and bearer checks, contract validation of requests, and the live wire format.
package mockserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/exchange"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/mockserver/ui"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
	"github.com/oneentry-mock/oneentry-mock/socketio"
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
	// MaxStateBytes bounds a document imported with PUT /__admin/state; DefaultMaxStateBytes
	// when zero.
	MaxStateBytes int64
	// AdminToken, when set, must accompany every /__admin call in the x-admin-token header.
	AdminToken string
	// AdminAllowOrigins are the browser origins (scheme://host[:port]) granted CORS on the
	// admin API and the checkout, and exempt from their cross-origin refusal.
	AdminAllowOrigins []string
	// AllowedHosts are the Host values, besides loopback ones, that the checkout and the OAuth
	// consent page answer, and the admin API too when AdminToken is empty (a compose service
	// name, say).
	AllowedHosts []string
	// Reads declares fixture-backed read endpoints beyond the built-in ones, for a fixture set
	// with more files and a contract with their routes.
	Reads []Read
	// CheckResponses validates every API response against the contract before it is sent and
	// replaces an off-contract one with a 500 naming the breach. For fixture authors and tests:
	// a custom fixture that the SDK would reject fails loudly instead of subtly.
	CheckResponses bool
	// LoadFixtures reads the fixtures again for POST /__admin/reload (serve sets it when the
	// fixtures come from a folder); nil makes that call answer 409.
	LoadFixtures func() (*store.Fixtures, error)
}

// Server is the mock's HTTP handler.
type Server struct {
	sandboxes *sandbox.Registry
	contract  *contracts.Validator
	log       *slog.Logger
	profile   sandbox.Profile
	maxBody   int64
	maxState  int64
	handler   http.Handler
	router    *mux.Router
	check     bool
	// content is the read-only content the API serves, replaced whole by Reload.
	content      atomic.Pointer[servedContent]
	loadFixtures func() (*store.Fixtures, error)
	// reloading makes reloads take turns: one that read the folder earlier must not apply
	// its fixtures after a later one, nor several hold a folder's fixtures at once.
	reloading sync.Mutex
	// readFiles are the fixture files declared reads serve: fixtures to reload must load them.
	readFiles []string

	adminToken string
	origins    *origins
	// csrfKey signs the checkout page's forms (csrfToken).
	csrfKey    []byte
	metrics    *metrics
	dashboard  *ui.Handler
	sockets    *socketio.Server
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
	if opts.MaxStateBytes <= 0 {
		opts.MaxStateBytes = DefaultMaxStateBytes
	}
	guard, err := newOrigins(opts.AdminAllowOrigins, opts.AllowedHosts)
	if err != nil {
		return nil, fmt.Errorf("mockserver: %w", err)
	}
	s := &Server{
		origins:    guard,
		csrfKey:    randomKey(),
		contract:   opts.Contract,
		log:        opts.Logger,
		maxBody:    opts.MaxBodyBytes,
		maxState:   opts.MaxStateBytes,
		check:      opts.CheckResponses,
		adminToken: opts.AdminToken,
		sockets:    socketio.New(socketio.Options{Logger: opts.Logger}),

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
	s.loadFixtures = opts.LoadFixtures
	if err := s.serveContent(reg.Fixtures()); err != nil {
		return nil, err
	}
	s.metrics = newMetrics(s)
	notFound := s.observe("", s.handleNotFound)
	if s.dashboard, err = ui.New(ui.Options{
		Sandboxes: reg, Contract: opts.Contract, AdminToken: opts.AdminToken,
		MaxStateBytes: opts.MaxStateBytes, Logger: opts.Logger, Routes: s.routeTable.templates, ErrorStatus: statusOf,
		NotFound: notFound,
	}); err != nil {
		return nil, err
	}
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
	unrouted := s.observe("", s.handleUnrouted)
	router.NotFoundHandler = unrouted
	router.MethodNotAllowedHandler = unrouted
	s.router = router
	s.handler = requireHost(s.guardOrigins(s.recoverPanics(cleanPaths(router))))
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

// Close drops every socket and stops the background work of every sandbox (webhook deliveries
// in flight finish or are marked failed when ctx ends). The SMTP relay and the data dir belong
// to the caller.
func (s *Server) Close(ctx context.Context) error {
	s.dashboard.Stop()
	return errors.Join(s.sockets.Close(ctx), s.sandboxes.Close(ctx))
}

// handleNotFound answers unknown routes, and known paths with a method they do not serve, as
// NestJS does: 404 "Cannot METHOD /path". The body stays the live one; observe names the
// closest known route in X-Mock-Nearest-Route and in the journal. A static file that is not
// there (media, an upload, a sitemap) is answered alike, as a static module in front of the
// same application falls through to it.
func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request, _ *sandbox.Sandbox) {
	s.writeErrorStatus(w, r, http.StatusNotFound, fmt.Sprintf("Cannot %s %s", r.Method, r.URL.Path))
}

// handleUnrouted answers a request no route takes. Express's body parsers run before its
// router, so a JSON or URL-encoded body they refuse is answered as on any route (400, 413,
// 415), not 404. The mock's own paths (the admin API, the checkout) are not behind them.
func (s *Server) handleUnrouted(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	if readByBodyParser(r) && !guarded(r.URL.Path) {
		if _, err := s.parseBody(w, r, s.maxBody); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	s.handleNotFound(w, r, sb)
}

func hasEscapedSlash(p string) bool {
	return strings.Contains(p, "%2F") || strings.Contains(p, "%2f")
}

// unescapeVars is r with its route variables unescaped, for a request routed on its path as
// sent (escapedPathKey). A variable that does not unescape (a lone %) is kept as sent.
func unescapeVars(r *http.Request) *http.Request {
	vars := mux.Vars(r)
	plain := make(map[string]string, len(vars))
	for k, v := range vars {
		if u, err := url.PathUnescape(v); err == nil {
			v = u
		}
		plain[k] = v
	}
	return mux.SetURLVars(r, plain)
}

// routedPath is the path the router matches: runs of slashes collapsed (SDK ≤ 1.0.115 sends
// "//api/content/..." when its base URL ends in "/"), and an API path routed as the live API
// routes it (contracts.RoutedPath). The mock's own paths keep a trailing slash.
func routedPath(p string) string {
	p = exchange.CleanPath(p)
	if len(p) > len(APIPrefix)+1 && strings.HasPrefix(p, APIPrefix+"/") {
		p = contracts.RoutedPath(p)
	}
	return p
}

// escapedPathKey marks, in a request's context, a request routed on its path as sent.
type escapedPathKey struct{}

// literalQuery is rawQuery with each key or value that does not decode (a bad escape such as
// %zz, or escapes of bytes that are not UTF-8) made literal, its every % escaped as %25. Go's
// query parser drops such a pair, where Express's (qs) keeps it: decodeURIComponent throws,
// and qs takes the text as sent, + read as a space, which is what Go then reads. changed is
// false for a query with nothing to make literal.
func literalQuery(rawQuery string) (q string, changed bool) {
	if !strings.Contains(rawQuery, "%") {
		return rawQuery, false
	}
	parts := strings.Split(rawQuery, "&")
	for i, pair := range parts {
		key, value, hasValue := strings.Cut(pair, "=")
		if lk, lv := literalQueryPart(key), literalQueryPart(value); lk != key || lv != value {
			parts[i], changed = lk, true
			if hasValue {
				parts[i] += "=" + lv
			}
		}
	}
	return strings.Join(parts, "&"), changed
}

func literalQueryPart(part string) string {
	if !strings.Contains(part, "%") {
		return part
	}
	if u, err := url.QueryUnescape(part); err == nil && utf8.ValidString(u) {
		return part
	}
	return strings.ReplaceAll(part, "%", "%25")
}

// cleanPaths serves each request at its routedPath, with its query's undecodable parts made
// literal (literalQuery) before anything reads them. A path with an escaped slash (%2F) is
// routed as sent, escapes kept, as the live API does: the slash stays inside its segment
// (/payments/sessions/%2F is a session id of "/", not the list), and observe unescapes the
// route's variables once the route is chosen. Other escapes are unescaped before routing,
// which costs the common request nothing.
func cleanPaths(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if q, changed := literalQuery(r.URL.RawQuery); changed {
			u := *r.URL
			u.RawQuery = q
			r = r.Clone(r.Context())
			r.URL = &u
		}
		if raw := r.URL.RawPath; raw != "" && hasEscapedSlash(raw) {
			u := *r.URL
			u.Path, u.RawPath = routedPath(raw), ""
			r2 := r.Clone(context.WithValue(r.Context(), escapedPathKey{}, true))
			r2.URL = &u
			next.ServeHTTP(w, r2)
			return
		}
		if p := routedPath(r.URL.Path); p != r.URL.Path {
			u := *r.URL
			u.Path = p
			if u.RawPath != "" {
				u.RawPath = routedPath(u.RawPath)
			}
			r2 := r.Clone(r.Context())
			r2.URL = &u
			r = r2
		}
		next.ServeHTTP(w, r)
	})
}
