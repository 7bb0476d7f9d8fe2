package sandbox

import (
	"net/http"
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
