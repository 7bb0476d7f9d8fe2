package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/internal/testkit"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

func TestParseServeConfig(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		args    []string
		env     map[string]string
		check   func(t *testing.T, cfg serveConfig)
		wantErr string
	}{
		"defaults": {
			check: func(t *testing.T, cfg serveConfig) {
				assert.Equal(t, "127.0.0.1:8080", cfg.Addr)
				assert.Equal(t, 36000*time.Second, cfg.AccessTokenTTL)
				assert.Equal(t, 7*24*time.Hour, cfg.RefreshTokenTTL)
				assert.Equal(t, "live", cfg.Profile.Name, "the default is today's API")
				assert.Empty(t, cfg.FixturesDir)
				assert.Equal(t, time.Minute, cfg.ReadTimeout)
				assert.Equal(t, 90*time.Second, cfg.WriteTimeout)
				assert.Equal(t, time.Minute, cfg.IdleTimeout)
				assert.Equal(t, int64(4096), cfg.MaxConnections)
				assert.Equal(t, int64(64<<20), cfg.MaxStateBytes)
				// The values docs/configuration.md gives.
				assert.Equal(t, 10*time.Second, cfg.ShutdownTimeout)
				assert.Equal(t, int64(1000), cfg.JournalSize)
				assert.Equal(t, int64(1000), cfg.MaxSandboxes)
				assert.Equal(t, int64(1048576), cfg.MaxBodyBytes)
				assert.Equal(t, time.Second, cfg.WatchInterval)
			},
		},
		"env over default": {
			env: map[string]string{"ONEENTRY_MOCK_ADDR": "127.0.0.1:9000", "ONEENTRY_MOCK_ACCESS_TOKEN_TTL": "1s", "ONEENTRY_MOCK_REFRESH_TOKEN_TTL": "86400", "ONEENTRY_MOCK_COMPAT": "sdk-1.0.115"},
			check: func(t *testing.T, cfg serveConfig) {
				assert.Equal(t, "127.0.0.1:9000", cfg.Addr)
				assert.Equal(t, time.Second, cfg.AccessTokenTTL)
				assert.Equal(t, 24*time.Hour, cfg.RefreshTokenTTL, "a bare number is seconds")
				assert.Equal(t, "sdk-1.0.115", cfg.Profile.Name)
			},
		},
		"flag over env": {
			args: []string{"--addr", "127.0.0.1:7000", "--access-token-ttl", "2m"},
			env:  map[string]string{"ONEENTRY_MOCK_ADDR": "127.0.0.1:9000", "ONEENTRY_MOCK_ACCESS_TOKEN_TTL": "1s"},
			check: func(t *testing.T, cfg serveConfig) {
				assert.Equal(t, "127.0.0.1:7000", cfg.Addr)
				assert.Equal(t, 2*time.Minute, cfg.AccessTokenTTL)
			},
		},
		"operations from env": {
			env: map[string]string{"ONEENTRY_MOCK_ADMIN_TOKEN": "s3cret", "ONEENTRY_MOCK_JOURNAL_SIZE": "50", "ONEENTRY_MOCK_SMTP_URL": "smtp://127.0.0.1:1025", "ONEENTRY_MOCK_DATA_DIR": "/var/lib/mock", "ONEENTRY_MOCK_CHECK_RESPONSES": "true"},
			check: func(t *testing.T, cfg serveConfig) {
				assert.Equal(t, "s3cret", cfg.AdminToken)
				assert.Equal(t, int64(50), cfg.JournalSize)
				assert.Equal(t, "smtp://127.0.0.1:1025", cfg.SMTPURL)
				assert.Equal(t, "/var/lib/mock", cfg.DataDir)
				assert.True(t, cfg.CheckResponses)
			},
		},
		"origins and hosts": {
			args: []string{"--admin-allow-origin", "http://localhost:3000", "--allowed-hosts", "oneentry-mock", "--allowed-hosts", "mock.test:8080"},
			env:  map[string]string{"ONEENTRY_MOCK_ADMIN_ALLOW_ORIGIN": "https://a.example, https://b.example", "ONEENTRY_MOCK_ALLOWED_HOSTS": "a, b"},
			check: func(t *testing.T, cfg serveConfig) {
				assert.Equal(t, []string{"http://localhost:3000"}, cfg.AdminAllowOrigins, "the flag replaces the variable")
				assert.Equal(t, []string{"oneentry-mock", "mock.test:8080"}, cfg.AllowedHosts, "uses add up")
			},
		},
		"origins from env": {
			env: map[string]string{"ONEENTRY_MOCK_ADMIN_ALLOW_ORIGIN": "https://a.example, https://b.example"},
			check: func(t *testing.T, cfg serveConfig) {
				assert.Equal(t, []string{"https://a.example", "https://b.example"}, cfg.AdminAllowOrigins)
			},
		},
		"connection settings": {
			env:  map[string]string{"ONEENTRY_MOCK_READ_TIMEOUT": "5s", "ONEENTRY_MOCK_IDLE_TIMEOUT": "10", "ONEENTRY_MOCK_MAX_CONNECTIONS": "64"},
			args: []string{"--write-timeout", "1m"},
			check: func(t *testing.T, cfg serveConfig) {
				assert.Equal(t, 5*time.Second, cfg.ReadTimeout)
				assert.Equal(t, time.Minute, cfg.WriteTimeout)
				assert.Equal(t, 10*time.Second, cfg.IdleTimeout)
				assert.Equal(t, int64(64), cfg.MaxConnections)
			},
		},
		"journal size":    {args: []string{"--journal-size", "0"}, wantErr: "journal-size"},
		"unknown profile": {args: []string{"--compat", "v9"}, wantErr: "unknown compat profile"},
		"watch off": {
			args:  []string{"--fixtures", "dir", "--watch-interval", "0"},
			check: func(t *testing.T, cfg serveConfig) { assert.Zero(t, cfg.WatchInterval) },
		},
		"watch off from env": {
			env:   map[string]string{"ONEENTRY_MOCK_WATCH_INTERVAL": "0s"},
			check: func(t *testing.T, cfg serveConfig) { assert.Zero(t, cfg.WatchInterval) },
		},
		"negative watch": {args: []string{"--watch-interval", "-1s"}, wantErr: "-watch-interval: must be positive, or 0 for off"},
		"zero ttl":       {args: []string{"--access-token-ttl", "0s"}, wantErr: "-access-token-ttl: must be positive"},
		"garbage ttl":    {env: map[string]string{"ONEENTRY_MOCK_REFRESH_TOKEN_TTL": "soon"}, wantErr: "refresh-token-ttl"},
		"bad log level":  {args: []string{"--log-level", "loud"}, wantErr: "log-level"},
		"bad log format": {args: []string{"--log-format", "xml"}, wantErr: "log-format"},
		"bad body limit": {env: map[string]string{"ONEENTRY_MOCK_MAX_BODY_BYTES": "lots"}, wantErr: "max-body-bytes"},
		"stray argument": {args: []string{"extra"}, wantErr: "unexpected arguments"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg, _, err := parseWith(serveCommand, serveFlags, tc.args, tc.env)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			tc.check(t, cfg)
		})
	}
}

