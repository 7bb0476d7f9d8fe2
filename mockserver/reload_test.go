package mockserver_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// editableFixtures is a fixture folder a test edits between reloads.
type editableFixtures struct {
	mu    sync.Mutex
	files fstest.MapFS
}

func newEditableFixtures() *editableFixtures { return &editableFixtures{files: fixtures.Copy()} }

func (e *editableFixtures) replace(t *testing.T, name, old, new string) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	data := string(e.files[name].Data)
	require.Contains(t, data, old)
	e.files[name] = &fstest.MapFile{Data: []byte(strings.Replace(data, old, new, 1))}
}

func (e *editableFixtures) load() (*store.Fixtures, error) {
	e.mu.Lock()
	snapshot := fstest.MapFS{}
	for name, f := range e.files {
		snapshot[name] = f
	}
	e.mu.Unlock()
	return store.LoadFixtures(snapshot)
}

func withReloadFrom(e *editableFixtures) serverOption {
	return func(mo *mockserver.Options) {
		fx, err := e.load()
		if err != nil {
			panic(err)
		}
		mo.Sandbox.Fixtures = fx
		mo.LoadFixtures = e.load
	}
}

// adminReload: POST /__admin/reload applies an edited folder to read-only content at once,
// to new sandboxes, and to existing ones on reset; a broken edit keeps the last good fixtures
// and names file, line and column; embedded fixtures have nothing to reload.
func adminReload(t *testing.T, ac *adminContract) {
	embedded := newTestServer(t)
	_, body := ac.do(t, embedded, adminCall{method: http.MethodPost, path: "/__admin/reload", status: http.StatusConflict})
	decodeError(t, http.StatusConflict, body)

	dir := newEditableFixtures()
	ts := newTestServer(t, withReloadFrom(dir))
	price := func() float64 {
		status, body := ts.call(t, http.MethodGet, "/api/content/products/10", "", nil)
		require.Equal(t, http.StatusOK, status)
		return decode[struct {
			Price float64 `json:"price"`
		}](t, body).Price
	}
	require.Equal(t, 100.0, price())
	before := ts.server.Store()

	dir.replace(t, store.FileProducts, `"price": 100,`, `"price": 150,`)
	dir.replace(t, store.FileUsers, `"password": "654321"`, `"password": "999999"`)
	assert.Equal(t, map[string]bool{"reloaded": true}, adminJSON[map[string]bool](t, ac, ts, adminCall{method: http.MethodPost, path: "/__admin/reload", status: http.StatusOK}))
	assert.Equal(t, 150.0, price(), "read-only content changes at once")
	assert.Same(t, before, ts.server.Store(), "a running sandbox keeps its state until reset")
	_, created := ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/sandboxes", status: http.StatusCreated})
	assert.Contains(t, string(created), `"999999"`, "a new sandbox starts from the reloaded fixtures")
	ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/reset", status: http.StatusOK})
	assert.NotSame(t, before, ts.server.Store())
	assert.Same(t, ts.server.Sandboxes().Fixtures(), ts.server.Store().Fixtures(), "reset applies the reloaded fixtures")

	dir.replace(t, store.FileProducts, `"price": 150,`, `"price": "150",`)
	_, body = ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/reload", status: http.StatusBadRequest})
	msg := strings.Join(decodeError(t, http.StatusBadRequest, body).messages(), " ")
	assert.Regexp(t, `products\.json:\d+:\d+: \[0\]\.price: must be a number, not a string`, msg)
	assert.Equal(t, 150.0, price(), "the last good fixtures stay")

	dir.replace(t, store.FileProducts, `"price": "150",`, `"price": 150,`)
	dir.replace(t, store.FileProject, `"appToken": "your-app-token"`, `"appToken": "another-token"`)
	_, body = ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/reload", status: http.StatusBadRequest})
	assert.Contains(t, strings.Join(decodeError(t, http.StatusBadRequest, body).messages(), " "), "restart")
}
