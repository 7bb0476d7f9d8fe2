// Package ui is the sandbox's web dashboard at /__admin/ui/: server-rendered pages over the
// sandboxes (requests, orders, mail, webhooks, faults, clock), live through Server-Sent Events,
// with every action going through the same sandbox methods as the admin API. Templates and
// assets are embedded; the pages load nothing from anywhere else.
package ui

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// Prefix is where the dashboard lives.
const Prefix = "/__admin/ui"

// Cookie names: the admin session (when an admin token is set) and the sandbox shown.
const (
	TokenCookie   = "oneentry_mock_ui"
	SandboxCookie = "oneentry_mock_ui_sandbox"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// OrderURL is the dashboard page of an order of the sandbox with the app token; the page
// switches the dashboard to that sandbox.
func OrderURL(appToken string, orderID int) string {
	return Prefix + "/orders/" + strconv.Itoa(orderID) + "?" + url.Values{"sandbox": {appToken}}.Encode()
}

// Options configures a Handler. Sandboxes is required.
type Options struct {
	Sandboxes *sandbox.Registry
	// Contract checks a journaled exchange for the request detail's violations; none are
	// shown when nil.
	Contract *contracts.Validator
	// AdminToken, when set, is asked for once and kept in an HttpOnly, SameSite=Strict cookie.
	AdminToken string
	// Routes lists the content API's route templates ("GET /api/content/…") for the requests
	// filter; it is called when a page needs it, once the routes are registered.
	Routes func() []string
	// MaxStateBytes bounds an imported state document.
	MaxStateBytes int64
	// ErrorStatus is the status the API answers an error with; a page answers the same, and
	// only a 500 is logged as the mock's own failure. Required.
	ErrorStatus func(error) int
	// NotFound answers a path or method the dashboard does not serve, as the admin API
	// answers one (the live error body). Required.
	NotFound http.Handler
	Logger   *slog.Logger
}

// Handler serves the dashboard. The origin and host rules of the admin API are applied in
// front of it by the server (cross-site POSTs are refused there); Handler adds the admin token.
type Handler struct {
	opts    Options
	log     *slog.Logger
	mux     *http.ServeMux
	session string // the cookie value that proves the admin token was given
	stop    chan struct{}
	once    sync.Once
}

var _ http.Handler = (*Handler)(nil)

// New builds the dashboard handler.
func New(opts Options) (*Handler, error) {
	if opts.Sandboxes == nil {
		return nil, errors.New("ui: Options.Sandboxes is required")
	}
	if opts.ErrorStatus == nil {
		return nil, errors.New("ui: Options.ErrorStatus is required")
	}
	if opts.NotFound == nil {
		return nil, errors.New("ui: Options.NotFound is required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{opts: opts, log: opts.Logger, mux: http.NewServeMux(), stop: make(chan struct{})}
	if opts.AdminToken != "" {
		// The cookie carries a MAC of the token under a key of this process, not the token:
		// it opens the dashboard of this run only, and reveals nothing if copied.
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		m := hmac.New(sha256.New, key)
		m.Write([]byte(opts.AdminToken))
		h.session = hex.EncodeToString(m.Sum(nil))
	}
	h.routes()
	return h, nil
}

// Stop ends the live-update streams, so that a graceful shutdown does not wait for them.
func (h *Handler) Stop() { h.once.Do(func() { close(h.stop) }) }

// pageTemplates parses the embedded page templates once per process, when the first page is
// rendered: they are the same for every sandbox and server, and most runs never show the
// dashboard, so start-up does not pay for them.
var pageTemplates = sync.OnceValues(parseTemplates)

// parseTemplates builds each page's template: the layout with the page's own file.
func parseTemplates() (map[string]*template.Template, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, name := range names {
		name = strings.TrimPrefix(name, "templates/")
		if name == "layout.html" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name)
		if err != nil {
			return nil, err
		}
		pages[strings.TrimSuffix(name, ".html")] = t
	}
	return pages, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cache-Control", "no-store")
	if r.URL.Path == Prefix {
		http.Redirect(w, r, Prefix+"/", http.StatusMovedPermanently)
		return
	}
	if _, pattern := h.mux.Handler(r); pattern == "" {
		h.opts.NotFound.ServeHTTP(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, Prefix+"/assets/") || r.URL.Path == Prefix+"/login" {
		h.mux.ServeHTTP(w, r)
		return
	}
	if !h.authorized(r) {
		h.askToken(w, r, "")
		return
	}
	if sb := r.URL.Query().Get("sandbox"); sb != "" && r.Method == http.MethodGet {
		// A link from elsewhere (the checkout page) names its sandbox: remember it, and show
		// the page without the parameter.
		if h.opts.Sandboxes.Lookup(sb) == nil {
			h.sandboxMissing(w, r, errNoSandbox(sb))
			return
		}
		h.setCookie(w, r, SandboxCookie, sb)
		u := *r.URL
		q := u.Query()
		q.Del("sandbox")
		u.RawQuery = q.Encode()
		http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// sandboxMissing answers a page of a sandbox that does not exist with a notice that says so,
// marked for the live updates of a page already open.
func (h *Handler) sandboxMissing(w http.ResponseWriter, r *http.Request, err error) {
	h.renderStatus(w, r, http.StatusNotFound, "error", h.chosenSandbox(r), view{Title: "No such sandbox", Error: errorText(err), SandboxGone: true})
}

// authorized says whether the request brings the admin token: in x-admin-token, as the admin
// API takes it, or as the session cookie the login form set.
func (h *Handler) authorized(r *http.Request) bool {
	if h.opts.AdminToken == "" {
		return true
	}
	if v := r.Header.Get("x-admin-token"); v != "" {
		return subtle.ConstantTimeCompare([]byte(v), []byte(h.opts.AdminToken)) == 1
	}
	c, err := r.Cookie(TokenCookie)
	return err == nil && subtle.ConstantTimeCompare([]byte(c.Value), []byte(h.session)) == 1
}

func (h *Handler) askToken(w http.ResponseWriter, r *http.Request, msg string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "The dashboard needs the admin token: open "+Prefix+"/ and give it.", http.StatusUnauthorized)
		return
	}
	next := r.URL.RequestURI()
	if !strings.HasPrefix(next, Prefix+"/") || r.URL.Path == Prefix+"/events" {
		next = Prefix + "/"
	}
	h.renderStatus(w, r, http.StatusUnauthorized, "login", nil, view{Title: "Admin token", Next: next, Error: msg, Bare: true})
}

// handleLogin handles POST /__admin/ui/login: the admin token, kept as a cookie for the
// dashboard's paths only.
func (h *Handler) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	token := r.PostFormValue("token")
	next := dashboardURL(r.PostFormValue("next"), Prefix+"/")
	if h.opts.AdminToken == "" {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(h.opts.AdminToken)) != 1 {
		h.log.WarnContext(r.Context(), "dashboard login refused", "remote", r.RemoteAddr)
		h.renderStatus(w, r, http.StatusUnauthorized, "login", nil, view{Title: "Admin token", Next: next, Error: "That is not the admin token.", Bare: true})
		return
	}
	h.setCookie(w, r, TokenCookie, h.session)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// handleLogout handles POST /__admin/ui/logout.
func (h *Handler) handleLogout(w http.ResponseWriter, r *http.Request) {
	h.clearCookie(w, r, TokenCookie)
	http.Redirect(w, r, Prefix+"/", http.StatusSeeOther)
}

func (h *Handler) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: "", Path: Prefix + "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil,
	})
}

