package drift

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
	"github.com/oneentry-mock/oneentry-mock/scenarios"
)

// RunOptions are the parts of Options that say what Run runs.
type RunOptions struct {
	// Flows are the flows run on both sides; every flow when nil.
	Flows []scenarios.Flow
	// Profile is the API generation the in-process mock imitates. When zero: the profile a
	// capsule target was recorded with, else sandbox.ProfileDefault.
	Profile sandbox.Profile
	// AppToken replaces the app token sent to a URL target (the embedded fixtures' by default);
	// the flows then run in that token's sandbox.
	AppToken string
	// AdminToken is the x-admin-token of a URL target started with one; without it such a
	// target cannot make a sandbox for the run.
	AdminToken string
	// DefaultSandbox runs the flows of a URL target in its default sandbox, whose state they
	// change. Otherwise, on a target that serves the mock's admin API, they run in a sandbox of
	// their own, deleted afterwards, so the default one (which a front end may be using) is
	// left as it was: what "scenarios run" does.
	DefaultSandbox bool
	// Getenv reads the live project's ONEENTRY_* variables for a live target.
	Getenv func(string) string
}

// KindOf tells what a target names: "live", an http(s) URL, or else a capsule file.
func KindOf(target string) string {
	if target == "live" {
		return TargetLive
	}
	if u, err := url.Parse(target); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return TargetURL
	}
	return TargetCapsule
}

// Run runs the flows against the mock (in process) and against opts.Target, lines the two runs
// up and compares them. An error means the run itself failed (unreadable capsule, unreachable
// target, failed login), not that anything drifted.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if opts.TargetKind == "" {
		opts.TargetKind = KindOf(opts.Target)
	}
	var recorded *capsule.Capsule
	profile := opts.Profile
	if opts.TargetKind == TargetCapsule {
		var err error
		if recorded, err = capsule.Load(opts.Target); err != nil {
			return nil, fmt.Errorf("target: %w", err)
		}
		// A capsule that names no profile (pull builds such, and older recordings may be such)
		// leaves the choice to --compat or the default. One that names a profile this build
		// does not know was recorded against an API the mock cannot be made to imitate: running
		// the mock as live instead would report the difference as drift.
		if recorded.Profile != "" && profile.Name == "" {
			p, err := sandbox.ParseProfile(recorded.Profile)
			if err != nil {
				return nil, fmt.Errorf("target: %s: the capsule's profile: %w; --compat names the one to run the mock as", opts.Target, err)
			}
			profile = p
		}
	}
	if profile.Name == "" {
		profile = sandbox.ProfileDefault
	}
	flows := opts.Flows
	if flows == nil {
		flows = scenarios.All()
	}

	mock, err := scenarios.MockTarget(scenarios.MockOptions{Profile: profile})
	if err != nil {
		return nil, err
	}
	defer mock.Close()
	mockResults, err := runFlows(ctx, mock, flows)
	if err != nil {
		return nil, fmt.Errorf("the mock: %w", err)
	}
	if recorded != nil {
		return CompareCapsule(ctx, mockResults, recorded, opts)
	}

	other, err := otherTarget(opts)
	if err != nil {
		return nil, err
	}
	defer other.Close()
	release, notes, err := ownSandbox(ctx, other, opts)
	if err != nil {
		return nil, err
	}
	otherResults, err := runFlows(ctx, other, flows)
	if relErr := release(context.WithoutCancel(ctx)); relErr != nil {
		relErr = fmt.Errorf("deleting the run's sandbox %s: %w", other.AppToken, relErr)
		if err != nil {
			return nil, errors.Join(err, relErr)
		}
		notes = append(notes, relErr.Error())
	}
	if err != nil {
		return nil, err
	}
	report, err := Compare(ctx, mockResults, otherResults, opts)
	if err != nil {
		return nil, err
	}
	report.Notes = append(notes, report.Notes...)
	return report, nil
}

// otherTarget builds the live or URL side of a run.
func otherTarget(opts Options) (*scenarios.Target, error) {
	var t *scenarios.Target
	if opts.TargetKind == TargetLive {
		getenv := opts.Getenv
		if getenv == nil {
			getenv = func(string) string { return "" }
		}
		var err error
		if t, err = scenarios.LiveTargetFromEnv(getenv); err != nil {
			return nil, err
		}
	} else {
		t = scenarios.URLTarget(opts.Target, "")
	}
	if opts.AppToken != "" {
		t.AppToken = opts.AppToken
	}
	t.AdminToken = opts.AdminToken
	return t, nil
}

// ownSandbox points a URL target at a sandbox of the run's own, unless opts say to use the
// default one or a given app token's, or the target does not serve the mock's admin API. It
// returns what deletes the sandbox (a no-op when none was made) and a note for the report; a
// mock that refuses the sandbox is an error, as the run would otherwise change its default one.
func ownSandbox(ctx context.Context, t *scenarios.Target, opts Options) (release func(context.Context) error, notes []string, err error) {
	release = func(context.Context) error { return nil }
	if opts.TargetKind != TargetURL || opts.AppToken != "" || opts.DefaultSandbox {
		return release, nil, nil
	}
	own, ok, err := t.OwnSandbox(ctx)
	refused, left := (*scenarios.SandboxRefusedError)(nil), (*scenarios.SandboxLeftError)(nil)
	if errors.As(err, &refused) || errors.As(err, &left) {
		return nil, nil, err
	}
	// An unreachable target is reported by runFlows' preflight, as for every other target.
	if err != nil || !ok {
		return release, nil, nil
	}
	return own, []string{fmt.Sprintf("the flows ran in a new sandbox (app token %s), deleted afterwards; the default sandbox was left as it was", t.AppToken)}, nil
}

// runFlows checks that the target can be used, then runs the flows on it. A run that could not
// start (unreachable target, failed login) is an error, not drift.
func runFlows(ctx context.Context, t *scenarios.Target, flows []scenarios.Flow) ([]scenarios.Result, error) {
	if err := t.Preflight(ctx); err != nil {
		return nil, err
	}
	results := scenarios.Run(ctx, t, flows...)
	if ctx.Err() != nil {
		return nil, unfinished(ctx, "the run")
	}
	return results, nil
}
