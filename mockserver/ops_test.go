package mockserver_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/internal/testkit"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

func withAdminToken(token string) serverOption {
	return func(mo *mockserver.Options) { mo.AdminToken = token }
}

func withAdminAllowOrigins(origins ...string) serverOption {
	return func(mo *mockserver.Options) { mo.AdminAllowOrigins = origins }
}

func withAllowedHosts(hosts ...string) serverOption {
	return func(mo *mockserver.Options) { mo.AllowedHosts = hosts }
}

type sandboxInfo struct {
	AppToken string `json:"appToken"`
	Users    []struct {
		Identifier string `json:"identifier"`
		Password   string `json:"password"`
	} `json:"users"`
}

func (ts *testServer) newSandbox(t *testing.T) sandboxInfo {
	t.Helper()
	status, body := ts.callWith(t, http.MethodPost, "/__admin/sandboxes", "", nil, nil)
	require.Equal(t, http.StatusCreated, status, string(body))
	return decode[sandboxInfo](t, body)
}

func (ts *testServer) loginIn(t *testing.T, token, login, password string) tokens {
	t.Helper()
	status, body := ts.callWith(t, http.MethodPost, authPath, "", authBody(login, password), map[string]string{"x-app-token": token})
	require.Equal(t, http.StatusCreated, status, string(body))
	return decode[tokens](t, body)
}

