package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/oneentry-mock/oneentry-mock/backoff"
)

// Defaults for RelayOptions fields left zero. The queue takes the bursts a suite of parallel
// flows makes (hundreds of messages in a fraction of a second, over every sandbox) while the one
// worker sends them a connection at a time; it holds as many as the statuses remember.
const (
	DefaultRelayQueue       = 1000
	DefaultRelayAttempts    = 5
	DefaultRelayTimeout     = 30 * time.Second
	DefaultRelayStatusLimit = 1000
)

// Relay errors returned by Enqueue.
var (
	ErrQueueFull   = errors.New("mail: relay queue is full")
	ErrRelayClosed = errors.New("mail: relay is closed")
)

// DeliveryState is the outcome of relaying one message.
type DeliveryState string

// Delivery states: pending until the SMTP server accepts the message (delivered) or the
// relay gives up (failed).
const (
	StatePending   DeliveryState = "pending"
	StateDelivered DeliveryState = "delivered"
	StateFailed    DeliveryState = "failed"
)

// DeliveryStatus reports how relaying a message went.
type DeliveryStatus struct {
	ID        string        `json:"id"`
	State     DeliveryState `json:"state"`
	Attempts  int           `json:"attempts"`
	LastError string        `json:"lastError,omitempty"`
	UpdatedAt time.Time     `json:"updatedAt"`
}

// RelayOptions configures NewRelay.
type RelayOptions struct {
	// URL is smtp://host:port or smtp://user:pass@host:port (AUTH PLAIN). The port
	// defaults to 25. Only plain SMTP is spoken: the intended peer is a local capture
	// server such as Mailpit, which rarely has a certificate a client could verify.
	URL string
	// Logger receives one record per failed attempt and per final outcome. Nil discards.
	Logger *slog.Logger
	// QueueSize bounds the messages waiting for delivery (DefaultRelayQueue if zero).
	QueueSize int
	// MaxAttempts is the number of tries per message before it is failed
	// (DefaultRelayAttempts if zero).
	MaxAttempts int
	// Backoff returns the pause after the given failed attempt (1-based).
	// Nil means backoff.Exponential(time.Second, time.Minute).
	Backoff func(attempt int) time.Duration
	// Sleep waits d or until ctx is done, returning ctx.Err() in that case. Tests inject one
	// that returns at once. Nil means a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now stamps DeliveryStatus.UpdatedAt. Nil means time.Now.
	Now func() time.Time
	// Timeout bounds one delivery attempt, dial to QUIT (DefaultRelayTimeout if zero).
	Timeout time.Duration
	// LocalName is the EHLO name; empty means "localhost".
	LocalName string
	// StatusLimit is how many delivery statuses are remembered; the oldest finished ones
	// are forgotten first (DefaultRelayStatusLimit if zero).
	StatusLimit int
}

// Relay delivers copies of outbox messages to an SMTP server in the background, in the
// order they were enqueued, retrying transient failures with back-off. It never modifies
// the messages it is given.
type Relay struct {
	addr        string
	auth        *url.Userinfo
	log         *slog.Logger
	retry       backoff.Policy
	now         func() time.Time
	timeout     time.Duration
	localName   string
	statusLimit int
	dialer      net.Dialer
	queue       *backoff.Queue[delivery] // one worker: messages go out in the order enqueued

	mu       sync.Mutex
	statuses map[string]*DeliveryStatus
	order    []string // status ids, oldest first
}

type delivery struct {
	msg  Message
	from string
	to   []string
}

// defaultRetry fills in what RelayOptions leave zero.
var defaultRetry = backoff.Policy{MaxAttempts: DefaultRelayAttempts, Backoff: backoff.Exponential(time.Second, time.Minute)}