func (h *Handler) setCookie(w http.ResponseWriter, r *http.Request, name, value string) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: Prefix + "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil,
	})
}

// shownParam names the sandbox a page shows in its live updates' requests.
const shownParam = "shown"

// sandboxOf is the sandbox the dashboard shows: the one a page's own live updates name (its
// "shown" parameter: a page keeps showing its sandbox whatever another tab chose since), else
// the chosen one. A shown sandbox that no longer exists is an error: another sandbox's objects
// swapped into its page would pass for its own.
func (h *Handler) sandboxOf(r *http.Request) (*sandbox.Sandbox, error) {
	if shown := r.URL.Query().Get(shownParam); shown != "" {
		if sb := h.opts.Sandboxes.Lookup(shown); sb != nil {
			return sb, nil
		}
		return nil, errNoSandbox(shown)
	}
	return h.chosenSandbox(r), nil
}

// errNoSandbox says that a page's or a link's sandbox does not exist.
func errNoSandbox(token string) error {
	return store.Errorf(store.CodeNotFound, "Sandbox %s does not exist: it was removed, or the link is from another run. Nothing of another sandbox is shown in its place; the Sandboxes page lists those that exist.", token)
}

// chosenSandbox is the sandbox the cookie names, else the default.
func (h *Handler) chosenSandbox(r *http.Request) *sandbox.Sandbox {
	if c, err := r.Cookie(SandboxCookie); err == nil {
		if sb := h.opts.Sandboxes.Lookup(c.Value); sb != nil {
			return sb
		}
	}
	return h.opts.Sandboxes.Default()
}

