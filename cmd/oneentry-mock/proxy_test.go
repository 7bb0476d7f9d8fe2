package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/client"
	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// lockedBuffer is written by a command's goroutine and read by the test.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// started is a long-running command (proxy, replay, serve) run in process.
type started struct {
	header []string // the first lines it printed
	out    *lockedBuffer
	logs   *lockedBuffer
	stop   func() error
}

// startCommand runs args until the test ends (or stop is called) and returns once the command
// has printed its first n lines, which it does after it listens.
func startCommand(t *testing.T, n int, args ...string) *started {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	s := &started{out: &lockedBuffer{}, logs: &lockedBuffer{}}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, args, func(string) string { return "" }, pw, s.logs)
		_ = pw.Close()
	}()
	var once sync.Once
	var result error
	s.stop = func() error {
		once.Do(func() {
			cancel()
			result = <-done
		})
		return result
	}
	t.Cleanup(func() { _ = s.stop() })
	br := bufio.NewReader(pr)
	for range n {
		line, err := br.ReadString('\n')
		require.NoError(t, err, "%v printed %q; logs: %s", args, s.header, s.logs.String())
		s.header = append(s.header, strings.TrimRight(line, "\n"))
	}
	go func() { _, _ = io.Copy(s.out, br) }()
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

// upstreamMock serves the default project on a real listener, optionally behind a wrapper.
func upstreamMock(t *testing.T, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	fx, err := store.LoadFixtures(fixtures.FS)
	require.NoError(t, err)
	srv, err := mockserver.New(mockserver.Options{Sandbox: sandbox.Options{Fixtures: fx}})
	require.NoError(t, err)
	var h http.Handler = srv
	if wrap != nil {
		h = wrap(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}

func TestParseProxyConfig(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		args    []string
		env     map[string]string
		wantErr string
	}{
		"no upstream":        {args: []string{"--record", "d"}, wantErr: "upstream: want an http(s) URL"},
		"relative":           {args: []string{"--upstream", "project.oneentry.cloud", "--record", "d"}, wantErr: "upstream"},
		"no record":          {args: []string{"--upstream", "https://p.oneentry.cloud"}, wantErr: "record: a folder"},
		"bad interval":       {args: []string{"--upstream", "https://p.oneentry.cloud", "--record", "d", "--flush-interval", "0s"}, wantErr: "flush-interval: must be positive"},
		"bad profile":        {args: []string{"--upstream", "https://p.oneentry.cloud", "--record", "d", "--compat", "v9"}, wantErr: "compat"},
		"stray argument":     {args: []string{"--upstream", "https://p.oneentry.cloud", "--record", "d", "x"}, wantErr: "unexpected arguments"},
		"env is the default": {env: map[string]string{"ONEENTRY_MOCK_UPSTREAM": "https://p.oneentry.cloud", "ONEENTRY_MOCK_RECORD": "d"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg, err := parseProxyConfig(tc.args, func(k string) string { return tc.env[k] }, io.Discard)
			if tc.wantErr != "" {
				assert.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "https://p.oneentry.cloud", cfg.Upstream.String())
			assert.Equal(t, "live-2026", cfg.Compat, "a recording is of today's API unless told otherwise")
		})
	}
}

// TestProxyCommandRecordsAndFlushesOnShutdown runs `proxy` in front of a mock whose form answer
// breaks the contract: the breach is logged as it passes, and on shutdown the capsule holds every
// exchange with no secret in it.
func TestProxyCommandRecordsAndFlushesOnShutdown(t *testing.T) {
	t.Parallel()
	up := upstreamMock(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, "/forms/marker/tickets_form") {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			var form map[string]any
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &form))
			delete(form, "identifier")
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(form)
		})
	})
	dir := filepath.Join(t.TempDir(), "rec")
	p := startCommand(t, 3, "proxy", "--upstream", up, "--record", dir, "--addr", "127.0.0.1:0", "--flush-interval", "1h")
	proxyURL, ok := strings.CutPrefix(p.header[0], "oneentry-mock proxy listening on ")
	require.True(t, ok, p.header[0])
	path := p.headerValue(t, "recording:")
	assert.Equal(t, dir, filepath.Dir(path))
	empty, err := capsule.Load(path)
	require.NoError(t, err, "the capsule file is valid from the start")
	assert.Empty(t, empty.Exchanges)

	c, err := client.New(proxyURL, client.WithAppToken("your-app-token"))
	require.NoError(t, err)
	auth, err := c.Auth(t.Context(), "email", client.AuthRequest{AuthData: []client.AuthData{{Marker: "email_reg", Value: "your-user@email.com"}, {Marker: "password_reg", Value: "123456"}}})
	require.NoError(t, err)
	_, _ = c.Form(t.Context(), "tickets_form")

	require.NoError(t, p.stop())
	assert.Contains(t, p.logs.String(), `msg="contract violation"`)
	assert.Contains(t, p.logs.String(), "identifier")
	assert.Contains(t, p.out.String(), "recorded 2 exchanges to "+path)

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	for _, secret := range []string{"your-app-token", "your-user@email.com", `"123456"`, auth.AccessToken, auth.RefreshToken} {
		assert.NotContains(t, string(data), secret)
	}
	got, err := capsule.Load(path)
	require.NoError(t, err)
	require.Len(t, got.Exchanges, 2)
	assert.Equal(t, "live-2026", got.Profile)
	assert.Equal(t, "GET /api/content/forms/marker/tickets_form?langCode=en_US → 200", got.Exchanges[1].String())
}
