//go:build unix

package store_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// A fixture file whose name is there but leads nowhere (a link to a missing file, a link to
// itself) stops the load naming it, optional files too: taken for an absent file, it would
// load as an empty one, and a reload would apply it as a deletion.
func TestAFixtureLinkThatLeadsNowhereIsRefused(t *testing.T) {
	t.Parallel()
	for _, name := range []string{store.FileDiscounts, store.FileProductStatuses, store.FileProductDetails, store.FilePages, store.FileUsers} {
		for kind, target := range map[string]string{"dangling": "/nonexistent/nowhere.json", "loop": name} {
			t.Run(name+" "+kind, func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				for file, f := range fixtures.Copy() {
					require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, file)), 0o755))
					require.NoError(t, os.WriteFile(filepath.Join(dir, file), f.Data, 0o644))
				}
				require.NoError(t, os.Remove(filepath.Join(dir, name)))
				require.NoError(t, os.Symlink(target, filepath.Join(dir, name)))
				_, err := store.LoadFixtures(os.DirFS(dir))
				var fe *store.FixtureError
				require.True(t, errors.As(err, &fe), "want a *FixtureError, got %v", err)
				assert.Equal(t, name, fe.File)
				if kind == "dangling" {
					assert.Contains(t, err.Error(), "is a link to /nonexistent/nowhere.json, which does not exist")
				}
			})
		}
	}
}
