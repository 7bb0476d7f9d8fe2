package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/internal/testkit"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/mocktest"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// envMap is a getenv over m.
func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// parseWith parses args and env for command c into the config define binds, as run would.
func parseWith[T any](c *command, define func(*flags, *T), args []string, env map[string]string) (T, []string, error) {
	var cfg T
	f := newFlags(c.name)
	define(f, &cfg)
	positional, err := c.parseDefined(f, args, envMap(env))
	return cfg, positional, err
}

// runCmd runs the command line args with env and returns its output.
func runCmd(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = run(t.Context(), args, envMap(env), &out, &errb)
	return out.String(), errb.String(), err
}

// exitCode is the code main exits with for err.
func exitCode(t *testing.T, err error) int {
	t.Helper()
	if err == nil {
		return 0
	}
	var exit exitError
	require.ErrorAs(t, err, &exit)
	return exit.code
}

// started is a long-running command (proxy, replay, serve) run in process.
type started struct {
	header []string // the first lines it printed
	out    *testkit.Buffer
	logs   *testkit.Buffer
	stop   func() error
}

// startCommand runs args until the test ends (or stop is called) and returns once the command
// has printed its first n lines, which it does after it listens.
func startCommand(t *testing.T, n int, args ...string) *started {
	t.Helper()
	return startCommandEnv(t, nil, n, args...)
}

// startCommandEnv is startCommand with the environment env.
func startCommandEnv(t *testing.T, env map[string]string, n int, args ...string) *started {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	s := &started{out: &testkit.Buffer{}, logs: &testkit.Buffer{}}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, args, envMap(env), pw, s.logs)
		_ = pw.Close()
	}()
	copied := make(chan struct{})
	var once sync.Once
	var result error
	// stop returns once the command has ended and all it printed is in out.
	s.stop = func() error {
		once.Do(func() {
			cancel()
			result = <-done
			<-copied
		})
		return result
	}
	t.Cleanup(func() { _ = s.stop() })
	br := bufio.NewReader(pr)
	for range n {
		line, err := br.ReadString('\n')
		if err != nil {
			close(copied) // nothing left to copy; stop must not wait for it
		}
		require.NoError(t, err, "%v printed %q; logs: %s", args, s.header, s.logs.String())
		s.header = append(s.header, strings.TrimRight(line, "\n"))
	}
	go func() {
		defer close(copied)
		_, _ = io.Copy(s.out, br)
	}()
	return s
}

// headerValue returns what follows prefix on a header line.
func (s *started) headerValue(t *testing.T, prefix string) string {
	t.Helper()
	for _, l := range s.header {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), prefix); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no %q line in %q", prefix, s.header)
	return ""
}

// upstreamMock serves the default project on a real listener, optionally behind a wrapper, as
// the seed recorded it (sdk-1.0.115): the flows these tests run are the seed's.
func upstreamMock(t *testing.T, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	return upstreamMockOf(t, sandbox.ProfileSDK115, wrap)
}

func upstreamMockOf(t *testing.T, profile sandbox.Profile, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	var wraps []func(http.Handler) http.Handler
	if wrap != nil {
		wraps = append(wraps, wrap)
	}
	ts, _ := mocktest.Start(t, mockserver.Options{Sandbox: sandbox.Options{Profile: profile}}, wraps...)
	return ts.URL
}

// startServe runs the serve command in process and returns its URL and logs once it listens.
func startServe(t *testing.T, args []string, env map[string]string) (string, *testkit.Buffer) {
	t.Helper()
	s, url := startServeCommand(t, args, env)
	return url, s.logs
}

// startServeCommand is startServe for a test that also stops the server.
func startServeCommand(t *testing.T, args []string, env map[string]string) (*started, string) {
	t.Helper()
	s := startCommandEnv(t, env, 1, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	url, ok := strings.CutPrefix(s.header[0], "oneentry-mock listening on ")
	require.True(t, ok, "first line %q", s.header[0])
	return s, url
}

// seedAppToken opens the default sandbox of the embedded fixtures.
const seedAppToken = "your-app-token"

// appCall calls url as a client of the default sandbox, with body as JSON when not empty.
func appCall(t *testing.T, method, url, body string) (int, []byte) {
	t.Helper()
	return testkit.Call(t, http.DefaultClient, method, url, body, "x-app-token", seedAppToken)
}

// getJSON decodes the 200 answer of a GET into v; false otherwise. It does not fail the test,
// so that a require.Eventually condition may call it.
func getJSON(url string, v any) bool {
	resp, err := http.Get(url)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	return resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(v) == nil
}
