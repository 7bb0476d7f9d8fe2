package mockserver

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
)

// recoverPanics turns a handler panic into a logged 500 with the live error body, so one bad
// request never takes the sandbox down.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
				s.writeErrorStatus(w, r, http.StatusInternalServerError, "Internal server error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// requireHost answers a request with an empty Host as Go's server answers one without a Host
// on HTTP/1.1, before anything else runs: plain-text 400, connection closed. Go lets an
// HTTP/1.0 request without one, or an empty "Host:", through, and every absolute link the mock
// writes (media, uploads, the checkout) would then lack its host. The health probes write no
// link, and a load balancer's check may be such a request (HAProxy's httpchk sends HTTP/1.0
// without a Host by default), so they answer it.
func requireHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host == "" && r.URL.Path != "/healthz" && r.URL.Path != "/readyz" {
			w.Header().Set("Connection", "close")
			http.Error(w, "400 Bad Request: missing required Host header", http.StatusBadRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requestID is the request's id, answered in X-Request-Id and carried in the context, so an
// e-mail or webhook can name the request that caused it. It is always the mock's own: a
// client's X-Request-Id may repeat or hold a slash, and the id must name one journal entry and
// be a path segment of its dashboard page. The journal keeps the client's header beside it.
func (s *Server) requestID() string {
	// Built in a buffer on the stack, so that the id is the only allocation.
	var buf [64]byte
	return string(strconv.AppendUint(append(buf[:0], s.requestPrefix...), s.requestSeq.Add(1), 36))
}

// randomKey returns 32 random bytes, a key for this process only.
func randomKey() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return b
}

// randomPrefix starts the request ids of one process.
func randomPrefix() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "req_" + hex.EncodeToString(b[:]) + "-"
}