func TestServeCommandServesTheSeedProject(t *testing.T) {
	t.Parallel()
	url, logs := startServe(t, nil, map[string]string{"ONEENTRY_MOCK_LOG_FORMAT": "json"})
	resp, err := http.Get(url + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	req, err := http.NewRequest(http.MethodGet, url+"/api/content/forms/marker/tickets_form", nil)
	require.NoError(t, err)
	req.Header.Set("x-app-token", "your-app-token")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), `"path":"/api/content/forms/marker/tickets_form"`) }, 5*time.Second, 10*time.Millisecond,
		"one structured line per request")

	var stderr bytes.Buffer
	err = run(t.Context(), []string{"healthcheck", "--url", url + "/healthz"}, envMap(nil), io.Discard, &stderr)
	assert.NoError(t, err)
}

// healthcheck exits 1 when nothing answers, and when what answers is not a 200: a mock
// draining (503) or another server on the port (404).
func TestHealthcheckFailsWithoutAHealthyServer(t *testing.T) {
	t.Parallel()
	draining := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(draining.Close)
	for _, url := range []string{testkit.UnreachableURL + "/healthz", draining.URL + "/readyz"} {
		err := run(t.Context(), []string{"healthcheck", "--url", url, "--timeout", "1s"}, envMap(nil), io.Discard, io.Discard)
		var exit exitError
		require.True(t, errors.As(err, &exit), "%s: %v", url, err)
		assert.Equal(t, 1, exit.code, url)
	}
}

// fixturesCopy writes the embedded fixtures to a new folder, with old replaced by new in file.
func fixturesCopy(t *testing.T, file, old, new string) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := fixtures.FS.ReadDir(".")
	require.NoError(t, err)
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := fixtures.FS.ReadFile(e.Name())
		require.NoError(t, err)
		if e.Name() == file {
			data = bytes.Replace(data, []byte(old), []byte(new), 1)
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644))
	}
	return dir
}

func TestBadFixturesFolderStopsStartUp(t *testing.T) {
	t.Parallel()
	dir := fixturesCopy(t, "products.json", `"price": 100`, `"price": "cheap"`)
	err := run(t.Context(), []string{"serve", "--addr", "127.0.0.1:0", "--fixtures", dir}, envMap(nil), io.Discard, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "products.json")
	assert.Contains(t, err.Error(), "[0].price")

	err = run(t.Context(), []string{"serve", "--addr", "127.0.0.1:0", "--fixtures", filepath.Join(dir, "missing")}, envMap(nil), io.Discard, io.Discard)
	require.Error(t, err)
}

func TestFixturesFolderReplacesEmbeddedSet(t *testing.T) {
	t.Parallel()
	dir := fixturesCopy(t, "project.json", `"your-app-token"`, `"team-token"`)
	url, _ := startServe(t, []string{"--fixtures", dir}, nil)
	for token, want := range map[string]int{"team-token": http.StatusOK, "your-app-token": http.StatusForbidden} {
		req, err := http.NewRequest(http.MethodGet, url+"/api/content/forms/marker/tickets_form", nil)
		require.NoError(t, err)
		req.Header.Set("x-app-token", token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, want, resp.StatusCode, token)
	}
}

