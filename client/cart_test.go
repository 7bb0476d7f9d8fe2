package client_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/client"
)

func TestCartCallsCarryTheGuestID(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, answer(`{"items":[{"productId":10,"qty":2}],"total":1}`))
	c := api.client(t, client.WithGuestID("3f0c2a91-1d44-4a0b-9d2e-6b71f0c2a913"))
	cart, err := c.AddCartItem(t.Context(), 10, 2)
	require.NoError(t, err)
	assert.Equal(t, &client.Cart{Items: []client.CartItem{{ProductID: 10, Qty: 2}}, Total: 1}, cart)
	_, err = c.SetCartItem(t.Context(), 10, 3)
	require.NoError(t, err)
	_, err = c.RemoveCartItem(t.Context(), 10)
	require.NoError(t, err)
	_, err = c.Cart(t.Context())
	require.NoError(t, err)

	var calls []string
	for _, r := range api.requests() {
		calls = append(calls, r.Method+" "+r.Path+" "+r.Body)
		assert.Equal(t, "3f0c2a91-1d44-4a0b-9d2e-6b71f0c2a913", r.Header.Get("x-guest-id"))
	}
	assert.Equal(t, []string{
		`POST /api/content/users/me/cart/items {"productId":10,"qty":2}`,
		`PUT /api/content/users/me/cart/items/10 {"qty":3}`,
		`DELETE /api/content/users/me/cart/items/10 `,
		`GET /api/content/users/me/cart `,
	}, calls)
}
