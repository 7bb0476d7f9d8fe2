package sandbox

import (
	"io/fs"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// DefaultMaxMemoryBytes bounds the live heap where the process's container allows more than
// twice as much; see DefaultMemoryLimit.
const DefaultMaxMemoryBytes = 1 << 30

// DefaultMemoryLimit is the MaxMemoryBytes of zero Options: DefaultMaxMemoryBytes, or half
// the memory the process's container may use when that is less. The heap grows to about twice
// its live part between collections, so half keeps the limit's refusals ahead of the kernel
// ending the process for want of memory.
func DefaultMemoryLimit() int64 {
	limit := int64(DefaultMaxMemoryBytes)
	if n, ok := ContainerMemory(); ok {
		limit = min(limit, n/2)
	}
	return limit
}

// ContainerMemory returns the memory the process's cgroup may use, when it is bounded.
func ContainerMemory() (int64, bool) { return cgroupMemory(os.DirFS("/sys/fs/cgroup")) }

// cgroupMemory reads the memory limit of cgroup v2 (memory.max, "max" when unbounded) or v1
// (memory/memory.limit_in_bytes, a number near 2^63 when unbounded) from a cgroup folder.
func cgroupMemory(cgroup fs.FS) (int64, bool) {
	for _, name := range []string{"memory.max", "memory/memory.limit_in_bytes"} {
		data, err := fs.ReadFile(cgroup, name)
		if err != nil {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
		if err == nil && n > 0 && n < 1<<60 {
			return n, true
		}
	}
	return 0, false
}

// recollectEvery spaces the collections a full guard forces: a collection of a large heap
// costs tens of milliseconds, and until one runs the live heap it reports is the last one's.
const recollectEvery = time.Second

// memoryGuard refuses writes while the live heap, which holds every sandbox's state, is above
// its limit, the way a cache with no eviction policy refuses writes at its memory limit: state
// a front end made is never dropped behind its back, and a reset or a deletion makes room.
type memoryGuard struct {
	limit   uint64
	read    func() uint64
	collect func()

	mu        sync.Mutex
	collected time.Time
}

func newMemoryGuard(limit int64, read func() uint64) *memoryGuard {
	if limit <= 0 {
		limit = DefaultMemoryLimit()
	}
	if read == nil {
		read = liveHeapBytes
	}
	return &memoryGuard{limit: uint64(limit), read: read, collect: runtime.GC}
}

// check returns a conflict while the live heap is above the limit. The live heap is measured
// at each collection, so one that has freed room shows only after the next: when the last
// figure is over, a collection runs first, at most once per recollectEvery.
func (g *memoryGuard) check() error {
	live := g.read()
	if live <= g.limit {
		return nil
	}
	g.mu.Lock()
	if time.Since(g.collected) >= recollectEvery {
		g.collect()
		g.collected = time.Now()
	}
	// Read again in either case: a caller that waited for another's collection sees its result.
	live = g.read()
	g.mu.Unlock()
	if live <= g.limit {
		return nil
	}
	return store.Errorf(store.CodeMemoryFull, "The mock's state takes %d MiB, above its limit of %d MiB (--max-memory-bytes); reset or delete a sandbox to make room",
		live>>20, g.limit>>20)
}

// freed makes the next check over the limit collect at once: a reset, an import or a removed
// sandbox has just let go of state, and the writes it makes room for should not wait.
func (g *memoryGuard) freed() {
	g.mu.Lock()
	g.collected = time.Time{}
	g.mu.Unlock()
}

// liveHeapBytes is the heap the last collection found reachable.
func liveHeapBytes() uint64 {
	sample := [1]metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample[:])
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return sample[0].Value.Uint64()
}
