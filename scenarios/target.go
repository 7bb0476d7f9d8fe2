package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/oneentry-mock/oneentry-mock/client"
	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// Kind says what a target is.
type Kind string

// The kinds of target.
const (
	// KindMock is the mock served in process by MockTarget.
	KindMock Kind = "mock"
	// KindURL is a running sandbox or container at a URL.
	KindURL Kind = "url"
	// KindLive is a live OneEntry project.
	KindLive Kind = "live"
)

// The environment variables LiveTargetFromEnv reads.
const (
	EnvProjectURL    = "ONEENTRY_PROJECT_URL"
	EnvAppToken      = "ONEENTRY_APP_TOKEN"
	EnvUserEmail     = "ONEENTRY_USER_EMAIL"
	EnvUserPassword  = "ONEENTRY_USER_PASSWORD"
	EnvUser2Email    = "ONEENTRY_USER2_EMAIL"
	EnvUser2Password = "ONEENTRY_USER2_PASSWORD"
)

// ErrLiveNotConfigured is returned (wrapped, naming the variables) by LiveTargetFromEnv when a
// required variable is unset.
var ErrLiveNotConfigured = errors.New("live target not configured")

// ErrNoClock is returned by Env.AdvanceClock on targets whose clock cannot be controlled.
var ErrNoClock = errors.New("the target's clock cannot be controlled")

// DefaultDeviceMetadata is the x-device-metadata header scenario clients send on every POST, as
// SDK 1.0.130+ does; the live API requires it on auth since 2026.
const DefaultDeviceMetadata = `{"fingerprint":"UQ_oneentry-mock-scenarios","deviceInfo":{"os":"Go","browser":"oneentry-mock-scenarios","location":"en-US"}}`

// SeedTime is when the seed scenario placed its order (order 92's createdDate). The in-process
// mock's clock stands still there, so its flows reproduce the recorded ids and dates.
var SeedTime = time.Date(2025, time.April, 30, 21, 54, 48, 918_000_000, time.UTC)

// defaultRequestTimeout bounds each HTTP exchange of a target without a RequestTimeout.
const defaultRequestTimeout = 30 * time.Second

// Credentials are a user's login and password.
type Credentials struct {
	Login    string
	Password string
}

// IsZero reports whether no credentials are set.
func (c Credentials) IsZero() bool { return c.Login == "" && c.Password == "" }

// Target is where flows run. MockTarget, URLTarget and LiveTargetFromEnv fill it in; callers may
// adjust the exported fields before the first Run (empty ones get the seed project's values).
type Target struct {
	// Name identifies the target in results: "mock", the URL, or "live".
	Name string
	Kind Kind
	// BaseURL is the project URL, without /api/content.
	BaseURL  string
	AppToken string
	// User is the user the flows log in as; User2 is a second user for the isolation flow,
	// which is skipped when User2 is zero.
	User, User2 Credentials
	// AuthProvider is the auth provider marker ("email"); LoginMarker and PasswordMarker are the
	// authData markers of its form ("email_reg", "password_reg").
	AuthProvider, LoginMarker, PasswordMarker string
	// StorageMarker, FormMarker and PaymentAccount name the order storage, its form and the
	// payment account orders use ("tickets", "tickets_form", "cash").
	StorageMarker, FormMarker, PaymentAccount string
	// DeviceMetadata is sent as x-device-metadata on every POST; DefaultDeviceMetadata when empty.
	DeviceMetadata string
	// Admin reports that the target serves the mock's /__admin endpoints (clock control), so it
	// is this mock: flows then also assert the mock's documented choices. URLTarget finds out
	// in Preflight.
	Admin bool
	// AdminToken is sent as x-admin-token on admin calls, for a mock started with --admin-token.
	AdminToken string
	// ExactState reports that every flow starts from the fixtures, so flows may assert ids and
	// counts. Only the in-process mock can promise it.
	ExactState bool
	// Transport carries the requests; http.DefaultTransport when nil.
	Transport http.RoundTripper
	// RequestTimeout bounds each HTTP exchange; 30s when zero.
	RequestTimeout time.Duration

	server *httptest.Server
	// inProcess is the sandbox of the mock MockTarget serves.
	inProcess  *sandbox.Sandbox
	seed       *seedFacts
	probeAdmin bool
	// ownSandbox is set by OwnSandbox: the sandbox is the run's, which may reset it.
	ownSandbox bool
	// sandboxGrace is how long past the run's end OwnSandbox awaits its answer; sandboxGrace
	// (the constant) when zero.
	sandboxGrace time.Duration

	mu           sync.Mutex
	preflighted  bool
	preflightErr error
	validator    *contracts.Validator
}

