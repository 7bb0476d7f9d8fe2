package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

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
  URL           any server of the OneEntry API, e.g. a running sandbox: http://127.0.0.1:8080;
                on one that serves the admin API the flows run in a sandbox of their own,
                reset before each flow as the in-process mock is and deleted afterwards, so
                the default sandbox (which a front end may be using) is left as it was;
                --sandbox default runs them there, --app-token in that token's sandbox (not
                reset: later flows see what earlier ones made, which shows as info)
  CAPSULE_FILE  a recording (oneentry-mock proxy, or fixtures/recorded/seed.capsule.json): each
                exchange of the mock's run is compared with the recorded exchange of the same
                request; no network is used

Exit codes:
  0  no breaking drift (warnings and info do not fail the run)
  1  breaking drift that no allow entry acknowledges
  2  the run itself failed: bad flags or allow file, unreadable capsule (or one naming a
     profile this build does not know, without --compat), target unreachable, login failed;
     or it was stopped (SIGINT, SIGTERM, --timeout) before the report, which is not written

Example:
  oneentry-mock drift --target fixtures/recorded/seed.capsule.json --allow drift-allow.yaml --format markdown`,
	flags: func(f *flags, _ func(string) string) runFunc {
		var cfg scenariosConfig
		var opts drift.Options
		scenarioTargetFlags(f, &cfg, "", "live|URL|CAPSULE_FILE", "what to compare the mock with: live, a URL or a capsule file")
		f.required("target", &cfg.Target, "live, a URL or a capsule file")
		f.oneOf(&cfg.Format, "format", "text", drift.Formats, "report format")
		f.value(allowValue{&opts.Allow}, "allow", "FILE", "acknowledged-drift file, e.g. drift-allow.yaml")
		f.repeat(&opts.Ignore, "ignore", "POINTER", `a JSON pointer whose values are not compared, "*" matching one segment (repeatable): /items/*/createdDate`, drift.CheckIgnore)
		f.string(&cfg.AdminToken, "admin-token", "", "TOKEN", "x-admin-token for a URL target whose sandbox was started with --admin-token")
		f.oneOf(&cfg.Sandbox, "sandbox", "new", []string{"new", "default"}, "on a URL target that serves the admin API: run in a new sandbox, deleted afterwards (new), or in the default one, whose state the run changes (default)")
		f.profile(&opts.Profile, "compat", "", "API generation the mock imitates (default: a capsule's profile, else "+sandbox.ProfileDefault.Name+"; a capsule naming an unknown one needs it)")
		return func(ctx context.Context, _ []string, sio stdio) error {
			opts.Target, opts.Flows, opts.AppToken, opts.Getenv = cfg.Target, cfg.Flows, cfg.AppToken, sio.getenv
			opts.AdminToken, opts.DefaultSandbox = cfg.AdminToken, cfg.Sandbox == "default"
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
	out, err := createReport(cfg.Out, sio.stdout)
	if err != nil {
		return exitError{code: drift.ExitFailed, msg: err.Error()}
	}
	defer out.Close()
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	report, err := drift.Run(ctx, opts)
	if err != nil {
		return exitError{code: drift.ExitFailed, msg: err.Error()}
	}
	if err := drift.Write(out, cfg.Format, report); err != nil {
		return exitError{code: drift.ExitFailed, msg: err.Error()}
	}
	if err := out.Close(); err != nil {
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

// createReport opens where a report goes, the file out or stdout when out is empty, before the
// run that makes it: an --out that cannot be written fails at once, as a run that could not
// start, rather than after the whole run. A file already there keeps its content until the
// report is written over it, so a run that fails before it has a report leaves the last
// one; a file it made for a report that never came is removed.
func createReport(out string, stdout io.Writer) (io.WriteCloser, error) {
	if out == "" {
		return nopCloser{stdout}, nil
	}
	_, statErr := os.Stat(out)
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("--out: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("--out: %w", err)
	}
	if !info.Mode().IsRegular() { // /dev/stdout, /dev/null, a pipe: nothing to keep or empty
		return closeOnce{f}, nil
	}
	return &reportFile{file: f, made: errors.Is(statErr, fs.ErrNotExist)}, nil
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// closeOnce lets a deferred Close follow the one whose error is reported.
type closeOnce struct{ *os.File }

func (c closeOnce) Close() error {
	if err := c.File.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
		return err
	}
	return nil
}

// reportFile empties its regular file at the first write, and lets a deferred Close follow the
// one whose error is reported. It is a plain io.Writer, so that no WriteString or ReadFrom of the file
// writes past the emptying.
type reportFile struct {
	file    *os.File
	made    bool // created by createReport
	written bool
}

func (r *reportFile) Write(p []byte) (int, error) {
	if !r.written {
		r.written = true
		if err := r.file.Truncate(0); err != nil {
			return 0, err
		}
	}
	return r.file.Write(p)
}

func (r *reportFile) Close() error {
	err := r.file.Close()
	if errors.Is(err, os.ErrClosed) {
		return nil
	}
	if err == nil && r.made && !r.written {
		err = os.Remove(r.file.Name())
	}
	return err
}
