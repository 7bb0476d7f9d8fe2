package backoff

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExponential(t *testing.T) {
	t.Parallel()
	exp := Exponential(time.Second, 10*time.Second)
	var got []time.Duration
	for attempt := 1; attempt <= 6; attempt++ {
		got = append(got, exp(attempt))
	}
	assert.Equal(t, []time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}, got)
	assert.Equal(t, time.Minute, Exponential(time.Second, time.Minute)(1000), "no overflow for large attempts")
	assert.Equal(t, time.Duration(1<<62), Exponential(time.Second, 1<<62)(1000), "no overflow near the largest duration")
}

func TestJitter(t *testing.T) {
	t.Parallel()
	exp := Exponential(time.Second, time.Minute)
	assert.Equal(t, exp(3), Jitter(exp, 0)(3))
	jittered := Jitter(exp, 0.2)
	for attempt := 1; attempt <= 10; attempt++ {
		base := exp(attempt)
		for range 50 {
			d := jittered(attempt)
			assert.GreaterOrEqual(t, d, base*8/10)
			assert.LessOrEqual(t, d, base*12/10)
		}
	}
}

func TestSleep(t *testing.T) {
	t.Parallel()
	require.NoError(t, Sleep(t.Context(), 0))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, Sleep(ctx, time.Hour), context.Canceled)
}
