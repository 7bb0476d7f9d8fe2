package webhook

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/oneentry-mock/oneentry-mock/backoff"
)

// Defaults for Options fields left zero.
const (
	DefaultMaxAttempts = 6
	DefaultWorkers     = 4
	DefaultQueueSize   = 256
	DefaultTimeout     = 10 * time.Second
	DefaultMaxLog      = 1000
	// DefaultMaxLogBytes bounds the log by size too: payloads carry order form data, up to
	// the request body limit each.
	DefaultMaxLogBytes = 32 << 20
)

// drainLimit bounds how much of a long response is read and discarded after the excerpt so
// the connection can be reused; a receiver streaming more than this just loses keep-alive.
const drainLimit = 64 << 10

// Reasons a delivery fails without (or before using up) its attempts; Record.Error holds
// their text.
var (
	ErrQueueFull       = errors.New("webhook: queue full")
	ErrClosed          = errors.New("webhook: dispatcher closed")
	ErrInvalidDelivery = errors.New("webhook: invalid delivery")
)

// Delivery is one callback to send.
type Delivery struct {
	// URL is the receiver; only http and https are accepted.
	URL string
	// Secret signs every attempt. When empty the signature header is omitted: the account
	// has no signing secret, and a signature anyone can compute would only mislead.
	Secret []byte
	// Event names what happened (for example "payment.session.completed"); it is sent in
	// OneEntry-Mock-Event and kept in the log.
	Event string
	// Body is the JSON payload, sent byte for byte as given. Invalid JSON fails the
	// delivery at once, since it is announced as application/json.
	Body []byte
	// RequestID is the id of the API request that caused the callback, kept in the log so a
	// delivery can be traced to it.
	RequestID string
}

// Options configures New. Zero fields take the defaults named on each.
type Options struct {
	// Client sends the attempts. Nil means a client that does not follow redirects: Go's
	// client would replay a POST redirected with 301/302/303 as a GET without the body, so
	// a 3xx counts as a failed attempt (as it does for Stripe webhooks) and the log shows
	// the misconfigured URL.
	Client *http.Client
	// Now stamps records, attempts and signatures. Nil means time.Now. Receivers compare
	// the signature timestamp with their own wall clock, so this should not be a clock that
	// has been frozen or moved away from real time.
	Now func() time.Time
	// Sleep waits d before a retry, or until ctx ends (returning ctx.Err()). Nil means a
	// timer; tests inject one that returns at once.
	Sleep func(ctx context.Context, d time.Duration) error
	// MaxAttempts is the number of tries per delivery (DefaultMaxAttempts if zero).
	MaxAttempts int
	// Backoff returns the pause after the given failed attempt (1-based). Nil means
	// DefaultBackoff: 1s, 2s, 4s, ... capped at a minute, each varied by up to 20% so
	// retries of many deliveries do not arrive in lockstep.
	Backoff func(attempt int) time.Duration
	// Logger receives a record per failed attempt and per outcome. Nil discards.
	Logger *slog.Logger
	// MaxLog is how many deliveries the log keeps; the oldest finished ones go first
	// (DefaultMaxLog if zero).
	MaxLog int
	// MaxLogBytes bounds the payloads, excerpts and errors the log keeps; the oldest
	// finished records go first, the newest always stays (DefaultMaxLogBytes if zero).
	MaxLogBytes int
	// Workers is the number of concurrent senders (DefaultWorkers if zero). A delivery
	// waiting for its next attempt holds none.
	Workers int
	// QueueSize bounds deliveries waiting for a worker or for their next attempt; beyond it
	// Enqueue fails them with ErrQueueFull (DefaultQueueSize if zero).
	QueueSize int
	// Timeout bounds one attempt, connect to the end of the response excerpt
	// (DefaultTimeout if zero).
	Timeout time.Duration
	// NewID returns delivery ids. They must be unique; it is called by Enqueue, so
	// concurrently when Enqueue is. Nil means "whd_" plus 24 random hex digits, unique
	// across restarts so receivers can deduplicate on them.
	NewID func() string
}

