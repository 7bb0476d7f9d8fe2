package drift_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/drift"
	"github.com/oneentry-mock/oneentry-mock/exchange"
	"github.com/oneentry-mock/oneentry-mock/scenarios"
)

const (
	ordersPath   = "/api/content/orders-storage/marker/tickets/orders"
	formPath     = "/api/content/forms/marker/tickets_form"
	productPath  = "/api/content/products/10"
	sessionsPath = "/api/content/payments/sessions"
)

// TestIdenticalRunsHaveNoDrift compares the mock with itself at another time: ids, dates and
// tokens differ, nothing is reported.
func TestIdenticalRunsHaveNoDrift(t *testing.T) {
	t.Parallel()
	mock := run(t, scenarios.MockOptions{})
	other := run(t, scenarios.MockOptions{Now: scenarios.SeedTime.Add(26*time.Hour + 7*time.Second)})
	r, err := drift.Compare(t.Context(), mock, other, drift.Options{Target: "mock at another time", TargetKind: drift.TargetURL})
	require.NoError(t, err)
	assert.Empty(t, r.Items(), "volatile values are not compared")
	assert.Equal(t, drift.ExitOK, r.ExitCode())
	assert.Greater(t, r.Summary.Steps, 30)
}

// TestDriftedServerIsClassified runs the ticket flow against the mock and against the mock behind
// a response-rewriting wrapper, one rewrite per difference class, and checks the report names
// the class at the right step and pointer.
func TestDriftedServerIsClassified(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		rule     rewrite
		step     string
		pointer  string
		kind     string
		severity drift.Severity
	}{
		"field removed": {
			rewrite{http.MethodPost, ordersPath, func(_ *int, _ http.Header, b any) any { delete(obj(b), "currency"); return b }},
			"ticket-purchase/create-order", "/currency", drift.KindFieldMissing, drift.SeverityBreaking,
		},
		"type changed": {
			rewrite{http.MethodPost, ordersPath, func(_ *int, _ http.Header, b any) any { obj(b)["totalSum"] = "100"; return b }},
			"ticket-purchase/create-order", "/totalSum", drift.KindType, drift.SeverityBreaking,
		},
		"object to array": {
			rewrite{http.MethodGet, formPath, func(_ *int, _ http.Header, b any) any {
				obj(b)["localizeInfos"] = []any{obj(b)["localizeInfos"]}
				return b
			}},
			"ticket-purchase/read-form", "/localizeInfos", drift.KindObjectArray, drift.SeverityBreaking,
		},
		"status changed": {
			rewrite{http.MethodGet, productPath, func(status *int, _ http.Header, _ any) any {
				*status = http.StatusNotFound
				return map[string]any{"statusCode": 404, "message": "Not found", "error": "Not Found", "pageData": nil, "timestamp": "2025-04-30T21:54:48.918Z"}
			}},
			"ticket-purchase/read-product", "status", drift.KindStatusClass, drift.SeverityBreaking,
		},
		"required field became null": {
			rewrite{http.MethodPost, sessionsPath, func(_ *int, _ http.Header, b any) any { obj(b)["type"] = nil; return b }},
			"ticket-purchase/create-session", "/type", drift.KindBecameNull, drift.SeverityBreaking,
		},
		"new field": {
			rewrite{http.MethodPost, ordersPath, func(_ *int, _ http.Header, b any) any { obj(b)["discount"] = json.Number("5"); return b }},
			"ticket-purchase/create-order", "/discount", drift.KindNewField, drift.SeverityWarning,
		},
		"nullability widened": {
			rewrite{http.MethodGet, productPath, func(_ *int, _ http.Header, b any) any { obj(b)["price"] = nil; return b }},
			"ticket-purchase/read-product", "/price", drift.KindNullability, drift.SeverityWarning,
		},
		"enum-like value not seen before": {
			rewrite{http.MethodPost, sessionsPath, func(_ *int, _ http.Header, b any) any { obj(b)["status"] = "pending"; return b }},
			"ticket-purchase/create-session", "/status", drift.KindEnum, drift.SeverityWarning,
		},
		"CORS header": {
			rewrite{http.MethodGet, formPath, func(_ *int, h http.Header, b any) any { h.Del("Access-Control-Allow-Origin"); return b }},
			"ticket-purchase/read-form", "header/access-control-allow-origin", drift.KindHeader, drift.SeverityWarning,
		},
		"content type": {
			rewrite{http.MethodGet, formPath, func(_ *int, h http.Header, b any) any { h.Set("Content-Type", "text/json"); return b }},
			"ticket-purchase/read-form", "header/content-type", drift.KindHeader, drift.SeverityWarning,
		},
		"value changed": {
			rewrite{http.MethodGet, formPath, func(_ *int, _ http.Header, b any) any {
				obj(obj(b)["localizeInfos"])["title"] = "Tickets"
				return b
			}},
			"ticket-purchase/read-form", "/localizeInfos/title", drift.KindValue, drift.SeverityInfo,
		},
	}
	flow := scenarios.TicketPurchase()
	mock := run(t, scenarios.MockOptions{}, flow)
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			other := run(t, scenarios.MockOptions{Wrap: drifted(tc.rule)}, flow)
			r, err := drift.Compare(t.Context(), mock, other, drift.Options{Target: "drifted", TargetKind: drift.TargetURL})
			require.NoError(t, err)

			got := find(r, tc.step, tc.pointer)
			require.NotEmpty(t, got, "no item at %s %s; report:\n%s", tc.step, tc.pointer, textReport(t, r))
			assert.Equal(t, tc.kind, got[0].Kind)
			assert.Equal(t, tc.severity, got[0].Severity)
			assert.Equal(t, 1, got[0].Exchange)

			// Nothing breaks anywhere else: the class is reported where the drift is, and only there.
			for _, it := range r.Items() {
				if it.Severity == drift.SeverityBreaking {
					assert.Equal(t, tc.step, it.StepID(), "unexpected breaking item %+v", it)
				}
			}
			want := drift.ExitOK
			if tc.severity == drift.SeverityBreaking {
				want = drift.ExitBreaking
			}
			assert.Equal(t, want, r.ExitCode())
		})
	}
}

