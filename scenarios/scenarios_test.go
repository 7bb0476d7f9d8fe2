package scenarios_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/client"
	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/internal/testkit"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	mocksandbox "github.com/oneentry-mock/oneentry-mock/sandbox"
	"github.com/oneentry-mock/oneentry-mock/scenarios"
)

// mockTarget is the in-process mock, closed with the test.
func mockTarget(t *testing.T, opts scenarios.MockOptions) *scenarios.Target {
	t.Helper()
	tg, err := scenarios.MockTarget(opts)
	require.NoError(t, err)
	t.Cleanup(tg.Close)
	return tg
}

// sandbox is a mock as `oneentry-mock serve` runs it: a real listener, the default token
// lifetimes and a clock that only the admin endpoints move (frozen so the test can tell whether
// a flow put it back).
type sandbox struct {
	*httptest.Server
	store *store.Store
}

func newSandbox(t *testing.T, wrap func(http.Handler) http.Handler) *sandbox {
	t.Helper()
	return newSandboxAt(t, time.Now(), mocksandbox.ProfileSDK115, wrap)
}

func newSandboxAt(t *testing.T, now time.Time, profile mocksandbox.Profile, wrap func(http.Handler) http.Handler) *sandbox {
	t.Helper()
	fx, err := store.LoadFixtures(fixtures.FS)
	require.NoError(t, err)
	clock := store.NewClock(nil)
	clock.Freeze()
	clock.Set(now)
	srv, err := mockserver.New(mockserver.Options{Sandbox: mocksandbox.Options{Fixtures: fx, Clock: clock, Profile: profile}})
	require.NoError(t, err)
	st := srv.Store()
	var h http.Handler = srv
	if wrap != nil {
		h = wrap(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return &sandbox{Server: ts, store: st}
}

// requirePassed fails the test with the details of every failed step.
func requirePassed(t *testing.T, results []scenarios.Result) {
	t.Helper()
	for _, r := range results {
		assert.Empty(t, r.Err, "flow %s", r.Flow)
		for _, s := range r.Steps {
			assert.Empty(t, s.Violations, "flow %s step %s", r.Flow, s.Name)
			if !assert.Equal(t, scenarios.StatusPassed, s.Status, "flow %s step %s", r.Flow, s.Name) {
				t.Logf("%s / %s:\n%s", r.Flow, s.Name, scenarios.Details(s))
			}
		}
		assert.Equal(t, scenarios.StatusPassed, r.Status, "flow %s", r.Flow)
	}
}

func TestEveryFlowPassesOnTheInProcessMock(t *testing.T) {
	t.Parallel()
	for _, flow := range scenarios.All() {
		t.Run(flow.Name, func(t *testing.T) {
			t.Parallel()
			tg := mockTarget(t, scenarios.MockOptions{})
			results := scenarios.Run(t.Context(), tg, flow)
			require.Len(t, results, 1)
			r := results[0]
			requirePassed(t, results)
			assert.Equal(t, flow.Name, r.Flow)
			assert.Equal(t, "mock", r.Target)
			assert.NotEmpty(t, r.Steps)
			var exchanges int
			for _, s := range r.Steps {
				exchanges += len(s.Exchanges)
				for _, ex := range s.Exchanges {
					assert.NotZero(t, ex.Status, "%s %s", ex.Method, ex.Path)
					assert.True(t, strings.HasPrefix(ex.Path, mockserver.APIPrefix), "admin traffic is not recorded: %s", ex.Path)
				}
			}
			assert.Positive(t, exchanges)
		})
	}
}

func TestEveryFlowPassesOnTheLive2026Profile(t *testing.T) {
	t.Parallel()
	tg := mockTarget(t, scenarios.MockOptions{Profile: mocksandbox.ProfileLive2026})
	requirePassed(t, scenarios.Run(t.Context(), tg, scenarios.All()...))
}

// TestEachFlowStartsWithoutWhatTheTestLeft: the in-process mock's reset before each flow is
// the sandbox's whole reset, so a fault rule (or an e-mail, or a journal entry) left from before
// does not reach the flow.
func TestEachFlowStartsWithoutWhatTheTestLeft(t *testing.T) {
	t.Parallel()
	tg := mockTarget(t, scenarios.MockOptions{})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, tg.BaseURL+"/__admin/faults",
		strings.NewReader(`{"path":"/api/content/forms/marker/tickets_form","status":503}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)

	requirePassed(t, scenarios.Run(t.Context(), tg, scenarios.TicketPurchase()))
}

func TestTicketPurchaseReproducesTheSeed(t *testing.T) {
	t.Parallel()
	tg := mockTarget(t, scenarios.MockOptions{})
	r := scenarios.Run(t.Context(), tg, scenarios.TicketPurchase())[0]
	requirePassed(t, []scenarios.Result{r})

	names := make([]string, len(r.Steps))
	for i, s := range r.Steps {
		names[i] = s.Name
	}
	assert.Equal(t, []string{"login", "read-form", "choose-ticket-and-slot", "read-product", "create-order",
		"create-session", "update-session", "read-session-by-order", "read-order", "list-my-orders"}, names)
	assert.Equal(t, []scenarios.Created{
		{Kind: "order", Storage: "tickets", ID: 92, Step: "create-order"},
		{Kind: "payment-session", ID: 49, Step: "create-session"},
	}, r.Created)

	create := step(t, r, "create-order").Exchanges
	require.Len(t, create, 1)
	var body struct {
		FormData map[string][]map[string]any `json:"formData"`
	}
	require.NoError(t, json.Unmarshal(create[0].RequestBody, &body))
	require.Len(t, body.FormData["en_US"], 2)
	slot := body.FormData["en_US"][0]
	assert.Equal(t, "schedule", slot["marker"])
	assert.Equal(t, "timeInterval", slot["type"])
	// The first slot after the seed's order time, computed in UTC as the SDK does: Saturday
	// 16:30-18:00.
	assert.Equal(t, []any{[]any{"2025-05-03T16:30:00.000Z", "2025-05-03T18:00:00.000Z"}}, slot["value"])
	assert.Equal(t, map[string]any{"marker": "tickets", "type": "entity", "value": []any{"p-8-10"}}, body.FormData["en_US"][1])
	assert.JSONEq(t, `{"productId":10,"quantity":1}`, string(mustJSON(t, mustMap(t, create[0].RequestBody)["products"].([]any)[0])))
	assert.Equal(t, 201, create[0].Status)
	assert.Equal(t, "2025-04-30T21:54:48.918Z", mustMap(t, create[0].ResponseBody)["createdDate"])
}

func TestFlowsPassThroughAURLTarget(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t, nil)
	before := sb.store.Clock().Now()

	tg := scenarios.URLTarget(sb.URL, "")
	results := scenarios.Run(t.Context(), tg, scenarios.All()...)
	require.Len(t, results, len(scenarios.All()))
	requirePassed(t, results)

	assert.True(t, tg.Admin, "the preflight finds the mock's admin endpoints")
	assert.False(t, tg.ExactState)
	assert.Equal(t, sb.URL, results[0].Target)
	assert.Equal(t, before, sb.store.Clock().Now(), "token-refresh moves the clock back")
	assert.True(t, sb.store.Clock().Frozen())

	refresh := step(t, flowResult(t, results, "token-refresh"), "expire-access-token")
	require.NotEmpty(t, refresh.Notes)
	assert.Contains(t, refresh.Notes[0], "by 10h0m", "past the default 36000 s lifetime")
}

func TestFlowsBookTheLastSlotOfAnExpiredSchedule(t *testing.T) {
	t.Parallel()
	// The seed's schedule ends on 2026-03-28; live-2026 refuses slots that have started. The
	// flows move the sandbox's clock to before the last slot and put it back afterwards.
	now := time.Date(2026, time.November, 27, 8, 0, 0, 0, time.UTC)
	sb := newSandboxAt(t, now, mocksandbox.ProfileLive2026, nil)
	results := scenarios.Run(t.Context(), scenarios.URLTarget(sb.URL, ""), scenarios.All()...)
	requirePassed(t, results)
	assert.Equal(t, now, sb.store.Clock().Now())

	choose := step(t, flowResult(t, results, "ticket-purchase"), "choose-ticket-and-slot")
	assert.Contains(t, choose.Notes[1], "slot 2026-03-28T19:30:00.000Z/2026-03-28T21:00:00.000Z: the schedule has no slot after")
	assert.Contains(t, choose.Notes[2], "to an hour before the slot")
	created := mustMap(t, step(t, flowResult(t, results, "ticket-purchase"), "create-order").Exchanges[0].ResponseBody)
	assert.Equal(t, "2026-03-28T18:30:00.000Z", created["createdDate"])
}

func TestURLTargetOutsideTheMockAssertsLess(t *testing.T) {
	t.Parallel()
	// Without the admin endpoints the target counts as a foreign API: flows tamper with the
	// token instead of moving the clock, and only note statuses no recording establishes.
	sb := newSandbox(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/__admin/") {
				http.NotFound(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	tg := scenarios.URLTarget(sb.URL, "")
	results := scenarios.Run(t.Context(), tg, scenarios.All()...)
	// Flows that read e-mailed codes need the mock's outbox; they skip here.
	var rest []scenarios.Result
	for _, r := range results {
		if r.Flow == "signup-code" || r.Flow == "forgot-password" {
			assert.Equal(t, scenarios.StatusSkipped, r.Status, r.Flow)
			continue
		}
		rest = append(rest, r)
	}
	requirePassed(t, rest)
	assert.False(t, tg.Admin)
	expire := step(t, flowResult(t, results, "token-refresh"), "expire-access-token")
	assert.Contains(t, expire.Notes[0], "broken signature")
	probe := step(t, flowResult(t, results, "pagination"), "page-out-of-range")
	assert.Len(t, probe.Notes, 3)
	assert.NotEmpty(t, probe.ExpectedViolations)
}

func TestLiveTarget(t *testing.T) {
	t.Parallel()
	tg, err := scenarios.LiveTargetFromEnv(os.Getenv)
	if errors.Is(err, scenarios.ErrLiveNotConfigured) {
		t.Skip(err.Error())
	}
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	requirePassed(t, scenarios.Run(ctx, tg, scenarios.All()...))
}

func TestLiveTargetFromEnv(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

	_, err := scenarios.LiveTargetFromEnv(env(map[string]string{scenarios.EnvAppToken: "x"}))
	require.ErrorIs(t, err, scenarios.ErrLiveNotConfigured)
	for _, name := range []string{"ONEENTRY_PROJECT_URL", "ONEENTRY_APP_TOKEN", "ONEENTRY_USER_EMAIL", "ONEENTRY_USER_PASSWORD"} {
		assert.Contains(t, err.Error(), name)
	}

	full := map[string]string{
		"ONEENTRY_PROJECT_URL":   "https://example.oneentry.cloud",
		"ONEENTRY_APP_TOKEN":     "app",
		"ONEENTRY_USER_EMAIL":    "a@example.com",
		"ONEENTRY_USER_PASSWORD": "pw",
	}
	tg, err := scenarios.LiveTargetFromEnv(env(full))
	require.NoError(t, err)
	assert.Equal(t, scenarios.KindLive, tg.Kind)
	assert.Equal(t, "live", tg.Name)
	assert.Equal(t, "https://example.oneentry.cloud", tg.BaseURL)
	assert.Equal(t, scenarios.Credentials{Login: "a@example.com", Password: "pw"}, tg.User)
	assert.True(t, tg.User2.IsZero())
	assert.False(t, tg.Admin)
	assert.False(t, tg.ExactState)

	full["ONEENTRY_USER2_EMAIL"], full["ONEENTRY_USER2_PASSWORD"] = "b@example.com", "pw2"
	tg, err = scenarios.LiveTargetFromEnv(env(full))
	require.NoError(t, err)
	assert.Equal(t, scenarios.Credentials{Login: "b@example.com", Password: "pw2"}, tg.User2)
}

func TestIsolationIsSkippedWithoutASecondUser(t *testing.T) {
	t.Parallel()
	tg := mockTarget(t, scenarios.MockOptions{})
	tg.User2 = scenarios.Credentials{}
	r := scenarios.Run(t.Context(), tg, scenarios.Isolation())[0]
	assert.Equal(t, scenarios.StatusSkipped, r.Status)
	assert.Contains(t, r.SkipReason, "ONEENTRY_USER2_EMAIL")
	assert.Empty(t, r.Steps)
	assert.False(t, r.Failed())
}

func TestPreflightFailures(t *testing.T) {
	t.Parallel()
	t.Run("unreachable", func(t *testing.T) {
		t.Parallel()
		tg := scenarios.URLTarget(testkit.UnreachableURL, "")
		err := tg.Preflight(t.Context())
		var perr *scenarios.PreflightError
		require.ErrorAs(t, err, &perr)
		assert.Equal(t, "target unreachable", perr.Reason)

		results := scenarios.Run(t.Context(), tg, scenarios.TicketPurchase(), scenarios.AuthFailures())
		require.Len(t, results, 2)
		for _, r := range results {
			assert.Equal(t, scenarios.StatusFailed, r.Status)
			assert.Contains(t, r.Err, "target unreachable")
			assert.Empty(t, r.Steps)
		}
	})
	t.Run("login", func(t *testing.T) {
		t.Parallel()
		sb := newSandbox(t, nil)
		tg := scenarios.URLTarget(sb.URL, "not-the-app-token")
		var perr *scenarios.PreflightError
		require.ErrorAs(t, tg.Preflight(t.Context()), &perr)
		assert.Contains(t, perr.Reason, "login as your-user@email.com failed")
		assert.Contains(t, perr.Error(), "403")
	})
}

func TestRecordingsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	tg := mockTarget(t, scenarios.MockOptions{})
	results := scenarios.Run(t.Context(), tg, scenarios.All()...)
	requirePassed(t, results)
	data, err := json.Marshal(results)
	require.NoError(t, err)
	text := string(data)
	for _, secret := range []string{tg.AppToken, `"` + tg.User.Password + `"`, `"` + tg.User2.Password + `"`, "eyJ"} {
		assert.NotContains(t, text, secret)
	}
	login := step(t, flowResult(t, results, "ticket-purchase"), "login").Exchanges[0]
	assert.Equal(t, "[present]", login.RequestHeaders["x-app-token"])
	assert.JSONEq(t, `{"authData":[{"marker":"email_reg","value":"your-user@email.com"},{"marker":"password_reg","value":"[redacted]"}]}`, string(login.RequestBody))
	assert.Equal(t, "[redacted]", mustMap(t, login.ResponseBody)["accessToken"])
	form := step(t, flowResult(t, results, "ticket-purchase"), "read-form").Exchanges[0]
	assert.Equal(t, "Bearer [redacted]", form.RequestHeaders["authorization"])
	assert.Equal(t, "application/json", form.RequestHeaders["content-type"])
	assert.Equal(t, "*", form.ResponseHeaders["access-control-allow-origin"])
	assert.Contains(t, form.ResponseHeaders["content-type"], "application/json")
}

func TestRequestsProvokedOnPurposeAreExpectedViolations(t *testing.T) {
	t.Parallel()
	tg := mockTarget(t, scenarios.MockOptions{})
	r := scenarios.Run(t.Context(), tg, scenarios.Pagination())[0]
	requirePassed(t, []scenarios.Result{r})
	probe := step(t, r, "page-out-of-range")
	assert.Empty(t, probe.Violations)
	var pointers []string
	for _, v := range probe.ExpectedViolations {
		assert.Equal(t, "request", v.Phase)
		pointers = append(pointers, v.Pointer)
	}
	assert.ElementsMatch(t, []string{"query/limit", "query/offset", "query/limit"}, pointers)
}

func TestSelect(t *testing.T) {
	t.Parallel()
	flows, err := scenarios.Select("pagination", "ticket-purchase")
	require.NoError(t, err)
	require.Len(t, flows, 2)
	assert.Equal(t, "pagination", flows[0].Name)
	assert.Equal(t, "ticket-purchase", flows[1].Name)

	all, err := scenarios.Select()
	require.NoError(t, err)
	assert.Len(t, all, len(scenarios.All()))
	assert.Equal(t, []string{"ticket-purchase", "token-refresh", "auth-failures", "order-validation", "isolation", "pagination"}, scenarios.Names()[:6])
	assert.Subset(t, scenarios.Names(), []string{"signup-code", "forgot-password", "guest-cart-order", "paypal-polling", "contact-form", "refund-request", "browse"})

	_, err = scenarios.Select("checkout")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"checkout"`)
	assert.Contains(t, err.Error(), "ticket-purchase")
}

func TestAFailingStepStopsTheFlow(t *testing.T) {
	t.Parallel()
	tg := mockTarget(t, scenarios.MockOptions{Wrap: func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && r.URL.Path == "/api/content/payments/sessions" {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(`{"statusCode":500,"message":"Internal server error","error":"Internal Server Error","pageData":null,"timestamp":"2025-04-30T21:54:48.918Z"}`))
				return
			}
			next.ServeHTTP(w, r)
		})
	}})
	var progress []string
	runner := scenarios.Runner{OnStep: func(flow string, s scenarios.StepResult) {
		progress = append(progress, flow+"/"+s.Name+":"+string(s.Status))
	}}
	r := runner.Run(t.Context(), tg, scenarios.TicketPurchase())[0]
	assert.Equal(t, scenarios.StatusFailed, r.Status)
	last := step(t, r, "create-session")
	assert.Equal(t, scenarios.StatusFailed, last.Status)
	assert.Contains(t, last.Err, "500")
	// 500 is not a documented answer of the operation, so the contract flags it too.
	require.NotEmpty(t, last.Violations)
	assert.Equal(t, "status", last.Violations[0].Kind)
	for _, name := range []string{"update-session", "read-session-by-order", "read-order", "list-my-orders"} {
		s := step(t, r, name)
		assert.True(t, s.NotRun, name)
		assert.Equal(t, scenarios.StatusSkipped, s.Status, name)
	}
	assert.Equal(t, []string{
		"ticket-purchase/login:passed", "ticket-purchase/read-form:passed", "ticket-purchase/choose-ticket-and-slot:passed",
		"ticket-purchase/read-product:passed", "ticket-purchase/create-order:passed", "ticket-purchase/create-session:failed",
	}, progress)
}

