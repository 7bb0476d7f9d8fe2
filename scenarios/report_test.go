package scenarios_test

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/exchange"
	"github.com/oneentry-mock/oneentry-mock/scenarios"
)

// parseJUnit reads a report as CI systems do, and checks what scenario reports add: a suite
// per flow with its start time, and cases named after their flow.
func parseJUnit(t *testing.T, data []byte) *exchange.Suites {
	t.Helper()
	doc, err := exchange.ReadJUnit(data)
	require.NoError(t, err, "%s", data)
	require.NotEmpty(t, doc.Time)
	for _, s := range doc.Suites {
		_, err := time.Parse("2006-01-02T15:04:05", s.Timestamp)
		require.NoError(t, err)
		for _, c := range s.Cases {
			assert.Equal(t, s.Name, c.ClassName)
			_, err := strconv.ParseFloat(c.Time, 64)
			require.NoError(t, err)
		}
	}
	return doc
}

// sampleResults covers every shape a report must render: a pass, a failed step with a
// violation, a skipped flow and a flow that failed outside its steps.
func sampleResults() []scenarios.Result {
	started := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	ok := scenarios.StepResult{Name: "login", Status: scenarios.StatusPassed, Duration: 3 * time.Millisecond, Exchanges: []exchange.Exchange{
		{Method: "POST", Path: "/api/content/users-auth-providers/marker/email/users/auth", Status: 201, ResponseBody: json.RawMessage(`{"accessToken":"[redacted]"}`)},
	}}
	failed := scenarios.StepResult{Name: "create-order", Status: scenarios.StatusFailed, Err: "totalSum 90.00, want <the ticket's price> 100.00", Duration: time.Millisecond,
		Exchanges: []exchange.Exchange{{Method: "POST", Path: "/api/content/orders-storage/marker/tickets/orders",
			RequestBody: json.RawMessage(`{"products":[{"productId":10,"quantity":1}]}`), Status: 201, ResponseBody: json.RawMessage(`{"id":92,"totalSum":90}`)}},
		Violations: []contracts.Violation{{Phase: "response", Method: "POST", Path: "/api/content/orders-storage/marker/tickets/orders", Status: 201,
			Pointer: "/currency", Field: "currency", Reason: "is required", Kind: contracts.KindRequired}}}
	return []scenarios.Result{
		{Flow: "ticket-purchase", Target: "mock", Status: scenarios.StatusFailed, Started: started, Duration: 5 * time.Millisecond,
			Steps: []scenarios.StepResult{ok, failed}},
		{Flow: "isolation", Target: "mock", Status: scenarios.StatusSkipped, Started: started, SkipReason: "needs a second user", Steps: []scenarios.StepResult{}},
		{Flow: "pagination", Target: "mock", Status: scenarios.StatusFailed, Started: started, Err: "target mock: target unreachable", Steps: []scenarios.StepResult{}},
	}
}

func TestWriteJUnit(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	require.NoError(t, scenarios.WriteJUnit(&buf, sampleResults()))
	assert.True(t, strings.HasPrefix(buf.String(), `<?xml version="1.0" encoding="UTF-8"?>`))
	doc := parseJUnit(t, buf.Bytes())

	require.Len(t, doc.Suites, 3)
	purchase := doc.Suites[0]
	assert.Equal(t, "ticket-purchase", purchase.Name)
	assert.Equal(t, &exchange.Properties{Property: []exchange.Property{{Name: "target", Value: "mock"}}}, purchase.Properties)
	require.Len(t, purchase.Cases, 2)
	assert.Equal(t, "login", purchase.Cases[0].Name)
	assert.Nil(t, purchase.Cases[0].Failure)
	assert.Equal(t, "0.003", purchase.Cases[0].Time)

	fail := purchase.Cases[1].Failure
	require.NotNil(t, fail, "a failing step is a failure, not a pass")
	assert.Equal(t, "totalSum 90.00, want <the ticket's price> 100.00", fail.Message)
	assert.Contains(t, fail.Text, "at /currency: currency is required (required)")
	assert.Contains(t, fail.Text, "> POST /api/content/orders-storage/marker/tickets/orders")
	assert.Contains(t, fail.Text, `> {"products":[{"productId":10,"quantity":1}]}`)
	assert.Contains(t, fail.Text, `< {"id":92,"totalSum":90}`)

	assert.NotNil(t, doc.Suites[1].Cases[0].Skipped)
	assert.Equal(t, "(flow)", doc.Suites[1].Cases[0].Name)
	require.NotNil(t, doc.Suites[2].Cases[0].Error)
	assert.Contains(t, doc.Suites[2].Cases[0].Error.Message, "unreachable")
	assert.Equal(t, 1, doc.Failures)
	assert.Equal(t, 1, doc.Errors)
	assert.Equal(t, 1, doc.Skipped)
}

func TestWriteJUnitOfARealRun(t *testing.T) {
	t.Parallel()
	tg := mockTarget(t, scenarios.MockOptions{})
	results := scenarios.Run(t.Context(), tg, scenarios.All()...)
	var buf bytes.Buffer
	require.NoError(t, scenarios.WriteJUnit(&buf, results))
	doc := parseJUnit(t, buf.Bytes())
	var steps int
	for _, r := range results {
		for _, s := range r.Steps {
			// A cleanup's traffic outside steps is a testcase only when it breaks the contract.
			if s.Name != "(outside steps)" || s.Failed() {
				steps++
			}
		}
	}
	assert.Equal(t, steps, doc.Tests)
	assert.Zero(t, doc.Failures)
}