func TestOpenAdminAPIOnTheNetworkIsWarnedAbout(t *testing.T) {
	t.Parallel()
	_, logs := startServe(t, []string{"--addr", "0.0.0.0:0"}, nil)
	assert.Contains(t, logs.String(), "set --admin-token")

	_, logs = startServe(t, []string{"--addr", "0.0.0.0:0", "--admin-token", "s3cret"}, nil)
	assert.NotContains(t, logs.String(), "set --admin-token")
	_, logs = startServe(t, nil, nil)
	assert.NotContains(t, logs.String(), "set --admin-token", "loopback needs no warning")
}

// The serve command hands --allowed-hosts and --admin-allow-origin to the server.
func TestServeGuardsAdminByHostAndOrigin(t *testing.T) {
	t.Parallel()
	get := func(t *testing.T, url, host string, h map[string]string) *http.Response {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url+"/__admin/clock", nil)
		require.NoError(t, err)
		req.Host = host
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	plain, _ := startServe(t, nil, nil)
	assert.Equal(t, http.StatusForbidden, get(t, plain, "sandbox:8080", nil).StatusCode)
	assert.Equal(t, http.StatusOK, get(t, plain, "", nil).StatusCode, "curl on loopback")

	listed, _ := startServe(t, []string{"--allowed-hosts", "sandbox"}, map[string]string{"ONEENTRY_MOCK_ADMIN_ALLOW_ORIGIN": "http://localhost:3000"})
	assert.Equal(t, http.StatusOK, get(t, listed, "sandbox:8080", nil).StatusCode)
	resp := get(t, listed, "", map[string]string{"Origin": "http://localhost:3000"})
	assert.Equal(t, "http://localhost:3000", resp.Header.Get("Access-Control-Allow-Origin"))
}

// The banner names the dashboard, which the server answers.
func TestServeAnnouncesDashboard(t *testing.T) {
	t.Parallel()
	s := startCommand(t, 2, "serve", "--addr", "127.0.0.1:0", "--compat", "sdk-1.0.115", "--shutdown-timeout", "30s")
	base, ok := strings.CutPrefix(s.header[0], "oneentry-mock listening on ")
	require.True(t, ok, s.header[0])
	dashboard := s.headerValue(t, "dashboard:")
	assert.Equal(t, base+"/__admin/ui/", dashboard)
	resp, err := http.Get(dashboard)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))

	// An open live-update stream does not hold up a graceful shutdown.
	events, err := http.Get(dashboard + "events")
	require.NoError(t, err)
	defer events.Body.Close()
	line, err := bufio.NewReader(events.Body).ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "retry: 2000\n", line)
	require.NoError(t, s.stop())
}

