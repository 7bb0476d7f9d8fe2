// Package socketio serves the content API's Socket.IO endpoint (/api/content/ws, which the
// SDK's WS.connect opens) over WebSocket: Engine.IO protocol 4 carrying Socket.IO protocol 5,
// main namespace only. It knows nothing of users or sandboxes: the caller says whose a
// connection is and whether it may stay, and emits events to a Room.
package socketio

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Options configures a Server; zero values mean the defaults.
type Options struct {
	// PingInterval and PingTimeout are announced to clients: the server pings every interval
	// and drops a client that has not answered within the timeout.
	PingInterval time.Duration
	PingTimeout  time.Duration
	// ConnectTimeout drops a client that opened a session but joined no namespace.
	ConnectTimeout time.Duration
	// MaxConnections bounds the connections open at once, over every room.
	MaxConnections int
	Logger         *slog.Logger
}

// The defaults are a Socket.IO server's own, except MaxConnections, which bounds what idle
// connections can hold (three goroutines and a queue each).
const (
	DefaultPingInterval   = 25 * time.Second
	DefaultPingTimeout    = 20 * time.Second
	DefaultConnectTimeout = 45 * time.Second
	DefaultMaxConnections = 1000
)

const (
	// maxPayload bounds a client's message; clients send only pongs and namespace requests.
	maxPayload = 64 << 10
	// queueSize bounds the messages waiting for a slow client; a client that falls further
	// behind is dropped rather than buffered without end.
	queueSize    = 64
	writeTimeout = 10 * time.Second
)

// ErrTooManyConnections refuses a connection beyond Options.MaxConnections.
var ErrTooManyConnections = errors.New("too many WebSocket connections")

// ErrClosed refuses a connection after Close.
var ErrClosed = errors.New("socket.io server closed")

// Server accepts connections and holds them until they end or Close.
type Server struct {
	opts   Options
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	conns  int
	closed bool
}

// New returns a Server ready to accept connections.
func New(opts Options) *Server {
	opts.PingInterval = positiveOr(opts.PingInterval, DefaultPingInterval)
	opts.PingTimeout = positiveOr(opts.PingTimeout, DefaultPingTimeout)
	opts.ConnectTimeout = positiveOr(opts.ConnectTimeout, DefaultConnectTimeout)
	opts.MaxConnections = positiveOr(opts.MaxConnections, DefaultMaxConnections)
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{opts: opts, ctx: ctx, cancel: cancel}
}

func positiveOr[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// Member says whose a connection is. A connection with Allowed false is told it is connected
// and disconnected at once, as a server that checks its clients on connection does.
type Member struct {
	Room *Room
	User int
	// Identity is who User is beyond the id, a comparable value: an event reaches the
	// connection only when emitted to this identity, so that a connection opened by a person
	// whose id now names another (after a reset of the project) hears nothing of theirs.
	Identity any
	Allowed  bool
	// Adapt, when set, adapts an event's data to this connection (its links to the host the
	// connection was opened through, say).
	Adapt func(json.RawMessage) json.RawMessage
}

// Serve upgrades a request that passed CheckHandshake and serves the connection in the
// background: it returns once the WebSocket is open. Before that, ErrTooManyConnections and
// ErrClosed leave w to the caller; any other error has been answered.
func (s *Server) Serve(w http.ResponseWriter, r *http.Request, m Member) error {
	s.mu.Lock()
	switch {
	case s.closed:
		s.mu.Unlock()
		return ErrClosed
	case s.conns >= s.opts.MaxConnections:
		s.mu.Unlock()
		return ErrTooManyConnections
	}
	s.conns++
	s.wg.Add(1)
	s.mu.Unlock()

	// Origins are not checked: a site's pages connect from their own origin, as to the live API.
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		s.release()
		return err
	}
	ws.SetReadLimit(maxPayload)
	ctx, cancel := context.WithCancel(s.ctx)
	c := &conn{server: s, ws: ws, member: m, sid: newID(), out: make(chan outgoing, queueSize), pong: make(chan struct{}, 1),
		ctx: ctx, cancel: cancel}
	go func() {
		defer s.release()
		c.run()
	}()
	return nil
}

func (s *Server) release() {
	s.mu.Lock()
	s.conns--
	s.mu.Unlock()
	s.wg.Done()
}

// Connections returns how many connections are open.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// Close drops every connection and refuses new ones; it returns when they are gone or ctx
// ends.
func (s *Server) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// conn is one client's connection: run reads, write sends what the queue holds, ping keeps
// the connection checked.
type conn struct {
	server *Server
	ws     *websocket.Conn
	member Member
	sid    string
	out    chan outgoing
	pong   chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	once   sync.Once
	// inRoom is set when the client joined and its member was let into the room; one that
	// was not is told it is connected and disconnected at once.
	inRoom bool
}

