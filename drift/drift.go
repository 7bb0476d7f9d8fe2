package drift

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/exchange"
	"github.com/oneentry-mock/oneentry-mock/scenarios"
)

// Severity says how much a difference matters to a client.
type Severity string

// The severities, from worst to mildest.
const (
	// SeverityBreaking is a difference a client breaks on: a status class, a missing required
	// field, a changed type, an object that became an array or back, a required field that
	// became null, an answer off the contract's required shape.
	SeverityBreaking Severity = "breaking"
	// SeverityWarning is a difference a client may trip over: a field not in the contract, a
	// value that became null where the contract allows it, an unseen enum-like value, a changed
	// content type or CORS header.
	SeverityWarning Severity = "warning"
	// SeverityInfo is a value-only difference outside the ignored (volatile) values.
	SeverityInfo Severity = "info"
)

// Kinds of difference; an allow file names them.
const (
	KindStatusClass  = "status-class"  // 2xx on one side, 4xx on the other (breaking)
	KindStatus       = "status"        // same class, other code (warning)
	KindFieldMissing = "field-missing" // a declared field on one side only (breaking when required)
	KindNewField     = "new-field"     // a field the contract does not declare, on one side only (warning)
	KindType         = "type"          // a value of another JSON type (breaking)
	KindObjectArray  = "object-array"  // an object on one side, an array on the other (breaking)
	KindBecameNull   = "became-null"   // null where the contract does not allow it (breaking)
	KindNullability  = "nullability"   // null on one side where the contract allows it (warning)
	KindEnum         = "enum-value"    // an enum-like value not seen on the other side (warning)
	KindHeader       = "header"        // content type or CORS headers differ (warning)
	KindValue        = "value"         // a value-only difference (info)
	KindContract     = "contract"      // an exchange breaks the contract (by the violation's kind)
	KindStep         = "step"          // a step ended differently on the two sides
)

// Kinds lists every kind, for validating allow files.
var Kinds = []string{KindStatusClass, KindStatus, KindFieldMissing, KindNewField, KindType, KindObjectArray,
	KindBecameNull, KindNullability, KindEnum, KindHeader, KindValue, KindContract, KindStep}

// The three comparisons made for every step.
const (
	SideMockOther     = "mock-vs-other"
	SideMockContract  = "mock-vs-contract"
	SideOtherContract = "other-vs-contract"
)

// Target kinds, as Options.TargetKind and Report.TargetKind name them.
const (
	TargetLive    = "live"
	TargetURL     = "url"
	TargetCapsule = "capsule"
)

// Item is one difference.
type Item struct {
	Flow string `json:"flow"`
	Step string `json:"step"`
	Side string `json:"side"`
	// Exchange is the 1-based position of the exchange in the mock's step (0: the step itself).
	Exchange int `json:"exchange,omitempty"`
	// Request is "METHOD path" of the exchange.
	Request string `json:"request,omitempty"`
	// Pointer is a JSON pointer into the response body after the SDK's locale unwrap ("" is the
	// body itself), or "status", "header/<name>", "request/<pointer>" for request-side breaches.
	Pointer  string   `json:"pointer"`
	Kind     string   `json:"kind"`
	Severity Severity `json:"severity"`
	// Mock and Other are the two values as compact JSON (cut to a readable length).
	Mock    string `json:"mock,omitempty"`
	Other   string `json:"other,omitempty"`
	Message string `json:"message"`
	// Allowed is set when an allow-file entry acknowledges the item.
	Allowed *Allowance `json:"allowed,omitempty"`
}

// jsonItem is Item as JSON writes it.
type jsonItem Item

