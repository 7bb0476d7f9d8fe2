package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
