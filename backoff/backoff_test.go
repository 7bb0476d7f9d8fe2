package backoff

import (
	"context"
	"errors"
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

func TestRetry(t *testing.T) {
	t.Parallel()
	errTransient, errPermanent := errors.New("transient"), errors.New("permanent")
	tests := map[string]struct {
		results      []error // what each attempt returns; past the end, success
		cancelAt     int     // cancel the context during this attempt (0: never)
		sleepErr     error
		wantAttempts int
		wantErr      error
		wantWaiting  bool
		wantPauses   []time.Duration
	}{
		"first try":          {wantAttempts: 1},
		"after two retries":  {results: []error{errTransient, errTransient}, wantAttempts: 3, wantPauses: []time.Duration{time.Second, 2 * time.Second}},
		"permanent":          {results: []error{errPermanent}, wantAttempts: 1, wantErr: errPermanent},
		"gives up":           {results: []error{errTransient, errTransient, errTransient, errTransient}, wantAttempts: 3, wantErr: errTransient, wantPauses: []time.Duration{time.Second, 2 * time.Second}},
		"stopped in attempt": {results: []error{errTransient}, cancelAt: 1, wantAttempts: 1, wantErr: context.Canceled},
		"stopped in pause":   {results: []error{errTransient}, sleepErr: context.Canceled, wantAttempts: 1, wantErr: context.Canceled, wantWaiting: true, wantPauses: []time.Duration{time.Second}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var pauses, told []time.Duration
			p := Policy{MaxAttempts: 3, Backoff: Exponential(time.Second, time.Minute), Sleep: func(_ context.Context, d time.Duration) error {
				pauses = append(pauses, d)
				return tc.sleepErr
			}}
			n, err := p.Retry(ctx, func(n int) (bool, error) {
				if n == tc.cancelAt {
					cancel()
				}
				if n > len(tc.results) {
					return false, nil
				}
				return tc.results[n-1] != errPermanent, tc.results[n-1]
			}, func(_ int, wait time.Duration, _ error) { told = append(told, wait) })
			assert.Equal(t, tc.wantAttempts, n)
			assert.Equal(t, tc.wantPauses, pauses)
			assert.Equal(t, tc.wantPauses, told)
			if tc.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.wantErr)
			var stopped *StoppedError
			if errors.As(err, &stopped) {
				assert.Equal(t, tc.wantWaiting, stopped.Waiting)
			}
		})
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	n, err := Policy{MaxAttempts: 3, Backoff: Exponential(time.Second, time.Minute)}.Retry(ctx, func(int) (bool, error) {
		t.Fatal("no attempt once the context has ended")
		return false, nil
	}, nil)
	assert.Zero(t, n)
	require.ErrorIs(t, err, context.Canceled)
}

func TestPolicyOr(t *testing.T) {
	t.Parallel()
	def := Policy{MaxAttempts: 5, Backoff: Exponential(time.Second, time.Minute)}
	got := Policy{}.Or(def)
	assert.Equal(t, 5, got.MaxAttempts)
	assert.Equal(t, time.Second, got.Backoff(1))
	got = Policy{MaxAttempts: 2, Backoff: func(int) time.Duration { return time.Hour }}.Or(def)
	assert.Equal(t, 2, got.MaxAttempts)
	assert.Equal(t, time.Hour, got.Backoff(1))
}
