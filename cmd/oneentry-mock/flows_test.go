package main

// The commands that run the flows: scenarios run, and drift, which runs them on two sides.

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/drift"
	"github.com/oneentry-mock/oneentry-mock/internal/testkit"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/mocktest"
	"github.com/oneentry-mock/oneentry-mock/scenarios"
)

// runScenarioCmd runs `oneentry-mock scenarios run args...` in process.
func runScenarioCmd(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return runCmd(t, env, append([]string{"scenarios", "run"}, args...)...)
}

// junitReport holds the JUnit elements and attributes CI systems require.
type junitReport struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    *int     `xml:"tests,attr"`
	Failures *int     `xml:"failures,attr"`
	Errors   *int     `xml:"errors,attr"`
	Suites   []struct {
		Name     *string `xml:"name,attr"`
		Tests    *int    `xml:"tests,attr"`
		Failures *int    `xml:"failures,attr"`
		Time     *string `xml:"time,attr"`
		Cases    []struct {
			ClassName *string `xml:"classname,attr"`
			Name      *string `xml:"name,attr"`
			Time      *string `xml:"time,attr"`
			Failure   *struct {
				Message *string `xml:"message,attr"`
				Text    string  `xml:",chardata"`
			} `xml:"failure"`
			Skipped *struct {
				Message *string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func parseJUnitFile(t *testing.T, path string) junitReport {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var doc junitReport
	require.NoError(t, xml.Unmarshal(data, &doc))
	require.NotNil(t, doc.Tests)
	require.NotNil(t, doc.Failures)
	require.NotNil(t, doc.Errors)
	for _, s := range doc.Suites {
		require.NotNil(t, s.Name)
		require.NotNil(t, s.Tests)
		require.NotNil(t, s.Failures)
		require.NotNil(t, s.Time)
		for _, c := range s.Cases {
			require.NotNil(t, c.ClassName)
			require.NotNil(t, c.Name)
			require.NotNil(t, c.Time)
			if c.Failure != nil {
				require.NotNil(t, c.Failure.Message)
			}
		}
	}
	return doc
}

func TestScenariosRunAgainstARunningServe(t *testing.T) {
	t.Parallel()
	url, _ := startServe(t, nil, nil)
	stdout, stderr, err := runScenarioCmd(t, nil, "--target", url)
	require.NoError(t, err, "stderr: %s\nstdout: %s", stderr, stdout)
	lines := strings.Split(stdout, "\n")
	assert.Regexp(t, `^FLOW\s+STEP\s+RESULT`, lines[0], "no progress lines when stdout is not a terminal")
	for _, name := range scenarios.Names() {
		assert.Regexp(t, `(?m)^`+name+`\s+\S+\s+ok\s`, stdout)
	}
	assert.NotContains(t, stdout, "FAIL")
	n := len(scenarios.Names())
	assert.Contains(t, stdout, fmt.Sprintf("%d flows: %d passed, 0 failed, 0 skipped", n, n))
	assert.Contains(t, stdout, "0 contract violations on "+url)
}

// An --out that cannot be written stops the run before it starts (exit 2), rather than after
// every flow ran, with exit 1, which means a step failed.
func TestScenariosRunChecksItsOutFileFirst(t *testing.T) {
	t.Parallel()
	url, requests := countedUpstreamMock(t)
	out := filepath.Join(t.TempDir(), "missing", "report.txt")
	_, _, err := runScenarioCmd(t, nil, "--target", url, "--out", out)
	assert.Equal(t, 2, exitCode(t, err), "%v", err)
	assert.ErrorContains(t, err, "--out: open "+out)
	assert.Zero(t, requests.Load(), "no flow ran")
}

// countedUpstreamMock is upstreamMock with a count of the requests it has had.
func countedUpstreamMock(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	var requests atomic.Int64
	url := upstreamMock(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			requests.Add(1)
			next.ServeHTTP(w, r)
		})
	})
	return url, &requests
}

