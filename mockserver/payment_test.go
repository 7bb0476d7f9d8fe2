package mockserver_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/internal/testkit"
	"github.com/oneentry-mock/oneentry-mock/mail"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
	"github.com/oneentry-mock/oneentry-mock/webhook"
)

// editFixtures returns the default fixture set with JSON files changed by edit, which gets
// and returns each file decoded as generic JSON.
func editFixtures(t testing.TB, edits map[string]func(v any) any) *store.Fixtures {
	t.Helper()
	m := fixtures.Copy()
	for name, edit := range edits {
		var v any
		require.NoError(t, json.Unmarshal(m[name].Data, &v))
		data, err := json.Marshal(edit(v))
		require.NoError(t, err)
		m[name].Data = data
	}
	fx, err := store.LoadFixtures(m)
	require.NoError(t, err)
	return fx
}

func withFixtures(fx *store.Fixtures) serverOption {
	return func(mo *mockserver.Options) { mo.Sandbox.Fixtures = fx }
}

// webhookReceiver is the developer's back end: it verifies each callback's signature.
type webhookReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	events   []string
	verified []bool
}

func newWebhookReceiver(t *testing.T, secret string) *webhookReceiver {
	t.Helper()
	wr := &webhookReceiver{}
	wr.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		err := webhook.Verify([]byte(secret), r.Header.Get(webhook.SignatureHeader), body, time.Now(), webhook.DefaultTolerance)
		var payload struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(body, &payload)
		wr.mu.Lock()
		wr.events = append(wr.events, payload.Type)
		wr.verified = append(wr.verified, err == nil)
		wr.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(wr.Close)
	return wr
}

func (wr *webhookReceiver) received() ([]string, []bool) {
	wr.mu.Lock()
	defer wr.mu.Unlock()
	return append([]string(nil), wr.events...), append([]bool(nil), wr.verified...)
}

const seedSlotStart, seedSlotEnd = "2025-04-26T16:30:00.000Z", "2025-04-26T18:00:00.000Z"

func ticketOrder(product int, quantity int, account string) map[string]any {
	return map[string]any{
		"formIdentifier":           "tickets_form",
		"paymentAccountIdentifier": account,
		"formData": map[string]any{"en_US": []map[string]any{
			{"type": "timeInterval", "marker": "schedule", "value": [][]string{{seedSlotStart, seedSlotEnd}}},
			{"type": "entity", "marker": "tickets", "value": []string{fmt.Sprintf("p-8-%d", product)}},
		}},
		"products": []map[string]any{{"productId": product, "quantity": quantity}},
	}
}

// stripeFixtures points the stripe account's callbacks at url and sets redirect URLs.
func stripeFixtures(t *testing.T, webhookURL string, redirects bool) *store.Fixtures {
	return editFixtures(t, map[string]func(any) any{
		store.FilePaymentAccounts: func(v any) any {
			for _, a := range v.([]any) {
				acc := a.(map[string]any)
				if acc["identifier"] == "stripe" {
					acc["webhookUrl"] = webhookURL
					if redirects {
						acc["settings"] = map[string]any{"status": "connected", "successUrl": "http://shop.test/thanks", "cancelUrl": "http://shop.test/cart"}
					}
				}
			}
			return v
		},
	})
}

type flowState struct {
	token     string
	orderID   int
	sessionID int
	payURL    string
}

func (ts *testServer) openStripeSession(t *testing.T, product, quantity int) flowState {
	t.Helper()
	tk := ts.login(t, userLogin, userPass)
	status, body := ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, ticketOrder(product, quantity, "stripe"))
	require.Equal(t, http.StatusCreated, status, string(body))
	orderID := int(decode[map[string]any](t, body)["id"].(float64))
	status, body = ts.call(t, http.MethodPost, "/api/content/payments/sessions", tk.AccessToken, map[string]any{"orderId": orderID, "type": "session", "automaticTaxEnabled": false})
	require.Equal(t, http.StatusCreated, status, string(body))
	session := decode[map[string]any](t, body)
	payURL, _ := session["paymentUrl"].(string)
	require.NotEmpty(t, payURL, "a stripe-kind account gets a checkout URL")
	return flowState{token: tk.AccessToken, orderID: orderID, sessionID: int(session["id"].(float64)), payURL: payURL}
}

