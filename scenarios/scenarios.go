// Package scenarios runs the user flows of a OneEntry ticket shop (log in, read the order form,
// order a ticket, pay, and the flows around it) against any target: the mock in process, a URL
// of a running sandbox or container, or a live OneEntry project.
//
// A flow is Go code made of named steps. Every HTTP exchange a step makes goes through the
// reference client, a recorder and the contract-checking transport of package contracts, so a
// Result holds, per step, what was sent and answered (secrets redacted) and every contract
// violation. Two runs of the same flow line up step by step, which is what drift detection
// compares.
//
// Flows write the same requests on every target. What they assert depends on the target: the
// mock's own choices (the fidelity notes of docs/api.md, exact statuses and messages, seed ids)
// only where the target is this mock; on a live project only what the recordings and the
// platform's documentation establish, and never anything about data the flow did not create.
package scenarios

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/oneentry-mock/oneentry-mock/client"
	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/exchange"
)

// Flow is one user flow: a name and the code that runs its steps through Env.Step.
type Flow struct {
	// Name identifies the flow in reports and in --only ("ticket-purchase").
	Name string
	// Description says in one line what the flow checks.
	Description string
	// Run performs the flow. It returns the error of the step that stopped it (Env.Step's), an
	// error of its own for a failure outside any step, or Env.Skip's error to skip the flow.
	Run func(ctx context.Context, env *Env) error
}

// Status is the outcome of a step or a flow.
type Status string

// The outcomes of steps and flows.
const (
	StatusPassed  Status = "passed"
	StatusFailed  Status = "failed"
	StatusSkipped Status = "skipped"
)

// StepResult is what one step did and how it ended.
type StepResult struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	// Exchanges are the step's HTTP exchanges in the order they completed, including the
	// client's automatic refresh and retry. Secrets never appear: the x-app-token header is
	// recorded as "[present]", the Authorization value as "Bearer [redacted]", and tokens,
	// passwords, codes and client secrets in bodies as "[redacted]" (exchange.Mask).
	Exchanges []exchange.Exchange `json:"exchanges"`
	// Violations are contract breaches of the step's exchanges; any makes the step fail.
	Violations []contracts.Violation `json:"violations,omitempty"`
	// ExpectedViolations are request-side breaches the step provoked on purpose (a limit
	// outside the documented range); they do not fail it.
	ExpectedViolations []contracts.Violation `json:"expectedViolations,omitempty"`
	// Err is why the step failed, empty when it did not.
	Err string `json:"error,omitempty"`
	// SkipReason says why the step was skipped.
	SkipReason string `json:"skipReason,omitempty"`
	// NotRun marks a skipped step that never started: an earlier step of the flow failed or
	// skipped. Such steps are listed so that every run of a flow reports the same steps.
	NotRun bool `json:"notRun,omitempty"`
	// Notes record decisions and observations: the slot chosen, a divergence tolerated on a
	// live target.
	Notes []string `json:"notes,omitempty"`
	// Duration is in nanoseconds on the wire.
	Duration time.Duration `json:"duration"`
}

// Failed reports whether the step failed or broke the contract.
func (s StepResult) Failed() bool { return s.Status == StatusFailed }

// Created names an entity a flow created on the target, so data left on a live project can be
// found again (and the drift detector can map ids between runs).
type Created struct {
	// Kind is "order" or "payment-session".
	Kind string `json:"kind"`
	// Storage is the order storage marker of orders.
	Storage string `json:"storage,omitempty"`
	ID      int    `json:"id"`
	// Step is the step that created it.
	Step string `json:"step"`
}

// Result is the outcome of one flow on one target.
type Result struct {
	Flow string `json:"flow"`
	// Target is the target's Name: "mock", the URL of a URL target, or "live".
	Target string `json:"target"`
	Status Status `json:"status"`
	// Steps are the flow's steps in order. A flow stops at its first failing (or skipping)
	// step; the steps it then did not run follow it, skipped and marked NotRun. Traffic outside
	// any step (a cleanup's) is in a last pseudo-step named "(outside steps)".
	Steps []StepResult `json:"steps"`
	// Err is a failure outside any step: the target could not be reached, a cleanup failed.
	Err string `json:"error,omitempty"`
	// SkipReason says why the whole flow was skipped.
	SkipReason string    `json:"skipReason,omitempty"`
	Created    []Created `json:"created,omitempty"`
	Started    time.Time `json:"started"`
	// Duration is in nanoseconds on the wire.
	Duration time.Duration `json:"duration"`
}

