//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/internal/testkit"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// A FIFO and a link to a device in the fixtures folder are not opened: reading the first would
// block the watch until someone writes to it, the second would fill the memory. Edits
// elsewhere are still applied.
func TestFixturesWatchOpensNoFIFOOrDevice(t *testing.T) {
	t.Parallel()
	dir := fixturesDir(t)
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, store.MediaDir, "pipe"), 0o644))
	require.NoError(t, os.Symlink("/dev/zero", filepath.Join(dir, store.MediaDir, "zero")))

	done := make(chan int, 1)
	go func() {
		w, applied := countingWatch(t, dir, &testkit.Buffer{})
		w.check(t.Context())
		editFile(t, filepath.Join(dir, store.FileProducts), `"price": 100,`, `"price": 150,`)
		w.check(t.Context())
		done <- *applied
	}()
	select {
	case applied := <-done:
		assert.Equal(t, 1, applied, "the edit is applied once")
	case <-time.After(safety):
		t.Fatal("the watch is still reading the FIFO or the device")
	}
}

// A fixture file replaced by a FIFO is refused as not a regular file rather than opened, so
// the watch goes on and applies the real file once it is back.
func TestFixturesWatchRefusesAFIFOInPlaceOfAFile(t *testing.T) {
	t.Parallel()
	dir := fixturesDir(t)
	products := filepath.Join(dir, store.FileProducts)
	data, err := os.ReadFile(products)
	require.NoError(t, err)

	done := make(chan int, 1)
	logs := &testkit.Buffer{}
	go func() {
		w, applied := countingWatch(t, dir, logs)
		w.check(t.Context())
		_ = os.Remove(products)
		_ = syscall.Mkfifo(products, 0o644)
		w.check(t.Context())
		_ = os.Remove(products)
		_ = os.WriteFile(products, []byte(strings.Replace(string(data), `"price": 100,`, `"price": 150,`, 1)), 0o644)
		w.check(t.Context())
		done <- *applied
	}()
	select {
	case applied := <-done:
		assert.Equal(t, 1, applied, "the file back is applied")
		assert.Contains(t, logs.String(), "not a regular file")
	case <-time.After(safety):
		t.Fatal("the watch is still opening the FIFO")
	}
}

// An entry that cannot be read (here a link that loops) is logged once, not at every poll, and
// does not stop the watch from applying edits of the rest.
func TestFixturesWatchLogsAnUnreadableEntryOnce(t *testing.T) {
	t.Parallel()
	dir := fixturesDir(t)
	loop := filepath.Join(dir, store.MediaDir, "loop")
	require.NoError(t, os.Symlink("loop", loop))
	logs := &testkit.Buffer{}
	w, applied := countingWatch(t, dir, logs)
	w.check(t.Context())
	w.check(t.Context())
	editFile(t, filepath.Join(dir, store.FileProducts), `"price": 100,`, `"price": 150,`)
	w.check(t.Context())
	assert.Equal(t, 1, *applied, "the edit is applied")
	assert.Equal(t, 1, strings.Count(logs.String(), "not fully readable"), logs.String())
	assert.Contains(t, logs.String(), "media/loop")

	require.NoError(t, os.Remove(loop))
	w.check(t.Context())
	require.NoError(t, os.Symlink("loop", loop))
	w.check(t.Context())
	assert.Equal(t, 2, strings.Count(logs.String(), "not fully readable"), "the problem is logged again once it comes back")
}

// An optional fixture file replaced by a link that leads nowhere is refused, not applied as a
// deletion of its content: the last good fixtures stay in use.
func TestFixturesWatchKeepsTheLastGoodWhenAFileLinksNowhere(t *testing.T) {
	t.Parallel()
	dir := fixturesDir(t)
	logs := &testkit.Buffer{}
	w, applied := countingWatch(t, dir, logs)
	discounts := filepath.Join(dir, store.FileDiscounts)
	require.NoError(t, os.Remove(discounts))
	require.NoError(t, os.Symlink("nowhere.json", discounts))
	w.check(t.Context())
	assert.Zero(t, *applied, "nothing is applied")
	assert.Contains(t, logs.String(), "fixtures not reloaded")
	assert.Contains(t, logs.String(), "discounts.json: is a link to nowhere.json, which does not exist")
}
