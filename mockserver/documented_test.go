package mockserver_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/exchange"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// The numbers below are the ones docs/api.md and docs/admin.md give, written out rather than
// read from the constants, so that changing a limit without its documentation fails here.

// x-device-metadata up to 2048 bytes and deviceInfo fields up to 256 (docs/api.md, "Active
// sessions").
func TestDocumentedDeviceMetadataSizes(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	login := func(metadata string) int {
		t.Helper()
		status, _ := ts.callWith(t, http.MethodPost, authPath, "", authBody(userLogin, userPass), map[string]string{"x-app-token": appToken, "x-device-metadata": metadata})
		return status
	}
	device := func(os string) string {
		return `{"fingerprint":"f","deviceInfo":{"os":"` + os + `","browser":"b","location":"l"}}`
	}
	padded := func(size int) string {
		short := device("")
		return `{"fingerprint":"` + strings.Repeat("f", size-len(short)+1) + short[len(`{"fingerprint":"f`):]
	}
	require.Len(t, padded(2048), 2048)
	assert.Equal(t, http.StatusCreated, login(padded(2048)))
	assert.Equal(t, http.StatusBadRequest, login(padded(2049)))
	assert.Equal(t, http.StatusCreated, login(device(strings.Repeat("o", 256))))
	assert.Equal(t, http.StatusBadRequest, login(device(strings.Repeat("o", 257))))
}

// A user keeps at most 100 sessions per provider; the 101st login ends the oldest (docs/api.md,
// "Active sessions").
func TestDocumentedSessionsPerUser(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	first := ts.login(t, userLogin, userPass)
	for range 99 {
		ts.login(t, userLogin, userPass)
	}
	status, body := ts.post(t, usersBase+"refresh", map[string]string{"refreshToken": first.RefreshToken})
	require.Equal(t, http.StatusCreated, status, "100 sessions keep the first: %s", body)
	first = decode[tokens](t, body)
	ts.login(t, userLogin, userPass)
	status, _ = ts.post(t, usersBase+"refresh", map[string]string{"refreshToken": first.RefreshToken})
	assert.Equal(t, http.StatusUnauthorized, status, "the 101st ends the oldest")
}

// An eventIdentifier of 128 bytes is taken, one of 129 is not (docs/api.md, "Auth codes").
func TestDocumentedEventIdentifierSize(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for size, want := range map[int]int{128: http.StatusCreated, 129: http.StatusBadRequest} {
		status, body := ts.post(t, usersBase+"generate-code", map[string]string{"userIdentifier": userLogin, "eventIdentifier": strings.Repeat("e", size)})
		assert.Equal(t, want, status, "%d bytes: %s", size, body)
	}
}

// Fault latency 0–60000 ms, and at most 1000 rules (docs/admin.md, "Fault injection").
func TestDocumentedFaultLimits(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	add := func(rule string) int {
		t.Helper()
		status, _ := ts.call(t, http.MethodPost, "/__admin/faults", "", rule)
		return status
	}
	assert.Equal(t, http.StatusBadRequest, add(`{"path":"/api/content/pages","latency":{"fixedMs":60001}}`))
	for i := range 1000 {
		require.Equal(t, http.StatusCreated, add(fmt.Sprintf(`{"path":"/api/content/pages/%d","latency":{"fixedMs":60000}}`, i)), "rule %d", i)
	}
	assert.Equal(t, http.StatusConflict, add(`{"path":"/api/content/pages","status":503}`))
}

// A browser may read X-Mock-Limit (docs/admin.md, "Origins and hosts"), and a field named
// secretKey is masked (docs/admin.md, "Request journal").
func TestDocumentedHeadersAndSecrets(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	req, err := http.NewRequest(http.MethodGet, ts.URL+"/api/content/forms/marker/tickets_form", nil)
	require.NoError(t, err)
	req.Header.Set("Origin", "http://shop.test")
	req.Header.Set("x-app-token", appToken)
	resp, err := ts.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	exposed := strings.Split(resp.Header.Get("Access-Control-Expose-Headers"), ", ")
	assert.ElementsMatch(t, []string{"X-Request-Id", "X-Mock-Fault", "X-Mock-Limit", "X-Mock-Nearest-Route"}, exposed)
	for _, name := range []string{"secretKey", "password", "accessToken", "refreshToken"} {
		assert.True(t, exchange.IsSecretName(name), name)
	}
}

