package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/drift"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
	"github.com/oneentry-mock/oneentry-mock/scenarios"
)

// driftConfig is the configuration of the drift command.
type driftConfig struct {
	Target   string
	Format   string
	Out      string
	Allow    string
	Ignore   []string
	Only     []string
	AppToken string
	Compat   string
	Timeout  time.Duration
}

const driftHelp = `usage: oneentry-mock drift --target live|URL|CAPSULE_FILE [flags]

Runs the scenario flows against the mock (in process) and against a second target, lines the two
runs up step by step and reports, per step: the mock against the contract, the other side against
the contract, and the mock against the other side. Ids, dates, tokens, fingerprints and redacted
placeholders are not compared; locale maps are unwrapped first, as the SDK does. Differences are
breaking (status class, missing required field, type, object/array, required field null),
warning (field not in the contract, nullability, unseen enum-like value, content type or CORS)
or info (other values). An allow file (drift-allow.yaml) acknowledges known ones until they
expire.

Targets:
  live          the project of ONEENTRY_PROJECT_URL, ONEENTRY_APP_TOKEN, ONEENTRY_USER_EMAIL and
                ONEENTRY_USER_PASSWORD (optional ONEENTRY_USER2_EMAIL, ONEENTRY_USER2_PASSWORD)
  URL           any server of the OneEntry API, e.g. a running sandbox: http://127.0.0.1:8080
  CAPSULE_FILE  a recording (oneentry-mock proxy, or fixtures/recorded/seed.capsule.json): each
                exchange of the mock's run is compared with the recorded exchange of the same
                request; no network is used

Exit codes:
  0  no breaking drift (warnings and info do not fail the run)
  1  breaking drift that no allow entry acknowledges
  2  the run itself failed: bad flags or allow file, unreadable capsule, target unreachable,
     login failed

flags:
`

func parseDriftConfig(args []string, stderr io.Writer) (driftConfig, error) {
	var cfg driftConfig
	fs := flag.NewFlagSet("oneentry-mock drift", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), driftHelp)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.Target, "target", "", "what to compare the mock with: live, a URL or a capsule file (required)")
	fs.StringVar(&cfg.Format, "format", "text", "report format: "+strings.Join(drift.Formats, ", "))
	fs.StringVar(&cfg.Out, "out", "", "write the report to this file instead of stdout")
	fs.StringVar(&cfg.Allow, "allow", "", "acknowledged-drift file, e.g. drift-allow.yaml")
	fs.Func("ignore", "a JSON pointer whose values are not compared, \"*\" matching one segment (repeatable): /items/*/createdDate", func(s string) error {
		if !strings.HasPrefix(s, "/") {
			return fmt.Errorf("%q is not a JSON pointer", s)
		}
		cfg.Ignore = append(cfg.Ignore, s)
		return nil
	})
	only := fs.String("only", "", "comma-separated flows to run (default all): "+strings.Join(scenarios.Names(), ","))
	fs.StringVar(&cfg.AppToken, "app-token", "", "app token for a URL target (default: the embedded fixtures'; "+scenarios.EnvAppToken+" for live)")
	fs.StringVar(&cfg.Compat, "compat", "", "API generation the mock imitates: "+strings.Join(sandbox.ProfileNames(), " or ")+" (default: a capsule's profile, else "+sandbox.ProfileSDK115.Name+")")
	fs.DurationVar(&cfg.Timeout, "timeout", 5*time.Minute, "bound for the whole run")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("drift: unexpected arguments %q", fs.Args())
	}
	if cfg.Target == "" {
		return cfg, errors.New("target: required (live, a URL or a capsule file)")
	}
	if err := drift.Write(io.Discard, cfg.Format, &drift.Report{}); err != nil {
		return cfg, fmt.Errorf("format: %w", err)
	}
	for _, name := range strings.Split(*only, ",") {
		if name = strings.TrimSpace(name); name != "" {
			cfg.Only = append(cfg.Only, name)
		}
	}
	if _, err := scenarios.Select(cfg.Only...); err != nil {
		return cfg, fmt.Errorf("only: %w", err)
	}
	if cfg.Compat != "" {
		if _, err := sandbox.ParseProfile(cfg.Compat); err != nil {
			return cfg, fmt.Errorf("compat: %w", err)
		}
	}
	if cfg.Timeout <= 0 {
		return cfg, errors.New("timeout: must be positive")
	}
	return cfg, nil
}

