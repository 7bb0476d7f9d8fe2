package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// fixturesDir writes the default fixtures to a new folder.
func fixturesDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, f := range fixtures.Copy() {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), f.Data, 0o644))
	}
	return dir
}

func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(data), old)
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644))
}

// A saved edit of the fixtures folder is applied; a broken one is logged with file, line
// and column and changes nothing, and the next good edit is applied again.
func TestFixturesWatchAppliesEditsAndKeepsTheLastGood(t *testing.T) {
	t.Parallel()
	dir := fixturesDir(t)
	logs := &lockedBuffer{}
	var applied []*store.Fixtures
	w := newFixturesWatch(dir, func(_ context.Context, fx *store.Fixtures) error {
		applied = append(applied, fx)
		return nil
	}, slog.New(slog.NewTextHandler(logs, nil)))

	w.check(t.Context())
	assert.Empty(t, applied, "nothing changed")

	products := filepath.Join(dir, store.FileProducts)
	editFile(t, products, `"price": 100,`, `"price": 150,`)
	w.check(t.Context())
	require.Len(t, applied, 1)
	p, ok := applied[0].Product(10)
	require.True(t, ok)
	assert.Equal(t, 150.0, *p.Price)

	editFile(t, products, `"price": 150,`, `"price": "150",`)
	w.check(t.Context())
	assert.Len(t, applied, 1, "a broken edit is not applied")
	assert.Regexp(t, `file=\S+products\.json line=13 column=5 .*must be a number, not a string`, logs.String())
	w.check(t.Context())
	assert.Len(t, applied, 1, "nor retried until the folder changes")

	editFile(t, products, `"price": "150",`, `"price": 175,`)
	w.check(t.Context())
	assert.Len(t, applied, 2)
}

// serve --fixtures DIR serves an edited product without a restart, and POST /__admin/reload
// reports a broken folder.
func TestServeReloadsItsFixturesFolder(t *testing.T) {
	t.Parallel()
	dir := fixturesDir(t)
	url, _ := startServe(t, []string{"--fixtures", dir, "--watch-interval", "20ms", "--compat", "live-2026"}, nil)
	price := func() float64 {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url+"/api/content/products/10", nil)
		require.NoError(t, err)
		req.Header.Set("x-app-token", "your-app-token")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var p struct {
			Price float64 `json:"price"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&p))
		return p.Price
	}
	require.Equal(t, 100.0, price())
	editFile(t, filepath.Join(dir, store.FileProducts), `"price": 100,`, `"price": 150,`)
	require.Eventually(t, func() bool { return price() == 150 }, 10*time.Second, 20*time.Millisecond)

	editFile(t, filepath.Join(dir, store.FileProducts), `"price": 150,`, `"price": "x",`)
	resp, err := http.Post(url+"/__admin/reload", "application/json", nil)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, string(body), "products.json:13:5: [0].price: must be a number, not a string")
	assert.Equal(t, 150.0, price())
}