func TestSandboxesShareNothing(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	a, b := ts.newSandbox(t), ts.newSandbox(t)
	require.NotEqual(t, a.AppToken, b.AppToken)
	require.NotEqual(t, appToken, a.AppToken)
	require.Len(t, a.Users, 2)
	hdr := func(token string) map[string]string { return map[string]string{"x-app-token": token} }

	ta := ts.loginIn(t, a.AppToken, a.Users[0].Identifier, a.Users[0].Password)
	tb := ts.loginIn(t, b.AppToken, b.Users[0].Identifier, b.Users[0].Password)
	for _, s := range []struct {
		token string
		tk    tokens
	}{{a.AppToken, ta}, {b.AppToken, tb}} {
		status, body := ts.callWith(t, http.MethodPost, ordersPath, s.tk.AccessToken, seedOrderBody(10, 1), hdr(s.token))
		require.Equal(t, http.StatusCreated, status, string(body))
		assert.Equal(t, float64(92), decode[map[string]any](t, body)["id"], "each sandbox has its own ids")
	}
	status, body := ts.callWith(t, http.MethodGet, ordersPath, ta.AccessToken, nil, hdr(b.AppToken))
	assert.Equal(t, http.StatusUnauthorized, status, "a user token of one sandbox is rejected in another")
	decodeError(t, status, body)
	status, _ = ts.call(t, http.MethodGet, ordersPath, ta.AccessToken, nil)
	assert.Equal(t, http.StatusUnauthorized, status, "and in the default sandbox")

	status, body = ts.callWith(t, http.MethodPost, "/__admin/clock", "", `{"advance":"48h"}`, hdr(a.AppToken))
	require.Equal(t, http.StatusOK, status, string(body))
	_, clockB := ts.callWith(t, http.MethodGet, "/__admin/clock", "", nil, hdr(b.AppToken))
	assert.NotEqual(t, decode[map[string]any](t, body)["now"], decode[map[string]any](t, clockB)["now"], "clocks are separate")

	count := func(token string) int {
		_, body := ts.callWith(t, http.MethodGet, "/__admin/requests/count?method=POST&path="+ordersPath, "", nil, hdr(token))
		return int(decode[map[string]any](t, body)["count"].(float64))
	}
	assert.Equal(t, 1, count(a.AppToken), "a's journal holds only a's requests")
	assert.Equal(t, 1, count(b.AppToken))

	status, body = ts.callWith(t, http.MethodGet, "/__admin/sandboxes", "", nil, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Len(t, decode[[]sandboxInfo](t, body), 3, "the default sandbox and two more")

	status, _ = ts.callWith(t, http.MethodDelete, "/__admin/sandboxes/"+a.AppToken, "", nil, nil)
	require.Equal(t, http.StatusNoContent, status)
	status, body = ts.callWith(t, http.MethodGet, "/api/content/forms/marker/tickets_form", "", nil, hdr(a.AppToken))
	assert.Equal(t, http.StatusForbidden, status, "a removed sandbox's token opens nothing")
	decodeError(t, status, body)
	status, _ = ts.callWith(t, http.MethodDelete, "/__admin/sandboxes/"+appToken, "", nil, nil)
	assert.Equal(t, http.StatusNotFound, status, "the default sandbox stays")
	status, _ = ts.callWith(t, http.MethodGet, "/__admin/clock", "", nil, hdr("no-such-token"))
	assert.Equal(t, http.StatusNotFound, status)
}

// A request answered before its body is read (a fault, a missing user token, an unknown path)
// is journaled with the body it was sent with: it is the request a developer opens to see what
// the app sent.
func TestJournalKeepsTheBodyOfARequestAnsweredUnread(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	status, _ := ts.callWith(t, http.MethodPost, "/__admin/faults", "", `{"method":"POST","path":"/api/content/orders-storage/marker/*/orders","status":503,"times":1}`, nil)
	require.Equal(t, http.StatusCreated, status)
	tk := ts.login(t, userLogin, userPass)
	for _, c := range []struct {
		path, bearer string
		status       int
	}{
		{ordersPath, tk.AccessToken, http.StatusServiceUnavailable},
		{ordersPath, "", http.StatusUnauthorized},
		{"/api/content/forms-data", "", http.StatusNotFound},
	} {
		status, _ := ts.call(t, http.MethodPost, c.path, c.bearer, seedOrderBody(10, 1))
		require.Equal(t, c.status, status, c.path)
		status, body := ts.callWith(t, http.MethodGet, "/__admin/requests?method=POST&limit=1&status="+strconv.Itoa(c.status), "", nil, nil)
		require.Equal(t, http.StatusOK, status)
		requests := decode[struct {
			Requests []struct {
				RequestBody map[string]any `json:"requestBody"`
			} `json:"requests"`
		}](t, body).Requests
		require.Len(t, requests, 1, c.path)
		assert.Equal(t, "tickets_form", requests[0].RequestBody["formIdentifier"], "%s answered %d", c.path, c.status)
	}
}

func TestJournalShowsFlowInOrderWithSecretsRedacted(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	tk := ts.login(t, userLogin, userPass)
	status, _ := ts.call(t, http.MethodGet, "/api/content/forms/marker/tickets_form?langCode=en_US", tk.AccessToken, nil)
	require.Equal(t, http.StatusOK, status)
	status, _ = ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, seedOrderBody(10, 1))
	require.Equal(t, http.StatusCreated, status)

	status, body := ts.callWith(t, http.MethodGet, "/__admin/requests", "", nil, nil)
	require.Equal(t, http.StatusOK, status)
	raw := string(body)
	for _, secret := range []string{userPass, tk.AccessToken, tk.RefreshToken, appToken} {
		assert.NotContains(t, raw, secret, "the journal never shows secrets")
	}
	type entry struct {
		ID             string            `json:"id"`
		Method         string            `json:"method"`
		Path           string            `json:"path"`
		Route          string            `json:"route"`
		Status         int               `json:"status"`
		RequestHeaders map[string]string `json:"requestHeaders"`
		RequestBody    map[string]any    `json:"requestBody"`
		ResponseBody   map[string]any    `json:"responseBody"`
	}
	list := decode[struct {
		Total    int     `json:"total"`
		Requests []entry `json:"requests"`
	}](t, body)
	require.Equal(t, 3, list.Total)
	assert.Equal(t, []string{authPath, "/api/content/forms/marker/tickets_form", ordersPath},
		[]string{list.Requests[0].Path, list.Requests[1].Path, list.Requests[2].Path}, "in order")
	assert.Equal(t, "POST "+mockserver.APIPrefix+"/orders-storage/marker/{marker}/orders", list.Requests[2].Route)
	assert.Equal(t, "Bearer [redacted]", list.Requests[2].RequestHeaders["authorization"])
	assert.Equal(t, "[redacted]", list.Requests[0].ResponseBody["accessToken"])
	assert.Contains(t, fmt.Sprint(list.Requests[0].RequestBody), "email_reg", "bodies are kept")
	assert.NotEmpty(t, list.Requests[2].ID)

	status, body = ts.callWith(t, http.MethodGet, "/__admin/requests?method=POST&status=201", "", nil, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, 2, int(decode[map[string]any](t, body)["total"].(float64)))
	status, _ = ts.callWith(t, http.MethodGet, "/__admin/requests?status=abc", "", nil, nil)
	assert.Equal(t, http.StatusBadRequest, status)

	// Secrets in a form body, in spaced or broken JSON and in odd query names are masked too, in
	// the journal and on the dashboard's requests page.
	for _, c := range []struct{ target, contentType, body string }{
		{authPath, "application/x-www-form-urlencoded", "password=FORM-PASS-SECRET&refreshToken=FORM-REFRESH-SECRET"},
		{authPath, "application/json", `{"authData": [{"value": "SPACED-PASS-SECRET", "marker": "password_reg"}], "access_token": "SPACED-TOKEN-SECRET"} x`},
		{"/api/content/pages?id_token=QUERY-ID-SECRET&user%5Bpassword%5D=QUERY-PW-SECRET&a=1;token=QUERY-SEMI-SECRET", "", ""},
	} {
		method := http.MethodGet
		if c.body != "" {
			method = http.MethodPost
		}
		ts.callWith(t, method, c.target, "", c.body, map[string]string{"x-app-token": appToken, "Content-Type": c.contentType})
	}
	status, body = ts.callWith(t, http.MethodGet, "/__admin/requests", "", nil, nil)
	require.Equal(t, http.StatusOK, status)
	_, page, _ := uiGet(t, ts, "/__admin/ui/requests")
	for _, secret := range []string{"FORM-PASS-SECRET", "FORM-REFRESH-SECRET", "SPACED-PASS-SECRET", "SPACED-TOKEN-SECRET", "QUERY-ID-SECRET", "QUERY-PW-SECRET", "QUERY-SEMI-SECRET"} {
		assert.NotContains(t, string(body), secret)
		assert.NotContains(t, page, secret)
	}

	status, _ = ts.callWith(t, http.MethodDelete, "/__admin/requests", "", nil, nil)
	require.Equal(t, http.StatusNoContent, status)
	_, body = ts.callWith(t, http.MethodGet, "/__admin/requests/count", "", nil, nil)
	assert.JSONEq(t, `{"count":0}`, string(body))
}

