package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/client"
)

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
	ticketFlowCmd(t, proxyURL, "your-app-token", "your-user@email.com", "123456")
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

	s := startCommand(t, 1, "serve", "--addr", "127.0.0.1:0", "--fixtures", out, "--check-responses")
	sandbox, ok := strings.CutPrefix(s.header[0], "oneentry-mock listening on ")
	require.True(t, ok, s.header[0])
	ticketFlowCmd(t, sandbox, "<app-token-1>", "user1@example.test", capsule.PasswordPlaceholder)
}

// ticketFlowCmd runs the seed's ticket purchase with the reference client.
func ticketFlowCmd(t *testing.T, base, appToken, login, password string) {
	t.Helper()
	ctx := t.Context()
	c, err := client.New(base, client.WithAppToken(appToken))
	require.NoError(t, err)
	_, err = c.Auth(ctx, "email", client.AuthRequest{AuthData: []client.AuthData{{Marker: "email_reg", Value: login}, {Marker: "password_reg", Value: password}}})
	require.NoError(t, err)
	_, err = c.Form(ctx, "tickets_form")
	require.NoError(t, err)
	order, err := c.CreateOrder(ctx, "tickets", client.OrderInput{
		FormIdentifier: "tickets_form", PaymentAccountIdentifier: "cash",
		FormData: []client.FormDataItem{{Marker: "tickets", Type: "entity", Value: []string{"p-8-10"}}},
		Products: []client.OrderProductInput{{ProductID: 10, Quantity: 1}},
	})
	require.NoError(t, err)
	require.Equal(t, 92, order.ID)
	require.Equal(t, int64(10000), order.TotalSum.Cents)
	session, err := c.CreateSession(ctx, order.ID, client.SessionTypeSession, false)
	require.NoError(t, err)
	require.Equal(t, 49, session.ID)
	empty := ""
	_, err = c.UpdateSession(ctx, session.ID, client.SessionUpdate{Status: "expired_ticket", PaymentURL: &empty})
	require.NoError(t, err)
	byOrder, err := c.SessionsByOrder(ctx, order.ID)
	require.NoError(t, err)
	require.Len(t, byOrder, 1)
	require.Equal(t, "expired_ticket", byOrder[0].Status)
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
