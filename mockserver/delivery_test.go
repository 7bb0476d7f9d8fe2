package mockserver_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/internal/testkit"
	"github.com/oneentry-mock/oneentry-mock/mail"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// The ticket e-mail reaches a real SMTP server through --smtp-url's relay, byte for byte the
// outbox copy.
func TestTicketMailIsRelayedToSMTP(t *testing.T) {
	t.Parallel()
	ts, sink, _ := relayServer(t, nil)
	f := ts.openStripeSession(t, 10, 1)
	ts.settle(t, f.sessionID, "complete")

	msgs := ts.mails(t, userLogin)
	require.Len(t, msgs, 1)
	status, raw := ts.callWith(t, http.MethodGet, "/__admin/mail/"+msgs[0].ID+"/raw", "", nil, nil)
	require.Equal(t, http.StatusOK, status)

	require.Eventually(t, func() bool { return len(sink.Messages()) == 1 }, 10*time.Second, 10*time.Millisecond)
	got := sink.Messages()[0]
	assert.Equal(t, []string{userLogin}, got.To)
	assert.Equal(t, string(raw), string(got.Data), "what the SMTP server received is the outbox copy")
	parsed, err := mail.Parse(got.Data)
	require.NoError(t, err, "and it parses as MIME")
	assert.Contains(t, parsed.Text, "Бронзовый")
}

func TestSessionPutSendsAnUpdatedWebhookAndNoTicket(t *testing.T) {
	t.Parallel()
	receiver := newWebhookReceiver(t, "whsec_oneentry_mock_default")
	ts := newTestServer(t, withFixtures(stripeFixtures(t, receiver.URL, false)))
	f := ts.openStripeSession(t, 10, 1)
	status, body := ts.call(t, http.MethodPut, fmt.Sprintf("/api/content/payments/sessions/%d", f.sessionID), f.token, map[string]any{"status": "completed"})
	require.Equal(t, http.StatusOK, status, string(body))
	require.Eventually(t, func() bool { events, _ := receiver.received(); return len(events) == 2 }, 10*time.Second, 10*time.Millisecond)
	events, verified := receiver.received()
	assert.ElementsMatch(t, []string{"payment.session.created", "payment.session.updated"}, events, "deliveries run in parallel, so any order")
	assert.Equal(t, []bool{true, true}, verified)
	assert.Empty(t, ts.mails(t, userLogin), "the PUT never pays the order")
	assert.Nil(t, ts.order(t, f.token, f.orderID)["isCompleted"])

	// Paying it now would be a second "completed" that pays nothing: refused, and not an
	// idempotent repeat.
	before := stateDocument(t, ts)
	status, body = ts.paymentAction(t, f.sessionID, "complete")
	require.Equal(t, http.StatusConflict, status, string(body))
	assert.Contains(t, decodeError(t, status, body).messages()[0], "set to completed by the client")
	assert.Equal(t, before, stateDocument(t, ts))
}

func TestCancelingOneOfTwoOpenSessionsKeepsTheOrder(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	f := ts.openStripeSession(t, 10, 1)
	status, body := ts.call(t, http.MethodPost, "/api/content/payments/sessions", f.token, map[string]any{"orderId": f.orderID, "type": "session"})
	require.Equal(t, http.StatusCreated, status, string(body))
	second := int(decode[map[string]any](t, body)["id"].(float64))

	status, _ = ts.paymentAction(t, f.sessionID, "cancel")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "inProgress", ts.order(t, f.token, f.orderID)["statusIdentifier"], "another session is still open")

	status, _ = ts.paymentAction(t, second, "expire")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "canceled", ts.order(t, f.token, f.orderID)["statusIdentifier"], "the last open session ended unpaid")
}

func TestAdminListsRejectBadFilters(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for _, path := range []string{"/__admin/mail?limit=abc", "/__admin/webhooks?limit=0", "/__admin/webhooks?status=lost", "/__admin/webhooks?event=payment.session.complete", "/__admin/requests?limit=-1"} {
		status, body := ts.callWith(t, http.MethodGet, path, "", nil, nil)
		assert.Equal(t, http.StatusBadRequest, status, path)
		decodeError(t, status, body)
	}
	status, body := ts.callWith(t, http.MethodGet, "/__admin/webhooks?event=payment.session.complete", "", nil, nil)
	assert.Equal(t, []string{"event must be one of the following values: payment.session.created, payment.session.updated, " +
		"payment.session.completed, payment.session.declined, payment.session.canceled, payment.session.expired"}, decodeError(t, status, body).messages())
	resp := testkit.Preflight(t, ts.Client(), ts.URL+"/__admin/requests", http.MethodGet, "")
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "no origin is listed in --admin-allow-origin")
	assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))
}

