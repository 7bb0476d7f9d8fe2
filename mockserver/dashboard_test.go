package mockserver_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/internal/testkit"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/mockserver/ui"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
	"github.com/oneentry-mock/oneentry-mock/webhook"
)

// uiGet fetches a dashboard page (redirects are not followed) with the given cookies.
func uiGet(t *testing.T, ts *testServer, path string, cookies ...*http.Cookie) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, ts.URL+path, nil)
	require.NoError(t, err)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := noRedirects(ts).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body), resp.Header
}

// uiPost submits a dashboard form as the browser does from the dashboard's own page.
func uiPost(t *testing.T, ts *testServer, path string, form url.Values, headers map[string]string, cookies ...*http.Cookie) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, ts.URL+path, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return uiSend(t, ts, req, cookies)
}

// uiSend sends a dashboard form's request from the dashboard's own page, with the cookies.
func uiSend(t *testing.T, ts *testServer, req *http.Request, cookies []*http.Cookie) *http.Response {
	t.Helper()
	if req.Header.Get("Sec-Fetch-Site") == "" {
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := noRedirects(ts).Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp
}

// uiUpload submits a multipart dashboard form with one file, as the browser does.
func uiUpload(t *testing.T, ts *testServer, path string, fields url.Values, fileField string, file []byte, cookies ...*http.Cookie) *http.Response {
	t.Helper()
	form, contentType := testkit.FileForm(t, fields, fileField, fileField+".json", file)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, ts.URL+path, form)
	require.NoError(t, err)
	req.Header.Set("Content-Type", contentType)
	return uiSend(t, ts, req, cookies)
}

// paidPurchase buys two tickets through the API and pays for them.
func (ts *testServer) paidPurchase(t *testing.T) flowState {
	t.Helper()
	f := ts.openStripeSession(t, 10, 2)
	ts.settle(t, f.sessionID, "complete")
	return f
}

// Every view renders the state a purchase leaves, without a browser.
func TestDashboardPages(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileSDK115))
	f := ts.paidPurchase(t)
	status, _ := ts.call(t, http.MethodGet, "/api/content/orders-storage/marker/tickets/ordrs", f.token, nil)
	require.Equal(t, http.StatusNotFound, status)
	mails := ts.mails(t, userLogin)
	require.Len(t, mails, 1)
	entries := ts.server.Sandboxes().Default().Journal().List(sandbox.Filter{Method: http.MethodPost, Path: ordersPath})
	require.Len(t, entries, 1)
	order := fmt.Sprint(f.orderID)

	for path, want := range map[string][]string{
		"/__admin/ui/":                                     {appToken, userLogin, userPass, `data-order="` + order + `"`, "completed", mails[0].Subject},
		"/__admin/ui/requests":                             {ordersPath, "POST /api/content/orders-storage/marker/{marker}/orders", `<option value="GET /api/content/forms/marker/{marker}">`},
		"/__admin/ui/requests?class=4xx":                   {"ordrs"},
		"/__admin/ui/requests/" + entries[0].ID:            {"follows contracts/openapi.yaml", "curl -X POST", "x-app-token", "tickets_form"},
		"/__admin/ui/orders":                               {`data-order="` + order + `"`},
		"/__admin/ui/orders/" + order:                      {"Line total", "Payment sessions", "closed", mails[0].Subject},
		"/__admin/ui/mail":                                 {mails[0].Subject},
		"/__admin/ui/mail/" + mails[0].ID:                  {`sandbox src="/__admin/ui/mail/`, "TKT-"},
		"/__admin/ui/mail/" + mails[0].ID + "?tab=text":    {"TKT-"},
		"/__admin/ui/mail/" + mails[0].ID + "?tab=headers": {"X-Oneentry-Order", order},
		"/__admin/ui/mail/" + mails[0].ID + "?tab=raw":     {"MIME-Version"},
		"/__admin/ui/webhooks":                             {"No deliveries yet"},
		"/__admin/ui/faults":                               {"Add rule"},
		"/__admin/ui/clock":                                {"clock-now"},
		"/__admin/ui/sandboxes":                            {appToken, "Create a sandbox"},
		"/__admin/ui/sandboxes/export":                     {`"oneentry-mock-state"`},
		"/__admin/ui/assets/app.js":                        {"EventSource"},
	} {
		status, body, header := uiGet(t, ts, path)
		require.Equal(t, http.StatusOK, status, "%s: %s", path, body)
		for _, w := range want {
			assert.Contains(t, body, w, path)
		}
		if !strings.Contains(path, "/assets/") && !strings.Contains(path, "/export") {
			assert.Contains(t, header.Get("Content-Security-Policy"), "default-src 'self'", path)
			assert.Contains(t, header.Get("Content-Security-Policy"), "frame-ancestors 'none'", path)
			assert.Equal(t, "no-store", header.Get("Cache-Control"), path)
		}
	}
	// Every page of the top bar has its access key, and the filters theirs (docs/dashboard.md).
	_, overview, _ := uiGet(t, ts, "/__admin/ui/")
	for _, key := range strings.Split("o r d u a t e m w f c s", " ") {
		assert.Contains(t, overview, `accesskey="`+key+`"`)
	}
	for _, path := range []string{"/__admin/ui/requests", "/__admin/ui/mail"} {
		_, page, _ := uiGet(t, ts, path)
		assert.Contains(t, page, `accesskey="/"`, path)
	}
	// The route filter: the unmatched request alone, or the order create's route alone.
	_, unmatched, _ := uiGet(t, ts, "/__admin/ui/requests?route=unmatched")
	assert.Contains(t, unmatched, "ordrs")
	assert.NotContains(t, unmatched, `data-request="`+entries[0].ID+`"`)
	_, creates, _ := uiGet(t, ts, "/__admin/ui/requests?route="+url.QueryEscape("POST /api/content/orders-storage/marker/{marker}/orders"))
	assert.Contains(t, creates, `data-request="`+entries[0].ID+`"`)
	assert.NotContains(t, creates, "ordrs")
	status, nearest, _ := uiGet(t, ts, "/__admin/ui/requests?class=4xx")
	require.Equal(t, http.StatusOK, status)
	id := regexp.MustCompile(`/__admin/ui/requests/([^"]+)"`).FindStringSubmatch(nearest)
	require.NotNil(t, id)
	_, detail, _ := uiGet(t, ts, "/__admin/ui/requests/"+id[1])
	assert.Contains(t, detail, "nearest-route", "a 404 names the nearest route")

	status, html, header := uiGet(t, ts, "/__admin/ui/mail/"+mails[0].ID+"/html")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, html, "TKT-")
	assert.Contains(t, header.Get("Content-Security-Policy"), "sandbox")

	status, _, _ = uiGet(t, ts, "/__admin/ui/orders/999999")
	assert.Equal(t, http.StatusNotFound, status)
	status, _, _ = uiGet(t, ts, "/__admin/ui/requests/none")
	assert.Equal(t, http.StatusNotFound, status)
	status, _, header = uiGet(t, ts, "/__admin/ui")
	assert.Equal(t, http.StatusMovedPermanently, status)
	assert.Equal(t, "/__admin/ui/", header.Get("Location"))
}

