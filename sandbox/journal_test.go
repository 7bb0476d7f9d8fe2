package sandbox

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkJournalAppend is what every API request pays to be journaled.
func BenchmarkJournalAppend(b *testing.B) {
	j := NewJournal(DefaultJournalSize, nil)
	req := []byte(`{"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[{"type":"entity","marker":"tickets","value":["p-8-10"]}]},"products":[{"productId":10,"quantity":1}]}`)
	resp := []byte(`{"id":92,"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[{"type":"entity","marker":"tickets","value":["p-8-10"]}]},"products":[{"productId":10,"quantity":1}],"currency":"USD","totalSum":100,"createdDate":"2025-04-30T21:54:48.918Z"}`)
	h := http.Header{"Content-Type": {"application/json"}, "X-App-Token": {"your-app-token"}, "Authorization": {"Bearer x.y.z"}}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			j.Add(Entry{ID: "req", Time: time.Now(), Method: http.MethodPost, Path: "/api/content/orders-storage/marker/tickets/orders",
				Status: 201, RawHeaders: h, RawRequest: req, RawResponse: resp})
		}
	})
}

func TestJournalKeepsTheNewestEntries(t *testing.T) {
	t.Parallel()
	j := NewJournal(3, nil)
	for i := range 5 {
		j.Add(Entry{ID: string(rune('a' + i)), Method: http.MethodGet, Path: "/p"})
	}
	got := j.List(Filter{})
	ids := make([]string, len(got))
	for i, e := range got {
		ids[i] = e.ID
	}
	if want := []string{"c", "d", "e"}; len(ids) != 3 || ids[0] != want[0] || ids[1] != want[1] || ids[2] != want[2] {
		t.Fatalf("journal holds %v, want the newest three in order %v", ids, want)
	}
	if n := j.Count(Filter{Method: "POST"}); n != 0 {
		t.Fatalf("count of POSTs = %d, want 0", n)
	}
	if got := j.List(Filter{Limit: 2}); len(got) != 2 || got[1].ID != "e" {
		t.Fatalf("limit keeps the newest: %v", got)
	}
}

func TestJournalDropsTheOldestBeyondItsByteBudget(t *testing.T) {
	t.Parallel()
	j := NewJournal(DefaultJournalSize, nil)
	body := make([]byte, MaxJournalBody)
	huge := string(make([]byte, 900<<10))
	for i := range DefaultJournalSize {
		j.Add(Entry{ID: strconv.Itoa(i), Method: http.MethodPost, Path: "/p", Query: huge, RequestHeaders: map[string]string{"user-agent": huge}, RawRequest: body, RawResponse: body})
	}
	j.mu.Lock()
	held, bytes := j.n, j.bytes
	j.mu.Unlock()
	if bytes > MaxJournalBytes {
		t.Fatalf("journal holds %d bytes, over its budget of %d", bytes, MaxJournalBytes)
	}
	if held >= DefaultJournalSize || held < 100 {
		t.Fatalf("journal holds %d entries: want fewer than %d (the budget) but the newest hundreds", held, DefaultJournalSize)
	}
	got := j.List(Filter{Limit: 1})
	if got[0].ID != strconv.Itoa(DefaultJournalSize-1) || len(got[0].Query) > MaxJournalField || len(got[0].RequestHeaders["user-agent"]) > MaxJournalField {
		t.Fatalf("newest entry %s: query %d bytes, user-agent %d bytes", got[0].ID, len(got[0].Query), len(got[0].RequestHeaders["user-agent"]))
	}
}

func TestJournalWrapsAroundInOrder(t *testing.T) {
	t.Parallel()
	j := NewJournal(40, nil) // its ring grows 16, 32, 40 entries, then wraps around
	for i := range 100 {
		j.Add(Entry{ID: strconv.Itoa(i), Method: http.MethodGet, Path: "/p"})
	}
	got := j.List(Filter{})
	if len(got) != 40 {
		t.Fatalf("journal holds %d entries, want 40", len(got))
	}
	for i, e := range got {
		if want := strconv.Itoa(60 + i); e.ID != want {
			t.Fatalf("entry %d is %s, want %s: oldest first", i, e.ID, want)
		}
	}
	if page, total := j.Page(Filter{}, 1, 2); total != 40 || len(page) != 2 || page[0].ID != "98" || page[1].ID != "97" {
		t.Fatalf("page: %d of %d, first %v", len(page), total, page)
	}
	if _, ok := j.Get("59"); ok {
		t.Fatal("entry 59 was dropped yet found")
	}
	if e, ok := j.Get("60"); !ok || e.ID != "60" {
		t.Fatalf("oldest entry: %v, %v", e, ok)
	}
}