// noRedirects lets a test see the checkout page's redirect instead of following it.
func noRedirects(ts *testServer) *http.Client {
	c := *ts.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

func (ts *testServer) mails(t *testing.T, to string) []mail.Message {
	t.Helper()
	status, body := ts.callWith(t, http.MethodGet, "/__admin/mail?to="+url.QueryEscape(to), "", nil, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	return decode[struct {
		Messages []mail.Message `json:"messages"`
	}](t, body).Messages
}

// paymentAction applies an admin payment action (complete, decline, cancel, expire, refund)
// to a session.
func (ts *testServer) paymentAction(t *testing.T, sessionID int, action string) (int, []byte) {
	t.Helper()
	return ts.callWith(t, http.MethodPost, fmt.Sprintf("/__admin/payments/sessions/%d/%s", sessionID, action), "", nil, nil)
}

// settle completes, fails or cancels a session as the checkout page would, and requires it to
// work.
func (ts *testServer) settle(t *testing.T, sessionID int, action string) {
	t.Helper()
	status, body := ts.paymentAction(t, sessionID, action)
	require.Equal(t, http.StatusOK, status, string(body))
}

func (ts *testServer) order(t *testing.T, token string, id int) map[string]any {
	t.Helper()
	status, body := ts.call(t, http.MethodGet, fmt.Sprintf("%s/%d?langCode=en_US", ordersPath, id), token, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	return decode[map[string]any](t, body)
}

// checkoutCSRF reads the CSRF token the checkout page's forms carry.
func (ts *testServer) checkoutCSRF(t *testing.T, payURL string) string {
	t.Helper()
	status, page := testkit.Call(t, ts.Client(), http.MethodGet, payURL, "")
	require.Equal(t, http.StatusOK, status, string(page))
	m := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`).FindSubmatch(page)
	require.NotNil(t, m, "the page's forms carry a csrf token")
	return string(m[1])
}

// checkoutForm is the form a click on the page posts.
func (ts *testServer) checkoutForm(t *testing.T, payURL, action string) url.Values {
	t.Helper()
	return url.Values{"action": {action}, "csrf": {ts.checkoutCSRF(t, payURL)}}
}

func (ts *testServer) session(t *testing.T, token string, id int) map[string]any {
	t.Helper()
	status, body := ts.call(t, http.MethodGet, fmt.Sprintf("/api/content/payments/sessions/%d", id), token, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	return decode[map[string]any](t, body)
}

func TestCheckoutPayDeliversTicketAndSignedWebhook(t *testing.T) {
	t.Parallel()
	receiver := newWebhookReceiver(t, "whsec_oneentry_mock_default")
	ts := newTestServer(t, withFixtures(stripeFixtures(t, receiver.URL, true)))
	f := ts.openStripeSession(t, 11, 2)
	assert.True(t, strings.HasPrefix(f.payURL, ts.URL+"/checkout/"), f.payURL)

	resp, err := ts.Client().Get(f.payURL)
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	html := string(page)
	for _, want := range []string{fmt.Sprintf("order %d", f.orderID), "Серебряный", "400.00 USD", "Sat 26 Apr 2025, 19:30–21:00 MSK", `id="complete"`} {
		assert.Contains(t, html, want)
	}
	assert.NotContains(t, html, "<script", "the page works without JavaScript")
	assert.NotRegexp(t, `(src|href)="https?://`, html, "no external assets")

	form := ts.checkoutForm(t, f.payURL, "complete")
	resp, err = noRedirects(ts).PostForm(fmt.Sprintf("%s/complete", f.payURL), form)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	assert.Equal(t, "shop.test", loc.Host)
	assert.Equal(t, "/thanks", loc.Path)
	assert.Equal(t, fmt.Sprint(f.sessionID), loc.Query().Get("session_id"))
	assert.Equal(t, "completed", loc.Query().Get("status"))

	assert.Equal(t, "completed", ts.session(t, f.token, f.sessionID)["status"])
	order := ts.order(t, f.token, f.orderID)
	assert.Equal(t, "paid", order["statusIdentifier"])
	assert.Equal(t, true, order["isCompleted"])
	assert.Equal(t, f.payURL, order["paymentUrl"])

	msgs := ts.mails(t, userLogin)
	require.Len(t, msgs, 1, "exactly one ticket e-mail")
	parsed, err := mail.Parse(msgs[0].Raw)
	if err != nil || len(msgs[0].Raw) == 0 {
		// Raw is not part of the list's JSON: read it from /raw.
		status, raw := ts.callWith(t, http.MethodGet, "/__admin/mail/"+msgs[0].ID+"/raw", "", nil, nil)
		require.Equal(t, http.StatusOK, status)
		parsed, err = mail.Parse(raw)
	}
	require.NoError(t, err)
	assert.Contains(t, parsed.Text, "Серебряный")
	assert.Contains(t, parsed.Text, "19:30")
	assert.Contains(t, parsed.Text, fmt.Sprint(f.orderID))
	assert.NotEmpty(t, parsed.HTML)
	assert.NotEmpty(t, msgs[0].RequestID, "the e-mail names the request that caused it")

	require.Eventually(t, func() bool {
		events, _ := receiver.received()
		return len(events) >= 2
	}, 10*time.Second, 10*time.Millisecond)
	events, verified := receiver.received()
	assert.ElementsMatch(t, []string{"payment.session.created", "payment.session.completed"}, events, "deliveries run in parallel, so any order")
	assert.Equal(t, []bool{true, true}, verified, "the receiver verifies every signature")

	status, body := ts.callWith(t, http.MethodGet, "/__admin/webhooks?event=payment.session.completed", "", nil, nil)
	require.Equal(t, http.StatusOK, status)
	var deliveries struct {
		Total      int              `json:"total"`
		Deliveries []map[string]any `json:"deliveries"`
	}
	require.NoError(t, json.Unmarshal(body, &deliveries))
	require.Eventually(t, func() bool {
		_, body := ts.callWith(t, http.MethodGet, "/__admin/webhooks?event=payment.session.completed&status=delivered", "", nil, nil)
		return strings.Contains(string(body), `"status":"delivered"`)
	}, 10*time.Second, 10*time.Millisecond, "the delivery log shows the receiver's answer")

	// Paying again sends no second ticket.
	resp, err = noRedirects(ts).PostForm(fmt.Sprintf("%s/complete", f.payURL), form)
	require.NoError(t, err)
	resp.Body.Close()
	status, _ = ts.paymentAction(t, f.sessionID, "complete")
	assert.Equal(t, http.StatusOK, status)
	assert.Len(t, ts.mails(t, userLogin), 1, "paying twice sends one ticket")
}

// An order is ticketed once: its first completed payment sends the ticket e-mail, and a second
// session of the same order completed afterwards sends none (docs/api.md, Payment lifecycle).
func TestASecondPaidSessionOfAnOrderSendsNoTicket(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	f := ts.openStripeSession(t, 10, 1)
	status, body := ts.call(t, http.MethodPost, "/api/content/payments/sessions", f.token, map[string]any{"orderId": f.orderID, "type": "session", "automaticTaxEnabled": false})
	require.Equal(t, http.StatusCreated, status, string(body))
	second := int(decode[map[string]any](t, body)["id"].(float64))
	require.NotEqual(t, f.sessionID, second)

	ts.settle(t, f.sessionID, "complete")
	require.Len(t, ts.mails(t, userLogin), 1, "the first payment sends the ticket")
	ts.settle(t, second, "complete")
	assert.Equal(t, "completed", ts.session(t, f.token, second)["status"])
	assert.Len(t, ts.mails(t, userLogin), 1, "the order's second payment sends no ticket")
}

func TestDeclineCancelExpireSendNoTicket(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name          string
		act           func(t *testing.T, ts *testServer, f flowState)
		sessionStatus string
		orderStatus   string
	}{
		{"decline", func(t *testing.T, ts *testServer, f flowState) {
			ts.settle(t, f.sessionID, "decline")
		}, "waiting", "inProgress"},
		{"cancel on the page", func(t *testing.T, ts *testServer, f flowState) {
			resp, err := noRedirects(ts).PostForm(f.payURL+"/cancel", ts.checkoutForm(t, f.payURL, "cancel"))
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, http.StatusSeeOther, resp.StatusCode)
			assert.Contains(t, resp.Header.Get("Location"), "result=canceled", "without a cancel URL the page shows the result")
		}, "canceled", "canceled"},
		{"expiry by the clock", func(t *testing.T, ts *testServer, f flowState) {
			status, _ := ts.callWith(t, http.MethodPost, "/__admin/clock", "", `{"advance":"31m"}`, nil)
			require.Equal(t, http.StatusOK, status)
		}, "expired", "canceled"},
		{"expire on the page", func(t *testing.T, ts *testServer, f flowState) {
			resp, err := noRedirects(ts).PostForm(f.payURL+"/expire", ts.checkoutForm(t, f.payURL, "expire"))
			require.NoError(t, err)
			resp.Body.Close()
		}, "expired", "canceled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t)
			f := ts.openStripeSession(t, 10, 1)
			tc.act(t, ts, f)
			assert.Equal(t, tc.sessionStatus, ts.session(t, f.token, f.sessionID)["status"])
			order := ts.order(t, f.token, f.orderID)
			assert.Equal(t, tc.orderStatus, order["statusIdentifier"])
			assert.Nil(t, order["isCompleted"])
			assert.Empty(t, ts.mails(t, userLogin), "no ticket")
		})
	}
}