// openPacket is the Engine.IO handshake, its fields in the order an Engine.IO server sends them.
type openPacket struct {
	SID          string   `json:"sid"`
	Upgrades     []string `json:"upgrades"`
	PingInterval int64    `json:"pingInterval"`
	PingTimeout  int64    `json:"pingTimeout"`
	MaxPayload   int      `json:"maxPayload"`
}

// outgoing is a message for the writer; last closes the connection once it is sent.
type outgoing struct {
	data []byte
	last bool
}

func (c *conn) run() {
	defer c.ws.CloseNow()
	defer c.cancel()
	go c.write()
	open, _ := json.Marshal(openPacket{
		SID: c.sid, Upgrades: []string{}, PingInterval: c.server.opts.PingInterval.Milliseconds(),
		PingTimeout: c.server.opts.PingTimeout.Milliseconds(), MaxPayload: maxPayload,
	})
	if c.member.Allowed {
		defer c.member.Room.remove(c)
	}
	if !c.send(append([]byte{engineOpen}, open...)) || !c.join() {
		return
	}
	if !c.inRoom {
		c.disconnect()
		<-c.ctx.Done()
		return
	}
	go c.ping()
	for {
		msg, ok := c.read(c.ctx)
		if !ok {
			return
		}
		switch msg[0] {
		case enginePong:
			select {
			case c.pong <- struct{}{}:
			default:
			}
		case engineClose:
			return
		case engineMessage:
			if p, ok := parsePacket(string(msg[1:])); ok && p.kind == packetDisconnect && p.namespace == "/" {
				return
			}
			// Events a client emits reach no handler: the live API's socket only pushes.
		}
	}
}

// join waits for the client to join the main namespace and confirms it; other namespaces are
// refused.
func (c *conn) join() bool {
	ctx, cancel := context.WithTimeout(c.ctx, c.server.opts.ConnectTimeout)
	defer cancel()
	for {
		msg, ok := c.read(ctx)
		if !ok {
			return false
		}
		switch msg[0] {
		case engineClose:
			return false
		case engineMessage:
			p, ok := parsePacket(string(msg[1:]))
			if !ok || p.kind != packetConnect {
				continue
			}
			if p.namespace != "/" {
				if !c.send(connectErrorMessage(p.namespace)) {
					return false
				}
				continue
			}
			// In the room before the client hears it joined: an event emitted as soon as the
			// client knows it is connected must reach it.
			c.inRoom = c.member.Allowed && c.member.Room.add(c)
			ack, _ := json.Marshal(map[string]string{"sid": newID()})
			return c.send(append([]byte{engineMessage, packetConnect}, ack...))
		}
	}
}

// read returns the next text message; false when the connection or ctx ended.
func (c *conn) read(ctx context.Context) ([]byte, bool) {
	for {
		typ, msg, err := c.ws.Read(ctx)
		if err != nil {
			return nil, false
		}
		if typ == websocket.MessageText && len(msg) > 0 {
			return msg, true
		}
	}
}

// send queues a message; a client too slow to take it is dropped.
func (c *conn) send(msg []byte) bool { return c.queue(outgoing{data: msg}) }

func (c *conn) queue(msg outgoing) bool {
	select {
	case c.out <- msg:
		return true
	case <-c.ctx.Done():
		return false
	default:
		c.server.opts.Logger.Warn("socket.io client too slow, dropped", "sid", c.sid)
		c.cancel()
		return false
	}
}

// disconnect ends the connection from the server's side, once: the client hears a
// disconnect (Socket.IO's "io server disconnect", after which it does not reconnect).
func (c *conn) disconnect() {
	c.once.Do(func() { c.queue(outgoing{data: []byte{engineMessage, packetDisconnect}, last: true}) })
}

func (c *conn) write() {
	for {
		select {
		case <-c.ctx.Done():
			return
		case msg := <-c.out:
			ctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
			err := c.ws.Write(ctx, websocket.MessageText, msg.data)
			cancel()
			if err != nil {
				c.cancel()
				return
			}
			if msg.last {
				_ = c.ws.Close(websocket.StatusNormalClosure, "")
				c.cancel()
				return
			}
		}
	}
}

func (c *conn) ping() {
	t := time.NewTimer(c.server.opts.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
		}
		if !c.send([]byte{enginePing}) {
			return
		}
		select {
		case <-c.ctx.Done():
			return
		case <-c.pong:
		case <-time.After(c.server.opts.PingTimeout):
			c.cancel()
			return
		}
		t.Reset(c.server.opts.PingInterval)
	}
}

// newID returns an id like Engine.IO's session ids: 20 URL-safe characters.
func newID() string {
	b := make([]byte, 15)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
