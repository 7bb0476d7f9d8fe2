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

// serving runs Serve with drain on a new loopback listener; cancel starts the shutdown.
func serving(t *testing.T, h http.HandlerFunc, drain graceful.Drain) (url string, cancel context.CancelFunc, done <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	errc := make(chan error, 1)
	go func() { errc <- graceful.Serve(ctx, &http.Server{Handler: h}, ln, time.Second, drain) }()
	return "http://" + ln.Addr().String(), cancel, errc
}

func TestServeAnswersUntilCanceledThenDrainsAndStops(t *testing.T) {
	t.Parallel()
	var drained atomic.Bool
	url, cancel, done := serving(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) },
		graceful.Drain{Start: func() { drained.Store(true) }})

	resp, err := http.Get(url)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusTeapot, resp.StatusCode)
	assert.False(t, drained.Load(), "drain runs only once the context ends")

	cancel()
	assert.NoError(t, <-done)
	assert.True(t, drained.Load())
	assertGone(t, http.DefaultClient, url, http.StatusTeapot, "the listener is closed after a shutdown")
}

// With a drain delay the listener stays open after the drain started: a probe on a new
// connection sees the drain, then connections are refused.
func TestServeKeepsAcceptingForTheDrainDelay(t *testing.T) {
	t.Parallel()
	var draining atomic.Bool
	url, cancel, done := serving(t, func(w http.ResponseWriter, r *http.Request) {
		if draining.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}, graceful.Drain{Start: func() { draining.Store(true) }, Delay: 300 * time.Millisecond})
	cancel()
	require.Eventually(t, draining.Load, time.Second, time.Millisecond)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(url)
	require.NoError(t, err, "a new connection is accepted during the delay")
	resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.NoError(t, <-done)
	assertGone(t, client, url, http.StatusServiceUnavailable, "refused after the delay")
}

// assertGone checks that the server that answered status at url no longer does. The port may
// be handed to a parallel test's server once it is closed, so an answer of another status does
// not count against it.
func assertGone(t *testing.T, client *http.Client, url string, status int, msg string) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		return
	}
	resp.Body.Close()
	assert.NotEqual(t, status, resp.StatusCode, msg)
}

func TestServeReturnsTheErrorOfAListenerThatFails(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	require.NoError(t, ln.Close())
	err = graceful.Serve(t.Context(), &http.Server{}, ln, time.Second, graceful.Drain{})
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
	go func() { done <- graceful.Serve(ctx, srv, ln, time.Millisecond, graceful.Drain{}) }()
	go func() {
		if resp, err := http.Get("http://" + ln.Addr().String()); err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	cancel()
	assert.ErrorIs(t, <-done, context.DeadlineExceeded)
}
