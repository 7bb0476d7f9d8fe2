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

// cpuTime is the CPU time a process has used, split as the kernel counts it: user is the
// process's own code (for a Go server, the runtime and garbage collection too), system the
// kernel's work on its behalf, mostly the socket reads and writes and waking the peers that
// wait on them.
type cpuTime struct {
	user, system time.Duration
}

func (c cpuTime) total() time.Duration { return c.user + c.system }

func (c cpuTime) minus(o cpuTime) cpuTime {
	return cpuTime{user: c.user - o.user, system: c.system - o.system}
}

func (c cpuTime) per(n int64) cpuTime {
	return cpuTime{user: c.user / time.Duration(n), system: c.system / time.Duration(n)}
}

// cpuTime reads the CPU time the running child has used.
func (c *child) cpuTime() (cpuTime, error) { return readProc(c, "stat", parseStat) }

// parseStat reads utime and stime (fields 14 and 15) from the contents of /proc/PID/stat.
func parseStat(data []byte) (cpuTime, error) {
	// The command name (field 2) is in parentheses and may hold spaces and parentheses itself.
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return cpuTime{}, errors.New("/proc/PID/stat: no command name")
	}
	fields := strings.Fields(string(data[i+1:]))
	const utime = 14 - 3 // fields after the name start at field 3, the state
	if len(fields) <= utime+1 {
		return cpuTime{}, errors.New("/proc/PID/stat: too few fields")
	}
	var ticks [2]int64
	for k, f := range fields[utime : utime+2] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return cpuTime{}, fmt.Errorf("/proc/PID/stat: %q is not a tick count", f)
		}
		ticks[k] = n
	}
	toDuration := func(t int64) time.Duration { return time.Duration(t) * time.Second / userHZ }
	return cpuTime{user: toDuration(ticks[0]), system: toDuration(ticks[1])}, nil
}
