package backoff

import (
	"context"
	"testing"

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
