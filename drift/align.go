package drift

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/exchange"
	"github.com/oneentry-mock/oneentry-mock/scenarios"
)

// pair is a mock exchange and the other side's exchange it is compared with.
type pair struct{ mock, other int }

// pairExchanges lines up the exchanges of one step on two sides. Both ran the same code, so
// exchanges normally correspond one to one; where a side made an extra call (a refresh and retry
// on one side only), each mock exchange takes the first unused exchange of the other side with
// the same method and route.
func pairExchanges(m, o []exchange.Exchange) (pairs []pair, onlyMock, onlyOther []int) {
	used := make([]bool, len(o))
	next := 0
	for i := range m {
		j := -1
		for k := next; k < len(o); k++ {
			if !used[k] && sameRequest(&m[i], &o[k]) {
				j = k
				break
			}
		}
		if j < 0 {
			onlyMock = append(onlyMock, i)
			continue
		}
		used[j] = true
		next = j + 1
		pairs = append(pairs, pair{i, j})
	}
	for k := range o {
		if !used[k] {
			onlyOther = append(onlyOther, k)
		}
	}
	return pairs, onlyMock, onlyOther
}

func sameRequest(a, b *exchange.Exchange) bool {
	return strings.EqualFold(a.Method, b.Method) && exchange.Route(a.Path) == exchange.Route(b.Path)
}

// stepKey names a step of a flow, for the pairs capsuleSide made in it.
func stepKey(flow, step string) string { return flow + "\x00" + step }

// capsuleSide builds the other side of a comparison with a capsule: for every exchange of the
// mock's run, the recorded exchange that answered the same request (alignRecorded). It returns
// the recorded exchanges as steps of the same flows and the recorded exchanges no mock exchange
// took, and keeps the pairs per step (stepKey; mock exchange → position among the step's
// recorded exchanges) in cmp.recordedPairs. A recorded answer's contract breaches become the
// step's items (cmp.recordedItems) as soon as it is checked: a step's listing holds a bounded
// number of them, where its violations would hold every breach of every recorded answer until
// the comparison reached its step.
func (cmp *comparer) capsuleSide(mock []scenarios.Result, c *capsule.Capsule, v *contracts.Validator) ([]scenarios.Result, []int) {
	ctx := cmp.ctx
	var run []*exchange.Exchange
	for _, mr := range mock {
		for _, ms := range mr.Steps {
			for i := range ms.Exchanges {
				run = append(run, &ms.Exchanges[i])
			}
		}
	}
	recordedFor := alignRecorded(run, c.Exchanges)
	used := make([]bool, len(c.Exchanges))
	reissuer := capsule.NewReissuer(c.Redactions)
	cmp.recordedPairs, cmp.recordedItems = map[string][]pair{}, map[string]*listing{}
	var other []scenarios.Result
	n := 0
	for _, mr := range mock {
		or := scenarios.Result{Flow: mr.Flow, Target: "capsule", Status: scenarios.StatusPassed}
		for _, ms := range mr.Steps {
			os := scenarios.StepResult{Name: ms.Name, Status: scenarios.StatusPassed}
			key := stepKey(mr.Flow, ms.Name)
			items := cmp.newListing(mr.Flow, ms.Name)
			for i := range ms.Exchanges {
				j := recordedFor[n]
				n++
				if j < 0 || ctx.Err() != nil {
					continue
				}
				used[j] = true
				cmp.recordedPairs[key] = append(cmp.recordedPairs[key], pair{mock: i, other: len(os.Exchanges)})
				os.Exchanges = append(os.Exchanges, c.Exchanges[j])
				recorded := scenarios.StepResult{Exchanges: []exchange.Exchange{c.Exchanges[j]}}
				for _, viol := range checkRecorded(ctx, v, reissuer, &c.Exchanges[j]) {
					if !provoked(ms.ExpectedViolations, viol) {
						recorded.Violations = append(recorded.Violations, viol)
					}
				}
				cmp.contractItems(items.add, &recorded, SideOtherContract)
			}
			if len(os.Exchanges) > 0 {
				or.Steps = append(or.Steps, os)
				cmp.recordedItems[key] = items
			}
		}
		other = append(other, or)
	}
	var unused []int
	for i, u := range used {
		if !u {
			unused = append(unused, i)
		}
	}
	return other, unused
}

