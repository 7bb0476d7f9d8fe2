//go:build !windows

package main

import (
	"context"
	"os"
	"time"
)

// waitForParent returns true once parent has ended, or false once ctx ends. On Unix an orphan
// is handed to another process (init or a subreaper), which is how the end of its parent shows.
func waitForParent(ctx context.Context, parent int) (bool, error) {
	return waitForNewParent(ctx, parent, os.Getppid, parentCheckInterval), nil
}

// waitForNewParent returns true once getppid, asked every interval, names another process than
// parent, or false once ctx ends.
func waitForNewParent(ctx context.Context, parent int, getppid func() int, interval time.Duration) bool {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	reparented := false
	every(ctx, interval, func() {
		if getppid() != parent {
			reparented = true
			stop()
		}
	})
	return reparented
}
