package sandbox

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// BenchmarkJournalAppend is what every API request pays to be journaled.
func BenchmarkJournalAppend(b *testing.B) {
	j := NewJournal(DefaultJournalSize)
	req := []byte(`{"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[{"type":"entity","marker":"tickets","value":["p-8-10"]}]},"products":[{"productId":10,"quantity":1}]}`)
	resp := []byte(`{"id":92,"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[{"type":"entity","marker":"tickets","value":["p-8-10"]}]},"products":[{"productId":10,"quantity":1}],"currency":"USD","totalSum":100,"createdDate":"2025-04-30T21:54:48.918Z"}`)
	h := http.Header{"Content-Type": {"application/json"}, "X-App-Token": {"your-app-token"}, "Authorization": {"Bearer x.y.z"}}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			j.Add(Entry{ID: "req", Time: time.Now(), Method: http.MethodPost, Path: "/api/content/orders-storage/marker/tickets/orders",
				Status: 201, RequestHeaders: JournalHeaders(h), RawRequest: req, RawResponse: resp})
		}
	})
}

func TestJournalKeepsTheNewestEntries(t *testing.T) {
	t.Parallel()
	j := NewJournal(3)
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
	j := NewJournal(DefaultJournalSize)
	body := make([]byte, MaxJournalBody)
	huge := string(make([]byte, 900<<10))
	for i := range DefaultJournalSize {
		j.Add(Entry{ID: strconv.Itoa(i), Method: http.MethodPost, Path: "/p", Query: huge, RequestHeaders: map[string]string{"user-agent": huge}, RawRequest: body, RawResponse: body})
	}
	j.mu.Lock()
	held, bytes := len(j.entries), j.bytes
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
