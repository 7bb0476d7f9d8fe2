package main

// The capsule commands: proxy records one, replay serves it, fixtures from-capsule derives a
// sandbox from it.

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/client"
	"github.com/oneentry-mock/oneentry-mock/client/clienttest"
	"github.com/oneentry-mock/oneentry-mock/internal/testkit"
)

func TestParseProxyConfig(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		args    []string
		env     map[string]string
		wantErr string
	}{
		"no upstream":        {args: []string{"--record", "d"}, wantErr: "--upstream is required"},
		"relative":           {args: []string{"--upstream", "project.oneentry.cloud", "--record", "d"}, wantErr: "upstream"},
		"no record":          {args: []string{"--upstream", "https://p.oneentry.cloud"}, wantErr: "--record is required"},
		"bad interval":       {args: []string{"--upstream", "https://p.oneentry.cloud", "--record", "d", "--flush-interval", "0s"}, wantErr: "-flush-interval: must be positive"},
		"bad profile":        {args: []string{"--upstream", "https://p.oneentry.cloud", "--record", "d", "--compat", "v9"}, wantErr: "compat"},
		"stray argument":     {args: []string{"--upstream", "https://p.oneentry.cloud", "--record", "d", "x"}, wantErr: "unexpected arguments"},
		"env is the default": {env: map[string]string{"ONEENTRY_MOCK_UPSTREAM": "https://p.oneentry.cloud", "ONEENTRY_MOCK_RECORD": "d"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg, _, err := parseWith(proxyCommand, proxyFlags, tc.args, tc.env)
			if tc.wantErr != "" {
				assert.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "https://p.oneentry.cloud", cfg.Upstream.String())
			assert.Equal(t, "live", cfg.Profile.Name, "a recording is of today's API unless told otherwise")
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
	assert.Equal(t, "live", got.Profile)
	assert.Equal(t, "GET /api/content/forms/marker/tickets_form?langCode=en_US → 200", got.Exchanges[1].String())
}

const seedCapsuleFile = "../../fixtures/recorded/seed.capsule.json"

// TestReplayCommandServesTheSeed replays the seed capsule and runs the seed's requests against it
// with the reference client.
func TestReplayCommandServesTheSeed(t *testing.T) {
	t.Parallel()
	r := startCommand(t, 2, "replay", seedCapsuleFile, "--addr", "127.0.0.1:0", "--log-level", "warn")
	base, ok := strings.CutPrefix(r.header[0], "oneentry-mock replay listening on ")
	require.True(t, ok, r.header[0])
	assert.Contains(t, r.header[1], "(5 exchanges, profile sdk-1.0.115)")

	ctx := t.Context()
	c, err := client.New(base, client.WithAppToken("any"))
	require.NoError(t, err)
	auth, err := c.Auth(ctx, "email", client.AuthRequest{AuthData: []client.AuthData{{Marker: "email_reg", Value: "me@shop.io"}, {Marker: "password_reg", Value: "pw"}}})
	require.NoError(t, err)
	assert.Equal(t, "user1@example.test", auth.UserIdentifier)
	form, err := c.Form(ctx, "tickets_form")
	require.NoError(t, err)
	assert.Equal(t, 9, form.ID)
	order, err := c.CreateOrder(ctx, "tickets", client.OrderInput{
		FormIdentifier: "tickets_form", PaymentAccountIdentifier: "cash",
		FormData: []client.FormDataItem{{Marker: "tickets", Type: "entity", Value: []string{"p-8-11"}}},
		Products: []client.OrderProductInput{{ProductID: 11, Quantity: 2}},
	})
	require.NoError(t, err, "values differ from the recording, the shape does not")
	assert.Equal(t, 92, order.ID)
	session, err := c.CreateSession(ctx, order.ID, client.SessionTypeSession, false)
	require.NoError(t, err)
	assert.Equal(t, 49, session.ID)
	byOrder, err := c.SessionsByOrder(ctx, 92)
	require.NoError(t, err)
	require.Len(t, byOrder, 1)
	assert.Equal(t, "waiting", byOrder[0].Status)

	_, err = c.UpdateSession(ctx, 49, client.SessionUpdate{Status: "expired_ticket"})
	var apiErr *client.APIError
	require.True(t, errors.As(err, &apiErr), "the seed recorded no PUT: %v", err)
	assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
	assert.Contains(t, apiErr.Message, "no recorded exchange matches PUT /api/content/payments/sessions/49; nearest is #")

	resp, err := http.Post(base+"/__admin/reset", "application/json", nil)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	require.NoError(t, r.stop())
}

func TestParseReplayConfig(t *testing.T) {
	t.Parallel()
	cfg, args, err := parseWith(replayCommand, replayFlags, []string{"--addr", "127.0.0.1:9", "file.json", "--log-format", "json"}, nil)
	require.NoError(t, err, "flags go before and after the file")
	assert.Equal(t, []string{"file.json"}, args)
	assert.Equal(t, "127.0.0.1:9", cfg.Addr)
	assert.Equal(t, "json", cfg.LogFormat)

	_, _, err = parseWith(replayCommand, replayFlags, nil, nil)
	assert.ErrorContains(t, err, "want CAPSULE, got 0 arguments")
	_, _, err = parseWith(replayCommand, replayFlags, []string{"a", "b"}, nil)
	assert.ErrorContains(t, err, "got 2")

	err = run(t.Context(), []string{"replay", "missing.capsule.json", "--addr", "127.0.0.1:0"}, func(string) string { return "" }, io.Discard, io.Discard)
	assert.ErrorContains(t, err, "missing.capsule.json")
	_, err = capsule.Load(seedCapsuleFile)
	require.NoError(t, err)
}

// TestCapsuleToSandbox goes through the commands a team would use: record the ticket flow with
// `proxy` in front of a sandbox, turn the capsule into fixtures with `fixtures from-capsule`, serve
// them with `serve --fixtures` and run the flow against that with the redacted credentials.
func TestCapsuleToSandbox(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	p := startCommand(t, 3, "proxy", "--upstream", upstreamMock(t, nil), "--record", filepath.Join(dir, "rec"), "--addr", "127.0.0.1:0", "--compat", "sdk-1.0.115")
	proxyURL, _ := strings.CutPrefix(p.header[0], "oneentry-mock proxy listening on ")
	path := p.headerValue(t, "recording:")
	clienttest.RunTicketFlow(t, proxyURL, "your-app-token", "your-user@email.com", "123456", nil)
	require.NoError(t, p.stop())

	out := filepath.Join(dir, "fixtures")
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(ctx, []string{"fixtures", "from-capsule", path, "--out", out}, func(string) string { return "" }, &stdout, &stderr))
	assert.Contains(t, stdout.String(), "wrote 7 fixture files to "+out)
	assert.Contains(t, stdout.String(), "app token: <app-token-1>")
	assert.Contains(t, stdout.String(), "login:     user1@example.test / <password>")
	assert.Contains(t, stderr.String(), "note: ")

	err := run(ctx, []string{"fixtures", "from-capsule", path, "--out", out}, func(string) string { return "" }, io.Discard, io.Discard)
	assert.ErrorContains(t, err, "use --force to overwrite")
	require.NoError(t, run(ctx, []string{"fixtures", "from-capsule", "--force", path, "--out", out}, func(string) string { return "" }, io.Discard, io.Discard))

	s := startCommand(t, 1, "serve", "--addr", "127.0.0.1:0", "--fixtures", out, "--check-responses", "--compat", "sdk-1.0.115")
	sandbox, ok := strings.CutPrefix(s.header[0], "oneentry-mock listening on ")
	require.True(t, ok, s.header[0])
	flow := clienttest.RunTicketFlow(t, sandbox, "<app-token-1>", "user1@example.test", capsule.PasswordPlaceholder, nil)
	assert.Equal(t, 92, flow.OrderID, "the recorded ids go on")
	assert.Equal(t, int64(10000), flow.OrderTotalCents)
	assert.Equal(t, 49, flow.SessionID)
}

func TestFixturesCommandErrors(t *testing.T) {
	t.Parallel()
	env := func(string) string { return "" }
	tests := map[string]struct {
		args []string
		want string
	}{
		"no subcommand": {[]string{"fixtures"}, "exit 2"},
		"unknown":       {[]string{"fixtures", "to-capsule"}, `unknown command "fixtures to-capsule"`},
		"no capsule":    {[]string{"fixtures", "from-capsule", "--out", "x"}, "want CAPSULE, got 0 arguments"},
		"no out":        {[]string{"fixtures", "from-capsule", seedCapsuleFile}, "--out is required"},
		"missing file":  {[]string{"fixtures", "from-capsule", "nope.json", "--out", "x"}, "nope.json"},
		"not a capsule": {[]string{"fixtures", "from-capsule", "../../fixtures/project.json", "--out", "x"}, "not a capsule"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := run(t.Context(), tc.args, env, io.Discard, io.Discard)
			assert.ErrorContains(t, err, tc.want)
		})
	}
	out := filepath.Join(t.TempDir(), "seed")
	require.NoError(t, run(t.Context(), []string{"fixtures", "from-capsule", seedCapsuleFile, "--out", out}, env, io.Discard, io.Discard))
	entries, err := os.ReadDir(out)
	require.NoError(t, err)
	assert.Len(t, entries, 7, "the seed capsule alone makes a sandbox")
}

