package mockserver

import (
	"errors"
	"net/http"
	"slices"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
	"github.com/oneentry-mock/oneentry-mock/socketio"
)

// socketPath is where the SDK's WS.connect opens its Socket.IO connection.
const socketPath = APIPrefix + "/ws"

// handleSocket handles GET /api/content/ws/ (the SDK's WS.connect): a Socket.IO connection
// for the user of the bearer token. A connection without a sandbox or a valid token is told
// it is connected and then disconnected, as a gateway that checks clients on connection does.
func (s *Server) handleSocket(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	if herr := socketio.CheckHandshake(r); herr != nil {
		s.writeJSON(w, herr.Status, herr)
		return
	}
	var m socketio.Member
	if sb != nil {
		if claims, err := s.bearer(r, sb.Store()); err == nil {
			m = sb.SocketMember(claims, origin(r))
		}
	}
	err := s.sockets.Serve(w, r, m)
	if errors.Is(err, socketio.ErrTooManyConnections) || errors.Is(err, socketio.ErrClosed) {
		s.writeErrorStatus(w, r, http.StatusServiceUnavailable, err.Error())
	}
}

// handleAdminSockets handles GET /__admin/sockets: the sandbox's open sockets, by user.
func (s *Server) handleAdminSockets(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	type userSockets struct {
		UserID      int `json:"userId"`
		Connections int `json:"connections"`
	}
	out := struct {
		Total int           `json:"total"`
		Users []userSockets `json:"users"`
	}{Users: []userSockets{}}
	for user, n := range sb.Sockets().Connections() {
		out.Total += n
		out.Users = append(out.Users, userSockets{UserID: user, Connections: n})
	}
	slices.SortFunc(out.Users, func(a, b userSockets) int { return a.UserID - b.UserID })
	s.writeJSON(w, http.StatusOK, out)
}

// handleAdminEventFire handles POST /__admin/events/{marker}/fire: the shop fires a product
// event at the sockets of its subscribers.
func (s *Server) handleAdminEventFire(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	var req struct {
		ProductID *int   `json:"productId"`
		Message   string `json:"message"`
	}
	if !decodeAdmin(w, r, s, &req, `{"productId":number, "message":"text"}`) {
		return
	}
	if req.ProductID == nil {
		s.writeError(w, r, store.Invalid("productId is required"))
		return
	}
	fired, err := sb.FireProductEvent(sandbox.ProductEvent{Marker: mux.Vars(r)["marker"], ProductID: *req.ProductID, Message: req.Message})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, fired)
}