// Failed reports whether the flow failed: an error outside steps, a failed step or a contract
// violation.
func (r Result) Failed() bool { return r.Status == StatusFailed }

// Violations returns the contract violations of every step, in order.
func (r Result) Violations() []contracts.Violation {
	var out []contracts.Violation
	for _, s := range r.Steps {
		out = append(out, s.Violations...)
	}
	return out
}

// StepError is the error Env.Step returns for a failed step; the flow returns it to stop.
type StepError struct {
	Step string
	Err  error
}

// Error names the step and its error.
func (e *StepError) Error() string { return fmt.Sprintf("step %s: %v", e.Step, e.Err) }

// Unwrap returns the step's own error.
func (e *StepError) Unwrap() error { return e.Err }

// SkipError marks a step or a flow as skipped; Env.Skip returns one.
type SkipError struct {
	Reason string
}

// Error gives the reason for the skip.
func (e *SkipError) Error() string { return "skipped: " + e.Reason }

// Env is what a flow runs with: the target, clients whose traffic is recorded and checked, and
// the bookkeeping of steps. A flow runs its steps one after the other; an Env is not shared
// between flows.
type Env struct {
	// Target is the target the flow runs against. Flows read it, never change it.
	Target *Target

	onStep func(flow string, s StepResult)
	http   *http.Client

	mu       sync.Mutex
	result   *Result
	steps    []*stepState
	cur      *stepState
	cleanups []func(context.Context) error
}

// stepState is a step being recorded.
type stepState struct {
	res           StepResult
	expectInvalid bool
}

// outsideSteps names the pseudo-step that collects traffic a flow makes outside any step.
const outsideSteps = "(outside steps)"

// Client returns a new client for the target with no user logged in. Its traffic is recorded
// into the current step and checked against the contract. opts come after the target's
// defaults (app token, auth provider, device metadata), so they override them.
func (e *Env) Client(opts ...client.Option) (*client.Client, error) {
	t := e.Target
	base := []client.Option{
		client.WithAppToken(t.AppToken),
		client.WithHTTPClient(e.http),
		client.WithAuthProviderMarker(t.AuthProvider),
		client.WithDeviceMetadata(t.DeviceMetadata),
	}
	return client.New(t.BaseURL, append(base, opts...)...)
}

// Strict reports whether the target is this mock, so flows assert the mock's own documented
// choices (exact statuses and messages). On other targets they assert only what the reference
// marks as verified and note the rest.
func (e *Env) Strict() bool { return e.Target.Kind == KindMock || e.Target.Admin }

// ExactState reports whether the target starts every flow from the fixtures, so flows may
// assert ids and counts.
func (e *Env) ExactState() bool { return e.Target.ExactState }

// Step runs fn as the step name and records its exchanges, violations and outcome. It returns
// a *StepError when fn fails, and nil when fn succeeds or skips (a step that only breaks the
// contract is marked failed but lets the flow go on, since its answer was usable). Steps do not
// nest; names are made unique within the flow by a "#2" suffix.
func (e *Env) Step(name string, fn func() error) error {
	_, err := e.step(name, fn)
	return err
}

// step is Step, returning the step's result as well.
func (e *Env) step(name string, fn func() error) (StepResult, error) {
	e.mu.Lock()
	if e.cur != nil {
		outer := e.cur.res.Name
		e.mu.Unlock()
		return StepResult{Name: name, Status: StatusFailed}, &StepError{Step: name, Err: fmt.Errorf("step started inside step %s", outer)}
	}
	st := &stepState{res: StepResult{Name: e.uniqueLocked(name), Exchanges: []exchange.Exchange{}}}
	e.steps = append(e.steps, st)
	e.cur = st
	e.mu.Unlock()

	start := time.Now()
	err := call(fn)

	e.mu.Lock()
	e.cur = nil
	st.res.Duration = time.Since(start)
	var skip *SkipError
	switch {
	case errors.As(err, &skip):
		st.res.Status = StatusSkipped
		st.res.SkipReason = skip.Reason
		err = nil
	case err != nil:
		st.res.Status = StatusFailed
		st.res.Err = err.Error()
	case len(st.res.Violations) > 0:
		st.res.Status = StatusFailed
	default:
		st.res.Status = StatusPassed
	}
	done := cloneStep(st.res)
	flow := e.result.Flow
	e.mu.Unlock()

	if e.onStep != nil {
		e.onStep(flow, done)
	}
	if err != nil {
		return done, &StepError{Step: done.Name, Err: err}
	}
	return done, nil
}