// A run that cannot start leaves the report of the last run as it was, and makes no file
// where there was none; one that runs replaces the old report whole.
func TestARunThatCannotStartKeepsTheLastReport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	kept, fresh := filepath.Join(dir, "kept.txt"), filepath.Join(dir, "fresh.txt")
	last := strings.Repeat("the last run's report\n", 1000)
	require.NoError(t, os.WriteFile(kept, []byte(last), 0o644))
	for _, cmd := range [][]string{{"scenarios", "run"}, {"drift"}} {
		for _, out := range []string{kept, fresh} {
			_, _, err := runCmd(t, nil, append(cmd, "--target", testkit.UnreachableURL, "--out", out)...)
			assert.Equal(t, 2, exitCode(t, err), "%v", err)
		}
		data, err := os.ReadFile(kept)
		require.NoError(t, err)
		assert.Equal(t, last, string(data), "%s", cmd)
		assert.NoFileExists(t, fresh, "%s", cmd)
	}
	_, _, err := runScenarioCmd(t, nil, "--target", upstreamMock(t, nil), "--only", "browse", "--out", os.DevNull)
	require.NoError(t, err, "a device takes the report as it is")
	_, _, err = runScenarioCmd(t, nil, "--target", upstreamMock(t, nil), "--only", "browse", "--out", kept)
	require.NoError(t, err)
	data, err := os.ReadFile(kept)
	require.NoError(t, err)
	assert.NotContains(t, string(data), "the last run's report")
	assert.Less(t, len(data), len(last), "nothing of the longer report is left behind")
}

func TestScenariosRunJUnitReport(t *testing.T) {
	t.Parallel()
	url := upstreamMock(t, nil)
	out := filepath.Join(t.TempDir(), "report.xml")
	_, stderr, err := runScenarioCmd(t, nil, "--target", url, "--format", "junit", "--out", out)
	require.NoError(t, err)
	assert.Contains(t, stderr, "junit report written to "+out)

	doc := parseJUnitFile(t, out)
	assert.Len(t, doc.Suites, len(scenarios.All()))
	assert.Zero(t, *doc.Failures)
	assert.Positive(t, *doc.Tests)
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			assert.Equal(t, *s.Name, *c.ClassName)
		}
	}
}

