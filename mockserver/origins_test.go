package mockserver_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/mocktest"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// browserCall is one request as a browser, curl or a rebinding page would send it.
type browserCall struct {
	method, path, body, contentType string
	headers                         map[string]string
	host                            string
}

func (ts *testServer) browser(t *testing.T, c browserCall) (*http.Response, []byte) {
	t.Helper()
	req := ts.request(t, c.method, c.path, c.body, c.contentType, c.headers)
	if c.host != "" {
		req.Host = c.host
	}
	return ts.send(t, req)
}

// crossSite is what a browser adds to a request a page on another site makes.
var crossSite = map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}

// faultCount adds a harmless fault rule as curl would, or counts the rules: reset empties them,
// so the count tells whether a reset happened.
func faultCount(t *testing.T, ts *testServer) int {
	t.Helper()
	resp, body := ts.browser(t, browserCall{method: http.MethodGet, path: "/__admin/faults"})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return len(decode[[]any](t, body))
}

func addHarmlessFault(t *testing.T, ts *testServer) {
	t.Helper()
	resp, body := ts.browser(t, browserCall{method: http.MethodPost, path: "/__admin/faults", contentType: "application/json",
		body: `{"path":"/api/content/nothing-here","status":418}`})
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))
}

// No web page on another site can read or drive the admin API.
func TestCrossSitePageCannotReadOrDriveAdmin(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	addHarmlessFault(t, ts)

	resp, _ := ts.browser(t, browserCall{method: http.MethodGet, path: "/__admin/state", headers: crossSite})
	assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"), "the page may not read the state")
	assert.Empty(t, resp.Header.Get("Access-Control-Allow-Credentials"))

	for _, path := range []string{"/__admin/state", "/__admin/reset", "/__admin/sandboxes", "/checkout/" + appToken + "/cs_test_x/complete", "/oauth/" + appToken + "/email"} {
		resp, _ = ts.browser(t, browserCall{method: http.MethodOptions, path: path, headers: map[string]string{
			"Origin": "https://evil.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}})
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, "preflight of %s", path)
		assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"), path)
		assert.Empty(t, resp.Header.Get("Access-Control-Allow-Methods"), path)
	}

	// A simple request needs no preflight: text/plain POST, with and without Sec-Fetch-Site
	// (older browsers send only Origin).
	for _, h := range []map[string]string{crossSite, {"Origin": "https://evil.example"}, {"Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site"}} {
		resp, body := ts.browser(t, browserCall{method: http.MethodPost, path: "/__admin/reset", contentType: "text/plain", body: "x", headers: h})
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, "%v", h)
		decodeError(t, http.StatusForbidden, body)
		assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))
		// A cross-site form cannot take a sign-in code for someone else's address.
		resp, _ = ts.browser(t, browserCall{method: http.MethodPost, path: "/oauth/" + appToken + "/email", contentType: "application/x-www-form-urlencoded",
			body: "email=your-user%40email.com&redirect_uri=http%3A%2F%2Fevil.example%2Fcb", headers: h})
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, "consent %v", h)
	}
	assert.Equal(t, 1, faultCount(t, ts), "no reset happened")
}