func TestClosedSessionRefusesOtherActions(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	f := ts.openStripeSession(t, 10, 1)
	ts.settle(t, f.sessionID, "cancel")
	status, body := ts.paymentAction(t, f.sessionID, "complete")
	assert.Equal(t, http.StatusConflict, status)
	decodeError(t, status, body)
	status, _ = ts.paymentAction(t, f.sessionID, "refund")
	assert.Equal(t, http.StatusBadRequest, status)
	status, _ = ts.callWith(t, http.MethodPost, "/__admin/payments/sessions/999/complete", "", nil, nil)
	assert.Equal(t, http.StatusNotFound, status)
	assert.Empty(t, ts.mails(t, userLogin))
}

// Once money moves against an order (a session waits or completed), its products and total
// stay as paid for: an update that changes them answers 400 and changes nothing. Its status
// can still move.
func TestAnOrderWithAPaymentKeepsItsContents(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	f := ts.openStripeSession(t, 10, 2)
	orderPath := fmt.Sprintf("%s/%d", ordersPath, f.orderID)
	for _, state := range []string{"pending", "paid"} {
		if state == "paid" {
			ts.settle(t, f.sessionID, "complete")
		}
		before := stateDocument(t, ts)
		for _, change := range []map[string]any{ticketOrder(12, 1, "stripe"), ticketOrder(10, 3, "stripe")} {
			status, body := ts.call(t, http.MethodPut, orderPath, f.token, change)
			require.Equal(t, http.StatusBadRequest, status, string(body))
			assert.Equal(t, []string{fmt.Sprintf("Order %d has a payment (payment state %s): its products cannot change", f.orderID, state)},
				decodeError(t, status, body).messages())
		}
		assert.Equal(t, before, stateDocument(t, ts), "a refused update changes nothing")
	}

	// A paid order sent back as read keeps its status; it does not go back before its payment.
	same := ticketOrder(10, 2, "stripe")
	same["statusIdentifier"] = "paid"
	status, body := ts.call(t, http.MethodPut, orderPath, f.token, same)
	require.Equal(t, http.StatusOK, status, "the order as read: %s", body)
	backToNew := func() {
		t.Helper()
		same["statusIdentifier"] = "inProgress"
		before := stateDocument(t, ts)
		status, body := ts.call(t, http.MethodPut, orderPath, f.token, same)
		assertRefused(t, status, body, http.StatusBadRequest, fmt.Sprintf("statusIdentifier: order %d is paid; inProgress, the status of new orders, comes before its payment", f.orderID))
		assert.Equal(t, before, stateDocument(t, ts))
	}
	backToNew()

	same["statusIdentifier"] = "completed"
	status, body = ts.call(t, http.MethodPut, orderPath, f.token, same)
	require.Equal(t, http.StatusOK, status, string(body))
	read := ts.order(t, f.token, f.orderID)
	assert.Equal(t, "completed", read["statusIdentifier"])
	assert.Equal(t, "200.00", read["totalSum"])
	backToNew() // not by way of another status either
}