// The request log's level follows the status class (INFO, WARN for 4xx, ERROR for 5xx), and
// a request without an app token is counted as such, apart from one with an unknown token.
func TestRequestLogLevelsAndUnjournaledReasons(t *testing.T) {
	t.Parallel()
	logs := &testkit.Buffer{}
	ts := newTestServer(t, func(mo *mockserver.Options) { mo.Logger = slog.New(slog.NewTextHandler(logs, nil)) })
	for _, c := range []struct {
		path, token string
		status      int
		level       string
	}{
		{"/api/content/forms/marker/tickets_form", appToken, http.StatusOK, "INFO"},
		{"/api/content/forms/marker/nope", appToken, http.StatusNotFound, "WARN"},
		{"/api/content/system/test500", appToken, http.StatusInternalServerError, "ERROR"},
		{"/api/content/forms/marker/tickets_form", "", http.StatusForbidden, "WARN"},
		{"/api/content/forms/marker/tickets_form", "unknown", http.StatusForbidden, "WARN"},
	} {
		headers := map[string]string{}
		if c.token != "" {
			headers["x-app-token"] = c.token
		}
		status, _ := ts.callWith(t, http.MethodGet, c.path, "", nil, headers)
		require.Equal(t, c.status, status, c.path)
		assert.Regexp(t, `level=`+c.level+` msg=request .*path=`+regexp.QuoteMeta(c.path)+` status=`+strconv.Itoa(c.status), logs.String(), c.path)
	}
	_, metrics := ts.call(t, http.MethodGet, "/metrics", "", nil)
	assert.Contains(t, string(metrics), `oneentry_mock_unjournaled_requests_total{reason="no_app_token"} 1`)
	assert.Contains(t, string(metrics), `oneentry_mock_unjournaled_requests_total{reason="unknown_app_token"} 1`)
}