// With --drain-delay a shutdown keeps accepting for a while, /readyz answering 503, so a load
// balancer polling it stops sending before connections are refused.
func TestServeDrainDelayShowsTheDrainOnReadyz(t *testing.T) {
	t.Parallel()
	s := startCommand(t, 1, "serve", "--addr", "127.0.0.1:0", "--drain-delay", "2s", "--shutdown-timeout", "5s")
	base, ok := strings.CutPrefix(s.header[0], "oneentry-mock listening on ")
	require.True(t, ok, s.header[0])
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	probe := func() int {
		resp, err := client.Get(base + "/readyz")
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Equal(t, http.StatusOK, probe())
	stopped := make(chan error, 1)
	go func() { stopped <- s.stop() }()
	assert.Eventually(t, func() bool { return probe() == http.StatusServiceUnavailable }, 2*time.Second, 20*time.Millisecond,
		"a new connection sees the drain")
	require.NoError(t, <-stopped)
	// Once closed, the port may be a parallel test's server: this one is gone when the answer
	// is not its drain's.
	assert.NotEqual(t, http.StatusServiceUnavailable, probe(), "refused once the delay is over")
}

func TestServeCheckoutReturnURLFlag(t *testing.T) {
	t.Parallel()
	cfg, _, err := parseWith(serveCommand, serveFlags, []string{"--checkout-return-url", "http://localhost:3000/return"}, nil)
	require.NoError(t, err)
	assert.Equal(t, "http://localhost:3000/return", cfg.CheckoutReturnURL.String())
	assert.Equal(t, "http://localhost:3000/return", sandboxOptions(cfg, nil, nil, nil).CheckoutReturnURL, "reaches every sandbox")

	cfg, _, err = parseWith(serveCommand, serveFlags, nil, map[string]string{"ONEENTRY_MOCK_CHECKOUT_RETURN_URL": "https://app.test/back"})
	require.NoError(t, err)
	assert.Equal(t, "https://app.test/back", cfg.CheckoutReturnURL.String())

	for _, bad := range []string{"/return", "javascript:alert(1)", "localhost:3000"} {
		_, _, err := parseWith(serveCommand, serveFlags, []string{"--checkout-return-url", bad}, nil)
		assert.Error(t, err, bad)
	}
}

func TestServeLimitFlags(t *testing.T) {
	t.Parallel()
	cfg, _, err := parseWith(serveCommand, serveFlags, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(sandbox.DefaultMaxSandboxes), cfg.MaxSandboxes)
	assert.False(t, cfg.SMTPAllow.IsSet(), "unset: the sandbox's default list applies")

	cfg, _, err = parseWith(serveCommand, serveFlags, []string{"--max-sandboxes", "5", "--smtp-allow", "corp.test,boss@big.test"},
		map[string]string{"ONEENTRY_MOCK_SMTP_ALLOW": "env.test", "ONEENTRY_MOCK_MAX_SANDBOXES": "9"})
	require.NoError(t, err)
	assert.Equal(t, int64(5), cfg.MaxSandboxes)
	assert.Equal(t, "corp.test,boss@big.test", cfg.SMTPAllow.String(), "the flag replaces the env list")
	assert.True(t, cfg.SMTPAllow.Allows("x@corp.test"))
	assert.False(t, cfg.SMTPAllow.Allows("x@env.test"))

	cfg, _, err = parseWith(serveCommand, serveFlags, nil, map[string]string{"ONEENTRY_MOCK_SMTP_ALLOW": "*"})
	require.NoError(t, err)
	assert.True(t, cfg.SMTPAllow.Allows("anyone@gmail.com"))

	for _, args := range [][]string{{"--max-sandboxes", "0"}, {"--smtp-allow", "Name <a@b.test>"}, {"--smtp-allow", ","}} {
		_, _, err := parseWith(serveCommand, serveFlags, args, nil)
		assert.Error(t, err, args)
	}
}

const (
	formPath  = "/api/content/forms/marker/tickets_form"
	usersPath = "/api/content/users-auth-providers/marker/email/users/"
	// firstProductPrices is the additional.prices of the first product of products.json.
	firstProductPrices = `"additional": {
      "prices": {
        "min": 100,
        "max": 300
      }
    },
    `
	seedLogin = `{"authData":[{"marker":"email_reg","value":"your-user@email.com"},{"marker":"password_reg","value":"123456"}]}`
)

// Each serve flag changes what the server does, not only the parsed configuration: a flag
// dropped on its way to the server would otherwise go unnoticed.
func TestServeFlagsReachTheServer(t *testing.T) {
	t.Parallel()
	smtp := &testkit.SMTPSink{} // of the smtp-allow case
	cases := map[string]struct {
		args []string
		// more adds arguments that need the test's own resources.
		more  func(t *testing.T) []string
		check func(t *testing.T, url string, logs *testkit.Buffer)
	}{
		"journal-size": {
			args: []string{"--journal-size", "3"},
			check: func(t *testing.T, url string, _ *testkit.Buffer) {
				for i := range 5 {
					status, _ := appCall(t, http.MethodGet, fmt.Sprintf("%s%s?n=%d", url, formPath, i), "")
					require.Equal(t, http.StatusOK, status)
				}
				var journal struct {
					Requests []struct {
						Query string `json:"query"`
					} `json:"requests"`
				}
				// An entry is added once its answer is written, which the client may see first.
				require.Eventually(t, func() bool {
					return getJSON(url+"/__admin/requests", &journal) && len(journal.Requests) > 0 && journal.Requests[len(journal.Requests)-1].Query == "n=4"
				}, safety, 10*time.Millisecond)
				require.Len(t, journal.Requests, 3)
				assert.Equal(t, "n=2", journal.Requests[0].Query, "the newest are kept")
			},
		},
		"max-sandboxes": {
			args:  []string{"--max-sandboxes", "1"},
			check: refusesNewSandbox("At most 1 sandboxes"),
		},
		"max-memory-bytes": {
			// Any heap is above one byte.
			args:  []string{"--max-memory-bytes", "1"},
			check: refusesNewSandbox("--max-memory-bytes"),
		},
		"max-body-bytes": {
			args: []string{"--max-body-bytes", "100"},
			check: func(t *testing.T, url string, _ *testkit.Buffer) {
				body := `{"authData":[{"marker":"email_reg","value":"` + strings.Repeat("x", 200) + `@email.com"}]}`
				status, _ := appCall(t, http.MethodPost, url+usersPath+"auth", body)
				assert.Equal(t, http.StatusRequestEntityTooLarge, status)
			},
		},
		"max-state-bytes": {
			args: []string{"--max-state-bytes", "1000"},
			check: func(t *testing.T, url string, _ *testkit.Buffer) {
				status, state := testkit.Call(t, http.DefaultClient, http.MethodGet, url+"/__admin/state", "")
				require.Equal(t, http.StatusOK, status)
				require.Greater(t, len(state), 1000, "the seed's state document is larger than the limit")
				status, _ = testkit.Call(t, http.DefaultClient, http.MethodPut, url+"/__admin/state", string(state))
				assert.Equal(t, http.StatusRequestEntityTooLarge, status)
			},
		},
		"check-responses": {
			// A product without additional.prices loads, but breaks the contract.
			args: []string{"--check-responses"},
			more: func(t *testing.T) []string {
				return []string{"--fixtures", fixturesCopy(t, store.FileProducts, firstProductPrices, "")}
			},
			check: func(t *testing.T, url string, _ *testkit.Buffer) {
				status, body := appCall(t, http.MethodGet, url+"/api/content/products/10", "")
				assert.Equal(t, http.StatusInternalServerError, status)
				assert.Contains(t, string(body), "additional")
			},
		},
		"refresh-token-ttl": {
			args: []string{"--refresh-token-ttl", "1h", "--compat", "sdk-1.0.115"},
			check: func(t *testing.T, url string, _ *testkit.Buffer) {
				status, body := appCall(t, http.MethodPost, url+usersPath+"auth", seedLogin)
				require.Equal(t, http.StatusCreated, status, string(body))
				var tokens struct {
					RefreshToken string `json:"refreshToken"`
				}
				require.NoError(t, json.Unmarshal(body, &tokens))
				status, _ = testkit.Call(t, http.DefaultClient, http.MethodPost, url+"/__admin/clock", `{"advance":"61m"}`)
				require.Equal(t, http.StatusOK, status)
				status, _ = appCall(t, http.MethodPost, url+usersPath+"refresh", `{"refreshToken":"`+tokens.RefreshToken+`"}`)
				assert.Equal(t, http.StatusUnauthorized, status, "a refresh token outlived --refresh-token-ttl (the default is a week)")
			},
		},
		"smtp-allow": {
			args: []string{"--smtp-allow", "corp.test", "--compat", "sdk-1.0.115"},
			more: func(t *testing.T) []string { return []string{"--smtp-url", "smtp://" + smtp.Start(t)} },
			check: func(t *testing.T, url string, logs *testkit.Buffer) {
				// The default list allows the fixture users' domain; this one does not.
				status, body := appCall(t, http.MethodPost, url+usersPath+"generate-code", `{"userIdentifier":"your-user@email.com","eventIdentifier":"reg"}`)
				require.Equal(t, http.StatusCreated, status, string(body))
				refused := func() bool { return strings.Contains(logs.String(), "not on the allow list") }
				require.Eventually(t, func() bool { return refused() || len(smtp.Messages()) > 0 }, safety, 10*time.Millisecond)
				assert.True(t, refused())
				assert.Zero(t, len(smtp.Messages()), "delivered despite --smtp-allow")
			},
		},
		"log-level": {
			args: []string{"--log-level", "warn"},
			check: func(t *testing.T, url string, logs *testkit.Buffer) {
				status, _ := appCall(t, http.MethodGet, url+formPath, "")
				require.Equal(t, http.StatusOK, status)
				status, _ = appCall(t, http.MethodGet, url+"/api/content/nowhere", "")
				require.Equal(t, http.StatusNotFound, status)
				require.Eventually(t, func() bool { return strings.Contains(logs.String(), "level=WARN") }, safety, 10*time.Millisecond)
				// The start-up line comes before any request is served.
				assert.NotContains(t, logs.String(), "level=INFO")
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			args := tc.args
			if tc.more != nil {
				args = append(slices.Clip(args), tc.more(t)...)
			}
			url, logs := startServe(t, args, nil)
			tc.check(t, url, logs)
		})
	}
}

// fixturesDir writes the default fixtures to a new folder.
func fixturesDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, f := range fixtures.Copy() {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), f.Data, 0o644))
	}
	return dir
}

