package mockserver

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
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

// requestID is the request's id, answered in X-Request-Id and carried in the context, so an
// e-mail or webhook can name the request that caused it. A sane incoming X-Request-Id is kept.
func (s *Server) requestID(r *http.Request) string {
	id := r.Header.Get("X-Request-Id")
	if id == "" || len(id) > 128 || strings.ContainsAny(id, " \t\r\n") {
		// Built in a buffer on the stack, so that the id is the only allocation.
		var buf [64]byte
		id = string(strconv.AppendUint(append(buf[:0], s.requestPrefix...), s.requestSeq.Add(1), 36))
	}
	return id
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
