package mockserver

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// handleHealth handles GET /healthz.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleAdminReset handles POST /__admin/reset: back to the fixtures.
func (s *Server) handleAdminReset(w http.ResponseWriter, r *http.Request) {
	s.defaultStore.Reset(r.Context())
	s.writeJSON(w, http.StatusOK, map[string]bool{"reset": true})
}

type clockResponse struct {
	Now    string `json:"now"`
	Frozen bool   `json:"frozen"`
}

func (s *Server) clockState() clockResponse {
	c := s.defaultStore.Clock()
	return clockResponse{Now: timestamp(c.Now()), Frozen: c.Frozen()}
}

// handleAdminClock handles GET /__admin/clock.
func (s *Server) handleAdminClock(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, http.StatusOK, s.clockState())
}

// clockRequest changes the mock clock. Fields apply in this order: reset, set, advance, then
// freeze/unfreeze; any combination is allowed.
type clockRequest struct {
	Reset   bool   `json:"reset"`
	Set     string `json:"set"`
	Advance string `json:"advance"`
	Freeze  *bool  `json:"freeze"`
}

// handleAdminClockSet handles POST /__admin/clock.
func (s *Server) handleAdminClockSet(w http.ResponseWriter, r *http.Request) {
	var req clockRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		s.writeError(w, r, store.Invalid("body must be {\"reset\":bool, \"set\":\"RFC 3339 time\", \"advance\":\"Go duration\", \"freeze\":bool}"))
		return
	}
	var set time.Time
	if req.Set != "" {
		t, err := time.Parse(time.RFC3339Nano, req.Set)
		if err != nil {
			s.writeError(w, r, store.Invalid("set must be an RFC 3339 time"))
			return
		}
		set = t
	}
	var advance time.Duration
	if req.Advance != "" {
		d, err := time.ParseDuration(req.Advance)
		if err != nil {
			s.writeError(w, r, store.Invalid("advance must be a Go duration such as 90s or 2h"))
			return
		}
		advance = d
	}
	c := s.defaultStore.Clock()
	if req.Reset {
		c.Reset()
	}
	if !set.IsZero() {
		c.Set(set)
	}
	if advance != 0 {
		c.Advance(advance)
	}
	if req.Freeze != nil {
		if *req.Freeze {
			c.Freeze()
		} else {
			c.Unfreeze()
		}
	}
	s.writeJSON(w, http.StatusOK, s.clockState())
}
