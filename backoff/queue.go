package backoff

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Offer's refusals; the mail relay and the webhook dispatcher report them in their own words.
var (
	ErrQueueFull   = errors.New("backoff: queue full")
	ErrQueueClosed = errors.New("backoff: queue closed")
)

// Queue hands jobs to background workers. Offer never blocks, so the request that produced a
// job is never held up by a slow receiver; Close lets what is queued finish, or cuts it short
// when its context ends first. A job that has to be tried again later is put back with Later,
// so its pause holds no worker. All methods are safe for concurrent use.
type Queue[T any] struct {
	ctx     context.Context // canceled when Close gives up waiting; aborts attempts and pauses
	cancel  context.CancelFunc
	size    int
	jobs    chan T
	drained chan struct{} // closed once Close is called and no job is left
	done    chan struct{} // closed when every worker has returned

	mu         sync.Mutex
	closed     bool
	pausing    int // jobs put back with Later whose pause has not ended
	unfinished int // jobs offered or put back whose run has not returned
}

// NewQueue starts workers that take jobs in the order offered and run each with a context
// that Close cancels when it gives up waiting. size bounds the jobs waiting for a worker or
// for the end of their pause.
func NewQueue[T any](size, workers int, run func(ctx context.Context, job T)) *Queue[T] {
	// Room for every job that may wait at once: size offered plus one put back by each
	// worker, so putting a job back never blocks.
	q := &Queue[T]{size: size, jobs: make(chan T, size+workers), drained: make(chan struct{}), done: make(chan struct{})}
	q.ctx, q.cancel = context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				select {
				case j := <-q.jobs:
					run(q.ctx, j)
					q.mu.Lock()
					q.unfinished--
					q.drainedLocked()
					q.mu.Unlock()
				case <-q.drained:
					return
				}
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
	if len(q.jobs)+q.pausing >= q.size {
		return ErrQueueFull
	}
	q.unfinished++
	q.jobs <- job
	return nil
}

// Later puts job back to run again once sleep(ctx, d) returns; nil sleep means Sleep. Called
// from a run, it lets that worker go on to other jobs meanwhile. The job counts as waiting
// until it runs, and Close waits for it; when Close gives up, the pause ends at once and the
// job runs with the ended context, so its owner can record why it stopped.
func (q *Queue[T]) Later(job T, d time.Duration, sleep func(ctx context.Context, d time.Duration) error) {
	if sleep == nil {
		sleep = Sleep
	}
	q.mu.Lock()
	q.unfinished++
	q.pausing++
	q.mu.Unlock()
	go func() {
		_ = sleep(q.ctx, d)
		q.mu.Lock()
		defer q.mu.Unlock()
		q.pausing--
		q.jobs <- job
	}()
}

// drainedLocked ends the workers once Close has been called and no job is left.
func (q *Queue[T]) drainedLocked() {
	if q.closed && q.unfinished == 0 {
		select {
		case <-q.drained:
		default:
			close(q.drained)
		}
	}
}

// Cap reports how many jobs may wait for a worker.
func (q *Queue[T]) Cap() int { return q.size }

// Closed reports whether Close has been called.
func (q *Queue[T]) Closed() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.closed
}

// Close stops accepting jobs and waits until the workers have run every queued one, and every
// one put back with Later. If ctx ends first, the context the jobs run with is canceled, and
// ctx.Err() is returned once the workers have stopped. Close may be called more than once.
func (q *Queue[T]) Close(ctx context.Context) error {
	q.mu.Lock()
	q.closed = true
	q.drainedLocked()
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
