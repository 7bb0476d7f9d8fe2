package mockserver

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/exchange"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// appTokenHeader is x-app-token in canonical form, which net/http reads without
// canonicalising it again.
const appTokenHeader = "X-App-Token"

// handlerFunc serves a request for the sandbox its x-app-token opens: nil when the header is
// absent or opens none.
type handlerFunc func(http.ResponseWriter, *http.Request, *sandbox.Sandbox)

type sandboxKey struct{}

// sandboxFrom returns the sandbox observe resolved for the request, for the few places that
// are not handed it (the error body's timestamp).
func sandboxFrom(ctx context.Context) *sandbox.Sandbox {
	sb, _ := ctx.Value(sandboxKey{}).(*sandbox.Sandbox)
	return sb
}

// metrics are the Prometheus collectors of one server.
type metrics struct {
	registry  *prometheus.Registry
	requests  *prometheus.CounterVec
	durations *prometheus.HistogramVec
	// unjournaled counts API requests that opened no sandbox, by reason.
	unjournaled *prometheus.CounterVec
}

func newMetrics(s *Server) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "oneentry_mock_requests_total",
			Help: "Requests served, by route template, method and status code.",
		}, []string{"method", "route", "code"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "oneentry_mock_request_duration_seconds",
			Help:    "Time to answer a request, by route template and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route"}),
		unjournaled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "oneentry_mock_unjournaled_requests_total",
			Help: "API requests journaled in no sandbox because their x-app-token was missing (no_app_token) or opened none (unknown_app_token).",
		}, []string{"reason"}),
	}
	m.registry.MustRegister(m.requests, m.durations, m.unjournaled,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "oneentry_mock_sandboxes",
			Help: "Sandboxes alive, the default one included.",
		}, func() float64 { return float64(len(s.sandboxes.All())) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "oneentry_mock_outbox_messages",
			Help: "E-mails held in the outboxes of all sandboxes.",
		}, func() float64 {
			n := 0
			for _, sb := range s.sandboxes.All() {
				n += sb.Outbox().Len()
			}
			return float64(n)
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "oneentry_mock_live_heap_bytes",
			Help: "Live heap at the last garbage collection, every sandbox's state included: what --max-memory-bytes bounds.",
		}, func() float64 { live, _ := s.sandboxes.Memory(); return float64(live) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "oneentry_mock_max_memory_bytes",
			Help: "The live heap above which requests that add state answer 409 (--max-memory-bytes).",
		}, func() float64 { _, limit := s.sandboxes.Memory(); return float64(limit) }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// routeMetrics are the metric children of one route, resolved once rather than looked up by
// their labels on every request.
type routeMetrics struct {
	m      *metrics
	route  string
	method string // the route's method; "" for the unmatched route, which serves any
	// duration is resolved on the route's first request: a child resolved earlier would show
	// in /metrics for routes never called.
	duration func() prometheus.Observer
	// byStatus maps a status to its request counter. It is replaced, never changed, when a
	// status is first seen, so reading it takes no lock.
	byStatus atomic.Pointer[map[int]prometheus.Counter]
}

// forRoute resolves the children of route ("METHOD /template", or "" for unmatched requests).
func (m *metrics) forRoute(route string) *routeMetrics {
	rm := &routeMetrics{m: m, route: route}
	if method, _, ok := strings.Cut(route, " "); ok {
		rm.method = method
		rm.duration = sync.OnceValue(func() prometheus.Observer {
			return m.durations.WithLabelValues(metricMethod(method), route)
		})
	} else {
		rm.route = "unmatched"
	}
	rm.byStatus.Store(&map[int]prometheus.Counter{})
	return rm
}

