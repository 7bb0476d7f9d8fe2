package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/oneentry-mock/oneentry-mock/exchange"
)

// DefaultJournalSize is how many requests each sandbox's journal keeps.
const DefaultJournalSize = 1000

// MaxJournalBody bounds each body kept in the journal.
const MaxJournalBody = 64 << 10

// MaxJournalField bounds each string an entry keeps (path, query, each header value): what
// is longer is cut and ends in "…", so that hostile requests cannot make the journal large.
const MaxJournalField = 4 << 10

// MaxJournalBytes bounds what each sandbox's journal holds, bodies and fields together (as
// entrySize counts them): beyond it the oldest entries are dropped, however few the journal
// holds. Full-size bodies on every request keep the newest ~250 of them.
const MaxJournalBytes = 32 << 20

// Entry is one request as the journal shows it. Secrets are redacted when recorded.
type Entry struct {
	ID              string            `json:"id"`
	Time            time.Time         `json:"time"`
	Method          string            `json:"method"`
	Path            string            `json:"path"`
	Query           string            `json:"query,omitempty"`
	Route           string            `json:"route,omitempty"`
	NearestRoute    string            `json:"nearestRoute,omitempty"`
	Status          int               `json:"status"`
	DurationMs      float64           `json:"durationMs"`
	RequestHeaders  map[string]string `json:"requestHeaders,omitempty"`
	RequestBody     json.RawMessage   `json:"requestBody,omitempty"`
	RequestText     string            `json:"requestText,omitempty"`
	ResponseBody    json.RawMessage   `json:"responseBody,omitempty"`
	ResponseText    string            `json:"responseText,omitempty"`
	Fault           string            `json:"fault,omitempty"`
	BodiesTruncated bool              `json:"bodiesTruncated,omitempty"`

	// The bodies, the query string and the headers are kept as received and masked only when
	// the journal is read: requests are many and reads are few. Query and RequestHeaders are
	// filled from RawQuery and RawHeaders then; Add keeps of RawHeaders only the values of
	// journalHeaders.
	// ClockTime is the sandbox clock's time of the request, which a moved clock sets apart
	// from Time: what "today" means to the sandbox's own answers.
	ClockTime               time.Time   `json:"-"`
	RawRequest, RawResponse []byte      `json:"-"`
	RawQuery                string      `json:"-"`
	RawHeaders              http.Header `json:"-"`
	headers                 [len(journalHeaders)]string
	rawQueryCut             bool // RawQuery was cut to MaxJournalField
}

// journalHeaders are the request headers the journal keeps, canonical, so that they are read
// from an http.Header without canonicalising. X-Request-Id is the client's own id for the
// request, which the entry's ID (the mock's) does not replace.
var journalHeaders = [...]string{"Content-Type", "X-App-Token", "Authorization", "X-Device-Metadata", "Origin", "User-Agent", clientRequestIDHeader}

const clientRequestIDHeader = "X-Request-Id"

var clientRequestIDAt = slices.Index(journalHeaders[:], clientRequestIDHeader)

// clientRequestID is the X-Request-Id the client sent with the request, if any.
func (e *Entry) clientRequestID() string {
	if e.RequestHeaders != nil {
		return e.RequestHeaders[strings.ToLower(clientRequestIDHeader)]
	}
	return e.headers[clientRequestIDAt]
}

// redacted fills the JSON fields from the raw bodies, query and headers, masked.
func (e Entry) redacted() Entry {
	var reqCut, respCut bool
	e.RequestBody, e.RequestText, reqCut = exchange.Mask(e.RawRequest, MaxJournalBody, nil)
	e.ResponseBody, e.ResponseText, respCut = exchange.Mask(e.RawResponse, MaxJournalBody, nil)
	e.BodiesTruncated = reqCut || respCut
	e.Query = e.query()
	if e.RequestHeaders == nil {
		h := make(http.Header, len(e.headers))
		for i, v := range e.headers {
			if v != "" {
				h[journalHeaders[i]] = []string{v}
			}
		}
		e.RequestHeaders = JournalHeaders(h)
	}
	e.RawQuery, e.headers = "", [len(journalHeaders)]string{}
	return e
}

// query is the entry's query string as the journal shows it: masked, and cut as capped cuts
// the other strings.
func (e *Entry) query() string {
	if e.RawQuery == "" {
		return e.Query
	}
	q := exchange.MaskQuery(e.RawQuery)
	if e.rawQueryCut && len(q) <= MaxJournalField {
		return cutField(q) // what capField does to a longer one
	}
	return capField(q)
}

