package capsule_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/client/clienttest"
	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/exchange"
	"github.com/oneentry-mock/oneentry-mock/internal/testkit"
	"github.com/oneentry-mock/oneentry-mock/mockserver/mocktest"
)

// recordTicketFlow runs the ticket flow through a recording proxy in front of the mock and returns
// the capsule file, the client-side exchanges and the secrets the flow saw.
func recordTicketFlow(t *testing.T) (string, []captured, clienttest.TicketFlow) {
	t.Helper()
	upstream := newMock(t, nil)
	u, err := url.Parse(upstream.URL)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "flow.capsule.json")
	rec := capsule.NewRecorder(path, capsule.Capsule{Contract: capsule.ContractVersion(contracts.Spec()), Profile: "sdk-1.0.115", Source: "test"})
	var logs bytes.Buffer
	proxy, err := capsule.NewProxy(capsule.ProxyOptions{Upstream: u, Recorder: rec, Check: capsule.ContractCheck(mocktest.Contract(t)), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)
	ps := httptest.NewServer(proxy)
	t.Cleanup(ps.Close)

	cap := &capture{}
	secrets := clienttest.RunTicketFlow(t, ps.URL, seedAppToken, seedLogin, seedPassword, cap)
	require.NoError(t, rec.Flush())
	assert.NotContains(t, logs.String(), "contract violation", "the mock's traffic keeps the contract")
	assert.Equal(t, 7, strings.Count(logs.String(), "msg=recorded"))
	return path, cap.exchanges(), secrets
}

func TestProxyRecordsRedactedCapsule(t *testing.T) {
	t.Parallel()
	path, seen, secrets := recordTicketFlow(t)
	data, err := os.ReadFile(path)
	require.NoError(t, err)

	// Redaction is proven on the file itself: none of the flow's real secrets is in it.
	for _, s := range append(append([]string{seedAppToken, seedLogin, `"` + seedPassword + `"`}, secrets.AccessTokens...), secrets.RefreshTokens...) {
		require.NotEmpty(t, s)
		assert.NotContains(t, string(data), s)
	}

	c, err := capsule.Load(path)
	require.NoError(t, err)
	assert.Equal(t, capsule.ContractVersion(contracts.Spec()), c.Contract)
	assert.Equal(t, "sdk-1.0.115", c.Profile)
	require.Len(t, c.Exchanges, len(seen))
	wantPaths := []string{
		"POST /api/content/users-auth-providers/marker/email/users/auth → 201",
		"GET /api/content/forms/marker/tickets_form?langCode=en_US → 200",
		"POST /api/content/orders-storage/marker/tickets/orders → 201",
		"POST /api/content/users-auth-providers/marker/email/users/refresh → 201",
		"POST /api/content/payments/sessions → 201",
		"PUT /api/content/payments/sessions/49 → 200",
		"GET /api/content/payments/sessions/order/92 → 200",
	}
	for i, e := range c.Exchanges {
		assert.Equal(t, wantPaths[i], e.String())
		assert.NotEmpty(t, e.StartedAt)
		assert.Equal(t, "<app-token-1>", e.RequestHeaders["x-app-token"])
		assert.Contains(t, e.ResponseHeaders["content-type"], "application/json")
	}
	assert.Equal(t, "Bearer <access-token-1>", c.Exchanges[1].RequestHeaders["authorization"])
	var refreshed struct{ AccessToken, RefreshToken string }
	require.NoError(t, json.Unmarshal(c.Exchanges[3].ResponseBody, &refreshed))
	assert.Equal(t, "Bearer "+refreshed.AccessToken, c.Exchanges[4].RequestHeaders["authorization"], "calls after the refresh carry the refreshed token's placeholder")
	assert.Equal(t, "<refresh-token-2>", refreshed.RefreshToken, "the rotated refresh token is a new placeholder")
	assert.JSONEq(t, `{"refreshToken":"<refresh-token-1>"}`, string(c.Exchanges[3].RequestBody), "the refresh token sent back is the one issued")
	kinds := map[string]int{}
	for p, kind := range c.Redactions {
		kinds[kind]++
		assert.Regexp(t, `^(<[a-z-]+(-\d+)?>|user\d+@example\.test)$`, p)
	}
	assert.Equal(t, 1, kinds[capsule.KindAppToken])
	assert.Equal(t, 1, kinds[capsule.KindEmail])
	assert.Equal(t, 1, kinds[capsule.KindPassword])
	assert.Equal(t, 2, kinds[capsule.KindRefreshToken])
	assert.GreaterOrEqual(t, kinds[capsule.KindAccessToken], 1)
}

