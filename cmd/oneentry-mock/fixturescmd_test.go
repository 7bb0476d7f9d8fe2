package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/internal/shellword"
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

// The "serve them" line can be pasted into a shell as it is, whatever the --out path holds.
func TestFromCapsuleServeLineQuotesThePath(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "my out's $HOME")
	stdout, _, err := runCmd(t, nil, "fixtures", "from-capsule", seedCapsuleFile, "--out", out)
	require.NoError(t, err)
	want := "  serve them: oneentry-mock serve --fixtures " + shellword.Native(out) + "\n"
	assert.Contains(t, stdout, want)
	assert.NotContains(t, stdout, "--fixtures "+out)
}

// The folder is checked as serve reads it: a file of it linked from outside, which serve
// refuses, fails the command too, though the file itself would load.
func TestFromCapsuleChecksTheFolderAsServeReadsIt(t *testing.T) {
	t.Parallel()
	out, outside := t.TempDir(), t.TempDir()
	locales, err := fixtures.FS.ReadFile(store.FileLocales)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(outside, store.FileLocales), locales, 0o644))
	require.NoError(t, os.Symlink(filepath.Join(outside, store.FileLocales), filepath.Join(out, store.FileLocales)))
	before := testkit.Files(t, out)

	_, _, err = runCmd(t, nil, "fixtures", "from-capsule", seedCapsuleFile, "--out", out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), store.FileLocales+": is a link to "+filepath.Join(outside, store.FileLocales))
	assert.Equal(t, before, testkit.Files(t, out), "nothing is written")
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

// A command line whose --users, --out or existing files cannot work fails as a usage error
// before the pull reads anything from the project.
func TestFixturesPullChecksItsCommandLineFirst(t *testing.T) {
	t.Parallel()
	upstream, reads := countedUpstreamMock(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o644))
	emptyUsers := filepath.Join(dir, "empty.json")
	require.NoError(t, os.WriteFile(emptyUsers, []byte(" \n"), 0o644))
	pulled := filepath.Join(dir, "pulled")
	require.NoError(t, os.Mkdir(pulled, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(pulled, store.FileProject), []byte("{}"), 0o644))

	tests := map[string]struct {
		args []string
		want []string // on the first line
	}{
		"users missing":   {[]string{"--users", filepath.Join(dir, "nonexistent", "users.json"), "--out", filepath.Join(dir, "x")}, []string{"--users", "nonexistent"}},
		"users empty":     {[]string{"--users", emptyUsers, "--out", filepath.Join(dir, "x")}, []string{"--users", "is empty"}},
		"out is a file":   {[]string{"--out", file}, []string{"--out", file + " is a file, not a folder"}},
		"out in a file":   {[]string{"--out", filepath.Join(file, "sub")}, []string{"--out", "cannot make the folder", file + " is a file"}},
		"files are there": {[]string{"--out", pulled}, []string{pulled + " already has " + store.FileProject, "use --force"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			args := append([]string{"fixtures", "pull", "--url", upstream, "--app-token", seedAppToken}, tc.args...)
			_, _, err := runCmd(t, nil, args...)
			require.Equal(t, exitUsage, exitCode(t, err), "%v", err)
			var exit exitError
			require.ErrorAs(t, err, &exit)
			first, rest, _ := strings.Cut(exit.msg, "\n")
			assert.True(t, strings.HasPrefix(first, "fixtures pull: "), first)
			for _, w := range tc.want {
				assert.Contains(t, first, w)
			}
			assert.NotContains(t, first, "do not load")
			assert.Equal(t, "Run 'oneentry-mock fixtures pull --help' for usage.", rest)
		})
	}
	assert.Zero(t, reads.Load(), "no request reached the project")
	assert.NoDirExists(t, filepath.Join(dir, "x"))

	_, _, err := runCmd(t, nil, "fixtures", "from-capsule", seedCapsuleFile, "--out", file)
	require.Equal(t, exitUsage, exitCode(t, err), "%v", err)
	assert.ErrorContains(t, err, "fixtures from-capsule: --out: "+file+" is a file, not a folder")
}

// The files refused up front without --force are in every derived set.
func TestEverySetHoldsTheFilesCheckedFirst(t *testing.T) {
	t.Parallel()
	c, err := capsule.Load(seedCapsuleFile)
	require.NoError(t, err)
	set, err := capsule.DeriveFixtures(c)
	require.NoError(t, err)
	for _, name := range everySetsFiles {
		assert.Contains(t, set.Files, name)
	}
}