// A repeated query parameter: each value is checked, the first is used (docs/api.md,
// "Pagination").
func TestDocumentedFirstOfARepeatedParameterIsUsed(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	status, body := ts.call(t, http.MethodGet, "/api/content/forms?limit=1&limit=2", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Len(t, decode[struct{ Items []any }](t, body).Items, 1)
}

// The provider's config shows the lifetimes the mock enforces (docs/api.md, "Auth provider
// config"), whatever they are set to.
func TestDocumentedProviderConfigShowsTheLifetimes(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withAccessTTL(90*time.Minute), func(mo *mockserver.Options) { mo.Sandbox.RefreshTokenTTL = 48 * time.Hour })
	status, body := ts.call(t, http.MethodGet, "/api/content/users-auth-providers/marker/email", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	config := decode[struct{ Config map[string]any }](t, body).Config
	assert.Equal(t, "5400", config["accessTokenTtlSec"])
	assert.Equal(t, "172800", config["refreshTokenTtlMc"])
}

// A declined payment keeps the session waiting and is counted (docs/api.md, "Payment
// lifecycle"); the dashboard's order page shows the count.
func TestDocumentedDeclinesAreCounted(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	f := ts.openStripeSession(t, 10, 1)
	for range 2 {
		status, body := ts.paymentAction(t, f.sessionID, "decline")
		require.Equal(t, http.StatusOK, status, string(body))
	}
	status, page, _ := uiGet(t, ts, fmt.Sprintf("/__admin/ui/orders/%d", f.orderID))
	require.Equal(t, http.StatusOK, status)
	assert.Regexp(t, `p-waiting">waiting</span></td>\s*<td>2</td>`, page)
}

// The gauges count what there is (docs/admin.md, "Metrics").
func TestDocumentedGaugesCount(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for range 2 {
		status, body := ts.call(t, http.MethodPost, "/__admin/sandboxes", "", nil)
		require.Equal(t, http.StatusCreated, status, string(body))
	}
	status, body := ts.post(t, usersBase+"generate-code", map[string]string{"userIdentifier": userLogin, "eventIdentifier": "reg"})
	require.Equal(t, http.StatusCreated, status, string(body))
	status, body = ts.callWith(t, http.MethodGet, "/metrics", "", nil, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, string(body), "oneentry_mock_sandboxes 3\n")
	assert.Contains(t, string(body), "oneentry_mock_outbox_messages 1\n")
}

// A code has the provider's systemCodeLength digits (docs/api.md, "Auth codes").
func TestDocumentedCodeLengthIsTheProvidersOwn(t *testing.T) {
	t.Parallel()
	fx := editFixtures(t, map[string]func(v any) any{"auth-providers.json": func(v any) any {
		for _, p := range v.([]any) {
			p.(map[string]any)["config"].(map[string]any)["systemCodeLength"] = "4"
		}
		return v
	}})
	ts := newTestServer(t, withFixtures(fx))
	status, body := ts.post(t, usersBase+"generate-code", map[string]string{"userIdentifier": userLogin, "eventIdentifier": "reg"})
	require.Equal(t, http.StatusCreated, status, string(body))
	assert.Regexp(t, `^[0-9]{4}$`, ts.lastCode(t, userLogin))
}

// Without limit a list answers 30 items (docs/api.md, "Pagination"), and limit=100 at most.
func TestDocumentedDefaultPageSize(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	owner := ts.login(t, userLogin, userPass)
	for range 31 {
		status, body := ts.call(t, http.MethodPost, ordersPath, owner.AccessToken, seedOrderBody(10, 1))
		require.Equal(t, http.StatusCreated, status, string(body))
	}
	list := func(query string) (int, int) {
		t.Helper()
		status, body := ts.call(t, http.MethodGet, ordersPath+query, owner.AccessToken, nil)
		require.Equal(t, http.StatusOK, status, string(body))
		page := decode[struct {
			Items []any
			Total int
		}](t, body)
		return len(page.Items), page.Total
	}
	items, total := list("")
	assert.Equal(t, 30, items)
	assert.Equal(t, 31, total)
	items, _ = list("?limit=100")
	assert.Equal(t, 31, items)
	status, _ := ts.call(t, http.MethodGet, ordersPath+"?limit=101", owner.AccessToken, nil)
	assert.Equal(t, http.StatusBadRequest, status)
}
