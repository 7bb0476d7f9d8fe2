// Command bench is the sandbox's load harness. It builds oneentry-mock, starts it as a child
// process on a free loopback port, measures the time to its first 200 and its resident memory,
// and drives three workloads with concurrent virtual users: the tickets_form read, the order
// create of a logged-in user, and the seed's whole ticket flow. It runs the same workloads
// against a bare net/http server that replays the mock's own answers, in the same run on the same
// machine, and prints every figure with its ratio to that ceiling as a Markdown table.
//
//	go run ./cmd/bench                     # 32 connections, 10 s per workload
//	go run ./cmd/bench -duration 3s -concurrency 64 -scenarios form,order
//
// It only ever talks to the servers it started, on 127.0.0.1.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signalContext()
	defer stop()
	var err error
	if os.Getenv(roleEnv) == roleBare {
		err = runBare(ctx, os.Args[1:], os.Stdout, os.Stderr)
	} else {
		err = run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// signalContext ends on Ctrl-C or SIGTERM; the harness stops its servers on the way out.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// mockPackage is what the harness builds when no -server binary is given.
const mockPackage = "github.com/oneentry-mock/oneentry-mock/cmd/oneentry-mock"

// Bounds on the flags, so a typo cannot start an endless or machine-filling run.
const (
	maxDuration    = 10 * time.Minute
	maxConcurrency = 1024
	maxStarts      = 50
)

// config is the harness's command line.
type config struct {
	server      string
	serverArgs  []string
	serverLog   string
	concurrency int
	duration    time.Duration
	warmup      time.Duration
	timeout     time.Duration
	maxRequests int64
	starts      int
	pin         bool
	scenarios   []scenario
}

func parseConfig(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.server, "server", "", "oneentry-mock binary to measure; built from this module when empty")
	serverArgs := fs.String("server-args", "", "extra flags for oneentry-mock serve, space-separated (e.g. \"--log-level=warn\")")
	fs.StringVar(&cfg.serverLog, "server-log", "", "file to append the servers' stderr (request logs) to; discarded when empty")
	fs.IntVar(&cfg.concurrency, "concurrency", 32, "virtual users, each on its own keep-alive connection")
	fs.DurationVar(&cfg.duration, "duration", 10*time.Second, "measured time per workload and server")
	fs.DurationVar(&cfg.warmup, "warmup", time.Second, "unmeasured load before each measurement")
	fs.DurationVar(&cfg.timeout, "timeout", 10*time.Second, "longest wait for one response")
	fs.Int64Var(&cfg.maxRequests, "max-ops", 10_000_000, "most requests (flows for the flow) measured per workload and server")
	fs.IntVar(&cfg.starts, "starts", 5, "server starts timed; the median is reported and the last start is measured under load")
	fs.BoolVar(&cfg.pin, "pin", true, "pin the servers to core 0 and the load generator to core 1 with taskset, when there are two cores")
	names := fs.String("scenarios", "form,order,flow", "workloads to run: form, order, flow")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	cfg.serverArgs = strings.Fields(*serverArgs)
	switch {
	case cfg.concurrency < 1 || cfg.concurrency > maxConcurrency:
		return cfg, fmt.Errorf("concurrency: want 1 to %d, got %d", maxConcurrency, cfg.concurrency)
	case cfg.duration <= 0 || cfg.duration > maxDuration:
		return cfg, fmt.Errorf("duration: want more than 0 and at most %v, got %v", maxDuration, cfg.duration)
	case cfg.warmup < 0 || cfg.warmup > maxDuration:
		return cfg, fmt.Errorf("warmup: want 0 to %v, got %v", maxDuration, cfg.warmup)
	case cfg.timeout <= 0:
		return cfg, fmt.Errorf("timeout: must be positive, got %v", cfg.timeout)
	case cfg.maxRequests < 1:
		return cfg, fmt.Errorf("max-ops: must be positive, got %d", cfg.maxRequests)
	case cfg.starts < 1 || cfg.starts > maxStarts:
		return cfg, fmt.Errorf("starts: want 1 to %d, got %d", maxStarts, cfg.starts)
	}
	for name := range strings.SplitSeq(*names, ",") {
		name = strings.TrimSpace(name)
		i := slices.IndexFunc(scenarios, func(s scenario) bool { return s.key == name })
		if i < 0 {
			return cfg, fmt.Errorf("scenarios: unknown workload %q (form, order or flow)", name)
		}
		if !slices.ContainsFunc(cfg.scenarios, func(s scenario) bool { return s.key == name }) {
			cfg.scenarios = append(cfg.scenarios, scenarios[i])
		}
	}
	return cfg, nil
}

