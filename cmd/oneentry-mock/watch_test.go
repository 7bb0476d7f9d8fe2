package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/internal/testkit"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// countingWatch watches dir, counting the fixture sets it applies.
func countingWatch(t *testing.T, dir string, logs *testkit.Buffer) (*fixturesWatch, *int) {
	t.Helper()
	applied := new(int)
	w := newFixturesWatch(dir, func(context.Context, *store.Fixtures) error {
		*applied++
		return nil
	}, slog.New(slog.NewTextHandler(logs, nil)))
	return w, applied
}

// ageFolder sets the modification time of every file under dir to an hour ago, as a folder
// nobody has touched since.
func ageFolder(t *testing.T, dir string) time.Time {
	t.Helper()
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		return os.Chtimes(p, old, old)
	}))
	return old
}

// A save of the same size that keeps the file's time (two saves within one step of the file
// system's clock, or a tool that restores times) is still noticed while the time is recent: the
// watch reads the contents of files modified about when it last looked.
func TestFixturesWatchNoticesAnEditThatKeepsSizeAndTime(t *testing.T) {
	t.Parallel()
	dir := fixturesDir(t)
	products := filepath.Join(dir, store.FileProducts)
	// A time after the poll's rather than "now", so the test does not depend on how fast it
	// runs: any time from shortly before the last poll on is racy.
	recent := time.Now().Add(time.Minute)
	require.NoError(t, os.Chtimes(products, recent, recent))
	before, err := os.Stat(products)
	require.NoError(t, err)
	w, applied := countingWatch(t, dir, &testkit.Buffer{})

	editFile(t, products, `"price": 100,`, `"price": 150,`)
	require.NoError(t, os.Chtimes(products, recent, recent))
	after, err := os.Stat(products)
	require.NoError(t, err)
	require.True(t, sameStamp(before, after), "the metadata cannot tell the edit")
	w.check(t.Context())
	assert.Equal(t, 1, *applied)
}

// A file whose time is well before the last poll is known by its metadata and not read again
// at every poll; changing the file changes its time, which the watch notices.
func TestFixturesWatchReadsNoFileWhoseMetadataIsOld(t *testing.T) {
	t.Parallel()
	dir := fixturesDir(t)
	old := ageFolder(t, dir)
	products := filepath.Join(dir, store.FileProducts)
	w, applied := countingWatch(t, dir, &testkit.Buffer{})

	// The same size and the same old time: only reading the file would tell.
	editFile(t, products, `"price": 100,`, `"price": 150,`)
	require.NoError(t, os.Chtimes(products, old, old))
	w.check(t.Context())
	assert.Zero(t, *applied, "the contents of an old file are not read")

	require.NoError(t, os.Chtimes(products, time.Now(), time.Now()))
	w.check(t.Context())
	assert.Equal(t, 1, *applied, "a new time is a change")
}
