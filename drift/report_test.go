package drift_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/drift"
	"github.com/oneentry-mock/oneentry-mock/exchange"
	"github.com/oneentry-mock/oneentry-mock/scenarios"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// allowDay is the day the tests judge their allow entries at, so that none expires with the
// real calendar.
var allowDay = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// sampleReport compares two hand-made runs, so the report is the same on every machine.
func sampleReport(t *testing.T) *drift.Report {
	t.Helper()
	ex := func(method, path string, status int, body string, headers map[string]string) exchange.Exchange {
		return exchange.Exchange{Method: method, Path: path, Status: status, ResponseBody: json.RawMessage(body), ResponseHeaders: headers}
	}
	jsonCORS := map[string]string{"content-type": "application/json; charset=utf-8", "access-control-allow-origin": "*"}
	order := `{"id":92,"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[{"marker":"tickets","type":"entity","value":["p-8-10"]}]},"products":[{"productId":10,"quantity":1}],"currency":"USD","totalSum":100,"createdDate":"2025-04-30T21:54:48.918Z"}`
	drifted := `{"id":7,"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":[{"marker":"tickets","type":"entity","value":["p-8-10"]}],"products":[{"productId":10,"quantity":1}],"totalSum":"100.00","createdDate":"2026-01-02T03:04:05.000Z","discount":0}`
	mock := []scenarios.Result{{Flow: "ticket-purchase", Status: scenarios.StatusPassed, Steps: []scenarios.StepResult{
		{Name: "read-form", Status: scenarios.StatusPassed, Exchanges: []exchange.Exchange{ex("GET", "/api/content/forms/marker/tickets_form", 200, `{"id":9,"identifier":"tickets_form","localizeInfos":{"title":"Билеты"}}`, jsonCORS)}},
		{Name: "read-product", Status: scenarios.StatusPassed, Exchanges: []exchange.Exchange{ex("GET", "/api/content/products/10", 200, `{"id":10,"price":100}`, jsonCORS)}},
		{Name: "create-order", Status: scenarios.StatusPassed, Exchanges: []exchange.Exchange{ex("POST", "/api/content/orders-storage/marker/tickets/orders", 201, order, jsonCORS)}},
	}}}
	other := []scenarios.Result{{Flow: "ticket-purchase", Status: scenarios.StatusFailed, Steps: []scenarios.StepResult{
		{Name: "read-form", Status: scenarios.StatusPassed, Exchanges: []exchange.Exchange{ex("GET", "/api/content/forms/marker/tickets_form", 200, `{"id":3,"identifier":"tickets_form","localizeInfos":{"en_US":{"title":"Tickets | 2025"}}}`, map[string]string{"content-type": "application/json"})}},
		{Name: "read-product", Status: scenarios.StatusFailed, Err: "oneentry: GET /api/content/products/10: 404 Not Found", Exchanges: []exchange.Exchange{ex("GET", "/api/content/products/10", 404, `{"statusCode":404,"message":"Not found","error":"Not Found","pageData":null,"timestamp":"2026-01-02T03:04:05.000Z"}`, jsonCORS)}},
		{Name: "create-order", Status: scenarios.StatusPassed, Exchanges: []exchange.Exchange{ex("POST", "/api/content/orders-storage/marker/tickets/orders", 201, drifted, jsonCORS)}},
	}}}
	allow, err := drift.ParseAllowFile([]byte(`
allow:
  - step: ticket-purchase/read-form
    pointer: /localizeInfos/title
    kind: value
    reason: the live project renamed its form
    expires: 2026-12-31
  - step: ticket-purchase/create-order
    pointer: /discount
    kind: new-field
    reason: discounts are not in the contract yet
    expires: 2025-01-31
`))
	require.NoError(t, err)
	r, err := drift.Compare(t.Context(), mock, other, drift.Options{Target: "https://project.oneentry.cloud", TargetKind: drift.TargetLive, Allow: allow, Now: allowDay})
	require.NoError(t, err)
	return r
}