// run is main without the process, so the test drives it directly.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, stderr)
	if err != nil {
		return err
	}
	logf := func(format string, args ...any) { fmt.Fprintf(stderr, "bench: "+format+"\n", args...) }
	work, err := os.MkdirTemp("", "oneentry-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	server := cfg.server
	if server == "" {
		server = filepath.Join(work, "oneentry-mock")
		logf("building %s", mockPackage)
		out, err := exec.CommandContext(ctx, "go", "build", "-o", server, mockPackage).CombinedOutput()
		if err != nil {
			return fmt.Errorf("build the server (run from inside the module, or pass -server): %w\n%s", err, out)
		}
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the harness binary for the bare server: %w", err)
	}

	pin := planPinning(cfg.pin)
	logf("%s", pin.note)
	rep := &report{cfg: cfg, machine: describeMachine(), pinning: pin.note}
	// The workloads are the seed's flow (no x-device-metadata, the seed's past slots), so the
	// server imitates the API the seed recorded unless -server-args names another profile.
	mockArgv := append(append(slices.Clone(pin.prefix), server, "serve", "--addr", "127.0.0.1:0", "--compat", "sdk-1.0.115"), cfg.serverArgs...)
	mock, err := startTimed(ctx, "oneentry-mock", mockArgv, os.Environ(), cfg, &rep.mock, logf)
	if err != nil {
		return err
	}
	defer mock.stop()

	set, token, err := record(mock.host, cfg.timeout)
	if err != nil {
		return fmt.Errorf("oneentry-mock does not serve the ticket flow: %w", err)
	}
	cannedPath := filepath.Join(work, "canned.json")
	data, err := json.Marshal(set)
	if err != nil {
		return err
	}
	if err := os.WriteFile(cannedPath, data, 0o600); err != nil {
		return err
	}
	bareEnv := append(os.Environ(), roleEnv+"="+roleBare)
	bare, err := startTimed(ctx, "bare net/http", append(slices.Clone(pin.prefix), self, "-responses", cannedPath), bareEnv, cfg, &rep.bare, logf)
	if err != nil {
		return err
	}
	defer bare.stop()

	if slices.ContainsFunc(cfg.scenarios, func(s scenario) bool { return s.key == "flow" }) {
		if err := signUpVUs(mock.host, cfg.concurrency, cfg.timeout); err != nil {
			return err
		}
	}
	lc := loadConfig{
		concurrency: cfg.concurrency,
		warmup:      cfg.warmup,
		duration:    cfg.duration,
		maxOps:      cfg.maxRequests,
		timeout:     cfg.timeout,
	}
	for _, sc := range cfg.scenarios {
		sr := scenarioRun{scenario: sc}
		for _, side := range []struct {
			name string
			c    *child
			out  *result
		}{
			{"bare net/http", bare, &sr.bare},
			{"oneentry-mock", mock, &sr.mock},
		} {
			logf("%s: %s, %d connections, %v", sc.title, side.name, cfg.concurrency, cfg.duration)
			lc.cpu = side.c.cpuTime
			*side.out = drive(ctx, side.c.host, lc, sc.newOp(target{host: side.c.host, token: token}))
			if err := ctx.Err(); err != nil {
				return err
			}
			if side.out.firstErr != nil {
				logf("%s: %s: %d failed, first: %v", sc.title, side.name, side.out.errors, side.out.firstErr)
			}
			// VmHWM only grows, so read after each workload it is that workload's peak unless
			// an earlier one peaked higher; workloads that store orders raise it for good.
			m, err := side.c.memory()
			side.out.peakRSS, side.out.peakErr = m.peak, err
		}
		rep.runs = append(rep.runs, sr)
	}
	rep.write(stdout)
	return nil
}

// startTimed starts a server cfg.starts times, keeps the median time to its first 200, and
// returns the last instance, still running, with its idle memory noted.
func startTimed(ctx context.Context, name string, argv, env []string, cfg config, into *serverFigures, logf func(string, ...any)) (*child, error) {
	logf("starting %s %d times", name, cfg.starts)
	times := make([]time.Duration, 0, cfg.starts)
	var c *child
	for i := range cfg.starts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var err error
		c, err = startChild(name, argv, env, cfg.serverLog)
		if err != nil {
			return nil, err
		}
		times = append(times, c.startup)
		if i < cfg.starts-1 {
			c.stop()
		}
	}
	slices.Sort(times)
	into.startup = times[len(times)/2]
	into.idle, into.idleErr = c.memory()
	return c, nil
}