// provoked reports whether a recorded request breaks the contract as the mock's run of the same
// step did on purpose (Env.ExpectInvalidRequest): the same request-side breach of the same
// route. A URL target's run files such a breach as expected, and so does a capsule's; a
// recorded request that breaks the contract in another way is still reported.
func provoked(expected []contracts.Violation, v contracts.Violation) bool {
	if v.Phase != contracts.PhaseRequest {
		return false
	}
	for _, e := range expected {
		if e.Phase == v.Phase && strings.EqualFold(e.Method, v.Method) && exchange.Route(e.Path) == exchange.Route(v.Path) &&
			e.Pointer == v.Pointer && e.Kind == v.Kind {
			return true
		}
	}
	return false
}

// maxAlignCells bounds the table alignRecorded fills (mock exchanges × recorded candidates); a
// larger recording is paired by closestUnused alone.
const maxAlignCells = 1 << 22

// alignRecorded returns, for each exchange of the mock's run (in run order), the index of the
// recorded exchange it is compared with, or -1.
//
// A recording of the flows themselves (a URL run through the proxy) made the same requests in
// the same order, plus some the mock's run does not show (the run's preflight login, admin
// calls). Requests alone cannot tell its exchanges apart: once passwords are redacted every
// login looks alike, and a preflight login sits just before the wrong-password one. So the
// pairing keeps the recorded order, as in a sequence alignment, choosing first the most pairs
// that order allows, then the closest requests, and only then, among requests that look alike,
// the answers with the same status. A step whose answer differs is thus still paired with its
// own recording whenever the requests around it pin it down. Exchanges the order leaves
// unpaired (a front end that made the requests in another order) then take the closest unused
// recorded request anywhere.
func alignRecorded(run []*exchange.Exchange, rec []exchange.Exchange) []int {
	out := make([]int, len(run))
	mockSigs := make([]requestSig, len(run))
	routes := map[string]bool{}
	for i, e := range run {
		out[i] = -1
		mockSigs[i] = signature(e)
		routes[mockSigs[i].route] = true
	}
	// Only recorded exchanges of a route the run made can pair.
	var cand []int
	var recSigs []requestSig
	for j := range rec {
		if sig := signature(&rec[j]); routes[sig.route] {
			cand = append(cand, j)
			recSigs = append(recSigs, sig)
		}
	}
	n, m := len(run), len(cand)
	taken := make([]bool, m)
	if n > 0 && m > 0 && (n+1)*(m+1) <= maxAlignCells {
		// best[i*width+j] is the best score of aligning run[i:] with cand[j:]. A pair is worth
		// more than any sum of closeness, so the most pairs win outright.
		pairWorth := int64(maxCloseness+1) * int64(n+1)
		width := m + 1
		best := make([]int64, (n+1)*width)
		worth := func(i, j int) int64 {
			c := requestCloseness(&mockSigs[i], &recSigs[j])
			if c < 0 {
				return -1
			}
			return pairWorth + int64(c+answerCloseness(&mockSigs[i], &recSigs[j]))
		}
		for i := n - 1; i >= 0; i-- {
			for j := m - 1; j >= 0; j-- {
				v := max(best[(i+1)*width+j], best[i*width+j+1])
				if w := worth(i, j); w >= 0 {
					v = max(v, w+best[(i+1)*width+j+1])
				}
				best[i*width+j] = v
			}
		}
		// Read the alignment from the front: on a tie, pair now (the first flow to make a
		// request gets its recording), else pass a recorded exchange by (a recording holds
		// more than the run), else leave the mock's exchange unpaired.
		for i, j := 0, 0; i < n && j < m; {
			here := best[i*width+j]
			if w := worth(i, j); w >= 0 && here == w+best[(i+1)*width+j+1] {
				out[i], taken[j] = cand[j], true
				i, j = i+1, j+1
			} else if here == best[i*width+j+1] {
				j++
			} else {
				i++
			}
		}
	}
	for i := range run {
		if out[i] >= 0 {
			continue
		}
		if j := closestUnused(&mockSigs[i], recSigs, taken); j >= 0 {
			out[i], taken[j] = cand[j], true
		}
	}
	return out
}

