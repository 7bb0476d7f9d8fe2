package budget_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/oneentry-mock/oneentry-mock/internal/budget"
)

func TestVerdict(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "met (< 50 ms)", budget.Verdict(true, "< 50 ms"))
	assert.Equal(t, "**missed** (≥ 0.6x)", budget.Verdict(false, "≥ 0.6x"))
}

func TestMicros(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "29.3 µs", budget.Micros(29300*time.Nanosecond))
	assert.Equal(t, "0.0 µs", budget.Micros(0))
	assert.Equal(t, "1500.0 µs", budget.Micros(1500*time.Microsecond))
}

func TestThousands(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{
		0: "0", 999: "999", 1000: "1,000", 12345: "12,345", 1_000_000: "1,000,000", -1500: "-1,500", -999: "-999",
	} {
		assert.Equal(t, want, budget.Thousands(n), "%d", n)
	}
}