// An order read names its products as the catalogue does in the asked language; the 2025
// profile's catalogue has one title for every language, as the seed recorded it.
func TestOrderReadTitlesProductsInTheAskedLanguage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		profile sandbox.Profile
		want    map[string]string
	}{
		{sandbox.ProfileLive, map[string]string{"en_US": "Bronze ticket", "ru_RU": "Бронзовый"}},
		{sandbox.ProfileSDK115, map[string]string{"en_US": "Бронзовый", "ru_RU": "Бронзовый"}},
	} {
		ts := newTestServer(t, withProfile(tc.profile))
		token := ts.signIn(t, userLogin, userPass).AccessToken
		id := int(ts.createOrder(t, token, discountOrder(map[int]int{10: 1}, nil))["id"].(float64))
		for lang, want := range tc.want {
			for _, path := range []string{fmt.Sprintf("%s/%d?langCode=%s", ordersPath, id, lang), ordersPath + "?langCode=" + lang} {
				status, body := ts.call(t, http.MethodGet, path, token, nil)
				require.Equal(t, http.StatusOK, status, string(body))
				assert.Contains(t, string(body), `"title":"`+want+`"`, "%s %s", tc.profile.Name, path)
			}
		}
	}
}

// The checkout page, the dashboard's order and the ticket e-mail name the tickets in the
// order's language, as an order read does.
func TestOrderPagesAndMailNameTicketsInTheOrdersLanguage(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	token := ts.signIn(t, userLogin, userPass).AccessToken
	for lang, want := range map[string][]string{
		"en_US": {"Bronze ticket", "Silver ticket", "Bronze ticket × 2, Silver ticket"},
		"ru_RU": {"Бронзовый", "Серебряный", "Бронзовый × 2, Серебряный"},
	} {
		formData := map[string]any{lang: []map[string]any{{"type": "entity", "marker": "tickets", "value": []string{"p-8-10"}}}}
		id := int(ts.createOrder(t, token, discountOrder(map[int]int{10: 2, 11: 1}, map[string]any{"paymentAccountIdentifier": "stripe", "formData": formData}))["id"].(float64))
		status, body := ts.call(t, http.MethodPost, "/api/content/payments/sessions", token, map[string]any{"orderId": id, "type": "session"})
		require.Equal(t, http.StatusCreated, status, string(body))
		session := decode[map[string]any](t, body)

		status, page := testkit.Call(t, ts.Client(), http.MethodGet, session["paymentUrl"].(string), "")
		require.Equal(t, http.StatusOK, status)
		_, dashboard, _ := uiGet(t, ts, fmt.Sprintf("/__admin/ui/orders/%d", id))
		for _, title := range want[:2] {
			assert.Contains(t, string(page), "<td>"+title+"</td>", "checkout page, %s", lang)
			assert.Contains(t, dashboard, title, "dashboard, %s", lang)
		}

		ts.settle(t, int(session["id"].(float64)), "complete")
		var tickets []string
		for _, m := range ts.mails(t, userLogin) {
			if m.Headers["X-Oneentry-Order"] == fmt.Sprint(id) {
				tickets = append(tickets, m.Text)
			}
		}
		require.Len(t, tickets, 1, "the ticket e-mail of order %d", id)
		assert.Contains(t, tickets[0], want[2], lang)
	}
}