// TestReplayAnswersTheRecordedFlow records the ticket flow, replays the capsule and runs the flow
// again against the replay: every answer equals the redacted original.
func TestReplayAnswersTheRecordedFlow(t *testing.T) {
	t.Parallel()
	path, original, _ := recordTicketFlow(t)
	c, err := capsule.Load(path)
	require.NoError(t, err)
	replay, err := capsule.NewReplay(c, capsule.ReplayOptions{})
	require.NoError(t, err)
	rs := httptest.NewServer(replay)
	t.Cleanup(rs.Close)

	cap := &capture{}
	clienttest.RunTicketFlow(t, rs.URL, "any-app-token", "someone@else.test", "other-password", cap)
	replayed := cap.exchanges()
	require.Len(t, replayed, len(original))

	// Redact the original answers with a fresh redactor, in order, as the recorder did; map the
	// replay's re-issued tokens back to their placeholders. The two must then be identical.
	red := capsule.NewRedactor()
	reissuer := capsule.NewReissuer(c.Redactions)
	for i := range original {
		want := red.Exchange(original[i].raw)
		got := replayed[i].raw
		assert.Equal(t, want.Status, got.Status, "exchange %d", i+1)
		assert.JSONEq(t, string(want.ResponseBody), reissuer.Placeholder(string(got.ResponseBody)), "exchange %d", i+1)
		assert.Equal(t, want.ResponseHeaders["content-type"], got.ResponseHeader.Get("Content-Type"))
		assert.Equal(t, "*", got.ResponseHeader.Get("Access-Control-Allow-Origin"))
	}
	var auth struct{ AccessToken string }
	require.NoError(t, json.Unmarshal(replayed[0].raw.ResponseBody, &auth))
	assert.Regexp(t, `^eyJ[^.]+\.eyJ[^.]+\.[^.]+$`, auth.AccessToken, "the placeholder is re-issued as a JWT-shaped token")
}

func TestReplayUnmatchedAnswersLive404(t *testing.T) {
	t.Parallel()
	c := capsule.New("sha256:x", "sdk-1.0.115")
	c.Exchanges = []capsule.Exchange{{Method: "GET", Path: "/api/content/forms/marker/tickets_form", Query: "langCode=en_US", Status: 200, ResponseBody: []byte(`{"id":9}`)}}
	now := time.Date(2025, 4, 30, 21, 54, 48, 918e6, time.UTC)
	replay, err := capsule.NewReplay(c, capsule.ReplayOptions{Now: func() time.Time { return now }})
	require.NoError(t, err)
	rs := httptest.NewServer(replay)
	t.Cleanup(rs.Close)

	exposed := func(h http.Header) []string {
		return strings.Split(h.Get("Access-Control-Expose-Headers"), ", ")
	}
	resp, err := rs.Client().Get(rs.URL + "/api/content/forms/marker/tickets_form?langCode=ru_RU")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Equal(t, "none", resp.Header.Get(capsule.ExchangeHeader))
	assert.Contains(t, exposed(resp.Header), capsule.ExchangeHeader, "a page on another origin may read it")
	assert.True(t, capsule.Unmatched(resp.Header))
	assert.JSONEq(t, `{"statusCode":404,"message":"no recorded exchange matches GET /api/content/forms/marker/tickets_form?langCode=ru_RU; nearest is #1 GET /api/content/forms/marker/tickets_form?langCode=en_US → 200: query differs (recorded \"langCode=en_US\", got \"langCode=ru_RU\")","error":"Not Found","pageData":null,"timestamp":"2025-04-30T21:54:48.918Z"}`, string(body))
	violations := contracts.Violations(mocktest.Contract(t).ValidateResponse(t.Context(), httptest.NewRequest("GET", "/api/content/forms/marker/tickets_form", nil), 404, resp.Header, body))
	assert.Empty(t, violations, "the 404 keeps the live error shape")

	resp, err = rs.Client().Get(rs.URL + "/api/content/forms/marker/tickets_form?langCode=en_US")
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "1", resp.Header.Get(capsule.ExchangeHeader))
	assert.Contains(t, exposed(resp.Header), capsule.ExchangeHeader)

	for _, p := range []string{"/healthz"} {
		resp, err := rs.Client().Get(rs.URL + p)
		require.NoError(t, err)
		_ = resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	}
	resp, err = rs.Client().Post(rs.URL+"/__admin/reset", "application/json", nil)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestProxyCORSAndUpstreamFailure(t *testing.T) {
	t.Parallel()
	hits := 0
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		w.Header().Set("Access-Control-Allow-Origin", "https://project.example")
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(upstream.Close)
	u, _ := url.Parse(upstream.URL)
	rec := capsule.NewRecorder(filepath.Join(t.TempDir(), "c.json"), capsule.Capsule{})
	var logs bytes.Buffer
	proxy, err := capsule.NewProxy(capsule.ProxyOptions{
		Upstream: u, Recorder: rec, Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Check: func(*http.Request, []byte, int, http.Header, []byte) []string {
			return []string{"/ok: property ok should not exist"}
		},
	})
	require.NoError(t, err)
	ps := httptest.NewServer(proxy)
	t.Cleanup(ps.Close)

	resp := testkit.Preflight(t, ps.Client(), ps.URL+"/api/content/orders-storage/marker/tickets/orders", http.MethodPost, "")
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, "http://localhost:3000", resp.Header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers")), "x-app-token")
	assert.Equal(t, 0, hits, "a preflight is answered locally")

	req, _ := http.NewRequest(http.MethodGet, ps.URL+"/api/content/x", nil)
	req.Header.Set("Origin", "http://localhost:3000")
	resp, err = ps.Client().Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, "http://localhost:3000", resp.Header.Get("Access-Control-Allow-Origin"), "the front end's origin, not the upstream's")
	require.Equal(t, 1, rec.Len())
	assert.Equal(t, "https://project.example", rec.Capsule().Exchanges[0].ResponseHeaders["access-control-allow-origin"], "the capsule keeps what the upstream said")
	assert.Contains(t, logs.String(), `msg="contract violation"`)
	assert.Contains(t, logs.String(), "property ok should not exist")

	upstream.Close()
	resp, err = ps.Client().Get(ps.URL + "/api/content/y")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Contains(t, string(body), `"statusCode":502`)
	assert.Equal(t, 1, rec.Len(), "a failed exchange is not recorded")
}

