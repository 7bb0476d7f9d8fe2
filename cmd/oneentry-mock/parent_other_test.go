//go:build !windows

package main

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// --exit-with-parent ends the server once the parent it started with is gone (an orphan is
// handed to another process), and not before.
func TestWaitForNewParent(t *testing.T) {
	t.Parallel()
	var ppid sync.Map
	ppid.Store("now", 4242)
	getppid := func() int { v, _ := ppid.Load("now"); return v.(int) }
	ended := make(chan bool, 1)
	go func() { ended <- waitForNewParent(t.Context(), 4242, getppid, time.Millisecond) }()
	ticks := time.NewTimer(50 * time.Millisecond) // many checks, none of which may end it
	select {
	case <-ended:
		t.Fatal("ended while the parent lives")
	case <-ticks.C:
	}
	ppid.Store("now", 1)
	select {
	case reparented := <-ended:
		assert.True(t, reparented, "returned for the parent's end")
	case <-time.After(10 * time.Second):
		t.Fatal("did not end once the parent was gone")
	}
}
