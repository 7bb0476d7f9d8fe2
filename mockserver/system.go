package mockserver

import (
	"net/http"
	"time"

	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// handleSystemTest404 handles GET /api/content/system/test404: the live API's 404, on purpose,
// for a front end to test its error handling.
func (s *Server) handleSystemTest404(w http.ResponseWriter, r *http.Request, _ *scope) {
	s.writeErrorStatus(w, r, http.StatusNotFound, "Not Found")
}

// handleSystemTest500 handles GET /api/content/system/test500: the live API's 500, on purpose.
func (s *Server) handleSystemTest500(w http.ResponseWriter, r *http.Request, _ *scope) {
	s.writeErrorStatus(w, r, http.StatusInternalServerError, "Internal server error")
}

// apiStat is the answer of GET /api/content/system/api-stat.
type apiStat struct {
	Date  string `json:"date"`
	Count int    `json:"count"`
}

// handleSystemAPIStat handles GET /api/content/system/api-stat: how many content-API requests
// the sandbox has journaled today (UTC, by the sandbox clock).
func (s *Server) handleSystemAPIStat(w http.ResponseWriter, r *http.Request, sc *scope) {
	now := sc.store.Now().UTC()
	day := now.Truncate(24 * time.Hour)
	n := sc.sandbox.Journal().Count(sandbox.Filter{Path: APIPrefix + "/*", ClockDay: &day})
	s.writeJSON(w, http.StatusOK, apiStat{Date: day.Format(time.DateOnly), Count: n})
}
