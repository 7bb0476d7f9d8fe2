package mockserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/mocktest"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// socketClient is a Socket.IO client reduced to what the tests read: the raw packets.
type socketClient struct {
	t  *testing.T
	ws *websocket.Conn
}

// openSocket connects as the SDK does (path with a trailing slash, bearer and app token in
// headers) and joins the main namespace.
func (ts *testServer) openSocket(t *testing.T, appToken, bearer string) *socketClient {
	t.Helper()
	h := http.Header{"x-app-token": {appToken}, "Authorization": {"Bearer " + bearer}}
	url := "ws" + strings.TrimPrefix(ts.URL, "http") + "/api/content/ws/?EIO=4&transport=websocket"
	ws, _, err := websocket.Dial(t.Context(), url, &websocket.DialOptions{HTTPHeader: h})
	require.NoError(t, err)
	t.Cleanup(func() { ws.CloseNow() })
	c := &socketClient{t: t, ws: ws}
	require.True(t, strings.HasPrefix(c.next(), `0{"sid":`))
	require.NoError(t, ws.Write(t.Context(), websocket.MessageText, []byte("40")))
	require.True(t, strings.HasPrefix(c.next(), `40{"sid":`))
	return c
}

func (c *socketClient) next() string {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.t.Context(), 10*time.Second)
	defer cancel()
	_, msg, err := c.ws.Read(ctx)
	require.NoError(c.t, err)
	return string(msg)
}

func (ts *testServer) waitSockets(t *testing.T, total int) {
	t.Helper()
	require.Eventually(t, func() bool {
		status, body := ts.call(t, http.MethodGet, "/__admin/sockets", "", nil)
		return status == http.StatusOK && decode[struct{ Total int }](t, body).Total == total
	}, 10*time.Second, 5*time.Millisecond)
}

