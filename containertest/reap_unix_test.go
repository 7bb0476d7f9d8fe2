//go:build unix

package containertest

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// processEnded reports whether no process of this host has the pid: signal 0 checks that one
// exists without sending anything.
func processEnded(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// endedProcess returns this host's name and the pid of a process of it that has ended.
func endedProcess(t *testing.T) (host, pid string) {
	t.Helper()
	host, err := os.Hostname()
	require.NoError(t, err)
	ended := exec.Command("true")
	require.NoError(t, ended.Run())
	return host, strconv.Itoa(ended.Process.Pid)
}