func TestEnvBookkeeping(t *testing.T) {
	t.Parallel()
	tg := mockTarget(t, scenarios.MockOptions{})
	var cleaned bool
	flow := scenarios.Flow{Name: "bookkeeping", Run: func(ctx context.Context, env *scenarios.Env) error {
		env.Cleanup(func(context.Context) error { cleaned = true; return nil })
		c, err := env.Client()
		if err != nil {
			return err
		}
		if err := env.Step("same", func() error { return nil }); err != nil {
			return err
		}
		if err := env.Step("same", func() error { return env.Skip("not today") }); err != nil {
			return err
		}
		if err := env.Step("panics", func() error { panic("boom") }); err == nil {
			return errors.New("a panicking step must fail")
		}
		// Traffic outside steps is still recorded and checked.
		_, err = c.Form(ctx, "tickets_form")
		return err
	}}
	r := scenarios.Run(t.Context(), tg, flow)[0]
	assert.True(t, cleaned)
	require.Len(t, r.Steps, 4)
	assert.Equal(t, "same", r.Steps[0].Name)
	assert.Equal(t, scenarios.StatusPassed, r.Steps[0].Status)
	assert.Equal(t, "same#2", r.Steps[1].Name)
	assert.Equal(t, scenarios.StatusSkipped, r.Steps[1].Status)
	assert.Equal(t, "not today", r.Steps[1].SkipReason)
	assert.Equal(t, scenarios.StatusFailed, r.Steps[2].Status)
	assert.Contains(t, r.Steps[2].Err, "panic: boom")
	assert.Equal(t, "(outside steps)", r.Steps[3].Name)
	assert.Len(t, r.Steps[3].Exchanges, 1)
	assert.Equal(t, scenarios.StatusFailed, r.Status)
	assert.Empty(t, r.Err)
}