func TestSocketHearsTheProductEventsOfItsUser(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	ann, bob := ts.loginLive(t, userLogin, userPass), ts.loginLive(t, user2, user2Pass)
	for _, sub := range []struct {
		bearer, locale string
	}{{ann, "en_US"}, {bob, "ru_RU"}} {
		status, body := ts.call(t, http.MethodPost, "/api/content/events/subscribe/marker/back_in_stock", sub.bearer, map[string]any{"locale": sub.locale, "productId": 12})
		require.Equal(t, http.StatusCreated, status, string(body))
	}
	annSocket, bobSocket := ts.openSocket(t, appToken, ann), ts.openSocket(t, appToken, bob)
	ts.waitSockets(t, 2)
	status, body := ts.call(t, http.MethodGet, "/__admin/sockets", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"total":2,"users":[{"userId":16,"connections":1},{"userId":17,"connections":1}]}`, string(body))

	status, body = ts.call(t, http.MethodPost, "/__admin/events/back_in_stock/fire", "", map[string]any{"productId": 12, "message": "Back in stock"})
	require.Equal(t, http.StatusOK, status, string(body))
	assert.JSONEq(t, `{"event":"back_in_stock","productId":12,"message":"Back in stock","subscribers":2,"delivered":2}`, string(body))

	// Each in the language of the subscription.
	for socket, title := range map[*socketClient]string{annSocket: "Gold ticket", bobSocket: "Золотой"} {
		var packet []json.RawMessage
		msg := socket.next()
		require.True(t, strings.HasPrefix(msg, "42"), msg)
		require.NoError(t, json.Unmarshal([]byte(msg[2:]), &packet))
		require.Len(t, packet, 2)
		assert.JSONEq(t, `"back_in_stock"`, string(packet[0]))
		notice := decode[struct {
			Message    string         `json:"message"`
			Attributes map[string]any `json:"attributes"`
			Product    struct {
				ID   int `json:"id"`
				Info struct {
					Title string `json:"title"`
				} `json:"info"`
				Status     any                        `json:"status"`
				Attributes map[string]json.RawMessage `json:"attributes"`
			} `json:"product"`
		}](t, packet[1])
		assert.Equal(t, "Back in stock", notice.Message)
		assert.Empty(t, notice.Attributes)
		assert.Equal(t, 12, notice.Product.ID)
		assert.Equal(t, title, notice.Product.Info.Title)
		assert.JSONEq(t, `{"identifier":"price","type":"integer","value":300}`, string(notice.Product.Attributes["price"]))
		assert.Contains(t, msg, `"`+ts.URL+`/cloud-static/content/`, "media links are absolute, as the API answers them")
		assert.NotContains(t, msg, `"/cloud-static/`)
	}

	status, body = ts.call(t, http.MethodPost, "/__admin/events/price_change/fire", "", map[string]any{"productId": 12})
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"event":"price_change","productId":12,"message":"","subscribers":0,"delivered":0}`, string(body))
}

func TestSocketHandshakeAndFireErrors(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	// Engine.IO's own answers: the SDK asks for the WebSocket transport only.
	status, body := ts.call(t, http.MethodGet, "/api/content/ws/?EIO=4&transport=polling", "", nil)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.JSONEq(t, `{"code":0,"message":"Transport unknown"}`, string(body))
	status, body = ts.call(t, http.MethodGet, "/api/content/ws/?EIO=4&transport=websocket", "", nil)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.JSONEq(t, `{"code":3,"message":"Bad request"}`, string(body))

	for _, tc := range []struct {
		name, path string
		body       any
		status     int
		message    string
	}{
		{"unknown product", "/__admin/events/back_in_stock/fire", map[string]any{"productId": 999}, http.StatusNotFound, "Product with id 999 not found"},
		{"unknown field", "/__admin/events/back_in_stock/fire", map[string]any{"product": 12}, http.StatusBadRequest, "body must be"},
		{"not JSON", "/__admin/events/back_in_stock/fire", "productId=12", http.StatusBadRequest, "body must be"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := ts.call(t, http.MethodPost, tc.path, "", tc.body)
			e := decodeError(t, status, body)
			assert.Equal(t, tc.status, status)
			assert.Contains(t, strings.Join(e.messages(), "; "), tc.message)
		})
	}
}

func TestSocketWithoutAValidUserIsDisconnected(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	for name, app := range map[string]string{"bad bearer": appToken, "unknown app token": "no-such-project"} {
		t.Run(name, func(t *testing.T) {
			c := ts.openSocket(t, app, "not-a-token")
			assert.Equal(t, "41", c.next())
		})
	}
	ts.waitSockets(t, 0)
}

func TestRemovingASandboxDisconnectsItsSockets(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	status, body := ts.call(t, http.MethodPost, "/__admin/sandboxes", "", nil)
	require.Equal(t, http.StatusCreated, status, string(body))
	created := decode[struct{ AppToken string }](t, body)
	own := map[string]string{"x-app-token": created.AppToken, "x-device-metadata": liveDevice}
	login := func() string {
		status, body := ts.callWith(t, http.MethodPost, authPath, "", authBody(userLogin, userPass), own)
		require.Equal(t, http.StatusCreated, status, string(body))
		return decode[tokens](t, body).AccessToken
	}
	c := ts.openSocket(t, created.AppToken, login())

	// A reset keeps the connection: only the state went back to the fixtures, so the user
	// subscribes again and hears the event on the same socket.
	status, _ = ts.callWith(t, http.MethodPost, "/__admin/reset", "", nil, own)
	require.Equal(t, http.StatusOK, status)
	status, body = ts.callWith(t, http.MethodPost, "/api/content/events/subscribe/marker/back_in_stock", login(), map[string]any{"productId": 12}, own)
	require.Equal(t, http.StatusCreated, status, string(body))
	status, body = ts.callWith(t, http.MethodPost, "/__admin/events/back_in_stock/fire", "", map[string]any{"productId": 12}, own)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.True(t, strings.HasPrefix(c.next(), `42["back_in_stock",`))

	status, _ = ts.callWith(t, http.MethodDelete, "/__admin/sandboxes/"+created.AppToken, "", nil, nil)
	require.Equal(t, http.StatusNoContent, status)
	assert.Equal(t, "41", c.next())
}

// After a reset the id of a signed-up user may be given to another person: the socket of the
// one before is ended and hears nothing of the new one's events.
func TestASocketOfSomeoneGoneHearsNothingOfWhoHasTheirIdNow(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	signUp := func(login string) string {
		t.Helper()
		ts.signUp(t, login)
		return ts.loginLive(t, login, "12345")
	}
	idOf := func(token string) int {
		t.Helper()
		claims, err := ts.store.VerifyAccessToken(t.Context(), token)
		require.NoError(t, err)
		return claims.ID
	}
	aliceToken := signUp("alice@example.com")
	aliceID := idOf(aliceToken)
	alice := ts.openSocket(t, appToken, aliceToken)

	status, _ := ts.call(t, http.MethodPost, "/__admin/reset", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "41", alice.next(), "the socket of a user the reset removed is ended")

	bobToken := signUp("bob@example.com")
	require.Equal(t, aliceID, idOf(bobToken), "the reset gave alice's id to bob")
	status, body := ts.call(t, http.MethodPost, "/api/content/events/subscribe/marker/back_in_stock", bobToken, map[string]any{"productId": 12})
	require.Equal(t, http.StatusCreated, status, string(body))
	bob := ts.openSocket(t, appToken, bobToken)
	ts.waitSockets(t, 1)
	status, body = ts.call(t, http.MethodPost, "/__admin/events/back_in_stock/fire", "", map[string]any{"productId": 12})
	require.Equal(t, http.StatusOK, status, string(body))
	assert.JSONEq(t, `{"event":"back_in_stock","productId":12,"message":"","subscribers":1,"delivered":1}`, string(body))
	assert.True(t, strings.HasPrefix(bob.next(), `42["back_in_stock",`))
}

// Removing an account, by deletion or by marking it for deletion, ends its sockets and its
// subscriptions: a product event then counts no subscriber, and the state keeps none of them.
func TestRemovingAnAccountEndsItsSocketsAndSubscriptions(t *testing.T) {
	t.Parallel()
	for _, removal := range []string{"/api/content/users/me", "/api/content/users/me/account"} {
		t.Run(removal, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, withProfile(sandbox.ProfileLive))
			ts.signUp(t, "alice@example.com")
			alice := ts.loginLive(t, "alice@example.com", "12345")
			bob := ts.loginLive(t, userLogin, userPass)
			for _, bearer := range []string{alice, bob} {
				status, body := ts.call(t, http.MethodPost, "/api/content/events/subscribe/marker/back_in_stock", bearer, map[string]any{"productId": 12})
				require.Equal(t, http.StatusCreated, status, string(body))
			}
			aliceSocket, bobSocket := ts.openSocket(t, appToken, alice), ts.openSocket(t, appToken, bob)
			ts.waitSockets(t, 2)

			status, body := ts.call(t, http.MethodDelete, removal, alice, nil)
			require.Equal(t, http.StatusOK, status, string(body))
			assert.Equal(t, "41", aliceSocket.next())
			ts.waitSockets(t, 1)
			status, body = ts.call(t, http.MethodPost, "/__admin/events/back_in_stock/fire", "", map[string]any{"productId": 12})
			require.Equal(t, http.StatusOK, status, string(body))
			assert.JSONEq(t, `{"event":"back_in_stock","productId":12,"message":"","subscribers":1,"delivered":1}`, string(body))
			assert.True(t, strings.HasPrefix(bobSocket.next(), `42["back_in_stock",`))

			status, body = ts.call(t, http.MethodGet, "/__admin/state", "", nil)
			require.Equal(t, http.StatusOK, status)
			subs := decode[struct {
				Subscriptions []struct{ UserID int }
			}](t, body).Subscriptions
			require.Len(t, subs, 1)
			assert.Equal(t, 16, subs[0].UserID)
		})
	}
}

// The mock is built here without mocktest, which fails a test on any 5xx: the 503 is the point.
func TestClosingTheServerDisconnectsSocketsAndRefusesNew(t *testing.T) {
	t.Parallel()
	srv, err := mockserver.New(mockserver.Options{Sandbox: sandbox.Options{Fixtures: mocktest.DefaultFixtures(t), Profile: sandbox.ProfileLive}})
	require.NoError(t, err)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	ts := &testServer{Server: hs, server: srv}
	c := ts.openSocket(t, appToken, ts.loginLive(t, userLogin, userPass))
	require.NoError(t, srv.Close(t.Context()))
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, _, err = c.ws.Read(ctx)
	require.Error(t, err)
	require.NoError(t, ctx.Err(), "the server did not close the socket")

	url := "ws" + strings.TrimPrefix(hs.URL, "http") + "/api/content/ws/?EIO=4&transport=websocket"
	_, resp, err := websocket.Dial(t.Context(), url, &websocket.DialOptions{HTTPHeader: http.Header{"x-app-token": {appToken}}})
	require.Error(t, err)
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
}