// A fixture folder may come from anyone: a link in it that leads out of it opens nothing, so
// that media/x.png -> /etc/passwd is not served to any page. Links within the folder work.
func TestFixtureLinksDoNotLeaveTheFolder(t *testing.T) {
	t.Parallel()
	dir, outside := fixturesDir(t), t.TempDir()
	secret := filepath.Join(outside, "secret.txt")
	require.NoError(t, os.WriteFile(secret, []byte("SECRET"), 0o644))
	require.NoError(t, os.Symlink(secret, filepath.Join(dir, "media", "escape.png")))
	require.NoError(t, os.Symlink(filepath.Join("..", "..", filepath.Base(outside), "secret.txt"), filepath.Join(dir, "media", "relative.png")))
	require.NoError(t, os.Symlink("hero.svg", filepath.Join(dir, "media", "alias.svg")))

	fx, err := loadFixtures(dir)
	require.NoError(t, err)
	for _, name := range []string{"escape.png", "relative.png"} {
		_, err := fx.Media(name)
		assert.Error(t, err, name)
	}
	alias, err := fx.Media("alias.svg")
	require.NoError(t, err)
	hero, err := fx.Media("hero.svg")
	require.NoError(t, err)
	assert.Equal(t, hero, alias)

	products := filepath.Join(dir, store.FileProducts)
	moved := filepath.Join(outside, store.FileProducts)
	require.NoError(t, os.Rename(products, moved))
	require.NoError(t, os.Symlink(moved, products))
	_, err = loadFixtures(dir)
	require.Error(t, err, "a fixture file outside the folder")
	assert.Contains(t, err.Error(), store.FileProducts+": is a link to "+moved+", which cannot be followed within the fixture folder")

	// A relative link through a linked folder that leads out, as a monorepo may lay it out.
	require.NoError(t, os.Remove(products))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "shared")))
	require.NoError(t, os.Symlink(filepath.Join("shared", store.FileProducts), products))
	_, err = loadFixtures(dir)
	require.Error(t, err, "a fixture file reached through a linked folder outside")
	assert.Contains(t, err.Error(), store.FileProducts+": is a link to shared/"+store.FileProducts+", which cannot be followed within the fixture folder")
}

