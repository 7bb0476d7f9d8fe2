package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/oneentry-mock/oneentry-mock/backoff"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestListFilterAndOrder(t *testing.T) {
	t.Parallel()
	ok := newReceiver(t, nil)
	bad := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	n := 0
	d, _ := newTestDispatcher(t, Options{
		MaxAttempts: 1,
		Workers:     1,
		NewID:       func() string { n++; return fmt.Sprintf("d%d", n) }, // only Enqueue calls it, serially here
	})

	enqueue := func(url, event, reqID string) string {
		del := delivery(url)
		del.Event, del.RequestID = event, reqID
		id := d.Enqueue(del)
		waitIdle(t, d)
		return id
	}
	d1 := enqueue(ok.URL, "payment.session.completed", "r1")
	d2 := enqueue(bad.URL, "payment.session.completed", "r2")
	d3 := enqueue(ok.URL, "payment.session.canceled", "r2")
	d4 := enqueue(ok.URL, "payment.session.completed", "r3")

	idsOf := func(recs []Record) []string {
		out := []string{}
		for _, r := range recs {
			out = append(out, r.ID)
		}
		return out
	}
	tests := map[string]struct {
		f    Filter
		want []string
	}{
		"all, newest first": {Filter{}, []string{d4, d3, d2, d1}},
		"limit":             {Filter{Limit: 2}, []string{d4, d3}},
		"event":             {Filter{Event: "payment.session.completed"}, []string{d4, d2, d1}},
		"status failed":     {Filter{Status: "failed"}, []string{d2}},
		"status delivered":  {Filter{Status: "delivered", Limit: 2}, []string{d4, d3}},
		"request id":        {Filter{RequestID: "r2"}, []string{d3, d2}},
		"combined":          {Filter{Event: "payment.session.completed", Status: "delivered"}, []string{d4, d1}},
		"unknown status":    {Filter{Status: "nope"}, []string{}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, idsOf(d.List(tc.f)))
		})
	}

	// Records are copies: changing one does not change the log.
	recs := d.List(Filter{})
	recs[0].Attempts[0].StatusCode = 0
	recs[0].Body[0] = 'X'
	again := get(t, d, d4)
	assert.Equal(t, http.StatusOK, again.Attempts[0].StatusCode)
	assert.JSONEq(t, string(testBody), string(again.Body))

	_, found := d.Get("missing")
	assert.False(t, found)
}

func TestMaxLogEvictsOldestFinished(t *testing.T) {
	t.Parallel()
	slow, started := newHangingReceiver(t)
	fast := newReceiver(t, nil)
	d, _ := newTestDispatcher(t, Options{MaxLog: 3})

	pending := d.Enqueue(delivery(slow.URL))
	<-started
	var done []string
	for range 4 {
		done = append(done, d.Enqueue(delivery(fast.URL)))
		require.Eventually(t, func() bool { return statusOf(d, done[len(done)-1]) == StatusDelivered },
			5*time.Second, time.Millisecond)
	}
	var ids []string
	for _, r := range d.List(Filter{}) {
		ids = append(ids, r.ID)
	}
	// The oldest record is still pending, so finished ones were dropped instead of it.
	assert.Equal(t, []string{done[3], done[2], pending}, ids)
}

func TestClearKeepsPending(t *testing.T) {
	t.Parallel()
	slow, started := newHangingReceiver(t)
	fast := newReceiver(t, nil)
	d, _ := newTestDispatcher(t, Options{})

	pending := d.Enqueue(delivery(slow.URL))
	<-started
	finished := d.Enqueue(delivery(fast.URL))
	require.Eventually(t, func() bool { return statusOf(d, finished) == StatusDelivered }, 5*time.Second, time.Millisecond)

	d.Clear()
	recs := d.List(Filter{})
	require.Len(t, recs, 1)
	assert.Equal(t, pending, recs[0].ID)
	_, found := d.Get(finished)
	assert.False(t, found)

	// A delivery enqueued after Clear is logged normally.
	again := d.Enqueue(delivery(fast.URL))
	require.Eventually(t, func() bool { return statusOf(d, again) == StatusDelivered }, 5*time.Second, time.Millisecond)
	assert.Len(t, d.List(Filter{}), 2)
}

func TestLongResponseExcerpt(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 3000) // 6000 bytes; 2 KiB falls on a rune boundary, so shift by one
	rc := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "x"+long)
	})
	d, _ := newTestDispatcher(t, Options{})
	id := deliverAndWait(t, d, rc.URL)

	a := get(t, d, id).Attempts[0]
	assert.True(t, a.ResponseTruncated)
	assert.True(t, utf8.ValidString(a.ResponseBody))
	assert.Equal(t, "x"+strings.Repeat("é", (MaxResponseExcerpt-2)/2), a.ResponseBody)
}

