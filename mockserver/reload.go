package mockserver

import (
	"context"
	"errors"
	"net/http"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// servedContent is the fixture content the API serves as it is: fixtures are what new
// sandboxes start from; shaped holds the files the API serves in another shape than the
// fixture's.
type servedContent struct {
	fixtures *store.Fixtures
	shaped   map[string]*store.Collection
}

func (s *Server) serveContent(fx *store.Fixtures) error {
	shaped, err := newServedFixtures(fx, s.sandboxes.Default().Store(), s.profile)
	if err != nil {
		return err
	}
	c := &servedContent{fixtures: fx, shaped: shaped}
	// Every file a declared read serves must load now, so that no request meets a broken one.
	for _, file := range s.readFiles {
		if _, err := c.collection(file); err != nil {
			return err
		}
	}
	s.content.Store(c)
	return nil
}

// site returns the fixtures the read-only content is served from: after a reload, the
// reloaded ones, while each sandbox's store keeps its own until its next reset. Reads of the
// site (pages, blocks, admins, languages) take everything from here, so that an index and the
// objects it points into come from one set.
func (s *Server) site() *store.Fixtures { return s.content.Load().fixtures }

// collection returns a fixture file as the API serves it: in the shape the server gives it
// (see newServedFixtures), else as the fixture holds it.
func (c *servedContent) collection(file string) (*store.Collection, error) {
	if sh, ok := c.shaped[file]; ok {
		return sh, nil
	}
	return c.fixtures.Collection(file)
}

// Reload applies fixtures loaded again: read-only content (forms, products, pages, …)
// is served from them at once; new sandboxes start from them, and existing ones on their
// next reset, so no state changes under a running test. Fixtures that cannot be applied (a
// changed app token, a declared read's file that does not load) change nothing.
func (s *Server) Reload(_ context.Context, fx *store.Fixtures) error {
	s.reloading.Lock()
	defer s.reloading.Unlock()
	return s.reloadLocked(fx)
}

func (s *Server) reloadLocked(fx *store.Fixtures) error {
	old := s.sandboxes.Fixtures()
	if err := s.sandboxes.Reload(fx); err != nil {
		return err
	}
	if err := s.serveContent(fx); err != nil {
		_ = s.sandboxes.Reload(old)
		return err
	}
	return nil
}

type reloadResponse struct {
	Reloaded bool `json:"reloaded"`
}

// handleAdminReload handles POST /__admin/reload: the fixtures folder is read and checked
// again and, when it is sound, applied (Reload); a broken one changes nothing and answers 400
// naming the file, line and column.
func (s *Server) handleAdminReload(w http.ResponseWriter, r *http.Request) {
	if s.loadFixtures == nil {
		s.writeError(w, r, store.Errorf(store.CodeConflict, "The fixtures are the embedded ones; start serve with --fixtures DIR to reload them"))
		return
	}
	s.reloading.Lock()
	fx, err := s.loadFixtures()
	if err == nil {
		err = s.reloadLocked(fx)
	}
	s.reloading.Unlock()
	if err != nil {
		if e := (*store.Error)(nil); !errors.As(err, &e) {
			err = store.Errorf(store.CodeInvalid, "%s", err.Error())
		}
		s.writeError(w, r, err)
		return
	}
	s.log.InfoContext(r.Context(), "fixtures reloaded")
	s.writeJSON(w, http.StatusOK, reloadResponse{Reloaded: true})
}