// sessionCapsule records one payment session whose paymentUrl, like the mock's checkout URL,
// holds the app token's placeholder.
func sessionCapsule() *capsule.Capsule {
	return &capsule.Capsule{
		Format: capsule.Format, Version: capsule.Version, Profile: "live-2026",
		Redactions: map[string]string{"<app-token>": capsule.KindAppToken},
		Exchanges: []capsule.Exchange{{
			Method: http.MethodPost, Path: "/api/content/payments/sessions",
			RequestBody: json.RawMessage(`{"orderId":92,"type":"session","automaticTaxEnabled":false}`),
			Status:      http.StatusCreated,
			ResponseBody: json.RawMessage(`{"id":49,"status":"waiting",` +
				`"paymentUrl":"http://127.0.0.1:8080/checkout/\u003capp-token\u003e/cs_test_0123"}`),
		}},
	}
}

func postSession(t *testing.T, url string) (int, string) {
	t.Helper()
	status, body := testkit.Call(t, http.DefaultClient, http.MethodPost, url+"/api/content/payments/sessions",
		`{"orderId":92,"type":"session","automaticTaxEnabled":false}`)
	return status, string(body)
}

// Without --loop an exchange answers once; with it, a request that finds nothing left starts
// the capsule over, so a front end can run against it again and again.
func TestReplayLoopStartsOver(t *testing.T) {
	t.Parallel()
	for _, loop := range []bool{false, true} {
		rp, err := capsule.NewReplay(sessionCapsule(), capsule.ReplayOptions{Loop: loop})
		require.NoError(t, err)
		ts := httptest.NewServer(rp)
		t.Cleanup(ts.Close)
		status, _ := postSession(t, ts.URL)
		require.Equal(t, http.StatusCreated, status)
		status, _ = postSession(t, ts.URL)
		if loop {
			assert.Equal(t, http.StatusCreated, status, "with Loop the second run is served too")
		} else {
			assert.Equal(t, http.StatusNotFound, status, "without Loop each exchange answers once")
		}
	}
}