func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(data), old)
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644))
}

// A saved edit of the fixtures folder is applied; a broken one is logged with file, line
// and column and changes nothing, and the next good edit is applied again.
func TestFixturesWatchAppliesEditsAndKeepsTheLastGood(t *testing.T) {
	t.Parallel()
	dir := fixturesDir(t)
	logs := &testkit.Buffer{}
	var applied []*store.Fixtures
	w := newFixturesWatch(dir, func(_ context.Context, fx *store.Fixtures) error {
		applied = append(applied, fx)
		return nil
	}, slog.New(slog.NewTextHandler(logs, nil)))

	w.check(t.Context())
	assert.Empty(t, applied, "nothing changed")

	products := filepath.Join(dir, store.FileProducts)
	editFile(t, products, `"price": 100,`, `"price": 150,`)
	w.check(t.Context())
	require.Len(t, applied, 1)
	p, ok := applied[0].Product(10)
	require.True(t, ok)
	assert.Equal(t, 150.0, *p.Price)

	editFile(t, products, `"price": 150,`, `"price": "150",`)
	w.check(t.Context())
	assert.Len(t, applied, 1, "a broken edit is not applied")
	assert.Regexp(t, `file=\S+products\.json line=13 column=5 .*must be a number, not a string`, logs.String())
	w.check(t.Context())
	assert.Len(t, applied, 1, "nor retried until the folder changes")

	editFile(t, products, `"price": "150",`, `"price": 175,`)
	w.check(t.Context())
	assert.Len(t, applied, 2)
}

// serve --fixtures DIR serves an edited product without a restart, and POST /__admin/reload
// reports a broken folder.
func TestServeReloadsItsFixturesFolder(t *testing.T) {
	t.Parallel()
	dir := fixturesDir(t)
	url, _ := startServe(t, []string{"--fixtures", dir, "--watch-interval", "20ms", "--compat", "live-2026"}, nil)
	price := func() float64 { return productPrice(t, url) }
	require.Equal(t, 100.0, price())
	editFile(t, filepath.Join(dir, store.FileProducts), `"price": 100,`, `"price": 150,`)
	require.Eventually(t, func() bool { return price() == 150 }, 10*time.Second, 20*time.Millisecond)

	editFile(t, filepath.Join(dir, store.FileProducts), `"price": 150,`, `"price": "x",`)
	resp, err := http.Post(url+"/__admin/reload", "application/json", nil)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, string(body), "products.json:13:5: [0].price: must be a number, not a string")
	assert.Equal(t, 150.0, price())
}

// productPrice is the price product 10 is served with.
func productPrice(t *testing.T, url string) float64 {
	t.Helper()
	status, body := appCall(t, http.MethodGet, url+"/api/content/products/10", "")
	require.Equal(t, http.StatusOK, status, string(body))
	var p struct {
		Price float64 `json:"price"`
	}
	require.NoError(t, json.Unmarshal(body, &p))
	return p.Price
}

// With --watch-interval 0 an edit waits for POST /__admin/reload. The wait outlasts the
// default interval, so a watch left running would have applied the edit.
func TestServeWatchIntervalZeroWaitsForReload(t *testing.T) {
	t.Parallel()
	dir := fixturesDir(t)
	url, logs := startServe(t, []string{"--fixtures", dir, "--watch-interval", "0", "--compat", "live-2026"}, nil)
	editFile(t, filepath.Join(dir, store.FileProducts), `"price": 100,`, `"price": 150,`)
	for end := time.Now().Add(1500 * time.Millisecond); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		require.Equal(t, 100.0, productPrice(t, url), "applied without a reload")
	}
	assert.NotContains(t, logs.String(), "fixtures reloaded")

	status, body := testkit.Call(t, http.DefaultClient, http.MethodPost, url+"/__admin/reload", "")
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, 150.0, productPrice(t, url))
}

// Connections time out: without that, ~20k idle keep-alive connections would exhaust the
// file descriptors and /healthz would stop answering.

// safety bounds each wait on the server below, so that a broken server fails the test instead
// of hanging it; no assertion is about time.
const safety = 20 * time.Second

// dialRequest opens a connection to url's host and makes one keep-alive request on it.
func dialRequest(t *testing.T, url, path string) net.Conn {
	t.Helper()
	c := dial(t, url)
	status, err := request(c, path)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status)
	return c
}

// dial opens a connection to url's host that sends nothing yet.
func dial(t *testing.T, url string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.SetDeadline(time.Now().Add(safety)))
	return c
}

