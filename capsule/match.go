package capsule

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/oneentry-mock/oneentry-mock/exchange"
)

// Request is what the matcher compares of an incoming request.
type Request struct {
	Method        string
	Path          string
	RawQuery      string
	Authorization string
	Body          []byte
}

// Match is the recorded exchange that answers a request.
type Match struct {
	Index    int
	Exchange *Exchange
	// Repeat is true when the exchange had answered before: a GET asked again gets the last
	// answer it matched.
	Repeat bool
}

// MismatchError says that no recorded exchange answers a request, which one came nearest and
// what differed.
type MismatchError struct {
	Request string
	// Nearest is the index of the nearest recorded exchange, -1 when the capsule is empty.
	Nearest     int
	NearestDesc string
	Differences []string
}

func (e *MismatchError) Error() string {
	if e.Nearest < 0 {
		return fmt.Sprintf("no recorded exchange matches %s: the capsule holds none", e.Request)
	}
	return fmt.Sprintf("no recorded exchange matches %s; nearest is #%d %s: %s", e.Request, e.Nearest+1, e.NearestDesc, strings.Join(e.Differences, "; "))
}

// Matcher finds the recorded exchange that answers each request of a replay. Requests are
// matched in recording order by method, path, query, body shape and, when the recording carried
// one, the Authorization placeholder; each recorded exchange answers once. It is safe for
// concurrent use.
type Matcher struct {
	c        *Capsule
	reissuer *Reissuer
	parsed   []*node // recorded request bodies

	mu   sync.Mutex
	used []int // 0 = unused, else the sequence number of its last answer
	seq  int
}

// NewMatcher returns a Matcher over c's exchanges. reissuer maps re-issued token values in
// requests back to placeholders; nil means NewReissuer(c.Redactions).
func NewMatcher(c *Capsule, reissuer *Reissuer) *Matcher {
	if reissuer == nil {
		reissuer = NewReissuer(c.Redactions)
	}
	m := &Matcher{c: c, reissuer: reissuer, parsed: make([]*node, len(c.Exchanges)), used: make([]int, len(c.Exchanges))}
	for i := range c.Exchanges {
		m.parsed[i] = parseBody(c.Exchanges[i].RequestBody)
	}
	return m
}

// Reset makes every recorded exchange available again.
func (m *Matcher) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.used)
	m.seq = 0
}

// Match returns the exchange answering req and marks it answered, or a *MismatchError.
func (m *Matcher) Match(req Request) (Match, error) {
	in := m.incoming(req)
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.matchLocked(in)
}

// MatchAgain starts over and matches req when an exchange of a fresh run would answer it; a
// request no exchange could ever answer (a favicon, a typo) returns the mismatch and keeps the
// run's place. Checked and reset under one lock, so a concurrent request cannot slip between.
func (m *Matcher) MatchAgain(req Request) (Match, error) {
	in := m.incoming(req)
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.c.Exchanges {
		if len(m.differences(i, in)) == 0 {
			clear(m.used)
			m.seq = 0
			return m.matchLocked(in)
		}
	}
	return Match{}, m.mismatch(in)
}

func (m *Matcher) matchLocked(in incoming) (Match, error) {
	repeat, repeatSeq := -1, 0
	for i := range m.c.Exchanges {
		if len(m.differences(i, in)) > 0 {
			continue
		}
		if m.used[i] == 0 {
			m.seq++
			m.used[i] = m.seq
			return Match{Index: i, Exchange: &m.c.Exchanges[i]}, nil
		}
		if m.used[i] > repeatSeq {
			repeat, repeatSeq = i, m.used[i]
		}
	}
	if repeat >= 0 && (in.method == http.MethodGet || in.method == http.MethodHead) {
		m.seq++
		m.used[repeat] = m.seq
		return Match{Index: repeat, Exchange: &m.c.Exchanges[repeat], Repeat: true}, nil
	}
	return Match{}, m.mismatch(in)
}

// Nearest returns the index of the recorded exchange closest to req and what differs from it
// (nothing when it matches), without marking anything answered; -1 for an empty capsule.
func (m *Matcher) Nearest(req Request) (int, []string) {
	in := m.incoming(req)
	m.mu.Lock()
	defer m.mu.Unlock()
	best := m.nearest(in)
	if best < 0 {
		return -1, nil
	}
	return best, m.differences(best, in)
}

type incoming struct {
	method, path, auth string
	query              url.Values
	rawQuery           string
	body               *node
	hasBody            bool
}

func (m *Matcher) incoming(req Request) incoming {
	in := incoming{
		method:   strings.ToUpper(req.Method),
		path:     exchange.CleanPath(m.reissuer.Placeholder(req.Path)),
		rawQuery: req.RawQuery,
		body:     parseBody(req.Body),
		hasBody:  len(strings.TrimSpace(string(req.Body))) > 0,
	}
	in.query = parseQuery(req.RawQuery, m.reissuer)
	if _, token, ok := bearer(req.Authorization); ok {
		in.auth = m.reissuer.Placeholder(token)
	}
	return in
}

