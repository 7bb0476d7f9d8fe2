package webhook

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/internal/testkit"
)

func TestDeliverySignedAndRecorded(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, answer(http.StatusNoContent))
	rec, pauses := deliverOne(t, Options{}, rc.URL)

	reqs := rc.requests()
	require.Len(t, reqs, 1)
	got := reqs[0]
	require.NoError(t, got.verifyErr)
	assert.Equal(t, testBody, got.body)
	assert.Equal(t, "application/json", got.header.Get("Content-Type"))
	assert.Equal(t, "payment.session.completed", got.header.Get(EventHeader))
	assert.Equal(t, rec.ID, got.header.Get(DeliveryHeader))
	assert.Equal(t, Sign(testSecret, fixedNow, testBody), got.header.Get(SignatureHeader))

	assert.Equal(t, StatusDelivered, rec.Status)
	assert.Equal(t, "payment.session.completed", rec.Event)
	assert.Equal(t, rc.URL, rec.URL)
	assert.Equal(t, "req-1", rec.RequestID)
	assert.Equal(t, fixedNow, rec.Created)
	assert.JSONEq(t, string(testBody), string(rec.Body))
	assert.Empty(t, rec.Error)
	require.Len(t, rec.Attempts, 1)
	assert.Equal(t, http.StatusNoContent, rec.Attempts[0].StatusCode)
	assert.Equal(t, fixedNow, rec.Attempts[0].At)
	assert.Empty(t, rec.Attempts[0].Error)
	assert.Empty(t, pauses)
}

// Any 2xx answer counts as delivered (docs/checkout.md), not only 200 and 204.
func TestAny2xxIsDelivered(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusCreated, http.StatusAccepted, 299} {
		rc := newReceiver(t, answer(status))
		rec, pauses := deliverOne(t, Options{}, rc.URL)
		assert.Equal(t, StatusDelivered, rec.Status, "HTTP %d", status)
		assert.Len(t, rec.Attempts, 1, "HTTP %d", status)
		assert.Empty(t, pauses, "HTTP %d", status)
	}
}

func TestHeaderNamesOnTheWire(t *testing.T) {
	t.Parallel()
	// A bare TCP server, since Go's HTTP server canonicalizes header names when it parses.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	rawc := make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		br := bufio.NewReader(conn)
		var head strings.Builder
		for {
			line, err := br.ReadString('\n')
			head.WriteString(line)
			if err != nil || line == "\r\n" {
				break
			}
		}
		rawc <- head.String()
		_, _ = io.WriteString(conn, "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
	}()
	d, _ := newTestDispatcher(t, Options{MaxAttempts: 1})

	id := d.Enqueue(delivery("http://" + ln.Addr().String() + "/hooks"))
	raw := <-rawc
	assert.True(t, strings.HasPrefix(raw, "POST /hooks HTTP/1.1\r\n"), raw)
	assert.Contains(t, raw, "\r\nOneEntry-Mock-Signature: t=1745685000,v1=")
	assert.Contains(t, raw, "\r\nOneEntry-Mock-Event: payment.session.completed\r\n")
	assert.Contains(t, raw, "\r\nOneEntry-Mock-Delivery: "+id+"\r\n")
	assert.Contains(t, raw, "\r\nContent-Type: application/json\r\n")
}

func TestNoSecretSendsUnsigned(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, nil)
	d, _ := newTestDispatcher(t, Options{})
	del := delivery(rc.URL)
	del.Secret = nil
	id := d.Enqueue(del)
	waitIdle(t, d)

	reqs := rc.requests()
	require.Len(t, reqs, 1)
	assert.Empty(t, reqs[0].header.Values(SignatureHeader))
	require.ErrorIs(t, reqs[0].verifyErr, ErrNotSigned)
	assert.Equal(t, StatusDelivered, get(t, d, id).Status)
}

