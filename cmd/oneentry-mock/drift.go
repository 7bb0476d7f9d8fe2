package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/oneentry-mock/oneentry-mock/drift"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

var driftCommand = &command{
	name:     "drift",
	synopsis: "compare the mock with a live project, a URL or a capsule, step by step (exit 1: breaking)",
	help: `Runs the scenario flows against the mock (in process) and against a second target, lines the two
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

Example:
  oneentry-mock drift --target fixtures/recorded/seed.capsule.json --allow drift-allow.yaml --format markdown`,
	flags: func(f *flags, _ func(string) string) runFunc {
		var cfg scenariosConfig
		var opts drift.Options
		scenarioTargetFlags(f, &cfg, "", "live|URL|CAPSULE_FILE", "what to compare the mock with: live, a URL or a capsule file")
		f.required("target", &cfg.Target, "live, a URL or a capsule file")
		f.oneOf(&cfg.Format, "format", "text", drift.Formats, "report format")
		f.value(allowValue{&opts.Allow}, "allow", "FILE", "acknowledged-drift file, e.g. drift-allow.yaml")
		f.repeat(&opts.Ignore, "ignore", "POINTER", `a JSON pointer whose values are not compared, "*" matching one segment (repeatable): /items/*/createdDate`, func(s string) error {
			if !strings.HasPrefix(s, "/") {
				return fmt.Errorf("%q is not a JSON pointer", s)
			}
			return nil
		})
		f.profile(&opts.Profile, "compat", "", "API generation the mock imitates (default: a capsule's profile, else "+sandbox.ProfileDefault.Name+")")
		return func(ctx context.Context, _ []string, sio stdio) error {
			opts.Target, opts.Flows, opts.AppToken, opts.Getenv = cfg.Target, cfg.Flows, cfg.AppToken, sio.getenv
			return runDrift(ctx, cfg, opts, sio)
		}
	},
}

// allowValue loads an allow file when the flag is parsed, so a bad one is a usage error.
type allowValue struct{ p **drift.AllowFile }

func (v allowValue) Set(s string) error {
	a, err := drift.LoadAllowFile(s)
	if err != nil {
		return err
	}
	*v.p = a
	return nil
}

func (v allowValue) String() string { return "" }

// runDrift compares the mock with the target. Exit codes: 0 no breaking drift, 1 breaking drift,
// 2 the run failed.
func runDrift(ctx context.Context, cfg scenariosConfig, opts drift.Options, sio stdio) error {
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	report, err := drift.Run(ctx, opts)
	if err != nil {
		return exitError{code: drift.ExitFailed, msg: err.Error()}
	}
	if err := writeReport(cfg.Out, sio.stdout, func(w io.Writer) error { return drift.Write(w, cfg.Format, report) }); err != nil {
		return exitError{code: drift.ExitFailed, msg: err.Error()}
	}
	if cfg.Out != "" {
		fmt.Fprintf(sio.stderr, "%s drift report written to %s\n", cfg.Format, cfg.Out)
	}
	if code := report.ExitCode(); code != drift.ExitOK {
		return exitError{code: code, msg: fmt.Sprintf("breaking drift: %d breaking differences", report.Summary.Breaking)}
	}
	return nil
}

// writeReport writes a report with write to the file out, or to stdout when out is empty.
func writeReport(out string, stdout io.Writer, write func(io.Writer) error) (err error) {
	if out == "" {
		return write(stdout)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	return write(f)
}
