package mockserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oneentry-mock/oneentry-mock/datetime"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// DefaultJournalSize is how many requests each sandbox's journal keeps.
const DefaultJournalSize = 1000

// maxJournalBody bounds each body kept in the journal.
const maxJournalBody = 64 << 10

// journalEntry is one request as the journal shows it. Secrets are redacted when recorded.
type journalEntry struct {
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
	rawRequest, rawResponse []byte
}

// redacted fills the JSON body fields from the raw bodies.
func (e journalEntry) redacted() journalEntry {
	var reqCut, respCut bool
	e.RequestBody, e.RequestText, reqCut = bodyForJournal(e.rawRequest)
	e.ResponseBody, e.ResponseText, respCut = bodyForJournal(e.rawResponse)
	e.BodiesTruncated = reqCut || respCut
	return e
}

// journal is a sandbox's bounded request log, oldest dropped first. It grows as requests come,
// so an idle sandbox costs nothing.
type journal struct {
	mu      sync.Mutex
	size    int
	entries []journalEntry // a ring once it holds size entries
	next    int
}

func newJournal(size int) *journal {
	if size <= 0 {
		size = DefaultJournalSize
	}
	return &journal{size: size}
}

func (j *journal) add(e journalEntry) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.entries) < j.size {
		j.entries = append(j.entries, e)
		return
	}
	j.entries[j.next] = e
	j.next = (j.next + 1) % j.size
}

func (j *journal) clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.entries, j.next = nil, 0
}

// journalFilter selects entries; zero fields match everything.
type journalFilter struct {
	Method string
	Path   string // exact path, or a prefix ending in "*"
	Status int
	Since  time.Time
	Limit  int
}

func (f journalFilter) match(e *journalEntry) bool {
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

// list returns matching entries in the order they were made, redacted.
func (j *journal) list(f journalFilter) []journalEntry {
	j.mu.Lock()
	var out []journalEntry
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
		out = []journalEntry{}
	}
	return out
}

// count returns how many entries match.
func (j *journal) count(f journalFilter) int {
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

// Keys whose values never reach the journal or a capsule.
var secretKeys = map[string]bool{
	"password": true, "password2": true, "accesstoken": true, "refreshtoken": true, "token": true,
	"code": true, "clientsecret": true, "signingsecret": true,
}

// redactJSON replaces secret values (by key, and the password entry of authData) with
// "[redacted]". It keeps what a developer needs to see: the shape and every other value.
func redactJSON(body []byte) (json.RawMessage, bool) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	redactValue(v)
	out, err := json.Marshal(v)
	if err != nil {
		return nil, false
	}
	return out, true
}

func redactValue(v any) {
	switch x := v.(type) {
	case map[string]any:
		marker, _ := x["marker"].(string)
		for k, e := range x {
			switch {
			case secretKeys[strings.ToLower(k)]:
				x[k] = "[redacted]"
			case k == "value" && strings.Contains(strings.ToLower(marker), "password"):
				x[k] = "[redacted]"
			default:
				redactValue(e)
			}
		}
	case []any:
		for _, e := range x {
			redactValue(e)
		}
	}
}

// journalHeaders keeps the headers that matter for debugging, with credentials masked.
func journalHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for _, name := range []string{"Content-Type", "X-App-Token", "Authorization", "X-Device-Metadata", "Origin", "User-Agent"} {
		v := h.Get(name)
		if v == "" {
			continue
		}
		switch name {
		case "X-App-Token":
			v = maskSecret(v)
		case "Authorization":
			scheme, _, _ := strings.Cut(v, " ")
			v = scheme + " [redacted]"
		}
		out[strings.ToLower(name)] = v
	}
	return out
}

// maskSecret shows enough of a token to tell sandboxes apart, not enough to use it.
func maskSecret(v string) string {
	if len(v) <= 8 {
		return "[redacted]"
	}
	return v[:4] + "…" + v[len(v)-2:]
}

func bodyForJournal(body []byte) (json.RawMessage, string, bool) {
	truncated := false
	if len(body) > maxJournalBody {
		body, truncated = body[:maxJournalBody], true
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, "", truncated
	}
	if red, ok := redactJSON(body); ok && !truncated {
		return red, "", false
	}
	return nil, string(body), truncated
}

type journalListResponse struct {
	Total    int            `json:"total"`
	Requests []journalEntry `json:"requests"`
}

func parseJournalFilter(r *http.Request) (journalFilter, error) {
	q := r.URL.Query()
	f := journalFilter{Method: q.Get("method"), Path: q.Get("path")}
	if v := q.Get("status"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 || n > 599 {
			return f, store.Invalid("status must be an HTTP status code")
		}
		f.Status = n
	}
	if v := q.Get("since"); v != "" {
		t, err := datetime.Parse(v)
		if err != nil {
			return f, store.Invalid("since: " + err.Error())
		}
		f.Since = t
	}
	limit, err := limitParam(q.Get("limit"))
	if err != nil {
		return f, err
	}
	f.Limit = limit
	return f, nil
}

// handleAdminRequests handles GET /__admin/requests: the sandbox's requests, oldest first,
// filtered by method, path (a trailing * matches a prefix), status and since.
func (s *Server) handleAdminRequests(w http.ResponseWriter, r *http.Request, sb *sandbox) {
	f, err := parseJournalFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	entries := sb.journal.list(f)
	s.writeJSON(w, http.StatusOK, journalListResponse{Total: len(entries), Requests: entries})
}

// handleAdminRequestCount handles GET /__admin/requests/count: how many requests match, for
// verification in tests ("the app sent exactly one order").
func (s *Server) handleAdminRequestCount(w http.ResponseWriter, r *http.Request, sb *sandbox) {
	f, err := parseJournalFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]int{"count": sb.journal.count(f)})
}

// handleAdminRequestsClear handles DELETE /__admin/requests.
func (s *Server) handleAdminRequestsClear(w http.ResponseWriter, r *http.Request, sb *sandbox) {
	sb.journal.clear()
	w.WriteHeader(http.StatusNoContent)
}