// Dispatcher sends deliveries in the background and keeps their log. All methods are safe
// for concurrent use.
type Dispatcher struct {
	client      *http.Client
	now         func() time.Time
	retry       backoff.Policy
	log         *slog.Logger
	maxLog      int
	maxLogBytes int
	timeout     time.Duration
	newID       func() string
	queue       *backoff.Queue[job]

	mu       sync.Mutex
	records  map[string]*Record
	order    []string // record ids, oldest first
	changes  uint64   // records added or updated, ever
	inflight int
	idle     chan struct{} // closed while inflight == 0
}

type job struct {
	id       string
	url      string
	secret   []byte
	event    string
	body     []byte
	attempts int // made so far
}

// defaultRetry fills in what Options leave zero.
var defaultRetry = backoff.Policy{MaxAttempts: DefaultMaxAttempts, Backoff: DefaultBackoff}

// New starts a dispatcher's workers. Stop them with Close.
func New(opts Options) *Dispatcher {
	d := &Dispatcher{
		client:      opts.Client,
		now:         opts.Now,
		retry:       backoff.Policy{MaxAttempts: opts.MaxAttempts, Backoff: opts.Backoff, Sleep: opts.Sleep}.Or(defaultRetry),
		log:         opts.Logger,
		maxLog:      opts.MaxLog,
		maxLogBytes: opts.MaxLogBytes,
		timeout:     opts.Timeout,
		newID:       opts.NewID,
		records:     map[string]*Record{},
		idle:        make(chan struct{}),
	}
	close(d.idle)
	if d.client == nil {
		d.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if d.now == nil {
		d.now = time.Now
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.maxLog <= 0 {
		d.maxLog = DefaultMaxLog
	}
	if d.maxLogBytes <= 0 {
		d.maxLogBytes = DefaultMaxLogBytes
	}
	if d.timeout <= 0 {
		d.timeout = DefaultTimeout
	}
	if d.newID == nil {
		d.newID = randomID
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = DefaultWorkers
	}
	queueSize := opts.QueueSize
	if queueSize <= 0 {
		queueSize = DefaultQueueSize
	}
	d.queue = backoff.NewQueue(queueSize, workers, d.deliver)
	return d
}

func randomID() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand documents it)
	return "whd_" + hex.EncodeToString(b[:])
}

// Enqueue records the delivery as pending and hands it to the workers, returning its id at
// once. It never blocks: a full queue, a closed dispatcher or an invalid delivery (bad URL,
// body that is not JSON) is recorded as failed straight away, with the reason in
// Record.Error.
func (d *Dispatcher) Enqueue(del Delivery) string {
	body := bytes.Clone(del.Body)
	rec := &Record{
		ID:        d.newID(),
		Event:     del.Event,
		URL:       del.URL,
		RequestID: del.RequestID,
		Status:    StatusPending,
		Attempts:  []Attempt{},
		Created:   d.now(),
		secret:    bytes.Clone(del.Secret),
	}
	invalid := validate(del.URL, body)
	if invalid == nil {
		rec.Body = body
	}

	d.mu.Lock()
	d.addLocked(rec)
	reason := invalid
	if reason == nil {
		j := job{id: rec.ID, url: del.URL, secret: bytes.Clone(del.Secret), event: del.Event, body: body}
		// Offered under d.mu, so a worker cannot finish the job before it is counted in flight.
		switch err := d.queue.Offer(j); {
		case errors.Is(err, backoff.ErrQueueClosed):
			reason = ErrClosed
		case err != nil:
			reason = ErrQueueFull
		default:
			if d.inflight == 0 {
				d.idle = make(chan struct{})
			}
			d.inflight++
		}
	}
	if reason != nil {
		rec.Status, rec.Error = StatusFailed, reason.Error()
	}
	d.mu.Unlock()

	if reason != nil {
		d.log.Warn("webhook: delivery dropped", "id", rec.ID, "event", del.Event, "url", del.URL,
			"request_id", del.RequestID, "err", reason)
	}
	return rec.ID
}

func validate(rawURL string, body []byte) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("%w: url: %v", ErrInvalidDelivery, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: url %q is not an absolute http(s) URL", ErrInvalidDelivery, rawURL)
	}
	if !json.Valid(body) {
		return fmt.Errorf("%w: body is not valid JSON", ErrInvalidDelivery)
	}
	return nil
}