// MarshalJSON writes the pointer as every report prints it: the body itself as "-", which an
// allow entry names it by.
func (it Item) MarshalJSON() ([]byte, error) {
	j := jsonItem(it)
	j.Pointer = orDash(j.Pointer)
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (it *Item) UnmarshalJSON(data []byte) error {
	var j jsonItem
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	if j.Pointer == wholeBody {
		j.Pointer = ""
	}
	*it = Item(j)
	return nil
}

// StepID is "flow/step", the name allow files use.
func (it Item) StepID() string { return it.Flow + "/" + it.Step }

// Allowance is the allow-file entry that silenced an item.
type Allowance struct {
	Reason  string `json:"reason"`
	Expires string `json:"expires"`
}

// StepReport is the comparison of one step.
type StepReport struct {
	Flow string `json:"flow"`
	Step string `json:"step"`
	// Mock and Other are how the step ended on each side: passed, failed, skipped, "not run";
	// for a capsule, "recorded" or "not recorded".
	Mock  string `json:"mock"`
	Other string `json:"other"`
	// Items are the step's differences, worst first; a bounded number of each pattern (see
	// Omitted).
	Items []Item `json:"items"`
	// Omitted counts the differences Items leaves out, which every count includes.
	Omitted []Omitted `json:"omitted,omitempty"`
}

// ID is "flow/step".
func (s StepReport) ID() string { return s.Flow + "/" + s.Step }

// Count returns the number of unacknowledged items of a severity, listed or not.
func (s StepReport) Count(sev Severity) int {
	n := 0
	for _, it := range s.Items {
		if it.Severity == sev && it.Allowed == nil {
			n++
		}
	}
	for _, o := range s.Omitted {
		if o.Severity == sev && o.Allowed == nil {
			n += o.Count
		}
	}
	return n
}

// Acknowledged returns the number of items an allow entry acknowledges, listed or not.
func (s StepReport) Acknowledged() int {
	n := 0
	for _, it := range s.Items {
		if it.Allowed != nil {
			n++
		}
	}
	for _, o := range s.Omitted {
		if o.Allowed != nil {
			n += o.Count
		}
	}
	return n
}

// Unlisted returns the number of items Items leaves out.
func (s StepReport) Unlisted() int {
	n := 0
	for _, o := range s.Omitted {
		n += o.Count
	}
	return n
}

// Summary counts a report's items, listed or not. Breaking, Warnings and Info count the
// unacknowledged ones.
type Summary struct {
	Steps    int `json:"steps"`
	Breaking int `json:"breaking"`
	Warnings int `json:"warnings"`
	Info     int `json:"info"`
	Allowed  int `json:"allowed"`
	// Unlisted is how many of the items counted above no step lists.
	Unlisted int `json:"unlisted,omitempty"`
}

// Report is the outcome of a drift run.
type Report struct {
	// Target names the other side: "live", a URL or a capsule file.
	Target     string       `json:"target"`
	TargetKind string       `json:"targetKind"`
	Steps      []StepReport `json:"steps"`
	// Expired lists allow-file entries past their expiry date; they silence nothing.
	Expired []AllowEntry `json:"expiredAllowEntries,omitempty"`
	// Notes are observations about the run as a whole.
	Notes   []string `json:"notes,omitempty"`
	Summary Summary  `json:"summary"`
}

// Exit codes of the drift command.
const (
	ExitOK       = 0 // no unacknowledged breaking drift
	ExitBreaking = 1 // breaking drift
	ExitFailed   = 2 // the run itself failed (target unreachable, login failed, bad allow file)
)

// ExitCode is ExitBreaking when any unacknowledged item is breaking, else ExitOK.
func (r *Report) ExitCode() int {
	if r.Summary.Breaking > 0 {
		return ExitBreaking
	}
	return ExitOK
}

// Items returns every listed item of every step, in order.
func (r *Report) Items() []Item {
	var out []Item
	for _, s := range r.Steps {
		out = append(out, s.Items...)
	}
	return out
}

// Options configures a comparison.
type Options struct {
	// Target and TargetKind name the other side in the report.
	Target     string
	TargetKind string
	// Contract is the contract document; the embedded one (contracts.Load) when nil.
	Contract *openapi3.T
	// Ignore lists JSON pointers whose values (and everything under them) are not compared, on
	// top of the volatile values always ignored. "*" matches one segment: /items/*/createdDate.
	Ignore []string
	// Allow acknowledges known differences; nil means none.
	Allow *AllowFile
	// Now decides which allow entries have expired; time.Now when zero.
	Now time.Time
	// Language is the langCode whose locale maps are unwrapped before comparing, as the SDK
	// does; en_US when empty.
	Language string
	// RunOptions are read by Run only.
	RunOptions
}

func (o *Options) defaults() error {
	if o.Contract == nil {
		doc, err := contracts.Load(context.Background())
		if err != nil {
			return err
		}
		o.Contract = doc
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Language == "" {
		o.Language = "en_US"
	}
	if o.Allow != nil {
		o.Ignore = append(append([]string(nil), o.Ignore...), o.Allow.Ignore...)
	}
	for _, p := range o.Ignore {
		if err := CheckIgnore(p); err != nil {
			return fmt.Errorf("ignore: %w", err)
		}
	}
	return nil
}

// comparer holds what one comparison needs. It serves a single call, whose ctx it keeps: every
// loop of the comparison stops once ctx ends.
type comparer struct {
	ctx         context.Context
	opts        Options
	index       *contractIndex
	ignore      [][]string
	capsule     bool
	notRecorded int
	// recordedPairs are the pairs capsuleSide made, by stepKey: against a capsule a step's
	// exchanges are not paired again.
	recordedPairs map[string][]pair
	// recordedItems are the steps' listings capsuleSide began with the recorded answers'
	// contract breaches, by stepKey.
	recordedItems map[string]*listing
	// decode is decodeBody; a field, so that a test can count how often a comparison decodes
	// a body (once per exchange and side, however many breaches it holds).
	decode func(js json.RawMessage, text string) (any, *string)
}

func newComparer(ctx context.Context, opts Options) (*comparer, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	idx, err := newContractIndex(opts.Contract)
	if err != nil {
		return nil, err
	}
	c := &comparer{ctx: ctx, opts: opts, index: idx, capsule: opts.TargetKind == TargetCapsule, decode: decodeBody}
	for _, p := range opts.Ignore {
		c.ignore = append(c.ignore, splitPointer(p))
	}
	return c, nil
}

// Compare lines up two runs of the same flows step by step and reports, per step, the mock's and
// the other side's contract violations and every difference between their answers. An ended
// ctx stops it with an error.
func Compare(ctx context.Context, mock, other []scenarios.Result, opts Options) (*Report, error) {
	c, err := newComparer(ctx, opts)
	if err != nil {
		return nil, err
	}
	r := c.compare(mock, other)
	if c.stopped() {
		return nil, unfinished(ctx, "the comparison")
	}
	return r, nil
}

// stopped reports whether the comparison's ctx has ended; what it made since is discarded.
func (c *comparer) stopped() bool { return c.ctx.Err() != nil }

// unfinished is the error of work that ctx ended before it was done: it names the cause, such
// as the signal that ended the command, and wraps ctx.Err().
func unfinished(ctx context.Context, what string) error {
	err := ctx.Err()
	if cause := context.Cause(ctx); cause != nil && cause != err {
		return fmt.Errorf("%s did not finish (%v): %w", what, cause, err)
	}
	return fmt.Errorf("%s did not finish: %w", what, err)
}

func (c *comparer) compare(mock, other []scenarios.Result) *Report {
	r := &Report{Target: c.opts.Target, TargetKind: c.opts.TargetKind}
	pairByKey(mock, other, func(res *scenarios.Result) string { return res.Flow }, func(m, o *scenarios.Result) {
		c.compareFlow(r, m, o)
	})
	c.finish(r)
	return r
}

// pairByKey calls each with every element of mock and the element of other with the same key
// (nil if there is none), in mock's order, then with each element of other that no element of
// mock matched (and nil for the mock side).
func pairByKey[T any](mock, other []T, key func(*T) string, each func(m, o *T)) {
	otherByKey := map[string]*T{}
	for i := range other {
		otherByKey[key(&other[i])] = &other[i]
	}
	seen := map[string]bool{}
	for i := range mock {
		m := &mock[i]
		seen[key(m)] = true
		each(m, otherByKey[key(m)])
	}
	for i := range other {
		if !seen[key(&other[i])] {
			each(nil, &other[i])
		}
	}
}

func (c *comparer) compareFlow(r *Report, m, o *scenarios.Result) {
	if c.stopped() {
		return
	}
	flow := ""
	var mSteps, oSteps []scenarios.StepResult
	if m != nil {
		flow, mSteps = m.Flow, ranSteps(m.Steps)
	}
	if o != nil {
		flow, oSteps = o.Flow, ranSteps(o.Steps)
		if !c.capsule && o.Err != "" {
			r.Notes = append(r.Notes, fmt.Sprintf("%s: the other side failed outside its steps: %s", flow, o.Err))
		}
		if !c.capsule && o.SkipReason != "" {
			r.Notes = append(r.Notes, fmt.Sprintf("%s: skipped on the other side: %s", flow, o.SkipReason))
		}
	}
	if m != nil && m.Err != "" {
		r.Notes = append(r.Notes, fmt.Sprintf("%s: the mock failed outside its steps: %s", flow, m.Err))
	}
	pairByKey(mSteps, oSteps, func(s *scenarios.StepResult) string { return s.Name }, func(ms, os *scenarios.StepResult) {
		if c.stopped() {
			return
		}
		r.Steps = append(r.Steps, c.compareStep(flow, cmp.Or(ms, os).Name, ms, os))
	})
}

// ranSteps leaves out the steps a flow listed without running them: compared as absent, such a
// step is reported as "not run".
func ranSteps(steps []scenarios.StepResult) []scenarios.StepResult {
	return slices.DeleteFunc(slices.Clone(steps), func(s scenarios.StepResult) bool { return s.NotRun })
}

func (c *comparer) label(s *scenarios.StepResult, other bool) string {
	if other && c.capsule {
		if s == nil || len(s.Exchanges) == 0 {
			return "not recorded"
		}
		return "recorded"
	}
	if s == nil {
		return "not run"
	}
	return string(s.Status)
}

func (c *comparer) compareStep(flow, name string, ms, os *scenarios.StepResult) StepReport {
	sr := StepReport{Flow: flow, Step: name, Mock: c.label(ms, false), Other: c.label(os, true)}
	items, ok := c.recordedItems[stepKey(flow, name)]
	if !ok {
		items = c.newListing(flow, name)
	}
	c.stepItems(items.add, flow, name, ms, os)
	items.fill(&sr)
	return sr
}

// stepItems compares a step of the two runs; ms or os is nil for a step the side did not run.
func (c *comparer) stepItems(add func(Item), flow, name string, ms, os *scenarios.StepResult) {
	if ms != nil {
		c.contractItems(add, ms, SideMockContract)
	}
	if os != nil {
		c.contractItems(add, os, SideOtherContract)
	}
	if ms == nil || os == nil {
		// A capsule records what a front end happened to call: its "not recorded" steps are
		// counted in a note. A run of the same flows that never reached a step lost its
		// comparison, which must not pass for agreement.
		if !c.capsule {
			if it, ok := notRunItem(ms, os); ok {
				add(it)
			}
		}
		return
	}
	if !c.capsule && ms.Status != os.Status {
		sev := SeverityWarning
		if ms.Status == scenarios.StatusSkipped || os.Status == scenarios.StatusSkipped {
			sev = SeverityInfo
		}
		msg := fmt.Sprintf("the step %s on the mock and %s on the other side", ms.Status, os.Status)
		if e := firstNonEmpty(os.Err, os.SkipReason); e != "" && os.Status != scenarios.StatusPassed {
			msg += ": " + e
		} else if e := firstNonEmpty(ms.Err, ms.SkipReason); e != "" {
			msg += " (mock: " + e + ")"
		}
		add(Item{Side: SideMockOther, Kind: KindStep, Severity: sev, Pointer: "", Mock: string(ms.Status), Other: string(os.Status), Message: msg})
	}
	if c.capsule {
		pairs := c.recordedPairs[stepKey(flow, name)]
		for _, p := range pairs {
			if c.stopped() {
				break
			}
			c.compareExchange(add, p.mock+1, &ms.Exchanges[p.mock], &os.Exchanges[p.other])
		}
		c.notRecorded += len(ms.Exchanges) - len(pairs)
		return
	}
	pairs, onlyMock, onlyOther := pairExchanges(ms.Exchanges, os.Exchanges)
	for _, p := range pairs {
		if c.stopped() {
			break
		}
		c.compareExchange(add, p.mock+1, &ms.Exchanges[p.mock], &os.Exchanges[p.other])
	}
	for _, i := range onlyMock {
		e := &ms.Exchanges[i]
		add(Item{Side: SideMockOther, Exchange: i + 1, Request: request(e), Kind: KindStep, Severity: SeverityInfo,
			Message: fmt.Sprintf("%s was made on the mock only", request(e))})
	}
	for _, i := range onlyOther {
		e := &os.Exchanges[i]
		add(Item{Side: SideMockOther, Request: request(e), Kind: KindStep, Severity: SeverityInfo,
			Message: fmt.Sprintf("%s was made on the other side only", request(e))})
	}
}

// notRunItem reports a step that ran on one side only: the flow stopped before it on the
// other side, or the step is new there. A step that was skipped where it ran compared nothing
// either way.
func notRunItem(ms, os *scenarios.StepResult) (Item, bool) {
	it := Item{Side: SideMockOther, Kind: KindStep, Severity: SeverityInfo, Mock: "not run", Other: "not run"}
	ran, side, missing := ms, "mock", "other side"
	if ms == nil {
		ran, side, missing = os, "other side", "mock"
	}
	if ran.Status == scenarios.StatusSkipped {
		return Item{}, false
	}
	if ms != nil {
		it.Mock = string(ms.Status)
	} else {
		it.Other = string(os.Status)
	}
	it.Message = fmt.Sprintf("the step %s on the %s and did not run on the %s; nothing of it was compared", ran.Status, side, missing)
	return it, true
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func request(e *exchange.Exchange) string { return e.Method + " " + e.Path }

// contractItems turns a step's contract violations into items.
func (c *comparer) contractItems(add func(Item), s *scenarios.StepResult, side string) {
	// One answer can break the contract once per element of a long array: each body is decoded
	// once, when a violation first points into it, not once per violation.
	bodies := make([]decodedBody, len(s.Exchanges))
	for _, v := range s.Violations {
		if c.stopped() {
			return
		}
		it := Item{Side: side, Kind: KindContract, Severity: violationSeverity(v), Pointer: v.Pointer, Message: v.Message()}
		if v.Phase == contracts.PhaseRequest {
			it.Pointer = "request" + prefixSlash(v.Pointer)
		}
		for i := range s.Exchanges {
			e := &s.Exchanges[i]
			if strings.EqualFold(e.Method, v.Method) && e.Path == v.Path && (v.Status == 0 || e.Status == v.Status) {
				it.Request = request(e)
				if side == SideMockContract {
					it.Exchange = i + 1
				}
				if v.Phase == contracts.PhaseResponse && strings.HasPrefix(v.Pointer, "/") {
					if body, ok := bodies[i].get(c.decode, e.ResponseBody); ok {
						it.Pointer = unwrappedPointer(body, v.Pointer, c.opts.Language)
					}
				}
				break
			}
		}
		if it.Request == "" {
			it.Request = v.Method + " " + v.Path
		}
		add(it)
	}
}

// decodedBody is a JSON response body decoded on first use.
type decodedBody struct {
	done, json bool
	value      any
}

// get returns the body decoded, and whether it is JSON.
func (b *decodedBody) get(decode func(json.RawMessage, string) (any, *string), js json.RawMessage) (any, bool) {
	if !b.done {
		v, text := decode(js, "")
		b.done, b.json, b.value = true, text == nil, v
	}
	return b.value, b.json
}

// unwrappedPointer returns a pointer into a raw body as it points into the body after
// UnwrapLocale, the body every other item's pointer refers to: the lang members the unwrap
// steps into are left out. A pointer to a member the unwrap drops (a sibling of a lang key) has
// no place in the unwrapped body and is returned as it is.
func unwrappedPointer(body any, p, lang string) string {
	tokens := splitPointer(p)
	out := make([]string, 0, len(tokens))
	cur := body
	for i := 0; i < len(tokens); {
		tok := tokens[i]
		switch v := cur.(type) {
		case map[string]any:
			if inner, ok := v[lang]; ok {
				if tok != lang {
					return p
				}
				cur, i = inner, i+1
				continue
			}
			cur = v[tok]
		case []any:
			n, err := strconv.Atoi(tok)
			if err != nil || n < 0 || n >= len(v) {
				return p
			}
			cur = v[n]
		default:
			return p
		}
		out = append(out, tok)
		i++
	}
	return joinPointer(out)
}

func prefixSlash(p string) string {
	if p == "" || strings.HasPrefix(p, "/") {
		return p
	}
	return "/" + p
}

// violationSeverity ranks a contract violation: answers missing a required field, of the wrong
// type, with an undocumented status or on an unknown route break clients; the rest may not.
// Requests are the flows' own and never break a client.
func violationSeverity(v contracts.Violation) Severity {
	// An unknown route is filed with the request, but what breaks is the answer: the contract
	// documents none for it.
	if v.Kind == contracts.KindRoute {
		return SeverityBreaking
	}
	if v.Phase == contracts.PhaseRequest {
		return SeverityWarning
	}
	switch v.Kind {
	case contracts.KindRequired, contracts.KindType, contracts.KindStatus, contracts.KindRoute:
		return SeverityBreaking
	}
	return SeverityWarning
}

func rank(s Severity) int {
	switch s {
	case SeverityBreaking:
		return 0
	case SeverityWarning:
		return 1
	}
	return 2
}

// newListing collects the items of a step, acknowledging them by the allow file.
func (c *comparer) newListing(flow, step string) *listing {
	return newListing(flow, step, c.opts.Allow, c.opts.Now)
}

// finish counts the items and adds the notes about the run as a whole.
func (c *comparer) finish(r *Report) {
	if c.notRecorded > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("%d exchanges of the mock's run have no recorded counterpart in the capsule and were not compared", c.notRecorded))
	}
	if a := c.opts.Allow; a != nil {
		r.Expired = a.expired(c.opts.Now)
	}
	r.Summary = Summary{Steps: len(r.Steps)}
	for _, s := range r.Steps {
		r.Summary.Breaking += s.Count(SeverityBreaking)
		r.Summary.Warnings += s.Count(SeverityWarning)
		r.Summary.Info += s.Count(SeverityInfo)
		r.Summary.Allowed += s.Acknowledged()
		r.Summary.Unlisted += s.Unlisted()
	}
	if n := r.Summary.Unlisted; n > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("%d items are not listed: a step lists at most %d items of each pattern (the same side, kind, severity and acknowledgement, at pointers that differ only in array indexes) and %d of each side and severity; every count and the exit code include them",
			n, maxListedPerPattern, maxListedPerSeverity))
	}
	sort.SliceStable(r.Expired, func(i, j int) bool { return r.Expired[i].Expires < r.Expired[j].Expires })
}