// A credential in a path segment (the push token of fcm-token) is masked in the journal, on the
// dashboard and in the request log, as it is in a query string; in a path no route matches too,
// under the credential route it fits, since a push token in a mistyped path is no less secret.
func TestJournalAndLogMaskCredentialsInThePath(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		path   string
		status int
		// journal selects the request in the journal.
		journal string
	}{
		"routed":   {mePath + "/fcm-token/FCM-PATH-SECRET", http.StatusCreated, "route=POST%20/api/content/users/me/fcm-token/{token}"},
		"unrouted": {mePath + "/fcm-token/FCM-PATH-SECRET/extra", http.StatusNotFound, "status=404"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			logs := &testkit.Buffer{}
			ts := newTestServer(t, func(mo *mockserver.Options) { mo.Logger = slog.New(slog.NewTextHandler(logs, nil)) })
			tk := ts.login(t, userLogin, userPass)
			status, body := ts.call(t, http.MethodPost, tc.path, tk.AccessToken, nil)
			require.Equal(t, tc.status, status, string(body))

			status, body = ts.callWith(t, http.MethodGet, "/__admin/requests?"+tc.journal, "", nil, nil)
			require.Equal(t, http.StatusOK, status)
			// Of an unrouted path, the token and what follows it, as it may hold an escaped /.
			assert.Contains(t, string(body), `"path":"/api/content/users/me/fcm-token/[redacted]"`)
			_, page, _ := uiGet(t, ts, "/__admin/ui/requests")
			for _, seen := range []string{string(body), page, logs.String()} {
				assert.NotContains(t, seen, "FCM-PATH-SECRET")
			}
			assert.Contains(t, logs.String(), "path=/api/content/users/me/fcm-token/[redacted] status="+strconv.Itoa(tc.status))
		})
	}
}

// A 404 repeats the path it could not route, as the live API does; the journal keeps that answer
// with the path's credential masked.
func TestJournaledNotFoundMasksThePathItRepeats(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	tk := ts.login(t, userLogin, userPass)
	status, body := ts.call(t, http.MethodPost, mePath+"/fcm-token/FCM-PATH-SECRET/extra", tk.AccessToken, nil)
	require.Equal(t, http.StatusNotFound, status, string(body))
	assert.Contains(t, string(body), "Cannot POST /api/content/users/me/fcm-token/FCM-PATH-SECRET/extra", "the client gets the live answer")
	status, body = ts.callWith(t, http.MethodGet, "/__admin/requests?status=404", "", nil, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, string(body), `"message":"Cannot POST /api/content/users/me/fcm-token/[redacted]"`)
}

func TestUnknownPathNamesNearestRoute(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	resp, body := ts.send(t, ts.request(t, http.MethodGet, "/api/content/froms/marker/tickets_form", "", "", map[string]string{"x-app-token": appToken}))
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	e := decodeError(t, http.StatusNotFound, body)
	assert.Equal(t, []string{"Cannot GET /api/content/froms/marker/tickets_form"}, e.messages(), "the body stays the live one")
	assert.Equal(t, "GET /api/content/forms/marker/{marker}", resp.Header.Get("X-Mock-Nearest-Route"))

	_, body = ts.callWith(t, http.MethodGet, "/__admin/requests?status=404", "", nil, nil)
	assert.Contains(t, string(body), `"nearestRoute":"GET /api/content/forms/marker/{marker}"`)

	status, _ := ts.call(t, http.MethodPost, "/api/content/payments/session", "", map[string]any{})
	assert.Equal(t, http.StatusNotFound, status)
	_, body = ts.callWith(t, http.MethodGet, "/__admin/requests?path=/api/content/payments/session", "", nil, nil)
	assert.Contains(t, string(body), `"nearestRoute":"POST /api/content/payments/sessions"`)
}

