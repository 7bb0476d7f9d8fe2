package capsule_test

import (
	"bytes"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/client"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/mocktest"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

const (
	seedAppToken = "your-app-token"
	seedLogin    = "your-user@email.com"
	seedPassword = "123456"
)

// newMock serves the fixture set fsys (the default one when nil) through mocktest.
func newMock(t testing.TB, fsys fs.FS) *httptest.Server {
	t.Helper()
	mo := mockserver.Options{Sandbox: sandbox.Options{Profile: sandbox.ProfileSDK115}}
	if fsys != nil {
		fx, err := store.LoadFixtures(fsys)
		require.NoError(t, err)
		mo.Sandbox.Fixtures = fx
	}
	ts, _ := mocktest.Start(t, mo)
	return ts
}

// captured is one exchange as the client saw it, secrets included.
type captured struct {
	raw capsule.RawExchange
}

// capture is an http.RoundTripper that keeps a copy of every exchange.
type capture struct {
	mu   sync.Mutex
	list []captured
}

func (c *capture) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	c.mu.Lock()
	c.list = append(c.list, captured{raw: capsule.RawExchange{
		Method: req.Method, Path: req.URL.Path, RawQuery: req.URL.RawQuery, RequestHeader: req.Header.Clone(), RequestBody: reqBody,
		Status: resp.StatusCode, ResponseHeader: resp.Header.Clone(), ResponseBody: body,
	}})
	c.mu.Unlock()
	return resp, nil
}

func (c *capture) exchanges() []captured {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]captured(nil), c.list...)
}

// flowSecrets are the values of a ticket flow run that must never reach a capsule.
type flowSecrets struct {
	accessTokens, refreshTokens []string
}

// ticketFlow runs the seed's ticket purchase with a refresh in the middle: log in, read the form,
// order a Bronze ticket, refresh the tokens, open a payment session, update it, read it by order.
func ticketFlow(t *testing.T, baseURL, appToken, login, password string, rt http.RoundTripper) flowSecrets {
	t.Helper()
	ctx := t.Context()
	c, err := client.New(baseURL, client.WithAppToken(appToken), client.WithHTTPClient(&http.Client{Transport: rt}))
	require.NoError(t, err)
	var s flowSecrets

	auth, err := c.Auth(ctx, "email", client.AuthRequest{AuthData: []client.AuthData{{Marker: "email_reg", Value: login}, {Marker: "password_reg", Value: password}}})
	require.NoError(t, err)
	s.accessTokens = append(s.accessTokens, auth.AccessToken)
	s.refreshTokens = append(s.refreshTokens, auth.RefreshToken)

	form, err := c.Form(ctx, "tickets_form")
	require.NoError(t, err)
	require.Equal(t, "tickets_form", form.Identifier)

	order, err := c.CreateOrder(ctx, "tickets", client.OrderInput{
		FormIdentifier: "tickets_form", PaymentAccountIdentifier: "cash",
		FormData: []client.FormDataItem{{Marker: "tickets", Type: "entity", Value: []string{"p-8-10"}}},
		Products: []client.OrderProductInput{{ProductID: 10, Quantity: 1}},
	})
	require.NoError(t, err)

	refreshed, err := c.Refresh(ctx)
	require.NoError(t, err)
	s.accessTokens = append(s.accessTokens, refreshed.AccessToken)
	s.refreshTokens = append(s.refreshTokens, refreshed.RefreshToken)

	session, err := c.CreateSession(ctx, order.ID, client.SessionTypeSession, false)
	require.NoError(t, err)
	require.Equal(t, order.ID, session.OrderID)

	empty := ""
	_, err = c.UpdateSession(ctx, session.ID, client.SessionUpdate{Status: "expired_ticket", PaymentURL: &empty})
	require.NoError(t, err)

	byOrder, err := c.SessionsByOrder(ctx, order.ID)
	require.NoError(t, err)
	require.Len(t, byOrder, 1)
	require.Equal(t, "expired_ticket", byOrder[0].Status)
	return s
}