func TestScenariosRunReportsAFailingStep(t *testing.T) {
	t.Parallel()
	url := upstreamMock(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/content/payments/sessions/order/") {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = w.Write([]byte(`{"statusCode":503,"message":"Service Unavailable","error":"Service Unavailable","pageData":null,"timestamp":"2026-11-27T08:00:00.000Z"}`))
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	out := filepath.Join(t.TempDir(), "report.xml")
	_, _, err := runScenarioCmd(t, nil, "--target", url, "--only", "ticket-purchase", "--format", "junit", "--out", out)
	assert.Equal(t, 1, exitCode(t, err))

	doc := parseJUnitFile(t, out)
	require.Len(t, doc.Suites, 1)
	assert.Equal(t, 1, *doc.Failures)
	cases := doc.Suites[0].Cases
	require.Len(t, cases, 10, "every step, run or not")
	failed := cases[7]
	assert.Equal(t, "read-session-by-order", *failed.Name)
	require.NotNil(t, failed.Failure, "a failing step is a failure, not a pass")
	assert.Contains(t, *failed.Failure.Message, "503")
	assert.Contains(t, failed.Failure.Text, "> GET /api/content/payments/sessions/order/")
	assert.Contains(t, failed.Failure.Text, "< 503")
	for _, c := range cases[8:] {
		require.NotNil(t, c.Skipped, "the step %s the flow did not run is skipped", *c.Name)
		assert.Equal(t, "not run: step read-session-by-order failed", *c.Skipped.Message)
	}

	stdout, _, err := runScenarioCmd(t, nil, "--target", url, "--only", "ticket-purchase")
	assert.Equal(t, 1, exitCode(t, err))
	assert.Regexp(t, `(?m)^ticket-purchase\s+read-session-by-order\s+FAIL\s`, stdout)
	assert.Contains(t, stdout, "Failures:")
	assert.Contains(t, stdout, "contract: response GET /api/content/payments/sessions/order/")
}

func TestScenariosRunJSONReport(t *testing.T) {
	t.Parallel()
	stdout, _, err := runScenarioCmd(t, nil, "--target", "mock", "--only", "auth-failures, ticket-purchase", "--format", "json")
	require.NoError(t, err)
	var results []scenarios.Result
	require.NoError(t, json.Unmarshal([]byte(stdout), &results))
	require.Len(t, results, 2)
	assert.Equal(t, "auth-failures", results[0].Flow)
	assert.Equal(t, "ticket-purchase", results[1].Flow)
	for _, r := range results {
		assert.Equal(t, scenarios.StatusPassed, r.Status)
		assert.Equal(t, "mock", r.Target)
	}
}

func TestScenariosRunCannotStart(t *testing.T) {
	t.Parallel()
	sandbox := upstreamMock(t, nil)
	guarded, _ := mocktest.Start(t, mockserver.Options{AdminToken: "s3cret"})
	tests := map[string]struct {
		args []string
		want string
	}{
		"unreachable target": {[]string{"--target", testkit.UnreachableURL}, "target unreachable"},
		"admin token not given": {[]string{"--target", guarded.URL, "--sandbox", "default"},
			"the mock's admin API needs its admin token (--admin-token)"},
		"wrong app token": {[]string{"--target", sandbox, "--app-token", "nope"}, "login as your-user@email.com failed"},
		"live not configured": {[]string{"--target", "live"},
			"ONEENTRY_PROJECT_URL, ONEENTRY_APP_TOKEN, ONEENTRY_USER_EMAIL, ONEENTRY_USER_PASSWORD"},
		"not a target":   {[]string{"--target", "ftp://example.com"}, "want mock, live or an http(s) URL"},
		"unknown flow":   {[]string{"--only", "checkout"}, `unknown flow "checkout"`},
		"unknown format": {[]string{"--format", "xml"}, "want text, json or junit"},
		"unknown compat": {[]string{"--compat", "sdk-0.1"}, "compat"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, _, err := runScenarioCmd(t, nil, tc.args...)
			assert.Equal(t, 2, exitCode(t, err))
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestScenariosHelpAndList(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	require.NoError(t, run(t.Context(), []string{"scenarios", "list"}, func(string) string { return "" }, &out, &errb))
	for _, f := range scenarios.All() {
		assert.Contains(t, out.String(), f.Name)
	}

	out.Reset()
	err := run(t.Context(), []string{"scenarios", "run", "--help"}, func(string) string { return "" }, &out, &errb)
	require.NoError(t, err)
	assert.Contains(t, out.String(), "--target")

	err = run(t.Context(), []string{"scenarios"}, func(string) string { return "" }, &out, &errb)
	assert.Equal(t, 2, exitCode(t, err))
	err = run(t.Context(), []string{"scenarios", "walk"}, func(string) string { return "" }, &out, &errb)
	assert.Equal(t, 2, exitCode(t, err))
}

func TestProgressOnlyOnATerminal(t *testing.T) {
	t.Parallel()
	assert.False(t, isTerminal(&bytes.Buffer{}))
	f, err := os.Create(filepath.Join(t.TempDir(), "out.txt"))
	require.NoError(t, err)
	defer f.Close()
	assert.False(t, isTerminal(f), "a report redirected to a file gets no progress lines")
}

// With the admin token a run drives the mock's clock; without it, in the default sandbox, it
// stops before any flow, saying what it lacks, rather than run the flows without the clock.
func TestScenariosRunWithAnAdminToken(t *testing.T) {
	t.Parallel()
	url, _ := startServe(t, []string{"--admin-token", "s3cret"}, nil)
	args := []string{"--target", url, "--only", "token-refresh", "--format", "json"}
	stdout, stderr, err := runScenarioCmd(t, nil, append(args, "--admin-token", "s3cret")...)
	require.NoError(t, err, "stderr: %s", stderr)
	// By about 10 hours, to a second past the token's exp: how far depends on where in its
	// second the token was issued.
	assert.Regexp(t, `moved the mock clock forward by (9h59m5\d|10h0m)[0-9.]*s, past the access token's exp`, stdout, "the flow moves the sandbox clock")
	_, _, err = runScenarioCmd(t, nil, append(args, "--sandbox", "default")...)
	assert.Equal(t, 2, exitCode(t, err))
	assert.ErrorContains(t, err, "--admin-token")
}

// A mock that refuses the run a sandbox of its own (no admin token, or no room for one) stops
// the run with exit 2 and what to do, rather than let it change the default sandbox.
func TestRunsRefusedASandboxStopAndChangeNothing(t *testing.T) {
	t.Parallel()
	guarded, _ := startServe(t, []string{"--admin-token", "s3cret", "--log-level", "warn"}, nil)
	full, _ := startServe(t, []string{"--max-sandboxes", "1", "--log-level", "warn"}, nil)
	for _, tc := range []struct {
		url, token, hint string
	}{
		{guarded, "s3cret", "--admin-token"},
		{full, "", "--max-sandboxes"},
	} {
		journal := func() int {
			req, err := http.NewRequest(http.MethodGet, tc.url+"/__admin/requests/count", nil)
			require.NoError(t, err)
			req.Header.Set("x-admin-token", tc.token)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			var n struct {
				Count int `json:"count"`
			}
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&n))
			return n.Count
		}
		for _, args := range [][]string{
			{"scenarios", "run", "--target", tc.url, "--only", "ticket-purchase"},
			{"drift", "--target", tc.url, "--only", "ticket-purchase"},
		} {
			_, stderr, err := runCmd(t, nil, args...)
			require.Equal(t, 2, exitCode(t, err), "%s: %s", args[0], stderr)
			assert.Contains(t, err.Error(), "refused a sandbox for the run")
			assert.Contains(t, err.Error(), tc.hint)
			assert.Contains(t, err.Error(), "--sandbox default")
		}
		assert.Zero(t, journal(), "the default sandbox saw nothing")
	}
}

const allowFile = "../../drift-allow.yaml"

func runDriftCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	return runCmd(t, nil, append([]string{"drift"}, args...)...)
}

// TestDriftSeedCapsuleIsClean is the CI job: the mock against the seed capsule with the committed
// allow file exits 0, with every reported difference acknowledged.
func TestDriftSeedCapsuleIsClean(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "drift.json")
	_, stderr, err := runDriftCmd(t, "--target", seedCapsuleFile, "--allow", allowFile, "--format", "json", "--out", out)
	require.NoError(t, err, stderr)
	assert.Contains(t, stderr, "json drift report written to "+out)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	var r drift.Report
	require.NoError(t, json.Unmarshal(data, &r))
	assert.Equal(t, drift.TargetCapsule, r.TargetKind)
	assert.Zero(t, r.Summary.Breaking+r.Summary.Warnings+r.Summary.Info, "every difference is fixed or acknowledged")
	assert.Positive(t, r.Summary.Allowed)
}