func TestReplayLoopFlag(t *testing.T) {
	t.Parallel()
	cfg, _, err := parseWith(replayCommand, replayFlags, []string{"file.json", "--loop"}, nil)
	require.NoError(t, err)
	assert.True(t, cfg.Loop)
	cfg, _, err = parseWith(replayCommand, replayFlags, []string{"file.json"}, map[string]string{"ONEENTRY_MOCK_LOOP": "true"})
	require.NoError(t, err)
	assert.True(t, cfg.Loop, "the variable sets it too")
	assert.Equal(t, "127.0.0.1:8080", cfg.Addr)
}

// The seed recorded one sign-in: a second is answered only by a replay that starts over.
func TestReplayCommandLoops(t *testing.T) {
	t.Parallel()
	const login = `{"authData":[{"marker":"email_reg","value":"me@shop.io"},{"marker":"password_reg","value":"pw"}]}`
	for loop, second := range map[bool]int{false: http.StatusNotFound, true: http.StatusCreated} {
		args := []string{"replay", seedCapsuleFile, "--addr", "127.0.0.1:0", "--log-level", "warn"}
		if loop {
			args = append(args, "--loop")
		}
		r := startCommand(t, 2, args...)
		base, ok := strings.CutPrefix(r.header[0], "oneentry-mock replay listening on ")
		require.True(t, ok, r.header[0])
		for i, want := range []int{http.StatusCreated, second} {
			status, body := testkit.Call(t, http.DefaultClient, http.MethodPost, base+usersPath+"auth", login, "x-app-token", "any")
			assert.Equal(t, want, status, "--loop %t, sign-in %d: %s", loop, i+1, body)
		}
	}
}

