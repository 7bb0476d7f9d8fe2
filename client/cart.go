package client

import (
	"context"
	"net/http"
)

// CartItem is one product of a cart.
type CartItem struct {
	ProductID int `json:"productId"`
	Qty       int `json:"qty"`
}

// Cart is the cart of the signed-in user, or of the guest WithGuestID names (C1).
type Cart struct {
	Items []CartItem `json:"items"`
	// Total is how many products (lines) the cart holds.
	Total int `json:"total"`
}

// Cart returns the caller's cart.
func (c *Client) Cart(ctx context.Context) (*Cart, error) {
	return call[Cart](ctx, c, http.MethodGet, "/users/me/cart", nil, nil)
}

// AddCartItem adds qty of a product to the cart (C2). For a guest id that is not a UUID the
// live API answers as if it kept the item and keeps nothing.
func (c *Client) AddCartItem(ctx context.Context, productID, qty int) (*Cart, error) {
	return call[Cart](ctx, c, http.MethodPost, "/users/me/cart/items", nil, CartItem{ProductID: productID, Qty: qty})
}

// SetCartItem sets the quantity of a product in the cart (C3).
func (c *Client) SetCartItem(ctx context.Context, productID, qty int) (*Cart, error) {
	return call[Cart](ctx, c, http.MethodPut, "/users/me/cart/items/"+itoa(productID), nil, map[string]int{"qty": qty})
}

// RemoveCartItem removes a product from the cart (C4).
func (c *Client) RemoveCartItem(ctx context.Context, productID int) (*Cart, error) {
	return call[Cart](ctx, c, http.MethodDelete, "/users/me/cart/items/"+itoa(productID), nil, nil)
}
