package main

import (
	"context"
	"errors"
	"fmt"
	"syscall"
)

// errNoSuchProcess is OpenProcess's ERROR_INVALID_PARAMETER, its answer for a process id that
// names no running process.
const errNoSuchProcess syscall.Errno = 87

// waitForParent returns true once parent has ended, or false once ctx ends. A Windows process
// keeps the id of the parent that created it, ended or not, so the end shows on the parent's
// handle instead.
func waitForParent(ctx context.Context, parent int) (bool, error) {
	h, err := syscall.OpenProcess(syscall.SYNCHRONIZE, false, uint32(parent))
	if errors.Is(err, errNoSuchProcess) {
		return true, nil // it ended before the server started watching
	}
	if err != nil {
		return false, fmt.Errorf("open process %d: %w", parent, err)
	}
	defer syscall.CloseHandle(h)
	// Waits of parentCheckInterval rather than one without end, so that this returns once ctx
	// ends instead of holding the handle and a thread for the rest of the process.
	for ctx.Err() == nil {
		event, err := syscall.WaitForSingleObject(h, uint32(parentCheckInterval.Milliseconds()))
		if err != nil {
			return false, fmt.Errorf("wait for process %d: %w", parent, err)
		}
		if event == syscall.WAIT_OBJECT_0 {
			return true, nil
		}
	}
	return false, nil
}
