package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"

	"github.com/oneentry-mock/oneentry-mock/internal/testkit"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store/bolt"
)

// childArgsEnv carries the command line of the serveProcess process, NUL-separated: the test binary
// re-runs itself as `oneentry-mock serve ...` through TestPersistChildProcess, so the process
// that gets killed runs main exactly as the released binary does, without a separate build.
const childArgsEnv = "ONEENTRY_MOCK_TEST_CHILD_ARGS"

// TestPersistChildProcess is the serveProcess process of the kill -9 test; on its own it skips.
func TestPersistChildProcess(t *testing.T) {
	args := os.Getenv(childArgsEnv)
	if args == "" {
		t.Skip("runs only as the server process of TestKill9KeepsAcknowledgedOrders")
	}
	var argv []string
	require.NoError(t, json.Unmarshal([]byte(args), &argv))
	os.Args = append([]string{"oneentry-mock"}, argv...)
	main()
}

// serveProcess is a serve process of its own.
type serveProcess struct {
	cmd    *exec.Cmd
	url    string
	stderr *testkit.Buffer
}

// startServeProcess starts `oneentry-mock serve` on dir and waits until it prints its URL.
func startServeProcess(t *testing.T, dir string) *serveProcess {
	t.Helper()
	return startServeChild(t, "--data-dir", dir, "--log-level", "warn", "--compat", "sdk-1.0.115")
}

// startServeChild starts `oneentry-mock serve` with args on a free port and waits until it
// prints its URL.
func startServeChild(t *testing.T, args ...string) *serveProcess {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, "-test.run=^TestPersistChildProcess$")
	argv, err := json.Marshal(append([]string{"serve", "--addr", "127.0.0.1:0"}, args...))
	require.NoError(t, err)
	cmd.Env = append(os.Environ(), childArgsEnv+"="+string(argv))
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	c := &serveProcess{cmd: cmd, stderr: &testkit.Buffer{}}
	cmd.Stderr = c.stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case line := <-lines:
		url, ok := strings.CutPrefix(strings.TrimSpace(line), "oneentry-mock listening on ")
		require.True(t, ok, "first line %q; stderr: %s", line, c.stderr.String())
		c.url = url
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not start; stderr: %s", c.stderr.String())
	}
	return c
}

// mockAPI is a client of the seed project on one server.
type mockAPI struct {
	url, token string
	hc         *http.Client
}

func (a mockAPI) do(ctx context.Context, method, path string, body any, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.url+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-app-token", "your-app-token")
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %w: %s", method, path, err, data)
		}
	}
	return resp.StatusCode, nil
}

func loginSeedUser(t *testing.T, url string) mockAPI {
	t.Helper()
	a := mockAPI{url: url, hc: &http.Client{Timeout: 10 * time.Second}}
	var tk struct {
		AccessToken string `json:"accessToken"`
	}
	status, err := a.do(t.Context(), http.MethodPost, "/api/content/users-auth-providers/marker/email/users/auth", map[string]any{"authData": []map[string]string{
		{"marker": "email_reg", "value": "your-user@email.com"},
		{"marker": "password_reg", "value": "123456"},
	}}, &tk)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, status)
	a.token = tk.AccessToken
	return a
}

const seedOrdersPath = "/api/content/orders-storage/marker/tickets/orders"

var seedOrder = map[string]any{
	"formIdentifier":           "tickets_form",
	"paymentAccountIdentifier": "cash",
	"formData":                 map[string]any{"en_US": []map[string]any{{"type": "entity", "marker": "tickets", "value": []string{"p-8-10"}}}},
	"products":                 []map[string]any{{"productId": 10, "quantity": 1}},
}

type createdOrder struct {
	ID int `json:"id"`
}

