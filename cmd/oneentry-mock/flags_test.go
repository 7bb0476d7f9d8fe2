package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A value the command could not use is a usage error at parse time (exit 2) whose first line
// names the flag, rather than a failure once the command runs, or a value read as something else.
func TestBadFlagValuesAreUsageErrors(t *testing.T) {
	t.Parallel()
	pull := func(args ...string) []string {
		return append([]string{"fixtures", "pull", "--app-token", "t", "--out", "d"}, args...)
	}
	tests := map[string]struct {
		args []string
		env  map[string]string
		want []string // on the first line of the error
	}{
		// 18446744074 s wrap around to a lifetime that ends at once, 9223372037 s to a negative one.
		"seconds that wrap":      {args: []string{"serve", "--access-token-ttl", "18446744074"}, want: []string{"--access-token-ttl", "longer than the longest duration, 9223372036 seconds"}},
		"seconds just too many":  {args: []string{"serve", "--refresh-token-ttl", "9223372037"}, want: []string{"--refresh-token-ttl", "9223372036 seconds"}},
		"duration too long":      {args: []string{"serve", "--read-timeout", "2562048h"}, want: []string{"--read-timeout", "longest duration"}},
		"token under a second":   {args: []string{"serve", "--access-token-ttl", "500ms"}, want: []string{"--access-token-ttl", "at least 1s"}},
		"interval too long":      {args: []string{"serve", "--watch-interval", "99999999999999999999"}, want: []string{"--watch-interval", "longest duration"}},
		"empty addr":             {args: []string{"serve", "--addr", ""}, want: []string{"--addr", "empty value"}},
		"port out of range":      {args: []string{"serve", "--addr", "127.0.0.1:99999"}, want: []string{"--addr", "0 to 65535"}},
		"addr from env":          {args: []string{"serve"}, env: map[string]string{"ONEENTRY_MOCK_ADDR": "notanaddr"}, want: []string{"--addr: ONEENTRY_MOCK_ADDR", "HOST:PORT"}},
		"healthcheck addr":       {args: []string{"healthcheck"}, env: map[string]string{"ONEENTRY_MOCK_ADDR": "garbage"}, want: []string{`ONEENTRY_MOCK_ADDR="garbage"`, "HOST:PORT", "--url"}},
		"healthcheck port":       {args: []string{"healthcheck"}, env: map[string]string{"ONEENTRY_MOCK_ADDR": "0.0.0.0:99999"}, want: []string{"ONEENTRY_MOCK_ADDR", "0 to 65535"}},
		"replay addr":            {args: []string{"replay", "c.json", "--addr", "8080"}, want: []string{"--addr", "HOST:PORT"}},
		"proxy addr":             {args: []string{"proxy", "--upstream", "https://p.example", "--record", "d", "--addr", "127.0.0.1:http"}, want: []string{"--addr", "0 to 65535"}},
		"smtp scheme":            {args: []string{"serve", "--smtp-url", "http://127.0.0.1:1025"}, want: []string{"--smtp-url", "want smtp"}},
		"smtp port":              {args: []string{"serve", "--smtp-url", "smtp://127.0.0.1:99999"}, want: []string{"--smtp-url", "port"}},
		"upstream port":          {args: []string{"proxy", "--upstream", "https://p.example:99999", "--record", "d"}, want: []string{"--upstream", "1 to 65535"}},
		"pull url with a query":  {args: pull("--url", "https://p.example/?lang=en"), want: []string{"--url", "no query or fragment"}},
		"pull url with fragment": {args: pull("--url", "https://p.example#top"), want: []string{"--url", "no query or fragment"}},
		"pull url not http":      {args: pull("--url", "p.example"), want: []string{"--url", "not an http(s) address"}},
		"pull user alone":        {args: pull("--url", "https://p.example", "--user", "me@example.com"), want: []string{"--user and --password go together"}},
		"pull password alone":    {args: pull("--url", "https://p.example", "--password", "x"), want: []string{"--user and --password go together"}},
		"admin origin":           {args: []string{"serve", "--admin-allow-origin", "https://ok.example,notanorigin"}, want: []string{"--admin-allow-origin", "admin allow origin"}},
		"allowed host":           {args: []string{"serve", "--allowed-hosts", "a b"}, want: []string{"--allowed-hosts", "want a host name"}},
		"pull lang":              {args: pull("--url", "https://p.example", "--lang", "en_US,english"), want: []string{"--lang", `"english" is not a language code such as en_US`}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := parseCommandLine(tc.env, tc.args...)
			var exit exitError
			require.True(t, errors.As(err, &exit), "%v", err)
			assert.Equal(t, exitUsage, exit.code, exit.msg)
			first, _, _ := strings.Cut(exit.msg, "\n")
			for _, w := range tc.want {
				assert.Contains(t, first, w)
			}
			assert.Contains(t, exit.msg, "--help' for usage.")
		})
	}
}