func TestFaultsThroughTheHTTPStack(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	tk := ts.login(t, userLogin, userPass)
	addFault := func(rule string) string {
		t.Helper()
		status, body := ts.callWith(t, http.MethodPost, "/__admin/faults", "", rule, nil)
		require.Equal(t, http.StatusCreated, status, string(body))
		return decode[map[string]any](t, body)["id"].(string)
	}
	formPath := "/api/content/forms/marker/tickets_form"

	t.Run("status with the live error body, twice", func(t *testing.T) {
		addFault(`{"method":"POST","path":"/api/content/orders-storage/marker/*/orders","status":503,"message":"Service is down for maintenance","times":2}`)
		for range 2 {
			status, body := ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, seedOrderBody(10, 1))
			require.Equal(t, http.StatusServiceUnavailable, status)
			assert.Equal(t, []string{"Service is down for maintenance"}, decodeError(t, status, body).messages())
		}
		status, _ := ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, seedOrderBody(10, 1))
		assert.Equal(t, http.StatusCreated, status, "times: 2 means the next two only")
	})

	t.Run("latency", func(t *testing.T) {
		id := addFault(`{"path":"` + formPath + `","latency":{"fixedMs":300}}`)
		start := time.Now()
		status, _ := ts.call(t, http.MethodGet, formPath, "", nil)
		require.Equal(t, http.StatusOK, status)
		assert.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond, "the client sees the added latency")
		status, _ = ts.callWith(t, http.MethodDelete, "/__admin/faults/"+id, "", nil, nil)
		require.Equal(t, http.StatusNoContent, status)
		status, body := ts.callWith(t, http.MethodGet, "/__admin/faults", "", nil, nil)
		require.Equal(t, http.StatusOK, status)
		assert.JSONEq(t, `[]`, string(body), "removed")
	})

	t.Run("connection reset", func(t *testing.T) {
		addFault(`{"path":"/api/content/products/**","reset":true,"times":1}`)
		req, err := http.NewRequest(http.MethodGet, ts.URL+"/api/content/products/10", nil)
		require.NoError(t, err)
		req.Header.Set("x-app-token", appToken)
		// A fresh connection: Go's transport silently retries an idempotent request whose
		// reused connection was reset, which would hide the fault.
		fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		_, err = fresh.Do(req)
		require.Error(t, err)
		assert.True(t, errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || strings.Contains(err.Error(), "reset"), "%v", err)
		status, _ := ts.call(t, http.MethodGet, "/api/content/products/10", "", nil)
		assert.Equal(t, http.StatusOK, status)
	})

	t.Run("truncated body", func(t *testing.T) {
		addFault(`{"path":"` + formPath + `","truncate":true,"times":1}`)
		req, err := http.NewRequest(http.MethodGet, ts.URL+formPath, nil)
		require.NoError(t, err)
		req.Header.Set("x-app-token", appToken)
		resp, err := ts.Client().Do(req)
		require.NoError(t, err, "headers arrive")
		defer resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		_, err = io.ReadAll(resp.Body)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "the body stops short of its Content-Length")
	})

	// A status or a reset answers before the request runs, so it changes nothing; a truncated
	// answer is the request's own, cut short, so what it did stays done (docs/admin.md).
	t.Run("what each fault leaves done", func(t *testing.T) {
		orders := func() int {
			status, body := ts.call(t, http.MethodGet, ordersPath+"?langCode=en_US", tk.AccessToken, nil)
			require.Equal(t, http.StatusOK, status, string(body))
			return int(decode[map[string]any](t, body)["total"].(float64))
		}
		fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		submit := func(rule string) {
			addFault(`{"method":"POST","path":"` + ordersPath + `",` + rule + `,"times":1}`)
			req := ts.request(t, http.MethodPost, ordersPath, mustJSON(t, seedOrderBody(10, 1)), "application/json",
				map[string]string{"x-app-token": appToken, "Authorization": "Bearer " + tk.AccessToken})
			if resp, err := fresh.Do(req); err == nil {
				_, _ = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
		}
		before := orders()
		submit(`"status":503`)
		submit(`"reset":true`)
		assert.Equal(t, before, orders(), "neither ran the request")
		submit(`"truncate":true`)
		assert.Equal(t, before+1, orders(), "the truncated answer's order was placed")
	})

	t.Run("body match and bad rules", func(t *testing.T) {
		addFault(`{"method":"POST","path":"` + authPath + `","bodyContains":"second-user","status":429,"times":1}`)
		status, _ := ts.call(t, http.MethodPost, authPath, "", authBody(userLogin, userPass))
		assert.Equal(t, http.StatusCreated, status, "other bodies pass")
		status, body := ts.call(t, http.MethodPost, authPath, "", authBody(user2, user2Pass))
		assert.Equal(t, http.StatusTooManyRequests, status)
		decodeError(t, status, body)

		// The text is found anywhere in a body the API accepts, not only near its start.
		addFault(`{"method":"POST","path":"/api/content/form-data","bodyContains":"FAR-NEEDLE","status":418,"times":1}`)
		far := map[string]any{"formIdentifier": "contact_us", "formData": map[string]any{"en_US": []map[string]any{
			{"marker": "message", "type": "string", "value": strings.Repeat("x", 200<<10) + "FAR-NEEDLE"}}}}
		status, body = ts.call(t, http.MethodPost, "/api/content/form-data?langCode=en_US", "", far)
		assert.Equal(t, http.StatusTeapot, status, string(body))
		for _, bad := range []string{`{"path":"x","status":500}`, `{"path":"/a","status":200}`, `{"path":"/a"}`, `{"path":"/a","status":500,"reset":true}`, `{"path":"/a","status":500,"probability":2}`, `{"path":"/a","latency":{"fixedMs":999999}}`} {
			status, body := ts.callWith(t, http.MethodPost, "/__admin/faults", "", bad, nil)
			assert.Equal(t, http.StatusBadRequest, status, bad)
			decodeError(t, status, body)
		}
	})
}

