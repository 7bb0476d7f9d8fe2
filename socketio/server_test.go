package socketio

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serve starts a Server behind an HTTP server; the request's user and identity headers say
// whose the connection is, and a connection without a user is not allowed to stay.
func serve(t *testing.T, opts Options) (*Server, *Room, string) {
	t.Helper()
	return serveRoom(t, opts, nil)
}

// serveRoom is serve with a room whose members belong as belongs says.
func serveRoom(t *testing.T, opts Options, belongs func(Member) bool) (*Server, *Room, string) {
	t.Helper()
	srv, room := New(opts), NewRoom(belongs)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if herr := CheckHandshake(r); herr != nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(herr.Status)
			_ = json.NewEncoder(w).Encode(herr)
			return
		}
		user, err := strconv.Atoi(r.Header.Get("user"))
		m := Member{Room: room, User: user, Identity: r.Header.Get("identity"), Allowed: err == nil}
		if err := srv.Serve(w, r, m); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(func() {
		hs.Close()
		_ = srv.Close(context.Background())
	})
	return srv, room, "ws" + strings.TrimPrefix(hs.URL, "http") + "/api/content/ws/?EIO=4&transport=websocket"
}

// client is the test's side of a connection.
type client struct {
	t  *testing.T
	ws *websocket.Conn
}

func dial(t *testing.T, url, user string) *client {
	t.Helper()
	return dialAs(t, url, user, "")
}

func dialAs(t *testing.T, url, user, identity string) *client {
	t.Helper()
	h := http.Header{}
	if user != "" {
		h.Set("user", user)
	}
	if identity != "" {
		h.Set("identity", identity)
	}
	ws, resp, err := websocket.Dial(context.Background(), url, &websocket.DialOptions{HTTPHeader: h})
	require.NoError(t, err)
	require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	t.Cleanup(func() { ws.CloseNow() })
	return &client{t: t, ws: ws}
}

func (c *client) next() string {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, msg, err := c.ws.Read(ctx)
	require.NoError(c.t, err)
	return string(msg)
}

func (c *client) send(msg string) {
	c.t.Helper()
	require.NoError(c.t, c.ws.Write(context.Background(), websocket.MessageText, []byte(msg)))
}

// closed waits for the server to end the connection.
func (c *client) closed() {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		if _, _, err := c.ws.Read(ctx); err != nil {
			require.NoError(c.t, ctx.Err(), "the server did not close the connection")
			return
		}
	}
}

// join opens a session and joins the main namespace, returning the open packet's fields.
func (c *client) join() map[string]any {
	c.t.Helper()
	open := c.next()
	require.Equal(c.t, byte('0'), open[0], open)
	var fields map[string]any
	require.NoError(c.t, json.Unmarshal([]byte(open[1:]), &fields))
	c.send("40")
	ack := c.next()
	require.True(c.t, strings.HasPrefix(ack, `40{"sid":"`), ack)
	return fields
}

func TestHandshakeErrors(t *testing.T) {
	t.Parallel()
	_, _, url := serve(t, Options{})
	httpURL := "http" + strings.TrimPrefix(url, "ws")
	for _, tc := range []struct {
		name, query string
		upgrade     bool
		code        int
	}{
		{"polling is not served", "EIO=4&transport=polling", false, 0},
		{"no transport", "EIO=4", true, 0},
		{"websocket without an upgrade", "EIO=4&transport=websocket", false, 3},
		{"an upgrade without a key", "EIO=4&transport=websocket&nokey", true, 3},
		{"Engine.IO 3", "EIO=3&transport=websocket", true, 5},
		{"no version", "transport=websocket", true, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, _, _ := strings.Cut(httpURL, "?")
			req, err := http.NewRequest(http.MethodGet, u+"?"+tc.query, nil)
			require.NoError(t, err)
			if tc.upgrade {
				req.Header.Set("Connection", "Upgrade")
				req.Header.Set("Upgrade", "websocket")
				req.Header.Set("Sec-WebSocket-Version", "13")
				if !strings.HasSuffix(tc.query, "&nokey") {
					req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
				}
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
			var body HandshakeError
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
			assert.Equal(t, tc.code, body.Code)
			assert.NotEmpty(t, body.Message)
		})
	}
}

