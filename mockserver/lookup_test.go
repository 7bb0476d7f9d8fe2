package mockserver_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every request resolves its sandbox once, in the middleware, whatever the layers below need
// it for (bearer check, handler, error timestamp, journal, faults).
func TestSandboxIsLookedUpOncePerRequest(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	tk := ts.login(t, userLogin, userPass)
	reg := ts.server.Sandboxes()
	for name, req := range map[string]struct {
		method, path, bearer string
		body                 any
		want                 int
	}{
		"public read":   {http.MethodGet, "/api/content/forms/marker/tickets_form", "", nil, http.StatusOK},
		"user write":    {http.MethodPost, ordersPath, tk.AccessToken, seedOrderBody(12, 1), http.StatusCreated},
		"refused":       {http.MethodPost, ordersPath, "not-a-token", seedOrderBody(12, 1), http.StatusUnauthorized},
		"unknown route": {http.MethodGet, "/api/content/nothing-here", "", nil, http.StatusNotFound},
		"admin":         {http.MethodGet, "/__admin/requests", "", nil, http.StatusOK},
	} {
		before := reg.Lookups()
		status, body := ts.call(t, req.method, req.path, req.bearer, req.body)
		require.Equal(t, req.want, status, "%s: %s", name, body)
		assert.Equal(t, uint64(1), reg.Lookups()-before, name)
	}
}
