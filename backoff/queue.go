package backoff

import (
	"context"
	"errors"
	"sync"
)

// Offer's refusals; the mail relay and the webhook dispatcher report them in their own words.
var (
	ErrQueueFull   = errors.New("backoff: queue full")
	ErrQueueClosed = errors.New("backoff: queue closed")
)

// Queue hands jobs to background workers. Offer never blocks, so the request that produced a
// job is never held up by a slow receiver; Close lets what is queued finish, or cuts it short
// when its context ends first. All methods are safe for concurrent use.
type Queue[T any] struct {
	ctx    context.Context // canceled when Close gives up waiting; aborts attempts and pauses
	cancel context.CancelFunc
	jobs   chan T
	done   chan struct{} // closed when every worker has returned

	mu     sync.Mutex
	closed bool
}

// NewQueue starts workers that take jobs in the order offered and run each with a context
// that Close cancels when it gives up waiting. size bounds the jobs waiting for a worker.
func NewQueue[T any](size, workers int, run func(ctx context.Context, job T)) *Queue[T] {
	q := &Queue[T]{jobs: make(chan T, size), done: make(chan struct{})}
	q.ctx, q.cancel = context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range q.jobs {
				run(q.ctx, j)
			}
		})
	}
	go func() {
		wg.Wait()
		q.cancel()
		close(q.done)
	}()
	return q
}

// Offer queues job, or returns ErrQueueClosed after Close and ErrQueueFull when size jobs are
// already waiting.
func (q *Queue[T]) Offer(job T) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return ErrQueueClosed
	}
	select {
	case q.jobs <- job:
		return nil
	default:
		return ErrQueueFull
	}
}

// Cap reports how many jobs may wait for a worker.
func (q *Queue[T]) Cap() int { return cap(q.jobs) }

// Closed reports whether Close has been called.
func (q *Queue[T]) Closed() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.closed
}

// Close stops accepting jobs and waits until the workers have run every queued one. If ctx
// ends first, the context the jobs run with is canceled, and ctx.Err() is returned once the
// workers have stopped. Close may be called more than once.
func (q *Queue[T]) Close(ctx context.Context) error {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		close(q.jobs)
	}
	q.mu.Unlock()

	select {
	case <-q.done:
		return nil
	case <-ctx.Done():
		q.cancel()
		<-q.done
		return ctx.Err()
	}
}
