package drift

import (
	"bytes"
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

// capsuleSide builds the other side of a comparison with a capsule: for every exchange of the
// mock's run, the recorded exchange that answered the same request. Recorded exchanges are used
// once each, in run order, so the first flow to make a request gets its recording; among the
// candidates with the same method and route the best is the one with the same path, query and
// body shape, then the earliest. It also returns the recorded exchanges no mock exchange took.
func capsuleSide(mock []scenarios.Result, c *capsule.Capsule, v *contracts.Validator) ([]scenarios.Result, []int) {
	used := make([]bool, len(c.Exchanges))
	reissuer := capsule.NewReissuer(c.Redactions)
	var other []scenarios.Result
	for _, mr := range mock {
		or := scenarios.Result{Flow: mr.Flow, Target: "capsule", Status: scenarios.StatusPassed}
		for _, ms := range mr.Steps {
			os := scenarios.StepResult{Name: ms.Name, Status: scenarios.StatusPassed}
			for i := range ms.Exchanges {
				j := bestRecorded(&ms.Exchanges[i], c, used)
				if j < 0 {
					continue
				}
				used[j] = true
				os.Exchanges = append(os.Exchanges, c.Exchanges[j])
				os.Violations = append(os.Violations, checkRecorded(v, reissuer, &c.Exchanges[j])...)
			}
			if len(os.Exchanges) > 0 {
				or.Steps = append(or.Steps, os)
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

func bestRecorded(me *exchange.Exchange, c *capsule.Capsule, used []bool) int {
	best, bestScore := -1, -1
	mq, _ := url.ParseQuery(me.Query)
	mShape := capsule.Shape(me.RequestBody)
	for j := range c.Exchanges {
		if used[j] {
			continue
		}
		e := &c.Exchanges[j]
		if !strings.EqualFold(e.Method, me.Method) || exchange.Route(e.Path) != exchange.Route(me.Path) {
			continue
		}
		score := 0
		if e.Path == me.Path {
			score += 4
		}
		eq, _ := url.ParseQuery(e.Query)
		if eq.Encode() == mq.Encode() {
			score += 2
		} else if sameKeys(eq, mq) {
			score++
		}
		if capsule.Shape(e.RequestBody) == mShape {
			score += 2
		}
		if score > bestScore {
			best, bestScore = j, score
		}
	}
	return best
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
// response headers is checked as JSON when its body is JSON.
func checkRecorded(v *contracts.Validator, r *capsule.Reissuer, e *exchange.Exchange) []contracts.Violation {
	if v == nil || !strings.HasPrefix(exchange.CleanPath(e.Path), "/api/content/") {
		return nil
	}
	target := e.Path
	if e.Query != "" {
		target += "?" + e.Query
	}
	req, err := http.NewRequest(e.Method, target, bytes.NewReader(r.Issue(e.RequestPayload())))
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
	return contracts.Violations(v.ValidateExchange(req.Context(), req, e.Status, h, r.Issue(e.Body())))
}

// CompareCapsule compares the mock's run with a capsule: each exchange of the mock's run is
// compared with the recorded exchange of the same request (capsuleSide), the recorded
// exchanges are checked against the contract, and those no flow made are checked too and listed
// under the flow "capsule" when they break it.
func CompareCapsule(mock []scenarios.Result, c *capsule.Capsule, opts Options) (*Report, error) {
	if opts.TargetKind == "" {
		opts.TargetKind = TargetCapsule
	}
	cmp, err := newComparer(opts)
	if err != nil {
		return nil, err
	}
	v, err := contracts.NewValidator(cmp.opts.Contract)
	if err != nil {
		return nil, err
	}
	other, unused := capsuleSide(mock, c, v)
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
		e := &c.Exchanges[j]
		vs := checkRecorded(v, reissuer, e)
		if len(vs) == 0 {
			continue
		}
		name := fmt.Sprintf("#%d %s %s", j+1, e.Method, e.Path)
		sr := StepReport{Flow: "capsule", Step: name, Mock: "not run", Other: "recorded", Items: []Item{}}
		cmp.contractItems(func(it Item) {
			it.Flow, it.Step = sr.Flow, sr.Step
			sr.Items = append(sr.Items, it)
		}, &scenarios.StepResult{Exchanges: []exchange.Exchange{*e}, Violations: vs}, SideOtherContract)
		r.Steps = append(r.Steps, sr)
	}
	if len(unused) > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("%d recorded exchanges were made by no flow: %s", len(unused), exchangeList(c, unused)))
	}
	if c.Contract != "" && c.Contract != capsule.ContractVersion(contracts.Spec()) {
		r.Notes = append(r.Notes, "the capsule was recorded under another version of the contract ("+shortHash(c.Contract)+")")
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