// drifting serves the mock with order totals sent as strings in create answers: breaking.
func drifting(t *testing.T) string {
	return upstreamMock(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/orders-storage/marker/tickets/orders") {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			var order map[string]any
			if json.Unmarshal(rec.Body.Bytes(), &order) == nil && order["totalSum"] != nil {
				order["totalSum"] = "100"
			}
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.WriteHeader(rec.Code)
			_ = json.NewEncoder(w).Encode(order)
		})
	})
}

func TestDriftExitCodes(t *testing.T) {
	t.Parallel()
	badAllow := filepath.Join(t.TempDir(), "allow.yaml")
	require.NoError(t, os.WriteFile(badAllow, []byte("allow:\n  - {step: a/b, pointer: /x, kind: value, expires: 2030-01-01}\n"), 0o644))
	seed, err := os.ReadFile(seedCapsuleFile)
	require.NoError(t, err)
	unknownProfile := filepath.Join(t.TempDir(), "unknown-profile.capsule.json")
	require.NoError(t, os.WriteFile(unknownProfile, bytes.Replace(seed, []byte(`"profile": "sdk-1.0.115"`), []byte(`"profile": "nonsense"`), 1), 0o644))
	tests := map[string]struct {
		args []string
		code int
		want string
	}{
		"clean":            {[]string{"--target", upstreamMock(t, nil), "--only", "ticket-purchase", "--compat", "sdk-1.0.115"}, 0, "no breaking drift"},
		"breaking":         {[]string{"--target", drifting(t), "--only", "ticket-purchase", "--compat", "sdk-1.0.115"}, 1, "/totalSum"},
		"unreachable":      {[]string{"--target", testkit.UnreachableURL}, 2, ""},
		"missing capsule":  {[]string{"--target", "no-such.capsule.json"}, 2, ""},
		"bad allow file":   {[]string{"--target", seedCapsuleFile, "--allow", badAllow}, 2, ""},
		"no target":        {nil, 2, ""},
		"bad format":       {[]string{"--target", seedCapsuleFile, "--format", "html"}, 2, ""},
		"bad ignore":       {[]string{"--target", seedCapsuleFile, "--ignore", "items"}, 2, ""},
		"bad ignore glob":  {[]string{"--target", seedCapsuleFile, "--ignore", "/formData/["}, 2, ""},
		"unknown flow":     {[]string{"--target", seedCapsuleFile, "--only", "checkout"}, 2, ""},
		"live, no env set": {[]string{"--target", "live"}, 2, ""},
		"unknown profile":  {[]string{"--target", unknownProfile}, 2, ""},
		"unwritable out":   {[]string{"--target", seedCapsuleFile, "--out", filepath.Join(t.TempDir(), "missing", "drift.txt")}, 2, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			stdout, _, err := runDriftCmd(t, tc.args...)
			assert.Equal(t, tc.code, exitCode(t, err), "%v", err)
			assert.Contains(t, stdout, tc.want)
		})
	}
}

