package mockserver

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// faultRule makes matching API requests fail on purpose, so a front end's error screens can
// be built and tested. A rule adds latency, and may also answer a status with the live error
// body, reset the connection or send a truncated body.
type faultRule struct {
	ID     string `json:"id"`
	Method string `json:"method,omitempty"` // empty or "*" matches any
	// Path is an exact path or a pattern where * matches one segment and a trailing /** any rest.
	Path         string `json:"path"`
	BodyContains string `json:"bodyContains,omitempty"`

	Latency *faultLatency `json:"latency,omitempty"`
	Status  int           `json:"status,omitempty"`
	Message string        `json:"message,omitempty"`
	Reset   bool          `json:"reset,omitempty"`
	// Truncate sends the response headers and part of the body, then closes the connection.
	Truncate bool `json:"truncate,omitempty"`

	// Times limits the rule to its next N matches (0 = no limit); Probability applies it to a
	// share of matches (0 or 1 = always). Without either it stays until removed.
	Times       int     `json:"times,omitempty"`
	Probability float64 `json:"probability,omitempty"`

	Remaining *int      `json:"remaining,omitempty"`
	Matched   int       `json:"matched"`
	Created   time.Time `json:"createdAt"`
}

// faultLatency is a fixed delay (FixedMs) or a uniform one between MinMs and MaxMs.
type faultLatency struct {
	FixedMs int `json:"fixedMs,omitempty"`
	MinMs   int `json:"minMs,omitempty"`
	MaxMs   int `json:"maxMs,omitempty"`
}

const maxFaultLatency = 60_000

func (l *faultLatency) duration() time.Duration {
	if l == nil {
		return 0
	}
	if l.FixedMs > 0 {
		return time.Duration(l.FixedMs) * time.Millisecond
	}
	if l.MaxMs > l.MinMs {
		return time.Duration(l.MinMs+rand.IntN(l.MaxMs-l.MinMs+1)) * time.Millisecond
	}
	return time.Duration(l.MinMs) * time.Millisecond
}

func (f *faultRule) validate() error {
	var msgs []string
	if f.Path == "" || !strings.HasPrefix(f.Path, "/") {
		msgs = append(msgs, "path must be an absolute path or pattern, such as /api/content/orders-storage/marker/*/orders")
	} else if _, err := path.Match(strings.TrimSuffix(f.Path, "/**"), "/"); err != nil {
		msgs = append(msgs, "path is not a valid pattern: "+err.Error())
	}
	actions := 0
	for _, on := range []bool{f.Status != 0, f.Reset, f.Truncate} {
		if on {
			actions++
		}
	}
	if actions > 1 {
		msgs = append(msgs, "choose one of status, reset and truncate")
	}
	if actions == 0 && f.Latency == nil {
		msgs = append(msgs, "a rule needs latency, status, reset or truncate")
	}
	if f.Status != 0 && (f.Status < 400 || f.Status > 599) {
		msgs = append(msgs, "status must be 400–599")
	}
	if l := f.Latency; l != nil {
		if l.FixedMs < 0 || l.MinMs < 0 || l.MaxMs < 0 || max(l.FixedMs, l.MinMs, l.MaxMs) > maxFaultLatency {
			msgs = append(msgs, fmt.Sprintf("latency values must be 0–%d ms", maxFaultLatency))
		}
		if l.MaxMs != 0 && l.MaxMs < l.MinMs {
			msgs = append(msgs, "latency.maxMs must not be below minMs")
		}
	}
	if f.Times < 0 {
		msgs = append(msgs, "times must not be negative")
	}
	if f.Probability < 0 || f.Probability > 1 {
		msgs = append(msgs, "probability must be between 0 and 1")
	}
	if len(msgs) > 0 {
		return store.Invalid(msgs...)
	}
	return nil
}

func (f *faultRule) matches(method, p string, body []byte) bool {
	if f.Method != "" && f.Method != "*" && !strings.EqualFold(f.Method, method) {
		return false
	}
	if !matchPath(f.Path, p) {
		return false
	}
	return f.BodyContains == "" || strings.Contains(string(body), f.BodyContains)
}

// matchPath matches p against a pattern whose * stands for one segment and whose trailing
// /** stands for any rest.
func matchPath(pattern, p string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "/**"); ok {
		want := strings.Split(prefix, "/")
		got := strings.Split(p, "/")
		if len(got) < len(want) {
			return false
		}
		pattern, p = prefix, strings.Join(got[:len(want)], "/")
	}
	ok, err := path.Match(pattern, p)
	return err == nil && ok
}

// faults is a sandbox's fault rules.
type faults struct {
	mu    sync.Mutex
	rules []*faultRule
	seq   int
}

func (fs *faults) add(f faultRule, now time.Time) faultRule {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.seq++
	f.ID = fmt.Sprintf("flt_%d", fs.seq)
	f.Created = now
	f.Matched = 0
	f.Remaining = nil
	if f.Times > 0 {
		n := f.Times
		f.Remaining = &n
	}
	fs.rules = append(fs.rules, &f)
	return f
}

func (fs *faults) list() []faultRule {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]faultRule, len(fs.rules))
	for i, f := range fs.rules {
		out[i] = *f
		if f.Remaining != nil {
			n := *f.Remaining
			out[i].Remaining = &n
		}
	}
	return out
}

