package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/oneentry-mock/oneentry-mock/sandbox"
	"github.com/oneentry-mock/oneentry-mock/scenarios"
)

// scenariosConfig is the configuration of scenarios run.
type scenariosConfig struct {
	Target     string
	Flows      []scenarios.Flow
	Format     string
	Out        string
	AppToken   string
	AdminToken string
	Profile    sandbox.Profile
	Timeout    time.Duration
	// Sandbox is "new" (a sandbox of the run's own on a URL target that serves the admin
	// API) or "default" (the sandbox of the app token).
	Sandbox string
}

var scenariosListCommand = &command{
	name:     "scenarios list",
	synopsis: "list the user flows, one a line with its description",
	help: `Lists the flows "scenarios run --only" and "drift --only" accept.

Example:
  oneentry-mock scenarios list`,
	flags: func(*flags, func(string) string) runFunc {
		return func(_ context.Context, _ []string, sio stdio) error {
			for _, f := range scenarios.All() {
				fmt.Fprintf(sio.stdout, "%-18s %s\n", f.Name, f.Description)
			}
			return nil
		}
	},
}

var scenariosRunCommand = &command{
	name:     "scenarios run",
	synopsis: "run the user flows against the mock, a URL or a live project and report per step",
	help: `Runs user flows (log in, read a form, send form data, place and pay an order, ...) against a
target, checking every exchange against the contract, and reports each step as passed, failed,
skipped or off-contract.

Exit codes:
  0  every step passed
  1  a step failed or broke the contract
  2  the run could not start: bad flags, unreachable target, failed login

Example:
  oneentry-mock scenarios run --target http://127.0.0.1:8080 --format junit --out scenarios.xml

On a URL target that serves the admin API the run creates a sandbox of its own, resets it
before each flow (every flow starts from the fixtures, as on the in-process mock) and deletes
it afterwards, so the default sandbox (which a front end may be using) is left as it was;
--sandbox default runs in the default sandbox instead, and --app-token in that token's: those
are not the run's to reset, so each flow sees what the flows before it made.`,
	flags: func(f *flags, _ func(string) string) runFunc {
		var cfg scenariosConfig
		scenarioTargetFlags(f, &cfg, "mock", "mock|live|URL", "where to run: mock (in process), a URL of a running sandbox, or live ("+
			strings.Join([]string{scenarios.EnvProjectURL, scenarios.EnvAppToken, scenarios.EnvUserEmail, scenarios.EnvUserPassword}, ", ")+
			"; optional "+scenarios.EnvUser2Email+", "+scenarios.EnvUser2Password+")")
		f.oneOf(&cfg.Format, "format", "text", []string{"text", "json", "junit"}, "report format")
		f.string(&cfg.AdminToken, "admin-token", "", "TOKEN", "x-admin-token for a URL target whose sandbox was started with --admin-token")
		f.profile(&cfg.Profile, "compat", sandbox.ProfileDefault.Name, "API generation the in-process mock imitates")
		f.oneOf(&cfg.Sandbox, "sandbox", "new", []string{"new", "default"}, "on a URL target that serves the admin API: run in a new sandbox, deleted afterwards (new), or in the default one, whose state the run changes (default)")
		f.check(func() error {
			if cfg.Target == "mock" || cfg.Target == "live" || isHTTPURL(cfg.Target) {
				return nil
			}
			return fmt.Errorf("--target: want mock, live or an http(s) URL, got %q", cfg.Target)
		})
		return func(ctx context.Context, _ []string, sio stdio) error { return runScenariosRun(ctx, cfg, sio) }
	},
}

// scenarioTargetFlags defines the flags scenarios run and drift share: --target, --only, --out,
// --app-token and --timeout.
func scenarioTargetFlags(f *flags, cfg *scenariosConfig, def, meta, targetUsage string) {
	f.string(&cfg.Target, "target", def, meta, targetUsage)
	f.flows(&cfg.Flows)
	f.string(&cfg.Out, "out", "", "FILE", "write the report to this file instead of stdout")
	f.string(&cfg.AppToken, "app-token", "", "TOKEN", "app token to send (default: the embedded fixtures' for mock and URL targets, "+scenarios.EnvAppToken+" for live)")
	f.duration(&cfg.Timeout, "timeout", 5*time.Minute, "bound for the whole run")
}

