package mockserver

import (
	"context"
	"net/http"

	"github.com/gorilla/mux"
	"github.com/oneentry-mock/oneentry-mock/datetime"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

type sandboxUser struct {
	Identifier             string `json:"identifier"`
	Password               string `json:"password"`
	AuthProviderIdentifier string `json:"authProviderIdentifier"`
}

type sandboxResponse struct {
	AppToken  string        `json:"appToken"`
	Users     []sandboxUser `json:"users"`
	CreatedAt string        `json:"createdAt"`
	Default   bool          `json:"default"`
}

// describeSandbox is a sandbox as the admin API lists it, with the fixture users whose fixture
// password still signs them in there (not one changed since, nor a removed user).
func (s *Server) describeSandbox(ctx context.Context, sb *sandbox.Sandbox) (sandboxResponse, error) {
	logins, err := sb.Store().FixtureLogins(ctx)
	if err != nil {
		return sandboxResponse{}, err
	}
	users := make([]sandboxUser, len(logins))
	for i, u := range logins {
		users[i] = sandboxUser{Identifier: u.Identifier, Password: u.Password, AuthProviderIdentifier: u.AuthProviderIdentifier}
	}
	return sandboxResponse{AppToken: sb.Token(), Users: users, CreatedAt: sb.Created().UTC().Format(datetime.Layout), Default: sb.IsDefault()}, nil
}

// handleSandboxCreate handles POST /__admin/sandboxes: a new sandbox seeded from the fixtures,
// with its own app token, token secret, ids, outbox and clock.
func (s *Server) handleSandboxCreate(w http.ResponseWriter, r *http.Request) {
	sb, err := s.sandboxes.Create(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp, err := s.describeSandbox(r.Context(), sb)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, resp)
}

// handleSandboxList handles GET /__admin/sandboxes.
func (s *Server) handleSandboxList(w http.ResponseWriter, r *http.Request) {
	all := s.sandboxes.All()
	out := make([]sandboxResponse, len(all))
	for i, sb := range all {
		var err error
		if out[i], err = s.describeSandbox(r.Context(), sb); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	s.writeJSON(w, http.StatusOK, out)
}

// handleSandboxDelete handles DELETE /__admin/sandboxes/{token}. The default sandbox stays.
func (s *Server) handleSandboxDelete(w http.ResponseWriter, r *http.Request) {
	token := mux.Vars(r)["token"]
	ok, err := s.sandboxes.Remove(r.Context(), token)
	if !ok {
		s.writeError(w, r, store.Errorf(store.CodeNotFound, "No removable sandbox has app token %q", token))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