func TestSampleReportClassification(t *testing.T) {
	t.Parallel()
	r := sampleReport(t)
	type key struct{ step, pointer, kind string }
	got := map[key]drift.Severity{}
	for _, it := range r.Items() {
		if it.Side == drift.SideMockOther {
			got[key{it.Step, it.Pointer, it.Kind}] = it.Severity
		}
	}
	assert.Equal(t, map[key]drift.Severity{
		{"read-form", "/localizeInfos/title", drift.KindValue}:                drift.SeverityInfo,
		{"read-form", "header/access-control-allow-origin", drift.KindHeader}: drift.SeverityWarning,
		{"read-product", "status", drift.KindStatusClass}:                     drift.SeverityBreaking,
		{"read-product", "", drift.KindStep}:                                  drift.SeverityWarning,
		{"create-order", "/currency", drift.KindFieldMissing}:                 drift.SeverityBreaking,
		{"create-order", "/totalSum", drift.KindType}:                         drift.SeverityBreaking,
		{"create-order", "/discount", drift.KindNewField}:                     drift.SeverityWarning,
	}, got, "the locale-keyed formData equals the flat one; ids and dates are volatile")
	assert.Equal(t, drift.Summary{Steps: 3, Breaking: 3, Warnings: 3, Info: 0, Allowed: 1}, r.Summary)
	require.Len(t, r.Expired, 1)
	assert.Equal(t, "/discount", r.Expired[0].Pointer)
	assert.Equal(t, drift.ExitBreaking, r.ExitCode())
}

func TestJSONReportParsesBack(t *testing.T) {
	t.Parallel()
	r := sampleReport(t)
	var b bytes.Buffer
	require.NoError(t, drift.Write(&b, "json", r))
	assert.Contains(t, b.String(), `"pointer": "-"`, "the body itself, as every report prints it and an allow entry names it")
	written := b.String()
	var back drift.Report
	dec := json.NewDecoder(&b)
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&back))
	// Items decode through their own UnmarshalJSON, which the decoder's strictness does not
	// reach: writing the decoded report again must give the same JSON, with nothing dropped.
	var again bytes.Buffer
	require.NoError(t, drift.Write(&again, "json", &back))
	assert.JSONEq(t, written, again.String())
	assert.Equal(t, r.Summary, back.Summary)
	assert.Equal(t, r.Items(), back.Items())
	assert.Equal(t, r.Target, back.Target)
	assert.Equal(t, len(r.Expired), len(back.Expired))
}

func TestJUnitReportParsesBack(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	require.NoError(t, drift.Write(&b, "junit", sampleReport(t)))
	require.True(t, strings.HasPrefix(b.String(), `<?xml version="1.0" encoding="UTF-8"?>`))
	doc, err := exchange.ReadJUnit(b.Bytes())
	require.NoError(t, err)
	require.Len(t, doc.Suites, 2)
	report := doc.Suites[1]
	assert.Equal(t, "drift/report", report.Name)
	assert.Zero(t, report.Tests)
	assert.Contains(t, report.SystemOut, "expired allow entry: ticket-purchase/create-order /discount new-field, expired 2025-01-31", "an expired entry is looked at again")
	s := doc.Suites[0]
	assert.Equal(t, "drift/ticket-purchase", s.Name)
	assert.Equal(t, 3, s.Tests)
	assert.Equal(t, 2, s.Failures)
	assert.Equal(t, 3, doc.Tests)
	assert.Equal(t, 2, doc.Failures)
	byName := map[string]int{}
	for i, c := range s.Cases {
		assert.Equal(t, "drift.ticket-purchase", c.ClassName)
		byName[c.Name] = i
	}
	form := s.Cases[byName["read-form"]]
	assert.Nil(t, form.Failure, "a warning and an acknowledged item do not fail the step")
	assert.Contains(t, form.SystemOut, "acknowledged until 2026-12-31")
	order := s.Cases[byName["create-order"]]
	require.NotNil(t, order.Failure)
	assert.Equal(t, "breaking", order.Failure.Type)
	assert.Equal(t, "2 breaking differences", order.Failure.Message)
	assert.Contains(t, order.Failure.Text, "breaking type /totalSum [mock-vs-other] POST /api/content/orders-storage/marker/tickets/orders: /totalSum is a number",
		"the request says which of a step's exchanges an item is about")
	assert.Contains(t, order.SystemOut, "new-field /discount")
}