func TestRetryThenSuccess(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n <= 2 {
			http.Error(w, fmt.Sprintf("boom %d", n), http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, `{"received":true}`)
	})
	clock := fixedNow
	var clockMu sync.Mutex
	now := func() time.Time {
		clockMu.Lock()
		defer clockMu.Unlock()
		clock = clock.Add(time.Second)
		return clock
	}
	d, s := newTestDispatcher(t, Options{Now: now})

	id := deliverAndWait(t, d, rc.URL)

	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second}, s.pauses())
	rec := get(t, d, id)
	assert.Equal(t, StatusDelivered, rec.Status)
	assert.Empty(t, rec.Error)
	assert.True(t, rec.NextAttempt.IsZero())
	require.Len(t, rec.Attempts, 3)
	for i, want := range []int{500, 500, 200} {
		assert.Equal(t, want, rec.Attempts[i].StatusCode, "attempt %d", i+1)
	}
	assert.Equal(t, "boom 1\n", rec.Attempts[0].ResponseBody)
	assert.Equal(t, "HTTP 500 Internal Server Error", rec.Attempts[0].Error)
	assert.Equal(t, `{"received":true}`, rec.Attempts[2].ResponseBody)
	assert.Empty(t, rec.Attempts[2].Error)
	assert.True(t, rec.Attempts[0].At.Before(rec.Attempts[1].At))

	reqs := rc.requests()
	require.Len(t, reqs, 3)
	sigs := map[string]bool{}
	for _, r := range reqs {
		assert.Equal(t, id, r.header.Get(DeliveryHeader), "same delivery id on every attempt")
		sig := r.header.Get(SignatureHeader)
		sigs[sig] = true
		// Each attempt is signed at its own time; the receiver's clock here is fixedNow.
		assert.NoError(t, Verify(testSecret, sig, r.body, fixedNow, time.Minute))
	}
	assert.Len(t, sigs, 3, "timestamp taken afresh per attempt")
}

func TestGivesUp(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		status     int
		opts       Options
		wantError  string
		wantPauses []time.Duration
	}{
		"after MaxAttempts": {http.StatusServiceUnavailable, Options{MaxAttempts: 4}, "gave up after 4 attempts: HTTP 503 Service Unavailable",
			[]time.Duration{time.Second, 2 * time.Second, 4 * time.Second}},
		"after DefaultMaxAttempts": {http.StatusBadRequest, Options{}, fmt.Sprintf("gave up after %d attempts: HTTP 400 Bad Request", DefaultMaxAttempts),
			[]time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rc := newReceiver(t, answer(tc.status))
			rec, pauses := deliverOne(t, tc.opts, rc.URL)
			attempts := len(tc.wantPauses) + 1
			assert.Len(t, rc.requests(), attempts)
			assert.Equal(t, tc.wantPauses, pauses, "no pause after the last attempt")
			assert.Equal(t, StatusFailed, rec.Status)
			assert.Equal(t, tc.wantError, rec.Error)
			assert.Len(t, rec.Attempts, attempts)
			assert.True(t, rec.NextAttempt.IsZero())
		})
	}
}

func TestRedirectIsFailure(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	})
	rec, _ := deliverOne(t, Options{MaxAttempts: 1, Client: nil}, rc.URL)
	assert.Len(t, rc.requests(), 1, "redirect not followed")
	assert.Equal(t, StatusFailed, rec.Status)
	assert.Equal(t, http.StatusFound, rec.Attempts[0].StatusCode)
}

func TestAttemptTimeout(t *testing.T) {
	t.Parallel()
	rc, _ := newHangingReceiver(t)
	rec, pauses := deliverOne(t, Options{Timeout: 20 * time.Millisecond, MaxAttempts: 2}, rc.URL)
	assert.Equal(t, StatusFailed, rec.Status)
	require.Len(t, rec.Attempts, 2)
	for _, a := range rec.Attempts {
		assert.Zero(t, a.StatusCode)
		assert.Equal(t, "timeout after 20ms", a.Error)
		// The deadline starts a moment before the clock for Duration does.
		assert.Greater(t, a.Duration, 10*time.Millisecond)
	}
	assert.Equal(t, "gave up after 2 attempts: timeout after 20ms", rec.Error)
	assert.Equal(t, []time.Duration{time.Second}, pauses)
}

func TestNetworkError(t *testing.T) {
	t.Parallel()
	url := testkit.UnreachableURL + "/hooks"
	rec, _ := deliverOne(t, Options{MaxAttempts: 2}, url)
	assert.Equal(t, StatusFailed, rec.Status)
	require.Len(t, rec.Attempts, 2)
	assert.Zero(t, rec.Attempts[0].StatusCode)
	assert.Contains(t, rec.Attempts[0].Error, "connect")
	assert.NotContains(t, rec.Attempts[0].Error, url, "the record holds the URL once")
}

func TestInvalidDelivery(t *testing.T) {
	t.Parallel()
	tests := map[string]Delivery{
		"relative url":  {URL: "/hooks", Body: testBody},
		"ftp url":       {URL: "ftp://example.test/hooks", Body: testBody},
		"unparsable":    {URL: "http://[::1", Body: testBody},
		"body not json": {URL: testkit.UnreachableURL + "/hooks", Body: []byte("status=completed")},
		"empty body":    {URL: testkit.UnreachableURL + "/hooks"},
	}
	for name, del := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d, _ := newTestDispatcher(t, Options{})
			id := d.Enqueue(del)
			// Failed synchronously: nothing was queued.
			rec := get(t, d, id)
			assert.Equal(t, StatusFailed, rec.Status)
			assert.True(t, strings.HasPrefix(rec.Error, ErrInvalidDelivery.Error()), rec.Error)
			assert.Empty(t, rec.Attempts)
			waitIdle(t, d)
		})
	}
}