// NewRelay parses opts.URL and starts the delivery worker.
func NewRelay(opts RelayOptions) (*Relay, error) {
	addr, auth, err := parseRelayURL(opts.URL)
	if err != nil {
		return nil, err
	}
	r := &Relay{
		addr:        addr,
		auth:        auth,
		log:         opts.Logger,
		retry:       backoff.Policy{MaxAttempts: opts.MaxAttempts, Backoff: opts.Backoff, Sleep: opts.Sleep}.Or(defaultRetry),
		now:         opts.Now,
		timeout:     opts.Timeout,
		localName:   opts.LocalName,
		statusLimit: opts.StatusLimit,
		statuses:    map[string]*DeliveryStatus{},
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.timeout <= 0 {
		r.timeout = DefaultRelayTimeout
	}
	if r.localName == "" {
		r.localName = "localhost"
	}
	if r.statusLimit <= 0 {
		r.statusLimit = DefaultRelayStatusLimit
	}
	queueSize := opts.QueueSize
	if queueSize <= 0 {
		queueSize = DefaultRelayQueue
	}
	r.queue = backoff.NewQueue(queueSize, 1, r.process)
	return r, nil
}

// CheckRelayURL reports whether raw can be RelayOptions.URL, as NewRelay will judge it; a
// command checks its flag with it.
func CheckRelayURL(raw string) error {
	_, _, err := parseRelayURL(raw)
	return err
}

func parseRelayURL(raw string) (addr string, auth *url.Userinfo, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", nil, fmt.Errorf("mail: relay url: %w", err)
	}
	if u.Scheme != "smtp" {
		return "", nil, fmt.Errorf("mail: relay url: scheme %q, want smtp", u.Scheme)
	}
	if u.Hostname() == "" || u.Opaque != "" {
		return "", nil, errors.New("mail: relay url: missing host")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", nil, errors.New("mail: relay url: only smtp://[user:pass@]host[:port] is understood")
	}
	port := u.Port()
	if port == "" {
		port = "25"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", nil, fmt.Errorf("mail: relay url: port %q", port)
	}
	if u.User != nil && u.User.Username() == "" {
		return "", nil, errors.New("mail: relay url: empty user name")
	}
	return net.JoinHostPort(u.Hostname(), port), u.User, nil
}

// Enqueue schedules a copy of m for delivery and records it as pending. m must carry the
// id the Outbox gave it, since statuses are looked up by that id. A full queue fails the
// message at once (and logs it) rather than blocking the request that produced it.
func (r *Relay) Enqueue(m Message) error {
	if m.ID == "" {
		return fmt.Errorf("%w: message has no id; add it to the outbox first", ErrInvalidMessage)
	}
	if len(m.Raw) == 0 {
		return fmt.Errorf("%w: message %s has no raw content", ErrInvalidMessage, m.ID)
	}
	d, err := envelope(m)
	if err != nil {
		return err
	}

	// Held across Offer so the worker cannot update the status before it is created.
	r.mu.Lock()
	defer r.mu.Unlock()
	err = r.queue.Offer(d)
	if errors.Is(err, backoff.ErrQueueClosed) {
		return ErrRelayClosed
	}
	r.setStatusLocked(m.ID, StatePending, 0, "")
	if err != nil {
		r.setStatusLocked(m.ID, StateFailed, 0, ErrQueueFull.Error())
		r.log.Error("mail relay: message dropped", "id", m.ID, "err", ErrQueueFull)
		return ErrQueueFull
	}
	return nil
}

func envelope(m Message) (delivery, error) {
	from, err := mail.ParseAddress(m.From)
	if err != nil {
		return delivery{}, fmt.Errorf("%w: from %q: %v", ErrInvalidMessage, m.From, err)
	}
	if len(m.To) == 0 {
		return delivery{}, fmt.Errorf("%w: message %s has no recipients", ErrInvalidMessage, m.ID)
	}
	to := make([]string, len(m.To))
	for i, s := range m.To {
		a, err := mail.ParseAddress(s)
		if err != nil {
			return delivery{}, fmt.Errorf("%w: to %q: %v", ErrInvalidMessage, s, err)
		}
		to[i] = a.Address
	}
	return delivery{msg: cloneMessage(m), from: from.Address, to: to}, nil
}

// Status reports the delivery status of the message with the given outbox id.
func (r *Relay) Status(id string) (DeliveryStatus, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, ok := r.statuses[id]
	if !ok {
		return DeliveryStatus{}, false
	}
	return *st, true
}

// Close stops accepting messages and waits until the queued ones are delivered or failed.
// If ctx ends first, in-flight attempts and back-off pauses are cut short, every message
// still queued is marked failed, and ctx.Err() is returned once the worker has stopped.
// Close may be called more than once.
func (r *Relay) Close(ctx context.Context) error { return r.queue.Close(ctx) }

