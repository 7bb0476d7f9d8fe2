package mockserver_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver"
)

// A guessable /checkout/your-app-token/51/complete would let anyone pay another user's order,
// even with --admin-token. The URL carries the session's random checkout
// token and the form the page's CSRF token; without both nothing changes.
// maxCheckoutFormForTest is the documented limit (docs/security.md) of a checkout action's form, 4 KiB.
const maxCheckoutFormForTest = 4 << 10

func TestCheckoutNeedsItsTokens(t *testing.T) {
	t.Parallel()
	for _, adminToken := range []string{"", "s3cret"} {
		ts := newTestServer(t, withAdminToken(adminToken))
		f := ts.openStripeSession(t, 10, 1)
		pay, err := url.Parse(f.payURL)
		require.NoError(t, err)
		session := pay.Path[strings.LastIndex(pay.Path, "/")+1:]
		assert.Regexp(t, `^cs_test_[0-9a-f]{32}$`, session)
		assert.NotContains(t, pay.Path, fmt.Sprint("/", f.sessionID), "no sequential id in the URL")
		csrf := ts.checkoutCSRF(t, f.payURL)

		post := func(path string, form url.Values, h map[string]string) *http.Response {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, ts.URL+path, strings.NewReader(form.Encode()))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range h {
				req.Header.Set(k, v)
			}
			resp, err := noRedirects(ts).Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			return resp
		}
		byID := "/checkout/" + appToken + "/" + fmt.Sprint(f.sessionID) + "/complete"
		assert.Equal(t, http.StatusNotFound, post(byID, url.Values{"csrf": {csrf}}, nil).StatusCode, "the sequential id opens nothing")
		assert.Equal(t, http.StatusForbidden, post(pay.Path+"/complete", nil, nil).StatusCode, "no csrf token")
		assert.Equal(t, http.StatusForbidden, post(pay.Path+"/complete", url.Values{"csrf": {strings.Repeat("0", 64)}}, nil).StatusCode, "a wrong csrf token")
		assert.Equal(t, http.StatusForbidden, post(pay.Path+"/complete", url.Values{"csrf": {csrf}}, crossSite).StatusCode, "a page on another site, even with both tokens")
		resp, body := ts.browser(t, browserCall{method: http.MethodPost, path: pay.Path + "/complete?csrf=" + csrf})
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, "the token counts only in the form body: %s", body)
		oversized := url.Values{"csrf": {csrf}, "padding": {strings.Repeat("x", maxCheckoutFormForTest)}}
		assert.GreaterOrEqual(t, post(pay.Path+"/complete", oversized, map[string]string{"Origin": ts.URL, "Sec-Fetch-Site": "same-origin"}).StatusCode, 400,
			"a form larger than one button's is refused, even with both tokens")
		assert.Equal(t, "waiting", ts.session(t, f.token, f.sessionID)["status"], "nothing was paid")

		resp = post(pay.Path+"/complete", url.Values{"csrf": {csrf}}, map[string]string{"Origin": ts.URL, "Sec-Fetch-Site": "same-origin"})
		assert.Equal(t, http.StatusSeeOther, resp.StatusCode, "the page's own form")
		assert.Equal(t, "completed", ts.session(t, f.token, f.sessionID)["status"])
	}
}

// openCheckout opens a stripe session through h as the SDK would, and returns its page path
// and the page's CSRF token.
func openCheckout(t *testing.T, h http.Handler, token string) (string, string) {
	t.Helper()
	call := func(method, path string, body any) *httptest.ResponseRecorder {
		var data []byte
		if body != nil {
			var err error
			data, err = json.Marshal(body)
			require.NoError(t, err)
		}
		return serveAPI(h, method, path, token, bytes.NewReader(data), func(req *http.Request) {
			req.Host = "localhost" // the checkout answers loopback hosts
		})
	}
	rec := call(http.MethodPost, ordersPath, ticketOrder(10, 1, "stripe"))
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	orderID := decode[map[string]any](t, rec.Body.Bytes())["id"]
	rec = call(http.MethodPost, "/api/content/payments/sessions", map[string]any{"orderId": orderID, "type": "session", "automaticTaxEnabled": false})
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	pay, err := url.Parse(decode[map[string]any](t, rec.Body.Bytes())["paymentUrl"].(string))
	require.NoError(t, err)
	rec = call(http.MethodGet, pay.Path, nil)
	require.Equal(t, http.StatusOK, rec.Code)
	_, after, ok := strings.Cut(rec.Body.String(), `name="csrf" value="`)
	require.True(t, ok)
	csrf, _, _ := strings.Cut(after, `"`)
	return pay.Path, csrf
}

