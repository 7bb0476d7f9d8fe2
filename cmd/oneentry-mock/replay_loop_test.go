package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