// closestUnused returns the position in recorded of the request closest to me that is not
// taken, the earliest of equals; -1 when none is the same request.
func closestUnused(me *requestSig, recorded []requestSig, taken []bool) int {
	best, bestScore := -1, -1
	for j := range recorded {
		if taken[j] {
			continue
		}
		if score := requestCloseness(me, &recorded[j]); score > bestScore {
			best, bestScore = j, score
		}
	}
	return best
}

// requestSig is what pairing looks at in an exchange.
type requestSig struct {
	route     string // method and route: exchanges pair only when these are equal
	path      string
	query     string // encoded, keys sorted
	queryKeys url.Values
	shape     string // of the request body
	bearer    bool
	status    int
}

func signature(e *exchange.Exchange) requestSig {
	q, _ := url.ParseQuery(e.Query)
	return requestSig{
		route:     strings.ToUpper(e.Method) + " " + exchange.Route(e.Path),
		path:      exchange.CleanPath(e.Path),
		query:     q.Encode(),
		queryKeys: q,
		shape:     capsule.Shape(e.RequestBody),
		bearer:    e.RequestHeaders["authorization"] != "",
		status:    e.Status,
	}
}

// maxCloseness is the largest requestCloseness plus answerCloseness of two exchanges.
const maxCloseness = 75

// requestCloseness scores how alike two requests are, -1 when they are not the same request
// (method and route).
func requestCloseness(a, b *requestSig) int {
	if a.route != b.route {
		return -1
	}
	score := 0
	if a.path == b.path {
		score += 32
	}
	if a.query == b.query {
		score += 16
	} else if sameKeys(a.queryKeys, b.queryKeys) {
		score += 8
	}
	if a.shape == b.shape {
		score += 16
	}
	if a.bearer == b.bearer {
		score += 8
	}
	return score
}

// answerCloseness scores how alike two answers' statuses are. It is below the smallest step of
// requestCloseness: the answer is what is compared, and it only decides between requests that
// look alike.
func answerCloseness(a, b *requestSig) int {
	score := 0
	if a.status/100 == b.status/100 {
		score += 2
	}
	if a.status == b.status {
		score++
	}
	return score
}

func sameKeys(a, b url.Values) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			return false
		}
	}
	return true
}

// checkRecorded validates a recorded exchange against the contract, with token placeholders
// re-issued as values (a placeholder is not what the live API sent). A capsule that kept no
// response headers is checked as JSON when its body is JSON. An ended ctx returns at once,
// with no violations: the comparison is then stopped and reports nothing.
func checkRecorded(ctx context.Context, v *contracts.Validator, r *capsule.Reissuer, e *exchange.Exchange) []contracts.Violation {
	if v == nil || !strings.HasPrefix(exchange.CleanPath(e.Path), "/api/content/") {
		return nil
	}
	target := e.Path
	if e.Query != "" {
		target += "?" + e.Query
	}
	req, err := http.NewRequestWithContext(ctx, e.Method, target, bytes.NewReader(r.Issue(e.RequestPayload())))
	if err != nil {
		return []contracts.Violation{{Phase: contracts.PhaseRequest, Method: e.Method, Path: e.Path, Kind: contracts.KindOther, Reason: err.Error()}}
	}
	for k, val := range e.RequestHeaders {
		req.Header.Set(k, r.IssueString(val))
	}
	h := e.Header()
	if h.Get("Content-Type") == "" && len(e.ResponseBody) > 0 {
		h.Set("Content-Type", "application/json")
	}
	status, body := e.Status, r.Issue(e.Body())
	vs, _ := untilStopped(ctx, func() []contracts.Violation {
		err := v.ValidateExchange(ctx, req, status, h, body)
		if ctx.Err() != nil {
			return nil
		}
		return contracts.Violations(err)
	})
	return vs
}

