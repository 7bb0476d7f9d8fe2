package mockserver

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// Read declares a read-only endpoint whose answer is fixture data: GET Path serves the object
// of File whose id or marker is the path's {id} or {marker} variable, or, when Path has no
// variable, the whole file as a JSON array windowed by ?offset= and ?limit=; objects whose
// localizeInfos is keyed by language come in the ?langCode= one. Adding such an
// endpoint takes its contract entry, its Read line in routes.go and its fixture file; a
// handler only when it has behaviour of its own.
type Read struct {
	// Path is the route template, under APIPrefix.
	Path string
	// File is the fixture file served: a JSON array of objects.
	File string
	// User makes the route need a user's bearer token, as the live API's user routes do.
	User bool
	// Noun names the object in the 404 of an unknown id or marker: "<Noun> with id 7 not found".
	Noun string
	// Total wraps a list as {"total": n, "items": [...]}; a bare array otherwise.
	Total bool
	// Unpaged serves the whole list whatever ?offset= and ?limit= say.
	Unpaged bool
}

// handleRead registers a declared read, resolving its contract operation and its fixture file
// at start-up, so a missing one fails there.
func (s *Server) handleRead(r *mux.Router, rd Read) {
	if _, err := s.served(rd.File); err != nil {
		s.routeErrs = append(s.routeErrs, fmt.Errorf("GET %s: %w", rd.Path, err))
		return
	}
	s.readFiles = append(s.readFiles, rd.File)
	items := liveCollection{s: s, file: rd.File}
	level := public
	if rd.User {
		level = user
	}
	var h func(http.ResponseWriter, *http.Request, *scope)
	switch {
	case strings.HasSuffix(rd.Path, "/{id}"):
		h = func(w http.ResponseWriter, r *http.Request, _ *scope) {
			id, err := pathID(r, "id")
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			data, ok := items.ByID(id, r.URL.Query().Get("langCode"))
			if !ok {
				s.writeError(w, r, store.Errorf(store.CodeNotFound, "%s with id %d not found", rd.Noun, id))
				return
			}
			s.writeRaw(w, http.StatusOK, data)
		}
	case strings.HasSuffix(rd.Path, "/{marker}"):
		h = func(w http.ResponseWriter, r *http.Request, _ *scope) {
			marker := mux.Vars(r)["marker"]
			data, ok := items.ByMarker(marker, r.URL.Query().Get("langCode"))
			if !ok {
				s.writeError(w, r, store.Errorf(store.CodeNotFound, "%s with marker %q not found", rd.Noun, marker))
				return
			}
			s.writeRaw(w, http.StatusOK, data)
		}
	default:
		h = func(w http.ResponseWriter, r *http.Request, _ *scope) {
			p := store.Page{}
			if !rd.Unpaged {
				p = page(r.URL.Query())
			}
			s.writeRaw(w, http.StatusOK, listBody(items.Items(r.URL.Query().Get("langCode")), p, rd.Total))
		}
	}
	s.handleAPI(r, http.MethodGet, rd.Path, level, h)
}

// served returns a fixture file as the API serves it now.
func (s *Server) served(file string) (*store.Collection, error) {
	return s.content.Load().collection(file)
}

// listBody joins encoded items into a JSON array windowed by p, wrapped with the total count
// when total is set.
func listBody[T ~[]byte](items []T, p store.Page, total bool) []byte {
	start := min(p.Offset, len(items))
	end := len(items)
	if p.Limit > 0 {
		end = min(start+p.Limit, end)
	}
	n := 2 + 32
	for _, it := range items[start:end] {
		n += len(it) + 1
	}
	out := make([]byte, 0, n)
	if total {
		out = append(out, `{"total":`...)
		out = strconv.AppendInt(out, int64(len(items)), 10)
		out = append(out, `,"items":`...)
	}
	out = append(out, '[')
	for i, it := range items[start:end] {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, it...)
	}
	out = append(out, ']')
	if total {
		out = append(out, '}')
	}
	return out
}
