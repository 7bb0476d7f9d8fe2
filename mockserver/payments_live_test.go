package mockserver_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mail"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

const sessionsPath = "/api/content/payments/sessions"

// shop is a signed-in buyer of a live-2026 server whose clock stands before the seed's
// schedule slot, so orders for it are accepted.
type shop struct {
	*testServer
	token string
}

func newLiveShop(t *testing.T, opts ...serverOption) shop {
	t.Helper()
	ts := newTestServer(t, append([]serverOption{withProfile(sandbox.ProfileLive2026)}, opts...)...)
	ts.clock.Set(time.Date(2025, 4, 20, 12, 0, 0, 0, time.UTC))
	return shop{ts, ts.signInWith(t, nil).AccessToken}
}

// signInWith signs the fixture user in as the SDK does (device header included), with extra
// headers such as x-guest-id.
func (ts *testServer) signInWith(t *testing.T, extra map[string]string) tokens {
	t.Helper()
	hdr := map[string]string{"x-app-token": appToken, "x-device-metadata": `{"fingerprint":"UQ_1","deviceInfo":{"os":"Linux","browser":"x","location":"en-US"}}`}
	for k, v := range extra {
		hdr[k] = v
	}
	status, body := ts.callWith(t, http.MethodPost, authPath, "", authBody(userLogin, userPass), hdr)
	require.Equal(t, http.StatusCreated, status, string(body))
	return decode[tokens](t, body)
}

// order creates an order paid with account and answers its id.
func (s shop) order(t *testing.T, account string) int {
	t.Helper()
	status, body := s.call(t, http.MethodPost, ordersPath, s.token, ticketOrder(10, 1, account))
	require.Equal(t, http.StatusCreated, status, string(body))
	return int(decode[map[string]any](t, body)["id"].(float64))
}

// session opens a session of type typ for an order; it answers the status and decoded body.
func (s shop) session(t *testing.T, orderID int, typ string) (int, map[string]any) {
	t.Helper()
	status, body := s.call(t, http.MethodPost, sessionsPath, s.token, map[string]any{"orderId": orderID, "type": typ, "automaticTaxEnabled": false})
	if status != http.StatusCreated {
		return status, map[string]any{"message": decodeError(t, status, body).messages()}
	}
	return status, decode[map[string]any](t, body)
}

// open orders with account and opens a session of type typ for it.
func (s shop) open(t *testing.T, account, typ string) (int, map[string]any) {
	t.Helper()
	orderID := s.order(t, account)
	status, created := s.session(t, orderID, typ)
	require.Equal(t, http.StatusCreated, status, "%v", created)
	return orderID, created
}

