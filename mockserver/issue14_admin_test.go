package mockserver_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

func withMaxSandboxes(n int) serverOption {
	return func(mo *mockserver.Options) { mo.Sandbox.MaxSandboxes = n }
}

// adminLimits covers issue 14's admin limits through the admin contract: sandbox creation and
// fault rules are bounded (409 beyond), and counters a JavaScript client could not read, or
// whose next id would wrap, are refused (400 naming the counter).
func adminLimits(t *testing.T, ac *adminContract) {
	ts := newTestServer(t, withMaxSandboxes(3))
	var made []string
	for range 2 {
		sb := adminJSON[adminSandboxInfo](t, ac, ts, adminCall{method: http.MethodPost, path: "/__admin/sandboxes", status: http.StatusCreated})
		made = append(made, sb.AppToken)
	}
	_, body := ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/sandboxes", status: http.StatusConflict})
	assert.Contains(t, strings.Join(decodeError(t, http.StatusConflict, body).messages(), " "), "At most 3 sandboxes")
	list := adminJSON[[]adminSandboxInfo](t, ac, ts, adminCall{method: http.MethodGet, path: "/__admin/sandboxes", status: http.StatusOK})
	assert.Len(t, list, 3, "the refused call made nothing")
	ac.do(t, ts, adminCall{method: http.MethodDelete, path: "/__admin/sandboxes/" + made[0], status: http.StatusNoContent})
	ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/sandboxes", status: http.StatusCreated})

	rule := `{"path":"/api/content/products","status":503}`
	for range sandbox.MaxFaultRules {
		status, body := ts.call(t, http.MethodPost, "/__admin/faults", "", rule)
		require.Equal(t, http.StatusCreated, status, string(body))
	}
	_, body = ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/faults", body: rule, status: http.StatusConflict})
	assert.Contains(t, strings.Join(decodeError(t, http.StatusConflict, body).messages(), " "), "fault rules")
	status, body := ts.call(t, http.MethodGet, "/__admin/faults", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Len(t, decode[[]any](t, body), sandbox.MaxFaultRules)

	_, before := ac.do(t, ts, adminCall{method: http.MethodGet, path: "/__admin/state", status: http.StatusOK})
	for _, counter := range []string{"nextUserId", "nextAuthSessionId", "nextOrderId", "nextPaymentSessionId"} {
		// 2^53+1 is the same float64 as 2^53, so only the server tells it apart.
		for n, contractRefuses := range map[string]bool{"9223372036854775807": true, "9007199254740993": false} {
			doc := strings.Replace(emptyState, fmt.Sprintf(`"%s":1`, counter), fmt.Sprintf(`"%s":%s`, counter, n), 1)
			_, body := ac.do(t, ts, adminCall{method: http.MethodPut, path: "/__admin/state", body: doc, status: http.StatusBadRequest, badRequest: contractRefuses})
			assert.Contains(t, strings.Join(decodeError(t, http.StatusBadRequest, body).messages(), " "), "counters."+counter)
		}
	}
	_, after := ac.do(t, ts, adminCall{method: http.MethodGet, path: "/__admin/state", status: http.StatusOK})
	assert.JSONEq(t, string(before), string(after), "a refused document changes nothing")

	// The largest counter allowed still hands out a readable id.
	doc := strings.Replace(emptyState, `"nextOrderId":1`, `"nextOrderId":9007199254740992`, 1)
	ac.do(t, ts, adminCall{method: http.MethodPut, path: "/__admin/state", body: doc, status: http.StatusOK})
}