func TestMetricsCountTheFlow(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	tk := ts.login(t, userLogin, userPass)
	ts.placeOrders(t, tk.AccessToken, 3)
	resp, err := ts.Client().Get(ts.URL + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bufio.NewReader(resp.Body))
	require.NoError(t, err, "Prometheus text format")
	requests := families["oneentry_mock_requests_total"]
	require.NotNil(t, requests)
	counts := map[string]float64{}
	for _, m := range requests.Metric {
		labels := map[string]string{}
		for _, l := range m.Label {
			labels[l.GetName()] = l.GetValue()
		}
		counts[labels["method"]+" "+labels["route"]+" "+labels["code"]] = m.Counter.GetValue()
	}
	assert.Equal(t, float64(3), counts["POST POST /api/content/orders-storage/marker/{marker}/orders 201"])
	assert.Equal(t, float64(1), counts["POST POST /api/content/users-auth-providers/marker/{marker}/users/auth 201"])
	require.NotNil(t, families["oneentry_mock_request_duration_seconds"])
	require.NotNil(t, families["oneentry_mock_sandboxes"])
	assert.Equal(t, float64(1), families["oneentry_mock_sandboxes"].Metric[0].Gauge.GetValue())
	require.NotNil(t, families["oneentry_mock_outbox_messages"])
}

func TestAdminTokenAndReadiness(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withAdminToken("s3cret"))
	status, body := ts.callWith(t, http.MethodGet, "/__admin/requests", "", nil, nil)
	assert.Equal(t, http.StatusUnauthorized, status)
	decodeError(t, status, body)
	status, _ = ts.callWith(t, http.MethodPost, "/__admin/sandboxes", "", nil, map[string]string{"x-admin-token": "wrong"})
	assert.Equal(t, http.StatusUnauthorized, status)
	status, _ = ts.callWith(t, http.MethodGet, "/__admin/requests", "", nil, map[string]string{"x-admin-token": "s3cret"})
	assert.Equal(t, http.StatusOK, status)
	status, _ = ts.call(t, http.MethodGet, "/api/content/forms/marker/tickets_form", "", nil)
	assert.Equal(t, http.StatusOK, status, "the API itself needs no admin token")

	status, _ = ts.callWith(t, http.MethodGet, "/readyz", "", nil, nil)
	assert.Equal(t, http.StatusOK, status)
	ts.server.Drain()
	status, _ = ts.callWith(t, http.MethodGet, "/readyz", "", nil, nil)
	assert.Equal(t, http.StatusServiceUnavailable, status)
	status, _ = ts.callWith(t, http.MethodGet, "/healthz", "", nil, nil)
	assert.Equal(t, http.StatusOK, status, "draining is not unhealthy")
}