// Journal is a sandbox's bounded request log, oldest dropped first: it keeps at most size
// entries and MaxJournalBytes. It grows as requests come, so an idle sandbox costs nothing.
type Journal struct {
	mu   sync.Mutex
	size int
	// ring holds the entries from index start on, wrapping around: n of them, oldest first.
	// It grows up to size entries and is then reused, so adding an entry copies only that one.
	ring  []Entry
	start int
	n     int
	bytes int    // entrySize of the entries, summed
	seq   uint64 // entries ever added: tells watchers that something happened
	// shared bounds what every journal of the process holds together; nil for none.
	shared *JournalShare
	// reclaimable is bytes while the journal holds more than its newest entry, else 0: what
	// the share weighs journals by, without taking their locks.
	reclaimable atomic.Int64
	closed      bool // its sandbox is removed: a request still finishing there is not kept
}

// JournalShare bounds the bytes all the journals of a process hold together: each journal's
// own MaxJournalBytes, times as many sandboxes as may exist, is far more than the memory limit.
// While the share is spent, the oldest entries of the journal holding the most are dropped, so
// that a busy sandbox's requests do not push a quiet one's out: a journal holding no more than
// its fair share (the limit over the journals holding entries) loses nothing while a larger one
// has more than its newest entry, which every journal keeps.
type JournalShare struct {
	limit int64
	// lowWater is what making room brings the share down to: a little below the limit, so that
	// a busy journal looks over the others once every few entries, not on every one.
	lowWater int64
	used     atomic.Int64

	// mu is taken before a journal's lock, never while holding one, so that two journals
	// adding at once cannot wait on each other.
	mu       sync.Mutex
	journals []*Journal
}

// NewJournalShare returns a share of limit bytes.
func NewJournalShare(limit int64) *JournalShare {
	return &JournalShare{limit: limit, lowWater: limit - limit/64}
}

func (s *JournalShare) add(n int) {
	if s != nil {
		s.used.Add(int64(n))
	}
}

func (s *JournalShare) over() bool { return s != nil && s.used.Load() > s.limit }

func (s *JournalShare) aboveLowWater() bool { return s.used.Load() > s.lowWater }

func (s *JournalShare) join(j *Journal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.journals = append(s.journals, j)
}

func (s *JournalShare) leave(j *Journal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := slices.Index(s.journals, j); i >= 0 {
		s.journals = slices.Delete(s.journals, i, i+1)
	}
}

// makeRoom, once the share is spent, drops the oldest entries of the journal holding the most
// until the share is down to its low water, or no journal holds more than its newest entry. It
// drops from one journal until that one is no larger than the next largest, so that a busy
// journal pays for what it adds with one look over the journals, not one per entry.
func (s *JournalShare) makeRoom() {
	if !s.over() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.aboveLowWater() {
		largest, next := s.largest()
		if largest == nil {
			return
		}
		largest.yield(next)
	}
}

// largest returns the journal that holds the most of those holding more than their newest
// entry, and what the next largest holds.
func (s *JournalShare) largest() (*Journal, int64) {
	var top *Journal
	var most, next int64
	for _, j := range s.journals {
		switch b := j.reclaimable.Load(); {
		case b > most:
			top, most, next = j, b, most
		case b > next:
			next = b
		}
	}
	return top, next
}

// NewJournal returns an empty journal of size entries; DefaultJournalSize when size is not
// positive. shared, when set, is the bound it shares with other journals until it is closed.
func NewJournal(size int, shared *JournalShare) *Journal {
	if size <= 0 {
		size = DefaultJournalSize
	}
	j := &Journal{size: size, shared: shared}
	if shared != nil {
		shared.join(j)
	}
	return j
}

// Add records e, its strings cut to MaxJournalField and its bodies to MaxJournalBody, and
// drops the oldest entries while the journal holds more than its size or MaxJournalBytes; while
// the journals together hold more than their share, the largest of them drops its oldest.
func (j *Journal) Add(e Entry) {
	if j.add(e) {
		j.shared.makeRoom()
	}
}

// add records e under the journal's lock, which makeRoom must not be called under; it reports
// whether e was kept.
func (j *Journal) add(e Entry) bool {
	e = e.capped()
	n := entrySize(&e)
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return false
	}
	if j.n == j.size {
		j.dropOldest()
	}
	if j.n == len(j.ring) {
		j.grow()
	}
	j.ring[(j.start+j.n)%len(j.ring)] = e
	j.n++
	j.bytes += n
	j.shared.add(n)
	j.seq++
	for j.n > 1 && j.bytes > MaxJournalBytes {
		j.dropOldest()
	}
	j.weigh()
	return true
}