// FuzzCheckoutAction posts random checkout actions: random session parts, actions, forms and
// headers never answer 5xx, and never change state unless they carry both the session's
// checkout token and the page's CSRF token.
func FuzzCheckoutAction(f *testing.F) {
	h, token := handlerWithUser(f)
	srv := h.(*mockserver.Server)
	for _, seed := range []struct {
		session, action, body, contentType string
		realSession, realCSRF              bool
	}{
		{"", "complete", "action=complete", "application/x-www-form-urlencoded", true, false},
		{"", "complete", "action=complete", "application/x-www-form-urlencoded", false, true},
		{"cs_test_00000000000000000000000000000000", "decline", "", "", false, false},
		{"51", "complete", "csrf=", "application/x-www-form-urlencoded", false, false},
		{"", "refund", "csrf=x&csrf=y", "application/x-www-form-urlencoded", true, true},
		{"", "cancel", "%zz=1", "application/x-www-form-urlencoded", true, false},
		{"../../__admin/reset", "", "{}", "application/json", false, false},
		{"", "expire", strings.Repeat("a=b&", 2000), "application/x-www-form-urlencoded", true, true},
		{"", "complete", "--x\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nz\r\n--x--", "multipart/form-data; boundary=x", true, false},
	} {
		f.Add(seed.session, seed.action, seed.body, seed.contentType, seed.realSession, seed.realCSRF)
	}
	var page, csrf string
	f.Fuzz(func(t *testing.T, session, action, body, contentType string, realSession, realCSRF bool) {
		if page == "" {
			page, csrf = openCheckout(t, srv, token)
		}
		path := "/checkout/" + appToken + "/" + session
		if realSession {
			path = page
		}
		if action != "" {
			path += "/" + action
		}
		if realCSRF {
			body += "&csrf=" + csrf
		}
		req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1"+path, strings.NewReader(body))
		if err != nil {
			t.Skip("not a request a client could send")
		}
		req.Header.Set("Content-Type", contentType)
		before, err := json.Marshal(srv.Store().Export(t.Context()))
		require.NoError(t, err)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("POST %q %q: status %d: %s", path, body, rec.Code, rec.Body.String())
		}
		after, err := json.Marshal(srv.Store().Export(t.Context()))
		require.NoError(t, err)
		if bytes.Equal(before, after) {
			return
		}
		if !realSession || !realCSRF {
			t.Fatalf("POST %q %q (status %d) changed the state without both tokens", path, body, rec.Code)
		}
		page = "" // this session is closed or declined: the next input gets a fresh one
	})
}

// A checkout action refused by the store answers what refused it, in the mock's JSON error
// body: above the memory limit a click must not read as "no such session", and a session that
// does not exist is a 404 of the same shape.
func TestCheckoutActionRefusalsAnswerTheirOwnStatus(t *testing.T) {
	t.Parallel()
	ts, heap := newMemoryLimitedServer(t)
	f := ts.openStripeSession(t, 10, 1)
	pay, err := url.Parse(f.payURL)
	require.NoError(t, err)
	form := ts.checkoutForm(t, f.payURL, "complete")
	post := func(path string) (*http.Response, []byte) {
		t.Helper()
		resp, err := noRedirects(ts).PostForm(ts.URL+path, form)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, body
	}

	heap.bytes.Store(65 << 20)
	resp, body := post(pay.Path + "/complete")
	require.Equal(t, http.StatusConflict, resp.StatusCode, string(body))
	assert.Equal(t, "memory", resp.Header.Get("X-Mock-Limit"))
	assert.Contains(t, strings.Join(decodeError(t, http.StatusConflict, body).messages(), " "), "above its limit of 64 MiB")
	assert.Equal(t, "waiting", ts.session(t, f.token, f.sessionID)["status"], "the refused click paid nothing")

	resp, body = post("/checkout/" + appToken + "/cs_test_00000000000000000000000000000000/complete")
	require.Equal(t, http.StatusNotFound, resp.StatusCode, string(body))
	assert.Equal(t, []string{"No such checkout session"}, decodeError(t, http.StatusNotFound, body).messages())

	heap.bytes.Store(0)
	resp, body = post(pay.Path + "/complete")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, string(body))
	assert.Equal(t, "completed", ts.session(t, f.token, f.sessionID)["status"])
}