func TestMarkdownReportGolden(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	require.NoError(t, drift.Write(&b, "markdown", sampleReport(t)))
	golden := filepath.Join("testdata", "report.md.golden")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(golden, b.Bytes(), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "go test ./drift -run TestMarkdownReportGolden -update")
	assert.Equal(t, string(want), b.String())
}

func TestTextReport(t *testing.T) {
	t.Parallel()
	out := textReport(t, sampleReport(t))
	for _, want := range []string{
		"oneentry-mock drift: mock vs https://project.oneentry.cloud (live)",
		"ticket-purchase/create-order  passed  passed  2",
		"breaking type           /totalSum",
		"expired allow entries",
		"BREAKING DRIFT: 3 breaking, 3 warnings, 0 info, 1 acknowledged in 3 steps (exit 1)",
	} {
		assert.Contains(t, out, want)
	}
	assert.ErrorContains(t, drift.Write(&bytes.Buffer{}, "yaml", sampleReport(t)), `unknown format "yaml"`)
}

// TestStepNotRunOnOneSideIsReported stops the other side's flow at its first step: the steps
// it never reached (listed by the run as not run, or missing) compared nothing, and every
// report says so instead of passing them as agreeing. A step skipped where it ran compared nothing either way and is not reported.
func TestStepNotRunOnOneSideIsReported(t *testing.T) {
	t.Parallel()
	form := exchange.Exchange{Method: "GET", Path: formPath, Status: 200, ResponseBody: []byte(`{"identifier":"tickets_form"}`)}
	passed := func(name string) scenarios.StepResult {
		return scenarios.StepResult{Name: name, Status: scenarios.StatusPassed, Exchanges: []exchange.Exchange{form}}
	}
	mock := []scenarios.Result{{Flow: "ticket-purchase", Status: scenarios.StatusPassed, Steps: []scenarios.StepResult{
		passed("read-form"), passed("create-order"),
		{Name: "pay", Status: scenarios.StatusSkipped, SkipReason: "no payment account"},
	}}}
	other := []scenarios.Result{{Flow: "ticket-purchase", Status: scenarios.StatusFailed, Steps: []scenarios.StepResult{
		{Name: "read-form", Status: scenarios.StatusFailed, Err: "no ticket type to pick", Exchanges: []exchange.Exchange{form}},
		{Name: "create-order", Status: scenarios.StatusSkipped, SkipReason: "not run: step read-form failed", NotRun: true},
		passed("new-step"),
	}}}
	r, err := drift.Compare(t.Context(), mock, other, drift.Options{Target: "http://other", TargetKind: drift.TargetURL})
	require.NoError(t, err)

	type got struct{ mock, other string }
	notRun := map[string]got{}
	for _, it := range r.Items() {
		if it.Kind == drift.KindStep && it.StepID() != "ticket-purchase/read-form" {
			assert.Equal(t, drift.SeverityInfo, it.Severity)
			assert.Contains(t, it.Message, "did not run")
			notRun[it.Step] = got{it.Mock, it.Other}
		}
	}
	assert.Equal(t, map[string]got{"create-order": {"passed", "not run"}, "new-step": {"not run", "passed"}}, notRun, textReport(t, r))
	assert.Equal(t, 2, r.Summary.Info)

	var md bytes.Buffer
	require.NoError(t, drift.WriteMarkdown(&md, r))
	assert.Contains(t, md.String(), "| `ticket-purchase/create-order` | passed | not run |")
	assert.Contains(t, md.String(), "did not run on the other side")

	var xml bytes.Buffer
	require.NoError(t, drift.WriteJUnit(&xml, r))
	doc, err := exchange.ReadJUnit(xml.Bytes())
	require.NoError(t, err)
	skipped := map[string]bool{}
	for _, c := range doc.Suites[0].Cases {
		skipped[c.Name] = c.Skipped != nil
		if c.Name == "create-order" {
			assert.Contains(t, c.SystemOut, "did not run on the other side")
		}
	}
	assert.Equal(t, map[string]bool{"read-form": false, "create-order": true, "pay": true, "new-step": true}, skipped)
}