// seedFacts are what the in-process mock's fixtures promise a fresh flow.
type seedFacts struct {
	firstOrderID   int
	firstSessionID int
	defaultStatus  string
	now            time.Time
}

// PreflightError means a run could not start: the target is unreachable or the user cannot log
// in.
type PreflightError struct {
	Target string
	Reason string
	Err    error
}

// Error names the target and why the run cannot start.
func (e *PreflightError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("target %s: %s", e.Target, e.Reason)
	}
	return fmt.Sprintf("target %s: %s: %v", e.Target, e.Reason, e.Err)
}

// Unwrap returns the underlying error.
func (e *PreflightError) Unwrap() error { return e.Err }

// MockOptions configures MockTarget.
type MockOptions struct {
	// Fixtures is the fixture set to serve; the embedded default (fixtures.FS) when nil.
	Fixtures fs.FS
	// Profile is the live API generation the mock imitates; sandbox.ProfileDefault when zero.
	Profile sandbox.Profile
	// AccessTokenTTL is the lifetime of access tokens; when zero, what `oneentry-mock serve`
	// issues by default (store.DefaultAccessTokenTTL, the live API's 36000 s), so flows that move
	// the clock (paypal-polling's polls) see the tokens a served mock would and drift compares
	// like with like. The token-refresh flow reads the token's exp, so it needs no short lifetime.
	AccessTokenTTL time.Duration
	// Now is where the mock's clock stands still; SeedTime when zero.
	Now time.Time
	// Wrap, when set, wraps the mock's handler, e.g. to rewrite its answers in a test.
	Wrap func(http.Handler) http.Handler
	// Logger receives the mock's request log; discarded when nil.
	Logger *slog.Logger
}

// MockTarget serves the mock in process on a loopback httptest listener with a frozen clock.
// Every flow run on it starts from freshly seeded fixtures at opts.Now. Close the target when
// done.
func MockTarget(opts MockOptions) (*Target, error) {
	fsys := opts.Fixtures
	if fsys == nil {
		fsys = fixtures.FS
	}
	fx, err := store.LoadFixtures(fsys)
	if err != nil {
		return nil, fmt.Errorf("mock target: %w", err)
	}
	if opts.AccessTokenTTL <= 0 {
		opts.AccessTokenTTL = store.DefaultAccessTokenTTL
	}
	if opts.Now.IsZero() {
		opts.Now = SeedTime
	}
	clock := store.NewClock(nil)
	if err := clock.Set(opts.Now); err != nil {
		return nil, fmt.Errorf("mock target: now: %w", err)
	}
	clock.Freeze()
	srv, err := mockserver.New(mockserver.Options{Sandbox: sandbox.Options{Fixtures: fx, Clock: clock, AccessTokenTTL: opts.AccessTokenTTL, Profile: opts.Profile}, Logger: opts.Logger})
	if err != nil {
		return nil, fmt.Errorf("mock target: %w", err)
	}
	var h http.Handler = srv
	if opts.Wrap != nil {
		h = opts.Wrap(h)
	}
	ts := httptest.NewServer(h)
	t := &Target{
		Name:       string(KindMock),
		Kind:       KindMock,
		BaseURL:    ts.URL,
		Admin:      true,
		ExactState: true,
		Transport:  ts.Client().Transport,
		server:     ts,
		inProcess:  srv.Sandboxes().Default(),
	}
	fromFixtures(t, fx)
	t.seed = &seedFacts{
		firstOrderID:   fx.Project.FirstOrderID,
		firstSessionID: fx.Project.FirstPaymentSessionID,
		now:            opts.Now,
	}
	if sm, ok := fx.OrderStorage(t.StorageMarker); ok {
		t.seed.defaultStatus = sm.DefaultStatus()
	}
	return t, nil
}

