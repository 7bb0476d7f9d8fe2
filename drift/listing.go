package drift

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// A recorded answer can break the contract, or differ from the mock's, once per element of an
// array of millions. A report that kept every such item grew with them (about a kilobyte each)
// and could not be read; a step lists the first items of each pattern and counts the rest, so
// that the counts and the exit code are what they would be with every item listed.
const (
	// maxListedPerPattern is how many items of one pattern a step lists: the same side, kind,
	// severity and acknowledgement, at pointers that differ only in array indexes.
	maxListedPerPattern = 100
	// maxListedPerSeverity is how many items of one side and severity a step lists over all
	// patterns, which keeps a body with millions of distinct keys bounded too, while breaking
	// items are never crowded out by warnings.
	maxListedPerSeverity = 1000
)

// anyPointer is the pattern of left-out items whose own pattern has no listed item: they came
// after their side and severity had listed maxListedPerSeverity.
const anyPointer = "*"

// Omitted counts items of a step that its report does not list; they are counted in the step's
// and the summary's counts as if they were.
type Omitted struct {
	Side     string   `json:"side"`
	Kind     string   `json:"kind"`
	Severity Severity `json:"severity"`
	// Pointer is the pattern of the left-out items' pointers as reports print them, array
	// indexes as "*" ("/items/*/price"), or "*" alone for items at pointers of any pattern.
	Pointer string `json:"pointer"`
	Count   int    `json:"count"`
	// Allowed is the allow-file entry that acknowledges every one of them, if any.
	Allowed *Allowance `json:"allowed,omitempty"`
}

// String says what was left out, for the reports' lines.
func (o Omitted) String() string {
	s := fmt.Sprintf("%d more %s %s items at %s [%s] are not listed", o.Count, o.Severity, o.Kind, o.Pointer, o.Side)
	if o.Allowed != nil {
		s += " — acknowledged until " + o.Allowed.Expires + ": " + o.Allowed.Reason
	}
	return s
}

// itemPattern is what a step lists a bounded number of items of.
type itemPattern struct {
	side, kind string
	severity   Severity
	pointer    string
	allowed    *AllowEntry
}

type sideSeverity struct {
	side     string
	severity Severity
}

// listing collects the items of one step. Every item is checked against the allow file as it
// arrives, before it may be left out, so a left-out item counts exactly as a listed one would.
type listing struct {
	flow, step string
	allow      *AllowFile
	now        time.Time

	items      []Item
	listed     map[itemPattern]int // only patterns with a listed item, so at most len(items)
	bySeverity map[sideSeverity]int
	omitted    map[itemPattern]int
	order      []itemPattern // of omitted, as first met
}

func newListing(flow, step string, allow *AllowFile, now time.Time) *listing {
	return &listing{flow: flow, step: step, allow: allow, now: now, items: []Item{},
		listed: map[itemPattern]int{}, bySeverity: map[sideSeverity]int{}, omitted: map[itemPattern]int{}}
}

// add names the item's step, acknowledges it when an unexpired allow entry matches, and lists
// or counts it.
func (l *listing) add(it Item) {
	it.Flow, it.Step = l.flow, l.step
	var entry *AllowEntry
	if l.allow != nil {
		if entry = l.allow.match(it, l.now); entry != nil {
			it.Allowed = &Allowance{Reason: entry.Reason, Expires: entry.Expires}
		}
	}
	p := itemPattern{side: it.Side, kind: it.Kind, severity: it.Severity, pointer: pointerPattern(it.Pointer), allowed: entry}
	bySev := sideSeverity{it.Side, it.Severity}
	n, seen := l.listed[p]
	if n < maxListedPerPattern && l.bySeverity[bySev] < maxListedPerSeverity {
		l.listed[p] = n + 1
		l.bySeverity[bySev]++
		l.items = append(l.items, it)
		return
	}
	if !seen {
		p.pointer = anyPointer
	}
	if l.omitted[p] == 0 {
		l.order = append(l.order, p)
	}
	l.omitted[p]++
}

// fill sets the step's items, worst first and by side, and what was left out of them, worst
// and unacknowledged first.
func (l *listing) fill(sr *StepReport) {
	sort.SliceStable(l.items, func(i, j int) bool {
		a, b := l.items[i], l.items[j]
		if rank(a.Severity) != rank(b.Severity) {
			return rank(a.Severity) < rank(b.Severity)
		}
		return sideRank(a.Side) < sideRank(b.Side)
	})
	sr.Items = l.items
	sr.Omitted = nil
	for _, p := range l.order {
		o := Omitted{Side: p.side, Kind: p.kind, Severity: p.severity, Pointer: orDash(p.pointer), Count: l.omitted[p]}
		if p.allowed != nil {
			o.Allowed = &Allowance{Reason: p.allowed.Reason, Expires: p.allowed.Expires}
		}
		sr.Omitted = append(sr.Omitted, o)
	}
	sort.SliceStable(sr.Omitted, func(i, j int) bool {
		a, b := sr.Omitted[i], sr.Omitted[j]
		if rank(a.Severity) != rank(b.Severity) {
			return rank(a.Severity) < rank(b.Severity)
		}
		return a.Allowed == nil && b.Allowed != nil
	})
}

// sideRank orders a step's items as the comparison makes them when nothing is made ahead (a
// capsule's contract breaches are): the mock against the contract, the other side against it,
// then the two against each other.
func sideRank(side string) int {
	switch side {
	case SideMockContract:
		return 0
	case SideOtherContract:
		return 1
	}
	return 2
}

// pointerPattern is a pointer with every array index (a token of digits only) as "*".
func pointerPattern(p string) string {
	if !strings.ContainsAny(p, "0123456789") {
		return p
	}
	tokens := strings.Split(p, "/")
	for i, t := range tokens {
		if t != "" && strings.Trim(t, "0123456789") == "" {
			tokens[i] = "*"
		}
	}
	return strings.Join(tokens, "/")
}