// A recorded URL with a placeholder is served as a link to the replay itself, which opens a
// page naming the recorded URL.
func TestReplayRewritesRedactedURLs(t *testing.T) {
	t.Parallel()
	rp, err := capsule.NewReplay(sessionCapsule(), capsule.ReplayOptions{})
	require.NoError(t, err)
	ts := httptest.NewServer(rp)
	t.Cleanup(ts.Close)
	_, body := postSession(t, ts.URL)
	var session struct {
		PaymentURL string `json:"paymentUrl"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &session))
	assert.Equal(t, ts.URL+"/__replay/link/1", session.PaymentURL)

	resp, err := http.Get(session.PaymentURL)
	require.NoError(t, err)
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(page), "http://127.0.0.1:8080/checkout/&lt;app-token&gt;/cs_test_0123")
}

// An upstream that takes the request and never answers (or stops half-way through its answer)
// is given up on after UpstreamTimeout: the client gets a 504 in the live error shape and nothing
// is recorded.
func TestProxyGivesUpOnASilentUpstream(t *testing.T) {
	t.Parallel()
	tests := map[string]func(http.ResponseWriter){
		"no answer":    func(http.ResponseWriter) {},
		"headers only": func(w http.ResponseWriter) { w.WriteHeader(http.StatusOK); w.(http.Flusher).Flush() },
	}
	for name, start := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			release := make(chan struct{})
			upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				start(w)
				<-release
			}))
			t.Cleanup(upstream.Close)
			t.Cleanup(func() { close(release) }) // runs first: Close waits for the handler
			u, _ := url.Parse(upstream.URL)
			rec := capsule.NewRecorder(filepath.Join(t.TempDir(), "c.json"), capsule.Capsule{})
			proxy, err := capsule.NewProxy(capsule.ProxyOptions{Upstream: u, Recorder: rec, UpstreamTimeout: 50 * time.Millisecond})
			require.NoError(t, err)
			ps := httptest.NewServer(proxy)
			t.Cleanup(ps.Close)

			// The client's own limit only keeps a regression from hanging the test run.
			c := &http.Client{Timeout: time.Minute}
			resp, err := c.Post(ps.URL+"/api/content/orders-storage/marker/tickets/orders", "application/json", strings.NewReader(`{"formIdentifier":"tickets_form"}`))
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			assert.Equal(t, http.StatusGatewayTimeout, resp.StatusCode)
			assert.Contains(t, string(body), `"statusCode":504,"message":"oneentry-mock proxy: upstream did not answer within 50ms","error":"Gateway Timeout"`)
			assert.Equal(t, 0, rec.Len(), "a failed exchange is not recorded")
		})
	}
}

// fcmPath is the SDK's addFCMToken call, which sends the push token only in the path.
const fcmPath = "/api/content/users/me/fcm-token/"

// The proxy and the replay log every exchange; a credential in its path shows masked in each
// of their lines, as serve's request log masks it.
func TestProxyAndReplayLogsMaskPathCredentials(t *testing.T) {
	t.Parallel()
	const secret = "SECRET-FCM-123"
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(upstream.Close)
	u, err := url.Parse(upstream.URL)
	require.NoError(t, err)
	var proxyLogs bytes.Buffer
	rec := capsule.NewRecorder(filepath.Join(t.TempDir(), "c.json"), capsule.Capsule{})
	proxy, err := capsule.NewProxy(capsule.ProxyOptions{Upstream: u, Recorder: rec, Logger: slog.New(slog.NewTextHandler(&proxyLogs, nil)),
		Check: func(r *http.Request, _ []byte, _ int, _ http.Header, _ []byte) []string {
			return []string{"request " + r.Method + " " + r.URL.Path + ": a breach"} // as contracts.Violation spells one
		}})
	require.NoError(t, err)
	for _, path := range []string{fcmPath + secret, "/checkout/" + secret + "/cs_1"} {
		w := httptest.NewRecorder()
		proxy.ServeHTTP(w, httptest.NewRequest(http.MethodPost, path, nil))
		require.Equal(t, http.StatusOK, w.Code)
	}
	require.Contains(t, proxyLogs.String(), "msg=recorded")
	require.Contains(t, proxyLogs.String(), `msg="contract violation"`)
	assert.NotContains(t, proxyLogs.String(), secret)
	assert.Contains(t, proxyLogs.String(), "path="+fcmPath+exchange.Redacted)
	assert.Contains(t, proxyLogs.String(), "path=/checkout/"+exchange.Redacted+"/cs_1", "masked by the rule serve's log masks by")

	for _, loop := range []bool{false, true} {
		var replayLogs bytes.Buffer
		rp, err := capsule.NewReplay(rec.Capsule(), capsule.ReplayOptions{Loop: loop, Logger: slog.New(slog.NewTextHandler(&replayLogs, nil))})
		require.NoError(t, err)
		for _, target := range []string{"POST " + fcmPath + secret, "POST " + fcmPath + secret, "DELETE " + fcmPath + secret + "?token=" + secret} {
			method, path, _ := strings.Cut(target, " ") // replayed; again (no match, or looped); no match
			rp.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(method, path, nil))
		}
		logs := replayLogs.String()
		require.Contains(t, logs, "msg=replayed")
		require.Contains(t, logs, `msg="replay: no match"`)
		if loop {
			require.Contains(t, logs, "starting over")
		}
		assert.NotContains(t, logs, secret)
		assert.Contains(t, logs, "path="+fcmPath+exchange.Redacted)
	}
}

// corsOf is what an answer says to the browser about reading it: its Access-Control-* headers
// and whether it varies by Origin.
func corsOf(h http.Header) map[string]string {
	out := map[string]string{"vary origin": fmt.Sprint(slices.Contains(strings.Split(strings.Join(h.Values("Vary"), ","), ","), "Origin"))}
	for name, vs := range h {
		if strings.HasPrefix(name, "Access-Control-") {
			out[name] = strings.Join(vs, ", ")
		}
	}
	return out
}

// A front end gets the same CORS answers from the proxy and the replay as from the mock: the
// headers a preflight asks for (or, when it names none, the SDK's, the admin token and a
// request id), the headers it may read, its origin with credentials or "*".
func TestProxyAndReplayCORSAgreeWithTheMock(t *testing.T) {
	t.Parallel()
	mock := newMock(t, nil)
	u, err := url.Parse(mock.URL)
	require.NoError(t, err)
	rec := capsule.NewRecorder(filepath.Join(t.TempDir(), "c.json"), capsule.Capsule{})
	proxy, err := capsule.NewProxy(capsule.ProxyOptions{Upstream: u, Recorder: rec})
	require.NoError(t, err)
	ps := httptest.NewServer(proxy)
	t.Cleanup(ps.Close)
	const read = "/api/content/locales/active/all"
	for _, origin := range []string{testkit.FrontEndOrigin, ""} {
		status, _ := testkit.Call(t, ps.Client(), http.MethodGet, ps.URL+read, "", "x-app-token", seedAppToken, "Origin", origin)
		require.Equal(t, http.StatusOK, status)
	}
	rp, err := capsule.NewReplay(rec.Capsule(), capsule.ReplayOptions{})
	require.NoError(t, err)
	rs := httptest.NewServer(rp)
	t.Cleanup(rs.Close)

	get := func(base, origin string) http.Header {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+read, nil)
		require.NoError(t, err)
		req.Header.Set("x-app-token", seedAppToken)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		require.Equal(t, http.StatusOK, resp.StatusCode, base)
		return resp.Header
	}
	for name, base := range map[string]string{"proxy": ps.URL, "replay": rs.URL} {
		for _, asked := range []string{"", "x-request-id, sentry-trace"} {
			want := corsOf(testkit.Preflight(t, http.DefaultClient, mock.URL+read, http.MethodPost, asked).Header)
			assert.Equal(t, want, corsOf(testkit.Preflight(t, http.DefaultClient, base+read, http.MethodPost, asked).Header), "%s preflight asking for %q", name, asked)
		}
		for _, origin := range []string{testkit.FrontEndOrigin, ""} {
			assert.Equal(t, corsOf(get(mock.URL, origin)), corsOf(get(base, origin)), "%s answer to origin %q", name, origin)
		}
	}
}

// The replay refuses a body over its limit in the live error shape, with the reason NestJS
// gives 413 ("Payload Too Large", not Go's "Request Entity Too Large"), as the mock does.
func TestReplayRefusesALargeBodyAsTheMockDoes(t *testing.T) {
	t.Parallel()
	rp, err := capsule.NewReplay(sessionCapsule(), capsule.ReplayOptions{MaxBodyBytes: 10})
	require.NoError(t, err)
	w := httptest.NewRecorder()
	rp.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/api/content/payments/sessions", strings.NewReader(strings.Repeat("x", 100))))
	require.Equal(t, http.StatusRequestEntityTooLarge, w.Code)
	var body map[string]any
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
	assert.Equal(t, "Payload Too Large", body["error"])
	assert.ElementsMatch(t, []string{"statusCode", "message", "error", "pageData", "timestamp"}, slices.Collect(maps.Keys(body)))
}
