package mockserver

import (
	"net/http"
	"strconv"

	"github.com/oneentry-mock/oneentry-mock/datetime"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

type journalListResponse struct {
	Total    int             `json:"total"`
	Requests []sandbox.Entry `json:"requests"`
}

func parseJournalFilter(r *http.Request) (sandbox.Filter, error) {
	q := r.URL.Query()
	f := sandbox.Filter{Method: q.Get("method"), Path: q.Get("path")}
	if v := q.Get("status"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 || n > 599 {
			return f, store.Invalid("status must be an HTTP status code")
		}
		f.Status = n
	}
	if v := q.Get("since"); v != "" {
		t, err := datetime.Parse(v)
		if err != nil {
			return f, store.Invalid("since: " + err.Error())
		}
		f.Since = t
	}
	limit, err := limitParam(q.Get("limit"))
	if err != nil {
		return f, err
	}
	f.Limit = limit
	return f, nil
}

// handleAdminRequests handles GET /__admin/requests: the sandbox's requests, oldest first,
// filtered by method, path (a trailing * matches a prefix), status and since.
func (s *Server) handleAdminRequests(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	f, err := parseJournalFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	entries := sb.Journal().List(f)
	s.writeJSON(w, http.StatusOK, journalListResponse{Total: len(entries), Requests: entries})
}

// handleAdminRequestCount handles GET /__admin/requests/count: how many requests match, for
// verification in tests ("the app sent exactly one order").
func (s *Server) handleAdminRequestCount(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	f, err := parseJournalFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]int{"count": sb.Journal().Count(f)})
}

// handleAdminRequestsClear handles DELETE /__admin/requests.
func (s *Server) handleAdminRequestsClear(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	sb.Journal().Clear()
	w.WriteHeader(http.StatusNoContent)
}
