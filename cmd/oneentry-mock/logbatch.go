package main

import (
	"io"
	"sync"
	"time"
)

// logBatch gathers the log lines written to a file and writes them in one go, at most
// logBatchDelay after the first of them or as soon as logBatchSize bytes wait. A write per
// request line cost the server more than the request itself: a pipe or a terminal wakes its
// reader on every write.
type logBatch struct {
	out io.Writer

	mu      sync.Mutex
	buf     []byte
	pending *time.Timer // set while lines wait
}

const (
	logBatchDelay = 100 * time.Millisecond
	logBatchSize  = 32 << 10
)

func (b *logBatch) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	switch {
	case len(b.buf) >= logBatchSize:
		b.flushLocked()
	case b.pending == nil:
		b.pending = time.AfterFunc(logBatchDelay, b.Flush)
	}
	return len(p), nil
}

// Flush writes what waits now; a command calls it before it returns.
func (b *logBatch) Flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
}

func (b *logBatch) flushLocked() {
	if b.pending != nil {
		b.pending.Stop()
		b.pending = nil
	}
	if len(b.buf) == 0 {
		return
	}
	// A log that cannot be written has nowhere to say so; slog drops such errors too.
	_, _ = b.out.Write(b.buf)
	if cap(b.buf) > 2*logBatchSize {
		b.buf = nil // one huge line does not keep its buffer
	} else {
		b.buf = b.buf[:0]
	}
}
