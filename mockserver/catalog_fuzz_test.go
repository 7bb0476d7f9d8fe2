package mockserver_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// siteHandler is the server without a listener, under the live profile (the site's products).
func siteHandler(tb testing.TB) http.Handler {
	tb.Helper()
	srv, err := mockserver.New(mockserver.Options{Sandbox: sandbox.Options{Fixtures: loadFixtures(tb), Profile: sandbox.ProfileLive2026}, Contract: contractValidator(tb)})
	require.NoError(tb, err)
	return srv
}

// FuzzProductFilterBody feeds any body to the list and count routes: the answer is a 201 or a
// 4xx with the error body, never a 5xx.
func FuzzProductFilterBody(f *testing.F) {
	h := siteHandler(f)
	for _, seed := range []string{
		`{"filter":[{"attributeMarker":"price","conditionMarker":"mth","statusMarker":"in_stock","conditionValue":1,"pageUrls":["tickets"],"isNested":false,"title":""}]}`,
		`[{"attributeMarker":"zones","conditionMarker":"in","conditionValue":["bar","box"]}]`,
		`[{"attributeMarker":"price","conditionMarker":"lth","conditionValue":"1e308"}]`,
		`{"filter":[{"attributeMarker":"x","conditionMarker":"nexs","conditionValue":{}}]}`,
		`{"filter":null}`, `[null]`, `[1]`, `{"filter":"x"}`, `{`, ``, `null`,
	} {
		f.Add([]byte(seed), uint8(0))
	}
	paths := []string{"/all", "/all/counts", "/page/8", "/page/url/tickets/counts", "/page/url/tickets?sortKey=title&sortOrder=ASC"}
	f.Fuzz(func(t *testing.T, body []byte, which uint8) {
		path := productsPath + paths[int(which)%len(paths)]
		checkFuzzResponse(t, serveAPI(h, http.MethodPost, path, "", bytes.NewReader(body)))
	})
}

// FuzzCollectionRowBody feeds any body to row create and update.
func FuzzCollectionRowBody(f *testing.F) {
	h := siteHandler(f)
	for _, seed := range []string{
		`{"formIdentifier":"faq","formData":[{"marker":"question","type":"string","value":"Why?"}]}`,
		`{"formIdentifier":"faq","formData":{"en_US":[{"marker":"q","type":"string","value":"a"}],"ru_RU":[]}}`,
		`{"formIdentifier":"faq","formData":[{"marker":"q","type":"string","value":1}]}`,
		`{"formIdentifier":"","formData":{"xx":null}}`, `{"formData":[null]}`, `[]`, `{`, ``,
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, update bool) {
		method, path := http.MethodPost, rowsPath+"?langCode=ru_RU"
		if update {
			method, path = http.MethodPut, rowsPath+"/1?langCode=en_US"
		}
		checkFuzzResponse(t, serveAPI(h, method, path, "", bytes.NewReader(body)))
	})
}