// fromFixtures takes the app token, the first two users, the auth provider and the order
// storage of a fixture set.
func fromFixtures(t *Target, fx *store.Fixtures) {
	t.AppToken = fx.Project.AppToken
	if len(fx.Users) > 0 {
		u := fx.Users[0]
		t.User = Credentials{Login: u.Identifier, Password: u.Password}
		t.AuthProvider = u.AuthProviderIdentifier
		if p, ok := fx.AuthProvider(u.AuthProviderIdentifier); ok {
			t.LoginMarker, t.PasswordMarker = p.LoginMarker, p.PasswordMarker
		}
		for _, u2 := range fx.Users[1:] {
			if u2.AuthProviderIdentifier == u.AuthProviderIdentifier {
				t.User2 = Credentials{Login: u2.Identifier, Password: u2.Password}
				break
			}
		}
	}
	if len(fx.OrderStorages) > 0 {
		s := fx.OrderStorages[0]
		t.StorageMarker, t.FormMarker = s.Identifier, s.FormIdentifier
		if len(s.PaymentAccountIdentifiers) > 0 {
			t.PaymentAccount = s.PaymentAccountIdentifiers[0].Identifier
		}
	}
}

// embeddedFixtures loads the default fixture set once, for the defaults of URL targets.
var embeddedFixtures = sync.OnceValues(func() (*store.Fixtures, error) { return store.LoadFixtures(fixtures.FS) })

// URLTarget is a running sandbox or container at baseURL. It logs in with the default
// fixtures' users; appToken "" means the default fixtures' app token. Preflight finds out
// whether the target serves the mock's admin endpoints.
func URLTarget(baseURL, appToken string) *Target {
	t := &Target{Name: baseURL, Kind: KindURL, BaseURL: baseURL, probeAdmin: true}
	if fx, err := embeddedFixtures(); err == nil {
		fromFixtures(t, fx)
	}
	if appToken != "" {
		t.AppToken = appToken
	}
	return t
}

// LiveTargetFromEnv is the live project configured by ONEENTRY_PROJECT_URL, ONEENTRY_APP_TOKEN,
// ONEENTRY_USER_EMAIL and ONEENTRY_USER_PASSWORD (and, for the isolation flow,
// ONEENTRY_USER2_EMAIL and ONEENTRY_USER2_PASSWORD). The project is expected to have the seed's
// setup: auth provider email, form tickets_form, storage tickets, payment account cash. When a
// required variable is unset the error wraps ErrLiveNotConfigured and names all four.
func LiveTargetFromEnv(getenv func(string) string) (*Target, error) {
	required := []string{EnvProjectURL, EnvAppToken, EnvUserEmail, EnvUserPassword}
	var missing []string
	for _, name := range required {
		if getenv(name) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: set %s (unset: %s)", ErrLiveNotConfigured, strings.Join(required, ", "), strings.Join(missing, ", "))
	}
	t := &Target{
		Name:     string(KindLive),
		Kind:     KindLive,
		BaseURL:  getenv(EnvProjectURL),
		AppToken: getenv(EnvAppToken),
		User:     Credentials{Login: getenv(EnvUserEmail), Password: getenv(EnvUserPassword)},
		User2:    Credentials{Login: getenv(EnvUser2Email), Password: getenv(EnvUser2Password)},
	}
	if t.User2.Login == "" || t.User2.Password == "" {
		t.User2 = Credentials{}
	}
	return t, nil
}

// Close stops the in-process mock; it does nothing for other targets.
func (t *Target) Close() {
	if t.server != nil {
		t.server.Close()
	}
}

// applyDefaults fills empty settings with the seed project's.
func (t *Target) applyDefaults() {
	set := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	set(&t.AuthProvider, client.DefaultAuthProviderMarker)
	set(&t.LoginMarker, "email_reg")
	set(&t.PasswordMarker, "password_reg")
	set(&t.StorageMarker, "tickets")
	set(&t.FormMarker, "tickets_form")
	set(&t.PaymentAccount, "cash")
	set(&t.DeviceMetadata, DefaultDeviceMetadata)
	if t.RequestTimeout <= 0 {
		t.RequestTimeout = defaultRequestTimeout
	}
	if t.Name == "" {
		t.Name = t.BaseURL
	}
}