func TestKill9KeepsAcknowledgedOrders(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first := startServeProcess(t, dir)
	a := loginSeedUser(t, first.url)

	// Eight buyers order as fast as they can; the server is killed once 60 orders are
	// acknowledged, with requests in flight.
	const workers, killAfter = 8, 60
	var (
		mu      sync.Mutex
		acked   []int
		badResp []string
		wg      sync.WaitGroup
	)
	enough := make(chan struct{})
	var once sync.Once
	for range workers {
		wg.Go(func() {
			for {
				var o createdOrder
				status, err := a.do(t.Context(), http.MethodPost, seedOrdersPath, seedOrder, &o)
				if err != nil {
					return // the server is gone; this order was never acknowledged
				}
				mu.Lock()
				if status == http.StatusCreated {
					acked = append(acked, o.ID)
				} else {
					badResp = append(badResp, fmt.Sprint(status))
				}
				n := len(acked)
				mu.Unlock()
				if n >= killAfter {
					once.Do(func() { close(enough) })
				}
			}
		})
	}
	select {
	case <-enough:
	case <-time.After(60 * time.Second):
		t.Fatalf("only %d orders acknowledged; stderr: %s", len(acked), first.stderr.String())
	}
	require.NoError(t, first.cmd.Process.Kill()) // SIGKILL: no shutdown, no flush
	wg.Wait()
	err := first.cmd.Wait()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.False(t, exit.Exited(), "the server died of the signal, not by exiting")
	require.Empty(t, badResp, "every answered create succeeded")
	require.GreaterOrEqual(t, len(acked), killAfter)

	second := startServeProcess(t, dir)
	status, err := mockAPI{url: second.url, token: a.token, hc: a.hc}.do(t.Context(), http.MethodGet, seedOrdersPath+"/"+fmt.Sprint(acked[0]), nil, nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, status, "an access token issued before the kill is still valid")
	b := loginSeedUser(t, second.url)
	for _, id := range acked {
		var got createdOrder
		status, err := b.do(t.Context(), http.MethodGet, fmt.Sprintf("%s/%d", seedOrdersPath, id), nil, &got)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, status, "acknowledged order %d is lost", id)
		assert.Equal(t, id, got.ID)
	}
	// Orders committed but never answered may be listed too: their ids were handed out.
	highest, listed := slices.Max(acked), 0
	for offset := 0; ; offset += 100 {
		var page struct {
			Items []createdOrder `json:"items"`
			Total int            `json:"total"`
		}
		status, err = b.do(t.Context(), http.MethodGet, fmt.Sprintf("%s?offset=%d&limit=100", seedOrdersPath, offset), nil, &page)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, status)
		for _, o := range page.Items {
			highest = max(highest, o.ID)
		}
		listed += len(page.Items)
		if len(page.Items) == 0 || listed >= page.Total {
			break
		}
	}
	assert.GreaterOrEqual(t, listed, len(acked))

	var next createdOrder
	status, err = b.do(t.Context(), http.MethodPost, seedOrdersPath, seedOrder, &next)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, status)
	assert.Greater(t, next.ID, highest, "ids continue above every id handed out, none reused")
}

func TestDataDirServesOneProcessAtATime(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	url, _ := startServe(t, []string{"--data-dir", dir, "--compat", "sdk-1.0.115"}, nil)
	a := loginSeedUser(t, url)
	var o createdOrder
	status, err := a.do(t.Context(), http.MethodPost, seedOrdersPath, seedOrder, &o)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, status)

	// A second process cannot share the dir while the first holds it.
	err = run(t.Context(), []string{"serve", "--addr", "127.0.0.1:0"}, envMap(map[string]string{"ONEENTRY_MOCK_DATA_DIR": dir}), io.Discard, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "in use by another process")
}

// Sandboxes restored from the data dir count towards --max-sandboxes but are all restored,
// even beyond it: a lower limit at a restart loses no state.
func TestRestoredSandboxesBeyondTheLimit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	type sandbox struct {
		AppToken string `json:"appToken"`
	}
	createSandbox := func(url string) int {
		status, _ := testkit.Call(t, http.DefaultClient, http.MethodPost, url+"/__admin/sandboxes", "")
		return status
	}
	first, url := startServeCommand(t, []string{"--data-dir", dir, "--log-level", "warn"}, nil)
	for range 3 {
		require.Equal(t, http.StatusCreated, createSandbox(url))
	}
	before := adminGet[[]sandbox](t, url+"/__admin/sandboxes")
	require.Len(t, before, 4)
	require.NoError(t, first.stop())

	_, url = startServeCommand(t, []string{"--data-dir", dir, "--log-level", "warn", "--max-sandboxes", "2"}, nil)
	assert.ElementsMatch(t, before, adminGet[[]sandbox](t, url+"/__admin/sandboxes"))
	assert.Equal(t, http.StatusConflict, createSandbox(url))
}

func TestDamagedDataDirStopsStartUp(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		content []byte
		want    string
	}{
		"garbage": {bytes.Repeat([]byte("garbage!"), 4096), "damaged"},
		// bbolt would initialise an empty file as a new database.
		"empty file": {[]byte{}, "empty"},
		"a sandbox without its info": {boltFile(t, func(tx *bbolt.Tx) error {
			meta, err := tx.CreateBucket([]byte("oneentry-mock"))
			if err != nil {
				return err
			}
			if err := meta.Put([]byte("magic"), []byte(bolt.Magic)); err != nil {
				return err
			}
			if err := meta.Put([]byte("version"), []byte(bolt.Version)); err != nil {
				return err
			}
			sandboxes, err := tx.CreateBucket([]byte("sandboxes"))
			if err != nil {
				return err
			}
			_, err = sandboxes.CreateBucket([]byte("sbx"))
			return err
		}), "no info record"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, bolt.FileName)
			require.NoError(t, os.WriteFile(path, tc.content, 0o600))

			var stdout bytes.Buffer
			err := run(t.Context(), []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dir}, envMap(nil), &stdout, io.Discard)
			require.Error(t, err)
			require.ErrorIs(t, err, bolt.ErrIncompatible)
			assert.Contains(t, err.Error(), path, "the message names the file")
			assert.Equal(t, 1, strings.Count(err.Error(), dir), "and the data dir once: %s", err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, stdout.String(), "listening", "nothing is served")
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, tc.content, after, "the data dir is left as it was, never reset")
		})
	}
}