// TestOtherSideContractViolationsAreReported checks the other-vs-contract column: a removed
// required field is both a difference and a breach of the contract.
func TestOtherSideContractViolationsAreReported(t *testing.T) {
	t.Parallel()
	flow := scenarios.TicketPurchase()
	mock := run(t, scenarios.MockOptions{}, flow)
	other := run(t, scenarios.MockOptions{Wrap: drifted(rewrite{http.MethodPost, ordersPath, func(_ *int, _ http.Header, b any) any {
		delete(obj(b), "currency")
		obj(b)["extra"] = true
		return b
	}})}, flow)
	r, err := drift.Compare(t.Context(), mock, other, drift.Options{})
	require.NoError(t, err)
	var kinds = map[string]drift.Severity{}
	for _, it := range r.Items() {
		if it.Side == drift.SideOtherContract {
			assert.Equal(t, "ticket-purchase/create-order", it.StepID())
			assert.Equal(t, "POST "+ordersPath, it.Request)
			kinds[it.Pointer] = it.Severity
		}
		assert.NotEqual(t, drift.SideMockContract, it.Side, "the mock keeps its contract")
	}
	assert.Equal(t, map[string]drift.Severity{"/currency": drift.SeverityBreaking, "/extra": drift.SeverityWarning}, kinds)
}

func TestIgnorePointers(t *testing.T) {
	t.Parallel()
	flow := scenarios.TicketPurchase()
	mock := run(t, scenarios.MockOptions{}, flow)
	other := run(t, scenarios.MockOptions{Wrap: drifted(rewrite{http.MethodGet, formPath, func(_ *int, _ http.Header, b any) any {
		attrs := obj(b)["attributes"].([]any)
		obj(obj(attrs[1])["localizeInfos"])["title"] = "Tickets"
		obj(obj(b)["localizeInfos"])["titleForSite"] = "Tickets"
		return b
	}})}, flow)
	r, err := drift.Compare(t.Context(), mock, other, drift.Options{Ignore: []string{"/attributes/*/localizeInfos"}})
	require.NoError(t, err)
	var pointers []string
	for _, it := range r.Items() {
		pointers = append(pointers, it.Pointer)
	}
	assert.Equal(t, []string{"/localizeInfos/titleForSite"}, pointers, "the ignored subtree is not compared, the rest is")
}

