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

// Serve runs srv on ln until ctx ends, then shuts it down within timeout. drain, if given, runs
// before the listener closes, so readiness probes fail while requests in flight finish. An error
// of Serve itself ends it at once.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener, timeout time.Duration, drain ...func()) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	for _, f := range drain {
		f()
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