func TestReadExcerpt(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in        string
		want      string
		truncated bool
	}{
		"empty":              {"", "", false},
		"short":              {"ok", "ok", false},
		"exactly the limit":  {strings.Repeat("a", MaxResponseExcerpt), strings.Repeat("a", MaxResponseExcerpt), false},
		"one over":           {strings.Repeat("a", MaxResponseExcerpt+1), strings.Repeat("a", MaxResponseExcerpt), true},
		"rune cut by limit":  {"a" + strings.Repeat("€", 1000), "a" + strings.Repeat("€", 682), true},
		"invalid utf-8":      {"a\xffb", "a\uFFFDb", false},
		"invalid grows past": {strings.Repeat("\xff\x00", MaxResponseExcerpt/2), strings.Repeat("\uFFFD\x00", MaxResponseExcerpt/4), true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, truncated := readExcerpt(strings.NewReader(tc.in))
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.truncated, truncated)
			assert.LessOrEqual(t, len(got), MaxResponseExcerpt)
			assert.True(t, utf8.ValidString(got))
		})
	}
}

func TestDefaultBackoff(t *testing.T) {
	t.Parallel()
	for attempt := 1; attempt <= 10; attempt++ {
		base := backoff.Exponential(time.Second, time.Minute)(attempt)
		d := DefaultBackoff(attempt)
		assert.GreaterOrEqual(t, d, base*8/10)
		assert.LessOrEqual(t, d, base*12/10)
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, nil)
	d := New(Options{})
	t.Cleanup(func() { _ = d.Close(context.Background()) })
	assert.Equal(t, DefaultMaxAttempts, d.retry.MaxAttempts)
	assert.Equal(t, DefaultTimeout, d.timeout)
	assert.Equal(t, DefaultMaxLog, d.maxLog)
	assert.Equal(t, DefaultQueueSize, d.queue.Cap())

	// Real clock: the receiver verifies against fixedNow, so check against now instead.
	del := delivery(rc.URL)
	id := d.Enqueue(del)
	waitIdle(t, d)
	assert.Equal(t, StatusDelivered, get(t, d, id).Status)
	assert.Regexp(t, `^whd_[0-9a-f]{24}$`, id)
	r := rc.requests()[0]
	require.NoError(t, Verify(testSecret, r.header.Get(SignatureHeader), r.body, time.Now(), time.Minute))
}

func TestAttemptJSON(t *testing.T) {
	t.Parallel()
	a := Attempt{At: fixedNow, StatusCode: 500, ResponseBody: "boom", Error: "HTTP 500 Internal Server Error", Duration: 1500 * time.Microsecond}
	b, err := json.Marshal(a)
	require.NoError(t, err)
	assert.JSONEq(t, `{"at":"2025-04-26T16:30:00Z","statusCode":500,"responseBody":"boom",
		"error":"HTTP 500 Internal Server Error","durationMs":1.5}`, string(b))
	var back Attempt
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, a, back)

	rec := Record{ID: "d1", Status: StatusPending, Attempts: []Attempt{a}, Body: json.RawMessage(testBody), Created: fixedNow}
	b, err = json.Marshal(rec)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"durationMs":1.5`)
	assert.Contains(t, string(b), `"body":{"id":"ps_1"`)
	assert.NotContains(t, string(b), "nextAttemptAt")
}

func TestStatusValid(t *testing.T) {
	t.Parallel()
	for _, s := range []Status{StatusPending, StatusDelivered, StatusFailed} {
		assert.True(t, s.Valid(), s)
	}
	assert.False(t, Status("done").Valid())
}

func TestMaxLogBytesEvictsOldestFinished(t *testing.T) {
	t.Parallel()
	fast := newReceiver(t, nil)
	d, _ := newTestDispatcher(t, Options{MaxLogBytes: 4 << 10})
	big := delivery(fast.URL)
	big.Body = []byte(`{"pad":"` + strings.Repeat("x", 1500) + `"}`)
	var done []string
	for range 5 {
		done = append(done, d.Enqueue(big))
		require.Eventually(t, func() bool { return statusOf(d, done[len(done)-1]) == StatusDelivered },
			5*time.Second, time.Millisecond)
	}
	var ids []string
	for _, r := range d.List(Filter{}) {
		ids = append(ids, r.ID)
	}
	// Two 1.5 KB payloads fit in 4 KB, three do not.
	assert.Equal(t, []string{done[4], done[3]}, ids)

	huge := delivery(fast.URL)
	huge.Body = []byte(`{"pad":"` + strings.Repeat("x", 8<<10) + `"}`)
	id := d.Enqueue(huge)
	list := d.List(Filter{})
	require.Len(t, list, 1, "the newest record stays even alone over the cap")
	assert.Equal(t, id, list[0].ID)
}

// A delivery's attempts add to the log's bytes as they come, not only when it is enqueued.
func TestAttemptsCountTowardsMaxLogBytes(t *testing.T) {
	t.Parallel()
	fast := newReceiver(t, nil)
	failing := newReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, strings.Repeat("e", 1500))
	})
	d, _ := newTestDispatcher(t, Options{MaxLogBytes: 4 << 10, MaxAttempts: 3})
	first := deliverAndWait(t, d, fast.URL)
	second := deliverAndWait(t, d, failing.URL)
	_, kept := d.Get(first)
	assert.False(t, kept, "the attempts of the later delivery took the log's room")
	assert.Len(t, get(t, d, second).Attempts, 3)
}
