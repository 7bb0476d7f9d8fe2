package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

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
