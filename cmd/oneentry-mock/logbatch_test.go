package main

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/internal/testkit"
)

// Lines wait for the batch and then arrive whole and in order; a full batch goes at once, and
// Flush sends what waits.
func TestLogBatchWritesLinesTogether(t *testing.T) {
	t.Parallel()
	out := &testkit.Buffer{}
	b := &logBatch{out: out}
	_, _ = b.Write([]byte("one\n"))
	_, _ = b.Write([]byte("two\n"))
	assert.Empty(t, out.String(), "the lines wait for the batch")
	require.Eventually(t, func() bool { return out.String() == "one\ntwo\n" }, 5*time.Second, logBatchDelay/10)

	_, _ = b.Write([]byte(strings.Repeat("x", logBatchSize) + "\n"))
	assert.Len(t, out.String(), len("one\ntwo\n")+logBatchSize+1, "a full batch is written at once")

	_, _ = b.Write([]byte("three\n"))
	b.Flush()
	assert.True(t, strings.HasSuffix(out.String(), "x\nthree\n"))
}

// Lines written at once from many goroutines all arrive, none torn.
func TestLogBatchKeepsConcurrentLinesWhole(t *testing.T) {
	t.Parallel()
	out := &testkit.Buffer{}
	b := &logBatch{out: out}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 500 {
				_, _ = b.Write([]byte("a line of the request log\n"))
			}
		})
	}
	wg.Wait()
	b.Flush()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	assert.Len(t, lines, 8*500)
	for _, l := range lines {
		require.Equal(t, "a line of the request log", l)
	}
}
