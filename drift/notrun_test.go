package drift_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/drift"
	"github.com/oneentry-mock/oneentry-mock/exchange"
	"github.com/oneentry-mock/oneentry-mock/scenarios"
)

// TestStepNotRunOnOneSideIsReported stops the other side's flow at its first step: the steps
// it never reached compared nothing, and every report says so instead of passing them as
// agreeing. A step skipped where it ran compared nothing either way and is not reported.
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
		passed("new-step"),
	}}}
	r, err := drift.Compare(mock, other, drift.Options{Target: "http://other", TargetKind: drift.TargetURL})
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
