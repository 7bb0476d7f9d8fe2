package webhook

import (
	"context"
	mathrand "math/rand/v2"
	"time"
)

// ExponentialBackoff returns a back-off of base after the first failed attempt, doubling
// after each further one, capped at limit.
func ExponentialBackoff(base, limit time.Duration) func(attempt int) time.Duration {
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

// Jitter varies each pause of backoff by a random amount of up to ±fraction of it.
func Jitter(backoff func(attempt int) time.Duration, fraction float64) func(attempt int) time.Duration {
	return func(attempt int) time.Duration {
		d := backoff(attempt)
		return d + time.Duration((mathrand.Float64()*2-1)*fraction*float64(d))
	}
}

// DefaultBackoff is the back-off used when Options.Backoff is nil: 1s, 2s, 4s, ... capped at
// one minute, with ±20% jitter. Six attempts thus span about half a minute, long enough for a
// receiver being restarted in development.
var DefaultBackoff = Jitter(ExponentialBackoff(time.Second, time.Minute), 0.2)

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
