package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// On Windows the watch waits on the process itself: it keeps waiting while the process runs
// and the context lasts, leaves off when the context ends, and reports the process's end.
func TestWaitForParentOnWindows(t *testing.T) {
	t.Parallel()
	s := startServeChild(t, "--log-level", "warn")
	ctx, cancel := context.WithCancel(t.Context())
	type result struct {
		ended bool
		err   error
	}
	wait := func(ctx context.Context) <-chan result {
		done := make(chan result, 1)
		go func() {
			ended, err := waitForParent(ctx, s.cmd.Process.Pid)
			done <- result{ended, err}
		}()
		return done
	}

	cancel()
	assert.Equal(t, result{false, nil}, <-wait(ctx), "left off with its context, the process still running")

	watching := wait(t.Context())
	require.NoError(t, s.cmd.Process.Kill())
	assert.Equal(t, result{true, nil}, <-watching, "saw the process end")
}
