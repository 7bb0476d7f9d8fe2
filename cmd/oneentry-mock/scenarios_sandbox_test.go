package main

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// adminGet reads an admin endpoint of the default sandbox.
func adminGet[T any](t *testing.T, url string) T {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var v T
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&v))
	return v
}

// scenarios run --target URL runs in a sandbox of its own and deletes it, leaving the default
// sandbox untouched; --sandbox default runs in the default one.
func TestScenariosRunUsesItsOwnSandbox(t *testing.T) {
	t.Parallel()
	url, _ := startServe(t, []string{"--compat", "live-2026", "--log-level", "warn"}, nil)
	journal := func() int {
		return adminGet[struct {
			Count int `json:"count"`
		}](t, url+"/__admin/requests/count").Count
	}
	sandboxes := func() int { return len(adminGet[[]json.RawMessage](t, url+"/__admin/sandboxes")) }

	_, stderr, err := runCmd(t, nil, "scenarios", "run", "--target", url, "--only", "ticket-purchase")
	require.NoError(t, err, stderr)
	assert.Contains(t, stderr, "running in a new sandbox")
	assert.Zero(t, journal(), "the default sandbox saw nothing")
	assert.Equal(t, 1, sandboxes(), "the run's sandbox is deleted")

	_, stderr, err = runCmd(t, nil, "scenarios", "run", "--target", url, "--only", "ticket-purchase", "--sandbox", "default")
	require.NoError(t, err, stderr)
	assert.NotContains(t, stderr, "new sandbox")
	assert.Positive(t, journal(), "--sandbox default runs in the default sandbox")
}