// DNS rebinding: a page whose own name now points at 127.0.0.1 is refused by its Host.
func TestForeignHostRefusedWithoutAdminToken(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	addHarmlessFault(t, ts)
	for _, c := range []browserCall{
		{method: http.MethodGet, path: "/__admin/state", host: "evil.example"},
		{method: http.MethodGet, path: "/__admin/state", host: "evil.example:8080"},
		{method: http.MethodGet, path: "/__admin/state", host: "127.0.0.1.evil.example"},
		{method: http.MethodPost, path: "/__admin/reset", host: "evil.example", contentType: "text/plain", body: "x"},
		{method: http.MethodGet, path: "/checkout/" + appToken + "/cs_test_x", host: "evil.example"},
		{method: http.MethodGet, path: "//__admin/state", host: "evil.example"},
		{method: http.MethodGet, path: "/oauth/" + appToken + "/email", host: "evil.example"},
		{method: http.MethodPost, path: "/oauth/" + appToken + "/email", host: "evil.example", contentType: "application/x-www-form-urlencoded", body: "email=your-user%40email.com"},
	} {
		resp, body := ts.browser(t, c)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, "%s %s Host %s", c.method, c.path, c.host)
		assert.Contains(t, decodeError(t, http.StatusForbidden, body).messages()[0], "--allowed-hosts")
	}
	assert.Equal(t, 1, faultCount(t, ts), "no reset happened")

	// The content API stays reachable under any name.
	resp, _ := ts.browser(t, browserCall{method: http.MethodGet, path: "/api/content/forms/marker/tickets_form", host: "evil.example", headers: map[string]string{"x-app-token": appToken}})
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestLoopbackAndListedHostsPass(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withAllowedHosts("oneentry-mock", "mock.test:9000"))
	for _, host := range []string{"", "localhost", "localhost:8080", "LOCALHOST.", "app.localhost:1", "127.0.0.1", "127.8.9.10:80", "[::1]:8080", "oneentry-mock:8080", "oneentry-mock", "mock.test:9000"} {
		resp, body := ts.browser(t, browserCall{method: http.MethodGet, path: "/__admin/clock", host: host})
		assert.Equal(t, http.StatusOK, resp.StatusCode, "Host %q: %s", host, body)
	}
	resp, _ := ts.browser(t, browserCall{method: http.MethodGet, path: "/__admin/clock", host: "mock.test:9001"})
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "a listed host with a port matches that port only")

	// With an admin token the token guards the admin API, whatever the host; the browser's
	// pages, which never carry it, keep the host rule: the consent page would otherwise hand
	// a sign-in code for any address to anyone who reaches the port.
	guarded := newTestServer(t, withAdminToken("s3cret"))
	resp, _ = guarded.browser(t, browserCall{method: http.MethodGet, path: "/__admin/clock", host: "evil.example", headers: map[string]string{"x-admin-token": "s3cret"}})
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	for _, c := range []browserCall{
		{method: http.MethodPost, path: "/oauth/" + appToken + "/email", host: "evil.example", contentType: "application/x-www-form-urlencoded", body: "email=your-user%40email.com"},
		{method: http.MethodGet, path: "/oauth/" + appToken + "/email", host: "evil.example"},
		{method: http.MethodGet, path: "/checkout/" + appToken + "/cs_test_x", host: "evil.example"},
	} {
		resp, body := guarded.browser(t, c)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, "%s %s Host %s", c.method, c.path, c.host)
		assert.Contains(t, decodeError(t, http.StatusForbidden, body).messages()[0], "--allowed-hosts")
	}
}

func TestListedOriginAndCurlPass(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withAdminAllowOrigins("http://localhost:3000"))
	addHarmlessFault(t, ts)
	listed := map[string]string{"Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site"}

	resp, _ := ts.browser(t, browserCall{method: http.MethodOptions, path: "/__admin/reset", headers: map[string]string{
		"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-app-token"}})
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, "http://localhost:3000", resp.Header.Get("Access-Control-Allow-Origin"))

	resp, _ = ts.browser(t, browserCall{method: http.MethodGet, path: "/__admin/state", headers: listed})
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "http://localhost:3000", resp.Header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, resp.Header.Get("Access-Control-Expose-Headers"), "X-Request-Id")

	resp, _ = ts.browser(t, browserCall{method: http.MethodPost, path: "/__admin/reset", headers: listed})
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, 0, faultCount(t, ts), "the listed origin reset the sandbox")

	// Another origin still gets nothing from this server.
	addHarmlessFault(t, ts)
	resp, _ = ts.browser(t, browserCall{method: http.MethodPost, path: "/__admin/reset", headers: crossSite})
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)

	// curl and server-side clients send neither Origin nor Sec-Fetch-Site; a same-origin page
	// (the dashboard) sends same-origin.
	for _, h := range []map[string]string{nil, {"Sec-Fetch-Site": "same-origin", "Origin": ts.URL}, {"Sec-Fetch-Site": "none"}} {
		addHarmlessFault(t, ts)
		resp, _ = ts.browser(t, browserCall{method: http.MethodPost, path: "/__admin/reset", headers: h})
		assert.Equal(t, http.StatusOK, resp.StatusCode, "%v", h)
		assert.Equal(t, 0, faultCount(t, ts))
	}
}

func TestAdminAllowOriginIsChecked(t *testing.T) {
	t.Parallel()
	_, err := newServerErr(t, withAdminAllowOrigins("localhost:3000/path"))
	require.Error(t, err)
	_, err = newServerErr(t, withAllowedHosts("http://x/"))
	require.Error(t, err)
}