// TestLocaleMapsAreUnwrapped compares a locale-keyed answer with the flat one the SDK turns it
// into: no difference.
func TestLocaleMapsAreUnwrapped(t *testing.T) {
	t.Parallel()
	flow := scenarios.TicketPurchase()
	mock := run(t, scenarios.MockOptions{}, flow)
	other := run(t, scenarios.MockOptions{Wrap: drifted(rewrite{http.MethodGet, formPath, func(_ *int, _ http.Header, b any) any {
		obj(b)["localizeInfos"] = map[string]any{"en_US": obj(b)["localizeInfos"]}
		return b
	}})}, flow)
	r, err := drift.Compare(t.Context(), mock, other, drift.Options{})
	require.NoError(t, err)
	assert.Empty(t, find(r, "ticket-purchase/read-form", "/localizeInfos"))
	r, err = drift.Compare(t.Context(), mock, other, drift.Options{Language: "ru_RU"})
	require.NoError(t, err)
	assert.NotEmpty(t, r.Items(), "only the requested language's maps are unwrapped")
}

// TestIgnoreSlashIsTheEmptyKey ignores "/", which RFC 6901 reads as the member whose key is
// empty: that member is not compared, the rest of the body still is.
func TestIgnoreSlashIsTheEmptyKey(t *testing.T) {
	t.Parallel()
	result := func(body string) []scenarios.Result {
		return []scenarios.Result{{Flow: "ticket-purchase", Status: scenarios.StatusPassed, Steps: []scenarios.StepResult{
			{Name: "read-product", Status: scenarios.StatusPassed, Exchanges: []exchange.Exchange{
				{Method: "GET", Path: productPath, Status: 200, ResponseBody: json.RawMessage(body)},
			}},
		}}}
	}
	mock := result(`{"":"a","price":100,"title":{"":"x"}}`)
	other := result(`{"":"b","price":"100","title":{"":"y"}}`)
	allow, err := drift.ParseAllowFile([]byte("ignore:\n  - /\n"))
	require.NoError(t, err)
	for name, opts := range map[string]drift.Options{
		"--ignore":            {Ignore: []string{"/"}},
		"the allow's ignore:": {Allow: allow},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r, err := drift.Compare(t.Context(), mock, other, opts)
			require.NoError(t, err)
			var pointers []string
			for _, it := range r.Items() {
				pointers = append(pointers, it.Pointer)
			}
			assert.ElementsMatch(t, []string{"/price", "/title/"}, pointers, textReport(t, r))
		})
	}
}

// TestContractPointerIsUnwrapped drops a required field inside the order's locale-keyed
// formData: the contract item names it by the unwrapped pointer, as the difference does, so
// both point at the same field and one allow pointer covers both.
func TestContractPointerIsUnwrapped(t *testing.T) {
	t.Parallel()
	flow := scenarios.TicketPurchase()
	mock := run(t, scenarios.MockOptions{}, flow)
	other := run(t, scenarios.MockOptions{Wrap: drifted(rewrite{http.MethodPost, ordersPath, func(_ *int, _ http.Header, b any) any {
		fd := obj(obj(b)["formData"])["en_US"].([]any)
		delete(obj(fd[1]), "type")
		return b
	}})}, flow)
	r, err := drift.Compare(t.Context(), mock, other, drift.Options{})
	require.NoError(t, err)
	bySide := map[string]string{}
	for _, it := range r.Items() {
		// The breach also fails the step on the other side, a step item of no pointer.
		if it.StepID() == "ticket-purchase/create-order" && it.Kind != drift.KindStep {
			bySide[it.Side+" "+it.Kind] = it.Pointer
		}
	}
	assert.Equal(t, map[string]string{
		drift.SideOtherContract + " " + drift.KindContract: "/formData/1/type",
		drift.SideMockOther + " " + drift.KindFieldMissing: "/formData/1/type",
	}, bySide, textReport(t, r))
}

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
	r, err := drift.Compare(t.Context(), mock, other, drift.Options{})
	require.NoError(t, err)
	got := map[string]string{}
	for _, it := range r.Items() {
		got[it.Pointer] = it.Kind
	}
	assert.Equal(t, map[string]string{"/status": drift.KindEnum, "/htmlValue": drift.KindValue, "/cta_link": drift.KindValue}, got, textReport(t, r))
}
