package sandbox_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// A probability outside 0–1 is refused, NaN included: the dashboard's form parses "NaN", and a
// stored NaN could not be listed as JSON.
func TestFaultProbabilityIsANumberFromZeroToOne(t *testing.T) {
	t.Parallel()
	for _, p := range []float64{-0.1, 1.5, math.NaN(), math.Inf(1)} {
		rule := sandbox.FaultRule{Path: "/api/content/**", Status: 503, Probability: p}
		assert.ErrorContains(t, rule.Validate(), "probability must be between 0 and 1", "%v", p)
	}
	for _, p := range []float64{0, 0.5, 1} {
		rule := sandbox.FaultRule{Path: "/api/content/**", Status: 503, Probability: p}
		assert.NoError(t, rule.Validate(), "%v", p)
	}
}

// The rule Add answers is the caller's to read: requests matching the stored rule meanwhile
// count down the stored counter, not the answer's (under -race, a shared one is reported).
func TestAnAddedRuleIsTheCallersCopy(t *testing.T) {
	t.Parallel()
	var fs sandbox.Faults
	added, err := fs.Add(sandbox.FaultRule{Path: "/api/content/**", Status: 503, Times: 1000}, time.Now())
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 100 {
			fs.Pick("GET", "/api/content/products/10", nil)
		}
	}()
	answered := *added.Remaining
	<-done
	assert.Equal(t, 1000, answered)
	assert.Equal(t, 900, *fs.List()[0].Remaining)
}

// Clearing the rules (a reset) keeps their numbering: an id a test saw before never names a
// later rule, which a DELETE by that id would remove instead.
func TestClearedFaultIDsAreNotGivenAgain(t *testing.T) {
	t.Parallel()
	var fs sandbox.Faults
	first, err := fs.Add(sandbox.FaultRule{Path: "/api/content/**", Status: 503}, time.Now())
	require.NoError(t, err)
	fs.Clear()
	next, err := fs.Add(sandbox.FaultRule{Path: "/api/content/**", Status: 503}, time.Now())
	require.NoError(t, err)
	assert.Equal(t, "flt_1", first.ID)
	assert.Equal(t, "flt_2", next.ID)
}