func (rm *routeMetrics) observe(method string, status int, elapsed time.Duration) {
	if method != rm.method {
		rm.m.requests.WithLabelValues(method, rm.route, strconv.Itoa(status)).Inc()
		rm.m.durations.WithLabelValues(method, rm.route).Observe(elapsed.Seconds())
		return
	}
	rm.duration().Observe(elapsed.Seconds())
	c, ok := (*rm.byStatus.Load())[status]
	if !ok {
		c = rm.m.requests.WithLabelValues(method, rm.route, strconv.Itoa(status))
		for {
			old := rm.byStatus.Load()
			next := make(map[int]prometheus.Counter, len(*old)+1)
			maps.Copy(next, *old)
			next[status] = c
			if rm.byStatus.CompareAndSwap(old, &next) {
				break
			}
		}
	}
	c.Inc()
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// statusClientClosed is what the journal and metrics record for a request whose connection
// was dropped before an answer (nginx's 499).
const statusClientClosed = 499

// recorder remembers the status and the first bytes of the body a handler writes. It keeps
// the written slices themselves, not copies: every handler writes whole bodies it never
// touches again (encoded fixtures, or a fresh encoding), so the journal can hold them as they are.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
	chunks [][]byte
	kept   int
	keep   bool
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if r.keep && r.kept <= sandbox.MaxJournalBody {
		c := b[:min(len(b), sandbox.MaxJournalBody+1-r.kept)]
		r.chunks = append(r.chunks, c)
		r.kept += len(c)
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// body returns what was kept of the response body.
func (r *recorder) body() []byte {
	if len(r.chunks) == 1 {
		return r.chunks[0]
	}
	return bytes.Join(r.chunks, nil)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// teeBody keeps a copy of the first bytes of a request body as the handler reads it.
type teeBody struct {
	io.ReadCloser
	buf  bytes.Buffer
	read int64 // bytes read in all
	end  bool  // the body was read to its end, or could not be read further
}

func (t *teeBody) Read(p []byte) (int, error) {
	n, err := t.ReadCloser.Read(p)
	if room := sandbox.MaxJournalBody + 1 - t.buf.Len(); room > 0 {
		t.buf.Write(p[:min(n, room)])
	}
	t.read += int64(n)
	t.end = t.end || err != nil
	return n, err
}

// serverDrainLimit is how much of a body its handler left unread net/http reads before it
// answers (its maxPostHandlerReadBytes); with more declared, it answers at once and closes the
// connection instead.
const serverDrainLimit = 256 << 10

// readForJournal reads what the handler left of the body, as far as the journal keeps it: a
// request answered before its body was read (a fault, a 401, an unknown path) is journaled with
// the body it was sent with. It reads only where net/http would wait for the rest before
// answering anyway, so the answer never waits on it: not with more left than net/http drains,
// nor from a client that waits for "100 Continue" and has sent nothing.
func (t *teeBody) readForJournal(r *http.Request) {
	room := sandbox.MaxJournalBody + 1 - t.buf.Len()
	if t.end || room <= 0 || strings.EqualFold(r.Header.Get("Expect"), "100-continue") ||
		r.ContentLength >= 0 && r.ContentLength-t.read >= serverDrainLimit {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(t, int64(room)))
}

// isJournaled says which requests the journal, faults and nearest-route hints are about: the
// content API and any path the mock does not know, but not its own admin and health routes, nor
// the files the site links to.
func isJournaled(p string) bool {
	switch {
	case strings.HasPrefix(p, APIPrefix+"/"), p == APIPrefix:
		return true
	case strings.HasPrefix(p, "/__admin"), p == "/healthz", p == "/readyz", p == "/metrics", strings.HasPrefix(p, "/checkout/"), strings.HasPrefix(p, "/cloud-static/"):
		return false
	}
	return true
}

// observe is the way of every request, once the router has matched it to route ("METHOD
// /template", or "" when nothing matched): it gives the request its id, resolves its sandbox
// once (from x-app-token), applies the sandbox's fault rules, and records the request in the
// metrics and, for API traffic, in the sandbox's journal. It then hands h the sandbox.
func (s *Server) observe(route string, h handlerFunc) http.Handler {
	rm := s.metrics.forRoute(route)
	var checked *contracts.Operation
	if s.check {
		checked = s.responseOperation(route)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		if r.Context().Value(escapedPathKey{}) != nil {
			r = unescapeVars(r)
		}
		id := s.requestID()
		w.Header().Set("X-Request-Id", id)
		var sb *sandbox.Sandbox
		token := r.Header.Get(appTokenHeader)
		if token != "" {
			sb = s.sandboxes.Lookup(token)
		}
		ctx := store.WithRequestID(r.Context(), id)
		if sb != nil {
			ctx = context.WithValue(ctx, sandboxKey{}, sb)
		}
		r = r.WithContext(ctx)
		e := entry{route: route, path: receivedPath(r)}
		if route == "" && isJournaled(e.path) && !takenForPreflight(r) {
			if e.nearest = s.routeTable.nearest(r.Method, r.URL.Path); e.nearest != "" {
				w.Header().Set("X-Mock-Nearest-Route", e.nearest)
			}
		}
		// A request without a valid app token belongs to no sandbox, so it is journaled in
		// none (anyone can send them; they would crowd out the default sandbox's journal)
		// and only counted in the metrics.
		journaled := isJournaled(e.path) && r.Method != http.MethodOptions && sb != nil
		if !journaled && isJournaled(e.path) && r.Method != http.MethodOptions {
			reason := "no_app_token"
			if token != "" {
				reason = "unknown_app_token"
			}
			s.metrics.unjournaled.WithLabelValues(reason).Inc()
		}
		rec := &recorder{ResponseWriter: w, keep: journaled}
		var tee *teeBody
		if journaled {
			e.sandbox = sb
			if r.Body != nil && r.Body != http.NoBody {
				tee = &teeBody{ReadCloser: r.Body}
				if n := r.ContentLength; n > 0 && n <= sandbox.MaxJournalBody {
					tee.buf.Grow(int(n))
				}
				r.Body = tee
			}
		}
		handle := func(w http.ResponseWriter, r *http.Request) {
			switch {
			case takenForPreflight(r):
				exchange.AnswerOptions(w, r)
			case s.check:
				sb := sb // a copy for the handler below, which outlives this call, to capture
				s.checkResponses(checked, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h(w, r, sb) })).ServeHTTP(w, r)
			default:
				h(w, r, sb)
			}
		}
		var truncate *truncatingWriter
		served := func() {
			if !journaled {
				handle(rec, r)
				return
			}
			faults := e.sandbox.Faults()
			// Body matching needs the body before the handler; read what faults need and
			// hand the handler the same bytes. A body longer than the limit is refused by
			// its handler, so the limit's worth is all a rule needs to see.
			var peek []byte
			if tee != nil && faults.HasBodyRules() {
				peek, _ = io.ReadAll(io.LimitReader(tee, s.maxBody))
				r.Body = struct {
					io.Reader
					io.Closer
				}{io.MultiReader(bytes.NewReader(peek), tee), tee}
			}
			if f, ok := faults.Pick(r.Method, e.path, inflatedView(r, peek, s.maxBody)); ok {
				e.fault = f.ID
				// Tests and developers can tell a deliberate failure from a real one.
				rec.Header().Set("X-Mock-Fault", f.ID)
				if s.applyFault(r.Context(), rec, r, f) {
					if f.Reset {
						rec.status = statusClientClosed // the journal's and metrics' name for a dropped connection
					}
					return
				}
				if f.Truncate {
					truncate = newTruncatingWriter(rec)
					handle(truncate, r)
					return
				}
			}
			handle(rec, r)
		}
		func() {
			defer func() {
				if v := recover(); v != nil {
					if rec.status == 0 {
						rec.status = statusClientClosed
					}
					s.record(r, e, rm, rec, tee, start)
					panic(v)
				}
			}()
			served()
			if truncate != nil {
				rec.status = truncate.status
				body := truncate.body.Bytes()
				rec.chunks = append(rec.chunks, body[:len(body)/2])
				truncate.finish()
			}
		}()
		s.record(r, e, rm, rec, tee, start)
	})
}