// TestProxyCommandAnswersASilentUpstream runs `proxy` in front of an upstream that reads the
// request and never answers: the client hears a 504 before --write-timeout would cut the
// connection, and nothing is recorded.
func TestProxyCommandAnswersASilentUpstream(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		<-release
	}))
	t.Cleanup(up.Close)
	t.Cleanup(func() { close(release) }) // runs first: Close waits for the handler

	dir := filepath.Join(t.TempDir(), "rec")
	p := startCommand(t, 3, "proxy", "--upstream", up.URL, "--record", dir, "--addr", "127.0.0.1:0", "--write-timeout", "1s")
	proxyURL, _ := strings.CutPrefix(p.header[0], "oneentry-mock proxy listening on ")
	path := p.headerValue(t, "recording:")

	// The client's own limit only keeps a regression from hanging the test run.
	c := &http.Client{Timeout: time.Minute}
	resp, err := c.Get(proxyURL + "/api/content/forms/marker/tickets_form")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusGatewayTimeout, resp.StatusCode)
	assert.Contains(t, string(body), `"message":"oneentry-mock proxy: upstream did not answer within 900ms"`)

	require.NoError(t, p.stop())
	got, err := capsule.Load(path)
	require.NoError(t, err)
	assert.Empty(t, got.Exchanges)
}

