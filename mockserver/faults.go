package mockserver

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// applyFault carries out a rule. It reports whether the request is finished (nothing more
// may be written).
func (s *Server) applyFault(ctx context.Context, w http.ResponseWriter, r *http.Request, f sandbox.FaultRule) bool {
	if d := f.Latency.Duration(); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return true
		}
	}
	switch {
	case f.Status != 0:
		msg := f.Message
		if msg == "" {
			msg = http.StatusText(f.Status)
		}
		s.writeErrorStatus(w, r, f.Status, msg)
		return true
	case f.Reset:
		resetConnection(w)
		return true
	case f.Truncate:
		return false // the response is cut on its way out; see truncatingWriter
	}
	return false
}

// resetConnection closes the client's connection abruptly, as a crashed upstream would: the
// client sees "connection reset by peer", not an HTTP answer.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // HTTP/2 or a recorder: abort the stream instead
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// truncatingWriter announces the full body length but sends only half of it, then drops the
// connection: the client sees an unexpected EOF mid-body. The handler's answer is buffered
// (with the connection's header) until finish sends half of it on conn.
type truncatingWriter struct {
	bufferedResponse
	conn http.ResponseWriter
}

func newTruncatingWriter(w http.ResponseWriter) *truncatingWriter {
	return &truncatingWriter{bufferedResponse: bufferedResponse{header: w.Header()}, conn: w}
}

func (t *truncatingWriter) finish() {
	conn, brw, err := http.NewResponseController(t.conn).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	writeTruncated(brw, t.header, t.status, t.body.Bytes())
}

func writeTruncated(brw *bufio.ReadWriter, h http.Header, status int, body []byte) {
	fmt.Fprintf(brw, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	h.Set("Content-Length", fmt.Sprint(len(body)))
	h.Set("Connection", "close")
	_ = h.Write(brw)
	_, _ = brw.WriteString("\r\n")
	_, _ = brw.Write(body[:len(body)/2])
	_ = brw.Flush()
}

type faultRequest struct {
	Method       string                `json:"method"`
	Path         string                `json:"path"`
	BodyContains string                `json:"bodyContains"`
	Latency      *sandbox.FaultLatency `json:"latency"`
	Status       int                   `json:"status"`
	Message      string                `json:"message"`
	Reset        bool                  `json:"reset"`
	Truncate     bool                  `json:"truncate"`
	Times        int                   `json:"times"`
	Probability  float64               `json:"probability"`
}

// handleFaultCreate handles POST /__admin/faults.
func (s *Server) handleFaultCreate(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	var req faultRequest
	if !decodeAdmin(w, r, s, &req, `{"method","path","bodyContains","latency":{"fixedMs"|"minMs","maxMs"},"status","message","reset","truncate","times","probability"}`) {
		return
	}
	rule := sandbox.FaultRule{
		Method: req.Method, Path: req.Path, BodyContains: req.BodyContains, Latency: req.Latency,
		Status: req.Status, Message: req.Message, Reset: req.Reset, Truncate: req.Truncate,
		Times: req.Times, Probability: req.Probability,
	}
	added, err := sb.AddFault(rule)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, added)
}

// handleFaultList handles GET /__admin/faults.
func (s *Server) handleFaultList(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	s.writeJSON(w, http.StatusOK, sb.Faults().List())
}

// handleFaultDelete handles DELETE /__admin/faults/{id}.
func (s *Server) handleFaultDelete(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	if err := sb.RemoveFault(mux.Vars(r)["id"]); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleFaultClear handles DELETE /__admin/faults.
func (s *Server) handleFaultClear(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	sb.Faults().Clear()
	w.WriteHeader(http.StatusNoContent)
}
