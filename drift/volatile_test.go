package drift_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/drift"
	"github.com/oneentry-mock/oneentry-mock/exchange"
	"github.com/oneentry-mock/oneentry-mock/scenarios"
)

// TestMarkupIsNotAPlaceholder changes values that hold HTML: markup is content, not a redacted
// secret, so they are compared; what redaction leaves, whole or inside a longer value, is not.
// Only the stored files' links are volatile among the names ending in link.
func TestMarkupIsNotAPlaceholder(t *testing.T) {
	t.Parallel()
	result := func(body string) []scenarios.Result {
		return []scenarios.Result{{Flow: "ticket-purchase", Status: scenarios.StatusPassed, Steps: []scenarios.StepResult{
			{Name: "read-product", Status: scenarios.StatusPassed, Exchanges: []exchange.Exchange{
				{Method: "GET", Path: productPath, Status: 200, ResponseBody: json.RawMessage(body)},
			}},
		}}}
	}
	mock := result(`{"status":"paid","htmlValue":"<p>Standing zone by the stage.</p>","cta_link":"/tickets",
		"downloadLink":"http://127.0.0.1:8080/cloud-static/content/a.svg","previewLink":"http://127.0.0.1:8080/p.svg",
		"token":"<access-token-1>","email":"user1@example.test","code":"<one-time-code-2>","secret":"<password>",
		"paymentUrl":"http://127.0.0.1:8080/checkout/[redacted]/cs_1","note":"<secret-3>"}`)
	other := result(`{"status":"<b>paid</b>","htmlValue":"<p>Seated zone, row 12.</p>","cta_link":"/shop",
		"downloadLink":"https://cdn.example/cloud-static/content/a.svg","previewLink":"https://cdn.example/p.svg",
		"token":"opaque","email":"someone@mail.example","code":"123456","secret":"hunter2",
		"paymentUrl":"https://pay.example/checkout/tok/cs_2","note":"n"}`)
	r, err := drift.Compare(mock, other, drift.Options{})
	require.NoError(t, err)
	got := map[string]string{}
	for _, it := range r.Items() {
		got[it.Pointer] = it.Kind
	}
	assert.Equal(t, map[string]string{"/status": drift.KindEnum, "/htmlValue": drift.KindValue, "/cta_link": drift.KindValue}, got, textReport(t, r))
}
