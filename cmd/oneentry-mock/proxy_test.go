package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/client"
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
			assert.Equal(t, "live-2026", cfg.Profile.Name, "a recording is of today's API unless told otherwise")
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
