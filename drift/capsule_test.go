package drift_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/drift"
	"github.com/oneentry-mock/oneentry-mock/exchange"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
	"github.com/oneentry-mock/oneentry-mock/scenarios"
)

const (
	seedCapsule = "../fixtures/recorded/seed.capsule.json"
	allowFile   = "../drift-allow.yaml"
)

// TestMockAgainstSeedCapsule is the CI drift job: the mock against the seed's recorded answers.
// Every difference must be fixed in the mock or acknowledged in drift-allow.yaml with a reason.
func TestMockAgainstSeedCapsule(t *testing.T) {
	t.Parallel()
	c, err := capsule.Load(seedCapsule)
	require.NoError(t, err)
	allow, err := drift.LoadAllowFile(allowFile)
	require.NoError(t, err)
	r, err := drift.CompareCapsule(t.Context(), run(t, scenarios.MockOptions{Profile: sandbox.ProfileSDK115}), c, drift.Options{Target: seedCapsule, Allow: allow})
	require.NoError(t, err)

	for _, it := range r.Items() {
		assert.NotNil(t, it.Allowed, "unacknowledged drift against the seed: %+v", it)
	}
	assert.Equal(t, drift.ExitOK, r.ExitCode())
	assert.Empty(t, r.Expired, "renew or remove expired entries of drift-allow.yaml")
	used := map[string]bool{}
	for _, it := range r.Items() {
		used[it.StepID()+" "+it.Kind] = true
	}
	for _, e := range allow.Allow {
		assert.True(t, used[e.Step+" "+e.Kind], "drift-allow.yaml entry %s %s %s matches nothing: remove it", e.Step, e.Pointer, e.Kind)
	}

	// What was compared: the five recorded exchanges, each paired with the ticket flow's request.
	recorded := 0
	for _, s := range r.Steps {
		if s.Other == "recorded" {
			recorded++
			assert.Equal(t, "ticket-purchase", s.Flow)
		}
	}
	assert.Equal(t, 5, recorded)
	for _, n := range r.Notes {
		assert.NotContains(t, n, "made by no flow", "every recorded exchange is compared")
	}
}

// TestMockAgainstDriftedCapsule changes recorded answers and expects the comparison to see it:
// the locale unwrap does not hide real differences.
func TestMockAgainstDriftedCapsule(t *testing.T) {
	t.Parallel()
	c, err := capsule.Load(seedCapsule)
	require.NoError(t, err)
	edit := func(i int, fn func(map[string]any)) {
		var body map[string]any
		require.NoError(t, json.Unmarshal(c.Exchanges[i].ResponseBody, &body))
		fn(body)
		out, err := json.Marshal(body)
		require.NoError(t, err)
		c.Exchanges[i].ResponseBody = out
	}
	edit(2, func(b map[string]any) { b["formData"] = map[string]any{"tickets": "p-8-10"} })
	edit(3, func(b map[string]any) { delete(b, "paymentUrl") })
	c.Exchanges = append(c.Exchanges, exchange.Exchange{Method: "GET", Path: "/api/content/users/me", Status: 200, ResponseBody: json.RawMessage(`{"id":"16"}`)})

	r, err := drift.CompareCapsule(t.Context(), run(t, scenarios.MockOptions{Profile: sandbox.ProfileSDK115}, scenarios.TicketPurchase()), c, drift.Options{Target: "drifted seed"})
	require.NoError(t, err)
	got := find(r, "ticket-purchase/create-order", "/formData")
	require.Len(t, got, 1, textReport(t, r))
	assert.Equal(t, drift.KindObjectArray, got[0].Kind)
	got = find(r, "ticket-purchase/create-session", "/paymentUrl")
	require.Len(t, got, 1)
	assert.Equal(t, drift.KindFieldMissing, got[0].Kind)
	assert.Equal(t, drift.SeverityBreaking, got[0].Severity)
	assert.Equal(t, drift.ExitBreaking, r.ExitCode())

	var unpaired []drift.Item
	for _, it := range r.Items() {
		if it.Flow == "capsule" {
			unpaired = append(unpaired, it)
		}
	}
	require.NotEmpty(t, unpaired, "a recorded exchange no flow made is still checked against the contract")
	assert.Equal(t, drift.SideOtherContract, unpaired[0].Side)
	assert.Equal(t, "#6 GET /api/content/users/me", unpaired[0].Step)
}

