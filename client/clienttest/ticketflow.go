// Package clienttest runs the seed's ticket purchase with the reference client, for the tests
// of the packages that record, replay or serve it.
package clienttest

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/client"
)

// TicketFlow is what one run of the ticket purchase was given.
type TicketFlow struct {
	// AccessTokens and RefreshTokens are the tokens of the sign-in and the refresh: values
	// that must never reach a recording.
	AccessTokens, RefreshTokens []string
	OrderID, SessionID          int
	OrderTotalCents             int64
}

// RunTicketFlow runs the seed's ticket purchase with a refresh in the middle: log in, read
// the form, order a Bronze ticket, refresh the tokens, open a payment session, mark it expired
// and read it back by order. rt carries the requests; http.DefaultTransport when nil.
func RunTicketFlow(t testing.TB, baseURL, appToken, login, password string, rt http.RoundTripper) TicketFlow {
	t.Helper()
	ctx := t.Context()
	if rt == nil {
		rt = http.DefaultTransport
	}
	c, err := client.New(baseURL, client.WithAppToken(appToken), client.WithHTTPClient(&http.Client{Transport: rt}))
	require.NoError(t, err)
	var run TicketFlow

	auth, err := c.Auth(ctx, "email", client.AuthRequest{AuthData: []client.AuthData{{Marker: "email_reg", Value: login}, {Marker: "password_reg", Value: password}}})
	require.NoError(t, err)
	run.AccessTokens = append(run.AccessTokens, auth.AccessToken)
	run.RefreshTokens = append(run.RefreshTokens, auth.RefreshToken)

	form, err := c.Form(ctx, "tickets_form")
	require.NoError(t, err)
	require.Equal(t, "tickets_form", form.Identifier)

	order, err := c.CreateOrder(ctx, "tickets", client.OrderInput{
		FormIdentifier: "tickets_form", PaymentAccountIdentifier: "cash",
		FormData: []client.FormDataItem{{Marker: "tickets", Type: "entity", Value: []string{"p-8-10"}}},
		Products: []client.OrderProductInput{{ProductID: 10, Quantity: 1}},
	})
	require.NoError(t, err)
	run.OrderID, run.OrderTotalCents = order.ID, order.TotalSum.Cents

	refreshed, err := c.Refresh(ctx)
	require.NoError(t, err)
	run.AccessTokens = append(run.AccessTokens, refreshed.AccessToken)
	run.RefreshTokens = append(run.RefreshTokens, refreshed.RefreshToken)

	session, err := c.CreateSession(ctx, order.ID, client.SessionTypeSession, false)
	require.NoError(t, err)
	require.Equal(t, order.ID, session.OrderID)
	run.SessionID = session.ID

	empty := ""
	_, err = c.UpdateSession(ctx, session.ID, client.SessionUpdate{Status: "expired_ticket", PaymentURL: &empty})
	require.NoError(t, err)
	byOrder, err := c.SessionsByOrder(ctx, order.ID)
	require.NoError(t, err)
	require.Len(t, byOrder, 1)
	require.Equal(t, "expired_ticket", byOrder[0].Status)
	return run
}