// formSandbox is the sandbox an action's form changes: the one whose page the form was on (its
// "sandbox" field), else the one the dashboard's cookie names, else the default. A sandbox
// removed since is an error: acting on another one instead would change a sandbox nobody was
// looking at.
func (h *Handler) formSandbox(r *http.Request) (*sandbox.Sandbox, error) {
	token := r.PostForm.Get("sandbox")
	if token == "" {
		c, err := r.Cookie(SandboxCookie)
		if err != nil {
			return h.opts.Sandboxes.Default(), nil
		}
		token = c.Value
	}
	if sb := h.opts.Sandboxes.Lookup(token); sb != nil {
		return sb, nil
	}
	return nil, store.Errorf(store.CodeNotFound, "Sandbox %s no longer exists, so nothing was changed; the dashboard now shows the default sandbox", token)
}

// dashboardURL is target when it is a page of the dashboard, else fallback. The path is judged
// as http.Redirect will send it, with its dot segments resolved: /__admin/ui/../../x is not a
// page of the dashboard. A backslash is refused, as browsers read it as a slash.
func dashboardURL(target, fallback string) string {
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || strings.Contains(target, `\`) {
		return fallback
	}
	clean := path.Clean(u.Path)
	if clean != Prefix && !strings.HasPrefix(clean, Prefix+"/") {
		return fallback
	}
	if strings.HasSuffix(u.Path, "/") && clean != "/" {
		clean += "/"
	}
	u.Path, u.RawPath = clean, ""
	return u.String()
}

// back redirects to the page the action was taken on, with a notice or the error.
func back(w http.ResponseWriter, r *http.Request, fallback, notice string, err error) {
	u, perr := url.Parse(dashboardURL(r.PostFormValue("back"), fallback))
	if perr != nil {
		u = &url.URL{Path: fallback}
	}
	q := u.Query()
	q.Del("notice")
	q.Del("error")
	if err != nil {
		q.Set("error", shortened(errorText(err)))
	} else if notice != "" {
		q.Set("notice", shortened(notice))
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
}

// maxRedirectText bounds the notice or error a redirect carries, in characters.
const maxRedirectText = 300

// shortened is text cut to maxRedirectText characters, with an ellipsis when cut. A message
// travels in the redirect's URL, and one that quotes a long value (a 20,000-character form
// field) would make the page's request head larger than the server takes: the browser would
// get the server's 431 instead of the message.
func shortened(text string) string {
	n := 0
	for i := range text {
		if n == maxRedirectText {
			return text[:i] + "…"
		}
		n++
	}
	return text
}

// errorText is what the dashboard says of a failed action: the store's message, as the admin
// API answers it, or a generic text for an internal failure.
func errorText(err error) string {
	var e *store.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}
