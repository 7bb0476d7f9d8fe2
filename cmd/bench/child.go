package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// startTimeout bounds how long a server may take to print its address and answer /healthz.
const startTimeout = 10 * time.Second

// stopTimeout is how long a server gets to shut down on an interrupt before it is killed.
const stopTimeout = 5 * time.Second

var errNoLoopback = errors.New("the harness only talks to 127.0.0.1")

// child is a server process the harness started and measures.
type child struct {
	name    string
	cmd     *exec.Cmd
	host    string        // 127.0.0.1:PORT
	startup time.Duration // from exec to the first 200 on /healthz
	exited  chan struct{}
	waitErr error
	logFile *os.File
}

// firstLine hands the first line a process prints to a channel and discards the rest, so the
// child never blocks on a full pipe.
type firstLine struct {
	mu   sync.Mutex
	buf  []byte
	sent bool
	ch   chan string
}

func (w *firstLine) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.sent {
		return len(p), nil
	}
	w.buf = append(w.buf, p...)
	if i := bytes.IndexByte(w.buf, '\n'); i >= 0 {
		w.ch <- string(w.buf[:i])
		w.sent = true
		w.buf = nil
	} else if len(w.buf) > 4096 {
		w.ch <- string(w.buf)
		w.sent = true
		w.buf = nil
	}
	return len(p), nil
}

// startChild runs argv and waits until it answers 200 on /healthz. The process must print
// "... listening on http://127.0.0.1:PORT" as its first line of output, as oneentry-mock serve
// does. logPath, when not empty, receives the process's stderr (its request log); otherwise the
// log goes to the null device, the cheapest sink a real deployment could have.
func startChild(name string, argv, env []string, logPath string) (*child, error) {
	c := &child{name: name, exited: make(chan struct{})}
	lines := &firstLine{ch: make(chan string, 1)}
	c.cmd = exec.Command(argv[0], argv[1:]...)
	c.cmd.Env = env
	c.cmd.Stdout = lines
	if logPath != "" {
		f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, err
		}
		c.logFile = f
		c.cmd.Stderr = f
	}

	t0 := time.Now()
	if err := c.cmd.Start(); err != nil {
		c.closeLog()
		return nil, fmt.Errorf("%s: start: %w", name, err)
	}
	go func() {
		c.waitErr = c.cmd.Wait()
		close(c.exited)
	}()
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	var line string
	select {
	case line = <-lines.ch:
	case <-c.exited:
		c.closeLog()
		return nil, fmt.Errorf("%s: exited before listening: %v", name, c.waitErr)
	case <-timer.C:
		c.stop()
		return nil, fmt.Errorf("%s: printed no address within %v", name, startTimeout)
	}
	host, err := loopbackHost(line)
	if err != nil {
		c.stop()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	c.host = host
	if err := c.awaitHealthy(t0.Add(startTimeout)); err != nil {
		c.stop()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	c.startup = time.Since(t0)
	return c, nil
}

// loopbackHost extracts 127.0.0.1:PORT from a "... listening on http://127.0.0.1:PORT" line and
// refuses any other host, so the harness can never be pointed at another machine.
func loopbackHost(line string) (string, error) {
	_, raw, ok := strings.Cut(line, "listening on ")
	if !ok {
		return "", fmt.Errorf("first line %q does not say where it listens", line)
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme != "http" || u.Port() == "" {
		return "", fmt.Errorf("first line %q does not name an http://host:port address", line)
	}
	if u.Hostname() != "127.0.0.1" {
		return "", fmt.Errorf("%w, not %s", errNoLoopback, u.Hostname())
	}
	return u.Host, nil
}

// awaitHealthy polls /healthz until the first 200. The listener is bound before the address is
// printed, so the first attempt normally succeeds; retries are 200 µs apart to keep the
// measurement honest when it does not.
func (c *child) awaitHealthy(deadline time.Time) error {
	probe := newConn(c.host, time.Second)
	defer probe.close()
	var lastErr error
	for time.Now().Before(deadline) {
		status, _, err := probe.do(http.MethodGet, "/healthz", nil, nil)
		if err == nil && status == http.StatusOK {
			return nil
		}
		if err == nil {
			err = fmt.Errorf("/healthz answered %d", status)
		}
		lastErr = err
		select {
		case <-c.exited:
			return fmt.Errorf("exited while starting: %v", c.waitErr)
		case <-time.After(200 * time.Microsecond):
		}
	}
	return fmt.Errorf("no 200 on /healthz within %v: %v", startTimeout, lastErr)
}

// stop interrupts the process (both servers shut down gracefully on SIGINT) and kills it if it
// has not exited within stopTimeout.
func (c *child) stop() {
	if c.cmd.Process == nil {
		return
	}
	select {
	case <-c.exited:
	default:
		_ = c.cmd.Process.Signal(os.Interrupt)
		select {
		case <-c.exited:
		case <-time.After(stopTimeout):
			_ = c.cmd.Process.Kill()
			<-c.exited
		}
	}
	c.closeLog()
}

func (c *child) closeLog() {
	if c.logFile != nil {
		c.logFile.Close()
		c.logFile = nil
	}
}

// memory is what /proc/PID/status says about a process's resident memory, in bytes.
type memory struct {
	rss  int64 // VmRSS: resident now
	peak int64 // VmHWM: the high-water mark of VmRSS since the process started
}

var errNoProc = errors.New("/proc is not available on this system")

// readProc reads the file called name in the running child's /proc/PID folder and parses it.
func readProc[T any](c *child, name string, parse func([]byte) (T, error)) (T, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(c.cmd.Process.Pid) + "/" + name)
	if err != nil {
		var zero T
		if errors.Is(err, os.ErrNotExist) {
			return zero, errNoProc
		}
		return zero, err
	}
	return parse(data)
}

// memory reads the resident set of the running child.
func (c *child) memory() (memory, error) { return readProc(c, "status", parseStatus) }

// parseStatus reads VmRSS and VmHWM (kB) from the contents of a /proc/PID/status file.
func parseStatus(data []byte) (memory, error) {
	var m memory
	var found int
	for line := range strings.Lines(string(data)) {
		key, val, ok := strings.Cut(line, ":")
		if !ok || (key != "VmRSS" && key != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 10, 64)
		if err != nil {
			return memory{}, fmt.Errorf("%s: %q is not a size in kB", key, strings.TrimSpace(val))
		}
		if key == "VmRSS" {
			m.rss = kb << 10
		} else {
			m.peak = kb << 10
		}
		found++
	}
	if found != 2 {
		return memory{}, errors.New("VmRSS or VmHWM missing from /proc/PID/status")
	}
	return m, nil
}