// request makes a keep-alive GET of path on c and returns the status answered.
func request(c net.Conn, path string) (int, error) {
	if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

// closedByServer reports whether the server has closed c: a read finds the end of the stream.
// A connection still open has nothing to read, which a short deadline tells.
func closedByServer(c net.Conn, wait time.Duration) bool {
	_ = c.SetReadDeadline(time.Now().Add(wait))
	_, err := c.Read(make([]byte, 1))
	return err != nil && !errors.Is(err, os.ErrDeadlineExceeded)
}

func TestIdleConnectionsDoNotStarveHealthz(t *testing.T) {
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

// limitedServer serves h on a new port as the serving commands do, with at most max
// connections, and returns its URL. onState, when set, hears each state a connection enters,
// once the limit knows of it.
func limitedServer(t *testing.T, max int, h http.Handler, onState func(http.ConnState)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	o := serverOptions{ReadTimeout: safety, WriteTimeout: safety, IdleTimeout: safety, MaxConnections: int64(max)}
	srv, ln := newHTTPServer(h, ln, o, slog.New(slog.DiscardHandler))
	if onState != nil {
		track := srv.ConnState
		srv.ConnState = func(c net.Conn, s http.ConnState) {
			track(c, s)
			onState(s)
		}
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

// receive waits for a value from ch, failing the test after a while instead of hanging.
func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(safety):
		t.Fatalf("waited in vain for %s", what)
	}
	var zero T
	return zero
}

var answerOK = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})

// A request head over Node's 16 KiB is answered 431, as the live API answers it; one within it
// is served. Each on a connection of its own, where the bound is exact.
func TestARequestHeadOverSixteenKiBIs431(t *testing.T) {
	t.Parallel()
	url := limitedServer(t, 8, answerOK, nil)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for size, want := range map[int]int{15 << 10: http.StatusOK, 17 << 10: http.StatusRequestHeaderFieldsTooLarge} {
		req, err := http.NewRequest(http.MethodGet, url+"/healthz", nil)
		require.NoError(t, err)
		req.Header.Set("X-Padding", strings.Repeat("x", size))
		resp, err := client.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, want, resp.StatusCode, "a head of %d bytes", size)
	}
}

// At the cap, each newcomer closes the oldest connection that has sent nothing yet.
func TestConnectionCapClosesSilentConnections(t *testing.T) {
	t.Parallel()
	url := limitedServer(t, 2, answerOK, nil)
	silent := []net.Conn{dial(t, url), dial(t, url)}
	// Both newcomers connect before either asks: the second finds the first still silent too,
	// and newer than what is left of the first two.
	newcomers := []net.Conn{dial(t, url), dial(t, url)}
	for i, c := range newcomers {
		status, err := request(c, "/")
		require.NoError(t, err, "newcomer %d", i)
		assert.Equal(t, http.StatusOK, status)
	}
	for i, c := range silent {
		assert.True(t, closedByServer(c, safety), "silent connection %d is still open", i)
	}
}

// A connection idle between requests goes before one that has not sent anything yet, however
// old that one is.
func TestConnectionCapClosesTheIdleFirst(t *testing.T) {
	t.Parallel()
	idle := make(chan struct{}, 1)
	url := limitedServer(t, 2, answerOK, func(s http.ConnState) {
		if s == http.StateIdle {
			select {
			case idle <- struct{}{}:
			default: // only the first is awaited
			}
		}
	})
	silent := dial(t, url)
	kept := dialRequest(t, url, "/")
	receive(t, idle, "the first request's connection to go idle")
	status, err := request(dial(t, url), "/")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, status)
	// The newcomer was admitted, and room made, before it was answered.
	require.False(t, closedByServer(silent, 50*time.Millisecond), "the silent connection was closed")
	assert.True(t, closedByServer(kept, safety), "the idle connection is still open")
}

// When every connection is busy with a request, a newcomer is closed at once and the busy ones
// are answered.
func TestConnectionCapRefusesWhenAllAreBusy(t *testing.T) {
	t.Parallel()
	entered, release := make(chan struct{}, 2), make(chan struct{})
	releaseOnce := sync.OnceFunc(func() { close(release) })
	var handled atomic.Int32
	url := limitedServer(t, 2, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		if handled.Add(1) <= 2 { // a request beyond the two held is answered at once
			entered <- struct{}{}
			<-release
		}
	}), nil)
	t.Cleanup(releaseOnce) // runs before the server closes: Close leaves handlers running

	busy := []net.Conn{dial(t, url), dial(t, url)}
	answers := make(chan error, len(busy))
	for _, c := range busy {
		go func() {
			status, err := request(c, "/")
			if err == nil && status != http.StatusOK {
				err = fmt.Errorf("status %d", status)
			}
			answers <- err
		}()
	}
	receive(t, entered, "the first request to be handled")
	receive(t, entered, "the second request to be handled")
	_, err := request(dial(t, url), "/")
	assert.Error(t, err, "a connection beyond the cap was served")
	assert.NotErrorIs(t, err, os.ErrDeadlineExceeded, "a connection beyond the cap was left waiting, not closed")
	releaseOnce()
	for range busy {
		assert.NoError(t, receive(t, answers, "a busy connection's answer"))
	}
}

func TestIdleConnectionTimesOut(t *testing.T) {
	t.Parallel()
	url, _ := startServe(t, []string{"--idle-timeout", "200ms"}, nil)
	c := dialRequest(t, url, "/healthz")
	assert.True(t, closedByServer(c, safety), "an idle keep-alive connection was never closed")
}