func TestStateExportResetImportRestoresIdenticalState(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	f := ts.openStripeSession(t, 11, 2)
	ts.settle(t, f.sessionID, "complete")
	status, before := ts.callWith(t, http.MethodGet, "/__admin/state", "", nil, nil)
	require.Equal(t, http.StatusOK, status)

	require.NotEmpty(t, ts.mails(t, userLogin), "the paid order was mailed")

	status, _ = ts.callWith(t, http.MethodPost, "/__admin/reset", "", nil, nil)
	require.Equal(t, http.StatusOK, status)
	_, empty := ts.callWith(t, http.MethodGet, "/__admin/state", "", nil, nil)
	assert.NotEqual(t, string(before), string(empty), "the reset dropped the order")
	status, _ = ts.callWith(t, http.MethodPost, "/__admin/faults", "", `{"path":"/nowhere","status":500}`, nil)
	require.Equal(t, http.StatusCreated, status)

	status, imported := ts.callWith(t, http.MethodPut, "/__admin/state", "", before, nil)
	require.Equal(t, http.StatusOK, status, string(imported))
	_, after := ts.callWith(t, http.MethodGet, "/__admin/state", "", nil, nil)
	assert.JSONEq(t, string(before), string(after))
	// Logs and fault rules are not state: the import leaves the target's own.
	assert.Empty(t, ts.mails(t, userLogin), "the outbox is not imported")
	_, faults := ts.callWith(t, http.MethodGet, "/__admin/faults", "", nil, nil)
	assert.Len(t, decode[[]map[string]any](t, faults), 1, "the fault rule stays")
	assert.Equal(t, "paid", ts.order(t, ts.login(t, userLogin, userPass).AccessToken, f.orderID)["statusIdentifier"], "the imported state serves")

	_, current := ts.callWith(t, http.MethodGet, "/__admin/state", "", nil, nil)
	status, body := ts.callWith(t, http.MethodPut, "/__admin/state", "", `{"format":"oneentry-mock-state","version":99}`, nil)
	assert.Equal(t, http.StatusBadRequest, status)
	decodeError(t, status, body)
	_, still := ts.callWith(t, http.MethodGet, "/__admin/state", "", nil, nil)
	assert.JSONEq(t, string(current), string(still), "a bad document changes nothing")
}

func TestSandboxesSurviveARestartOnTheSameDataDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first, _, stop := startOnDataDir(t, dir)
	sbx := first.newSandbox(t)
	tk := first.loginIn(t, sbx.AppToken, sbx.Users[0].Identifier, sbx.Users[0].Password)
	status, body := first.callWith(t, http.MethodPost, ordersPath, tk.AccessToken, seedOrderBody(12, 1), map[string]string{"x-app-token": sbx.AppToken})
	require.Equal(t, http.StatusCreated, status, string(body))
	stop()

	second, db2, stop := startOnDataDir(t, dir)
	t.Cleanup(stop)
	status, body = second.callWith(t, http.MethodGet, ordersPath+"/92", tk.AccessToken, nil, map[string]string{"x-app-token": sbx.AppToken})
	require.Equal(t, http.StatusOK, status, "the sandbox, its order and its user's token are back: %s", body)
	assert.Equal(t, "300.00", decode[map[string]any](t, body)["totalSum"])

	status, _ = second.callWith(t, http.MethodDelete, "/__admin/sandboxes/"+sbx.AppToken, "", nil, nil)
	require.Equal(t, http.StatusNoContent, status)
	infos, err := db2.ListSandboxes()
	require.NoError(t, err)
	for _, info := range infos {
		assert.NotEqual(t, sbx.AppToken, info.AppToken, "a deleted sandbox leaves the data dir")
	}
}

// A move of the clock expires the sessions it makes overdue before it answers, and is saved
// before it answers: on a data dir, a restart right after it keeps it.
func TestAClockMoveExpiresSessionsAndIsSavedBeforeItAnswers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first, _, stop := startOnDataDir(t, dir)
	first.orderWithWaitingSession(t, first.signIn(t, userLogin, userPass).AccessToken)
	status, body := first.callWith(t, http.MethodPost, "/__admin/clock", "", map[string]string{"advance": "240h"}, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	doc := first.server.Store().Export(t.Context()) // a read that sweeps nothing itself
	require.Len(t, doc.PaymentSessions, 1)
	assert.Equal(t, store.StatusExpired, doc.PaymentSessions[0].Status)
	stop()

	second, _, stop := startOnDataDir(t, dir)
	t.Cleanup(stop)
	now := second.server.Store().Clock().Now()
	assert.True(t, now.After(time.Now().Add(239*time.Hour)), "the clock is 10 days ahead after the restart, not %s", now)
}

