// Package graceful runs an HTTP server until its context ends and then shuts it down, the one
// way every server of the module (the sandbox, the proxy, replay and the bench's bare server)
// stops.
package graceful

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Drain is what a server does between the end of its context and the closing of its
// listener.
type Drain struct {
	// Start runs first: readiness probes fail from then on.
	Start func()
	// Delay keeps the listener open that long after Start, so a load balancer that polls the
	// probe stops sending before connections are refused.
	Delay time.Duration
}

// Serve runs srv on ln until ctx ends, then drains it as drain says and shuts it down within
// timeout, letting requests in flight finish. An error of Serve itself ends it at once.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener, timeout time.Duration, drain Drain) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	if drain.Start != nil {
		drain.Start()
	}
	if drain.Delay > 0 {
		select {
		case err := <-errc:
			return err
		case <-time.After(drain.Delay):
		}
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
