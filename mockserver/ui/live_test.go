package ui

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

func TestCurlCommand(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/__admin/ui/requests/r1", nil)
	e := sandbox.Entry{
		Method: http.MethodPost, Path: "/api/content/orders-storage/marker/tickets/orders", Query: "langCode=en_US",
		RequestHeaders: map[string]string{"x-app-token": "your…", "content-type": "application/json"},
		RequestBody:    json.RawMessage(`{"note":"it's"}`),
	}
	assert.Equal(t, `curl -X POST 'http://127.0.0.1:8080/api/content/orders-storage/marker/tickets/orders?langCode=en_US' \
  -H 'content-type: application/json' \
  -H 'x-app-token: your…' \
  --data-raw '{"note":"it'\''s"}'`, curlCommand(r, e))
	assert.Equal(t, `curl 'http://127.0.0.1:8080/api/content/forms'`, curlCommand(r, sandbox.Entry{Method: http.MethodGet, Path: "/api/content/forms"}))
	assert.Equal(t, `curl --head 'http://127.0.0.1:8080/api/content/forms'`, curlCommand(r, sandbox.Entry{Method: http.MethodHead, Path: "/api/content/forms"}),
		"-X HEAD would wait for a body")
	// net/http takes such a method; pasted unquoted, the command would run `id`.
	assert.Equal(t, `curl -X 'X&id&`+"`id`"+`' 'http://127.0.0.1:8080/x'`, curlCommand(r, sandbox.Entry{Method: "X&id&`id`", Path: "/x"}))
}

func TestDashboardURL(t *testing.T) {
	t.Parallel()
	const fallback = Prefix + "/"
	for target, want := range map[string]string{
		Prefix + "/orders/3?offset=50":   Prefix + "/orders/3?offset=50",
		Prefix + "/":                     Prefix + "/",
		Prefix:                           Prefix,
		Prefix + "/a/../orders":          Prefix + "/orders",
		Prefix + "//orders/":             Prefix + "/orders/",
		Prefix + "/../../\\evil.example": fallback,
		Prefix + "/../../evil":           fallback,
		Prefix + "/..":                   fallback,
		"//evil.example" + Prefix + "/":  fallback,
		"https://evil.example" + Prefix:  fallback,
		"/__admin/uix":                   fallback,
		"":                               fallback,
	} {
		assert.Equal(t, want, dashboardURL(target, fallback), target)
	}
}

func TestPagerLinks(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest(http.MethodGet, "/__admin/ui/requests?q=x&offset=50&notice=done", nil)
	p := newPager(r, 120)
	assert.Equal(t, "/__admin/ui/requests?q=x", p.Newer())
	assert.Equal(t, "/__admin/ui/requests?offset=100&q=x", p.Older())
	assert.Equal(t, "51–100 of 120", p.String())
	last := newPager(httptest.NewRequest(http.MethodGet, "/__admin/ui/requests?offset=100", nil), 120)
	assert.Empty(t, last.Older())
	first := newPager(httptest.NewRequest(http.MethodGet, "/__admin/ui/requests", nil), 3)
	assert.Empty(t, first.Newer())
	assert.Equal(t, "1–3 of 3", first.String())
	far := newPager(httptest.NewRequest(http.MethodGet, "/__admin/ui/requests?offset=9223372036854775807", nil), 88)
	assert.Equal(t, "88–88 of 88", far.String(), "an offset past the list does not overflow")
	assert.True(t, far.PastEnd())
	assert.Equal(t, "/__admin/ui/requests?offset=50", far.Last())
	assert.False(t, last.PastEnd())
	assert.Equal(t, "/__admin/ui/requests?offset=100", last.Last())
	for total, want := range map[int]string{0: "/__admin/ui/requests", 50: "/__admin/ui/requests", 51: "/__admin/ui/requests?offset=50"} {
		assert.Equal(t, want, newPager(httptest.NewRequest(http.MethodGet, "/__admin/ui/requests?offset=500", nil), total).Last(), total)
	}
}

func TestEveryPageHasAParsedTemplate(t *testing.T) {
	t.Parallel()
	parsed, err := pageTemplates()
	require.NoError(t, err)
	want := []string{"error", "login"}
	for _, p := range pages {
		want = append(want, p.name)
	}
	for _, name := range want {
		assert.Contains(t, parsed, name, "templates/%s.html", name)
	}
	again, err := pageTemplates()
	require.NoError(t, err)
	assert.Equal(t, reflect.ValueOf(parsed).Pointer(), reflect.ValueOf(again).Pointer(), "parsed once per process")
}