func TestQueueFull(t *testing.T) {
	t.Parallel()
	rc, started := newHangingReceiver(t)
	d, _ := newTestDispatcher(t, Options{Workers: 1, QueueSize: 1})

	busy := d.Enqueue(delivery(rc.URL))
	<-started // the only worker is now stuck in busy's first attempt
	queued := d.Enqueue(delivery(rc.URL))

	done := make(chan string)
	go func() { done <- d.Enqueue(delivery(rc.URL)) }()
	var dropped string
	select {
	case dropped = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Enqueue blocked on a full queue")
	}

	rec := get(t, d, dropped)
	assert.Equal(t, StatusFailed, rec.Status)
	assert.Equal(t, ErrQueueFull.Error(), rec.Error)
	assert.Empty(t, rec.Attempts)
	assert.Equal(t, StatusPending, get(t, d, busy).Status)
	assert.Equal(t, StatusPending, get(t, d, queued).Status)
}

// The bound docs/checkout.md names: with its eight senders busy, a sandbox's dispatcher keeps
// 256 more deliveries waiting, and fails the next with ErrQueueFull, never sent.
func TestTwoHundredFiftySixDeliveriesWaitTheirTurn(t *testing.T) {
	t.Parallel()
	rc, started := newHangingReceiver(t)
	d, _ := newTestDispatcher(t, Options{Workers: 8})
	for range 8 {
		d.Enqueue(delivery(rc.URL))
	}
	for range 8 {
		<-started
	}
	for i := range 256 {
		id := d.Enqueue(delivery(rc.URL))
		require.Equal(t, StatusPending, get(t, d, id).Status, "waiting delivery %d", i+1)
	}
	rec := get(t, d, d.Enqueue(delivery(rc.URL)))
	assert.Equal(t, StatusFailed, rec.Status)
	assert.Equal(t, ErrQueueFull.Error(), rec.Error)
	assert.Empty(t, rec.Attempts)
}

func TestCloseCutShort(t *testing.T) {
	t.Parallel()
	rc, started := newHangingReceiver(t)
	d, _ := newTestDispatcher(t, Options{Workers: 1})

	running := d.Enqueue(delivery(rc.URL))
	<-started
	queued := d.Enqueue(delivery(rc.URL))

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, d.Close(ctx), context.Canceled)

	rec := get(t, d, running)
	assert.Equal(t, StatusFailed, rec.Status)
	assert.Equal(t, ErrClosed.Error(), rec.Error)
	require.Len(t, rec.Attempts, 1)
	assert.Equal(t, ErrClosed.Error(), rec.Attempts[0].Error)

	rec = get(t, d, queued)
	assert.Equal(t, StatusFailed, rec.Status)
	assert.Equal(t, ErrClosed.Error(), rec.Error)
	assert.Empty(t, rec.Attempts)

	late := d.Enqueue(delivery(rc.URL))
	assert.Equal(t, ErrClosed.Error(), get(t, d, late).Error)
	assert.Len(t, rc.requests(), 1)
	require.NoError(t, d.Close(t.Context()), "second Close finds the workers stopped")
}

func TestCloseDuringBackoff(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, answer(http.StatusBadGateway))
	pausing := make(chan struct{}, 1)
	d, _ := newTestDispatcher(t, Options{Sleep: func(ctx context.Context, _ time.Duration) error {
		pausing <- struct{}{}
		<-ctx.Done()
		return ctx.Err()
	}})

	id := d.Enqueue(delivery(rc.URL))
	<-pausing
	rec := get(t, d, id)
	assert.Equal(t, StatusPending, rec.Status)
	assert.Equal(t, fixedNow.Add(time.Second), rec.NextAttempt)
	assert.Len(t, rec.Attempts, 1)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, d.Close(ctx), context.Canceled)
	rec = get(t, d, id)
	assert.Equal(t, StatusFailed, rec.Status)
	assert.Equal(t, ErrClosed.Error(), rec.Error)
	assert.True(t, rec.NextAttempt.IsZero())
	assert.Len(t, rec.Attempts, 1)
}

