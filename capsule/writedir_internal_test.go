package capsule

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/internal/testkit"
)

// A rename that fails midway (the folder changed meanwhile) puts back the files already
// replaced and removes those already added: the folder is as it was.
func TestWriteDirPutsBackWhatItReplacedWhenARenameFails(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.json"), []byte("old a"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "c.json"), []byte("old c"), 0o644))
	before := testkit.Files(t, dir)
	set := &FixtureSet{Files: map[string][]byte{"a.json": []byte("new"), "b.json": []byte("new"), "c.json": []byte("new")}}

	calls := 0
	rename = func(from, to string) error {
		if calls++; calls == 3 {
			return errors.New("the folder changed")
		}
		return os.Rename(from, to)
	}
	t.Cleanup(func() { rename = os.Rename })
	require.ErrorContains(t, set.WriteDir(dir), "the folder changed")
	assert.Equal(t, before, testkit.Files(t, dir), "no file replaced or added, nothing left beside them")
}