// yield gives the share the journal's oldest entries, at least one, until the share is down to
// its low water or the journal holds no more than above; it keeps its newest entry.
func (j *Journal) yield(above int64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for j.n > 1 {
		j.dropOldest()
		if !j.shared.aboveLowWater() || int64(j.bytes) <= above {
			break
		}
	}
	j.weigh()
}

// weigh publishes what the share may take from the journal.
func (j *Journal) weigh() {
	if j.n > 1 {
		j.reclaimable.Store(int64(j.bytes))
	} else {
		j.reclaimable.Store(0)
	}
}

// at returns the i-th entry, oldest first.
func (j *Journal) at(i int) *Entry {
	return &j.ring[(j.start+i)%len(j.ring)]
}

func (j *Journal) dropOldest() {
	old := j.at(0)
	size := entrySize(old)
	j.bytes -= size
	j.shared.add(-size)
	*old = Entry{}
	j.start = (j.start + 1) % len(j.ring)
	j.n--
}

// grow doubles the ring, up to size entries, with the entries moved to its front.
func (j *Journal) grow() {
	ring := make([]Entry, min(max(2*len(j.ring), 16), j.size))
	for i := range j.n {
		ring[i] = *j.at(i)
	}
	j.ring, j.start = ring, 0
}

// Size is how many entries the journal keeps at most.
func (j *Journal) Size() int { return j.size }

// Clear empties the journal.
func (j *Journal) Clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.clearLocked()
}

func (j *Journal) clearLocked() {
	j.shared.add(-j.bytes)
	j.ring, j.start, j.n, j.bytes = nil, 0, 0, 0
	j.weigh()
}

// Close clears the journal for good: what is added afterwards is dropped, so the bytes of a
// removed sandbox's journal all go back to the share, which forgets it.
func (j *Journal) Close() {
	j.mu.Lock()
	j.clearLocked()
	j.closed = true
	j.mu.Unlock()
	if j.shared != nil {
		j.shared.leave(j)
	}
}

// capped returns e with every string cut to MaxJournalField and the bodies to one byte over
// MaxJournalBody (which tells the reader they were cut). The method, path and query are copied:
// they are substrings of the request line, which they would otherwise keep alive whole (900 KB
// for a hostile query). The other strings are the server's own (route templates, ids, fault
// names) or header values, which net/http allocates one by one, so a short one is kept as is.
func (e Entry) capped() Entry {
	e.ID = capField(e.ID)
	e.Method = internMethod(e.Method)
	e.Path = strings.Clone(capField(e.Path))
	e.Query = strings.Clone(capField(e.Query))
	// Cut before masking, as reading masks it, so that masking costs little however long
	// the query.
	if len(e.RawQuery) > MaxJournalField {
		e.RawQuery, e.rawQueryCut = strings.Clone(e.RawQuery[:MaxJournalField]), true
	} else {
		e.RawQuery = strings.Clone(e.RawQuery)
	}
	e.Route = capField(e.Route)
	e.NearestRoute = capField(e.NearestRoute)
	e.Fault = capField(e.Fault)
	for k, v := range e.RequestHeaders {
		if len(v) > MaxJournalField {
			e.RequestHeaders[k] = capField(v)
		}
	}
	if e.RawHeaders != nil {
		for i, name := range journalHeaders {
			if vs := e.RawHeaders[name]; len(vs) > 0 {
				e.headers[i] = capField(vs[0])
			}
		}
		e.RawHeaders = nil
	}
	e.RawRequest = capBody(e.RawRequest)
	e.RawResponse = capBody(e.RawResponse)
	return e
}

// capField cuts s to MaxJournalField on a character boundary; a cut string is a copy.
func capField(s string) string {
	if len(s) <= MaxJournalField {
		return s
	}
	return cutField(s)
}

// cutField cuts s to MaxJournalField bytes at a rune boundary, ending in "…".
func cutField(s string) string {
	cut := min(len(s), MaxJournalField-len("…"))
	for cut > 0 && cut < len(s) && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.Clone(s[:cut]) + "…"
}

// internMethod returns the standard methods as constants, so that only a made-up one costs a
// copy.
func internMethod(m string) string {
	for _, known := range [...]string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodHead, http.MethodOptions} {
		if m == known {
			return known
		}
	}
	return strings.Clone(capField(m))
}

func capBody(b []byte) []byte {
	if len(b) <= MaxJournalBody+1 && cap(b)-len(b) <= MaxJournalBody {
		return b
	}
	return bytes.Clone(b[:min(len(b), MaxJournalBody+1)])
}

// entryOverhead approximates what an entry costs besides its strings and bodies.
const entryOverhead = 512

