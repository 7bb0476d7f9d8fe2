package drift

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/exchange"
	"github.com/oneentry-mock/oneentry-mock/scenarios"
)

// A recorded answer that broke the contract in each of millions of elements made the report
// hold an item for every breach, about a kilobyte each: gigabytes for a capsule of megabytes.
// A step now lists the first of each pattern and counts the rest, and the counts, the
// acknowledgements and the exit code stay what they were with every item listed.
func TestManyBreachesAreCountedNotAllListed(t *testing.T) {
	t.Parallel()
	const n = 5000
	step := breachingStep(n) // pointers /0 … /4999
	mock := []scenarios.Result{{Flow: "f", Steps: []scenarios.StepResult{{Name: "pages", Status: scenarios.StatusPassed, Exchanges: step.Exchanges}}}}
	other := []scenarios.Result{{Flow: "f", Steps: []scenarios.StepResult{step}}}
	allow, err := ParseAllowFile([]byte(`
allow:
  - step: f/pages
    pointer: /*
    kind: contract
    reason: expired, so it silences nothing
    expires: 2026-01-31
  - step: f/pages
    pointer: /1*
    kind: contract
    reason: the elements whose index starts with 1
    expires: 2026-12-31
`))
	require.NoError(t, err)
	r, err := Compare(t.Context(), mock, other, Options{Allow: allow, Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)

	const acknowledged = 1 + 10 + 100 + 1000 // /1, /10…/19, /100…/199, /1000…/1999
	assert.Equal(t, Summary{Steps: 1, Breaking: n - acknowledged, Allowed: acknowledged, Unlisted: n - 2*maxListedPerPattern}, r.Summary)
	assert.Equal(t, ExitBreaking, r.ExitCode())
	require.Len(t, r.Steps, 1)
	s := r.Steps[0]
	assert.Len(t, s.Items, 2*maxListedPerPattern, "the first of the unacknowledged and of the acknowledged breaches")
	for _, it := range s.Items {
		assert.Equal(t, it.Pointer[1] == '1', it.Allowed != nil, "%s is acknowledged by the entry that matches it: %+v", it.Pointer, it.Allowed)
	}
	assert.Equal(t, []Omitted{
		{Side: SideOtherContract, Kind: KindContract, Severity: SeverityBreaking, Pointer: "/*", Count: n - acknowledged - maxListedPerPattern},
		{Side: SideOtherContract, Kind: KindContract, Severity: SeverityBreaking, Pointer: "/*", Count: acknowledged - maxListedPerPattern,
			Allowed: &Allowance{Reason: "the elements whose index starts with 1", Expires: "2026-12-31"}},
	}, s.Omitted)
	assert.Equal(t, n-acknowledged, s.Count(SeverityBreaking))
	assert.Equal(t, acknowledged, s.Acknowledged())

	left := "3789 more breaking contract items at /* [other-vs-contract] are not listed"
	var text, js, junit bytes.Buffer
	require.NoError(t, WriteText(&text, r))
	assert.Contains(t, text.String(), "  … "+left+"\n")
	assert.Contains(t, text.String(), "4800 items are not listed")
	assert.Contains(t, text.String(), "f/pages  passed  passed  3889      0         0     1111")

	require.NoError(t, WriteJSON(&js, r))
	var back Report
	require.NoError(t, json.Unmarshal(js.Bytes(), &back))
	assert.Equal(t, r.Summary, back.Summary)
	assert.Equal(t, s.Omitted, back.Steps[0].Omitted)

	require.NoError(t, WriteJUnit(&junit, r))
	doc, err := exchange.ReadJUnit(junit.Bytes())
	require.NoError(t, err)
	require.Len(t, doc.Suites, 2)
	tc := doc.Suites[0].Cases[0]
	require.NotNil(t, tc.Failure)
	assert.Equal(t, "3889 breaking differences", tc.Failure.Message)
	assert.Contains(t, tc.Failure.Text, "… "+left)
	assert.Contains(t, tc.SystemOut, "… 1011 more breaking contract items at /* [other-vs-contract] are not listed — acknowledged until 2026-12-31")
	assert.Contains(t, doc.Suites[1].SystemOut, "note: 4800 items are not listed")
}

// A body of millions of distinct keys has as many pointer patterns: a side and severity lists a
// bounded number over all of them, and breaking items are never crowded out by warnings.
func TestListingBoundsDistinctPointers(t *testing.T) {
	t.Parallel()
	l := newListing("f", "s", nil, time.Time{})
	for i := range 3 * maxListedPerSeverity {
		l.add(Item{Side: SideOtherContract, Kind: KindContract, Severity: SeverityWarning, Pointer: "/k" + strconv.Itoa(i)})
	}
	l.add(Item{Side: SideOtherContract, Kind: KindContract, Severity: SeverityBreaking, Pointer: "/total"})
	var sr StepReport
	l.fill(&sr)
	require.Len(t, sr.Items, maxListedPerSeverity+1)
	assert.Equal(t, "/total", sr.Items[0].Pointer, "worst first")
	assert.Equal(t, []Omitted{{Side: SideOtherContract, Kind: KindContract, Severity: SeverityWarning, Pointer: anyPointer, Count: 2 * maxListedPerSeverity}}, sr.Omitted)
	assert.Equal(t, 3*maxListedPerSeverity, sr.Count(SeverityWarning))
}

func TestPointerPattern(t *testing.T) {
	t.Parallel()
	for p, want := range map[string]string{
		"":                   "",
		"/":                  "/",
		"/items/12/price":    "/items/*/price",
		"/0":                 "/*",
		"/a1/2b":             "/a1/2b",
		"status":             "status",
		"request/query/10":   "request/query/*",
		"/formData/3/value/": "/formData/*/value/",
	} {
		assert.Equal(t, want, pointerPattern(p), p)
	}
}

// The recorded answers' breaches were kept as violations on the capsule's steps, every one of
// every answer, until the comparison reached the step: they become the step's bounded listing
// as each answer is checked.
func TestCapsuleBreachesAreListedAsChecked(t *testing.T) {
	t.Parallel()
	const n = 1000
	recorded := breachingStep(n).Exchanges[0]
	recorded.RequestHeaders = map[string]string{"x-app-token": "t"}
	mock := []scenarios.Result{{Flow: "f", Steps: []scenarios.StepResult{{Name: "pages", Status: scenarios.StatusPassed, Exchanges: []exchange.Exchange{recorded}}}}}
	c, err := newComparer(t.Context(), Options{TargetKind: TargetCapsule})
	require.NoError(t, err)
	v, err := contracts.NewValidator(c.opts.Contract)
	require.NoError(t, err)
	other, unused := c.capsuleSide(mock, &capsule.Capsule{Exchanges: []exchange.Exchange{recorded}}, v)
	assert.Empty(t, unused)
	require.Len(t, other[0].Steps, 1)
	assert.Empty(t, other[0].Steps[0].Violations, "no breach is held as a violation")
	listed := c.recordedItems[stepKey("f", "pages")]
	require.NotNil(t, listed)
	assert.Len(t, listed.items, maxListedPerPattern)

	r, err := CompareCapsule(t.Context(), mock, &capsule.Capsule{Exchanges: []exchange.Exchange{recorded}}, Options{})
	require.NoError(t, err)
	assert.Equal(t, n, r.Summary.Breaking)
	assert.Equal(t, n-maxListedPerPattern, r.Summary.Unlisted)
}
