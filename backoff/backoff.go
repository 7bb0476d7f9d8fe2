// Package backoff holds how the mail relay and the webhook dispatcher deliver in the
// background: the queue whose workers run deliveries, the retry loop, the pauses between
// attempts, and a sleep that ends early with its context.
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

// Policy is how a delivery is retried: how many attempts at most, and the pause after each
// failed one.
type Policy struct {
	// MaxAttempts bounds the attempts, the first included.
	MaxAttempts int
	// Backoff returns the pause after a failed attempt.
	Backoff Func
	// Sleep pauses; nil means Sleep. Tests record the pauses instead of waiting.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Or returns p with its zero fields taken from def.
func (p Policy) Or(def Policy) Policy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = def.MaxAttempts
	}
	if p.Backoff == nil {
		p.Backoff = def.Backoff
	}
	if p.Sleep == nil {
		p.Sleep = def.Sleep
	}
	return p
}

// StoppedError is Retry's error when ctx ended before an attempt succeeded.
type StoppedError struct {
	// Waiting is set when ctx ended during a pause rather than before or during an attempt.
	Waiting bool
	// Err is ctx's error.
	Err error
}

func (e *StoppedError) Error() string {
	if e.Waiting {
		return "stopped while waiting to retry: " + e.Err.Error()
	}
	return "stopped: " + e.Err.Error()
}

func (e *StoppedError) Unwrap() error { return e.Err }

// Retry calls attempt (with its 1-based number) until it succeeds, fails for good, MaxAttempts
// are made or ctx ends. attempt returns its error and whether trying again could help; after a
// failure worth retrying, retrying is told the error and the pause before the next attempt.
// Retry returns how many attempts were made and nil, the last attempt's error, or a
// *StoppedError.
func (p Policy) Retry(ctx context.Context, attempt func(n int) (again bool, err error), retrying func(n int, wait time.Duration, err error)) (int, error) {
	sleep := p.Sleep
	if sleep == nil {
		sleep = Sleep
	}
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return n - 1, &StoppedError{Err: err}
		}
		again, err := attempt(n)
		switch {
		case err == nil:
			return n, nil
		case ctx.Err() != nil:
			return n, &StoppedError{Err: ctx.Err()}
		case !again || n >= p.MaxAttempts:
			return n, err
		}
		wait := p.Backoff(n)
		retrying(n, wait, err)
		if err := sleep(ctx, wait); err != nil {
			return n, &StoppedError{Waiting: true, Err: err}
		}
	}
}
