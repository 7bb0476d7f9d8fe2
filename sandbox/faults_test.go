package sandbox_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

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
