package main

import (
	"context"
	"log/slog"
	"os"
	"time"
)

// parentCheckInterval is how often --exit-with-parent looks for its parent.
const parentCheckInterval = 500 * time.Millisecond

// untilParentEnds returns a context that ends with ctx or once the process that started the
// server has ended. A wrapper killed by a signal runs no clean-up of its own, so this is what
// stops its server.
func untilParentEnds(ctx context.Context, logger *slog.Logger) (context.Context, context.CancelFunc) {
	parent := os.Getppid()
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		ended, err := waitForParent(ctx, parent)
		switch {
		case err != nil:
			logger.Warn("cannot watch the process that started the server; --exit-with-parent is off", "parent", parent, "err", err)
		case ended:
			logger.Info("the process that started the server has ended; shutting down", "parent", parent)
			cancel()
		}
	}()
	return ctx, cancel
}
