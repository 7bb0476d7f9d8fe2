package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 14: connections never timed out, and ~20k idle keep-alive connections exhausted the
// file descriptors so that /healthz stopped answering.

// safety bounds each wait on the server below, so that a broken server fails the test instead
// of hanging it; no assertion is about time.
const safety = 20 * time.Second

// dialRequest opens a connection to url's host and makes one keep-alive request on it.
func dialRequest(t *testing.T, url, path string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.SetDeadline(time.Now().Add(safety)))
	_, err = fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path)
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return c
}

// closedByServer reports whether the server has closed c: a read finds the end of the stream.
// A connection still open has nothing to read, which a short deadline tells.
func closedByServer(c net.Conn, wait time.Duration) bool {
	_ = c.SetReadDeadline(time.Now().Add(wait))
	_, err := c.Read(make([]byte, 1))
	return err != nil && !errors.Is(err, os.ErrDeadlineExceeded)
}

func TestIssue14IdleConnectionsDoNotStarveHealthz(t *testing.T) {
	t.Parallel()
	const max, opened = 64, 4 * 64
	url, _ := startServe(t, []string{"--max-connections", fmt.Sprint(max)}, nil)
	conns := make([]net.Conn, opened)
	for i := range conns {
		conns[i] = dialRequest(t, url, "/healthz")
	}
	client := &http.Client{Timeout: safety, Transport: &http.Transport{DisableKeepAlives: true}}
	for _, path := range []string{"/healthz", "/__admin/requests"} {
		resp, err := client.Get(url + path)
		require.NoError(t, err, path)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
	}
	closed := 0
	for _, c := range conns {
		if closedByServer(c, 50*time.Millisecond) {
			closed++
		}
	}
	assert.GreaterOrEqual(t, closed, opened-max, "the server kept more than --max-connections idle connections")
}

func TestIssue14IdleConnectionTimesOut(t *testing.T) {
	t.Parallel()
	url, _ := startServe(t, []string{"--idle-timeout", "200ms"}, nil)
	c := dialRequest(t, url, "/healthz")
	assert.True(t, closedByServer(c, safety), "an idle keep-alive connection was never closed")
}

func TestIssue14SlowBodyIsCutOff(t *testing.T) {
	t.Parallel()
	url, _ := startServe(t, []string{"--read-timeout", "300ms"}, nil)
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	require.NoError(t, err)
	defer c.Close()
	// A body shorter than its Content-Length, and then silence.
	_, err = fmt.Fprintf(c, "POST /api/content/users-auth-providers/marker/email/users/auth HTTP/1.1\r\nHost: 127.0.0.1\r\n"+
		"x-app-token: your-app-token\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"authData\":")
	require.NoError(t, err)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(safety)))
	_, err = io.ReadAll(c) // whatever the server answers, it then closes the connection
	assert.False(t, errors.Is(err, os.ErrDeadlineExceeded), "the server still waits for the body")
}