func TestEmitReachesTheUsersConnections(t *testing.T) {
	t.Parallel()
	_, room, url := serve(t, Options{})
	first, second, other := dial(t, url, "7"), dial(t, url, "7"), dial(t, url, "8")
	open := first.join()
	assert.Equal(t, float64(DefaultPingInterval.Milliseconds()), open["pingInterval"])
	assert.Equal(t, float64(DefaultPingTimeout.Milliseconds()), open["pingTimeout"])
	assert.Equal(t, []any{}, open["upgrades"])
	assert.Len(t, open["sid"], 20)
	second.join()
	other.join()
	require.Eventually(t, func() bool { return room.Connections()[7] == 2 && room.Connections()[8] == 1 }, 10*time.Second, 5*time.Millisecond)

	n, err := room.Emit(7, "", "price_drop", json.RawMessage(`{"product":{"id":10}}`))
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, `42["price_drop",{"product":{"id":10}}]`, first.next())
	assert.Equal(t, `42["price_drop",{"product":{"id":10}}]`, second.next())
	n, err = room.Emit(9, "", "price_drop", json.RawMessage(`{}`))
	require.NoError(t, err)
	assert.Zero(t, n, "nobody else hears it")

	other.send("41")
	require.Eventually(t, func() bool { _, ok := room.Connections()[8]; return !ok }, 10*time.Second, 5*time.Millisecond)
}

// An id names one person at a time: an event reaches the connections opened as the identity
// it is emitted to, and those of a person who no longer belongs can be ended.
func TestEmitAndDisconnectByIdentity(t *testing.T) {
	t.Parallel()
	var gone sync.Map
	_, room, url := serveRoom(t, Options{}, func(m Member) bool { _, g := gone.Load(m.Identity); return !g })
	before, now := dialAs(t, url, "7", "alice"), dialAs(t, url, "7", "bob")
	before.join()
	now.join()
	require.Eventually(t, func() bool { return room.Connections()[7] == 2 }, 10*time.Second, 5*time.Millisecond)

	n, err := room.Emit(7, "bob", "price_drop", json.RawMessage(`{}`))
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, `42["price_drop",{}]`, now.next())

	gone.Store("alice", true)
	ended := room.DropStrangers()
	assert.Equal(t, 1, ended)
	assert.Equal(t, "41", before.next(), "alice's connection is ended, having heard nothing")
	require.Eventually(t, func() bool { return room.Connections()[7] == 1 }, 10*time.Second, 5*time.Millisecond)
}

// A client may join long after its handshake was checked. One whose person has gone by then,
// or whose room has closed, is told it is connected and disconnected, as at the handshake:
// it never enters the room, which nobody would then empty.
func TestALateJoinerIsCheckedAgain(t *testing.T) {
	t.Parallel()
	var gone sync.Map
	srv, room, url := serveRoom(t, Options{}, func(m Member) bool { _, g := gone.Load(m.Identity); return !g })
	stranger, closing := dialAs(t, url, "7", "alice"), dialAs(t, url, "8", "bob")
	require.Equal(t, byte('0'), stranger.next()[0])
	require.Equal(t, byte('0'), closing.next()[0])

	gone.Store("alice", true)
	stranger.send("40")
	stranger.toldConnectedThenDisconnected()

	room.Close()
	closing.send("40")
	closing.toldConnectedThenDisconnected()

	noneLeft(t, srv, room)
}

// A client that has heard it joined is in the room already, so an event emitted the moment
// it knows it is connected reaches it. While the room is held, the join cannot complete, so
// the acknowledgement must not arrive.
func TestJoinedClientIsInTheRoomBeforeItHearsSo(t *testing.T) {
	t.Parallel()
	_, room, url := serve(t, Options{})
	c := dial(t, url, "7")
	require.Equal(t, byte('0'), c.next()[0])
	room.mu.Lock()
	c.send("40")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	_, early, err := c.ws.Read(ctx)
	cancel()
	room.mu.Unlock()
	require.Error(t, err, "the join was acknowledged before the room had the connection: %s", early)

	// The read that timed out closed the test's side; a new client shows the order end to end.
	c = dial(t, url, "8")
	c.join()
	n, err := room.Emit(8, "", "price_drop", json.RawMessage(`{}`))
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, `42["price_drop",{}]`, c.next())
}

func TestInvalidEventData(t *testing.T) {
	t.Parallel()
	_, room, _ := serve(t, Options{})
	_, err := room.Emit(1, "", "e", json.RawMessage(`{`))
	assert.Error(t, err)
	for _, reserved := range []string{"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"} {
		_, err := room.Emit(1, "", reserved, json.RawMessage(`{}`))
		assert.ErrorContains(t, err, "reserved event name", reserved)
	}
}

func TestPingAndPingTimeout(t *testing.T) {
	t.Parallel()
	// The pong window takes in both sides' scheduling: a loaded machine can stall the test's
	// reply for longer than a live client's network would.
	srv, room, url := serve(t, Options{PingInterval: 20 * time.Millisecond, PingTimeout: 2 * time.Second})
	c := dial(t, url, "1")
	c.join()
	for range 3 {
		require.Equal(t, "2", c.next())
		c.send("3")
	}
	require.Equal(t, "2", c.next())
	c.closed() // no pong this time
	require.Eventually(t, func() bool { return srv.Connections() == 0 && len(room.Connections()) == 0 }, 10*time.Second, 5*time.Millisecond)
}