// isHTTPURL reports whether s is an absolute http(s) URL.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// scenarioTarget builds the target the --target flag names.
func scenarioTarget(cfg scenariosConfig, getenv func(string) string) (*scenarios.Target, error) {
	var t *scenarios.Target
	switch cfg.Target {
	case "mock":
		mt, err := scenarios.MockTarget(scenarios.MockOptions{Profile: cfg.Profile})
		if err != nil {
			return nil, err
		}
		t = mt
	case "live":
		lt, err := scenarios.LiveTargetFromEnv(getenv)
		if err != nil {
			return nil, err
		}
		t = lt
	default:
		t = scenarios.URLTarget(cfg.Target, "")
	}
	if cfg.AppToken != "" {
		t.AppToken = cfg.AppToken
	}
	t.AdminToken = cfg.AdminToken
	return t, nil
}

// runScenariosRun runs the flows and reports. It exits 1 when a step fails or breaks the
// contract, and 2 when the run cannot start (bad flags, unreachable target, failed login).
func runScenariosRun(ctx context.Context, cfg scenariosConfig, sio stdio) error {
	stdout, stderr := sio.stdout, sio.stderr
	out, err := createReport(cfg.Out, stdout)
	if err != nil {
		return exitError{code: 2, msg: err.Error()}
	}
	defer out.Close()
	target, err := scenarioTarget(cfg, sio.getenv)
	if err != nil {
		return exitError{code: 2, msg: err.Error()}
	}
	defer target.Close()

	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	if cfg.Target != "mock" && cfg.Target != "live" && cfg.Sandbox == "new" && cfg.AppToken == "" {
		release, ok, err := target.OwnSandbox(ctx)
		refused, left := (*scenarios.SandboxRefusedError)(nil), (*scenarios.SandboxLeftError)(nil)
		if errors.As(err, &refused) || errors.As(err, &left) {
			return exitError{code: 2, msg: err.Error()}
		}
		// An unreachable target is reported by Preflight, as for every other target.
		if err == nil && ok {
			fmt.Fprintf(stderr, "running in a new sandbox (app token %s), deleted afterwards; --sandbox default runs in the default one\n", target.AppToken)
			defer func() {
				if err := release(context.WithoutCancel(ctx)); err != nil {
					fmt.Fprintf(stderr, "could not delete the sandbox %s: %v\n", target.AppToken, err)
				}
			}()
		}
	}
	if err := target.Preflight(ctx); err != nil {
		return exitError{code: 2, msg: err.Error()}
	}

	var runner scenarios.Runner
	// Progress lines are for a person watching a terminal; they would corrupt a JSON or XML
	// report written to the same stdout.
	if isTerminal(stdout) && (cfg.Format == "text" || cfg.Out != "") {
		runner.OnStep = func(flow string, s scenarios.StepResult) {
			fmt.Fprintf(stdout, "%-4s %s / %s (%s)\n", scenarios.Label(s.Status), flow, s.Name, s.Duration.Round(time.Millisecond))
		}
	}
	results := runner.Run(ctx, target, cfg.Flows...)

	write := scenarios.WriteText
	switch cfg.Format {
	case "json":
		write = scenarios.WriteJSON
	case "junit":
		write = scenarios.WriteJUnit
	}
	if err := write(out, results); err != nil {
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	summary := scenarios.Summarize(results)
	if cfg.Out != "" {
		fmt.Fprintf(stderr, "%s report written to %s: %s\n", cfg.Format, cfg.Out, summary)
	}
	if summary.Failed() {
		return exitError{code: 1, msg: summary.String()}
	}
	return nil
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
