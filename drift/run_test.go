package drift_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/drift"
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