// An answer on a route the contract does not know is breaking drift, as the README's table says.
func TestAnswerOnAnUnknownRouteIsBreaking(t *testing.T) {
	t.Parallel()
	c, err := capsule.Load(seedCapsule)
	require.NoError(t, err)
	c.Exchanges = append(c.Exchanges, exchange.Exchange{Method: "GET", Path: "/api/content/nonexistent", Status: 200, ResponseBody: json.RawMessage(`{"a":1}`)})
	r, err := drift.CompareCapsule(t.Context(), run(t, scenarios.MockOptions{Profile: sandbox.ProfileSDK115}, scenarios.TicketPurchase()), c, drift.Options{Target: "seed with an unknown route"})
	require.NoError(t, err)
	var route []drift.Item
	for _, it := range r.Items() {
		if strings.Contains(it.Step, "/api/content/nonexistent") {
			route = append(route, it)
		}
	}
	require.NotEmpty(t, route, textReport(t, r))
	assert.Equal(t, drift.SeverityBreaking, route[0].Severity)
	assert.Equal(t, drift.ExitBreaking, r.ExitCode())
}

// The documented flow/* form acknowledges the recorded exchanges no flow made, whose step names
// hold their request's path.
func TestAllowFlowWildcardMatchesCapsuleSteps(t *testing.T) {
	t.Parallel()
	c, err := capsule.Load(seedCapsule)
	require.NoError(t, err)
	c.Exchanges = append(c.Exchanges, exchange.Exchange{Method: "GET", Path: "/api/content/nonexistent", Status: 200, ResponseBody: json.RawMessage(`{"a":1}`)})
	mock := run(t, scenarios.MockOptions{Profile: sandbox.ProfileSDK115}, scenarios.TicketPurchase())
	seed, err := drift.LoadAllowFile(allowFile)
	require.NoError(t, err)
	for _, step := range []string{"capsule/*", "*/*", fmt.Sprintf("capsule/#%d GET *", len(c.Exchanges)), fmt.Sprintf("capsule/#%d GET /api/content/nonexistent", len(c.Exchanges))} {
		t.Run(step, func(t *testing.T) {
			t.Parallel()
			allow, err := drift.ParseAllowFile(fmt.Appendf(nil, "allow:\n  - {step: %q, pointer: \"*\", kind: \"*\", reason: r, expires: 2099-01-01}\n", step))
			require.NoError(t, err)
			allow.Allow = append(allow.Allow, seed.Allow...)
			r, err := drift.CompareCapsule(t.Context(), mock, c, drift.Options{Target: "seed with an unknown route", Allow: allow, Now: allowDay})
			require.NoError(t, err)
			assert.Equal(t, drift.ExitOK, r.ExitCode(), textReport(t, r))
			var allowed int
			for _, it := range r.Items() {
				if it.Flow == "capsule" {
					assert.NotNil(t, it.Allowed, "%s", it.StepID())
					allowed++
				}
			}
			assert.Positive(t, allowed)
		})
	}
	allow, err := drift.ParseAllowFile([]byte("allow:\n  - {step: \"ticket-purchase/*\", pointer: \"*\", kind: \"*\", reason: r, expires: 2099-01-01}\n"))
	require.NoError(t, err)
	r, err := drift.CompareCapsule(t.Context(), mock, c, drift.Options{Allow: allow, Now: allowDay})
	require.NoError(t, err)
	assert.Equal(t, drift.ExitBreaking, r.ExitCode(), "another flow's pattern does not match the capsule's steps")
}