func TestUpstreamTimeoutLeavesRoomForTheAnswer(t *testing.T) {
	t.Parallel()
	for write, want := range map[time.Duration]time.Duration{
		defaultWriteTimeout: 85 * time.Second,
		10 * time.Second:    9 * time.Second,
		time.Second:         900 * time.Millisecond,
	} {
		assert.Equal(t, want, upstreamTimeout(write), "write timeout %s", write)
	}
}

// Proxies started in the same second on the same folder each get a file of their own: the name
// is claimed when it is picked, not merely found free.
func TestCapsulePathClaimsTheName(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	const proxies = 8
	paths := make(chan string, proxies)
	var wg sync.WaitGroup
	for range proxies {
		wg.Go(func() {
			p, err := capsulePath(dir, start)
			assert.NoError(t, err)
			paths <- p
		})
	}
	wg.Wait()
	close(paths)
	seen := map[string]bool{}
	for p := range paths {
		assert.False(t, seen[p], "%s handed out twice", p)
		seen[p] = true
	}
	assert.True(t, seen[filepath.Join(dir, "capsule-20260101T120000Z.json")])
	assert.True(t, seen[filepath.Join(dir, "capsule-20260101T120000Z-8.json")])

	_, err := capsulePath(filepath.Join(dir, "capsule-20260101T120000Z.json", "sub"), start)
	assert.ErrorContains(t, err, "record: ", "a folder that cannot be made is an error, not a loop")
}

// The flag table of capsule/README.md's "Recording" section gives the proxy's own defaults and
// variables.
func TestProxyFlagTableMatchesTheCommand(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile(filepath.Join(repoRoot, "capsule", "README.md"))
	require.NoError(t, err)
	_, section, found := strings.Cut(string(doc), "### Recording: `oneentry-mock proxy`")
	require.True(t, found)
	section, _, _ = strings.Cut(section, "\n### ")
	f := newFlags(proxyCommand.name)
	proxyCommand.flags(f, func(string) string { return "" })
	rows := regexp.MustCompile("(?m)^\\| `--([a-z-]+)` \\| `([A-Z_]+)` \\| `([^`]*)` \\|").FindAllStringSubmatch(section, -1)
	require.GreaterOrEqual(t, len(rows), 4)
	for _, row := range rows {
		name, env, def := row[1], row[2], row[3]
		fl := f.fs.Lookup(name)
		if !assert.NotNil(t, fl, "--%s is a flag of proxy", name) {
			continue
		}
		assert.Equal(t, envName(name), env, "--%s", name)
		assert.Equal(t, fl.DefValue, def, "the default of --%s", name)
	}
}

// A proxy that cannot listen (the port is taken) fails before it records: no capsule file, and
// not even the folder, is left in --record.
func TestProxyOnATakenPortWritesNothing(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = taken.Close() })
	dir := filepath.Join(t.TempDir(), "rec")
	for range 2 {
		_, _, err := runCmd(t, nil, "proxy", "--upstream", "https://p.example", "--record", dir, "--addr", taken.Addr().String())
		var listenErr *net.OpError
		require.ErrorAs(t, err, &listenErr, "a failed run (exit 1) that names the address")
	}
	_, err = os.Stat(dir)
	assert.ErrorIs(t, err, fs.ErrNotExist, "the record folder")
}
