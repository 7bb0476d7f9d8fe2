package sandbox

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/oneentry-mock/oneentry-mock/exchange"
)

// DefaultJournalSize is how many requests each sandbox's journal keeps.
const DefaultJournalSize = 1000

// MaxJournalBody bounds each body kept in the journal.
const MaxJournalBody = 64 << 10

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

// Journal is a sandbox's bounded request log, oldest dropped first. It grows as requests come,
// so an idle sandbox costs nothing.
type Journal struct {
	mu      sync.Mutex
	size    int
	entries []Entry // a ring once it holds size entries
	next    int
}

// NewJournal returns an empty journal of size entries; DefaultJournalSize when size is not
// positive.
func NewJournal(size int) *Journal {
	if size <= 0 {
		size = DefaultJournalSize
	}
	return &Journal{size: size}
}

// Add records e, dropping the oldest entry when the journal is full.
func (j *Journal) Add(e Entry) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.entries) < j.size {
		j.entries = append(j.entries, e)
		return
	}
	j.entries[j.next] = e
	j.next = (j.next + 1) % j.size
}

// Clear empties the journal.
func (j *Journal) Clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.entries, j.next = nil, 0
}

// Filter selects entries; zero fields match everything.
type Filter struct {
	Method string
	Path   string // exact path, or a prefix ending in "*"
	Status int
	Since  time.Time
	Limit  int
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
	return f.Since.IsZero() || !e.Time.Before(f.Since)
}

// List returns matching entries in the order they were made, redacted.
func (j *Journal) List(f Filter) []Entry {
	j.mu.Lock()
	var out []Entry
	n := len(j.entries)
	for i := range n {
		e := &j.entries[(j.next+i)%n]
		if f.match(e) {
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