// addLocked appends rec and forgets the oldest finished records beyond the cap. Pending ones
// are passed over while a finished one remains, since a worker will still update them.
// The log is also kept under maxLogBytes, the newest record excepted.
func (d *Dispatcher) addLocked(rec *Record) {
	d.changes++
	d.records[rec.ID] = rec
	d.order = append(d.order, rec.ID)
	d.trimLocked()
}

// trimLocked forgets the oldest records while the log holds more than its cap or its bytes,
// finished ones first and the newest never.
func (d *Dispatcher) trimLocked() {
	total := 0
	for _, id := range d.order {
		total += d.records[id].size()
	}
	for len(d.order) > d.maxLog || (total > d.maxLogBytes && len(d.order) > 1) {
		victim := 0
		for i, id := range d.order[:len(d.order)-1] {
			if d.records[id].Status != StatusPending {
				victim = i
				break
			}
		}
		total -= d.records[d.order[victim]].size()
		delete(d.records, d.order[victim])
		d.order = append(d.order[:victim], d.order[victim+1:]...)
	}
}

// deliver makes the job's next attempt; ctx ends when Close gives up waiting. A failed
// attempt with attempts left is put back on the queue for after its pause, so a receiver
// that keeps failing holds no sender while it waits.
func (d *Dispatcher) deliver(ctx context.Context, j job) {
	if ctx.Err() != nil {
		d.fail(j, ErrClosed.Error())
		return
	}
	j.attempts++
	a, ok := d.attempt(ctx, j)
	d.update(j.id, func(r *Record) {
		r.Attempts = append(r.Attempts, a)
		r.NextAttempt = time.Time{}
		if ok {
			r.Status = StatusDelivered
		}
	})
	switch {
	case ok:
		d.log.Info("webhook: delivered", "id", j.id, "event", j.event, "url", j.url,
			"attempts", j.attempts, "status", a.StatusCode)
		d.finished()
	case ctx.Err() != nil:
		d.fail(j, ErrClosed.Error())
	case j.attempts >= d.retry.MaxAttempts:
		d.fail(j, fmt.Sprintf("gave up after %d attempts: %s", j.attempts, a.Error))
	default:
		wait := d.retry.Backoff(j.attempts)
		next := d.now().Add(wait)
		d.update(j.id, func(r *Record) { r.NextAttempt = next })
		d.log.Warn("webhook: attempt failed", "id", j.id, "event", j.event, "url", j.url,
			"attempt", j.attempts, "status", a.StatusCode, "err", a.Error, "retry_in", wait)
		d.queue.Later(j, wait, d.retry.Sleep)
	}
}

func (d *Dispatcher) fail(j job, reason string) {
	d.update(j.id, func(r *Record) {
		r.Status, r.Error, r.NextAttempt = StatusFailed, reason, time.Time{}
	})
	d.log.Warn("webhook: delivery failed", "id", j.id, "event", j.event, "url", j.url,
		"attempts", j.attempts, "err", reason)
	d.finished()
}

// update applies f to the record if the log still holds it (Clear or the cap may have
// dropped it; the delivery itself carries on regardless).
func (d *Dispatcher) update(id string, f func(*Record)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if r, ok := d.records[id]; ok {
		f(r)
		d.changes++
		d.trimLocked() // attempts add to the record's bytes
	}
}

func (d *Dispatcher) finished() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.inflight--
	if d.inflight == 0 {
		close(d.idle)
	}
}

// attempt POSTs the delivery once and reports whether the receiver accepted it.
func (d *Dispatcher) attempt(base context.Context, j job) (Attempt, bool) {
	ctx, cancel := context.WithTimeout(base, d.timeout)
	defer cancel()
	a := Attempt{At: d.now()}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.url, bytes.NewReader(j.body))
	if err != nil {
		a.Error = truncateText(err.Error(), maxErrorText)
		return a, false
	}
	// Assigned directly rather than with Set, which would canonicalize the names to
	// "Oneentry-Mock-..."; the documented spelling is what appears on the wire.
	req.Header["Content-Type"] = []string{"application/json"}
	req.Header["User-Agent"] = []string{"OneEntry-Mock-Webhooks/1.0"}
	req.Header[EventHeader] = []string{j.event}
	req.Header[DeliveryHeader] = []string{j.id}
	if len(j.secret) > 0 {
		req.Header[SignatureHeader] = []string{Sign(j.secret, a.At, j.body)}
	}

	start := time.Now()
	resp, err := d.client.Do(req)
	if err != nil {
		a.Duration = time.Since(start)
		a.Error = d.describe(base, ctx, err)
		return a, false
	}
	defer resp.Body.Close()
	a.StatusCode = resp.StatusCode
	a.ResponseBody, a.ResponseTruncated = readExcerpt(resp.Body)
	a.Duration = time.Since(start)
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, drainLimit))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		a.Error = "HTTP " + resp.Status
		return a, false
	}
	return a, true
}