// samePath says whether a request's path is a recorded one. A credential the recording
// replaced in the path (see redactPath) stands for any value: the client replaying sends a
// token of its own.
func samePath(recorded, got string) bool {
	if recorded == got {
		return true
	}
	rs, gs := strings.Split(recorded, "/"), strings.Split(got, "/")
	if len(rs) != len(gs) {
		return false
	}
	secrets, toEnd := exchange.SecretSegments(got)
	for i := range rs {
		if rs[i] == gs[i] {
			continue
		}
		seg, err := url.PathUnescape(rs[i])
		if err != nil || toEnd || !slices.Contains(secrets, i) || !placeholderPattern.MatchString(seg) {
			return false
		}
	}
	return true
}

func parseQuery(raw string, r *Reissuer) url.Values {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return url.Values{"": {raw}}
	}
	for _, vs := range q {
		for i, v := range vs {
			if r != nil {
				vs[i] = r.Placeholder(v)
			}
		}
	}
	return q
}

// squeezeSlashes is exchange.CleanPath under the name the fixture derivation uses.
var squeezeSlashes = exchange.CleanPath

// differences lists what keeps recorded exchange i from answering in.
func (m *Matcher) differences(i int, in incoming) []string {
	e := &m.c.Exchanges[i]
	var out []string
	if !strings.EqualFold(e.Method, in.method) {
		out = append(out, fmt.Sprintf("method differs (recorded %s, got %s)", e.Method, in.method))
	}
	if rp := exchange.CleanPath(e.Path); !samePath(rp, in.path) {
		out = append(out, fmt.Sprintf("path differs (recorded %s, got %s)", rp, in.path))
	}
	rq := parseQuery(e.Query, nil)
	if !sameQuery(rq, in.query) {
		out = append(out, fmt.Sprintf("query differs (recorded %q, got %q)", e.Query, in.rawQuery))
	}
	rec := m.parsed[i]
	other := len(e.RequestText) > 0 || len(e.RequestBytes) > 0 // a body that is not JSON
	switch {
	case rec == nil && !other && in.hasBody:
		out = append(out, "body differs (recorded none, got one)")
	case (rec != nil || other) && !in.hasBody:
		out = append(out, "body differs (recorded one, got none)")
	case rec != nil && in.body == nil:
		out = append(out, "body differs (recorded JSON, got a body that is not JSON)")
	case rec == nil && in.body != nil:
		out = append(out, "body differs (recorded a body that is not JSON, got JSON)")
	case rec != nil:
		if diffs := shapeDiff(rec, in.body, 3); len(diffs) > 0 {
			out = append(out, "body shape differs ("+strings.Join(diffs, ", ")+")")
		}
	}
	if _, want, ok := bearer(e.RequestHeaders["authorization"]); ok && want != in.auth {
		got := in.auth
		switch {
		case got == "":
			got = "none"
		case !placeholderPattern.MatchString(got):
			// A token the replay did not issue is the client's own credential: the message
			// reaches the log, so it shows only enough to recognise it.
			got = exchange.MaskToken(got)
		}
		out = append(out, fmt.Sprintf("authorization differs (recorded bearer %s, got %s)", want, got))
	}
	return out
}

func sameQuery(a, b url.Values) bool {
	if len(a) != len(b) {
		return false
	}
	for k, av := range a {
		bv, ok := b[k]
		if !ok || len(av) != len(bv) {
			return false
		}
		as, bs := append([]string(nil), av...), append([]string(nil), bv...)
		sort.Strings(as)
		sort.Strings(bs)
		for i := range as {
			if as[i] != bs[i] {
				return false
			}
		}
	}
	return true
}

// nearest scores every recorded exchange by how much of the request it shares: method and route
// first, then the exact path, query, body shape and authorization; unused and earlier exchanges
// win ties.
func (m *Matcher) nearest(in incoming) int {
	best, bestScore := -1, -1
	for i := range m.c.Exchanges {
		e := &m.c.Exchanges[i]
		score := 0
		if strings.EqualFold(e.Method, in.method) {
			score += 16
		}
		rp := exchange.CleanPath(e.Path)
		switch {
		case samePath(rp, in.path):
			score += 32
		case exchange.Route(rp) == exchange.Route(in.path):
			score += 24
		default:
			score += 2 * min(commonSegments(rp, in.path), 10)
		}
		if sameQuery(parseQuery(e.Query, nil), in.query) {
			score += 4
		}
		if rec := m.parsed[i]; rec != nil && in.body != nil && shapesCompatible(rec, in.body) || rec == nil && !in.hasBody {
			score += 4
		}
		if _, want, ok := bearer(e.RequestHeaders["authorization"]); !ok || want == in.auth {
			score += 2
		}
		if m.used[i] == 0 {
			score++
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	return best
}

// commonSegments counts the leading path segments a and b share.
func commonSegments(a, b string) int {
	as, bs := strings.Split(strings.Trim(a, "/"), "/"), strings.Split(strings.Trim(b, "/"), "/")
	n := 0
	for n < len(as) && n < len(bs) && as[n] == bs[n] {
		n++
	}
	return n
}

func (m *Matcher) mismatch(in incoming) error {
	target := in.path
	if in.rawQuery != "" {
		target += "?" + in.rawQuery
	}
	err := &MismatchError{Request: in.method + " " + target, Nearest: m.nearest(in)}
	if err.Nearest >= 0 {
		e := &m.c.Exchanges[err.Nearest]
		err.NearestDesc = e.String()
		err.Differences = m.differences(err.Nearest, in)
		if len(err.Differences) == 0 {
			err.Differences = []string{"it has already been replayed (each recorded exchange answers once; only GET and HEAD repeat)"}
		}
	}
	return err
}