// Every answer of the content API carries the CORS headers, errors and injected
// faults included, so browser code sees the status instead of "Failed to fetch".
func TestEveryContentAnswerCarriesCORS(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withMaxBody(1024))
	origin := map[string]string{"Origin": "http://localhost:5173", "x-app-token": appToken}
	resp, body := ts.browser(t, browserCall{method: http.MethodPost, path: "/__admin/faults", contentType: "application/json",
		body: `{"method":"GET","path":"/api/content/forms/marker/tickets_form","status":503}`})
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(body))

	for name, c := range map[string]browserCall{
		"injected 503":   {method: http.MethodGet, path: "/api/content/forms/marker/tickets_form", headers: origin},
		"404":            {method: http.MethodGet, path: "/api/content/no-such-thing", headers: origin},
		"401":            {method: http.MethodGet, path: "/api/content/users/me", headers: origin},
		"403 bad token":  {method: http.MethodGet, path: "/api/content/users/me", headers: map[string]string{"Origin": "http://localhost:5173", "x-app-token": "nope"}},
		"413":            {method: http.MethodPost, path: ordersPath, contentType: "application/json", body: `{"x":"` + strings.Repeat("a", 2048) + `"}`, headers: origin},
		"unknown method": {method: "PURGE", path: "/api/content/forms", headers: origin},
	} {
		resp, _ := ts.browser(t, c)
		assert.GreaterOrEqual(t, resp.StatusCode, 400, name)
		assert.Equal(t, "http://localhost:5173", resp.Header.Get("Access-Control-Allow-Origin"), name)
		assert.Equal(t, "true", resp.Header.Get("Access-Control-Allow-Credentials"), name)
		exposed := resp.Header.Get("Access-Control-Expose-Headers")
		for _, h := range []string{"X-Request-Id", "X-Mock-Fault", "X-Mock-Nearest-Route"} {
			assert.Contains(t, exposed, h, name)
		}
		if name == "injected 503" {
			assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
			assert.NotEmpty(t, resp.Header.Get("X-Mock-Fault"))
		}
	}

	// Any origin's preflight of the content API succeeds; a request without Origin gets "*".
	resp, _ = ts.browser(t, browserCall{method: http.MethodOptions, path: ordersPath, headers: map[string]string{
		"Origin": "https://anywhere.example", "Access-Control-Request-Method": "POST"}})
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, "https://anywhere.example", resp.Header.Get("Access-Control-Allow-Origin"))
	resp, _ = ts.browser(t, browserCall{method: http.MethodGet, path: "/api/content/forms", headers: map[string]string{"x-app-token": appToken}})
	assert.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"))
}

func newServerErr(t *testing.T, opts ...serverOption) (*mockserver.Server, error) {
	t.Helper()
	mo := mockserver.Options{Sandbox: sandbox.Options{Fixtures: mocktest.DefaultFixtures(t)}, Contract: mocktest.Contract(t)}
	for _, o := range opts {
		o(&mo)
	}
	return mockserver.New(mo)
}

// A request line Go's server cannot parse never reaches the mock: the server answers it in
// plain text, without CORS headers, as docs/api.md says. A request with an empty Host, which
// Go lets through on HTTP/1.0 or as an empty "Host:", is answered alike before anything else,
// rather than with links that lack their host.
func TestUnparsableRequestsAreAnsweredInPlainText(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	sendRaw := func(head string) (*http.Response, []byte) {
		conn, err := net.Dial("tcp", ts.Listener.Addr().String())
		require.NoError(t, err)
		defer conn.Close()
		_, err = io.WriteString(conn, head+"\r\n")
		require.NoError(t, err)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err, head)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, body
	}
	for name, head := range map[string]string{
		"an invalid escape":       "GET /api/content/pages/url/50%off HTTP/1.1\r\nHost: x\r\n",
		"HTTP/1.0 without a Host": "GET /api/content/pages/url/home?langCode=en_US HTTP/1.0\r\n",
		"an empty Host":           "GET /api/content/pages/url/home?langCode=en_US HTTP/1.1\r\nHost:\r\n",
	} {
		resp, body := sendRaw(head + "Origin: https://shop.example\r\nx-app-token: " + appToken + "\r\n")
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s: %s", name, body)
		assert.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain"), "%s: %s", name, resp.Header.Get("Content-Type"))
		assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"), name)
	}
	// A load balancer's health check may come so (HAProxy's httpchk sends HTTP/1.0 without a
	// Host): the probes, which write no link, answer it.
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, body := sendRaw("GET " + path + " HTTP/1.0\r\n")
		assert.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", path, body)
	}
}

// The cors middleware behind NestJS's enableCors answers every OPTIONS as a preflight, whether
// or not it names the method to come; the admin API stays CORS-closed.
func TestEveryContentOptionsIsAPreflight(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for _, origin := range []string{"", "http://localhost:3000"} {
		for _, path := range []string{"/api/content/pages", "/api/content/nosuch"} {
			resp, body := ts.send(t, ts.request(t, http.MethodOptions, path, "", "", map[string]string{"Origin": origin}))
			assert.Equal(t, http.StatusNoContent, resp.StatusCode, "%s from %q: %s", path, origin, body)
			assert.Equal(t, "GET,HEAD,PUT,PATCH,POST,DELETE", resp.Header.Get("Access-Control-Allow-Methods"), path)
			assert.NotEmpty(t, resp.Header.Get("Access-Control-Allow-Origin"), path)
			assert.Empty(t, resp.Header.Get("X-Mock-Nearest-Route"), path)
		}
	}
	resp, body := ts.send(t, ts.request(t, http.MethodOptions, "/__admin/state", "", "", map[string]string{"Origin": "http://localhost:3000"}))
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, string(body))
	assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))
	assert.Empty(t, resp.Header.Get("Access-Control-Allow-Methods"))
}