func TestCashSessionHasNoPaymentURL(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	tk := ts.login(t, userLogin, userPass)
	status, body := ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, ticketOrder(10, 1, "cash"))
	require.Equal(t, http.StatusCreated, status, string(body))
	id := decode[map[string]any](t, body)["id"]
	status, body = ts.call(t, http.MethodPost, "/api/content/payments/sessions", tk.AccessToken, map[string]any{"orderId": id, "type": "session"})
	require.Equal(t, http.StatusCreated, status)
	assert.Nil(t, decode[map[string]any](t, body)["paymentUrl"])
}

// seatsFixtures are the default fixtures with the tickets storage's seats set.
func seatsFixtures(t *testing.T, seats map[string]any) *store.Fixtures {
	t.Helper()
	return editFixtures(t, map[string]func(any) any{
		store.FileOrderStorages: func(v any) any {
			v.([]any)[0].(map[string]any)["seats"] = seats
			return v
		},
	})
}

func TestLastSeatsGoToExactlyTenBuyers(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withFixtures(seatsFixtures(t, map[string]any{"perSlot": 10, "perTicketType": map[string]any{"p-8-12": 3}})))
	tk := ts.login(t, userLogin, userPass)

	// Three Gold tickets at most, whatever the slot's total.
	status, body := ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, ticketOrder(12, 4, "cash"))
	require.Equal(t, http.StatusConflict, status, string(body))
	assert.Contains(t, strings.Join(decodeError(t, status, body).messages(), " "), "sold out")

	const buyers = 100
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for range buyers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, _ := ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, ticketOrder(10, 1, "cash"))
			mu.Lock()
			codes[status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	assert.Equal(t, map[int]int{http.StatusCreated: 10, http.StatusConflict: buyers - 10}, codes)

	// Canceling an order gives its seat back.
	status, body = ts.call(t, http.MethodGet, ordersPath+"?limit=1", tk.AccessToken, nil)
	require.Equal(t, http.StatusOK, status)
	last := decode[struct {
		Items []map[string]any `json:"items"`
	}](t, body).Items[0]
	cancel := ticketOrder(10, 1, "cash")
	cancel["statusIdentifier"] = "canceled"
	status, body = ts.call(t, http.MethodPut, fmt.Sprintf("%s/%v", ordersPath, last["id"]), tk.AccessToken, cancel)
	require.Equal(t, http.StatusOK, status, string(body))
	status, _ = ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, ticketOrder(10, 1, "cash"))
	assert.Equal(t, http.StatusCreated, status)
	status, _ = ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, ticketOrder(10, 1, "cash"))
	assert.Equal(t, http.StatusConflict, status)
}

// A slot listed twice in one order is one booking of it: counted once and checked once.
func TestASlotListedTwiceIsBookedOnce(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withFixtures(seatsFixtures(t, map[string]any{"perSlot": 4})))
	tk := ts.login(t, userLogin, userPass)
	twice := ticketOrder(10, 3, "cash")
	twice["formData"].(map[string]any)["en_US"].([]map[string]any)[0]["value"] = [][]string{{seedSlotStart, seedSlotEnd}, {seedSlotStart, seedSlotEnd}}
	ts.createOrder(t, tk.AccessToken, twice)
	ts.createOrder(t, tk.AccessToken, ticketOrder(10, 1, "cash"))
	status, body := ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, ticketOrder(10, 1, "cash"))
	require.Equal(t, http.StatusConflict, status, string(body))
	assert.Contains(t, strings.Join(decodeError(t, status, body).messages(), " "), "0 of 4 seats left")
}

