package graceful_test

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/internal/graceful"
)

func TestServeAnswersUntilCanceledThenDrainsAndStops(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var drained atomic.Bool
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })}
	done := make(chan error, 1)
	go func() { done <- graceful.Serve(ctx, srv, ln, time.Second, func() { drained.Store(true) }) }()

	resp, err := http.Get("http://" + ln.Addr().String())
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusTeapot, resp.StatusCode)
	assert.False(t, drained.Load(), "drain runs only once the context ends")

	cancel()
	assert.NoError(t, <-done)
	assert.True(t, drained.Load())
	_, err = http.Get("http://" + ln.Addr().String())
	assert.Error(t, err, "the listener is closed after a shutdown")
}

func TestServeReturnsTheErrorOfAListenerThatFails(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	require.NoError(t, ln.Close())
	err = graceful.Serve(t.Context(), &http.Server{}, ln, time.Second)
	assert.ErrorIs(t, err, net.ErrClosed)
}

// A request still running when the shutdown timeout ends makes Serve fail, which the command
// turns into exit code 1: docs/container.md says so for a docker stop that outlasts it.
func TestServeFailsWhenARequestOutlastsTheTimeout(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	started, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
	})}
	done := make(chan error, 1)
	go func() { done <- graceful.Serve(ctx, srv, ln, time.Millisecond) }()
	go func() {
		if resp, err := http.Get("http://" + ln.Addr().String()); err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	cancel()
	assert.ErrorIs(t, <-done, context.DeadlineExceeded)
}