// driftTargetKind tells what --target names.
func driftTargetKind(target string) string {
	if target == "live" {
		return drift.TargetLive
	}
	if u, err := url.Parse(target); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return drift.TargetURL
	}
	return drift.TargetCapsule
}

// runDrift compares the mock with the target. Exit codes: 0 no breaking drift, 1 breaking drift,
// 2 the run failed.
func runDrift(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseDriftConfig(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	if err != nil {
		return exitError{code: drift.ExitFailed, msg: err.Error()}
	}
	fail := func(err error) error { return exitError{code: drift.ExitFailed, msg: err.Error()} }

	opts := drift.Options{Target: cfg.Target, TargetKind: driftTargetKind(cfg.Target), Ignore: cfg.Ignore}
	if cfg.Allow != "" {
		if opts.Allow, err = drift.LoadAllowFile(cfg.Allow); err != nil {
			return fail(err)
		}
	}
	var recorded *capsule.Capsule
	compat := cfg.Compat
	if opts.TargetKind == drift.TargetCapsule {
		if recorded, err = capsule.Load(cfg.Target); err != nil {
			return fail(fmt.Errorf("target: %w", err))
		}
		if _, perr := sandbox.ParseProfile(recorded.Profile); compat == "" && perr == nil {
			compat = recorded.Profile
		}
	}
	if compat == "" {
		compat = sandbox.ProfileSDK115.Name
	}
	profile, _ := sandbox.ParseProfile(compat)
	flows, _ := scenarios.Select(cfg.Only...) // checked in parseDriftConfig

	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	mockTarget, err := scenarios.MockTarget(scenarios.MockOptions{Profile: profile})
	if err != nil {
		return fail(err)
	}
	defer mockTarget.Close()
	mockResults, err := runFlows(ctx, mockTarget, flows)
	if err != nil {
		return fail(fmt.Errorf("the mock: %w", err))
	}

	var report *drift.Report
	if recorded != nil {
		report, err = drift.CompareCapsule(mockResults, recorded, opts)
	} else {
		other, terr := scenarioTarget(scenariosConfig{Target: cfg.Target, AppToken: cfg.AppToken, Compat: compat}, getenv)
		if terr != nil {
			return fail(terr)
		}
		defer other.Close()
		otherResults, rerr := runFlows(ctx, other, flows)
		if rerr != nil {
			return fail(rerr)
		}
		report, err = drift.Compare(mockResults, otherResults, opts)
	}
	if err != nil {
		return fail(err)
	}
	if err := writeDriftReport(cfg, report, stdout); err != nil {
		return fail(err)
	}
	if cfg.Out != "" {
		fmt.Fprintf(stderr, "%s drift report written to %s\n", cfg.Format, cfg.Out)
	}
	if code := report.ExitCode(); code != drift.ExitOK {
		return exitError{code: code, msg: fmt.Sprintf("breaking drift: %d breaking differences", report.Summary.Breaking)}
	}
	return nil
}

// runFlows checks that the target can be used, then runs the flows on it. A run that could not
// start (unreachable target, failed login) is an error, not drift.
func runFlows(ctx context.Context, t *scenarios.Target, flows []scenarios.Flow) ([]scenarios.Result, error) {
	if err := t.Preflight(ctx); err != nil {
		return nil, err
	}
	results := scenarios.Run(ctx, t, flows...)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("the run did not finish: %w", err)
	}
	return results, nil
}

func writeDriftReport(cfg driftConfig, r *drift.Report, stdout io.Writer) (err error) {
	if cfg.Out == "" {
		return drift.Write(stdout, cfg.Format, r)
	}
	f, err := os.Create(cfg.Out)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	return drift.Write(f, cfg.Format, r)
}