// entrySize is what e counts against MaxJournalBytes: its strings, header values and bodies
// (their arrays' capacity, which is what they keep alive) plus a fixed overhead.
func entrySize(e *Entry) int {
	n := entryOverhead + len(e.ID) + len(e.Method) + len(e.Path) + len(e.Query) + len(e.RawQuery) +
		len(e.Route) + len(e.NearestRoute) + len(e.Fault) + cap(e.RawRequest) + cap(e.RawResponse)
	for k, v := range e.RequestHeaders {
		n += len(k) + len(v)
	}
	for _, v := range e.headers {
		n += len(v)
	}
	return n
}

// Filter selects entries; zero fields match everything.
type Filter struct {
	Method string
	Path   string // exact path, or a prefix ending in "*"
	Status int
	// StatusClass keeps one class of statuses: 2 for 2xx, 4 for 4xx and so on.
	StatusClass int
	// Route keeps the requests served by one route template ("POST /api/content/…"); "unmatched"
	// keeps those no route served.
	Route string
	// Text keeps the requests whose path, query, route or client's X-Request-Id contains it,
	// ignoring case.
	Text  string
	Since time.Time
	// ClockDay keeps the requests made on the day (UTC) that starts then, by the sandbox clock.
	// Nil keeps every day: the zero time.Time is itself a day the clock can show, 0001-01-01.
	ClockDay *time.Time
	Limit    int
}

func (f Filter) match(e *Entry) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, e.Method) {
		return false
	}
	if f.Path != "" {
		if prefix, ok := strings.CutSuffix(f.Path, "*"); ok {
			if !strings.HasPrefix(e.Path, prefix) {
				return false
			}
		} else if f.Path != e.Path {
			return false
		}
	}
	if f.Status != 0 && f.Status != e.Status {
		return false
	}
	if f.StatusClass != 0 && e.Status/100 != f.StatusClass {
		return false
	}
	if f.Route != "" && f.Route != e.Route && (f.Route != "unmatched" || e.Route != "") {
		return false
	}
	if f.Text != "" && !containsFold(e.Path, f.Text) && !containsFold(e.query(), f.Text) && !containsFold(e.Route, f.Text) &&
		!containsFold(e.clientRequestID(), f.Text) {
		return false
	}
	if f.ClockDay != nil && (e.ClockTime.Before(*f.ClockDay) || !e.ClockTime.Before(f.ClockDay.Add(24*time.Hour))) {
		return false
	}
	return f.Since.IsZero() || !e.Time.Before(f.Since)
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// List returns matching entries in the order they were made, redacted.
func (j *Journal) List(f Filter) []Entry {
	out := j.matching(f)
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[len(out)-f.Limit:]
	}
	for i := range out {
		out[i] = out[i].redacted()
	}
	if out == nil {
		out = []Entry{}
	}
	return out
}

// matching returns the entries that match, oldest first, unredacted.
func (j *Journal) matching(f Filter) []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []Entry
	for i := range j.n {
		if e := j.at(i); f.match(e) {
			out = append(out, *e)
		}
	}
	return out
}

// Count returns how many entries match.
func (j *Journal) Count(f Filter) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	c := 0
	for i := range j.n {
		if f.match(j.at(i)) {
			c++
		}
	}
	return c
}

// JournalHeaders keeps the headers that matter for debugging, with credentials masked.
func JournalHeaders(h http.Header) map[string]string {
	return exchange.MaskHeaders(h, journalHeaders[:]...)
}

// Page returns the matching entries newest first, skipping offset of them and keeping at most
// limit (f.Limit is ignored), redacted, with how many match in all. Only the page is redacted,
// so a page costs the same however long the journal.
func (j *Journal) Page(f Filter, offset, limit int) ([]Entry, int) {
	out, total := j.page(f, offset, limit)
	for i := range out {
		out[i] = out[i].redacted()
	}
	return out, total
}

func (j *Journal) page(f Filter, offset, limit int) ([]Entry, int) {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := []Entry{}
	total := 0
	for i := j.n - 1; i >= 0; i-- {
		if e := j.at(i); f.match(e) {
			if total >= offset && len(out) < limit {
				out = append(out, *e)
			}
			total++
		}
	}
	return out, total
}

// Get returns the entry with the request id, redacted.
func (j *Journal) Get(id string) (Entry, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for i := j.n - 1; i >= 0; i-- {
		if e := j.at(i); e.ID == id {
			return e.redacted(), true
		}
	}
	return Entry{}, false
}

// Seq counts the entries ever added (Clear does not lower it): a watcher that saw the same
// Seq before has missed nothing.
func (j *Journal) Seq() uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.seq
}
