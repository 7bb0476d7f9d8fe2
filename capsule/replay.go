package capsule

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/oneentry-mock/oneentry-mock/exchange"
)

// ExchangeHeader names the response header through which the replay says which recorded exchange
// answered (its 1-based number), or "none" for a request that matched nothing.
const ExchangeHeader = "X-Capsule-Exchange"

// ReplayOptions configures NewReplay.
type ReplayOptions struct {
	// Logger receives one line per request; discarded when nil.
	Logger *slog.Logger
	// Now is the clock of error timestamps; time.Now when nil.
	Now func() time.Time
	// MaxBodyBytes bounds request bodies; DefaultMaxBodyBytes when zero.
	MaxBodyBytes int64
	// Loop starts over from the first exchange when a request matches no exchange left but
	// would match one of a fresh run, so a front end can be run against the capsule again
	// and again.
	Loop bool
}

// Replay serves a capsule: each request gets the recorded answer of the exchange the Matcher picks,
// with token placeholders re-issued as values (Reissuer). A request that matches nothing gets a
// 404 in the live error shape whose message names the nearest recorded request and what differed.
//
// Besides the recorded API it answers CORS preflights, GET /healthz and POST /__admin/reset
// (start matching from the first exchange again).
type Replay struct {
	c        *Capsule
	matcher  *Matcher
	reissuer *Reissuer
	links    links
	opts     ReplayOptions
}

var _ http.Handler = (*Replay)(nil)

// NewReplay returns a handler replaying c.
func NewReplay(c *Capsule, opts ReplayOptions) (*Replay, error) {
	if c == nil {
		return nil, errors.New("capsule: NewReplay needs a capsule")
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	r := NewReissuer(c.Redactions)
	return &Replay{c: c, reissuer: r, matcher: NewMatcher(c, r), opts: opts}, nil
}

// Reset makes every recorded exchange available again.
func (rp *Replay) Reset() { rp.matcher.Reset() }

// ServeHTTP implements http.Handler.
func (rp *Replay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if preflight(w, r) {
		return
	}
	switch {
	case r.URL.Path == "/healthz" && r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = io.WriteString(w, `{"status":"ok"}`)
		return
	case rp.links.serve(w, r):
		return
	case r.URL.Path == "/__admin/reset" && r.Method == http.MethodPost:
		rp.Reset()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = io.WriteString(w, `{"reset":true}`)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, rp.opts.MaxBodyBytes))
	if err != nil {
		writeAPIError(w, r, http.StatusRequestEntityTooLarge, "request entity too large", rp.opts.Now())
		return
	}
	req := Request{
		Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Authorization: r.Header.Get("Authorization"), Body: body,
	}
	m, err := rp.matcher.Match(req)
	if err != nil && rp.opts.Loop {
		// Nothing left matches: the client may be going round again.
		if m, err = rp.matcher.MatchAgain(req); err == nil {
			rp.opts.Logger.InfoContext(r.Context(), "replay: starting over from the first exchange", "method", r.Method, "path", exchange.MaskUnroutedPath(r.URL.Path))
		}
	}
	if err != nil {
		rp.opts.Logger.WarnContext(r.Context(), "replay: no match", "method", r.Method, "path", exchange.MaskUnroutedPath(r.URL.Path), "err", maskRequestIn(err.Error(), r))
		w.Header().Set(ExchangeHeader, "none")
		writeAPIError(w, r, http.StatusNotFound, err.Error(), rp.opts.Now())
		return
	}
	e := m.Exchange
	h := w.Header()
	for k, v := range e.ResponseHeaders {
		h.Set(k, rp.reissuer.IssueString(v))
	}
	if h.Get("Content-Type") == "" && len(e.ResponseBody) > 0 {
		h.Set("Content-Type", "application/json; charset=utf-8")
	}
	setCORS(h, r)
	h.Set(ExchangeHeader, fmt.Sprint(m.Index+1))
	out := rp.links.rewrite(rp.reissuer.Issue(e.Body()), requestOrigin(r))
	h.Set("Content-Length", fmt.Sprint(len(out)))
	w.WriteHeader(e.Status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(out)
	}
	rp.opts.Logger.InfoContext(r.Context(), "replayed", "method", r.Method, "path", exchange.MaskUnroutedPath(r.URL.Path),
		"exchange", m.Index+1, "status", e.Status, "repeat", m.Repeat)
}

// requestOrigin is scheme://host the client reached the replay at.
func requestOrigin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// Unmatched reports whether a replay answer is the replay's own 404 for a request it could not
// match, rather than a recorded answer.
func Unmatched(h http.Header) bool { return strings.EqualFold(h.Get(ExchangeHeader), "none") }