// Every request resolves its sandbox once, in the middleware, whatever the layers below need
// it for (bearer check, handler, error timestamp, journal, faults).
func TestSandboxIsLookedUpOncePerRequest(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	tk := ts.login(t, userLogin, userPass)
	reg := ts.server.Sandboxes()
	for name, req := range map[string]struct {
		method, path, bearer string
		body                 any
		want                 int
	}{
		"public read":   {http.MethodGet, "/api/content/forms/marker/tickets_form", "", nil, http.StatusOK},
		"user write":    {http.MethodPost, ordersPath, tk.AccessToken, seedOrderBody(12, 1), http.StatusCreated},
		"refused":       {http.MethodPost, ordersPath, "not-a-token", seedOrderBody(12, 1), http.StatusUnauthorized},
		"unknown route": {http.MethodGet, "/api/content/nothing-here", "", nil, http.StatusNotFound},
		"admin":         {http.MethodGet, "/__admin/requests", "", nil, http.StatusOK},
	} {
		before := reg.Lookups()
		status, body := ts.call(t, req.method, req.path, req.bearer, req.body)
		require.Equal(t, req.want, status, "%s: %s", name, body)
		assert.Equal(t, uint64(1), reg.Lookups()-before, name)
	}
}

// The journal and fault rules see the path as the client sent it: an old SDK's
// "//api/content/..." is served like the clean path but recorded as sent.
func TestJournalKeepsTheDoubleSlashPathAsSent(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	status, body := ts.call(t, http.MethodGet, "//api/content/forms/marker/tickets_form", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	_, body = ts.callWith(t, http.MethodGet, "/__admin/requests", "", nil, nil)
	entries := decode[struct{ Requests []sandbox.Entry }](t, body).Requests
	require.Len(t, entries, 1)
	assert.Equal(t, "//api/content/forms/marker/tickets_form", entries[0].Path)
	assert.Equal(t, "GET /api/content/forms/marker/{marker}", entries[0].Route)
}

// A hand-edited state document comes back in the export's own form where the mock reads a
// field into a type of its own, as admin.md says: a null formData as an empty one, an escaped
// lone surrogate as U+FFFD; a value kept as sent (groups) comes back as sent.
func TestHandEditedStateComesBackInTheExportsForm(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	doc := decode[map[string]any](t, []byte(stateDocument(t, ts)))
	user := doc["users"].([]any)[0].(map[string]any)
	user["formData"], user["language"], user["groups"] = nil, "LONE-SURROGATE", nil
	edited, err := json.Marshal(doc)
	require.NoError(t, err)
	edited = bytes.Replace(edited, []byte("LONE-SURROGATE"), []byte(`\ud800`), 1)
	status, body := ts.callWith(t, http.MethodPut, "/__admin/state", "", edited, nil)
	require.Equal(t, http.StatusOK, status, string(body))

	user = decode[map[string]any](t, []byte(stateDocument(t, ts)))["users"].([]any)[0].(map[string]any)
	assert.Equal(t, []any{}, user["formData"])
	assert.Equal(t, "\uFFFD", user["language"])
	assert.Nil(t, user["groups"], "kept as sent")
}

// The sandbox list gives the fixture logins that still sign in there: a user removed since is
// left out, in that sandbox only.
func TestSandboxListGivesTheLoginsThatStillSignIn(t *testing.T) {
	t.Parallel()
	ts := newLiveServer(t)
	tk := ts.signIn(t, userLogin, userPass)
	status, body := ts.call(t, http.MethodDelete, mePath, tk.AccessToken, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	created := ts.newSandbox(t)

	status, body = ts.callWith(t, http.MethodGet, "/__admin/sandboxes", "", nil, nil)
	require.Equal(t, http.StatusOK, status)
	logins := map[string][]string{}
	for _, sb := range decode[[]sandboxInfo](t, body) {
		for _, u := range sb.Users {
			logins[sb.AppToken] = append(logins[sb.AppToken], u.Identifier)
		}
	}
	assert.Equal(t, map[string][]string{appToken: {"second-user@email.com"}, created.AppToken: {userLogin, "second-user@email.com"}}, logins)
}
