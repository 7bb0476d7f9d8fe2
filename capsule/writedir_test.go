package capsule_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/internal/testkit"
)

// A set that cannot be written whole leaves the folder as it was: no file of it replaced or
// added, no temporary file left, no folder made.
func TestWriteDirWritesAllOrNothing(t *testing.T) {
	t.Parallel()
	tests := map[string]func(t *testing.T, dir string){
		// z.json sorts last: the files before it were written by the time it failed.
		"a destination is a folder": func(t *testing.T, dir string) {
			require.NoError(t, os.Mkdir(filepath.Join(dir, "z.json"), 0o755))
		},
		"a folder cannot be made": func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "sub"), []byte("a file"), 0o644))
		},
	}
	for name, block := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "a.json"), []byte("old"), 0o644))
			block(t, dir)
			before := testkit.Files(t, dir)
			set := &capsule.FixtureSet{Files: map[string][]byte{
				"a.json": []byte("new"), "b.json": []byte("new"), "new/c.json": []byte("new"),
				"sub/d.json": []byte("new"), "z.json": []byte("new"),
			}}
			require.Error(t, set.WriteDir(dir))
			assert.Equal(t, before, testkit.Files(t, dir))
			assert.NoDirExists(t, filepath.Join(dir, "new"), "a folder made for the set is removed")
		})
	}
}

// FS shows the folder as it will be after WriteDir: the set's files over the folder's own.
func TestFixtureSetFSIsTheFolderAfterWriting(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "kept.json"), []byte("kept"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "replaced.json"), []byte("old"), 0o644))
	set := &capsule.FixtureSet{Files: map[string][]byte{"replaced.json": []byte("new"), "media/a.svg": []byte("svg")}}
	fsys := set.FS(dir)
	for name, want := range map[string]string{"kept.json": "kept", "replaced.json": "new", "media/a.svg": "svg"} {
		data, err := fs.ReadFile(fsys, name)
		require.NoError(t, err, name)
		assert.Equal(t, want, string(data), name)
	}
	_, err := fs.Stat(fsys, "missing.json")
	assert.ErrorIs(t, err, fs.ErrNotExist)

	require.NoError(t, set.WriteDir(dir))
	assert.Equal(t, map[string]string{"kept.json": "kept", "replaced.json": "new", "media/a.svg": "svg"}, testkit.Files(t, dir))
}