// relayServer is a mock whose e-mail also goes to an in-process SMTP server, filtered by allow
// (the default list when nil).
func relayServer(t *testing.T, allow *mail.AllowList) (*testServer, *testkit.SMTPSink, *testkit.Buffer) {
	t.Helper()
	sink := &testkit.SMTPSink{}
	relay, err := mail.NewRelay(mail.RelayOptions{URL: "smtp://" + sink.Start(t)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = relay.Close(t.Context()) })
	logs := &testkit.Buffer{}
	ts := newTestServer(t, func(mo *mockserver.Options) {
		mo.Sandbox.Relay = relay
		mo.Sandbox.RelayAllow = allow
		mo.Sandbox.Logger = slog.New(slog.NewTextHandler(logs, nil))
	})
	return ts, sink, logs
}

func recipients(msgs []testkit.Message) [][]string {
	to := make([][]string, len(msgs))
	for i, m := range msgs {
		to[i] = m.To
	}
	return to
}

func (ts *testServer) signUpAndSendCode(t *testing.T, login string) {
	t.Helper()
	ts.signUp(t, login)
	ts.sendCode(t, login)
}

// signUp registers login with the password "12345" through the "reg" form.
func (ts *testServer) signUp(t *testing.T, login string) {
	t.Helper()
	status, body := ts.call(t, http.MethodPost, usersBase+"sign-up", "", map[string]any{
		"formIdentifier": "reg", "langCode": "en_US",
		"authData": []map[string]string{{"marker": "email_reg", "value": login}, {"marker": "password_reg", "value": "12345"}},
		"formData": map[string]any{"en_US": []map[string]any{{"marker": "name_reg", "type": "string", "value": "Ivan"}}},
	})
	require.Equal(t, http.StatusCreated, status, string(body))
}

func (ts *testServer) sendCode(t *testing.T, login string) {
	t.Helper()
	status, body := ts.call(t, http.MethodPost, usersBase+"generate-code", "", map[string]string{"userIdentifier": login, "eventIdentifier": "reg"})
	require.Equal(t, http.StatusCreated, status, string(body))
}

// TestRelaySendsOnlyToAllowedRecipients: by default the relay delivers to the fixture
// users' domains and the example domains only; mail to anyone else stays in the outbox, and the
// log says why. The relay delivers in order, so once a later allowed message has arrived, a
// refused earlier one would have too.
func TestRelaySendsOnlyToAllowedRecipients(t *testing.T) {
	t.Parallel()
	ts, sink, logs := relayServer(t, nil)
	ts.signUpAndSendCode(t, "victim@stranger.test")
	ts.signUpAndSendCode(t, "dev@sub.example")
	ts.sendCode(t, userLogin)

	require.Eventually(t, func() bool { return len(sink.Messages()) == 2 }, 10*time.Second, 10*time.Millisecond)
	rcpt := recipients(sink.Messages())
	assert.Equal(t, [][]string{{"dev@sub.example"}, {userLogin}}, rcpt)
	assert.Len(t, ts.mails(t, "victim@stranger.test"), 1, "the refused message stays in the outbox")
	assert.Contains(t, logs.String(), "not on the allow list")
	assert.Contains(t, logs.String(), "victim@stranger.test")
}

// The default list is the domains of the fixtures' users as they are now: a reload that names
// a new domain lets mail to it go out.
func TestRelayDefaultAllowListFollowsReloadedFixtures(t *testing.T) {
	t.Parallel()
	ts, sink, logs := relayServer(t, nil)
	ts.signUpAndSendCode(t, "boss@corp.test")
	fx := editFixtures(t, map[string]func(any) any{store.FileUsers: func(v any) any {
		v.([]any)[1].(map[string]any)["identifier"] = "second-user@corp.test"
		return v
	}})
	require.NoError(t, ts.server.Reload(t.Context(), fx))
	ts.sendCode(t, "boss@corp.test")
	ts.sendCode(t, userLogin) // the relay delivers in order: once this is in, so is all before it

	require.Eventually(t, func() bool { return len(sink.Messages()) == 2 }, 10*time.Second, 10*time.Millisecond)
	assert.Equal(t, [][]string{{"boss@corp.test"}, {userLogin}}, recipients(sink.Messages()))
	assert.Len(t, ts.mails(t, "boss@corp.test"), 2, "the first code, refused before the reload, stays in the outbox")
	assert.Contains(t, logs.String(), "not on the allow list")
}

func TestRelayAllowListReplacesTheDefault(t *testing.T) {
	t.Parallel()
	allow, err := mail.ParseAllowList("stranger.test, boss@corp.test")
	require.NoError(t, err)
	ts, sink, _ := relayServer(t, allow)
	ts.sendCode(t, userLogin) // email.com is a fixture domain, but not on the list
	ts.signUpAndSendCode(t, "boss@corp.test")
	ts.signUpAndSendCode(t, "victim@stranger.test")

	require.Eventually(t, func() bool { return len(sink.Messages()) == 2 }, 10*time.Second, 10*time.Millisecond)
	rcpt := recipients(sink.Messages())
	assert.Equal(t, [][]string{{"boss@corp.test"}, {"victim@stranger.test"}}, rcpt)
}