// receivedPath is the path as the client sent it, before cleanPaths cleaned it: the journal
// and fault rules see what was sent.
func receivedPath(r *http.Request) string {
	sent, _, _ := strings.Cut(r.RequestURI, "?")
	if strings.Contains(sent, "//") || strings.HasSuffix(sent, "/") {
		if u, err := url.ParseRequestURI(r.RequestURI); err == nil {
			return u.Path
		}
	}
	return r.URL.Path
}

// receivedQuery is the query as the client sent it, before cleanPaths made its undecodable
// parts literal.
func receivedQuery(r *http.Request) string {
	if _, q, ok := strings.Cut(r.RequestURI, "?"); ok {
		return q
	}
	return r.URL.RawQuery
}

// entry is what observe learns of a request before it is served, for the record.
type entry struct {
	path    string // as received
	route   string // the matched route template, "METHOD /path/{var}"
	nearest string // for unmatched requests: the closest known route
	fault   string // id of the fault rule applied
	sandbox *sandbox.Sandbox
}

func (s *Server) record(r *http.Request, e entry, rm *routeMetrics, rec *recorder, tee *teeBody, start time.Time) {
	elapsed := time.Since(start)
	rm.observe(metricMethod(r.Method), rec.status, elapsed)
	logged := maskedPath(e.route, r.URL.Path)
	s.logRequest(r, logged, rec.status, rec.bytes, elapsed)
	if e.sandbox == nil {
		return
	}
	je := sandbox.Entry{
		ID:           store.RequestID(r.Context()),
		Time:         start.UTC(),
		ClockTime:    e.sandbox.Store().Now(),
		Method:       r.Method,
		Path:         maskedPath(e.route, e.path),
		RawQuery:     receivedQuery(r),
		Route:        e.route,
		NearestRoute: e.nearest,
		Status:       rec.status,
		DurationMs:   float64(elapsed.Microseconds()) / 1000,
		RawHeaders:   r.Header,
		Fault:        e.fault,
	}
	if tee != nil {
		tee.readForJournal(r)
		je.RawRequest = inflatedView(r, tee.buf.Bytes(), sandbox.MaxJournalBody+1)
	}
	je.RawResponse = rec.body()
	if e.route == "" && logged != r.URL.Path {
		// The 404 repeats the path it could not route ("Cannot POST /path"), credential and all.
		je.RawResponse = bytes.ReplaceAll(je.RawResponse, jsonStringContent(r.URL.Path), jsonStringContent(logged))
	}
	e.sandbox.Journal().Add(je)
}

