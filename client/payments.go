package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
)

// SessionType is the kind of payment session: a hosted checkout page or a payment intent.
type SessionType string

// Session types accepted by CreateSession.
const (
	SessionTypeSession SessionType = "session"
	SessionTypeIntent  SessionType = "intent"
)

// PaymentSession is one payment attempt for an order. Status starts as "waiting"; the
// payment provider moves it (completed, canceled, expired, or free text on older APIs).
type PaymentSession struct {
	ID               int         `json:"id"`
	CreatedDate      string      `json:"createdDate"`
	UpdatedDate      string      `json:"updatedDate"`
	Type             SessionType `json:"type"`
	Status           string      `json:"status"`
	PaymentAccountID int         `json:"paymentAccountId"`
	OrderID          int         `json:"orderId"`
	// PaymentURL is null for custom accounts such as cash, a checkout URL for Stripe.
	PaymentURL *string `json:"paymentUrl"`
	Amount     *Money  `json:"amount,omitempty"`
	// ClientSecret is the Stripe intent secret; never null when present.
	ClientSecret string `json:"clientSecret,omitempty"`
}

// SessionList is a page of the user's payment sessions.
type SessionList struct {
	Items []PaymentSession `json:"items"`
	Total Count            `json:"total"`
}

// SessionUpdate is the body of UpdateSession. Both keys are always sent; a nil PaymentURL is
// sent as null.
type SessionUpdate struct {
	Status     string  `json:"status"`
	PaymentURL *string `json:"paymentUrl"`
}

type createSessionBody struct {
	OrderID             int         `json:"orderId"`
	Type                SessionType `json:"type"`
	AutomaticTaxEnabled bool        `json:"automaticTaxEnabled"`
}

// PaymentAccount is a way to pay (Stripe, or a custom account such as cash or PayPal).
type PaymentAccount struct {
	ID            int                      `json:"id"`
	LocalizeInfos Localized[LocalizeInfos] `json:"localizeInfos"`
	Identifier    string                   `json:"identifier"`
	// Type is "stripe" or "custom".
	Type         string          `json:"type"`
	IsVisible    bool            `json:"isVisible"`
	IsUsed       bool            `json:"isUsed"`
	TestMode     bool            `json:"testMode"`
	Settings     map[string]any  `json:"settings"`
	TestSettings json.RawMessage `json:"testSettings,omitempty"`
	UpdatedDate  string          `json:"updatedDate"`
}

// CreateSession opens a payment session for the order (P1, POST /payments/sessions). The
// SDK's default for automaticTaxEnabled is false.
func (c *Client) CreateSession(ctx context.Context, orderID int, sessionType SessionType, automaticTaxEnabled bool) (*PaymentSession, error) {
	body := createSessionBody{OrderID: orderID, Type: sessionType, AutomaticTaxEnabled: automaticTaxEnabled}
	return call[PaymentSession](ctx, c, http.MethodPost, "/payments/sessions", nil, body)
}

// SessionsByOrder returns the order's payment sessions (P2, GET
// /payments/sessions/order/{orderId}). Older APIs answer with one session object, newer ones
// with an array of all sessions; both come back as a slice (empty for []). An empty or null
// answer, which the contract does not allow, is ErrEmptyAnswer.
func (c *Client) SessionsByOrder(ctx context.Context, orderID int) ([]PaymentSession, error) {
	var raw json.RawMessage
	path := "/payments/sessions/order/" + itoa(orderID)
	if err := c.do(ctx, http.MethodGet, path, nil, nil, &raw); err != nil {
		return nil, err
	}
	raw = bytes.TrimSpace(raw)
	if bytes.HasPrefix(raw, []byte("{")) {
		raw = slices.Concat([]byte("["), raw, []byte("]"))
	}
	var list []PaymentSession
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("oneentry: GET %s: decode response: %w", apiPrefix+path, err)
	}
	return list, nil
}

// UpdateSession sets a session's status and payment URL (P3, PUT /payments/sessions/{id}).
// Only SDK 1.0.115 has this call; the scenario uses it to mark a ticket session expired.
func (c *Client) UpdateSession(ctx context.Context, id int, update SessionUpdate) (*PaymentSession, error) {
	return call[PaymentSession](ctx, c, http.MethodPut, "/payments/sessions/"+itoa(id), nil, update)
}

// Session returns one payment session (P4).
func (c *Client) Session(ctx context.Context, id int) (*PaymentSession, error) {
	return call[PaymentSession](ctx, c, http.MethodGet, "/payments/sessions/"+itoa(id), nil, nil)
}

// Sessions lists the user's payment sessions (P5). The path keeps the SDK's trailing slash:
// GET /payments/sessions/?offset=&limit=.
func (c *Client) Sessions(ctx context.Context, offset, limit int) (*SessionList, error) {
	q := url.Values{"offset": {itoa(offset)}, "limit": {itoa(limit)}}
	return call[SessionList](ctx, c, http.MethodGet, "/payments/sessions/", q, nil)
}

// PaymentAccounts lists the project's payment accounts (P6; a bare array).
func (c *Client) PaymentAccounts(ctx context.Context) ([]PaymentAccount, error) {
	return callList[PaymentAccount](ctx, c, http.MethodGet, "/payments/accounts", nil, nil)
}

// PaymentAccount returns one payment account (P7).
func (c *Client) PaymentAccount(ctx context.Context, id int) (*PaymentAccount, error) {
	return call[PaymentAccount](ctx, c, http.MethodGet, "/payments/accounts/"+itoa(id), nil, nil)
}