func TestAllowFileSilencesUntilExpiry(t *testing.T) {
	t.Parallel()
	c, err := capsule.Load(seedCapsule)
	require.NoError(t, err)
	var body map[string]any
	require.NoError(t, json.Unmarshal(c.Exchanges[3].ResponseBody, &body))
	delete(body, "paymentUrl")
	c.Exchanges[3].ResponseBody, _ = json.Marshal(body)
	mock := run(t, scenarios.MockOptions{Profile: sandbox.ProfileSDK115}, scenarios.TicketPurchase())

	allow, err := drift.ParseAllowFile([]byte(`
ignore: [/formData, /status, /paymentUrl/x]
allow:
  - step: ticket-purchase/create-*
    pointer: /paymentUrl
    kind: field-missing
    reason: the recording predates paymentUrl
    expires: 2025-06-30
  - step: "*/*"
    pointer: "*"
    kind: contract
    reason: the recording breaks the contract where it lacks paymentUrl
    expires: 2025-06-30
  - step: ticket-purchase/read-session-by-order
    pointer: /paymentUrl
    kind: nullability
    reason: the update
    expires: 2025-06-30
`))
	require.NoError(t, err)
	before := time.Date(2025, 6, 30, 23, 59, 0, 0, time.UTC)
	r, err := drift.CompareCapsule(t.Context(), mock, c, drift.Options{Allow: allow, Now: before})
	require.NoError(t, err)
	assert.Equal(t, drift.ExitOK, r.ExitCode(), textReport(t, r))
	assert.Zero(t, r.Summary.Breaking+r.Summary.Warnings+r.Summary.Info, textReport(t, r))
	assert.Equal(t, 3, r.Summary.Allowed, "the missing field, its contract breach and the null after the update; /formData and /status are ignored")
	assert.Empty(t, r.Expired)

	r, err = drift.CompareCapsule(t.Context(), mock, c, drift.Options{Allow: allow, Now: before.Add(time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, drift.ExitBreaking, r.ExitCode(), "expired entries silence nothing")
	assert.Len(t, r.Expired, 3)
	assert.Zero(t, r.Summary.Allowed)
}

func TestParseAllowFileRejects(t *testing.T) {
	t.Parallel()
	entry := func(s string) string {
		return "allow:\n  - step: a/b\n    pointer: /x\n    kind: value\n    reason: r\n    expires: 2027-01-01\n" + s
	}
	tests := map[string]struct{ doc, want string }{
		"unknown field":         {entry("    severity: info\n"), "field severity not found"},
		"no reason":             {"allow:\n  - {step: a/b, pointer: /x, kind: value, expires: 2027-01-01}\n", "a reason is required"},
		"no step":               {"allow:\n  - {pointer: /x, kind: value, reason: r, expires: 2027-01-01}\n", "step and pointer are required"},
		"unknown kind":          {"allow:\n  - {step: a/b, pointer: /x, kind: oops, reason: r, expires: 2027-01-01}\n", `kind "oops" is not one of`},
		"bad expiry":            {"allow:\n  - {step: a/b, pointer: /x, kind: value, reason: r, expires: soon}\n", `expires "soon" is not a date`},
		"no expiry":             {"allow:\n  - {step: a/b, pointer: /x, kind: value, reason: r}\n", `expires "" is not a date`},
		"bad ignore":            {"ignore: [items]\n", `"items" is not a JSON pointer`},
		"not yaml":              {"allow: [", "allow file:"},
		"bad step glob":         {"allow:\n  - {step: \"a/[\", pointer: /x, kind: value, reason: r, expires: 2027-01-01}\n", "step pattern"},
		"bad pointer glob":      {"allow:\n  - {step: a/b, pointer: \"/formData/[\", kind: value, reason: r, expires: 2027-01-01}\n", `allow[0]: pointer pattern "/formData/["`},
		"bad ignore glob":       {"ignore: [\"/items/[\"]\n", `ignore[0]: pointer pattern "/items/["`},
		"second document":       {entry("---\n" + entry("")), "a second YAML document (line 7)"},
		"empty second document": {entry("---\n"), "a second YAML document"},
		"allow not list":        {"allow: {step: a}\n", "allow file:"},
		"null entry":            {entry("  - null\n"), "allow[1] (line 7) is empty; it needs step, pointer"},
		"bare dash":             {"allow:\n  -\n", "allow[0] (line 2) is empty"},
		"tilde in flow":         {"allow: [~]\n", "allow[0] (line 1) is empty"},
		"null ignore":           {"ignore:\n  - /a\n  -\n", "ignore[1] (line 3) is empty; it needs a JSON pointer"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := drift.ParseAllowFile([]byte(tc.doc))
			assert.ErrorContains(t, err, tc.want)
		})
	}
	a, err := drift.ParseAllowFile(nil)
	require.NoError(t, err, "an empty file allows nothing")
	assert.Empty(t, a.Allow)

	_, err = drift.Compare(t.Context(), nil, nil, drift.Options{Ignore: []string{"/formData/["}})
	assert.ErrorContains(t, err, `ignore: pointer pattern "/formData/["`, "an ignore option matches no pointer either")
}

// recordFlowsThroughProxy runs flows against a served mock through the recording proxy, in the
// mock's default sandbox, as `scenarios run --target PROXY --sandbox default` does, and returns
// the capsule.
func recordFlowsThroughProxy(t *testing.T, flows []scenarios.Flow) *capsule.Capsule {
	t.Helper()
	upstream := serveMock(t)
	u, err := url.Parse(upstream.URL)
	require.NoError(t, err)
	rec := capsule.NewRecorder(filepath.Join(t.TempDir(), "c.json"), capsule.Capsule{Profile: sandbox.ProfileDefault.Name})
	proxy, err := capsule.NewProxy(capsule.ProxyOptions{Upstream: u, Recorder: rec})
	require.NoError(t, err)
	ps := httptest.NewServer(proxy)
	t.Cleanup(ps.Close)

	target := scenarios.URLTarget(ps.URL, "")
	t.Cleanup(target.Close)
	for _, res := range scenarios.Run(t.Context(), target, flows...) {
		require.Equal(t, scenarios.StatusPassed, res.Status, "%s: %s", res.Flow, res.Err)
	}
	return rec.Capsule()
}

// A recording of the same flows against an identical mock shows no drift, although the URL run
// logged in once more before the first flow and every login's request looks alike once its
// password is redacted: each exchange is compared with its own recording, not the first alike.
func TestCapsuleOfTheSameFlowsHasNoDrift(t *testing.T) {
	t.Parallel()
	flows, err := scenarios.Select("auth-failures", "order-validation")
	require.NoError(t, err)
	c := recordFlowsThroughProxy(t, flows)

	r, err := drift.CompareCapsule(t.Context(), run(t, scenarios.MockOptions{}, flows...), c, drift.Options{Target: "recorded"})
	require.NoError(t, err)
	assert.Empty(t, r.Items(), textReport(t, r))
	assert.Equal(t, drift.ExitOK, r.ExitCode())
	for _, s := range r.Steps {
		if s.Step != "choose-slot" { // a URL run picks its slot without a request the mock's run makes
			assert.Equal(t, "recorded", s.Other, s.ID())
		}
	}
}

// The requests a flow breaks the contract with on purpose (pagination's out-of-range limit and
// offset) are expected in its recording too, as on a URL target: no contract warning.
func TestCapsuleOfProvokedInvalidRequestsHasNoContractItem(t *testing.T) {
	t.Parallel()
	flows, err := scenarios.Select("pagination")
	require.NoError(t, err)
	c := recordFlowsThroughProxy(t, flows)
	r, err := drift.CompareCapsule(t.Context(), run(t, scenarios.MockOptions{}, flows...), c, drift.Options{Target: "recorded"})
	require.NoError(t, err)
	assert.Empty(t, r.Items(), textReport(t, r))
}

// Every flow, recorded the same way, pairs without a breaking difference: what differs is the
// state a default sandbox keeps between flows (totals, ids in messages), never a status.
func TestCapsuleOfEveryFlowHasNoBreakingDrift(t *testing.T) {
	t.Parallel()
	c := recordFlowsThroughProxy(t, scenarios.All())
	r, err := drift.CompareCapsule(t.Context(), run(t, scenarios.MockOptions{}), c, drift.Options{Target: "recorded"})
	require.NoError(t, err)
	assert.Zero(t, r.Summary.Breaking, textReport(t, r))
	for _, it := range r.Items() {
		assert.NotEqual(t, drift.KindStatusClass, it.Kind, "%s: %s", it.StepID(), it.Message)
		assert.NotEqual(t, drift.KindStatus, it.Kind, "%s: %s", it.StepID(), it.Message)
	}
}

// A front end's recording need not follow the flow's order: exchanges the recorded order cannot
// pair still take the closest recorded request.
func TestCapsuleInAnotherOrderIsStillPaired(t *testing.T) {
	t.Parallel()
	c, err := capsule.Load(seedCapsule)
	require.NoError(t, err)
	slices.Reverse(c.Exchanges)
	allow, err := drift.LoadAllowFile(allowFile)
	require.NoError(t, err)
	r, err := drift.CompareCapsule(t.Context(), run(t, scenarios.MockOptions{Profile: sandbox.ProfileSDK115}, scenarios.TicketPurchase()), c, drift.Options{Target: "reversed seed", Allow: allow})
	require.NoError(t, err)
	assert.Equal(t, drift.ExitOK, r.ExitCode(), textReport(t, r))
	recorded := 0
	for _, s := range r.Steps {
		if s.Other == "recorded" {
			recorded++
		}
	}
	assert.Equal(t, 5, recorded, textReport(t, r))
}
