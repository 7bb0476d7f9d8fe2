// Package backoff holds the pauses between delivery attempts shared by the mail relay and the
// webhook dispatcher, and a sleep that ends early with its context.
package backoff

import (
	"context"
	mathrand "math/rand/v2"
	"time"
)

// Func returns the pause after the given failed attempt (1-based).
type Func func(attempt int) time.Duration

// Exponential returns a back-off of base after the first failed attempt, doubling after each
// further one, capped at limit.
func Exponential(base, limit time.Duration) Func {
	return func(attempt int) time.Duration {
		d := base
		for i := 1; i < attempt && d < limit; i++ {
			if d > limit/2 {
				return limit
			}
			d *= 2
		}
		return min(d, limit)
	}
}

// Jitter varies each pause of f by a random amount of up to ±fraction of it, so receivers
// restarted together are not retried in step.
func Jitter(f Func, fraction float64) Func {
	return func(attempt int) time.Duration {
		d := f(attempt)
		return d + time.Duration((mathrand.Float64()*2-1)*fraction*float64(d))
	}
}

// Sleep pauses for d, or until ctx ends, in which case it returns ctx.Err().
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
