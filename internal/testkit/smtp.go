package testkit

import (
	"io"
	"log"
	"net"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"
)

// SMTPSink is an in-process SMTP server that records what it receives. Its zero value accepts
// every message; the fields make it refuse some, or require a login.
type SMTPSink struct {
	// FailFirst DATA commands are refused with FailCode, to exercise a sender's retries.
	FailFirst int
	FailCode  int
	// User and Pass, when User is set, make AUTH PLAIN offered and required.
	User, Pass string

	mu       sync.Mutex
	data     int
	received []Message
}

// Message is one message the sink accepted.
type Message struct {
	From string
	To   []string
	Auth string // the user it was sent as, when the sink requires a login
	Data []byte
}

// Start serves the sink on a loopback port until the test ends and returns its address.
func (s *SMTPSink) Start(t testing.TB) string {
	t.Helper()
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		sess := &smtpSession{sink: s}
		if s.User != "" {
			return &authSession{smtpSession: sess}, nil
		}
		return sess, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// Messages returns what the sink accepted so far, oldest first.
func (s *SMTPSink) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.received...)
}

type smtpSession struct {
	sink *SMTPSink
	cur  Message
}

func (s *smtpSession) Reset()        { s.cur = Message{Auth: s.cur.Auth} }
func (s *smtpSession) Logout() error { return nil }

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.sink.User != "" && s.cur.Auth == "" {
		return smtp.ErrAuthRequired
	}
	s.cur.From = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.sink.mu.Lock()
	defer s.sink.mu.Unlock()
	s.sink.data++
	if s.sink.data <= s.sink.FailFirst {
		return &smtp.SMTPError{Code: s.sink.FailCode, EnhancedCode: smtp.EnhancedCodeNotSet, Message: "refused by the test"}
	}
	s.cur.Data = b
	s.sink.received = append(s.sink.received, s.cur)
	return nil
}

type authSession struct{ *smtpSession }

func (s *authSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *authSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.sink.User || pass != s.sink.Pass {
			return smtp.ErrAuthFailed
		}
		s.cur.Auth = user
		return nil
	}), nil
}
