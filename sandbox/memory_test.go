package sandbox

import (
	"bytes"
	"encoding/json"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

func TestMemoryGuardCollectsBeforeItRefuses(t *testing.T) {
	live := uint64(100)
	g := newMemoryGuard(100, func() uint64 { return live })
	collections := 0
	g.collect = func() { collections++ }
	assert.NoError(t, g.check(), "at the limit is not above it")
	assert.Zero(t, collections)

	live = 101
	err := g.check()
	var e *store.Error
	if assert.ErrorAs(t, err, &e) {
		assert.Equal(t, store.CodeMemoryFull, e.Code)
	}
	assert.Equal(t, 1, collections, "a stale figure is refreshed by a collection first")
	assert.Error(t, g.check())
	assert.Equal(t, 1, collections, "collections are spaced, so a full sandbox does not collect on every request")

	g.freed()
	g.collect = func() { collections++; live = 50 }
	assert.NoError(t, g.check(), "after a reset the next check collects, and what it frees is room")
	assert.Equal(t, 2, collections)
}

func TestMemoryGuardReadsTheRuntimeByDefault(t *testing.T) {
	runtime.GC() // the live heap is measured by collections, none of which may have run yet
	g := newMemoryGuard(0, nil)
	assert.Equal(t, uint64(DefaultMemoryLimit()), g.limit)
	assert.Positive(t, g.read(), "the live heap of a running test is not empty")
	assert.NoError(t, g.check())
}

// What makes room is seen at once: after a reset or a removed sandbox, the next write collects
// instead of waiting out the spacing of collections. An import can add state, so it is refused
// while the heap is over, like any such write, and changes nothing.
func TestWhatMakesRoomLetsTheNextWriteIn(t *testing.T) {
	fx, err := store.LoadFixtures(fixtures.FS)
	require.NoError(t, err)
	var live, reachable atomic.Uint64
	reg, err := New(t.Context(), Options{Fixtures: fx, MaxMemoryBytes: 100, LiveHeapBytes: live.Load})
	require.NoError(t, err)
	t.Cleanup(func() { _ = reg.Close(t.Context()) })
	reg.memory.collect = func() { live.Store(reachable.Load()) }
	other, err := reg.Create(t.Context())
	require.NoError(t, err)
	doc, err := json.Marshal(other.Store().Export(t.Context()))
	require.NoError(t, err)
	before := reg.Default().Store().Export(t.Context())

	for name, makeRoom := range map[string]func() error{
		"reset":  func() error { return reg.Default().Reset(t.Context()) },
		"remove": func() error { _, err := reg.Remove(t.Context(), other.Token()); return err },
	} {
		live.Store(200)
		reachable.Store(200)
		require.Error(t, reg.CheckMemory(), name)
		require.Error(t, reg.Default().ImportState(t.Context(), bytes.NewReader(doc)), name)
		assert.Equal(t, before, reg.Default().Store().Export(t.Context()), "%s: a refused import changes nothing", name)
		reachable.Store(50)
		require.NoError(t, makeRoom(), name)
		assert.NoError(t, reg.CheckMemory(), name)
		require.NoError(t, reg.Default().ImportState(t.Context(), bytes.NewReader(doc)), name)
		before = reg.Default().Store().Export(t.Context())
	}
}

func TestCgroupMemoryReadsBothVersions(t *testing.T) {
	for name, tc := range map[string]struct {
		files map[string]string
		want  int64
		ok    bool
	}{
		"v2 bounded":   {map[string]string{"memory.max": "536870912\n"}, 512 << 20, true},
		"v2 unbounded": {map[string]string{"memory.max": "max\n"}, 0, false},
		"v1 bounded":   {map[string]string{"memory/memory.limit_in_bytes": "268435456\n"}, 256 << 20, true},
		"v1 unbounded": {map[string]string{"memory/memory.limit_in_bytes": "9223372036854771712\n"}, 0, false},
		"no cgroup":    {map[string]string{}, 0, false},
		"garbage":      {map[string]string{"memory.max": "lots"}, 0, false},
	} {
		fsys := fstest.MapFS{}
		for path, data := range tc.files {
			fsys[path] = &fstest.MapFile{Data: []byte(data)}
		}
		n, ok := cgroupMemory(fsys)
		assert.Equal(t, tc.want, n, name)
		assert.Equal(t, tc.ok, ok, name)
	}
	limit := DefaultMemoryLimit()
	assert.LessOrEqual(t, limit, int64(DefaultMaxMemoryBytes))
	if n, ok := ContainerMemory(); ok {
		assert.LessOrEqual(t, limit, n/2, "half the container's memory at the most")
	}
}