// A discounted order shows what it records, as the API answered it and the checkout charges
// it: lines at their prices, the discounts, the bonus spent and the amount due.
func TestDashboardShowsAnOrdersDiscountsAndAmountDue(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	tk := ts.signIn(t, userLogin, userPass)
	created := ts.createOrder(t, tk.AccessToken, discountOrder(map[int]int{10: 2, 11: 1},
		map[string]any{"couponCode": "WELCOME10", "additionalDiscountsMarkers": []string{"early_bird"}, "bonusAmount": 30, "paymentAccountIdentifier": "stripe"}))
	require.Equal(t, []any{288.0, 30.0, 258.0}, []any{created["totalSum"], created["bonusApplied"], created["totalDue"]})
	id := fmt.Sprint(created["id"])

	// The checkout page charges the same, its lines adding up to it.
	status, body := ts.call(t, http.MethodPost, "/api/content/payments/sessions", tk.AccessToken, map[string]any{"orderId": created["id"], "type": "session"})
	require.Equal(t, http.StatusCreated, status, string(body))
	status, checkout := testkit.Call(t, ts.Client(), http.MethodGet, decode[map[string]any](t, body)["paymentUrl"].(string), "")
	require.Equal(t, http.StatusOK, status)
	for _, want := range []string{`id="subtotal">400.00<`, "Early bird", "coupon WELCOME10", `id="discount">−112.00<`, `id="bonus">−30.00<`, `id="total">258.00 USD<`} {
		assert.Contains(t, string(checkout), want, "checkout page")
	}

	status, page, _ := uiGet(t, ts, "/__admin/ui/orders/"+id)
	require.Equal(t, http.StatusOK, status)
	for _, want := range []string{
		`id="order-subtotal">400.00 USD<`, "Early bird", "Welcome, 10 % off", "<code>WELCOME10</code>",
		`id="order-discount">−112.00 USD<`, `id="order-total">288.00 USD<`, `id="order-bonus">−30.00 USD<`,
		`id="order-due">258.00 USD<`, "80.00 USD after item discounts",
	} {
		assert.Contains(t, page, want)
	}
	_, list, _ := uiGet(t, ts, "/__admin/ui/orders")
	assert.Contains(t, list, "258.00 USD")
	assert.NotContains(t, list, "288.00 USD", "the list shows what is due, as the checkout charges it")

	plain := ts.createOrder(t, tk.AccessToken, discountOrder(map[int]int{10: 2}, nil))
	_, page, _ = uiGet(t, ts, fmt.Sprintf("/__admin/ui/orders/%v", plain["id"]))
	assert.Contains(t, page, `id="order-total">200.00 USD<`)
	for _, absent := range []string{"order-subtotal", "order-discount", "order-bonus", "order-due"} {
		assert.NotContains(t, page, absent, "an order without discounts shows its total alone")
	}
}

