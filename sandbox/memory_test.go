package sandbox

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"

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

	g.collected = g.collected.Add(-recollectEvery)
	g.collect = func() { collections++; live = 50 }
	assert.NoError(t, g.check(), "what a collection frees is room")
	assert.Equal(t, 2, collections)
}

func TestMemoryGuardReadsTheRuntimeByDefault(t *testing.T) {
	runtime.GC() // the live heap is measured by collections, none of which may have run yet
	g := newMemoryGuard(0, nil)
	assert.Equal(t, uint64(DefaultMaxMemoryBytes), g.limit)
	assert.Positive(t, g.read(), "the live heap of a running test is not empty")
	assert.NoError(t, g.check())
}