func TestDriftReportFormats(t *testing.T) {
	t.Parallel()
	target := drifting(t)
	dir := t.TempDir()
	xmlOut := filepath.Join(dir, "drift.xml")
	_, _, err := runDriftCmd(t, "--target", target, "--only", "ticket-purchase", "--format", "junit", "--out", xmlOut)
	assert.Equal(t, 1, exitCode(t, err))
	data, err := os.ReadFile(xmlOut)
	require.NoError(t, err)
	var doc struct {
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(data, &doc))
	require.Len(t, doc.Suites, 2)
	assert.Equal(t, "drift/report", doc.Suites[1].Name, "the report's notes")
	assert.Equal(t, 1, doc.Failures)
	for _, c := range doc.Suites[0].Cases {
		assert.Equal(t, c.Name == "create-order", c.Failure != nil, c.Name)
	}

	md, _, err := runDriftCmd(t, "--target", target, "--only", "ticket-purchase", "--format", "markdown", "--ignore", "/totalSum")
	assert.Equal(t, 1, exitCode(t, err), "an ignored pointer is not compared, but the answer still breaks the contract")
	assert.True(t, strings.HasPrefix(md, "## Contract drift: `mock vs "+target+" (url)`"), md)
	assert.Contains(t, md, "| breaking | `ticket-purchase/create-order` | `POST /api/content/orders-storage/marker/tickets/orders` | `/totalSum` | contract |")
	assert.NotContains(t, md, "| type |")
}