// healthcheck probes the port of ONEENTRY_MOCK_ADDR on 127.0.0.1, whatever its host; --url
// makes the variable irrelevant.
func TestHealthcheckURLFromTheVariable(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		addr string
		args []string
		want string
	}{
		"unset":         {"", nil, "http://127.0.0.1:8080/healthz"},
		"every address": {"0.0.0.0:9000", nil, "http://127.0.0.1:9000/healthz"},
		"port only":     {":9001", nil, "http://127.0.0.1:9001/healthz"},
		"IPv6 host":     {"[::]:9002", nil, "http://127.0.0.1:9002/healthz"},
		"--url instead": {"garbage", []string{"--url", "http://127.0.0.1:7000/healthz"}, "http://127.0.0.1:7000/healthz"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := envMap(map[string]string{"ONEENTRY_MOCK_ADDR": tc.addr})
			f := newFlags(healthcheckCommand.name)
			healthcheckCommand.flags(f, env)
			_, err := healthcheckCommand.parseDefined(f, tc.args, env)
			require.NoError(t, err)
			assert.Equal(t, tc.want, f.fs.Lookup("url").Value.String())
		})
	}
}

// parseCommandLine parses args as run does, without running the command: a value that parses by
// mistake must not start a server.
func parseCommandLine(env map[string]string, args ...string) error {
	c, rest := lookup(args)
	if c == nil {
		return fmt.Errorf("no command in %q", args)
	}
	if _, _, err := c.parse(rest, envMap(env)); err != nil {
		return usageError(c.name, err)
	}
	return nil
}

// The values next to the limits still parse.
func TestFlagValuesAtTheirLimits(t *testing.T) {
	t.Parallel()
	cfg, _, err := parseWith(serveCommand, serveFlags, []string{"--access-token-ttl", "9223372036", "--refresh-token-ttl", "2562047h", "--addr", ":0"}, nil)
	require.NoError(t, err)
	assert.Equal(t, 9223372036*time.Second, cfg.AccessTokenTTL)
	assert.Equal(t, 2562047*time.Hour, cfg.RefreshTokenTTL)
	for _, addr := range []string{"[::1]:65535", "localhost:8080", "0.0.0.0:0"} {
		cfg, _, err := parseWith(serveCommand, serveFlags, []string{"--addr", addr, "--smtp-url", "smtp://user:pw@mail.test:2525"}, nil)
		require.NoError(t, err, addr)
		assert.Equal(t, addr, cfg.Addr)
	}
	var d durationValue
	assert.ErrorContains(t, d.Set("-9223372037"), "must be positive", "a negative value is refused as negative")
	assert.ErrorContains(t, d.Set("s"), "is not a duration", "a unit alone is not a long duration")
}

// A refused URL is quoted back without its password, from the command line or the environment.
func TestUsageErrorsHideURLPasswords(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		env  map[string]string
	}{
		{args: []string{"serve", "--smtp-url", "ftp://mailer:hunter2@mail.example:25"}},
		{args: []string{"serve"}, env: map[string]string{"ONEENTRY_MOCK_SMTP_URL": "ftp://mailer:hunter2@mail.example:25"}},
	} {
		err := parseCommandLine(tc.env, tc.args...)
		var exit exitError
		require.True(t, errors.As(err, &exit), "%v", err)
		assert.NotContains(t, exit.msg, "hunter2")
		assert.Contains(t, exit.msg, "ftp://mailer:xxxxx@mail.example:25")
	}
}
