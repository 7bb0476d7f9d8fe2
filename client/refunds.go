package client

import (
	"context"
	"net/http"
	"strconv"
)

// RefundRequest is a buyer's request to be refunded some of an order's products (O9).
type RefundRequest struct {
	ID             int                     `json:"id"`
	CreatedDate    string                  `json:"createdDate"`
	Status         string                  `json:"status"`
	Amount         Money                   `json:"amount"`
	Note           string                  `json:"note"`
	Products       map[string]RefundAmount `json:"products"`
	OrderID        int                     `json:"orderId"`
	OrderStorageID int                     `json:"orderStorageId"`
	UserID         int                     `json:"userId"`
}

// RefundAmount is how many of one product a refund request returns.
type RefundAmount struct {
	Quantity int `json:"quantity"`
}

type refundBody struct {
	Products map[string]RefundAmount `json:"products"`
	Note     string                  `json:"note,omitempty"`
}

func refundPath(orderID int) string { return "/orders/" + itoa(orderID) + "/refund" }

// Refunds lists the refund requests of one of the user's orders (GET /orders/{id}/refund).
func (c *Client) Refunds(ctx context.Context, orderID int) ([]RefundRequest, error) {
	return callList[RefundRequest](ctx, c, http.MethodGet, refundPath(orderID), nil, nil)
}

// CreateRefundRequest asks for quantities of the order's products, by product id, back.
func (c *Client) CreateRefundRequest(ctx context.Context, orderID int, quantities map[int]int, note string) (bool, error) {
	body := refundBody{Products: make(map[string]RefundAmount, len(quantities)), Note: note}
	for id, q := range quantities {
		body.Products[strconv.Itoa(id)] = RefundAmount{Quantity: q}
	}
	return callBool(ctx, c, http.MethodPost, refundPath(orderID), body)
}

// CancelRefundRequest withdraws the order's pending refund request.
func (c *Client) CancelRefundRequest(ctx context.Context, orderID int) (bool, error) {
	return callBool(ctx, c, http.MethodDelete, refundPath(orderID), nil)
}