// process delivers one message; ctx ends when Close gives up waiting.
func (r *Relay) process(ctx context.Context, d delivery) {
	id := d.msg.ID
	attempts, err := r.retry.Retry(ctx, func(int) (bool, error) {
		actx, cancel := context.WithTimeout(ctx, r.timeout)
		defer cancel()
		err := r.deliver(actx, d)
		return !permanent(err), err
	}, func(attempt int, wait time.Duration, err error) {
		r.setStatus(id, StatePending, attempt, err.Error())
		r.log.Warn("mail relay: attempt failed", "id", id, "addr", r.addr, "attempt", attempt, "retry_in", wait, "err", err)
	})
	var stopped *backoff.StoppedError
	switch {
	case err == nil:
		r.setStatus(id, StateDelivered, attempts, "")
		r.log.Info("mail relay: delivered", "id", id, "addr", r.addr, "attempts", attempts)
	case errors.As(err, &stopped) && stopped.Waiting:
		r.fail(id, attempts, fmt.Errorf("%w while waiting to retry: %w", ErrRelayClosed, stopped.Err))
	case stopped != nil:
		r.fail(id, attempts, ErrRelayClosed)
	default:
		r.fail(id, attempts, err)
	}
}

func (r *Relay) fail(id string, attempts int, err error) {
	r.setStatus(id, StateFailed, attempts, err.Error())
	r.log.Error("mail relay: giving up", "id", id, "addr", r.addr, "attempts", attempts, "err", err)
}

// permanent reports a failure that retrying only delays: a 5xx reply (RFC 5321 §4.2.1 says
// the same transaction will fail again), or a refusal on the relay's side.
func permanent(err error) bool {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code >= 500 && se.Code < 600
	}
	// Only the network can heal. Anything else is a refusal on this side that the next
	// attempt would meet again: no AUTH on offer, or go-smtp's own checks (a non-ASCII
	// address for a server without SMTPUTF8), which would hold the one worker for every
	// sandbox's mail through all the retries.
	var ne net.Error
	transient := errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
	return !transient
}

var errNoAuth = errors.New("server does not offer AUTH, but the relay url has credentials")

func (r *Relay) deliver(ctx context.Context, d delivery) error {
	conn, err := r.dialer.DialContext(ctx, "tcp", r.addr)
	if err != nil {
		return err
	}
	if deadline, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(deadline); err != nil {
			conn.Close()
			return err
		}
	}
	// Closing the connection is the only way to abort a blocked read when Close gives up.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	c := smtp.NewClient(conn)
	defer c.Close()
	if err := c.Hello(r.localName); err != nil {
		return err
	}
	if r.auth != nil {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errNoAuth
		}
		pass, _ := r.auth.Password()
		if err := c.Auth(sasl.NewPlainClient("", r.auth.Username(), pass)); err != nil {
			return fmt.Errorf("auth: %w", err)
		}
	}
	if err := c.SendMail(d.from, d.to, bytes.NewReader(d.msg.Raw)); err != nil {
		return err
	}
	// The server has accepted the message; a failed QUIT must not cause a duplicate.
	if err := c.Quit(); err != nil && !errors.Is(err, io.EOF) {
		r.log.Debug("mail relay: quit", "id", d.msg.ID, "err", err)
	}
	return nil
}

func (r *Relay) setStatus(id string, state DeliveryState, attempts int, lastErr string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.setStatusLocked(id, state, attempts, lastErr)
}

func (r *Relay) setStatusLocked(id string, state DeliveryState, attempts int, lastErr string) {
	st, ok := r.statuses[id]
	if !ok {
		st = &DeliveryStatus{ID: id}
		r.statuses[id] = st
		r.order = append(r.order, id)
	}
	st.State, st.Attempts, st.LastError, st.UpdatedAt = state, attempts, lastErr, r.now()
	r.evictLocked(id)
}

// evictLocked forgets the oldest finished statuses beyond the limit, never the one just set
// (a message the full queue refused must still read as failed). Pending ones are kept: their
// number is bounded by the queue, and the worker still has to update them.
func (r *Relay) evictLocked(justSet string) {
	for i := 0; len(r.statuses) > r.statusLimit && i < len(r.order); {
		id := r.order[i]
		if st := r.statuses[id]; id == justSet || st != nil && st.State == StatePending {
			i++
			continue
		}
		delete(r.statuses, id)
		r.order = append(r.order[:i], r.order[i+1:]...)
	}
}
