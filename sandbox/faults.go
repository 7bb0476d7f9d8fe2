package sandbox

import (
	"fmt"
	"math/rand/v2"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// FaultRule makes matching API requests fail on purpose, so a front end's error screens can
// be built and tested. A rule adds latency, and may also answer a status with the live error
// body, reset the connection or send a truncated body.
type FaultRule struct {
	ID     string `json:"id"`
	Method string `json:"method,omitempty"` // empty or "*" matches any
	// Path is an exact path or a pattern where * matches one segment and a trailing /** any rest.
	Path         string `json:"path"`
	BodyContains string `json:"bodyContains,omitempty"`

	Latency *FaultLatency `json:"latency,omitempty"`
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

// FaultLatency is a fixed delay (FixedMs) or a uniform one between MinMs and MaxMs.
type FaultLatency struct {
	FixedMs int `json:"fixedMs,omitempty"`
	MinMs   int `json:"minMs,omitempty"`
	MaxMs   int `json:"maxMs,omitempty"`
}

const maxFaultLatency = 60_000

// Duration returns the delay to add to one request.
func (l *FaultLatency) Duration() time.Duration {
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

// Validate reports what makes a rule unusable, as a store.CodeInvalid error.
func (f *FaultRule) Validate() error {
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
	if !(f.Probability >= 0 && f.Probability <= 1) { // NaN too, which a form can send
		msgs = append(msgs, "probability must be between 0 and 1")
	}
	if len(msgs) > 0 {
		return store.Invalid(msgs...)
	}
	return nil
}

func (f *FaultRule) matches(method, p string, body []byte) bool {
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

// Faults is a sandbox's fault rules.
type Faults struct {
	mu    sync.Mutex
	rules []*FaultRule
	seq   int
}

// MaxFaultRules bounds a sandbox's fault rules: every API request is matched against each.
const MaxFaultRules = 1000

// Add appends a rule, giving it an id, and returns it as stored. At MaxFaultRules it refuses
// with a conflict: a rule must be removed first.
func (fs *Faults) Add(f FaultRule, now time.Time) (FaultRule, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if len(fs.rules) >= MaxFaultRules {
		return FaultRule{}, store.Errorf(store.CodeConflict, "A sandbox holds at most %d fault rules; delete one first", MaxFaultRules)
	}
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
	return f.copy(), nil
}

// List returns copies of the rules in the order they apply.
func (fs *Faults) List() []FaultRule {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]FaultRule, len(fs.rules))
	for i, f := range fs.rules {
		out[i] = f.copy()
	}
	return out
}

// copy is the rule with a counter of its own: the stored rule's counts down under fs.mu as
// requests match it, while a copy is read without the lock.
func (f *FaultRule) copy() FaultRule {
	out := *f
	if f.Remaining != nil {
		n := *f.Remaining
		out.Remaining = &n
	}
	return out
}

// Remove drops the rule with the id and reports whether there was one.
func (fs *Faults) Remove(id string) bool {
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

// HasBodyRules reports whether any rule looks at request bodies, so others need not be read.
func (fs *Faults) HasBodyRules() bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, f := range fs.rules {
		if f.BodyContains != "" {
			return true
		}
	}
	return false
}

// Clear drops every rule.
func (fs *Faults) Clear() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.rules = nil
}

// Pick returns the first rule that applies to the request, counting it; a rule whose times
// are used up is removed.
func (fs *Faults) Pick(method, p string, body []byte) (FaultRule, bool) {
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
		picked := f.copy()
		if f.Remaining != nil {
			*f.Remaining--
			if *f.Remaining <= 0 {
				fs.rules = append(fs.rules[:i], fs.rules[i+1:]...)
			}
		}
		return picked, true
	}
	return FaultRule{}, false
}
