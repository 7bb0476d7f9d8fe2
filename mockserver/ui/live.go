package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/internal/shellword"
	"github.com/oneentry-mock/oneentry-mock/mail"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

func (h *Handler) routes() {
	h.mux.HandleFunc("GET "+Prefix+"/assets/{file}", h.handleAsset)
	h.mux.HandleFunc("POST "+Prefix+"/login", h.handleLogin)
	h.mux.HandleFunc("POST "+Prefix+"/logout", h.handleLogout)
	h.mux.HandleFunc("GET "+Prefix+"/events", h.handleEvents)
	h.mux.HandleFunc("GET "+Prefix+"/mail/{id}/html", h.handleMailHTML)
	h.mux.HandleFunc("GET "+Prefix+"/mail/{id}/raw", h.handleMailRaw)
	h.mux.HandleFunc("GET "+Prefix+"/sandboxes/export", h.handleExport)
	for _, p := range pages {
		h.mux.HandleFunc("GET "+Prefix+p.path, h.page(p))
	}
	for _, a := range actions {
		h.mux.HandleFunc("POST "+Prefix+a.path, h.action(a))
	}
}

// handleAsset serves a file of the dashboard's assets folder; any other path under it is not
// found, as the admin API answers one (no folder listing).
func (h *Handler) handleAsset(w http.ResponseWriter, r *http.Request) {
	name := "assets/" + r.PathValue("file")
	if info, err := fs.Stat(assetFS, name); err != nil || info.IsDir() {
		h.opts.NotFound.ServeHTTP(w, r)
		return
	}
	http.ServeFileFS(w, r, assetFS, name)
}

// pollEvery is how often a live page's stream looks for changes: cheap (a few counters), and
// quick enough that a page follows what a test or an app does.
const pollEvery = 300 * time.Millisecond

// handleEvents handles GET /__admin/ui/events: a Server-Sent Events stream that says "change"
// whenever the shown sandbox (or the set of sandboxes) changes; the page then fetches itself
// again and swaps its live parts.
func (h *Handler) handleEvents(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	// A stream outlives any write timeout the server has.
	_ = rc.SetWriteDeadline(time.Time{})
	sb, err := h.sandboxOf(r)
	if err != nil {
		// Not a stream: the browser's EventSource gives up rather than retrying.
		http.Error(w, errorText(err), http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	type stamp struct {
		changes   sandbox.Changes
		sandboxes int
	}
	current := func() stamp { return stamp{sb.Changes(), len(h.opts.Sandboxes.All())} }
	last := current()
	fmt.Fprint(w, "retry: 2000\nevent: hello\ndata: {}\n\n")
	if rc.Flush() != nil {
		return
	}
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	idle := 0
	for {
		select {
		case <-r.Context().Done():
			return
		case <-h.stop:
			return
		case <-tick.C:
		}
		now := current()
		idle++
		switch {
		case now != last:
			last, idle = now, 0
			fmt.Fprint(w, "event: change\ndata: {}\n\n")
		case idle*int(pollEvery) >= int(15*time.Second):
			idle = 0
			fmt.Fprint(w, ": keep-alive\n\n") // proxies close silent connections
		default:
			continue
		}
		if rc.Flush() != nil {
			return
		}
	}
}

// message finds the outbox message the path names; it answers 404 itself when there is none.
func (h *Handler) message(w http.ResponseWriter, r *http.Request) (mail.Message, bool) {
	sb, err := h.sandboxOf(r)
	var m mail.Message
	ok := err == nil
	if ok {
		m, ok = sb.Outbox().Get(r.PathValue("id"))
	}
	if !ok {
		http.NotFound(w, r)
	}
	return m, ok
}

// handleMailHTML handles GET /__admin/ui/mail/{id}/html: the HTML part alone, for the
// sandboxed frame of the message page. Its own policy forbids scripts and every load.
func (h *Handler) handleMailHTML(w http.ResponseWriter, r *http.Request) {
	m, ok := h.message(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(m.HTML))
}

// handleMailRaw handles GET /__admin/ui/mail/{id}/raw: the RFC 5322 message, as text.
func (h *Handler) handleMailRaw(w http.ResponseWriter, r *http.Request) {
	m, ok := h.message(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="`+m.ID+`.eml"`)
	_, _ = w.Write(m.Raw)
}

// violations checks a journaled exchange of the content API against the contract, as the
// contract tests would have. Credentials are masked in the journal, so the check cannot fail
// on them; what it finds is about shapes, statuses and parameters.
func (h *Handler) violations(ctx context.Context, e sandbox.Entry) ([]string, bool) {
	if h.opts.Contract == nil || !strings.Contains(e.Route, " /api/content") {
		return nil, false
	}
	if e.BodiesTruncated {
		return nil, true // cut bodies are not the exchange: the page says so
	}
	u := url.URL{Scheme: "http", Host: "localhost", Path: e.Path, RawQuery: e.Query}
	req, err := http.NewRequestWithContext(ctx, e.Method, u.String(), bytes.NewReader(e.RawRequest))
	if err != nil {
		return []string{err.Error()}, true
	}
	for k, v := range e.RequestHeaders {
		req.Header.Set(k, v)
	}
	header := http.Header{}
	if json.Valid(e.RawResponse) {
		header.Set("Content-Type", "application/json; charset=utf-8")
	} else if len(e.RawResponse) > 0 {
		header.Set("Content-Type", "text/plain; charset=utf-8")
	}
	var out []string
	for _, v := range contracts.Violations(h.opts.Contract.ValidateExchange(ctx, req, e.Status, header, e.RawResponse)) {
		out = append(out, v.String())
	}
	return out, true
}

// curlCommand writes a journaled request as a curl command line against this server. Masked
// credentials stay masked: replace them before running it.
func curlCommand(r *http.Request, e sandbox.Entry) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	target := scheme + "://" + r.Host + e.Path
	if e.Query != "" {
		target += "?" + e.Query
	}
	var b strings.Builder
	b.WriteString("curl")
	switch e.Method {
	case http.MethodGet:
	case http.MethodHead:
		// -X HEAD would wait for the body Content-Length announces.
		b.WriteString(" --head")
	default:
		// net/http accepts shell syntax such as & and ` in a method: quoted like the rest, or
		// pasting the command would run what the request's sender chose.
		b.WriteString(" -X " + shellword.Word(e.Method))
	}
	b.WriteString(" " + shellword.Quote(target))
	names := make([]string, 0, len(e.RequestHeaders))
	for k := range e.RequestHeaders {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		b.WriteString(" \\\n  -H " + shellword.Quote(k+": "+e.RequestHeaders[k]))
	}
	switch {
	case len(e.RequestBody) > 0:
		b.WriteString(" \\\n  --data-raw " + shellword.Quote(string(e.RequestBody)))
	case e.RequestText != "":
		b.WriteString(" \\\n  --data-raw " + shellword.Quote(e.RequestText))
	}
	return b.String()
}