// Preflight checks that a run can start: the contract loads, the target answers, and User can
// log in. For a URL target it also finds out whether the mock's admin endpoints are there. The
// outcome is remembered, so later calls (Run makes one) return it at once. Failures are
// *PreflightError.
func (t *Target) Preflight(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.preflighted {
		t.preflightErr = t.preflight(ctx)
		t.preflighted = true
	}
	return t.preflightErr
}

func (t *Target) preflight(ctx context.Context) error {
	t.applyDefaults()
	v, err := sharedValidator()
	if err != nil {
		return &PreflightError{Target: t.Name, Reason: "contract", Err: err}
	}
	t.validator = v
	if t.BaseURL == "" {
		return &PreflightError{Target: t.Name, Reason: "no base URL"}
	}
	if t.probeAdmin {
		admin, err := t.probeAdminEndpoints(ctx)
		if errors.Is(err, errAdminTokenNeeded) {
			return &PreflightError{Target: t.Name, Reason: "the mock's admin API needs its admin token (--admin-token)", Err: err}
		}
		if err != nil {
			return &PreflightError{Target: t.Name, Reason: "target unreachable", Err: err}
		}
		t.Admin = admin
	}
	c, err := client.New(t.BaseURL,
		client.WithAppToken(t.AppToken),
		client.WithHTTPClient(&http.Client{Transport: t.base(), Timeout: t.RequestTimeout}),
		client.WithAuthProviderMarker(t.AuthProvider),
		client.WithDeviceMetadata(t.DeviceMetadata),
	)
	if err != nil {
		return &PreflightError{Target: t.Name, Reason: "bad base URL", Err: err}
	}
	if t.User.IsZero() {
		return &PreflightError{Target: t.Name, Reason: "no user credentials"}
	}
	if _, err := c.Auth(ctx, t.AuthProvider, authRequest(t, t.User)); err != nil {
		var apiErr *client.APIError
		if !errors.As(err, &apiErr) {
			return &PreflightError{Target: t.Name, Reason: "target unreachable", Err: err}
		}
		return &PreflightError{Target: t.Name, Reason: fmt.Sprintf("login as %s failed", t.User.Login), Err: err}
	}
	return nil
}

// errAdminTokenNeeded is a mock refusing the admin calls of a run that did not bring its admin
// token: run without them, the flows would fail on the mock's clock, far from the cause.
var errAdminTokenNeeded = errors.New("GET /__admin/clock answered 401: admin calls need the x-admin-token header")

// probeAdminEndpoints asks GET /__admin/clock; only the mock answers it with its clock, or
// refuses it for want of the admin token.
func (t *Target) probeAdminEndpoints(ctx context.Context) (bool, error) {
	status, body, err := t.adminCall(ctx, http.MethodGet, nil)
	if err != nil {
		return false, err
	}
	if status == http.StatusUnauthorized && bytes.Contains(body, []byte("x-admin-token")) {
		return false, errAdminTokenNeeded
	}
	var clock struct {
		Now *string `json:"now"`
	}
	return status == http.StatusOK && json.Unmarshal(body, &clock) == nil && clock.Now != nil, nil
}

// adminCall sends one request to /__admin/clock, outside the recording: admin traffic is not
// part of the flow and has no counterpart on a live project.
func (t *Target) adminCall(ctx context.Context, method string, body any) (int, []byte, error) {
	return t.adminRequest(ctx, method, "/__admin/clock", t.AppToken, body)
}