func step(t *testing.T, r scenarios.Result, name string) scenarios.StepResult {
	t.Helper()
	for _, s := range r.Steps {
		if s.Name == name {
			return s
		}
	}
	require.Failf(t, "no such step", "flow %s has no step %s", r.Flow, name)
	return scenarios.StepResult{}
}

func flowResult(t *testing.T, results []scenarios.Result, name string) scenarios.Result {
	t.Helper()
	for _, r := range results {
		if r.Flow == name {
			return r
		}
	}
	require.Failf(t, "no such flow", "no result for %s", name)
	return scenarios.Result{}
}

func mustMap(t *testing.T, raw json.RawMessage) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	return m
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// TestPayPalPollingMatchesAServedMock runs paypal-polling on the in-process mock and on a mock
// served as `oneentry-mock serve` serves it: both issue access tokens of the default lifetime,
// so the poll's clock moves expire nothing and the two record the same polls, with no refresh.
func TestPayPalPollingMatchesAServedMock(t *testing.T) {
	t.Parallel()
	inProcess := scenarios.Run(t.Context(), mockTarget(t, scenarios.MockOptions{}), scenarios.PayPalPolling())
	served := scenarios.Run(t.Context(), scenarios.URLTarget(newSandbox(t, nil).URL, ""), scenarios.PayPalPolling())
	requirePassed(t, inProcess)
	requirePassed(t, served)

	summary := func(r scenarios.Result) []string {
		var out []string
		for _, ex := range step(t, r, "poll-for-url").Exchanges {
			out = append(out, ex.Method+" "+ex.Path+" "+http.StatusText(ex.Status))
		}
		return out
	}
	polls := summary(inProcess[0])
	assert.Equal(t, summary(served[0]), polls, "the in-process mock polls as a served one does")
	assert.NotContains(t, polls, "GET /api/content/payments/sessions/order/92 Unauthorized", "no poll finds its access token expired")
}