// A canceled order gave its seats back; a payment session opened for it afterwards takes them
// again, and is refused while others hold them: a slot is never paid for beyond its seats.
func TestCanceledOrderIsPaidOnlyWithFreeSeats(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withFixtures(seatsFixtures(t, map[string]any{"perSlot": 1})))
	tk := ts.login(t, userLogin, userPass)
	first := ts.createOrder(t, tk.AccessToken, ticketOrder(10, 1, "cash"))["id"]
	canceled := ticketOrder(10, 1, "cash")
	canceled["statusIdentifier"] = "canceled"
	status, body := ts.call(t, http.MethodPut, fmt.Sprintf("%s/%v", ordersPath, first), tk.AccessToken, canceled)
	require.Equal(t, http.StatusOK, status, string(body))
	second := ts.createOrder(t, tk.AccessToken, ticketOrder(10, 1, "cash"))["id"]

	before := stateDocument(t, ts)
	status, body = ts.call(t, http.MethodPost, "/api/content/payments/sessions", tk.AccessToken, map[string]any{"orderId": first, "type": "session"})
	require.Equal(t, http.StatusConflict, status, string(body))
	assert.Contains(t, strings.Join(decodeError(t, status, body).messages(), " "), "sold out")
	assert.Equal(t, before, stateDocument(t, ts), "a refused session changes nothing")

	status, body = ts.call(t, http.MethodPut, fmt.Sprintf("%s/%v", ordersPath, second), tk.AccessToken, canceled)
	require.Equal(t, http.StatusOK, status, string(body))
	status, body = ts.call(t, http.MethodPost, "/api/content/payments/sessions", tk.AccessToken, map[string]any{"orderId": first, "type": "session"})
	require.Equal(t, http.StatusCreated, status, string(body))
	session := decode[map[string]any](t, body)["id"]
	status, body = ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, ticketOrder(10, 1, "cash"))
	require.Equal(t, http.StatusConflict, status, "the session took the seat back: %s", body)

	// The 2025 session PUT can reopen a closed session: it takes the seats back the same way.
	status, body = ts.call(t, http.MethodPost, fmt.Sprintf("/__admin/payments/sessions/%v/cancel", session), "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	ts.createOrder(t, tk.AccessToken, ticketOrder(10, 1, "cash"))
	before = stateDocument(t, ts)
	status, body = ts.call(t, http.MethodPut, fmt.Sprintf("/api/content/payments/sessions/%v", session), tk.AccessToken, map[string]any{"status": "waiting"})
	require.Equal(t, http.StatusConflict, status, string(body))
	assert.Contains(t, strings.Join(decodeError(t, status, body).messages(), " "), "sold out")
	assert.Equal(t, before, stateDocument(t, ts), "a refused reopening changes nothing")
}

// Seats a reopened session took back for a canceled order are given back when that session
// closes unpaid: a canceled order holds no seats once nothing may still pay it.
func TestReopenedSessionClosedUnpaidGivesTheSeatsBack(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withFixtures(seatsFixtures(t, map[string]any{"perSlot": 1})))
	tk := ts.login(t, userLogin, userPass)
	order := ts.createOrder(t, tk.AccessToken, ticketOrder(10, 1, "cash"))["id"]
	status, body := ts.call(t, http.MethodPost, "/api/content/payments/sessions", tk.AccessToken, map[string]any{"orderId": order, "type": "session"})
	require.Equal(t, http.StatusCreated, status, string(body))
	session := fmt.Sprintf("/api/content/payments/sessions/%v", decode[map[string]any](t, body)["id"])
	status, body = ts.call(t, http.MethodPost, strings.Replace(session, "/api/content/", "/__admin/", 1)+"/cancel", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	for _, step := range []string{"waiting", "canceled"} {
		status, body = ts.call(t, http.MethodPut, session, tk.AccessToken, map[string]any{"status": step})
		require.Equal(t, http.StatusOK, status, "%s: %s", step, body)
	}
	ts.createOrder(t, tk.AccessToken, ticketOrder(10, 1, "cash")) // the seat is free again
}