// notRun lists steps the flow will not start, skipped for reason.
func (e *Env) notRun(names []string, reason string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, name := range names {
		res := StepResult{Name: e.uniqueLocked(name), Status: StatusSkipped, SkipReason: reason, NotRun: true, Exchanges: []exchange.Exchange{}}
		e.steps = append(e.steps, &stepState{res: res})
	}
}

// call runs fn and turns a panic into an error, so one broken flow cannot end a whole run.
func call(fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return fn()
}

func (e *Env) uniqueLocked(name string) string {
	taken := func(n string) bool {
		return slices.ContainsFunc(e.steps, func(s *stepState) bool { return s.res.Name == n })
	}
	if !taken(name) {
		return name
	}
	for i := 2; ; i++ {
		if n := fmt.Sprintf("%s#%d", name, i); !taken(n) {
			return n
		}
	}
}

// Skip returns the error that skips the current step (returned from a step's fn) or the whole
// flow (returned from Flow.Run outside steps).
func (e *Env) Skip(reason string) error { return &SkipError{Reason: reason} }

// Note adds an observation to the current step.
func (e *Env) Note(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := e.currentLocked()
	st.res.Notes = append(st.res.Notes, fmt.Sprintf(format, args...))
}

// ExpectInvalidRequest declares that the current step sends requests the contract forbids on
// purpose (to see how the target refuses them): request-side violations are then recorded as
// expected instead of failing the step. Response-side violations still count.
func (e *Env) ExpectInvalidRequest() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.currentLocked().expectInvalid = true
}

// StepExchanges returns the exchanges the current step has completed so far.
func (e *Env) StepExchanges() []exchange.Exchange {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.currentLocked().res.Exchanges)
}

// Created records an entity the flow created on the target.
func (e *Env) Created(kind, storage string, id int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.result.Created = append(e.result.Created, Created{Kind: kind, Storage: storage, ID: id, Step: e.currentLocked().res.Name})
}

// Cleanup registers fn to run when the flow ends, last registered first, whether it passed or
// not. A failing cleanup fails the flow.
func (e *Env) Cleanup(fn func(ctx context.Context) error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.cleanups = append(e.cleanups, fn)
}

// Now returns the target's notion of the current time: the mock's clock where the flow can
// read it, the local clock otherwise.
func (e *Env) Now(ctx context.Context) (time.Time, error) { return e.Target.now(ctx) }

// CanReadMail reports whether MailCode works on the target: the mock's outbox is there.
func (e *Env) CanReadMail() bool { return e.Target.Admin }

// MailCode returns the one-time code of the newest e-mail to the address, read from the
// mock's outbox. It fails on targets without one (see CanReadMail).
func (e *Env) MailCode(ctx context.Context, to string) (string, error) {
	return e.Target.mailCode(ctx, to)
}

// CanControlClock reports whether AdvanceClock works on the target.
func (e *Env) CanControlClock() bool { return e.Target.canControlClock() }

// AdvanceClock moves the target's clock forward by d and registers a cleanup that moves it
// back, so a sandbox shared with other users keeps its time. It fails on targets whose clock
// cannot be controlled (see CanControlClock).
func (e *Env) AdvanceClock(ctx context.Context, d time.Duration) error {
	if err := e.Target.advance(ctx, d); err != nil {
		return err
	}
	e.Cleanup(func(ctx context.Context) error { return e.Target.advance(ctx, -d) })
	return nil
}

// currentLocked returns the current step, or the pseudo-step collecting traffic outside steps.
func (e *Env) currentLocked() *stepState {
	if e.cur != nil {
		return e.cur
	}
	for _, s := range e.steps {
		if s.res.Name == outsideSteps {
			return s
		}
	}
	st := &stepState{res: StepResult{Name: outsideSteps, Status: StatusPassed, Exchanges: []exchange.Exchange{}}}
	e.steps = append(e.steps, st)
	return st
}