// describe words a failed request; base is the worker's context, ctx the attempt's.
func (d *Dispatcher) describe(base, ctx context.Context, err error) string {
	switch {
	case base.Err() != nil:
		return ErrClosed.Error()
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Sprintf("timeout after %s", d.timeout)
	}
	// The record has the URL already: *url.Error would repeat it in every attempt.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return truncateText(err.Error(), maxErrorText)
}

// maxErrorText bounds the error text an attempt keeps.
const maxErrorText = 512

// truncateText cuts s to at most n bytes, at a rune boundary, marking the cut.
func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// ErrUnknownDelivery is returned by Redeliver for an id the log does not hold.
var ErrUnknownDelivery = errors.New("webhook: no such delivery")

// Redeliver sends a logged delivery again, as a new delivery with its own id, record and
// retries, and returns that id. Receivers see the same event, body and request id, signed
// afresh, as they would when a provider resends an event by hand.
func (d *Dispatcher) Redeliver(id string) (string, error) {
	d.mu.Lock()
	r, ok := d.records[id]
	var del Delivery
	if ok {
		del = Delivery{URL: r.URL, Secret: r.secret, Event: r.Event, Body: r.Body, RequestID: r.RequestID}
	}
	d.mu.Unlock()
	if !ok {
		return "", fmt.Errorf("%w: %q", ErrUnknownDelivery, id)
	}
	return d.Enqueue(del), nil
}

// Changes counts the records ever added or updated: a watcher that saw the same count before
// has missed nothing.
func (d *Dispatcher) Changes() uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.changes
}

// Get returns the record with the given id.
func (d *Dispatcher) Get(id string) (Record, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	r, ok := d.records[id]
	if !ok {
		return Record{}, false
	}
	return r.clone(), true
}

// List returns the records matching f, newest first.
func (d *Dispatcher) List(f Filter) []Record {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := []Record{}
	for i := len(d.order) - 1; i >= 0; i-- {
		if f.Limit > 0 && len(out) >= f.Limit {
			break
		}
		r := d.records[d.order[i]]
		if (f.Event != "" && r.Event != f.Event) ||
			(f.Status != "" && string(r.Status) != f.Status) ||
			(f.RequestID != "" && r.RequestID != f.RequestID) {
			continue
		}
		out = append(out, r.clone())
	}
	return out
}

// Clear forgets every finished delivery. Pending ones stay in the log until they finish, so
// a delivery still being retried does not vanish from view.
func (d *Dispatcher) Clear() {
	d.mu.Lock()
	defer d.mu.Unlock()
	kept := d.order[:0]
	for _, id := range d.order {
		if d.records[id].Status == StatusPending {
			kept = append(kept, id)
		} else {
			delete(d.records, id)
		}
	}
	clear(d.order[len(kept):])
	d.order = kept
}

// Wait returns the first time no delivery is queued or in progress (at once if none is), or
// ctx.Err() when ctx ends first. Deliveries enqueued while others are still running are
// waited for too.
func (d *Dispatcher) Wait(ctx context.Context) error {
	d.mu.Lock()
	idle := d.idle
	d.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops accepting deliveries (later ones are recorded as failed with ErrClosed) and
// waits until the queued and in-progress ones are delivered or failed, retries included. If
// ctx ends first, running attempts and back-off pauses are cut short, everything unfinished
// is marked failed, and ctx.Err() is returned once the workers have stopped. Close may be
// called more than once.
func (d *Dispatcher) Close(ctx context.Context) error { return d.queue.Close(ctx) }