// An order keeps the slot it booked once the slot has begun: sent back as read it can still
// change status, while moving it to another slot that has begun is refused.
func TestOrderKeepsItsSlotAfterTheSlotBegins(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	status, body := ts.adminClock(t, `{"set":"2025-04-20T09:00:00Z"}`)
	require.Equal(t, http.StatusOK, status, string(body))
	tk := ts.signIn(t, userLogin, userPass)
	id := ts.createOrder(t, tk.AccessToken, ticketOrder(10, 1, "cash"))["id"]

	status, body = ts.adminClock(t, `{"set":"2025-05-04T09:00:00Z"}`)
	require.Equal(t, http.StatusOK, status, string(body))
	tk = ts.signIn(t, userLogin, userPass)
	completed := ticketOrder(10, 1, "cash")
	completed["statusIdentifier"] = "completed"
	status, body = ts.call(t, http.MethodPut, fmt.Sprintf("%s/%v", ordersPath, id), tk.AccessToken, completed)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, "completed", decode[map[string]any](t, body)["statusIdentifier"])

	moved := ticketOrder(10, 1, "cash")
	moved["formData"].(map[string]any)["en_US"].([]map[string]any)[0]["value"] = [][]string{{"2025-05-03T16:30:00.000Z", "2025-05-03T18:00:00.000Z"}}
	status, body = ts.call(t, http.MethodPut, fmt.Sprintf("%s/%v", ordersPath, id), tk.AccessToken, moved)
	require.Equal(t, http.StatusBadRequest, status, string(body))
	assert.Contains(t, strings.Join(decodeError(t, status, body).messages(), " "), "has already started")

	// A canceled order gave its slot back: taking it again once it has begun is a new booking.
	canceled := ticketOrder(10, 1, "cash")
	canceled["statusIdentifier"] = "canceled"
	status, body = ts.call(t, http.MethodPut, fmt.Sprintf("%s/%v", ordersPath, id), tk.AccessToken, canceled)
	require.Equal(t, http.StatusOK, status, string(body))
	status, body = ts.call(t, http.MethodPut, fmt.Sprintf("%s/%v", ordersPath, id), tk.AccessToken, completed)
	require.Equal(t, http.StatusBadRequest, status, string(body))
	assert.Contains(t, strings.Join(decodeError(t, status, body).messages(), " "), "has already started")
}

// The default schedule's slots lie in 2025-26: on today's clock they have started, and the
// documented clock move makes the next one bookable.
func TestDefaultScheduleBookableAfterTheDocumentedClockMove(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	tk := ts.signIn(t, userLogin, userPass)
	next := ticketOrder(10, 1, "cash")
	next["formData"].(map[string]any)["en_US"].([]map[string]any)[0]["value"] = [][]string{{"2025-05-03T16:30:00.000Z", "2025-05-03T18:00:00.000Z"}}
	if time.Now().After(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)) {
		status, body := ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, next)
		require.Equal(t, http.StatusBadRequest, status, string(body))
		assert.Contains(t, strings.Join(decodeError(t, status, body).messages(), " "), "has already started")
	}
	status, body := ts.adminClock(t, `{"set":"2025-05-01T09:00:00Z"}`)
	require.Equal(t, http.StatusOK, status, string(body))
	status, body = ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, next)
	assert.Equal(t, http.StatusCreated, status, string(body))
}

func TestSlotValidationFollowsProfile(t *testing.T) {
	t.Parallel()
	offSchedule := ticketOrder(10, 1, "cash")
	offSchedule["formData"].(map[string]any)["en_US"].([]map[string]any)[0]["value"] = [][]string{{"2025-04-26T17:00:00.000Z", "2025-04-26T18:30:00.000Z"}}
	bare := ticketOrder(10, 1, "cash")
	bare["formData"].(map[string]any)["en_US"].([]map[string]any)[0]["value"] = []string{seedSlotStart, seedSlotEnd}

	live := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	live.clock.Set(time.Date(2025, 4, 20, 12, 0, 0, 0, time.UTC))
	meta := map[string]string{"x-app-token": appToken, "x-device-metadata": `{"fingerprint":"UQ_1","deviceInfo":{"os":"Linux","browser":"x","location":"en-US"}}`}
	status, body := live.callWith(t, http.MethodPost, authPath, "", authBody(userLogin, userPass), meta)
	require.Equal(t, http.StatusCreated, status)
	tk := decode[tokens](t, body)

	status, body = live.call(t, http.MethodPost, ordersPath, tk.AccessToken, ticketOrder(10, 1, "cash"))
	assert.Equal(t, http.StatusCreated, status, "a slot of the schedule: %s", body)
	status, body = live.call(t, http.MethodPost, ordersPath, tk.AccessToken, offSchedule)
	require.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, strings.Join(decodeError(t, status, body).messages(), " "), "schedule: 2025-04-26T17:00:00.000Z")
	status, body = live.call(t, http.MethodPost, ordersPath, tk.AccessToken, bare)
	require.Equal(t, http.StatusBadRequest, status, "an unwrapped pair")
	decodeError(t, status, body)

	live.clock.Set(time.Date(2025, 4, 26, 17, 0, 0, 0, time.UTC))
	status, body = live.callWith(t, http.MethodPost, authPath, "", authBody(userLogin, userPass), meta)
	require.Equal(t, http.StatusCreated, status)
	tk = decode[tokens](t, body)
	status, body = live.call(t, http.MethodPost, ordersPath, tk.AccessToken, ticketOrder(10, 1, "cash"))
	require.Equal(t, http.StatusBadRequest, status, "a slot in the past")
	assert.Contains(t, strings.Join(decodeError(t, status, body).messages(), " "), "already started")

	old := newTestServer(t)
	otk := old.login(t, userLogin, userPass)
	status, _ = old.call(t, http.MethodPost, ordersPath, otk.AccessToken, offSchedule)
	assert.Equal(t, http.StatusCreated, status, "sdk-1.0.115 does not check slots")
}