func TestDriftHelpDocumentsExitCodes(t *testing.T) {
	t.Parallel()
	stdout, _, err := runDriftCmd(t, "--help")
	require.NoError(t, err)
	for _, want := range []string{"Exit codes:", "0  no breaking drift", "1  breaking drift", "2  the run itself failed", "--target live|URL|CAPSULE_FILE"} {
		assert.Contains(t, stdout, want)
	}
}

// adminGet reads an admin endpoint of the default sandbox.
func adminGet[T any](t *testing.T, url string) T {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var v T
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&v))
	return v
}

// scenarios run --target URL runs in a sandbox of its own and deletes it, leaving the default
// sandbox untouched; --sandbox default runs in the default one.
func TestScenariosRunUsesItsOwnSandbox(t *testing.T) {
	t.Parallel()
	url, _ := startServe(t, []string{"--compat", "live-2026", "--log-level", "warn"}, nil)
	journal := func() int {
		return adminGet[struct {
			Count int `json:"count"`
		}](t, url+"/__admin/requests/count").Count
	}
	sandboxes := func() int { return len(adminGet[[]json.RawMessage](t, url+"/__admin/sandboxes")) }

	_, stderr, err := runCmd(t, nil, "scenarios", "run", "--target", url, "--only", "ticket-purchase")
	require.NoError(t, err, stderr)
	assert.Contains(t, stderr, "running in a new sandbox")
	assert.Zero(t, journal(), "the default sandbox saw nothing")
	assert.Equal(t, 1, sandboxes(), "the run's sandbox is deleted")

	_, stderr, err = runCmd(t, nil, "scenarios", "run", "--target", url, "--only", "ticket-purchase", "--sandbox", "default")
	require.NoError(t, err, stderr)
	assert.NotContains(t, stderr, "new sandbox")
	assert.Positive(t, journal(), "--sandbox default runs in the default sandbox")
}

// drift --target URL runs the URL side in a sandbox of its own, as scenarios run does, and says
// so in the report; --sandbox default runs it in the default one.
func TestDriftUsesItsOwnSandbox(t *testing.T) {
	t.Parallel()
	url, _ := startServe(t, []string{"--log-level", "warn"}, nil)
	journal := func() int {
		return adminGet[struct {
			Count int `json:"count"`
		}](t, url+"/__admin/requests/count").Count
	}
	sandboxes := func() int { return len(adminGet[[]json.RawMessage](t, url+"/__admin/sandboxes")) }

	stdout, stderr, err := runDriftCmd(t, "--target", url, "--only", "refund-request")
	require.NoError(t, err, stderr)
	assert.Contains(t, stdout, "the flows ran in a new sandbox")
	assert.Zero(t, journal(), "the default sandbox saw nothing")
	assert.Equal(t, 1, sandboxes(), "the run's sandbox is deleted")

	stdout, stderr, err = runDriftCmd(t, "--target", url, "--only", "refund-request", "--sandbox", "default")
	require.NoError(t, err, stderr)
	assert.NotContains(t, stdout, "new sandbox")
	assert.Positive(t, journal(), "--sandbox default runs in the default sandbox")
}

// The flow table of docs/scenarios-and-drift.md lists the flows `scenarios list` prints, in its
// order, so a flow added to the binary cannot go undocumented.
func TestScenariosDocListsEveryFlow(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile(filepath.Join(repoRoot, "docs", "scenarios-and-drift.md"))
	require.NoError(t, err)
	_, table, found := strings.Cut(string(doc), "| Flow | What it does |\n")
	require.True(t, found, "the flow table's header")
	table, _, _ = strings.Cut(table, "\n\n")
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([^`]+)` \\| ").FindAllStringSubmatch(table, -1) {
		documented = append(documented, m[1])
	}
	stdout, _, err := runCmd(t, nil, "scenarios", "list")
	require.NoError(t, err)
	var listed []string
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		listed = append(listed, strings.Fields(line)[0])
	}
	assert.Equal(t, listed, documented)
}