func TestSlowBodyIsCutOff(t *testing.T) {
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

// A client that starts its headers and goes quiet is let go after the header timeout, though
// --read-timeout would wait far longer for the whole request.
func TestUnfinishedHeadersAreCutOff(t *testing.T) {
	t.Parallel()
	url, _ := startServe(t, []string{"--read-timeout", "10m"}, nil)
	c := dial(t, url)
	_, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: 127.0")
	require.NoError(t, err)
	assert.True(t, closedByServer(c, safety), "the server still waits for the headers")
}

// An answer not written within --write-timeout never reaches the client: the connection is
// closed instead.
func TestLateAnswerIsDropped(t *testing.T) {
	t.Parallel()
	url, _ := startServe(t, []string{"--write-timeout", "1s"}, nil)
	status, body := testkit.Call(t, http.DefaultClient, http.MethodPost, url+"/__admin/faults",
		`{"path":"`+formPath+`","latency":{"fixedMs":1500}}`)
	require.Equal(t, http.StatusCreated, status, string(body))
	// A new connection, so that the client does not retry the request on another.
	client := &http.Client{Timeout: safety, Transport: &http.Transport{DisableKeepAlives: true}}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url+formPath, nil)
	require.NoError(t, err)
	req.Header.Set("x-app-token", seedAppToken)
	resp, err := client.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("answered %d after the write timeout", resp.StatusCode)
	}
	var netErr net.Error
	assert.False(t, errors.As(err, &netErr) && netErr.Timeout(), "the client gave up first: %v", err)
}

// Collection stays paused until the last of the loads running at once is done, and comes back
// as it was. Not parallel: it reads the process's collector settings.
func TestPauseGCResumesAfterTheLastLoad(t *testing.T) {
	gcPercent := func() int {
		p := debug.SetGCPercent(-1)
		debug.SetGCPercent(p)
		return p
	}
	before, limit := gcPercent(), debug.SetMemoryLimit(-1)
	first, second := pauseGC(), pauseGC()
	assert.Equal(t, -1, gcPercent())
	assert.Equal(t, int64(startupMemoryLimit), debug.SetMemoryLimit(-1), "a paused load still collects near the limit")
	first()
	first()
	assert.Equal(t, -1, gcPercent(), "the second load is still running")
	second()
	assert.Equal(t, before, gcPercent())
	assert.Equal(t, limit, debug.SetMemoryLimit(-1))

	debug.SetMemoryLimit(64 << 20) // a container's, lower than the pause's
	defer debug.SetMemoryLimit(limit)
	resume := pauseGC()
	assert.Equal(t, int64(64<<20), debug.SetMemoryLimit(-1), "a pause never raises the limit")
	resume()
	assert.Equal(t, int64(64<<20), debug.SetMemoryLimit(-1))
}

// In a container serve sets the runtime's memory limit below the container's memory, unless
// GOMEMLIMIT, read through the environment serve is given, already set one.
func TestContainerMemoryLimitLeavesGOMEMLIMITAlone(t *testing.T) {
	t.Parallel()
	container := func() (int64, bool) { return 1000 << 20, true }
	limit, ok := containerMemoryLimit(envMap(nil), container)
	assert.True(t, ok)
	assert.Equal(t, int64(900<<20), limit)
	_, ok = containerMemoryLimit(envMap(map[string]string{"GOMEMLIMIT": "100MiB"}), container)
	assert.False(t, ok, "GOMEMLIMIT wins")
	_, ok = containerMemoryLimit(envMap(nil), func() (int64, bool) { return 0, false })
	assert.False(t, ok, "no container, no limit")
}

// stop returns only once every task has returned, so serve closes nothing a sweep or a reload
// is still using; it ends them itself, since serve may return before its context ends.
func TestStartBackgroundStopWaitsForItsTasks(t *testing.T) {
	t.Parallel()
	var finished atomic.Int32
	task := func(ctx context.Context) {
		<-ctx.Done()
		finished.Add(1)
	}
	stop := startBackground(t.Context(), task, task)
	stop()
	assert.Equal(t, int32(2), finished.Load())
}

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

// --exit-with-parent is a flag and the variable the npm package sets.
func TestExitWithParentFlag(t *testing.T) {
	t.Parallel()
	cfg, _, err := parseWith(serveCommand, serveFlags, []string{"--exit-with-parent"}, nil)
	require.NoError(t, err)
	assert.True(t, cfg.ExitWithParent)
	cfg, _, err = parseWith(serveCommand, serveFlags, nil, map[string]string{"ONEENTRY_MOCK_EXIT_WITH_PARENT": "1"})
	require.NoError(t, err)
	assert.True(t, cfg.ExitWithParent, "the variable the npm package sets")
}

// refusesNewSandbox checks that creating a sandbox answers 409 with a message naming why.
func refusesNewSandbox(why string) func(*testing.T, string, *testkit.Buffer) {
	return func(t *testing.T, url string, _ *testkit.Buffer) {
		status, body := testkit.Call(t, http.DefaultClient, http.MethodPost, url+"/__admin/sandboxes", "")
		assert.Equal(t, http.StatusConflict, status)
		assert.Contains(t, string(body), why)
	}
}