// boltFile returns the bytes of a bbolt database that fill made.
func boltFile(t *testing.T, fill func(tx *bbolt.Tx) error) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "made.db")
	b, err := bbolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, b.Update(fill))
	require.NoError(t, b.Close())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}

// A checkout URL names its session by a random token kept in the data dir: after a restart the
// same page opens, and pays with the CSRF token of the page as the new process renders it.
func TestCheckoutTokenSurvivesRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first := startServeProcess(t, dir)
	a := loginSeedUser(t, first.url)
	order := maps.Clone(seedOrder)
	order["paymentAccountIdentifier"] = "stripe"
	var created createdOrder
	status, err := a.do(t.Context(), http.MethodPost, seedOrdersPath, order, &created)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, status)
	var session struct {
		PaymentURL string `json:"paymentUrl"`
	}
	status, err = a.do(t.Context(), http.MethodPost, "/api/content/payments/sessions", map[string]any{"orderId": created.ID, "type": "session"}, &session)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, status)
	pay, err := url.Parse(session.PaymentURL)
	require.NoError(t, err)
	require.Contains(t, pay.Path, "/cs_test_")
	require.NoError(t, first.cmd.Process.Kill())
	_ = first.cmd.Wait()

	second := startServeProcess(t, dir)
	status, page := testkit.Call(t, http.DefaultClient, http.MethodGet, second.url+pay.Path, "")
	require.Equal(t, http.StatusOK, status, string(page))
	m := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`).FindSubmatch(page)
	require.NotNil(t, m)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.PostForm(second.url+pay.Path+"/complete", url.Values{"csrf": {string(m[1])}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
}

// The start-up banner lists the logins the restored default sandbox still takes: a password
// changed before the restart is not printed as the fixtures give it.
func TestBannerListsTheLoginsTheDataDirKept(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	args := []string{"--data-dir", dir, "--compat", "sdk-1.0.115", "--log-level", "warn"}
	first, url := startServeCommand(t, args, nil)
	a := loginSeedUser(t, url)
	status, err := a.do(t.Context(), http.MethodPut, "/api/content/users/me", map[string]any{
		"authData": []map[string]string{{"marker": "password_reg", "value": "newpass1"}},
	}, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status)
	require.NoError(t, first.stop())

	again := startCommandEnv(t, nil, 5, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	banner := strings.Join(again.header, "\n")
	assert.NotContains(t, banner, "your-user@email.com", "its fixture password no longer signs in")
	assert.Contains(t, banner, "login:     second-user@email.com / 654321")
}

// interruptWhileDraining starts serve with a drain delay, interrupts it and returns once the
// graceful stop has begun (readiness fails), the drain still to run for delay.
func interruptWhileDraining(t *testing.T, delay string) *serveProcess {
	t.Helper()
	s := startServeChild(t, "--drain-delay", delay, "--log-level", "warn")
	require.NoError(t, s.cmd.Process.Signal(os.Interrupt))
	require.Eventually(t, func() bool {
		status, _ := testkit.Call(t, http.DefaultClient, http.MethodGet, s.url+"/readyz", "")
		return status == http.StatusServiceUnavailable
	}, safety, 10*time.Millisecond)
	return s
}

// One Ctrl-C often arrives twice: a terminal signals its whole foreground process group, so
// under npx the binary gets it from the terminal and again from the wrapper. The copy, coming
// while the first stop is under way, does not end serve: it still stops gracefully.
func TestACopiedInterruptStillStopsServeGracefully(t *testing.T) {
	t.Parallel()
	s := interruptWhileDraining(t, "2s")
	require.NoError(t, s.cmd.Process.Signal(os.Interrupt))
	assert.NoError(t, s.cmd.Wait(), "serve ended gracefully, with code 0; stderr: %s", s.stderr.String())
}

// An interrupt more than a second after the first ends serve at once, while the first one's
// graceful stop is still waiting (here, the drain delay).
func TestASecondInterruptEndsServeAtOnce(t *testing.T) {
	t.Parallel()
	s := interruptWhileDraining(t, "10m")
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	// Interrupts until it ends: those within a second of the first are taken as its copies.
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(safety)
	for {
		_ = s.cmd.Process.Signal(os.Interrupt) // it may have ended since the last
		select {
		case err := <-done:
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit)
			assert.True(t, exit.Sys().(syscall.WaitStatus).Signaled(), "ended by the second interrupt: %v", err)
			return
		case <-tick.C:
		case <-deadline:
			t.Fatal("a second interrupt did not end serve during its 10-minute drain")
		}
	}
}