// mailCode reads the one-time code of the newest e-mail to the address from the mock's
// outbox: the code e-mail's subject ends with it.
func (t *Target) mailCode(ctx context.Context, to string) (string, error) {
	status, body, err := t.adminRequest(ctx, http.MethodGet, "/__admin/mail?limit=1&to="+url.QueryEscape(to), t.AppToken, nil)
	if err != nil {
		return "", fmt.Errorf("read the outbox: %w", err)
	}
	var list struct {
		Messages []struct {
			Subject string `json:"subject"`
		} `json:"messages"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &list) != nil {
		return "", fmt.Errorf("read the outbox: status %d: %s", status, body)
	}
	if len(list.Messages) == 0 {
		return "", fmt.Errorf("no e-mail to %s in the outbox", to)
	}
	subject := list.Messages[0].Subject
	i := strings.LastIndex(subject, ": ")
	if i < 0 {
		return "", fmt.Errorf("no code in the subject %q", subject)
	}
	return subject[i+2:], nil
}

func (t *Target) base() http.RoundTripper {
	if t.Transport != nil {
		return t.Transport
	}
	return http.DefaultTransport
}

// httpClient is the HTTP client of a flow's API clients: recorder, then contract check, then
// the target's transport.
func (t *Target) httpClient(env *Env) *http.Client {
	check := &contracts.Transport{Base: t.base(), Validator: t.validator, Report: reportViolation}
	secrets := []string{t.AppToken, t.User.Password, t.User2.Password}
	return &http.Client{
		Transport: &recorder{next: check, env: env, secrets: secrets, appToken: t.AppToken},
		Timeout:   t.RequestTimeout,
	}
}

// resetForFlow gives each flow a fresh project: on the in-process mock at the seed time, in a
// sandbox the run made for itself (OwnSandbox) through the admin API, with the clock a new
// sandbox starts with. Otherwise each flow would see what the flows before it made (another
// order id, more orders in a list), and a comparison with the in-process mock would report it.
// A live project, and a sandbox the run did not make, keep their state: they are not the
// run's to reset.
func (t *Target) resetForFlow(ctx context.Context) error {
	if t.inProcess != nil {
		// The sandbox's reset, not its store's: the outbox, journal, faults and webhook log go
		// too, or a flow reading "the newest e-mail" could read one an earlier flow was sent
		// for an order with the same id.
		if err := t.inProcess.Reset(ctx); err != nil {
			return fmt.Errorf("reset the mock: %w", err)
		}
		clock := t.inProcess.Store().Clock()
		_ = clock.Set(t.seed.now) // in range: the same instant was set when the target was made
		clock.Freeze()
		return nil
	}
	if !t.ownSandbox {
		return nil
	}
	// The reset puts the sandbox's clock back to real time too.
	status, body, err := t.adminRequest(ctx, http.MethodPost, "/__admin/reset", t.AppToken, nil)
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("status %d: %s", status, body)
	}
	if err != nil {
		return fmt.Errorf("reset the run's sandbox: POST /__admin/reset: %w", err)
	}
	return nil
}

func (t *Target) canControlClock() bool { return t.inProcess != nil || t.Admin }

func (t *Target) now(ctx context.Context) (time.Time, error) {
	switch {
	case t.inProcess != nil:
		return t.inProcess.Store().Clock().Now(), nil
	case t.Admin:
		status, body, err := t.adminCall(ctx, http.MethodGet, nil)
		if err != nil {
			return time.Time{}, fmt.Errorf("read the mock clock: %w", err)
		}
		var clock struct {
			Now string `json:"now"`
		}
		if status != http.StatusOK || json.Unmarshal(body, &clock) != nil {
			return time.Time{}, fmt.Errorf("read the mock clock: status %d: %s", status, body)
		}
		return time.Parse(time.RFC3339Nano, clock.Now)
	default:
		return time.Now().UTC(), nil
	}
}

func (t *Target) advance(ctx context.Context, d time.Duration) error {
	switch {
	case t.inProcess != nil:
		if _, err := t.inProcess.Store().Clock().Advance(d); err != nil {
			return fmt.Errorf("advance the mock clock: %w", err)
		}
		return nil
	case t.Admin:
		status, body, err := t.adminCall(ctx, http.MethodPost, map[string]string{"advance": d.String()})
		if err != nil {
			return fmt.Errorf("advance the mock clock: %w", err)
		}
		if status != http.StatusOK {
			return fmt.Errorf("advance the mock clock: status %d: %s", status, body)
		}
		return nil
	default:
		return ErrNoClock
	}
}

// sharedValidator is the contract's validator, built once for every target.
func sharedValidator() (*contracts.Validator, error) { return contracts.Default(context.Background()) }

// authRequest is the login body for cred on t's auth provider.
func authRequest(t *Target, cred Credentials) client.AuthRequest {
	return client.AuthRequest{AuthData: []client.AuthData{
		{Marker: t.LoginMarker, Value: cred.Login},
		{Marker: t.PasswordMarker, Value: cred.Password},
	}}
}