func TestGenerateCodeSendsMail(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	const base = "/api/content/users-auth-providers/marker/email/users/"
	status, body := ts.call(t, http.MethodPost, base+"generate-code", "", map[string]string{"userIdentifier": userLogin, "eventIdentifier": "reset_password"})
	require.Equal(t, http.StatusCreated, status, string(body))
	assert.Empty(t, body)
	msgs := ts.mails(t, userLogin)
	require.Len(t, msgs, 1)
	code := regexpDigits.FindString(msgs[0].Text)
	require.Len(t, code, 6, msgs[0].Text)

	check := map[string]string{"userIdentifier": userLogin, "eventIdentifier": "reset_password", "code": code}
	status, body = ts.call(t, http.MethodPost, base+"check-code", "", check)
	require.Equal(t, http.StatusCreated, status)
	assert.Equal(t, "true", string(body))
	check["code"] = "000000x"
	_, body = ts.call(t, http.MethodPost, base+"check-code", "", check)
	assert.Equal(t, "false", string(body))

	status, _ = ts.call(t, http.MethodPost, base+"activate", "", map[string]string{"userIdentifier": userLogin, "code": code})
	assert.Equal(t, http.StatusCreated, status)
	status, body = ts.call(t, http.MethodPost, base+"activate", "", map[string]string{"userIdentifier": userLogin, "code": code})
	assert.Equal(t, http.StatusUnauthorized, status, "a code works once")
	decodeError(t, status, body)

	ts.clock.Advance(time.Hour)
	status, _ = ts.call(t, http.MethodPost, base+"generate-code", "", map[string]string{"userIdentifier": "ghost@example.com", "eventIdentifier": "x"})
	assert.Equal(t, http.StatusNotFound, status)
}

var regexpDigits = regexp.MustCompile(`\b\d{6}\b`)

// A reset drops pending callbacks at once: a delivery hanging on a receiver that never answers
// does not hold the reset up, and its log is gone afterwards.
func TestResetDoesNotWaitForCallbacks(t *testing.T) {
	t.Parallel()
	arrived, release := make(chan struct{}, 8), make(chan struct{})
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(receiver.Close)
	t.Cleanup(func() { close(release) })
	ts := newTestServer(t, withFixtures(stripeFixtures(t, receiver.URL, false)))
	ts.openStripeSession(t, 10, 1)
	<-arrived // the callback of the new session is in flight, and stays so

	reset := make(chan int)
	go func() {
		status, _ := ts.callWith(t, http.MethodPost, "/__admin/reset", "", nil, nil)
		reset <- status
	}()
	select {
	case status := <-reset:
		assert.Equal(t, http.StatusOK, status)
	case <-time.After(time.Minute):
		t.Fatal("the reset is still waiting for the callback's receiver")
	}
	status, body := ts.callWith(t, http.MethodGet, "/__admin/webhooks", "", nil, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Contains(t, string(body), `"total":0`)
}

// A receiver that hangs on a few callbacks does not hold back the next one: several are sent
// at once.
func TestCallbacksAreSentInParallel(t *testing.T) {
	t.Parallel()
	const hanging = 3
	var mu sync.Mutex
	seen := map[string]int{} // the order in which each delivery first arrived
	delivered, release := make(chan struct{}, 1), make(chan struct{})
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("OneEntry-Mock-Delivery")
		mu.Lock()
		if _, ok := seen[id]; !ok {
			seen[id] = len(seen) + 1
		}
		n := seen[id]
		mu.Unlock()
		if n <= hanging { // every attempt of the first deliveries hangs
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		select {
		case delivered <- struct{}{}:
		default:
		}
	}))
	t.Cleanup(receiver.Close)
	t.Cleanup(func() { close(release) })
	ts := newTestServer(t, withFixtures(stripeFixtures(t, receiver.URL, false)))
	for range hanging + 1 {
		ts.openStripeSession(t, 10, 1)
	}
	select {
	case <-delivered:
	case <-time.After(time.Minute):
		t.Fatalf("the callback after %d hanging ones was not sent", hanging)
	}
}
