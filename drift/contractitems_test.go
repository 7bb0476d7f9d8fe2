package drift

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/exchange"
	"github.com/oneentry-mock/oneentry-mock/scenarios"
)

// breachingStep is a step of one GET /api/content/pages whose answer, an array of n numbers,
// breaks the contract once per element, as a recorded body can.
func breachingStep(n int) scenarios.StepResult {
	body := "[" + strings.TrimSuffix(strings.Repeat("0,", n), ",") + "]"
	s := scenarios.StepResult{Name: "pages", Status: scenarios.StatusPassed, Exchanges: []exchange.Exchange{
		{Method: "GET", Path: "/api/content/pages", Query: "langCode=en_US", Status: 200, ResponseBody: json.RawMessage(body)},
	}}
	for i := range n {
		s.Violations = append(s.Violations, contracts.Violation{Phase: contracts.PhaseResponse, Method: "GET", Path: "/api/content/pages",
			Status: 200, Pointer: "/" + strconv.Itoa(i), Field: strconv.Itoa(i), Reason: "must be an object", Kind: contracts.KindType})
	}
	return s
}

// countingComparer is a comparer whose decodes are counted.
func countingComparer(t *testing.T, ctx context.Context) (*comparer, *int) {
	t.Helper()
	c, err := newComparer(ctx, Options{})
	require.NoError(t, err)
	decodes := 0
	c.decode = func(js json.RawMessage, text string) (any, *string) {
		decodes++
		return decodeBody(js, text)
	}
	return c, &decodes
}

// A body that breaks the contract in every element once took a decode of the whole body per
// breach: time grew with elements × body size.
func TestContractItemsDecodeABodyOnce(t *testing.T) {
	t.Parallel()
	c, decodes := countingComparer(t, t.Context())
	var items []Item
	c.contractItems(func(it Item) { items = append(items, it) }, new(breachingStep(200)), SideOtherContract)
	require.Len(t, items, 200)
	assert.Equal(t, "/199", items[199].Pointer)
	assert.Equal(t, 1, *decodes, "one decode for the step's one exchange, however many breaches it holds")
}

func TestCompareDecodesEachAnswerOnce(t *testing.T) {
	t.Parallel()
	counts := map[int]int{}
	for _, n := range []int{1, 200} {
		c, decodes := countingComparer(t, t.Context())
		step := breachingStep(n)
		mock := []scenarios.Result{{Flow: "f", Steps: []scenarios.StepResult{{Name: "pages", Status: scenarios.StatusPassed, Exchanges: step.Exchanges}}}}
		other := []scenarios.Result{{Flow: "f", Steps: []scenarios.StepResult{step}}}
		c.compare(mock, other)
		counts[n] = *decodes
	}
	assert.Equal(t, counts[1], counts[200], "the decodes do not grow with the breaches")
	assert.LessOrEqual(t, counts[200], 3, "each side's answer is decoded for the diff, the other's once more for its breaches")
}

func TestCancelStopsTheComparison(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancelCause(t.Context())
	c, decodes := countingComparer(t, ctx)
	stop := errors.New("interrupt signal received")
	decode := c.decode
	c.decode = func(js json.RawMessage, text string) (any, *string) {
		cancel(stop)
		return decode(js, text)
	}
	var steps []scenarios.StepResult
	for i := range 50 {
		s := breachingStep(20)
		s.Name = "pages " + strconv.Itoa(i)
		steps = append(steps, s)
	}
	r := c.compare([]scenarios.Result{{Flow: "f", Steps: steps}}, []scenarios.Result{{Flow: "f", Steps: steps}})
	assert.True(t, c.stopped())
	assert.Equal(t, 1, *decodes, "nothing is decoded after the cancel")
	assert.Equal(t, 1, len(r.Steps), "no step is compared after the cancel")
	require.Less(t, len(r.Steps[0].Items), 20, "no breach is listed after the cancel")

	_, err := Compare(ctx, nil, nil, Options{})
	require.ErrorIs(t, err, context.Canceled)
	assert.ErrorContains(t, err, "the comparison did not finish (interrupt signal received)")
	_, err = CompareCapsule(ctx, nil, &capsule.Capsule{Exchanges: steps[0].Exchanges}, Options{})
	require.ErrorIs(t, err, context.Canceled, "a recorded exchange no flow made is not checked after the cancel")
}

// A pointer was escaped and unescaped with a replacer built anew for every token: a quarter of
// the time of a comparison listing a breach per array element. Not parallel: AllocsPerRun counts
// the allocations of the whole process.
func TestPointersAreCheapToBuild(t *testing.T) {
	tokens := []string{"formData", "a/b~c", "12"}
	assert.Equal(t, tokens, splitPointer(joinPointer(tokens)))
	allocs := testing.AllocsPerRun(100, func() { splitPointer(joinPointer(tokens)) })
	assert.LessOrEqual(t, allocs, 20.0, "building the two replacers alone takes about 40")
}
