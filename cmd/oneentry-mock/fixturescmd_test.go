package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/internal/testkit"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// The set is checked as --out will be once it is written, files already there included: one
// that would not load with the new set fails the command before anything is written, instead
// of a folder that "serve" then refuses.
func TestFromCapsuleChecksTheFolderWithWhatItHolds(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(out, store.FilePages), []byte(`{"not": "a list of pages"}`), 0o644))
	before := testkit.Files(t, out)

	stdout, _, err := runCmd(t, nil, "fixtures", "from-capsule", seedCapsuleFile, "--out", out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), store.FilePages)
	assert.Contains(t, err.Error(), "left as it was")
	assert.NotContains(t, stdout, "serve them")
	assert.Equal(t, before, testkit.Files(t, out), "nothing is written")
	_, err = loadFixtures(out)
	require.Error(t, err, "serve refuses the folder, as the command said")
}

// With --force, a set that cannot be written whole (here a destination that is a folder)
// replaces none of the files already there.
func TestFromCapsuleForceWritesAllOrNothing(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	_, _, err := runCmd(t, nil, "fixtures", "from-capsule", seedCapsuleFile, "--out", out)
	require.NoError(t, err)
	// Files that sort before project.json, edited since, and project.json made a folder.
	for _, name := range []string{store.FileAuthProviders, store.FileForms, store.FileProducts} {
		require.NoError(t, os.WriteFile(filepath.Join(out, name), []byte(`["edited"]`), 0o644))
	}
	require.NoError(t, os.Remove(filepath.Join(out, store.FileProject)))
	require.NoError(t, os.Mkdir(filepath.Join(out, store.FileProject), 0o755))
	before := testkit.Files(t, out)

	_, _, err = runCmd(t, nil, "fixtures", "from-capsule", "--force", seedCapsuleFile, "--out", out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is a folder")
	assert.Equal(t, before, testkit.Files(t, out), "no file replaced, no temporary file left")
}