func TestWriteJSONRoundTrips(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	want := sampleResults()
	require.NoError(t, scenarios.WriteJSON(&buf, want))
	var got []scenarios.Result
	require.NoError(t, json.Unmarshal(buf.Bytes(), &got))
	// Bodies come back indented as written; compacted they are the same.
	wantJSON, err := json.Marshal(want)
	require.NoError(t, err)
	gotJSON, err := json.Marshal(got)
	require.NoError(t, err)
	assert.Equal(t, string(wantJSON), string(gotJSON))
	assert.Equal(t, want[0].Steps[1].Violations, got[0].Steps[1].Violations)
	assert.Equal(t, want[0].Started, got[0].Started)
	assert.Contains(t, buf.String(), `want <the ticket's price>`, "HTML is not escaped")
}

func TestWriteText(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	require.NoError(t, scenarios.WriteText(&buf, sampleResults()))
	out := buf.String()
	lines := strings.Split(out, "\n")
	assert.Regexp(t, `^FLOW\s+STEP\s+RESULT\s+TIME\s+HTTP\s+NOTE$`, lines[0])
	assert.Regexp(t, `^ticket-purchase\s+login\s+ok\s+3ms\s+201\s*$`, lines[1])
	assert.Regexp(t, `^ticket-purchase\s+create-order\s+FAIL\s+1ms\s+201\s+totalSum 90.00`, lines[2])
	assert.Regexp(t, `^isolation\s+-\s+skip\s+.*needs a second user`, lines[3])
	assert.Contains(t, out, "Failures:")
	assert.Contains(t, out, "ticket-purchase / create-order\n  error: totalSum 90.00")
	assert.Contains(t, out, "  contract: response POST /api/content/orders-storage/marker/tickets/orders -> 201 at /currency")
	assert.Contains(t, out, "3 flows: 0 passed, 2 failed, 1 skipped; 2 steps: 1 passed, 1 failed, 0 skipped; 1 contract violations on mock")
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	s := scenarios.Summarize(sampleResults())
	assert.Equal(t, scenarios.Summary{Flows: 3, FlowsFailed: 2, FlowsSkipped: 1, Steps: 2, StepsPassed: 1, StepsFailed: 1, Violations: 1}, s)
	assert.True(t, s.Failed())
}

// A target may put bytes that are not UTF-8 in a JSON error message; Go keeps them in the
// recorded body, and a report that copied them would not parse in stricter readers (Python).
func TestWriteJSONIsValidUTF8(t *testing.T) {
	t.Parallel()
	results := sampleResults()
	valid := string(results[0].Steps[0].Exchanges[0].ResponseBody)
	results[0].Steps[1].Exchanges[0].ResponseBody = json.RawMessage("{\"statusCode\":400,\"message\":\"bad \xff\xfe name: \xe9t\xe9\"}")
	var buf bytes.Buffer
	require.NoError(t, scenarios.WriteJSON(&buf, results))
	require.True(t, utf8.Valid(buf.Bytes()), "%q", buf.String())
	assert.Contains(t, buf.String(), `"message": "bad \ufffd name: \ufffdt\ufffd"`, "as encoding/json writes such bytes in a string")
	var got []scenarios.Result
	require.NoError(t, json.Unmarshal(buf.Bytes(), &got))
	assert.JSONEq(t, valid, string(got[0].Steps[0].Exchanges[0].ResponseBody), "a valid body is kept as it was")
}

// Flows that create data on a live project name it in every report, so it can be found and
// deleted: JSON has it as data, text as a line per flow, JUnit in the creating step's output.
func TestReportsListCreatedData(t *testing.T) {
	t.Parallel()
	results := sampleResults()
	results[0].Created = []scenarios.Created{
		{Kind: "order", Storage: "tickets", ID: 92, Step: "create-order"},
		{Kind: "payment-session", ID: 7, Step: "create-order"},
		{Kind: "order", Storage: "tickets", ID: 93, Step: "login"},
		{Kind: "payment-session", ID: 8, Step: "read-back"},
	}

	var text bytes.Buffer
	require.NoError(t, scenarios.WriteText(&text, results))
	assert.Contains(t, text.String(), "\nCreated:\n  ticket-purchase: order 92 in storage tickets, payment-session 7, order 93 in storage tickets, payment-session 8\n")
	assert.Equal(t, 1, strings.Count(text.String(), "Created:"), "flows that created nothing are not listed")

	var junit bytes.Buffer
	require.NoError(t, scenarios.WriteJUnit(&junit, results))
	doc := parseJUnit(t, junit.Bytes())
	cases := doc.Suites[0].Cases
	assert.Equal(t, "created order 93 in storage tickets", cases[0].SystemOut)
	assert.Equal(t, "created order 92 in storage tickets\ncreated payment-session 7", cases[1].SystemOut)
	assert.Contains(t, doc.Suites[0].Properties.Property, exchange.Property{Name: "created", Value: "payment-session 8 (step read-back)"},
		"an entity credited to a step the result does not hold is still listed")
	assert.Empty(t, doc.Suites[1].Cases[0].SystemOut)
}