// record stores a finished exchange and its violations in the current step.
func (e *Env) record(ex exchange.Exchange, vs []contracts.Violation) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := e.currentLocked()
	st.res.Exchanges = append(st.res.Exchanges, ex)
	for _, v := range vs {
		if st.expectInvalid && v.Phase == contracts.PhaseRequest {
			st.res.ExpectedViolations = append(st.res.ExpectedViolations, v)
			continue
		}
		st.res.Violations = append(st.res.Violations, v)
	}
	if st.res.Name == outsideSteps && len(st.res.Violations) > 0 {
		st.res.Status = StatusFailed
	}
}

func cloneStep(s StepResult) StepResult {
	s.Exchanges = slices.Clone(s.Exchanges)
	s.Violations = slices.Clone(s.Violations)
	s.ExpectedViolations = slices.Clone(s.ExpectedViolations)
	s.Notes = slices.Clone(s.Notes)
	return s
}

// Runner runs flows against a target.
type Runner struct {
	// OnStep, when set, is called after every step with the flow's name and the step's result,
	// e.g. to print a progress line. It is called from the goroutine that runs the flow.
	OnStep func(flow string, s StepResult)
}

// Run runs flows one after the other against t with a zero Runner.
func Run(ctx context.Context, t *Target, flows ...Flow) []Result {
	return Runner{}.Run(ctx, t, flows...)
}

// Run runs flows one after the other against t and returns one Result per flow, in order.
// It first runs t.Preflight; when that fails, every flow's Result carries its error. On the
// in-process mock every flow starts from freshly seeded fixtures and the frozen seed time; in a
// sandbox the run made for itself (Target.OwnSandbox), from the fixtures too.
func (r Runner) Run(ctx context.Context, t *Target, flows ...Flow) []Result {
	results := make([]Result, 0, len(flows))
	perr := t.Preflight(ctx)
	for _, f := range flows {
		if perr != nil {
			results = append(results, Result{Flow: f.Name, Target: t.Name, Status: StatusFailed, Steps: []StepResult{}, Err: perr.Error(), Started: time.Now()})
			continue
		}
		results = append(results, r.runFlow(ctx, t, f))
	}
	return results
}

func (r Runner) runFlow(ctx context.Context, t *Target, f Flow) Result {
	res := &Result{Flow: f.Name, Target: t.Name, Started: time.Now()}
	env := &Env{Target: t, onStep: r.OnStep, result: res}
	env.http = t.httpClient(env)
	err := t.resetForFlow(ctx)
	switch {
	case err != nil:
	case f.Run == nil:
		err = errors.New("flow has no Run function")
	default:
		err = call(func() error { return f.Run(ctx, env) })
	}

	env.mu.Lock()
	cleanups := slices.Clone(env.cleanups)
	env.mu.Unlock()
	var cleanupErrs []error
	for i := len(cleanups) - 1; i >= 0; i-- {
		// Cleanups restore shared state, so they run even when the run's context is done.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		if cerr := call(func() error { return cleanups[i](cctx) }); cerr != nil {
			cleanupErrs = append(cleanupErrs, fmt.Errorf("cleanup: %w", cerr))
		}
		cancel()
	}

	env.mu.Lock()
	defer env.mu.Unlock()
	res.Duration = time.Since(res.Started)
	res.Steps = make([]StepResult, 0, len(env.steps))
	for _, s := range env.steps {
		res.Steps = append(res.Steps, cloneStep(s.res))
	}
	var stepErr *StepError
	var skip *SkipError
	switch {
	case errors.As(err, &stepErr):
		// Already recorded on the step.
	case errors.As(err, &skip):
		res.SkipReason = skip.Reason
	case err != nil:
		res.Err = err.Error()
	}
	for _, cerr := range cleanupErrs {
		if res.Err != "" {
			res.Err += "; "
		}
		res.Err += cerr.Error()
	}
	res.Status = StatusPassed
	switch {
	case res.Err != "" || slices.ContainsFunc(res.Steps, StepResult.Failed):
		res.Status = StatusFailed
	case res.SkipReason != "":
		res.Status = StatusSkipped
	}
	return *res
}
