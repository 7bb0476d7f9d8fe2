package backoff

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQueueRunsJobsInOrderAndCloseWaitsForThem(t *testing.T) {
	t.Parallel()
	var got []int
	q := NewQueue(3, 1, func(_ context.Context, n int) { got = append(got, n) })
	for n := range 3 {
		require.NoError(t, q.Offer(n))
	}
	require.NoError(t, q.Close(t.Context()))
	assert.Equal(t, []int{0, 1, 2}, got)
	assert.True(t, q.Closed())
	assert.ErrorIs(t, q.Offer(3), ErrQueueClosed)
	require.NoError(t, q.Close(t.Context()), "a second Close")
}

func TestQueueRefusesWhatDoesNotFit(t *testing.T) {
	t.Parallel()
	started, release := make(chan struct{}), make(chan struct{})
	q := NewQueue(1, 1, func(_ context.Context, n int) {
		if n == 0 {
			close(started)
			<-release
		}
	})
	assert.Equal(t, 1, q.Cap())
	require.NoError(t, q.Offer(0))
	<-started
	require.NoError(t, q.Offer(1), "waits for the busy worker")
	assert.ErrorIs(t, q.Offer(2), ErrQueueFull)
	close(release)
	require.NoError(t, q.Close(t.Context()))
}

func TestQueueCloseCutsJobsShortWhenItsContextEnds(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	var cause error
	q := NewQueue(1, 1, func(ctx context.Context, _ int) {
		close(started)
		<-ctx.Done()
		cause = ctx.Err()
	})
	require.NoError(t, q.Offer(0))
	<-started
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.ErrorIs(t, q.Close(ctx), context.Canceled)
	assert.ErrorIs(t, cause, context.Canceled, "the job's context ends with Close's")
}

// A job put back with Later holds no worker through its pause: the one worker runs the next
// jobs meanwhile, the job in its pause counts against the size, and Close waits for it.
func TestLaterFreesTheWorkerDuringThePause(t *testing.T) {
	t.Parallel()
	runs := make(chan string, 4)
	paused, resume, release := make(chan struct{}), make(chan struct{}), make(chan struct{})
	var q *Queue[string]
	q = NewQueue(2, 1, func(_ context.Context, job string) {
		runs <- job
		switch job {
		case "retry":
			q.Later("retried", time.Hour, func(context.Context, time.Duration) error {
				close(paused)
				<-resume
				return nil
			})
		case "next":
			<-release
		}
	})
	require.NoError(t, q.Offer("retry"))
	<-paused
	require.NoError(t, q.Offer("next"))
	assert.Equal(t, "retry", <-runs)
	assert.Equal(t, "next", <-runs, "runs while the other job pauses")
	require.NoError(t, q.Offer("third"))
	assert.ErrorIs(t, q.Offer("fourth"), ErrQueueFull, "one queued and one pausing fill a size of 2")

	closed := make(chan error)
	go func() { closed <- q.Close(t.Context()) }()
	close(release)
	close(resume)
	require.NoError(t, <-closed)
	assert.ElementsMatch(t, []string{"third", "retried"}, []string{<-runs, <-runs})
}

func TestCloseEndsThePausesWhenItsContextEnds(t *testing.T) {
	t.Parallel()
	var stopped error
	var q *Queue[int]
	q = NewQueue(1, 1, func(ctx context.Context, n int) {
		if n == 0 {
			q.Later(1, time.Hour, nil)
			return
		}
		stopped = ctx.Err()
	})
	require.NoError(t, q.Offer(0))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.ErrorIs(t, q.Close(ctx), context.Canceled)
	assert.ErrorIs(t, stopped, context.Canceled, "the job put back ran with the ended context")
}
