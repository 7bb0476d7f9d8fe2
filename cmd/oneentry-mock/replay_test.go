package main

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/client"
)

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
