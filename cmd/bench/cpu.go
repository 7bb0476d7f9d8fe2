package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of utime and stime in /proc/PID/stat. Linux fixes USER_HZ at 100 on every
// architecture Go supports; reading sysconf(_SC_CLK_TCK) would need cgo.
const userHZ = 100

// Cores the servers and the load generator are pinned to. CPU time per request is steadier than
// requests/s on a shared 2-core machine, and it stays so only when the load generator does not
// compete with the server for its core.
const (
	serverCPU = "0"
	loadCPU   = "1"
)

// pinning says where the servers and the load generator run.
type pinning struct {
	prefix []string // put before a server's argv: taskset -c 0
	note   string   // for the report
}

// planPinning pins the servers to core 0 and this process to core 1 with taskset, or says why
// it cannot and leaves everything unpinned.
func planPinning(enabled bool) pinning {
	switch {
	case !enabled:
		return pinning{note: "unpinned (-pin=false)"}
	case runtime.GOOS != "linux":
		return pinning{note: "unpinned (taskset is Linux only)"}
	case runtime.NumCPU() < 2:
		return pinning{note: "unpinned (one core: server and load generator share it)"}
	}
	path, err := exec.LookPath("taskset")
	if err != nil {
		return pinning{note: "unpinned (taskset not found; install util-linux)"}
	}
	// -a: every thread the Go runtime already started; threads started later inherit it.
	if out, err := exec.Command(path, "-a", "-cp", loadCPU, strconv.Itoa(os.Getpid())).CombinedOutput(); err != nil {
		return pinning{note: fmt.Sprintf("unpinned (taskset failed: %v: %s)", err, strings.TrimSpace(string(out)))}
	}
	return pinning{prefix: []string{path, "-c", serverCPU}, note: "server pinned to core " + serverCPU + ", load generator to core " + loadCPU + " (taskset)"}
}

// cpuTime is the user plus system CPU time a running process has used.
func (c *child) cpuTime() (time.Duration, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(c.cmd.Process.Pid) + "/stat")
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return 0, errNoProc
		}
		return 0, err
	}
	return parseStat(data)
}

// parseStat reads utime and stime (fields 14 and 15) from the contents of /proc/PID/stat.
func parseStat(data []byte) (time.Duration, error) {
	// The command name (field 2) is in parentheses and may hold spaces and parentheses itself.
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return 0, errors.New("/proc/PID/stat: no command name")
	}
	fields := strings.Fields(string(data[i+1:]))
	const utime = 14 - 3 // fields after the name start at field 3, the state
	if len(fields) <= utime+1 {
		return 0, errors.New("/proc/PID/stat: too few fields")
	}
	var ticks int64
	for _, f := range fields[utime : utime+2] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/PID/stat: %q is not a tick count", f)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}