func TestCloseLetsPendingFinish(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	started := make(chan struct{}, 10)
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	d, _ := newTestDispatcher(t, Options{Workers: 1})

	first := d.Enqueue(delivery(rc.URL))
	second := d.Enqueue(delivery(rc.URL))
	<-started

	closed := make(chan error, 1)
	go func() { closed <- d.Close(t.Context()) }()
	require.Eventually(t, d.queue.Closed, 5*time.Second, time.Millisecond)
	late := d.Enqueue(delivery(rc.URL))
	assert.Equal(t, ErrClosed.Error(), get(t, d, late).Error)

	close(release)
	select {
	case err := <-closed:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	assert.Equal(t, StatusDelivered, get(t, d, first).Status)
	assert.Equal(t, StatusDelivered, get(t, d, second).Status)
	assert.Len(t, rc.requests(), 2)
}

func TestWaitHonoursContext(t *testing.T) {
	t.Parallel()
	rc, started := newHangingReceiver(t)
	d, _ := newTestDispatcher(t, Options{})
	require.NoError(t, d.Wait(t.Context()), "nothing queued yet")

	d.Enqueue(delivery(rc.URL))
	<-started
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, d.Wait(ctx), context.Canceled)
}

func TestConcurrentEnqueue(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, nil)
	const goroutines, each = 20, 25
	d, _ := newTestDispatcher(t, Options{QueueSize: goroutines * each})

	ids := make(chan string, goroutines*each)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				del := delivery(rc.URL)
				del.RequestID = fmt.Sprintf("req-%d-%d", g, i)
				ids <- d.Enqueue(del)
				d.List(Filter{Limit: 5}) // readers race with writers
			}
		})
	}
	wg.Wait()
	close(ids)
	waitIdle(t, d)

	seen := map[string]bool{}
	for id := range ids {
		assert.False(t, seen[id], "duplicate id %s", id)
		seen[id] = true
		assert.Equal(t, StatusDelivered, get(t, d, id).Status)
	}
	assert.Len(t, seen, goroutines*each)
	// Delivery is at least once: on a loaded machine an attempt can time out after the
	// receiver got it, and the retry arrives under the same delivery id.
	arrived := map[string]bool{}
	for _, r := range rc.requests() {
		assert.NoError(t, r.verifyErr)
		arrived[r.header.Get(DeliveryHeader)] = true
	}
	assert.Equal(t, seen, arrived, "every delivery arrived, and no other")
	assert.Len(t, d.List(Filter{Status: string(StatusDelivered)}), goroutines*each)
}

// A redelivery is a new delivery of the same event and body, signed with the same secret.
func TestRedeliver(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, answer(http.StatusNoContent))
	d, _ := newTestDispatcher(t, Options{})
	first := deliverAndWait(t, d, rc.URL)
	before := d.Changes()

	again, err := d.Redeliver(first)
	require.NoError(t, err)
	waitIdle(t, d)
	assert.NotEqual(t, first, again)
	assert.Greater(t, d.Changes(), before, "watchers see the new record")

	reqs := rc.requests()
	require.Len(t, reqs, 2)
	require.NoError(t, reqs[1].verifyErr, "signed with the original secret")
	assert.Equal(t, reqs[0].body, reqs[1].body)
	assert.Equal(t, again, reqs[1].header.Get(DeliveryHeader))
	rec := get(t, d, again)
	assert.Equal(t, StatusDelivered, rec.Status)
	assert.Equal(t, get(t, d, first).RequestID, rec.RequestID)

	_, err = d.Redeliver("whd_none")
	assert.ErrorIs(t, err, ErrUnknownDelivery)
}

// A receiver that keeps failing holds no sender while its delivery waits to be retried: with
// one sender, a delivery to another receiver goes out during the pause.
func TestRetryPauseHoldsNoSender(t *testing.T) {
	t.Parallel()
	failing, healthy := newReceiver(t, answer(http.StatusBadGateway)), newReceiver(t, answer(http.StatusOK))
	pausing, resume := make(chan struct{}, 1), make(chan struct{})
	d, _ := newTestDispatcher(t, Options{Workers: 1, Sleep: func(ctx context.Context, _ time.Duration) error {
		select {
		case pausing <- struct{}{}:
		default:
		}
		select {
		case <-resume:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}})

	retried := d.Enqueue(delivery(failing.URL))
	<-pausing
	other := d.Enqueue(delivery(healthy.URL))
	require.Eventually(t, func() bool { return get(t, d, other).Status == StatusDelivered }, 5*time.Second, time.Millisecond)
	rec := get(t, d, retried)
	assert.Equal(t, StatusPending, rec.Status)
	assert.Len(t, rec.Attempts, 1)

	close(resume)
	waitIdle(t, d)
	rec = get(t, d, retried)
	assert.Equal(t, StatusFailed, rec.Status)
	assert.Len(t, rec.Attempts, DefaultMaxAttempts)
}

func TestTruncateTextCutsAtARune(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "short", truncateText("short", 10))
	got := truncateText(strings.Repeat("é", 10), 9)
	assert.LessOrEqual(t, len(got), 9)
	assert.True(t, utf8.ValidString(got), got)
	assert.True(t, strings.HasSuffix(got, "…"), got)
}
