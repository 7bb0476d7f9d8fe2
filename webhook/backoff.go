package webhook

import (
	"time"

	"github.com/oneentry-mock/oneentry-mock/backoff"
)

// DefaultBackoff is the back-off used when Options.Backoff is nil: 1s, 2s, 4s, ... capped at
// one minute, with ±20% jitter. Six attempts thus span about half a minute, long enough for a
// receiver being restarted in development.
var DefaultBackoff = backoff.Jitter(backoff.Exponential(time.Second, time.Minute), 0.2)