// maskedPath is path with its credentials masked: under the route it matched or, when it
// matched none (a 404, a 405), under the credential route it fits, since a push token or an
// app token in a mistyped path is as secret as in a routed one.
func maskedPath(route, path string) string {
	if route == "" {
		return exchange.MaskUnroutedPath(path)
	}
	return exchange.MaskPath(route, path)
}

// jsonStringContent is s as it stands inside a JSON string the server wrote.
func jsonStringContent(s string) []byte {
	b, _ := json.Marshal(s)
	return b[1 : len(b)-1]
}

// metricMethod is the method label of a request: one of the methods HTTP defines, else OTHER,
// so that made-up methods cannot grow /metrics without bound. (The route label is already a
// template or "unmatched", the code one a status the server chose.)
func metricMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// routeTable lists the known routes for nearest-route hints. It is filled while New registers
// the routes and only read afterwards, so lookups take no lock: one slow lookup never holds up
// another request.
type routeTable struct {
	routes []knownRoute
}

// Bounds of a nearest-route hint, so that a hostile path cannot make a 404 expensive: a path
// longer than maxHintPath gets no hint, and only its first maxHintSegments segments are compared
// (no route has more).
const (
	maxHintPath     = 2048
	maxHintSegments = 16
)

type knownRoute struct {
	method string
	segs   []string
}

// templates lists the known routes as the journal names them, "METHOD /path/{var}".
func (t *routeTable) templates() []string {
	out := make([]string, len(t.routes))
	for i, r := range t.routes {
		out[i] = r.method + " /" + strings.Join(r.segs, "/")
	}
	return out
}

func (t *routeTable) add(method, template string) {
	t.routes = append(t.routes, knownRoute{method: method, segs: strings.Split(strings.Trim(template, "/"), "/")})
}

// nearest returns the known route closest to a request: fewest segment edits (a {var}
// segment matches anything; a segment one or two typos away counts half), then the same method.
// It returns "" for a path too long to be a typo of a route (longer than maxHintPath).
func (t *routeTable) nearest(method, p string) string {
	if len(p) > maxHintPath {
		return ""
	}
	got := strings.SplitN(strings.Trim(p, "/"), "/", maxHintSegments+1)
	got = got[:min(len(got), maxHintSegments)]
	best, bestScore := "", 1<<30
	for _, r := range t.routes {
		score := segmentDistance(r.segs, got) * 2
		if r.method != method {
			score++
		}
		if score < bestScore {
			best, bestScore = r.method+" /"+strings.Join(r.segs, "/"), score
		}
	}
	return best
}

// segmentDistance is the edit distance between two paths counted in segments.
func segmentDistance(tmpl, got []string) int {
	prev := make([]int, len(got)+1)
	cur := make([]int, len(got)+1)
	for j := range prev {
		prev[j] = j * 2
	}
	for i := 1; i <= len(tmpl); i++ {
		cur[0] = i * 2
		for j := 1; j <= len(got); j++ {
			sub := prev[j-1] + segmentCost(tmpl[i-1], got[j-1])
			cur[j] = min(sub, prev[j]+2, cur[j-1]+2)
		}
		prev, cur = cur, prev
	}
	return prev[len(got)]
}

func segmentCost(tmpl, got string) int {
	switch {
	case tmpl == got, strings.HasPrefix(tmpl, "{"):
		return 0
	case levenshtein(tmpl, got) <= 2:
		return 1
	}
	return 2
}

func levenshtein(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j-1]+c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// logRequest writes one structured line per request, at a level set by the status class.
// path is the request's, with credentials in it masked.
func (s *Server) logRequest(r *http.Request, path string, status, size int, elapsed time.Duration) {
	level := slog.LevelInfo
	switch {
	case status >= 500:
		level = slog.LevelError
	case status >= 400:
		level = slog.LevelWarn
	}
	h := s.log.Handler()
	if !h.Enabled(r.Context(), level) {
		return
	}
	// A record made here, with no program counter, spares the stack walk Logger methods make
	// for a source the handler does not print.
	rec := slog.NewRecord(time.Now(), level, "request", 0)
	rec.AddAttrs(
		slog.String("id", store.RequestID(r.Context())),
		slog.String("method", r.Method),
		slog.String("path", path),
		slog.Int("status", status),
		slog.Int("bytes", size),
		slog.Duration("duration", elapsed),
	)
	_ = h.Handle(r.Context(), rec)
}
