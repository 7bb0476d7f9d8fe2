package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
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

	// The bodies are kept as received and redacted only when the journal is read: requests
	// are many and reads are few.
	RawRequest, RawResponse []byte `json:"-"`
}

// redacted fills the JSON body fields from the raw bodies.
func (e Entry) redacted() Entry {
	var reqCut, respCut bool
	e.RequestBody, e.RequestText, reqCut = exchange.Mask(e.RawRequest, MaxJournalBody, nil)
	e.ResponseBody, e.ResponseText, respCut = exchange.Mask(e.RawResponse, MaxJournalBody, nil)
	e.BodiesTruncated = reqCut || respCut
	return e
}

// Journal is a sandbox's bounded request log, oldest dropped first: it keeps at most size
// entries and MaxJournalBytes. It grows as requests come, so an idle sandbox costs nothing.
type Journal struct {
	mu      sync.Mutex
	size    int
	entries []Entry // oldest first
	bytes   int     // entrySize of entries, summed
	seq     uint64  // entries ever added: tells watchers that something happened
}

// NewJournal returns an empty journal of size entries; DefaultJournalSize when size is not
// positive.
func NewJournal(size int) *Journal {
	if size <= 0 {
		size = DefaultJournalSize
	}
	return &Journal{size: size}
}

// Add records e, its strings cut to MaxJournalField and its bodies to MaxJournalBody, and
// drops the oldest entries while the journal holds more than its size or MaxJournalBytes.
func (j *Journal) Add(e Entry) {
	e = e.capped()
	n := entrySize(&e)
	j.mu.Lock()
	defer j.mu.Unlock()
	// Dropping from the front and appending at the back: append reallocates (copying only
	// the live entries) once the slice's end is reached, so the array stays within twice
	// what the journal holds.
	j.entries = append(j.entries, e)
	j.bytes += n
	j.seq++
	for len(j.entries) > 1 && (len(j.entries) > j.size || j.bytes > MaxJournalBytes) {
		j.bytes -= entrySize(&j.entries[0])
		j.entries[0] = Entry{}
		j.entries = j.entries[1:]
	}
}

// Clear empties the journal.
func (j *Journal) Clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.entries, j.bytes = nil, 0
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
	e.Route = capField(e.Route)
	e.NearestRoute = capField(e.NearestRoute)
	e.Fault = capField(e.Fault)
	for k, v := range e.RequestHeaders {
		if len(v) > MaxJournalField {
			e.RequestHeaders[k] = capField(v)
		}
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
	cut := MaxJournalField - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
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
	n := entryOverhead + len(e.ID) + len(e.Method) + len(e.Path) + len(e.Query) + len(e.Route) +
		len(e.NearestRoute) + len(e.Fault) + cap(e.RawRequest) + cap(e.RawResponse)
	for k, v := range e.RequestHeaders {
		n += len(k) + len(v)
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
	// Text keeps the requests whose path, query or route contains it, ignoring case.
	Text  string
	Since time.Time
	Limit int
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
	if f.Text != "" && !containsFold(e.Path, f.Text) && !containsFold(e.Query, f.Text) && !containsFold(e.Route, f.Text) {
		return false
	}
	return f.Since.IsZero() || !e.Time.Before(f.Since)
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// List returns matching entries in the order they were made, redacted.
func (j *Journal) List(f Filter) []Entry {
	j.mu.Lock()
	var out []Entry
	for i := range j.entries {
		if e := &j.entries[i]; f.match(e) {
			out = append(out, *e)
		}
	}
	j.mu.Unlock()
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

// Count returns how many entries match.
func (j *Journal) Count(f Filter) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	c := 0
	for i := range j.entries {
		if f.match(&j.entries[i]) {
			c++
		}
	}
	return c
}

// JournalHeaders keeps the headers that matter for debugging, with credentials masked.
func JournalHeaders(h http.Header) map[string]string {
	return exchange.MaskHeaders(h, "Content-Type", "X-App-Token", "Authorization", "X-Device-Metadata", "Origin", "User-Agent")
}

// Page returns the matching entries newest first, skipping offset of them and keeping at most
// limit (f.Limit is ignored), redacted, with how many match in all. Only the page is redacted,
// so a page costs the same however long the journal.
func (j *Journal) Page(f Filter, offset, limit int) ([]Entry, int) {
	j.mu.Lock()
	out := []Entry{}
	total := 0
	for i := len(j.entries) - 1; i >= 0; i-- {
		if e := &j.entries[i]; f.match(e) {
			if total >= offset && len(out) < limit {
				out = append(out, *e)
			}
			total++
		}
	}
	j.mu.Unlock()
	for i := range out {
		out[i] = out[i].redacted()
	}
	return out, total
}

// Get returns the entry with the request id, redacted.
func (j *Journal) Get(id string) (Entry, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for i := len(j.entries) - 1; i >= 0; i-- {
		if j.entries[i].ID == id {
			return j.entries[i].redacted(), true
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
