package mockserver_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mail"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// relayServer is a mock whose e-mail also goes to an in-process SMTP server, filtered by allow
// (the default list when nil).
func relayServer(t *testing.T, allow *mail.AllowList) (*testServer, *smtpSink, *syncBuffer) {
	t.Helper()
	sink, addr := startSMTPSink(t)
	relay, err := mail.NewRelay(mail.RelayOptions{URL: "smtp://" + addr})
	require.NoError(t, err)
	t.Cleanup(func() { _ = relay.Close(t.Context()) })
	logs := &syncBuffer{}
	ts := newTestServer(t, func(mo *mockserver.Options) {
		mo.Sandbox.Relay = relay
		mo.Sandbox.RelayAllow = allow
		mo.Sandbox.Logger = slog.New(slog.NewTextHandler(logs, nil))
	})
	return ts, sink, logs
}

func (ts *testServer) signUpAndSendCode(t *testing.T, login string) {
	t.Helper()
	status, body := ts.call(t, http.MethodPost, usersBase+"sign-up", "", map[string]any{
		"formIdentifier": "reg", "langCode": "en_US",
		"authData": []map[string]string{{"marker": "email_reg", "value": login}, {"marker": "password_reg", "value": "12345"}},
		"formData": map[string]any{"en_US": []map[string]any{{"marker": "name_reg", "type": "string", "value": "Ivan"}}},
	})
	require.Equal(t, http.StatusCreated, status, string(body))
	ts.sendCode(t, login)
}

func (ts *testServer) sendCode(t *testing.T, login string) {
	t.Helper()
	status, body := ts.call(t, http.MethodPost, usersBase+"generate-code", "", map[string]string{"userIdentifier": login, "eventIdentifier": "reg"})
	require.Equal(t, http.StatusCreated, status, string(body))
}

// TestIssue14RelaySendsOnlyToAllowedRecipients: by default the relay delivers to the fixture
// users' domains and the example domains only; mail to anyone else stays in the outbox, and the
// log says why. The relay delivers in order, so once a later allowed message has arrived, a
// refused earlier one would have too.
func TestIssue14RelaySendsOnlyToAllowedRecipients(t *testing.T) {
	t.Parallel()
	ts, sink, logs := relayServer(t, nil)
	ts.signUpAndSendCode(t, "victim@stranger.test")
	ts.signUpAndSendCode(t, "dev@sub.example")
	ts.sendCode(t, userLogin)

	require.Eventually(t, func() bool { data, _ := sink.received(); return len(data) == 2 }, 10*time.Second, 10*time.Millisecond)
	_, rcpt := sink.received()
	assert.Equal(t, [][]string{{"dev@sub.example"}, {userLogin}}, rcpt)
	assert.Len(t, ts.mails(t, "victim@stranger.test"), 1, "the refused message stays in the outbox")
	assert.Contains(t, logs.String(), "not on the allow list")
	assert.Contains(t, logs.String(), "victim@stranger.test")
}

func TestIssue14RelayAllowListReplacesTheDefault(t *testing.T) {
	t.Parallel()
	allow, err := mail.ParseAllowList("stranger.test, boss@corp.test")
	require.NoError(t, err)
	ts, sink, _ := relayServer(t, allow)
	ts.sendCode(t, userLogin) // email.com is a fixture domain, but not on the list
	ts.signUpAndSendCode(t, "boss@corp.test")
	ts.signUpAndSendCode(t, "victim@stranger.test")

	require.Eventually(t, func() bool { data, _ := sink.received(); return len(data) == 2 }, 10*time.Second, 10*time.Millisecond)
	_, rcpt := sink.received()
	assert.Equal(t, [][]string{{"boss@corp.test"}, {"victim@stranger.test"}}, rcpt)
}
