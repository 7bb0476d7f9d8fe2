package socketio

import (
	"net/http"
	"strings"
)

// HandshakeError is why a request cannot open a session, answered as Engine.IO answers it:
// Status with the JSON {"code","message"}.
type HandshakeError struct {
	Status  int    `json:"-"`
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *HandshakeError) Error() string { return e.Message }

// Engine.IO's error codes, with the messages its server sends.
var (
	errTransportUnknown = &HandshakeError{Status: http.StatusBadRequest, Code: 0, Message: "Transport unknown"}
	errBadRequest       = &HandshakeError{Status: http.StatusBadRequest, Code: 3, Message: "Bad request"}
	errUnsupported      = &HandshakeError{Status: http.StatusBadRequest, Code: 5, Message: "Unsupported protocol version"}
)

// CheckHandshake checks a request that opens a session, in the order an Engine.IO server
// does: the transport (only WebSocket is served, the one the SDK asks for), the WebSocket
// upgrade it needs (RFC 6455's headers), then the protocol version (4, that of Socket.IO 3 and
// later).
func CheckHandshake(r *http.Request) *HandshakeError {
	q := r.URL.Query()
	if q.Get("transport") != "websocket" {
		return errTransportUnknown
	}
	if !headerHas(r.Header, "Connection", "upgrade") || !headerHas(r.Header, "Upgrade", "websocket") ||
		r.Header.Get("Sec-WebSocket-Version") != "13" || r.Header.Get("Sec-WebSocket-Key") == "" {
		return errBadRequest
	}
	if q.Get("EIO") != "4" {
		return errUnsupported
	}
	return nil
}

// headerHas reports whether a comma-separated header lists token, in any case.
func headerHas(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for part := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), token) {
				return true
			}
		}
	}
	return false
}