// The order page and list show the order's payment state as the store derives it, refunds
// included, and the order page its refund requests.
func TestDashboardShowsPaymentStateAndRefunds(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	tk := ts.signIn(t, userLogin, userPass)
	id := int(ts.createOrder(t, tk.AccessToken, discountOrder(map[int]int{10: 2}, nil))["id"].(float64))
	page := func() (string, string) {
		t.Helper()
		status, order, _ := uiGet(t, ts, fmt.Sprintf("/__admin/ui/orders/%d", id))
		require.Equal(t, http.StatusOK, status)
		_, list, _ := uiGet(t, ts, "/__admin/ui/orders")
		return order, list
	}
	order, list := page()
	assert.Contains(t, order, `<span class="pill p-unpaid"`)
	assert.Contains(t, order, "No refund requests.")
	assert.Contains(t, list, `<span class="pill p-unpaid"`)

	ts.payOrder(t, tk.AccessToken, id)
	declined := ts.requestRefund(t, tk.AccessToken, id, map[string]any{"10": map[string]int{"quantity": 1}})
	status, body := ts.callWith(t, http.MethodPost, fmt.Sprintf("/__admin/refunds/%d/decline", declined), "", nil, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	partial := ts.requestRefund(t, tk.AccessToken, id, map[string]any{"10": map[string]int{"quantity": 1}})
	order, list = page()
	assert.Contains(t, order, `<span class="pill p-paid"`)
	assert.Contains(t, order, fmt.Sprintf(`data-refund="%d"`, declined))
	assert.Contains(t, order, `<span class="pill p-declined">declined</span>`)
	assert.Contains(t, order, `<span class="pill p-pending">pending</span>`)
	assert.Contains(t, list, `<span class="pill p-paid"`)

	status, body = ts.callWith(t, http.MethodPost, fmt.Sprintf("/__admin/refunds/%d/approve", partial), "", nil, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	order, list = page()
	assert.Contains(t, order, `<span class="pill p-partially_refunded"`)
	assert.Contains(t, order, `<span class="pill p-approved">approved</span>`)
	assert.Contains(t, list, `<span class="pill p-partially_refunded"`)

	rest := ts.requestRefund(t, tk.AccessToken, id, map[string]any{"10": map[string]int{"quantity": 1}})
	status, body = ts.callWith(t, http.MethodPost, fmt.Sprintf("/__admin/refunds/%d/approve", rest), "", nil, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	order, list = page()
	for _, seen := range []string{order, list} {
		assert.Contains(t, seen, `<span class="pill p-refunded"`)
		assert.NotContains(t, seen, `p-paid`, "a refunded order is not shown as paid")
		assert.NotContains(t, seen, `>paid</span>`)
	}
}

// A page past the end of a list says so and links to the last page, rather than calling the
// list empty or offering a newer page that is past the end too.
func TestDashboardPagePastTheEnd(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	tk := ts.login(t, userLogin, userPass)
	ts.placeOrders(t, tk.AccessToken, 4)
	for i := 0; i < 60; i++ {
		status, _ := ts.callWith(t, http.MethodGet, "/api/content/forms/marker/tickets_form", "", nil, map[string]string{"x-app-token": appToken})
		require.Equal(t, http.StatusOK, status)
	}
	requests := ts.server.Sandboxes().Default().Journal().Count(sandbox.Filter{})
	for path, want := range map[string]string{
		"/__admin/ui/orders?offset=100":   `href="/__admin/ui/orders"`,
		"/__admin/ui/requests?offset=500": `href="/__admin/ui/requests?offset=50"`,
		"/__admin/ui/mail?offset=50":      `href="/__admin/ui/mail"`,
	} {
		status, body, _ := uiGet(t, ts, path)
		require.Equal(t, http.StatusOK, status, path)
		assert.Contains(t, body, `id="past-end"`, path)
		assert.Contains(t, body, want+` id="last-page"`, path)
		assert.NotContains(t, body, "No orders yet", path)
		assert.NotContains(t, body, "The outbox is empty", path)
		assert.NotContains(t, body, `rel="prev"`, path)
	}
	_, body, _ := uiGet(t, ts, "/__admin/ui/orders?offset=100")
	assert.Contains(t, body, "which has 4 in all")
	_, body, _ = uiGet(t, ts, "/__admin/ui/requests?offset=50")
	assert.NotContains(t, body, `id="past-end"`, "the last page itself")
	assert.Contains(t, body, fmt.Sprintf("51–%d of %d", requests, requests))
}

// Every journal entry has an id of the mock's own, unique and usable in a link, whatever
// X-Request-Id the client sent (chi's shape holds a slash, and clients repeat theirs): the
// request's page and the "Caused by" link of its e-mail open that request, and the client's id
// is kept with it and found by the text filter.
func TestDashboardRequestIDsAreTheMocksOwn(t *testing.T) {
	t.Parallel()
	ts := newLiveServer(t)
	const clientID = "myhost/AbCdEf1234-000001"
	var ids []string
	for _, login := range []string{"first@example.com", "second@example.com"} {
		headers := map[string]string{"X-Request-Id": clientID}
		for k, v := range liveHeaders {
			headers[k] = v
		}
		b, err := json.Marshal(codeSignUp(login))
		require.NoError(t, err)
		resp, err := ts.Client().Do(ts.request(t, http.MethodPost, codeBase+"sign-up", string(b), "application/json", headers))
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusCreated, resp.StatusCode)
		id := resp.Header.Get("X-Request-Id")
		assert.NotEqual(t, clientID, id)
		ids = append(ids, id)

		msgs := ts.mails(t, login)
		require.Len(t, msgs, 1)
		assert.Equal(t, id, msgs[0].RequestID, "the e-mail names the request by the mock's id")
		_, page, _ := uiGet(t, ts, "/__admin/ui/mail/"+msgs[0].ID)
		link := regexp.MustCompile(`<dt>Caused by</dt><dd><a href="([^"]+)"`).FindStringSubmatch(page)
		require.NotNil(t, link, "the cause is linked while the journal holds it")
		status, detail, _ := uiGet(t, ts, link[1])
		require.Equal(t, http.StatusOK, status, link[1])
		assert.Contains(t, detail, "<code>"+id+"</code>")
		assert.Contains(t, detail, login, "the link opens this request, not the other one with the client's id")
		assert.Contains(t, detail, clientID, "the client's X-Request-Id is shown")
	}
	assert.NotEqual(t, ids[0], ids[1])
	_, found, _ := uiGet(t, ts, "/__admin/ui/requests?q="+url.QueryEscape(clientID))
	for _, id := range ids {
		assert.Contains(t, found, `data-request="`+id+`"`)
	}
	assert.Equal(t, 2, strings.Count(found, `data-request="`), "the text filter finds the client's id")
}

// A request the journal no longer holds is said to be gone by the journal's configured size.
func TestDashboardMissingRequestNamesTheJournalSize(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, func(mo *mockserver.Options) { mo.Sandbox.JournalSize = 7 })
	status, body, _ := uiGet(t, ts, "/__admin/ui/requests/none")
	assert.Equal(t, http.StatusNotFound, status)
	assert.Contains(t, body, "it keeps the newest 7)")
}

// The dashboard shows no password a user could sign in with but the fixtures' own: a password
// field's value kept in form data is masked, and the overview lists a fixture user only while
// the fixtures' password still signs them in.
func TestDashboardShowsOnlyTheFixturesPasswords(t *testing.T) {
	t.Parallel()
	ts := newLiveServer(t)
	b := codeSignUp("kept@example.com")
	b["formData"] = map[string]any{"en_US": []map[string]any{{"marker": "password_reg", "type": "string", "value": "S3cret-pw"}}}
	status, body := ts.post(t, usersBase+"sign-up", b)
	require.Equal(t, http.StatusCreated, status, string(body))
	_, users, _ := uiGet(t, ts, "/__admin/ui/users")
	assert.Contains(t, users, "kept@example.com")
	assert.NotContains(t, users, "S3cret-pw")
	assert.Contains(t, users, "[redacted]")

	_, overview, _ := uiGet(t, ts, "/__admin/ui/")
	assert.Contains(t, overview, "<code>"+userPass+"</code>")
	tk := ts.signIn(t, userLogin, userPass)
	status, body = ts.call(t, http.MethodPut, mePath, tk.AccessToken, map[string]any{
		"formIdentifier": "reg", "langCode": "en_US",
		"authData": []map[string]string{{"marker": "password_reg", "value": "changed-1"}},
	})
	require.Equal(t, http.StatusOK, status, string(body))
	_, overview, _ = uiGet(t, ts, "/__admin/ui/")
	assert.NotContains(t, overview, "<code>"+userLogin+"</code>", "its password no longer signs in")
	assert.Contains(t, overview, "<code>"+user2+"</code>")
}

// The users page shows what each account can do now, the newest first: an archived or deleted
// account, which no longer signs in, is not shown as active; the overview's count says that it
// counts accounts in any state.
func TestDashboardShowsArchivedAndDeletedAccounts(t *testing.T) {
	t.Parallel()
	ts := newLiveServer(t)
	status, body := ts.post(t, usersBase+"sign-up", codeSignUp("newest@example.com"))
	require.Equal(t, http.StatusCreated, status, string(body))
	status, body = ts.call(t, http.MethodDelete, mePath, ts.signIn(t, userLogin, userPass).AccessToken, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	status, body = ts.call(t, http.MethodDelete, mePath+"/account", ts.signIn(t, user2, user2Pass).AccessToken, nil)
	require.Equal(t, http.StatusOK, status, string(body))

	_, page, _ := uiGet(t, ts, "/__admin/ui/users")
	states := map[string]string{}
	var logins []string
	for _, row := range regexp.MustCompile(`<tr data-user="\d+"><td>\d+</td><td><code>([^<]+)</code>.*?data-state="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		logins = append(logins, row[1])
		states[row[1]] = row[2]
	}
	assert.Equal(t, "archived", states[userLogin])
	assert.Equal(t, "deleted", states[user2])
	assert.Equal(t, "active", states["newest@example.com"])
	require.NotEmpty(t, logins)
	assert.Equal(t, "newest@example.com", logins[0], "the newest user first")
	assert.Equal(t, userLogin, logins[len(logins)-1], "the first fixture user last")

	_, overview, _ := uiGet(t, ts, "/__admin/ui/")
	assert.Contains(t, overview, `Accounts</a> <span class="muted">(any state)</span>`)
}

// A message links the request that caused it only while the journal holds that request: a
// ticket paid for on the checkout page came from a request the journal never keeps.
func TestDashboardLinksOnlyJournaledCauses(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileSDK115))
	ts.signUp(t, "cause@example.com")
	ts.sendCode(t, "cause@example.com")
	code := ts.mails(t, "cause@example.com")[0]
	require.NotEmpty(t, code.RequestID)
	_, page, _ := uiGet(t, ts, "/__admin/ui/mail/"+code.ID)
	assert.Contains(t, page, `<a href="/__admin/ui/requests/`+code.RequestID+`">`)
	status, _, _ := uiGet(t, ts, "/__admin/ui/requests/"+code.RequestID)
	assert.Equal(t, http.StatusOK, status, "the link leads to the request")

	ts.paidPurchase(t)
	ticket := ts.mails(t, userLogin)[0]
	require.NotEmpty(t, ticket.RequestID)
	_, page, _ = uiGet(t, ts, "/__admin/ui/mail/"+ticket.ID)
	assert.NotContains(t, page, "/__admin/ui/requests/"+ticket.RequestID)
	assert.Contains(t, page, "not in the journal")
}

// With --admin-token the dashboard asks once and keeps a session cookie scripts cannot read,
// sent back to the dashboard only and never from another site.
func TestDashboardAdminTokenCookie(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withAdminToken("s3cret"))
	status, body, _ := uiGet(t, ts, "/__admin/ui/orders")
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, body, `name="token"`)
	assert.NotContains(t, body, appToken, "nothing of the sandbox before the token")
	assert.Equal(t, http.StatusUnauthorized, uiPost(t, ts, "/__admin/ui/faults", url.Values{"path": {"/x"}, "status": {"500"}}, nil).StatusCode)

	wrong := uiPost(t, ts, "/__admin/ui/login", url.Values{"token": {"guess"}}, nil)
	assert.Equal(t, http.StatusUnauthorized, wrong.StatusCode)
	assert.Empty(t, wrong.Cookies())

	resp := uiPost(t, ts, "/__admin/ui/login", url.Values{"token": {"s3cret"}, "next": {"/__admin/ui/orders"}}, nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, "/__admin/ui/orders", resp.Header.Get("Location"))
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == ui.TokenCookie {
			session = c
		}
	}
	require.NotNil(t, session)
	assert.True(t, session.HttpOnly)
	assert.Equal(t, http.SameSiteStrictMode, session.SameSite)
	assert.Equal(t, "/__admin/ui/", session.Path)
	assert.NotContains(t, session.Value, "s3cret", "the cookie is not the token")

	status, body, _ = uiGet(t, ts, "/__admin/ui/", session)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, appToken)
	status, _, _ = uiGet(t, ts, "/__admin/ui/", &http.Cookie{Name: ui.TokenCookie, Value: "forged"})
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, http.StatusSeeOther, uiPost(t, ts, "/__admin/ui/faults", url.Values{"path": {"/api/content/x"}, "status": {"503"}}, nil, session).StatusCode)
	assert.Len(t, ts.server.Sandboxes().Default().Faults().List(), 1)
	// The admin API itself still wants its header: the cookie opens the dashboard only.
	status, _ = ts.callWith(t, http.MethodGet, "/__admin/faults", "", nil, map[string]string{"Cookie": ui.TokenCookie + "=" + session.Value})
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, body, `id="logout"`)
	out := uiPost(t, ts, "/__admin/ui/logout", nil, nil, session)
	require.Equal(t, http.StatusSeeOther, out.StatusCode)
	require.Len(t, out.Cookies(), 1)
	assert.Equal(t, ui.TokenCookie, out.Cookies()[0].Name)
	assert.Negative(t, out.Cookies()[0].MaxAge, "logging out drops the cookie")
	// Without a token the open redirect is refused: next stays inside the dashboard.
	resp = uiPost(t, ts, "/__admin/ui/login", url.Values{"token": {"s3cret"}, "next": {"https://evil.example/"}}, nil)
	assert.Equal(t, "/__admin/ui/", resp.Header.Get("Location"))
}

// A form posted from another site changes nothing: the admin API's origin rules guard the
// dashboard's actions.
func TestDashboardRefusesCrossSiteForms(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	form := url.Values{"path": {"/api/content/forms"}, "status": {"500"}}
	for name, headers := range map[string]map[string]string{
		"Sec-Fetch-Site cross-site": {"Sec-Fetch-Site": "cross-site"},
		"foreign Origin":            {"Sec-Fetch-Site": "", "Origin": "http://evil.example"},
		"rebound Host":              {"Host": "evil.example"},
	} {
		req := ts.request(t, http.MethodPost, "/__admin/ui/faults", form.Encode(), "application/x-www-form-urlencoded", headers)
		resp, err := noRedirects(ts).Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, name)
	}
	assert.Empty(t, ts.server.Sandboxes().Default().Faults().List())
	resp := uiPost(t, ts, "/__admin/ui/faults", form, nil)
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Len(t, ts.server.Sandboxes().Default().Faults().List(), 1)
}

// Lists show one page at a time, newest first, with links to the neighbours.
func TestDashboardPaging(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileSDK115))
	for range 120 {
		status, _ := ts.call(t, http.MethodGet, "/api/content/forms/marker/tickets_form", "", nil)
		require.Equal(t, http.StatusOK, status)
	}
	rows := regexp.MustCompile(`<tr data-request=`)
	_, first, _ := uiGet(t, ts, "/__admin/ui/requests?q=tickets_form")
	assert.Len(t, rows.FindAllString(first, -1), 50)
	assert.Contains(t, first, "1–50 of 120")
	assert.Contains(t, first, `href="/__admin/ui/requests?offset=50&amp;q=tickets_form" rel="next"`)
	_, last, _ := uiGet(t, ts, "/__admin/ui/requests?q=tickets_form&offset=100")
	assert.Len(t, rows.FindAllString(last, -1), 20)
	assert.Contains(t, last, "101–120 of 120")
	assert.Contains(t, last, `href="/__admin/ui/requests?offset=50&amp;q=tickets_form" rel="prev"`)

	tk := ts.login(t, userLogin, userPass)
	for range 55 {
		status, body := ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, ticketOrder(10, 1, "cash"))
		require.Equal(t, http.StatusCreated, status, string(body))
	}
	orderRows := regexp.MustCompile(`<tr data-order="(\d+)"`)
	_, orders, _ := uiGet(t, ts, "/__admin/ui/orders")
	got := orderRows.FindAllStringSubmatch(orders, -1)
	require.Len(t, got, 50)
	newest, _ := strconv.Atoi(got[0][1])
	oldest, _ := strconv.Atoi(got[49][1])
	assert.Greater(t, newest, oldest, "newest first")
	_, older, _ := uiGet(t, ts, "/__admin/ui/orders?offset=50")
	assert.Len(t, orderRows.FindAllString(older, -1), 5)
}

// The checkout page shows line totals, tells paid from declined at a glance and links the
// developer to the order in the dashboard, switched to the order's sandbox.
func TestCheckoutLinksToDashboard(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileSDK115))
	other, err := ts.server.Sandboxes().Create(t.Context())
	require.NoError(t, err)
	f := ts.openStripeSession(t, 10, 2)
	page := strings.TrimPrefix(f.payURL, ts.URL)
	status, body, _ := uiGet(t, ts, page)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "<th class=\"n\">Line total</th>")
	assert.Contains(t, body, `<td class="n">100.00</td><td class="n">200.00</td>`)
	link := ui.OrderURL(appToken, f.orderID)
	assert.Contains(t, body, `href="`+strings.ReplaceAll(link, "&", "&amp;")+`"`)
	_, paid, _ := uiGet(t, ts, page+"?result=paid")
	assert.Contains(t, paid, `class="result paid"`)
	_, declined, _ := uiGet(t, ts, page+"?result=declined")
	assert.Contains(t, declined, `class="result declined"`)

	// The link switches a dashboard that shows another sandbox to the order's.
	shown := &http.Cookie{Name: ui.SandboxCookie, Value: other.Token()}
	status, _, header := uiGet(t, ts, link, shown)
	require.Equal(t, http.StatusSeeOther, status)
	assert.Equal(t, fmt.Sprintf("/__admin/ui/orders/%d", f.orderID), header.Get("Location"))
	resp := &http.Response{Header: header}
	require.Len(t, resp.Cookies(), 1)
	assert.Equal(t, appToken, resp.Cookies()[0].Value)
	status, order, _ := uiGet(t, ts, header.Get("Location"), resp.Cookies()[0])
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, order, fmt.Sprintf("Order #%d", f.orderID))
}

// The clock, sandbox and webhook forms do what their admin calls do, and a refused form says
// why in the admin API's words.
func TestDashboardActions(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileSDK115))
	def := ts.server.Sandboxes().Default()
	location := func(resp *http.Response) string {
		t.Helper()
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		return resp.Header.Get("Location")
	}

	before := ts.clock.Now()
	loc := location(uiPost(t, ts, "/__admin/ui/clock", url.Values{"op": {"advance"}, "advance": {"2h"}}, nil))
	assert.Contains(t, loc, "notice=")
	assert.WithinDuration(t, before.Add(2*time.Hour), ts.clock.Now(), time.Minute)
	loc = location(uiPost(t, ts, "/__admin/ui/clock", url.Values{"op": {"advance"}, "advance": {"soon"}}, nil))
	q, err := url.ParseQuery(strings.SplitN(loc, "?", 2)[1])
	require.NoError(t, err)
	assert.Equal(t, "advance must be a Go duration such as 90s or 2h", q.Get("error"), "the admin API's message")
	location(uiPost(t, ts, "/__admin/ui/clock", url.Values{"op": {"set"}, "set": {"2030-01-02T03:04:05Z"}}, nil))
	assert.Equal(t, 2030, ts.clock.Now().Year())
	location(uiPost(t, ts, "/__admin/ui/clock", url.Values{"op": {"freeze"}}, nil))
	assert.True(t, ts.clock.Frozen())
	location(uiPost(t, ts, "/__admin/ui/clock", url.Values{"op": {"reset"}}, nil))
	assert.WithinDuration(t, time.Now(), ts.clock.Now(), time.Minute)

	loc = location(uiPost(t, ts, "/__admin/ui/faults", url.Values{"path": {"/api/content/x"}, "status": {"99"}}, nil))
	assert.Contains(t, loc, "error=")
	assert.Empty(t, def.Faults().List(), "a refused rule is not added")
	loc = location(uiPost(t, ts, "/__admin/ui/webhooks/whd_none/redeliver", nil, nil))
	assert.Contains(t, loc, "/__admin/ui/webhooks?error=")

	// Export, change, import: the state comes back.
	tk := ts.login(t, userLogin, userPass)
	status, _, _ := uiGet(t, ts, "/__admin/ui/sandboxes/export")
	require.Equal(t, http.StatusOK, status)
	resp, exported := ts.send(t, ts.request(t, http.MethodGet, "/__admin/ui/sandboxes/export", "", "", nil))
	assert.Contains(t, resp.Header.Get("Content-Disposition"), "attachment")
	status, body := ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, ticketOrder(10, 1, "cash"))
	require.Equal(t, http.StatusCreated, status, string(body))
	counts, err := ts.store.Counts(t.Context())
	require.NoError(t, err)
	require.Equal(t, 1, counts.Orders)

	assert.Contains(t, location(uiUpload(t, ts, "/__admin/ui/sandboxes/import", nil, "state", exported)), "notice=")
	counts, err = ts.store.Counts(t.Context())
	require.NoError(t, err)
	assert.Zero(t, counts.Orders, "the imported state has no order")

	// Create, show, reset and remove a sandbox.
	location(uiPost(t, ts, "/__admin/ui/sandboxes", nil, nil))
	all := ts.server.Sandboxes().All()
	require.Len(t, all, 2)
	other := all[0]
	if other == def {
		other = all[1]
	}
	resp = uiPost(t, ts, "/__admin/ui/sandboxes/switch", url.Values{"token": {other.Token()}}, nil)
	assert.Equal(t, "/__admin/ui/?notice=Showing+sandbox+"+url.QueryEscape(other.Token())+".", location(resp))
	require.Len(t, resp.Cookies(), 1)
	shown := resp.Cookies()[0]
	assert.Equal(t, other.Token(), shown.Value)
	_, page, _ := uiGet(t, ts, "/__admin/ui/", shown)
	assert.Contains(t, page, `<code id="app-token">`+other.Token()+`</code>`)
	location(uiPost(t, ts, "/__admin/ui/faults", url.Values{"path": {"/api/content/forms"}, "status": {"500"}}, nil, shown))
	assert.Len(t, other.Faults().List(), 1, "actions apply to the shown sandbox")
	assert.Empty(t, def.Faults().List())
	location(uiPost(t, ts, "/__admin/ui/sandboxes/reset", nil, nil, shown))
	assert.Empty(t, other.Faults().List())
	location(uiPost(t, ts, "/__admin/ui/sandboxes/"+other.Token()+"/remove", nil, nil))
	assert.Len(t, ts.server.Sandboxes().All(), 1)
	loc = location(uiPost(t, ts, "/__admin/ui/sandboxes/"+appToken+"/remove", nil, nil))
	assert.Contains(t, loc, "error=", "the default sandbox stays")
	_, page, _ = uiGet(t, ts, "/__admin/ui/", shown)
	assert.Contains(t, page, `<code id="app-token">`+appToken+`</code>`, "a removed sandbox's cookie falls back to the default")
	// An action from a page of the removed sandbox changes nothing, the default one included.
	location(uiPost(t, ts, "/__admin/ui/faults", url.Values{"path": {"/api/content/forms"}, "status": {"500"}}, nil))
	require.Len(t, def.Faults().List(), 1)
	for _, path := range []string{"/__admin/ui/sandboxes/reset", "/__admin/ui/faults/" + def.Faults().List()[0].ID + "/remove"} {
		loc = location(uiPost(t, ts, path, nil, nil, shown))
		assert.Contains(t, loc, "error=Sandbox+"+other.Token()+"+no+longer+exists", path)
		assert.Len(t, def.Faults().List(), 1, path)
	}
}

// A form acts on the sandbox whose page it was on, whichever the dashboard shows since; a form
// of a removed sandbox changes nothing. Removing the shown sandbox shows the default again.
func TestDashboardFormsActOnTheirPagesSandbox(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	def := ts.server.Sandboxes().Default()
	second, err := ts.server.Sandboxes().Create(t.Context())
	require.NoError(t, err)
	third, err := ts.server.Sandboxes().Create(t.Context())
	require.NoError(t, err)
	showing := func(sb *sandbox.Sandbox) *http.Cookie { return &http.Cookie{Name: ui.SandboxCookie, Value: sb.Token()} }
	rule := func(sb *sandbox.Sandbox) url.Values {
		return url.Values{"path": {"/api/content/forms"}, "status": {"500"}, "sandbox": {sb.Token()}}
	}

	_, page, _ := uiGet(t, ts, "/__admin/ui/faults", showing(third))
	assert.Contains(t, page, `name="sandbox" value="`+third.Token()+`"`, "the page's forms name its sandbox")

	resp := uiPost(t, ts, "/__admin/ui/faults", rule(third), nil, showing(second))
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Location"), "notice=")
	assert.Len(t, third.Faults().List(), 1, "the sandbox of the page")
	assert.Empty(t, second.Faults().List(), "not the one shown since")

	_, err = ts.server.Sandboxes().Remove(t.Context(), third.Token())
	require.NoError(t, err)
	resp = uiPost(t, ts, "/__admin/ui/faults", rule(third), nil, showing(second))
	assert.Contains(t, resp.Header.Get("Location"), "error=Sandbox+"+third.Token()+"+no+longer+exists")
	assert.Empty(t, second.Faults().List())
	assert.Empty(t, def.Faults().List())

	resp = uiPost(t, ts, "/__admin/ui/sandboxes/"+second.Token()+"/remove", nil, nil, showing(second))
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Len(t, resp.Cookies(), 1)
	assert.Equal(t, ui.SandboxCookie, resp.Cookies()[0].Name)
	assert.Negative(t, resp.Cookies()[0].MaxAge, "the cookie of the removed sandbox is dropped")
	resp = uiPost(t, ts, "/__admin/ui/sandboxes/reset", nil, nil)
	assert.Contains(t, resp.Header.Get("Location"), "notice=", "without it, the default sandbox's buttons work")
}

// Dashboard forms are bounded and read whole, multipart ones too; nothing of them stays on disk.
func TestDashboardFormLimits(t *testing.T) {
	ts := newTestServer(t, withMaxState(40<<20))
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where a spilled multipart file would be written

	resp := uiUpload(t, ts, "/__admin/ui/clock", url.Values{"op": {"freeze"}}, "note", make([]byte, 10<<10))
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.True(t, ts.clock.Frozen(), "a multipart form is read like any other")

	big := strings.Repeat("x", 70<<10)
	resp = uiPost(t, ts, "/__admin/ui/clock", url.Values{"op": {"unfreeze"}, "pad": {big}}, nil)
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	resp = uiUpload(t, ts, "/__admin/ui/clock", url.Values{"op": {"unfreeze"}}, "note", []byte(big))
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	assert.True(t, ts.clock.Frozen(), "a refused form changes nothing")

	// Over Go's 32 MiB for files held in memory, under --max-state-bytes: not a document.
	resp = uiUpload(t, ts, "/__admin/ui/sandboxes/import", nil, "state", bytes.Repeat([]byte(" "), 33<<20))
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Location"), "error=")
	left, err := os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Empty(t, left, "no upload is left in the temporary folder")
}

// The dashboard's import holds to --max-state-bytes as PUT /__admin/state does, and the refusal
// is the caller's (413 in the API), not logged as the mock's own failure.
func TestDashboardImportHoldsToTheStateLimit(t *testing.T) {
	t.Parallel()
	logs := &testkit.Buffer{}
	ts := newTestServer(t, withMaxState(10_000), func(mo *mockserver.Options) { mo.Logger = slog.New(slog.NewTextHandler(logs, nil)) })
	status, doc := ts.callWith(t, http.MethodGet, "/__admin/state", "", nil, nil)
	require.Equal(t, http.StatusOK, status)
	padded := append(bytes.Clone(doc), bytes.Repeat([]byte(" "), 20_000)...)
	status, _ = ts.callWith(t, http.MethodPut, "/__admin/state", "", padded, nil)
	require.Equal(t, http.StatusRequestEntityTooLarge, status)

	resp := uiUpload(t, ts, "/__admin/ui/sandboxes/import", nil, "state", padded)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Location"), "error=The+state+document+has+")
	assert.NotContains(t, logs.String(), "level=ERROR", "a refused import is not an internal failure")
	resp = uiUpload(t, ts, "/__admin/ui/sandboxes/import", nil, "state", doc)
	assert.Contains(t, resp.Header.Get("Location"), "notice=", "a document within the limit")
}

// FuzzDashboardForm posts arbitrary forms to the dashboard's actions: every answer is a
// redirect back (with a notice or an error) or a 4xx, never a 5xx or a panic.
func FuzzDashboardForm(f *testing.F) {
	h, _ := handlerWithUser(f)
	for _, seed := range []struct{ path, body, contentType string }{
		{"faults", "path=/api/content/forms&status=500&times=2", "application/x-www-form-urlencoded"},
		{"faults", "path=&kind=latency&latencyMinMs=9&latencyMaxMs=1&probability=2", "application/x-www-form-urlencoded"},
		{"faults/flt_1/remove", "", ""},
		{"clock", "op=advance&advance=-99999999h", "application/x-www-form-urlencoded"},
		{"clock", "op=set&set=0001-01-01T00:00:00Z", "application/x-www-form-urlencoded"},
		{"sessions/51/complete", "back=//evil.example/", "application/x-www-form-urlencoded"},
		{"sessions/x/refund", "%zz", "application/x-www-form-urlencoded"},
		{"webhooks/whd_1/redeliver", "", ""},
		{"sandboxes/switch", "token=nope", "application/x-www-form-urlencoded"},
		{"sandboxes/import", "--x\r\nContent-Disposition: form-data; name=\"state\"; filename=\"s.json\"\r\n\r\n{}\r\n--x--", "multipart/form-data; boundary=x"},
		{"login", "token=x&next=/__admin/ui//evil", "application/x-www-form-urlencoded"},
	} {
		f.Add(seed.path, seed.body, seed.contentType)
	}
	f.Fuzz(func(t *testing.T, path, body, contentType string) {
		if strings.Contains(path, "sandboxes/") && strings.HasSuffix(path, "/remove") || path == "sandboxes" || path == "sandboxes/reset" {
			return // these change the registry for every later input
		}
		req, err := http.NewRequest(http.MethodPost, "http://localhost/__admin/ui/"+path, strings.NewReader(body))
		if err != nil {
			return // not a URL a client could send
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("POST %s %q: status %d: %s", path, body, rec.Code, rec.Body.String())
		}
		if loc := rec.Header().Get("Location"); loc != "" && !inDashboard(loc) && !cleaned(req.URL, loc) {
			t.Fatalf("POST %s %q: redirect out of the dashboard to %q", path, body, loc)
		}
	})
}

// inDashboard tells whether a browser following a redirect stays in the dashboard. Its own
// root counts, with or without a query: path cleaning sends "/__admin/ui/.?x" to "/__admin/ui?x".
func inDashboard(location string) bool {
	target, ok := sameOrigin(location)
	if !ok {
		return false
	}
	resolved := path.Clean(target.Path) // as a browser resolves dot segments before asking
	return resolved == "/__admin/ui" || strings.HasPrefix(resolved, "/__admin/ui/")
}

// cleaned tells whether a redirect is the router's cleaning of the path asked for
// ("/__admin/ui/.." to "/__admin"): it takes the client where its own URL pointed. The
// cleaning escapes an already escaped path again ("/__admin/ui/../ " to "/__admin/%2520"), so
// the target is unescaped until it no longer changes.
func cleaned(asked *url.URL, location string) bool {
	target, ok := sameOrigin(location)
	if !ok {
		return false
	}
	p := target.Path
	for {
		unescaped, err := url.PathUnescape(p)
		if err != nil || unescaped == p {
			break
		}
		p = unescaped
	}
	return path.Clean(p) == path.Clean(asked.Path)
}

// sameOrigin parses a redirect's target that a browser resolves on the server's own origin:
// not one with a scheme or host, nor "//host" or "/\host", which browsers read alike.
func sameOrigin(location string) (*url.URL, bool) {
	target, err := url.Parse(location)
	if err != nil || target.Scheme != "" || target.Host != "" || strings.HasPrefix(location, "//") || strings.HasPrefix(location, "/\\") {
		return nil, false
	}
	return target, true
}

// The webhooks page shows each delivery's attempts, and its redeliver button sends the event
// again, signed, as POST /__admin/webhooks/{id}/redeliver does.
func TestDashboardWebhooks(t *testing.T) {
	t.Parallel()
	receiver := newWebhookReceiver(t, "whsec_oneentry_mock_default")
	ts := newTestServer(t, withProfile(sandbox.ProfileSDK115), withFixtures(stripeFixtures(t, receiver.URL, true)))
	ts.openStripeSession(t, 11, 1)
	sb := ts.server.Sandboxes().Default()
	require.Eventually(t, func() bool {
		list := sb.Webhooks(webhook.Filter{Status: string(webhook.StatusDelivered)})
		return len(list) == 1
	}, 10*time.Second, 10*time.Millisecond)
	first := sb.Webhooks(webhook.Filter{})[0]

	status, page, _ := uiGet(t, ts, "/__admin/ui/webhooks")
	require.Equal(t, http.StatusOK, status)
	for _, want := range []string{first.ID, "payment.session.created", receiver.URL, `<span class="st s2">204</span>`, `id="redeliver-` + first.ID + `"`} {
		assert.Contains(t, page, want)
	}
	resp := uiPost(t, ts, "/__admin/ui/webhooks/"+first.ID+"/redeliver", nil, nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Location"), "notice=Sent+again+as+whd_")
	require.Eventually(t, func() bool {
		events, verified := receiver.received()
		return len(events) == 2 && verified[1]
	}, 10*time.Second, 10*time.Millisecond, "the redelivery arrives, signed")
	events, _ := receiver.received()
	assert.Equal(t, events[0], events[1])
	assert.Len(t, sb.Webhooks(webhook.Filter{}), 2)
}

// A receiver's answer shows beside a failed attempt's error: what it said is what one debugs.
func TestDashboardWebhookShowsAFailingReceiversAnswer(t *testing.T) {
	t.Parallel()
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "signature mismatch: <expected v1>", http.StatusBadRequest)
	}))
	t.Cleanup(receiver.Close)
	ts := newTestServer(t, withProfile(sandbox.ProfileSDK115), withFixtures(stripeFixtures(t, receiver.URL, true)))
	ts.openStripeSession(t, 11, 1)
	sb := ts.server.Sandboxes().Default()
	require.Eventually(t, func() bool {
		list := sb.Webhooks(webhook.Filter{})
		return len(list) == 1 && len(list[0].Attempts) > 0
	}, 10*time.Second, 10*time.Millisecond)

	status, page, _ := uiGet(t, ts, "/__admin/ui/webhooks")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, "HTTP 400")
	assert.Contains(t, page, "signature mismatch: &lt;expected v1&gt;", "the answer, escaped")
}

// The form data page lists every submission, the moderated ones too, and approves a held one
// as POST /__admin/form-data/{id}/approve does.
func TestDashboardFormData(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive), withFixtures(moderatedContactFixtures(t, false)))
	_, body, _ := uiGet(t, ts, "/__admin/ui/form-data")
	assert.Contains(t, body, "No form data yet.")
	id := ts.submitOK(t, "", contactBody())
	status, body, _ := uiGet(t, ts, "/__admin/ui/form-data")
	require.Equal(t, http.StatusOK, status, body)
	row := fmt.Sprintf(`data-submission="%d"`, id)
	for _, want := range []string{row, "contact_us", "contacts", "visitor", `<span class="pill p-moderation">moderation</span>`, "ann@example.com", fmt.Sprintf(`id="approve-%d"`, id)} {
		assert.Contains(t, body, want)
	}
	assert.Contains(t, body, `aria-current="page">Form data</a>`, "the page has its navigation entry")

	resp := uiPost(t, ts, fmt.Sprintf("/__admin/ui/form-data/%d/approve", id), nil, nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Location"), "notice=")
	assert.Equal(t, 1, ts.readFormData(t, "", "formModuleConfigId=2", nil).Total, "readers see it once approved")
	_, body, _ = uiGet(t, ts, "/__admin/ui/form-data")
	assert.Contains(t, body, `<span class="pill p-approved">approved</span>`)
	assert.NotContains(t, body, fmt.Sprintf(`id="approve-%d"`, id), "nothing left to approve")

	for _, path := range []string{"/__admin/ui/form-data/999/approve", "/__admin/ui/form-data/x/approve"} {
		resp := uiPost(t, ts, path, nil, nil)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode, path)
		assert.Contains(t, resp.Header.Get("Location"), "error=", path)
	}
}

// The carts page shows every cart, a user's by login and a guest's by its id, with its
// products, quantities and value at today's prices.
func TestDashboardCarts(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	_, body, _ := uiGet(t, ts, "/__admin/ui/carts")
	assert.Contains(t, body, "No carts yet.")

	tk := ts.signIn(t, userLogin, userPass)
	status, _ := ts.cartCall(t, http.MethodPost, cartPath+"/items", tk.AccessToken, "", item(11, 3))
	require.Equal(t, http.StatusCreated, status)
	_, err := ts.clock.Advance(time.Minute)
	require.NoError(t, err)
	status, _ = ts.cartCall(t, http.MethodPost, cartPath+"/items", "", guestUUID, item(10, 2))
	require.Equal(t, http.StatusCreated, status)

	status, body, _ = uiGet(t, ts, "/__admin/ui/carts")
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `aria-current="page">Carts</a>`)
	guest := strings.Index(body, `data-cart="`+guestUUID+`"`)
	user := strings.Index(body, `data-cart="`+userLogin+`"`)
	require.Positive(t, guest, "the guest's cart, by its id")
	require.Positive(t, user, "the user's cart, by login")
	assert.Less(t, guest, user, "the most recently changed first")
	assert.Contains(t, body[user:], "3 × ")
	assert.Contains(t, body[user:], "#11")
	assert.Contains(t, body[user:], "600.00", "three at 200")
	assert.Contains(t, body[guest:user], "2 × ")
	assert.Contains(t, body[guest:user], "#10")
}

// The events page lists the subscriptions with the sockets that would hear them, and fires an
// event as the admin API does.
func TestDashboardEvents(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	_, body, _ := uiGet(t, ts, "/__admin/ui/product-events")
	assert.Contains(t, body, "No subscriptions yet")
	assert.Contains(t, body, "No open sockets")

	tk := ts.loginLive(t, userLogin, userPass)
	status, resp := ts.call(t, http.MethodPost, "/api/content/events/subscribe/marker/back_in_stock", tk, map[string]any{"locale": "en_US", "productId": 12})
	require.Equal(t, http.StatusCreated, status, string(resp))
	socket := ts.openSocket(t, appToken, tk)
	ts.waitSockets(t, 1)

	status, body, _ = uiGet(t, ts, "/__admin/ui/product-events")
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `aria-current="page">Events</a>`)
	row := strings.Index(body, `data-subscription="back_in_stock/12/16"`)
	require.Positive(t, row)
	assert.Contains(t, body[row:], "Gold ticket")
	assert.Contains(t, body[row:], userLogin)
	assert.Contains(t, body, `<tr data-sockets="`+userLogin+`"><td>`+userLogin+`</td><td class="n">1</td>`)

	res := uiPost(t, ts, "/__admin/ui/product-events/fire", url.Values{"marker": {"back_in_stock"}, "productId": {"12"}, "message": {"Back again"}}, nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Contains(t, res.Header.Get("Location"), "notice=")
	msg := socket.next()
	require.True(t, strings.HasPrefix(msg, `42["back_in_stock",`), msg)
	assert.Contains(t, msg, `"message":"Back again"`)

	for _, form := range []url.Values{{"marker": {"back_in_stock"}, "productId": {"x"}}, {"marker": {"back_in_stock"}, "productId": {"999"}}, {"productId": {"12"}}} {
		res := uiPost(t, ts, "/__admin/ui/product-events/fire", form, nil)
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
		assert.Contains(t, res.Header.Get("Location"), "error=", form.Encode())
	}
}

// A notice or an error that quotes a long value comes back cut, on a character boundary: the
// whole of it in the redirect would make the page's request head larger than the server takes
// (16 KiB, as live), and the developer would get a 431 instead of the message.
func TestDashboardCutsALongMessageInTheRedirect(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	long := strings.Repeat("é", 8_000) // 16,000 bytes, 48,000 in the URL
	status, exported := ts.callWith(t, http.MethodGet, "/__admin/state", "", nil, nil)
	require.Equal(t, http.StatusOK, status)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(exported, &doc))
	doc["clock"].(map[string]any)["offset"] = strings.Repeat("9999999h", 2_500) // quoted by the refusal
	state, err := json.Marshal(doc)
	require.NoError(t, err)
	for name, resp := range map[string]*http.Response{
		"clock set":   uiPost(t, ts, "/__admin/ui/clock", url.Values{"op": {"set"}, "set": {long}}, nil),
		"fired event": uiPost(t, ts, "/__admin/ui/product-events/fire", url.Values{"marker": {"x" + long}, "productId": {"12"}}, nil),
		"state":       uiUpload(t, ts, "/__admin/ui/sandboxes/import", nil, "state", state),
	} {
		require.Equal(t, http.StatusSeeOther, resp.StatusCode, name)
		loc := resp.Header.Get("Location")
		assert.Less(t, len(loc), 4<<10, name)
		u, err := url.Parse(loc)
		require.NoError(t, err, name)
		text := u.Query().Get("error") + u.Query().Get("notice")
		assert.True(t, utf8.ValidString(text), name)
		assert.True(t, strings.HasSuffix(text, "…"), "%s: %s", name, text)
		assert.Equal(t, 301, utf8.RuneCountInString(text), name)
		status, page, _ := uiGet(t, ts, loc)
		require.Equal(t, http.StatusOK, status, name)
		assert.Regexp(t, `<p class="(error|notice)"[^>]*>[^<]*…</p>`, page, name)
	}
	resp := uiPost(t, ts, "/__admin/ui/clock", url.Values{"op": {"advance"}, "advance": {"soon"}}, nil)
	u, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	assert.Equal(t, "advance must be a Go duration such as 90s or 2h", u.Query().Get("error"), "a short message whole")
}

// A page keeps showing its own sandbox: its live updates and its export name it ("shown"), so
// another tab switching the dashboard's cookie changes neither.
func TestDashboardPageKeepsItsSandbox(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	other, err := ts.server.Sandboxes().Create(t.Context())
	require.NoError(t, err)
	_, _, err = other.Store().SignUp(t.Context(), store.SignUpInput{ProviderMarker: "email", FormIdentifier: "reg", Credentials: store.Credentials{Values: map[string]string{"email_reg": "only-there@example.com", "password_reg": "secret1"}}})
	require.NoError(t, err)
	def := &http.Cookie{Name: ui.SandboxCookie, Value: ts.server.Sandboxes().Default().Token()}

	status, page, _ := uiGet(t, ts, "/__admin/ui/faults?shown="+other.Token(), def)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, `<code id="current-sandbox">`+other.Token()+`</code>`, "the refresh of a page of the other sandbox")

	status, exported, _ := uiGet(t, ts, "/__admin/ui/sandboxes/export?shown="+other.Token(), def)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, exported, "only-there@example.com")

	status, page, _ = uiGet(t, ts, "/__admin/ui/sandboxes", &http.Cookie{Name: ui.SandboxCookie, Value: other.Token()})
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, `href="/__admin/ui/sandboxes/export?shown=`+other.Token()+`"`, "the export link names the page's sandbox")
}

// A link or a live page naming a sandbox that does not exist (never made, or removed since)
// says so, rather than showing the default sandbox's object of the same id.
func TestDashboardNamesAMissingSandbox(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	tk := ts.login(t, userLogin, userPass)
	ts.placeOrders(t, tk.AccessToken, 1)
	orders, _, err := ts.store.AllOrders(t.Context(), store.Page{Limit: 1})
	require.NoError(t, err)
	order := fmt.Sprintf("/__admin/ui/orders/%d", orders[0].ID)
	removed, err := ts.server.Sandboxes().Create(t.Context())
	require.NoError(t, err)
	_, err = ts.server.Sandboxes().Remove(t.Context(), removed.Token())
	require.NoError(t, err)

	for _, path := range []string{
		order + "?sandbox=" + removed.Token(), // the checkout page's link of a removed sandbox
		order + "?sandbox=never-made",
		order + "?shown=" + removed.Token(), // an open page's live update
		"/__admin/ui/requests?shown=" + removed.Token(),
	} {
		status, page, header := uiGet(t, ts, path)
		assert.Equal(t, http.StatusNotFound, status, path)
		assert.Empty(t, header.Get("Location"), path)
		assert.Contains(t, page, "data-sandbox-gone", path)
		assert.Contains(t, page, "does not exist", path)
		assert.NotContains(t, page, `id="order-detail"`, "%s: the default sandbox's order is not shown instead", path)
		assert.Empty(t, header.Values("Set-Cookie"), path)
	}
	status, _, _ := uiGet(t, ts, "/__admin/ui/events?shown="+removed.Token())
	assert.Equal(t, http.StatusNotFound, status, "the stream of a removed sandbox's page ends")
	status, _, _ = uiGet(t, ts, "/__admin/ui/sandboxes/export?shown="+removed.Token())
	assert.Equal(t, http.StatusNotFound, status, "no other sandbox's state is exported")

	status, page, _ := uiGet(t, ts, order)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, `id="order-detail"`, "the default sandbox's own page")
}

// An exchange whose bodies the journal cut is not judged against the contract: the cut body
// is not what was sent.
func TestDashboardDoesNotJudgeCutBodies(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	big := contactBody(func(b map[string]any) {
		b["formData"] = contactValues(field("name", "string", strings.Repeat("n", 200_000)), field("email", "string", "ann@example.com"), field("message", "text", plain("hi")))
	})
	status, body := ts.submit(t, "", big)
	require.Equal(t, http.StatusCreated, status, string(body))
	entries := ts.server.Sandboxes().Default().Journal().List(sandbox.Filter{Limit: 1})
	require.Len(t, entries, 1)
	require.True(t, entries[0].BodiesTruncated)
	status, page, _ := uiGet(t, ts, "/__admin/ui/requests/"+entries[0].ID)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, "the contract check needs them whole")
	assert.NotContains(t, page, "must be valid JSON")
}

// The first instant the clock can show is shown like any other, not as a missing time.
func TestDashboardClockAtTheFirstInstant(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.clock.Freeze()
	require.NoError(t, ts.clock.Set(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)))
	for _, path := range []string{"/__admin/ui/clock", "/__admin/ui/"} {
		status, body, _ := uiGet(t, ts, path)
		require.Equal(t, http.StatusOK, status, "%s: %s", path, body)
		assert.Contains(t, body, "0001-01-01 00:00:00 UTC", path)
	}
}

// A path or method the dashboard does not serve is answered as the admin API answers one: the
// live error body, not Go's plain-text defaults.
func TestTheDashboardAnswersWhatItDoesNotServeAsTheAdminAPIDoes(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for _, tc := range []struct{ method, path string }{
		{http.MethodDelete, "/__admin/ui/"},
		{http.MethodPut, "/__admin/ui/clock"},
		{"TRACE", "/__admin/ui/"},
		{http.MethodGet, "/__admin/ui/nope"},
		{http.MethodPost, "/__admin/ui/nope"},
		{http.MethodGet, "/__admin/ui/mail/x/html/more"},
		{http.MethodGet, "/__admin/ui/assets/nope.js"},
		{http.MethodGet, "/__admin/ui/assets/"},
	} {
		status, body := ts.callWith(t, tc.method, tc.path, "", nil, nil)
		e := decodeError(t, status, body)
		assert.Equal(t, http.StatusNotFound, status, "%s %s", tc.method, tc.path)
		assert.Equal(t, []string{"Cannot " + tc.method + " " + tc.path}, e.messages())
	}
	status, _, _ := uiGet(t, ts, "/__admin/ui/")
	assert.Equal(t, http.StatusOK, status, "a page it serves is still served")
	status, css, header := uiGet(t, ts, "/__admin/ui/assets/app.css")
	assert.Equal(t, http.StatusOK, status, "and an asset")
	assert.Contains(t, header.Get("Content-Type"), "text/css")
	assert.NotEmpty(t, css)
}

// The dashboard's import waits, its upload unread, while another state import is read, as
// PUT /__admin/state does: uploads left unfinished cannot add up in memory through the form.
func TestADashboardImportWaitsBeforeReadingItsUpload(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	_, release, err := ts.server.Sandboxes().AdmitImport(t.Context())
	require.NoError(t, err)
	form, contentType := testkit.FileForm(t, nil, "state", "state.json", bytes.Repeat([]byte(" "), 40<<20))
	size := int64(form.Len())
	sent := &countingReader{r: form}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, ts.URL+"/__admin/ui/sandboxes/import", sent)
	require.NoError(t, err)
	req.ContentLength = size
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	done := make(chan int, 1)
	go func() {
		resp, err := noRedirects(ts).Do(req)
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	// Let through, the form would be read whole however slowly; held, its reading stops once
	// the connection's buffers are full.
	for last, still := int64(-1), 0; still < 10; time.Sleep(50 * time.Millisecond) {
		n := sent.n.Load()
		require.Less(t, n, size, "the upload was read while another import was")
		if n == last {
			still++
		} else {
			last, still = n, 0
		}
	}
	release()
	assert.Equal(t, http.StatusSeeOther, <-done, "back to the page, which says the document is no JSON")
	assert.Equal(t, size, sent.n.Load())
}

// countingReader counts the bytes read from r.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
