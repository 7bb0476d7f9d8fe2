package scenarios_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/exchange"
	"github.com/oneentry-mock/oneentry-mock/scenarios"
)

// answering returns a wrapper that answers requests matching method and path with status, and
// passes every other on.
func answering(method string, path *regexp.Regexp, status int) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != method || !path.MatchString(r.URL.Path) {
				next.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_ = json.NewEncoder(w).Encode(map[string]any{"statusCode": status, "message": http.StatusText(status)})
		})
	}
}

// caseNames returns the testcase names of a flow's JUnit report.
func caseNames(t *testing.T, r scenarios.Result) []string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, scenarios.WriteJUnit(&buf, []scenarios.Result{r}))
	doc := parseJUnit(t, buf.Bytes())
	require.Len(t, doc.Suites, 1)
	var names []string
	for _, c := range doc.Suites[0].Cases {
		names = append(names, c.Name)
	}
	return names
}

// A flow that stops at a failing or skipping step lists the steps it did not run as skipped, so
// its reports name the same testcases as a passing run's, and the traffic of a cleanup that
// then runs outside steps adds none.
func TestStepsAFlowDidNotRunAreReported(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		flow       scenarios.Flow
		method     string
		path       string
		status     int
		stoppedAt  string
		wantStatus scenarios.Status
		wantReason string
	}{
		"a failing step": {scenarios.Browse(), http.MethodGet, `^/api/content/products/\d+$`, http.StatusServiceUnavailable,
			"product", scenarios.StatusFailed, "not run: step product failed"},
		"a failing step before a cleanup": {scenarios.ContactForm(), http.MethodPost, `^/api/content/form-data/marker/contact_us$`, http.StatusServiceUnavailable,
			"read-by-marker", scenarios.StatusFailed, "not run: step read-by-marker failed"},
		"a skipping step": {scenarios.ContactForm(), http.MethodGet, `^/api/content/forms/marker/contact_us$`, http.StatusNotFound,
			"read-form", scenarios.StatusSkipped, "not run: step read-form was skipped"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			passed := scenarios.Run(t.Context(), scenarios.URLTarget(newSandbox(t, nil).URL, ""), tc.flow)
			requirePassed(t, passed)
			sb := newSandbox(t, answering(tc.method, regexp.MustCompile(tc.path), tc.status))
			stopped := scenarios.Run(t.Context(), scenarios.URLTarget(sb.URL, ""), tc.flow)[0]
			require.Equal(t, tc.wantStatus, stopped.Status, "%+v", stopped)

			var ran []string
			for _, s := range passed[0].Steps {
				ran = append(ran, s.Name)
			}
			assert.Equal(t, ran, caseNames(t, passed[0]))
			want := ran
			if tc.wantStatus == scenarios.StatusSkipped {
				// The skip of the whole flow has its testcase too, as a skip outside steps has.
				want = append(slices.Clone(ran), "(flow)")
			}
			assert.Equal(t, want, caseNames(t, stopped), "the same testcases as a passing run")

			var names []string
			after := false
			for _, s := range stopped.Steps {
				names = append(names, s.Name)
				if after && s.Name != "(outside steps)" {
					assert.Equal(t, scenarios.StatusSkipped, s.Status, s.Name)
					assert.True(t, s.NotRun, s.Name)
					assert.Equal(t, tc.wantReason, s.SkipReason, s.Name)
					assert.Empty(t, s.Exchanges, s.Name)
				} else {
					assert.False(t, s.NotRun, s.Name)
				}
				after = after || s.Name == tc.stoppedAt
			}
			assert.Subset(t, names, ran)

			var text bytes.Buffer
			require.NoError(t, scenarios.WriteText(&text, []scenarios.Result{stopped}))
			last := ran[len(ran)-1]
			assert.Regexp(t, regexp.MustCompile(`(?m)^`+stopped.Flow+`\s+`+last+`\s+skip\s+.*`+tc.wantReason+`$`), text.String())

			var js bytes.Buffer
			require.NoError(t, scenarios.WriteJSON(&js, []scenarios.Result{stopped}))
			var back []scenarios.Result
			require.NoError(t, json.Unmarshal(js.Bytes(), &back))
			require.Len(t, back, 1)
			assert.True(t, step(t, back[0], last).NotRun, "%s", js.Bytes())
		})
	}
}

// A cleanup's traffic outside steps that breaks the contract is a testcase of its own.
func TestJUnitReportsTrafficOutsideStepsOnlyWhenItFails(t *testing.T) {
	t.Parallel()
	outside := scenarios.StepResult{Name: "(outside steps)", Status: scenarios.StatusPassed, Notes: []string{"cleaned up"},
		Exchanges: []exchange.Exchange{{Method: "DELETE", Path: "/api/content/form-data/1", Status: 200}}}
	r := scenarios.Result{Flow: "contact-form", Target: "mock", Status: scenarios.StatusPassed,
		Steps: []scenarios.StepResult{{Name: "read-form", Status: scenarios.StatusPassed}, outside}}
	assert.Equal(t, []string{"read-form"}, caseNames(t, r))

	r.Steps[1].Status = scenarios.StatusFailed
	assert.Equal(t, []string{"read-form", "(outside steps)"}, caseNames(t, r))
}
