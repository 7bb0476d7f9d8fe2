package webhook

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/oneentry-mock/oneentry-mock/backoff"
	"github.com/stretchr/testify/require"
)

// sleeper records the back-off pauses a dispatcher asks for and returns at once.
type sleeper struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeper) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeper) pauses() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration{}, s.d...)
}

// received is one request as the receiver saw it, with the outcome of verifying it.
type received struct {
	header    http.Header
	body      []byte
	verifyErr error
}

// receiver is a webhook endpoint that verifies every request and answers with respond,
// which gets the 1-based number of the request.
type receiver struct {
	URL string

	respond func(n int, w http.ResponseWriter, r *http.Request)
	mu      sync.Mutex
	reqs    []received
}

func newReceiver(t *testing.T, respond func(n int, w http.ResponseWriter, r *http.Request)) *receiver {
	t.Helper()
	rc := &receiver{respond: respond}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		rc.mu.Lock()
		rc.reqs = append(rc.reqs, received{
			header:    r.Header.Clone(),
			body:      body,
			verifyErr: Verify(testSecret, r.Header.Get(SignatureHeader), body, fixedNow, DefaultTolerance),
		})
		n := len(rc.reqs)
		rc.mu.Unlock()
		if rc.respond != nil {
			rc.respond(n, w, r)
		}
	}))
	t.Cleanup(srv.Close)
	rc.URL = srv.URL + "/hooks/payments"
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received{}, rc.reqs...)
}

// newHangingReceiver returns a receiver that never answers: each request blocks until the
// client gives up or the test ends. Every request that reaches it is reported on started.
func newHangingReceiver(t *testing.T) (rc *receiver, started <-chan int) {
	t.Helper()
	release := make(chan struct{})
	ch := make(chan int, 100)
	rc = newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		ch <- n
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	// Registered after the server's Close, so it runs first: Close waits for handlers.
	t.Cleanup(func() { close(release) })
	return rc, ch
}

func newTestDispatcher(t *testing.T, opts Options) (*Dispatcher, *sleeper) {
	t.Helper()
	s := &sleeper{}
	if opts.Now == nil {
		opts.Now = func() time.Time { return fixedNow }
	}
	if opts.Sleep == nil {
		opts.Sleep = s.sleep
	}
	if opts.Backoff == nil {
		opts.Backoff = backoff.Exponential(time.Second, time.Minute)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	d := New(opts)
	t.Cleanup(func() {
		// Cut short whatever is still running (hanging receivers included) and stop the
		// workers before the receivers shut down.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_ = d.Close(ctx)
	})
	return d, s
}

// deliverOne enqueues one delivery to url on a new dispatcher, waits until it has finished and
// returns its record and the pauses taken between attempts.
func deliverOne(t *testing.T, opts Options, url string) (Record, []time.Duration) {
	t.Helper()
	d, s := newTestDispatcher(t, opts)
	return get(t, d, deliverAndWait(t, d, url)), s.pauses()
}

// deliverAndWait enqueues a delivery to url on d, waits until d is idle and returns its id.
func deliverAndWait(t *testing.T, d *Dispatcher, url string) string {
	t.Helper()
	id := d.Enqueue(delivery(url))
	waitIdle(t, d)
	return id
}

// answer is a receiver response that always has the given status.
func answer(status int) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(status) }
}

func waitIdle(t *testing.T, d *Dispatcher) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	require.NoError(t, d.Wait(ctx))
}

func get(t *testing.T, d *Dispatcher, id string) Record {
	t.Helper()
	rec, ok := d.Get(id)
	require.True(t, ok, "record %s", id)
	return rec
}

// statusOf is safe inside require.Eventually, which polls from another goroutine.
func statusOf(d *Dispatcher, id string) Status {
	rec, _ := d.Get(id)
	return rec.Status
}

func delivery(url string) Delivery {
	return Delivery{URL: url, Secret: testSecret, Event: "payment.session.completed", Body: testBody, RequestID: "req-1"}
}