// TestTheInProcessMockIssuesTheServedTokenLifetime checks that MockTarget's access tokens last
// what a served mock's do by default (store.DefaultAccessTokenTTL), and that AccessTokenTTL
// still sets another lifetime.
func TestTheInProcessMockIssuesTheServedTokenLifetime(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		ttl, want time.Duration
	}{
		"default": {0, store.DefaultAccessTokenTTL},
		"set":     {time.Second, time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tg := mockTarget(t, scenarios.MockOptions{AccessTokenTTL: tc.ttl})
			c, err := client.New(tg.BaseURL, client.WithAppToken(tg.AppToken), client.WithDeviceMetadata(scenarios.DefaultDeviceMetadata))
			require.NoError(t, err)
			res, err := c.Auth(t.Context(), "email", client.AuthRequest{AuthData: []client.AuthData{{Marker: "email_reg", Value: tg.User.Login}, {Marker: "password_reg", Value: tg.User.Password}}})
			require.NoError(t, err)
			_, payload, ok := strings.Cut(res.AccessToken, ".")
			require.True(t, ok)
			payload, _, _ = strings.Cut(payload, ".")
			raw, err := base64.RawURLEncoding.DecodeString(payload)
			require.NoError(t, err)
			var claims struct {
				IssuedAt  int64 `json:"iat"`
				ExpiresAt int64 `json:"exp"`
			}
			require.NoError(t, json.Unmarshal(raw, &claims))
			assert.Equal(t, tc.want, time.Duration(claims.ExpiresAt-claims.IssuedAt)*time.Second)
		})
	}
}

// A target's answer far over the client's limit fails its step without being held in memory
// by the layers under the client (recorder, contract check). Not parallel: it measures the
// heap this run allocates.
func TestAHugeAnswerIsNotHeldInMemory(t *testing.T) {
	const huge = 1 << 30
	chunk := bytes.Repeat([]byte("x"), 1<<20)
	sb := newSandbox(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/api/content/forms/marker/tickets_form" {
				next.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`"`))
			for range huge / len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
			_, _ = w.Write([]byte(`"`))
		})
	})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	results := scenarios.Run(t.Context(), scenarios.URLTarget(sb.URL, ""), scenarios.TicketPurchase())
	runtime.ReadMemStats(&after)

	require.Len(t, results, 1)
	assert.Equal(t, scenarios.StatusFailed, results[0].Status)
	assert.Contains(t, results[0].Err+fmt.Sprint(results[0].Steps), "answer larger than")
	// The client and the contract check each hold at most their 32 MiB limit (and what growing
	// a buffer to it costs); the answer's own size does not count.
	// With the race detector it is about twice that.
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(huge/2), "allocated while reading a 1 GiB answer")
}