func TestNotAllowedIsConnectedThenDisconnected(t *testing.T) {
	t.Parallel()
	srv, room, url := serve(t, Options{})
	c := dial(t, url, "")
	require.Equal(t, byte('0'), c.next()[0])
	c.send("40")
	c.toldConnectedThenDisconnected()
	noneLeft(t, srv, room)
}

// toldConnectedThenDisconnected reads the answer to a join of a client the server does not
// keep: the acknowledgement, the server's disconnect, and the end of the connection.
func (c *client) toldConnectedThenDisconnected() {
	c.t.Helper()
	ack := c.next()
	require.True(c.t, strings.HasPrefix(ack, `40{"sid":"`), ack)
	assert.Equal(c.t, "41", c.next())
	c.closed()
}

// noneLeft waits for the server to hold no connection, and checks the room holds none.
func noneLeft(t *testing.T, srv *Server, room *Room) {
	t.Helper()
	assert.Empty(t, room.Connections())
	require.Eventually(t, func() bool { return srv.Connections() == 0 }, 10*time.Second, 5*time.Millisecond)
}

func TestOtherNamespacesAreRefused(t *testing.T) {
	t.Parallel()
	_, _, url := serve(t, Options{})
	c := dial(t, url, "1")
	require.Equal(t, byte('0'), c.next()[0])
	c.send("40/admin,")
	assert.Equal(t, `44/admin,{"message":"Invalid namespace"}`, c.next())
	c.send("40")
	assert.True(t, strings.HasPrefix(c.next(), `40{"sid":"`))
}

func TestConnectTimeout(t *testing.T) {
	t.Parallel()
	srv, _, url := serve(t, Options{ConnectTimeout: 50 * time.Millisecond})
	c := dial(t, url, "1")
	require.Equal(t, byte('0'), c.next()[0])
	c.closed()
	require.Eventually(t, func() bool { return srv.Connections() == 0 }, 10*time.Second, 5*time.Millisecond)
}

func TestMaxConnections(t *testing.T) {
	t.Parallel()
	_, _, url := serve(t, Options{MaxConnections: 1})
	dial(t, url, "1").join()
	_, resp, err := websocket.Dial(context.Background(), url, nil)
	require.Error(t, err)
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
}

func TestDisconnectAllAndClose(t *testing.T) {
	t.Parallel()
	srv, room, url := serve(t, Options{})
	a, b := dial(t, url, "1"), dial(t, url, "2")
	a.join()
	b.join()
	require.Eventually(t, func() bool { return len(room.Connections()) == 2 }, 10*time.Second, 5*time.Millisecond)
	room.Close()
	assert.Equal(t, "41", a.next())
	assert.Equal(t, "41", b.next())
	a.closed()
	b.closed()

	c := dial(t, url, "3")
	c.join()
	require.NoError(t, srv.Close(context.Background()))
	c.closed()
	assert.Zero(t, srv.Connections())
	_, resp, err := websocket.Dial(context.Background(), url, nil)
	require.Error(t, err)
	require.NotNil(t, resp)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "a closed server takes no connection")
}

func TestParsePacket(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]packet{
		"0":              {kind: '0', namespace: "/"},
		`0{"token":1}`:   {kind: '0', namespace: "/"},
		"0/admin,":       {kind: '0', namespace: "/admin"},
		"1":              {kind: '1', namespace: "/"},
		`2["hello",1]`:   {kind: '2', namespace: "/"},
		`51-/x,["a",{}]`: {kind: '5', namespace: "/x"},
	} {
		got, ok := parsePacket(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "9", "x"} {
		_, ok := parsePacket(in)
		assert.False(t, ok, in)
	}
}

func TestOversizedMessageClosesTheConnection(t *testing.T) {
	t.Parallel()
	srv, _, url := serve(t, Options{})
	c := dial(t, url, "1")
	c.join()
	c.send("4" + strings.Repeat("x", maxPayload))
	c.closed()
	require.Eventually(t, func() bool { return srv.Connections() == 0 }, 10*time.Second, 5*time.Millisecond)
}

// A client that takes nothing while messages pile up is dropped, not buffered without end.
func TestSlowClientIsDropped(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := &conn{server: New(Options{}), out: make(chan outgoing, queueSize), ctx: ctx, cancel: cancel}
	for i := range queueSize {
		require.True(t, c.send([]byte("2")), "message %d", i)
	}
	assert.False(t, c.send([]byte("2")))
	assert.Error(t, ctx.Err(), "the connection is ended")
}