// untilStopped returns what work returns, or, when ctx ends first, nothing and false at once.
// kin-openapi's validation of a body does not look at ctx, and an answer that breaks the
// contract in each of millions of elements takes seconds to validate and as long again to
// flatten: a stop (SIGINT, --timeout) would wait for both. The work then finishes on its own
// goroutine, which ends with it, and its result is dropped; it must own everything it writes.
func untilStopped[T any](ctx context.Context, work func() T) (T, bool) {
	done := make(chan T, 1) // the work never blocks on a caller that has gone
	go func() { done <- work() }()
	select {
	case v := <-done:
		return v, true
	case <-ctx.Done():
		var zero T
		return zero, false
	}
}

// CompareCapsule compares the mock's run with a capsule: each exchange of the mock's run is
// compared with the recorded exchange of the same request (capsuleSide), the recorded
// exchanges are checked against the contract, and those no flow made are checked too and listed
// under the flow "capsule" when they break it. An ended ctx stops it with an error.
func CompareCapsule(ctx context.Context, mock []scenarios.Result, c *capsule.Capsule, opts Options) (*Report, error) {
	if opts.TargetKind == "" {
		opts.TargetKind = TargetCapsule
	}
	cmp, err := newComparer(ctx, opts)
	if err != nil {
		return nil, err
	}
	v, err := contracts.NewValidator(cmp.opts.Contract)
	if err != nil {
		return nil, err
	}
	other, unused := cmp.capsuleSide(mock, c, v)
	r := &Report{Target: cmp.opts.Target, TargetKind: cmp.opts.TargetKind}
	byFlow := map[string]*scenarios.Result{}
	for i := range other {
		byFlow[other[i].Flow] = &other[i]
	}
	for i := range mock {
		cmp.compareFlow(r, &mock[i], byFlow[mock[i].Flow])
	}
	reissuer := capsule.NewReissuer(c.Redactions)
	for _, j := range unused {
		if cmp.stopped() {
			break
		}
		e := &c.Exchanges[j]
		vs := checkRecorded(ctx, v, reissuer, e)
		if len(vs) == 0 {
			continue
		}
		name := fmt.Sprintf("#%d %s %s", j+1, e.Method, e.Path)
		sr := StepReport{Flow: "capsule", Step: name, Mock: "not run", Other: "recorded"}
		items := cmp.newListing(sr.Flow, sr.Step)
		cmp.contractItems(items.add, &scenarios.StepResult{Exchanges: []exchange.Exchange{*e}, Violations: vs}, SideOtherContract)
		items.fill(&sr)
		r.Steps = append(r.Steps, sr)
	}
	if len(unused) > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("%d recorded exchanges were made by no flow: %s", len(unused), exchangeList(c, unused)))
	}
	if c.Contract != "" && c.Contract != capsule.ContractVersion(contracts.Spec()) {
		r.Notes = append(r.Notes, "the capsule was recorded under another version of the contract ("+shortHash(c.Contract)+")")
	}
	if cmp.stopped() {
		return nil, unfinished(ctx, "the comparison")
	}
	cmp.finish(r)
	return r, nil
}

func exchangeList(c *capsule.Capsule, idx []int) string {
	sort.Ints(idx)
	var parts []string
	for i, j := range idx {
		if i == 5 {
			parts = append(parts, fmt.Sprintf("and %d more", len(idx)-5))
			break
		}
		parts = append(parts, fmt.Sprintf("#%d %s %s", j+1, c.Exchanges[j].Method, c.Exchanges[j].Path))
	}
	return strings.Join(parts, ", ")
}

func shortHash(h string) string {
	if len(h) > len("sha256:")+12 {
		return h[:len("sha256:")+12]
	}
	return h
}