func (s shop) byOrder(t *testing.T, orderID int) []map[string]any {
	t.Helper()
	status, body := s.call(t, http.MethodGet, fmt.Sprintf("%s/order/%d", sessionsPath, orderID), s.token, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	return decode[[]map[string]any](t, body)
}

func (s shop) sessionCount(t *testing.T) int {
	t.Helper()
	status, body := s.call(t, http.MethodGet, sessionsPath+"/?offset=0&limit=30", s.token, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	return int(decode[map[string]any](t, body)["total"].(float64))
}

func TestPaymentsLiveSessionsByOrderAreAllStages(t *testing.T) {
	t.Parallel()
	s := newLiveShop(t)
	orderID := s.order(t, "stripe")
	assert.Empty(t, s.byOrder(t, orderID), "[] before any session, not a 404")

	_, first := s.session(t, orderID, "session")
	s.clock.Advance(time.Second)
	_, second := s.session(t, orderID, "session")
	got := s.byOrder(t, orderID)
	require.Len(t, got, 2, "staged payments: every session of the order is listed")
	assert.Equal(t, second["id"], got[0]["id"], "newest first")
	assert.Equal(t, first["id"], got[1]["id"])

	// The provider completing the older stage pays the order; the newer one stays open.
	status, _ := s.callWith(t, http.MethodPost, fmt.Sprintf("/__admin/payments/sessions/%v/complete", first["id"]), "", nil, nil)
	require.Equal(t, http.StatusOK, status)
	status, body := s.call(t, http.MethodGet, fmt.Sprintf("%s/%d?langCode=en_US", ordersPath, orderID), s.token, nil)
	require.Equal(t, http.StatusOK, status)
	order := decode[map[string]any](t, body)
	assert.Equal(t, true, order["isCompleted"])
	assert.Equal(t, "paid", order["statusIdentifier"])
	got = s.byOrder(t, orderID)
	assert.Equal(t, []any{store.StatusWaiting, store.StatusCompleted}, []any{got[0]["status"], got[1]["status"]})
}

func TestPaymentsIntentAnswersClientSecret(t *testing.T) {
	t.Parallel()
	s := newLiveShop(t)
	_, intent := s.open(t, "stripe", "intent")
	secret, _ := intent["clientSecret"].(string)
	require.True(t, strings.HasPrefix(secret, store.CheckoutTokenPrefix), "a client secret: %v", intent)
	assert.Contains(t, secret, "_secret_")
	assert.Nil(t, intent["paymentUrl"], "an intent is confirmed with its secret, not on a hosted page URL")

	assert.Equal(t, http.StatusOK, s.pageStatus(t, "/checkout/"+appToken+"/"+secret), "the checkout page takes the client secret")
	assert.Equal(t, http.StatusNotFound, s.pageStatus(t, "/checkout/"+appToken+"/"+secret+"x"))

	_, cash := s.open(t, "cash", "intent")
	assert.NotContains(t, cash, "clientSecret", "cash has no provider to confirm with")
}

func TestPaymentsPayPalURLAppearsOnTheMockClock(t *testing.T) {
	t.Parallel()
	s := newLiveShop(t)
	orderID, created := s.open(t, "paypal", "session")
	assert.Nil(t, created["paymentUrl"], "PayPal answers no URL at creation")

	s.clock.Advance(2 * time.Second)
	assert.Nil(t, s.byOrder(t, orderID)[0]["paymentUrl"], "not yet: the fixture's delay is 3 s")
	status, _ := s.callWith(t, http.MethodPost, "/__admin/clock", "", map[string]string{"advance": "1s"}, nil)
	require.Equal(t, http.StatusOK, status)
	polled := s.byOrder(t, orderID)[0]
	payURL, _ := polled["paymentUrl"].(string)
	require.NotEmpty(t, payURL, "the URL a poll finds once the delay has passed")
	assert.Equal(t, created["id"], polled["id"])

	status, body := s.call(t, http.MethodGet, fmt.Sprintf("%s/%d?langCode=en_US", ordersPath, orderID), s.token, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, payURL, decode[map[string]any](t, body)["paymentUrl"], "the order carries it too")
	u, err := url.Parse(payURL)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, s.pageStatus(t, u.Path))
}

// A session closed before its URL came never gets one, nor does its order.
func TestPaymentsPayPalSessionClosedBeforeItsURLGetsNone(t *testing.T) {
	t.Parallel()
	s := newLiveShop(t)
	orderID, created := s.open(t, "paypal", "session")
	status, body := s.callWith(t, http.MethodPost, fmt.Sprintf("/__admin/payments/sessions/%v/expire", created["id"]), "", nil, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	closed := s.byOrder(t, orderID)[0]
	s.clock.Advance(5 * time.Second)
	later := s.byOrder(t, orderID)[0]
	assert.Nil(t, later["paymentUrl"])
	assert.Equal(t, closed["updatedDate"], later["updatedDate"], "a closed session does not change")
	status, body = s.call(t, http.MethodGet, fmt.Sprintf("%s/%d?langCode=en_US", ordersPath, orderID), s.token, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Nil(t, decode[map[string]any](t, body)["paymentUrl"])
}

// pageStatus answers the status of a GET of path, a checkout page.
func (ts *testServer) pageStatus(t *testing.T, path string) int {
	t.Helper()
	resp, err := ts.Client().Get(ts.URL + path)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func TestPaymentsPayPalSessionOpensWithTheOrder(t *testing.T) {
	t.Parallel()
	s := newLiveShop(t)
	// OneEntry's front-end rules poll the order's sessions after createOrder, without
	// createSession: the provider opens the session by itself.
	orderID := s.order(t, "paypal")
	first := s.byOrder(t, orderID)
	require.Len(t, first, 1)
	assert.Nil(t, first[0]["paymentUrl"])
	s.clock.Advance(3 * time.Second)
	polled := s.byOrder(t, orderID)
	require.Len(t, polled, 1, "opened once")
	assert.Equal(t, first[0]["id"], polled[0]["id"])
	assert.NotEmpty(t, polled[0]["paymentUrl"])

	assert.Empty(t, s.byOrder(t, s.order(t, "cash")), "cash opens nothing by itself")
}

func TestPaymentsNotConnectedAccountRefuses(t *testing.T) {
	t.Parallel()
	s := newLiveShop(t)
	orderID := s.order(t, "stripe_disconnected")
	status, body := s.session(t, orderID, "session")
	require.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, []string{"Your payment account is not connected"}, body["message"])
	assert.Zero(t, s.sessionCount(t), "nothing opened")
	assert.Empty(t, s.byOrder(t, orderID))
}

func TestPaymentsBadSessionInputChangesNothing(t *testing.T) {
	t.Parallel()
	s := newLiveShop(t)
	orderID := s.order(t, "stripe")
	for name, body := range map[string]any{
		"unknown type":   map[string]any{"orderId": orderID, "type": "card"},
		"missing order":  map[string]any{"type": "session"},
		"someone else's": map[string]any{"orderId": orderID + 100, "type": "session"},
		"broken JSON":    `{"orderId":`,
	} {
		status, data := s.call(t, http.MethodPost, sessionsPath, s.token, body)
		assert.Contains(t, []int{http.StatusBadRequest, http.StatusNotFound}, status, name)
		decodeError(t, status, data)
	}
	assert.Zero(t, s.sessionCount(t))
}

func TestPaymentsClientCannotMoveSessionUnderLive(t *testing.T) {
	t.Parallel()
	s := newLiveShop(t)
	_, created := s.open(t, "stripe", "session")
	target := fmt.Sprintf("%s/%v", sessionsPath, created["id"])
	status, body := s.call(t, http.MethodPut, target, s.token, map[string]any{"status": "completed"})
	require.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, []string{"Cannot PUT " + target}, decodeError(t, status, body).messages())
	status, body = s.call(t, http.MethodGet, target, s.token, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, store.StatusWaiting, decode[map[string]any](t, body)["status"], "unchanged")

	old := newTestServer(t, withProfile(sandbox.ProfileSDK115))
	tk := old.login(t, userLogin, userPass)
	status, body = old.call(t, http.MethodPost, ordersPath, tk.AccessToken, seedOrderBody(10, 1))
	require.Equal(t, http.StatusCreated, status, string(body))
	status, body = old.call(t, http.MethodPost, sessionsPath, tk.AccessToken, map[string]any{"orderId": decode[map[string]any](t, body)["id"], "type": "session"})
	require.Equal(t, http.StatusCreated, status, string(body))
	status, body = old.call(t, http.MethodPut, fmt.Sprintf("%s/%v", sessionsPath, decode[map[string]any](t, body)["id"]), tk.AccessToken, map[string]any{"status": "expired_ticket"})
	require.Equal(t, http.StatusOK, status, "sdk-1.0.115 keeps the recorded PUT: %s", body)
}

func TestPaymentsAccountsFollowSDKTypes(t *testing.T) {
	t.Parallel()
	s := newLiveShop(t)
	status, body := s.call(t, http.MethodGet, "/api/content/payments/accounts", s.token, nil)
	require.Equal(t, http.StatusOK, status)
	accounts := decode[[]map[string]any](t, body)
	var ids []string
	for _, a := range accounts {
		ids = append(ids, fmt.Sprintf("%v=%v", a["identifier"], a["id"]))
		assert.NotContains(t, a, "paymentUrlDelaySeconds", "mock-only settings stay out")
		assert.NotContains(t, a, "signingSecret")
	}
	assert.Equal(t, []string{"cash=1", "stripe=2", "paypal=3", "stripe_disconnected=4"}, ids)
	status, body = s.call(t, http.MethodGet, "/api/content/payments/accounts/4", s.token, nil)
	require.Equal(t, http.StatusOK, status)
	acc := decode[map[string]any](t, body)
	assert.Equal(t, "not_connected", acc["settings"].(map[string]any)["status"])
	assert.Equal(t, "not_connected", acc["testSettings"].(map[string]any)["status"])
	status, body = s.call(t, http.MethodGet, "/api/content/payments/accounts/99", s.token, nil)
	require.Equal(t, http.StatusNotFound, status)
	decodeError(t, status, body)
}

// pay opens a stripe session, presses Pay on its checkout page and answers where the page
// redirects to.
func (s shop) pay(t *testing.T, action string) *url.URL {
	t.Helper()
	_, created := s.open(t, "stripe", "session")
	payURL := created["paymentUrl"].(string)
	csrf := s.checkoutCSRF(t, payURL)
	resp, err := noRedirects(s.testServer).PostForm(payURL+"/"+action, url.Values{"csrf": {csrf}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	return loc
}

func TestPaymentsCheckoutReturnURLs(t *testing.T) {
	t.Parallel()
	none := newLiveShop(t)
	assert.Contains(t, none.pay(t, "complete").Path, "/checkout/", "no return URL: back to the page")

	flag := newLiveShop(t, func(mo *mockserver.Options) { mo.Sandbox.CheckoutReturnURL = "http://localhost:3000/return" })
	back := flag.pay(t, "complete")
	assert.Equal(t, "localhost:3000", back.Host, "--checkout-return-url for success")
	assert.Equal(t, "/return", back.Path)
	assert.Equal(t, store.StatusCompleted, back.Query().Get("status"))
	assert.Equal(t, "/return", flag.pay(t, "cancel").Path, "and for cancel")
	status, body := flag.call(t, http.MethodGet, "/api/content/payments/accounts/2", flag.token, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "http://localhost:3000/return", decode[map[string]any](t, body)["testSettings"].(map[string]any)["successUrl"], "served where the SDK's types put it")

	// A fixture's own URL (in testSettings, where the SDK's types put it) wins over the flag.
	fx := editFixtures(t, map[string]func(any) any{store.FilePaymentAccounts: func(v any) any {
		v.([]any)[1].(map[string]any)["testSettings"] = map[string]any{"status": "connected", "successUrl": "http://fixture.test/ok"}
		return v
	}})
	own := newLiveShop(t, withFixtures(fx), func(mo *mockserver.Options) { mo.Sandbox.CheckoutReturnURL = "http://localhost:3000/return" })
	assert.Equal(t, "fixture.test", own.pay(t, "complete").Host)
	assert.Equal(t, "localhost:3000", own.pay(t, "cancel").Host, "the flag fills the URL the fixture lacks")

	// The admin PATCH changes them at run time; a bad one changes nothing.
	patch := func(body string) int {
		status, _ := flag.callWith(t, http.MethodPatch, "/__admin/payments/accounts/2", "", body, nil)
		return status
	}
	require.Equal(t, http.StatusOK, patch(`{"testSettings":{"successUrl":"https://app.test/thanks"}}`))
	assert.Equal(t, http.StatusBadRequest, patch(`{"testSettings":{"successUrl":"javascript:alert(1)"}}`))
	assert.Equal(t, http.StatusBadRequest, patch(`{"settings":"x"}`))
	back = flag.pay(t, "complete")
	assert.Equal(t, "app.test", back.Host)
	assert.Equal(t, "/return", flag.pay(t, "cancel").Path, "cancelUrl kept")
	status, _ = flag.callWith(t, http.MethodPost, "/__admin/reset", "", nil, nil)
	require.Equal(t, http.StatusOK, status)
	require.NoError(t, flag.clock.Set(time.Date(2025, 4, 20, 12, 0, 0, 0, time.UTC)), "a reset put it back to real time")
	flag.token = flag.signInWith(t, nil).AccessToken
	assert.Equal(t, "localhost:3000", flag.pay(t, "complete").Host, "a reset forgets the run-time change")
}

// adminPaymentAccounts covers the admin PATCH of an account for the admin contract.
func adminPaymentAccounts(t *testing.T, ac *adminContract) {
	s := newLiveShop(t)
	ac.do(t, s.testServer, adminCall{method: http.MethodPatch, path: "/__admin/payments/accounts/2", body: `{"testSettings":{"successUrl":"http://localhost:3000/thanks"}}`, status: http.StatusOK})
	ac.do(t, s.testServer, adminCall{method: http.MethodPatch, path: "/__admin/payments/accounts/2", body: `{"testSettings":{"cancelUrl":"/relative"}}`, status: http.StatusBadRequest})
	ac.do(t, s.testServer, adminCall{method: http.MethodPatch, path: "/__admin/payments/accounts/99", body: `{}`, status: http.StatusNotFound})
	ac.do(t, s.testServer, adminCall{method: http.MethodPatch, path: "/__admin/payments/accounts/2", body: `{"status":"x"}`, status: http.StatusBadRequest, badRequest: true})
}

// What npm/README.md's "Snapshots" promises: with the clock frozen and project.json's
// tokenSecret set, the same flow run from two fresh starts (each test server on a port of its
// own, which is left out) answers the same token, order, session and ticket e-mail; the values
// it lists as random differ.
func TestAFlowFromAFreshStartAnswersAlikeWithAFrozenClockAndATokenSecret(t *testing.T) {
	t.Parallel()
	fx := editFixtures(t, map[string]func(any) any{store.FileProject: func(v any) any {
		v.(map[string]any)["tokenSecret"] = "the-team-s-shared-test-secret"
		return v
	}})
	type run struct {
		token, order, mailText, mailSubject string
		sessionID, checkoutURL              any
		messageID                           string
	}
	flow := func() run {
		s := newLiveShop(t, withFixtures(fx))
		require.NoError(t, s.clock.Set(time.Date(2025, 4, 20, 12, 0, 0, 0, time.UTC)))
		s.clock.Freeze()
		s.token = s.signInWith(t, nil).AccessToken
		orderID, session := s.open(t, "stripe", "session")
		status, body := s.callWith(t, http.MethodPost, fmt.Sprintf("/__admin/payments/sessions/%v/complete", session["id"]), "", nil, nil)
		require.Equal(t, http.StatusOK, status, string(body))
		status, body = s.call(t, http.MethodGet, fmt.Sprintf("%s/%d?langCode=en_US", ordersPath, orderID), s.token, nil)
		require.Equal(t, http.StatusOK, status)
		mails := s.server.Sandboxes().Default().Outbox().List(mail.Filter{})
		require.Len(t, mails, 1)
		order := decode[map[string]any](t, []byte(strings.ReplaceAll(string(body), s.URL, "http://mock")))
		assert.Equal(t, session["paymentUrl"], strings.ReplaceAll(order["paymentUrl"].(string), "http://mock", s.URL))
		delete(order, "paymentUrl") // compared below
		return run{token: s.token, order: mustJSON(t, order), sessionID: session["id"], checkoutURL: strings.TrimPrefix(session["paymentUrl"].(string), s.URL),
			mailText: mails[0].Text, mailSubject: mails[0].Subject, messageID: mails[0].MessageID}
	}
	a, b := flow(), flow()
	assert.Equal(t, a.token, b.token, "the user token, signature included")
	assert.JSONEq(t, a.order, b.order)
	assert.Equal(t, a.sessionID, b.sessionID)
	assert.Equal(t, a.mailSubject, b.mailSubject)
	assert.Equal(t, a.mailText, b.mailText, "the ticket code included")
	assert.Contains(t, a.mailText, "TKT-")
	assert.NotEqual(t, a.checkoutURL, b.checkoutURL, "random: the checkout session's token")
	assert.NotEqual(t, a.messageID, b.messageID, "random: the Message-ID")
}
