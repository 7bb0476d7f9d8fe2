package drift_test

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/drift"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
	"github.com/oneentry-mock/oneentry-mock/scenarios"
)

func TestKindOf(t *testing.T) {
	t.Parallel()
	for target, want := range map[string]string{
		"live":                   drift.TargetLive,
		"http://127.0.0.1:8080":  drift.TargetURL,
		"https://p.example/api":  drift.TargetURL,
		"seed.capsule.json":      drift.TargetCapsule,
		"ftp://example.com/file": drift.TargetCapsule,
	} {
		assert.Equal(t, want, drift.KindOf(target), target)
	}
}

func TestRunAgainstTheSeedCapsule(t *testing.T) {
	t.Parallel()
	flows, err := scenarios.Select("ticket-purchase")
	require.NoError(t, err)
	r, err := drift.Run(t.Context(), drift.Options{Target: seedCapsule, RunOptions: drift.RunOptions{Flows: flows}})
	require.NoError(t, err)
	assert.Equal(t, drift.TargetCapsule, r.TargetKind, "the kind follows the target")
	assert.NotEmpty(t, r.Steps)

	_, err = drift.Run(t.Context(), drift.Options{Target: "missing.capsule.json"})
	assert.ErrorContains(t, err, "target:")
	_, err = drift.Run(t.Context(), drift.Options{Target: "live", RunOptions: drift.RunOptions{Flows: flows}})
	assert.ErrorContains(t, err, scenarios.EnvProjectURL, "live needs its variables")
}

// TestRunAgainstAServedMockFindsNoDrift compares the in-process mock with the same mock served
// as `oneentry-mock serve` serves it (default options, the real clock): the flows that move the
// clock while holding a token (paypal-polling, token-refresh) must line up without drift.
func TestRunAgainstAServedMockFindsNoDrift(t *testing.T) {
	t.Parallel()
	r := runAgainstServedMock(t, "paypal-polling", "token-refresh")
	assert.Equal(t, drift.TargetURL, r.TargetKind)
	assert.Empty(t, find(r, "paypal-polling/poll-for-url", "status"), "the in-process mock's polls are not refused")
	assert.Equal(t, drift.ExitOK, r.ExitCode(), textReport(t, r))
}

// TestRunAgainstAServedMockStartsEachFlowAlike runs two flows that make orders against a served
// mock: in the run's own sandbox each flow starts from the fixtures, as on the in-process
// mock, so the second sees neither the first's orders nor its ids.
func TestRunAgainstAServedMockStartsEachFlowAlike(t *testing.T) {
	t.Parallel()
	r := runAgainstServedMock(t, "ticket-purchase", "pagination")
	assert.Empty(t, r.Items(), textReport(t, r))
}

// runAgainstServedMock compares the in-process mock with a served one over the named flows.
func runAgainstServedMock(t *testing.T, flows ...string) *drift.Report {
	t.Helper()
	ts := serveMock(t)
	selected, err := scenarios.Select(flows...)
	require.NoError(t, err)
	r, err := drift.Run(t.Context(), drift.Options{Target: ts.URL, RunOptions: drift.RunOptions{Flows: selected}})
	require.NoError(t, err)
	return r
}

// A capsule naming a profile this build does not know is refused, not compared as if recorded
// from today's API; one naming none leaves the choice to --compat or the default.
func TestRunRefusesACapsuleOfAnUnknownProfile(t *testing.T) {
	t.Parallel()
	flows, err := scenarios.Select("ticket-purchase")
	require.NoError(t, err)
	seed, err := capsule.Load(seedCapsule)
	require.NoError(t, err)
	withProfile := func(profile string) string {
		c := *seed
		c.Profile = profile
		path := filepath.Join(t.TempDir(), "capsule.json")
		require.NoError(t, capsule.WriteFile(path, &c))
		return path
	}

	unknown := withProfile("nonsense")
	_, err = drift.Run(t.Context(), drift.Options{Target: unknown, RunOptions: drift.RunOptions{Flows: flows}})
	assert.ErrorContains(t, err, `unknown compat profile "nonsense"`)
	_, err = drift.Run(t.Context(), drift.Options{Target: unknown, RunOptions: drift.RunOptions{Flows: flows, Profile: sandbox.ProfileSDK115}})
	assert.NoError(t, err, "--compat says what to run the mock as")

	_, err = drift.Run(t.Context(), drift.Options{Target: withProfile(""), RunOptions: drift.RunOptions{Flows: flows, Profile: sandbox.ProfileSDK115}})
	assert.NoError(t, err, "a capsule that names no profile")
}

// A URL target that serves the mock's admin API runs the flows in a sandbox of their own and
// deletes it, leaving the default sandbox as it was, as scenarios run does; DefaultSandbox runs
// them in the default one.
func TestRunAgainstAURLUsesItsOwnSandbox(t *testing.T) {
	t.Parallel()
	ts := serveMock(t)
	adminGet := func(path string, v any) {
		t.Helper()
		resp, err := ts.Client().Get(ts.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.NoError(t, json.NewDecoder(resp.Body).Decode(v))
	}
	journal := func() int {
		var count struct{ Count int }
		adminGet("/__admin/requests/count", &count)
		return count.Count
	}
	sandboxes := func() int {
		var list []json.RawMessage
		adminGet("/__admin/sandboxes", &list)
		return len(list)
	}

	flows, err := scenarios.Select("ticket-purchase")
	require.NoError(t, err)
	r, err := drift.Run(t.Context(), drift.Options{Target: ts.URL, RunOptions: drift.RunOptions{Flows: flows}})
	require.NoError(t, err)
	assert.Equal(t, drift.ExitOK, r.ExitCode(), textReport(t, r))
	assert.Zero(t, journal(), "the default sandbox saw nothing")
	assert.Equal(t, 1, sandboxes(), "the run's sandbox is deleted")
	require.NotEmpty(t, r.Notes)
	assert.Contains(t, r.Notes[0], "the flows ran in a new sandbox")

	r, err = drift.Run(t.Context(), drift.Options{Target: ts.URL, RunOptions: drift.RunOptions{Flows: flows, DefaultSandbox: true}})
	require.NoError(t, err)
	assert.Equal(t, drift.ExitOK, r.ExitCode(), textReport(t, r))
	assert.Positive(t, journal(), "DefaultSandbox runs in the default sandbox")
	for _, n := range r.Notes {
		assert.NotContains(t, n, "new sandbox")
	}
}