func TestJournalMasksQueryAndHeadersWhenRead(t *testing.T) {
	t.Parallel()
	j := NewJournal(10, nil)
	h := http.Header{"X-App-Token": {"your-app-token"}, "Authorization": {"Bearer x.y.z"}, "Cookie": {"c=1"}}
	j.Add(Entry{ID: "1", Method: http.MethodGet, Path: "/p", RawQuery: "token=s3cret&langCode=en_US", RawHeaders: h})
	h.Set("Authorization", "Basic changed") // the request's headers are not the journal's
	e, ok := j.Get("1")
	if !ok {
		t.Fatal("entry not found")
	}
	if e.Query != "token=[redacted]&langCode=en_US" {
		t.Fatalf("query %q", e.Query)
	}
	want := map[string]string{"x-app-token": "your…en", "authorization": "Bearer [redacted]"}
	if len(e.RequestHeaders) != len(want) || e.RequestHeaders["x-app-token"] != want["x-app-token"] || e.RequestHeaders["authorization"] != want["authorization"] {
		t.Fatalf("headers %v, want %v", e.RequestHeaders, want)
	}
	if e.RawQuery != "" {
		t.Fatalf("a read entry keeps its raw query %q", e.RawQuery)
	}
	if n := j.Count(Filter{Text: "s3cret"}); n != 0 {
		t.Fatalf("a search for a masked value finds %d entries", n)
	}
	if n := j.Count(Filter{Text: "langcode=en"}); n != 1 {
		t.Fatalf("a search in the query finds %d entries, want 1", n)
	}
}

// A query cut to MaxJournalField that masking then shortens still reads back marked as cut,
// through every way of reading the journal.
func TestJournalCutQueryShortenedByMaskingReadsBack(t *testing.T) {
	t.Parallel()
	j := NewJournal(10, nil)
	j.Add(Entry{ID: "1", Method: http.MethodGet, Path: "/p", RawQuery: "token=" + strings.Repeat("a", 5000)})
	e, ok := j.Get("1")
	if !ok {
		t.Fatal("entry not found")
	}
	if e.Query != "token=[redacted]…" {
		t.Fatalf("query %q", e.Query)
	}
	if got := j.List(Filter{Text: "zzz"}); len(got) != 0 {
		t.Fatalf("list found %d", len(got))
	}
	if got, total := j.Page(Filter{Text: "zzz"}, 0, 10); len(got) != 0 || total != 0 {
		t.Fatalf("page found %d of %d", len(got), total)
	}
	if n := j.Count(Filter{}); n != 1 {
		t.Fatalf("count %d after the reads", n)
	}
}

// Journals adding at once, each making room in the others, neither wait on each other for good
// nor lose count: afterwards the share holds what the journals hold, within its limit, and every
// journal still holds its newest entry.
func TestJournalShareUnderConcurrentAdds(t *testing.T) {
	t.Parallel()
	share := NewJournalShare(256 << 10)
	journals := make([]*Journal, 8)
	for i := range journals {
		journals[i] = NewJournal(100, share)
	}
	var wg sync.WaitGroup
	for i, j := range journals {
		body := make([]byte, (i+1)<<10)
		wg.Go(func() {
			for k := range 300 {
				j.Add(Entry{ID: strconv.Itoa(k), Method: http.MethodPost, Path: "/p", RawRequest: body})
				if i == 0 && k == 150 {
					j.Clear()
				}
			}
		})
	}
	wg.Wait()
	held := 0
	for i, j := range journals {
		j.mu.Lock()
		held += j.bytes
		n := j.n
		j.mu.Unlock()
		if n == 0 || j.List(Filter{Limit: 1})[0].ID != "299" {
			t.Fatalf("journal %d lost its newest entry", i)
		}
	}
	if used := share.used.Load(); used != int64(held) || used > share.limit {
		t.Fatalf("share counts %d bytes, the journals hold %d, the limit is %d", used, held, share.limit)
	}
}
