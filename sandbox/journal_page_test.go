package sandbox

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJournalPage(t *testing.T) {
	t.Parallel()
	j := NewJournal(100, nil)
	for i := range 10 {
		e := Entry{ID: "r" + strconv.Itoa(i), Method: http.MethodGet, Path: "/api/content/forms", Route: "GET /api/content/forms", Status: 200,
			RawResponse: []byte(`{"password":"p"}`)}
		if i%3 == 0 {
			e.Path, e.Route, e.Status = "/api/content/froms", "", 404
		}
		j.Add(e)
	}
	ids := func(es []Entry) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	page, total := j.Page(Filter{}, 0, 3)
	assert.Equal(t, 10, total)
	assert.Equal(t, []string{"r9", "r8", "r7"}, ids(page), "newest first")
	page, _ = j.Page(Filter{}, 8, 3)
	assert.Equal(t, []string{"r1", "r0"}, ids(page))
	assert.NotContains(t, string(page[0].ResponseBody), `"p"`, "the page is redacted")

	page, total = j.Page(Filter{StatusClass: 4}, 0, 10)
	assert.Equal(t, 4, total)
	assert.Equal(t, []string{"r9", "r6", "r3", "r0"}, ids(page))
	_, total = j.Page(Filter{Route: "unmatched"}, 0, 10)
	assert.Equal(t, 4, total)
	_, total = j.Page(Filter{Route: "GET /api/content/forms"}, 0, 10)
	assert.Equal(t, 6, total)
	_, total = j.Page(Filter{Text: "FROMS"}, 0, 10)
	assert.Equal(t, 4, total, "text matches ignoring case")

	e, ok := j.Get("r5")
	require.True(t, ok)
	assert.Equal(t, "/api/content/forms", e.Path)
	_, ok = j.Get("nope")
	assert.False(t, ok)

	seq := j.Seq()
	j.Clear()
	j.Add(Entry{ID: "x"})
	assert.Equal(t, seq+1, j.Seq(), "clearing does not take the count back")
}
