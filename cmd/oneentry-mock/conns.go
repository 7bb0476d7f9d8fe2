package main

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Defaults of the connection settings every serving command shares. The write timeout leaves
// room for the longest injected latency (a minute) on top of the answer itself.
const (
	defaultReadTimeout    = time.Minute
	defaultWriteTimeout   = 90 * time.Second
	defaultIdleTimeout    = time.Minute
	defaultMaxConnections = 4096
	// readHeaderTimeout bounds the wait for a request's headers, so a client that connects
	// and says nothing is soon let go.
	readHeaderTimeout = 5 * time.Second
	// maxHeaderBytes makes a request head over Node's default of 16 KiB (the live API runs on
	// Node.js) answered 431, as live does, and thousands of slow clients cannot hold a megabyte
	// each. net/http reads 4 KiB past the setting before it refuses (and, on a kept-alive
	// connection, what it had buffered besides).
	maxHeaderBytes = 16<<10 - 4<<10
)

// listen binds addr and announces it (see announce).
func listen(addr, name string, stdout io.Writer) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	announce(stdout, name, ln)
	return ln, nil
}

// announce writes "NAME listening on http://HOST:PORT" to stdout, the first line cmd/bench and
// the tests wait for, and returns the URL.
func announce(stdout io.Writer, name string, ln net.Listener) string {
	url := "http://" + displayAddr(ln.Addr())
	fmt.Fprintf(stdout, "%s listening on %s\n", name, url)
	return url
}

// newHTTPServer is the http.Server of a serving command: h behind ln, with o's timeouts and
// o.MaxConnections open connections at most. It returns the listener to serve on.
func newHTTPServer(h http.Handler, ln net.Listener, o serverOptions, logger *slog.Logger) (*http.Server, net.Listener) {
	cl := newConnLimit(ln, int(o.MaxConnections))
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ReadTimeout:       o.ReadTimeout,
		WriteTimeout:      o.WriteTimeout,
		IdleTimeout:       o.IdleTimeout,
		ConnState:         cl.track,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	return srv, cl
}

// connLimit is a listener that keeps at most max connections open. At the cap it makes room
// for a new connection by closing the one idle the longest (a keep-alive connection between
// requests), else the oldest that has not sent a request yet; when every connection is busy
// with a request it closes the new one instead. Idle keep-alive connections thus cannot starve
// /healthz or the admin API, whoever opens them, and the process stays below its file limit.
type connLimit struct {
	net.Listener
	max int

	mu    sync.Mutex
	seq   uint64
	conns map[net.Conn]connEntry
}

// connEntry is what connLimit knows of an open connection: its state and when (in accept and
// state-change order) it entered it.
type connEntry struct {
	state http.ConnState
	since uint64
}

func newConnLimit(ln net.Listener, max int) *connLimit {
	return &connLimit{Listener: ln, max: max, conns: map[net.Conn]connEntry{}}
}

// Accept returns the next connection, once there is room for it.
func (l *connLimit) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.admit(c) {
			return c, nil
		}
		c.Close()
	}
}

// admit counts c in, closing an idle connection if the cap is reached; false when every
// connection is busy.
func (l *connLimit) admit(c net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.conns) >= l.max {
		victim := l.evictable()
		if victim == nil {
			return false
		}
		delete(l.conns, victim)
		// Closing makes the server's read of the next request fail; it then reports
		// StateClosed, which finds the connection already gone.
		victim.Close()
	}
	l.seq++
	l.conns[c] = connEntry{state: http.StateNew, since: l.seq}
	return true
}

// evictable returns the connection idle the longest, else the oldest one that has sent
// nothing yet, else nil. A scan, but only at the cap.
func (l *connLimit) evictable() net.Conn {
	var idle, fresh net.Conn
	var idleSince, freshSince uint64
	for c, e := range l.conns {
		switch e.state {
		case http.StateIdle:
			if idle == nil || e.since < idleSince {
				idle, idleSince = c, e.since
			}
		case http.StateNew:
			if fresh == nil || e.since < freshSince {
				fresh, freshSince = c, e.since
			}
		}
	}
	if idle != nil {
		return idle
	}
	return fresh
}

// track is the server's ConnState hook.
func (l *connLimit) track(c net.Conn, state http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.conns[c]; !ok {
		return // closed by admit
	}
	switch state {
	case http.StateClosed, http.StateHijacked:
		delete(l.conns, c)
	default:
		l.seq++
		l.conns[c] = connEntry{state: state, since: l.seq}
	}
}
