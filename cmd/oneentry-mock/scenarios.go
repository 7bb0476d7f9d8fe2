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

	"github.com/oneentry-mock/oneentry-mock/sandbox"
	"github.com/oneentry-mock/oneentry-mock/scenarios"
)

const scenariosUsage = `usage: oneentry-mock scenarios <subcommand> [flags]

subcommands:
  run   run user flows against a target and report per step
  list  list the flows

Run "oneentry-mock scenarios run --help" for its flags.
`

// runScenarios dispatches the scenarios subcommands.
func runScenarios(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, scenariosUsage)
		return exitError{code: 2}
	}
	switch args[0] {
	case "run":
		return runScenariosRun(ctx, args[1:], getenv, stdout, stderr)
	case "list":
		for _, f := range scenarios.All() {
			fmt.Fprintf(stdout, "%-18s %s\n", f.Name, f.Description)
		}
		return nil
	case "-h", "--help", "help":
		fmt.Fprint(stdout, scenariosUsage)
		return nil
	default:
		fmt.Fprint(stderr, scenariosUsage)
		return exitError{code: 2, msg: fmt.Sprintf("unknown scenarios subcommand %q", args[0])}
	}
}

// scenariosConfig is the configuration of scenarios run.
type scenariosConfig struct {
	Target     string
	Only       []string
	Format     string
	Out        string
	AppToken   string
	AdminToken string
	Compat     string
	Timeout    time.Duration
}

func parseScenariosConfig(args []string, stderr io.Writer) (scenariosConfig, error) {
	var cfg scenariosConfig
	fs := flag.NewFlagSet("oneentry-mock scenarios run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Target, "target", "mock", "where to run: mock (in process), a URL of a running sandbox, or live ("+
		strings.Join([]string{scenarios.EnvProjectURL, scenarios.EnvAppToken, scenarios.EnvUserEmail, scenarios.EnvUserPassword}, ", ")+
		"; optional "+scenarios.EnvUser2Email+", "+scenarios.EnvUser2Password+")")
	only := fs.String("only", "", "comma-separated flows to run (default all): "+strings.Join(scenarios.Names(), ","))
	fs.StringVar(&cfg.Format, "format", "text", "report format: text, json or junit")
	fs.StringVar(&cfg.Out, "out", "", "write the report to this file instead of stdout")
	fs.StringVar(&cfg.AppToken, "app-token", "", "app token to send (default: the embedded fixtures' for mock and URL targets, "+scenarios.EnvAppToken+" for live)")
	fs.StringVar(&cfg.AdminToken, "admin-token", "", "x-admin-token for a URL target whose sandbox was started with --admin-token")
	fs.StringVar(&cfg.Compat, "compat", sandbox.ProfileSDK115.Name, "API generation the in-process mock imitates: "+strings.Join(sandbox.ProfileNames(), " or "))
	fs.DurationVar(&cfg.Timeout, "timeout", 5*time.Minute, "bound for the whole run")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("scenarios run: unexpected arguments %q", fs.Args())
	}
	switch cfg.Format {
	case "text", "json", "junit":
	default:
		return cfg, fmt.Errorf("format: want text, json or junit, got %q", cfg.Format)
	}
	if *only != "" {
		for _, name := range strings.Split(*only, ",") {
			if name = strings.TrimSpace(name); name != "" {
				cfg.Only = append(cfg.Only, name)
			}
		}
	}
	if _, err := scenarios.Select(cfg.Only...); err != nil {
		return cfg, fmt.Errorf("only: %w", err)
	}
	if _, err := sandbox.ParseProfile(cfg.Compat); err != nil {
		return cfg, fmt.Errorf("compat: %w", err)
	}
	if cfg.Timeout <= 0 {
		return cfg, errors.New("timeout: must be positive")
	}
	return cfg, nil
}

// scenarioTarget builds the target the --target flag names.
func scenarioTarget(cfg scenariosConfig, getenv func(string) string) (*scenarios.Target, error) {
	var t *scenarios.Target
	switch cfg.Target {
	case "mock":
		profile, _ := sandbox.ParseProfile(cfg.Compat) // checked in parseScenariosConfig
		mt, err := scenarios.MockTarget(scenarios.MockOptions{Profile: profile})
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
		u, err := url.Parse(cfg.Target)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("target: want mock, live or an http(s) URL, got %q", cfg.Target)
		}
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
func runScenariosRun(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseScenariosConfig(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	if err != nil {
		return exitError{code: 2, msg: err.Error()}
	}
	flows, _ := scenarios.Select(cfg.Only...) // checked in parseScenariosConfig
	target, err := scenarioTarget(cfg, getenv)
	if err != nil {
		return exitError{code: 2, msg: err.Error()}
	}
	defer target.Close()

	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
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
	results := runner.Run(ctx, target, flows...)

	if err := writeScenarioReport(cfg, results, stdout); err != nil {
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

func writeScenarioReport(cfg scenariosConfig, results []scenarios.Result, stdout io.Writer) (err error) {
	w := stdout
	if cfg.Out != "" {
		f, err := os.Create(cfg.Out)
		if err != nil {
			return err
		}
		defer func() {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}()
		w = f
	}
	switch cfg.Format {
	case "json":
		return scenarios.WriteJSON(w, results)
	case "junit":
		return scenarios.WriteJUnit(w, results)
	default:
		return scenarios.WriteText(w, results)
	}
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