func (fs *faults) remove(id string) bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, f := range fs.rules {
		if f.ID == id {
			fs.rules = append(fs.rules[:i], fs.rules[i+1:]...)
			return true
		}
	}
	return false
}

// hasBodyRules reports whether any rule looks at request bodies, so others need not be read.
func (fs *faults) hasBodyRules() bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, f := range fs.rules {
		if f.BodyContains != "" {
			return true
		}
	}
	return false
}

func (fs *faults) clear() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.rules = nil
}

// pick returns the first rule that applies to the request, counting it; a rule whose times
// are used up is removed.
func (fs *faults) pick(method, p string, body []byte) (faultRule, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, f := range fs.rules {
		if !f.matches(method, p, body) {
			continue
		}
		if f.Probability > 0 && f.Probability < 1 && rand.Float64() >= f.Probability {
			continue
		}
		f.Matched++
		picked := *f
		if f.Remaining != nil {
			*f.Remaining--
			if *f.Remaining <= 0 {
				fs.rules = append(fs.rules[:i], fs.rules[i+1:]...)
			}
		}
		return picked, true
	}
	return faultRule{}, false
}

// applyFault carries out a rule. It reports whether the request is finished (nothing more
// may be written).
func (s *Server) applyFault(ctx context.Context, w http.ResponseWriter, r *http.Request, f faultRule) bool {
	if d := f.Latency.duration(); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return true
		}
	}
	switch {
	case f.Status != 0:
		msg := f.Message
		if msg == "" {
			msg = http.StatusText(f.Status)
		}
		s.writeErrorStatus(w, r, f.Status, msg)
		return true
	case f.Reset:
		resetConnection(w)
		return true
	case f.Truncate:
		return false // the response is cut on its way out; see truncatingWriter
	}
	return false
}

// resetConnection closes the client's connection abruptly, as a crashed upstream would: the
// client sees "connection reset by peer", not an HTTP answer.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // HTTP/2 or a recorder: abort the stream instead
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// truncatingWriter announces the full body length but sends only half of it, then drops the
// connection: the client sees an unexpected EOF mid-body.
type truncatingWriter struct {
	http.ResponseWriter
	status int
	buf    []byte
}

func (t *truncatingWriter) WriteHeader(code int) {
	if t.status == 0 {
		t.status = code
	}
}

func (t *truncatingWriter) Write(b []byte) (int, error) {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	t.buf = append(t.buf, b...)
	return len(b), nil
}

func (t *truncatingWriter) finish() {
	conn, brw, err := http.NewResponseController(t.ResponseWriter).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	writeTruncated(brw, t.ResponseWriter.Header(), t.status, t.buf)
}

func writeTruncated(brw *bufio.ReadWriter, h http.Header, status int, body []byte) {
	fmt.Fprintf(brw, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	h.Set("Content-Length", fmt.Sprint(len(body)))
	h.Set("Connection", "close")
	_ = h.Write(brw)
	_, _ = brw.WriteString("\r\n")
	_, _ = brw.Write(body[:len(body)/2])
	_ = brw.Flush()
}

type faultRequest struct {
	Method       string        `json:"method"`
	Path         string        `json:"path"`
	BodyContains string        `json:"bodyContains"`
	Latency      *faultLatency `json:"latency"`
	Status       int           `json:"status"`
	Message      string        `json:"message"`
	Reset        bool          `json:"reset"`
	Truncate     bool          `json:"truncate"`
	Times        int           `json:"times"`
	Probability  float64       `json:"probability"`
}

// handleFaultCreate handles POST /__admin/faults.
func (s *Server) handleFaultCreate(w http.ResponseWriter, r *http.Request, sb *sandbox) {
	var req faultRequest
	if !decodeAdmin(w, r, s, &req, `{"method","path","bodyContains","latency":{"fixedMs"|"minMs","maxMs"},"status","message","reset","truncate","times","probability"}`) {
		return
	}
	rule := faultRule{
		Method: req.Method, Path: req.Path, BodyContains: req.BodyContains, Latency: req.Latency,
		Status: req.Status, Message: req.Message, Reset: req.Reset, Truncate: req.Truncate,
		Times: req.Times, Probability: req.Probability,
	}
	if err := rule.validate(); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, sb.faults.add(rule, time.Now().UTC()))
}

// handleFaultList handles GET /__admin/faults.
func (s *Server) handleFaultList(w http.ResponseWriter, r *http.Request, sb *sandbox) {
	s.writeJSON(w, http.StatusOK, sb.faults.list())
}

// handleFaultDelete handles DELETE /__admin/faults/{id}.
func (s *Server) handleFaultDelete(w http.ResponseWriter, r *http.Request, sb *sandbox) {
	id := mux.Vars(r)["id"]
	if !sb.faults.remove(id) {
		s.writeError(w, r, store.Errorf(store.CodeNotFound, "No fault rule %q", id))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleFaultClear handles DELETE /__admin/faults.
func (s *Server) handleFaultClear(w http.ResponseWriter, r *http.Request, sb *sandbox) {
	sb.faults.clear()
	w.WriteHeader(http.StatusNoContent)
}
