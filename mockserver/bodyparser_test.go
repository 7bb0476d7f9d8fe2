package mockserver_test

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// sessionsPathLive is where a body the parser takes meets the user guard (401), and one it
// refuses is answered 400 first, so a call there tells the two apart and changes nothing.
const sessionsPathLive = "/api/content/payments/sessions"

// The live body parser decodes the bytes to text before JSON.parse, and that decoder drops a
// leading byte order mark: a body saved by a Windows tool parses.
func TestJSONBodyAfterAByteOrderMarkParses(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	status, body := ts.callWith(t, http.MethodPost, sessionsPathLive, "", "\uFEFF"+`{"orderId":1}`, map[string]string{"x-app-token": appToken})
	e := decodeError(t, http.StatusUnauthorized, body)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, `"Unauthorized"`, string(e.Message))

	status, body = ts.callWith(t, http.MethodPost, authPath, "", "\uFEFF"+`{"authData":[{"marker":"email_reg","value":"`+userLogin+`"},{"marker":"password_reg","value":"`+userPass+`"}]}`, deviceHeaders)
	assert.Equal(t, http.StatusCreated, status, string(body))
}

// JSON.parse names the character it stopped at, not a byte of its UTF-8, and counts its
// position in UTF-16 code units.
func TestJSONSyntaxErrorsNameCharacters(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	for body, want := range map[string]string{
		"é":              "Unexpected token é in JSON at position 0",
		" é":             "Unexpected token é in JSON at position 1",
		`{"a":"é😀"} x`:   "Unexpected token x in JSON at position 12",
		`{"a":"é"} ñ`:    "Unexpected token ñ in JSON at position 10",
		"\uFEFF\uFEFF{}": "Unexpected token \uFEFF in JSON at position 0",
		"\uFEFF" + `"é"`: `Unexpected token " in JSON at position 0`,
	} {
		status, data := ts.callWith(t, http.MethodPost, sessionsPathLive, "", body, map[string]string{"x-app-token": appToken})
		e := decodeError(t, http.StatusBadRequest, data)
		require.Equal(t, http.StatusBadRequest, status, body)
		assert.Equal(t, []string{want}, e.messages(), "%q", body)
	}
}

// The live body parser takes an empty JSON body for {}, but not one of white space only: its
// strict check finds no first character, and JSON.parse of nothing fails. Only JSON's own
// white space is skipped.
func TestJSONBodyOfWhiteSpaceOnlyIsRefused(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	for _, c := range []struct{ body, refusal string }{ // no refusal: the parser takes it
		{"   ", `"Unexpected end of JSON input"`},
		{"\r\n\t ", `"Unexpected end of JSON input"`},
		{"\f{}", `"Unexpected token \f in JSON at position 0"`},
		{"\u00a0{}", "\"Unexpected token \u00a0 in JSON at position 0\""},
		{"", ""},
		{" \n{} ", ""},
	} {
		// A body the parser takes meets the user guard.
		wantStatus, wantMessage := http.StatusUnauthorized, `"Unauthorized"`
		if c.refusal != "" {
			wantStatus, wantMessage = http.StatusBadRequest, c.refusal
		}
		status, data := ts.callWith(t, http.MethodPost, sessionsPathLive, "", c.body, map[string]string{"x-app-token": appToken})
		e := decodeError(t, wantStatus, data)
		require.Equal(t, wantStatus, status, "%q", c.body)
		assert.Equal(t, wantMessage, string(e.Message), "%q", c.body)
	}
}

// The live body parser inflates a gzip or deflate body before it parses it, and bounds the
// inflated bytes by its limit; it refuses any other content encoding unread.
func TestCompressedJSONBodiesAreInflated(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive), withMaxBody(64<<10))
	send := func(encoding string, body []byte) (int, errorResponse) {
		t.Helper()
		status, data := ts.callWith(t, http.MethodPost, sessionsPathLive, "", body, map[string]string{"x-app-token": appToken, "Content-Encoding": encoding})
		return status, decodeError(t, status, data)
	}
	const order = `{"orderId":1}`
	for encoding, body := range map[string][]byte{"gzip": compressed(t, "gzip", order), "GZIP": compressed(t, "gzip", order), "deflate": compressed(t, "deflate", order), "identity": []byte(order)} {
		status, e := send(encoding, body)
		assert.Equal(t, http.StatusUnauthorized, status, "%s: a body the parser takes meets the user guard", encoding)
		assert.Equal(t, `"Unauthorized"`, string(e.Message), encoding)
	}

	// Small on the wire, over the bound once inflated.
	bomb := compressed(t, "gzip", `{"x":"`+strings.Repeat("a", 1<<20)+`"}`)
	require.Less(t, len(bomb), 64<<10)
	for _, c := range []struct {
		encoding string
		body     []byte
		status   int
		message  string
	}{
		{"gzip", bomb, http.StatusRequestEntityTooLarge, `"request entity too large"`},
		{"br", []byte(order), http.StatusUnsupportedMediaType, `"unsupported content encoding \"br\""`},
		{"gzip, br", compressed(t, "gzip", order), http.StatusUnsupportedMediaType, `"unsupported content encoding \"gzip, br\""`},
		{"gzip", []byte(order), http.StatusBadRequest, `"incorrect header check"`},
		{"deflate", []byte(order), http.StatusBadRequest, `"incorrect header check"`},
		{"gzip", compressed(t, "gzip", order)[:12], http.StatusBadRequest, `"unexpected end of file"`},
		{"gzip", compressed(t, "gzip", `{} x`), http.StatusBadRequest, `"Unexpected token x in JSON at position 3"`},
		{"gzip", []byte{}, http.StatusBadRequest, `"unexpected end of file"`},
	} {
		status, e := send(c.encoding, c.body)
		assert.Equal(t, c.status, status, c.encoding)
		assert.Equal(t, c.message, string(e.Message), c.encoding)
	}
}

// The journal and a fault's bodyContains read a compressed body as the body parser does,
// inflated: a test matching "contact_us" matches it however it was sent, and the journal shows
// (and the dashboard's curl replays) the text, not the compressed bytes.
func TestCompressedBodiesAreJournaledAndMatchedInflated(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	status, body := ts.callWith(t, http.MethodPost, "/__admin/faults", "", `{"path":"/api/content/**","bodyContains":"contact_us","status":503}`, nil)
	require.Equal(t, http.StatusCreated, status, string(body))
	const submission = `{"formIdentifier":"contact_us","formData":{"en_US":[]}}`
	status, _ = ts.callWith(t, http.MethodPost, "/api/content/form-data?langCode=en_US", "", compressed(t, "gzip", submission),
		map[string]string{"x-app-token": appToken, "Content-Encoding": "gzip"})
	assert.Equal(t, http.StatusServiceUnavailable, status, "the fault saw the inflated body")

	status, body = ts.callWith(t, http.MethodGet, "/__admin/requests?path=/api/content/form-data", "", nil, nil)
	require.Equal(t, http.StatusOK, status)
	var journal struct {
		Requests []struct {
			RequestBody json.RawMessage `json:"requestBody"`
		} `json:"requests"`
	}
	require.NoError(t, json.Unmarshal(body, &journal), string(body))
	require.Len(t, journal.Requests, 1)
	assert.JSONEq(t, submission, string(journal.Requests[0].RequestBody))
}

// compressed is text in the content encoding gzip or deflate.
func compressed(t *testing.T, encoding, text string) []byte {
	t.Helper()
	var b bytes.Buffer
	var zw io.WriteCloser = gzip.NewWriter(&b)
	if encoding == "deflate" {
		zw = zlib.NewWriter(&b)
	}
	_, err := zw.Write([]byte(text))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.Bytes()
}

// Express's body parsers run before its router: a body they refuse is answered with their
// status and message on a path no route takes, or with a method it does not serve, as on a
// route. A body they take still meets the 404. The admin API's paths are the mock's own.
func TestUnroutedRequestsParseTheirBodyFirst(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	for _, c := range []struct {
		method, path, contentType, body string
		status                          int
		message                         string
	}{
		{http.MethodPost, "/api/content/nosuch", "application/json", `{bad`, http.StatusBadRequest, `"Unexpected token b in JSON at position 1"`},
		{http.MethodPatch, ordersPath, "application/json", `{"a":`, http.StatusBadRequest, `"Unexpected end of JSON input"`},
		{http.MethodPost, "/nosuch", "application/json; charset=latin1", `{}`, http.StatusUnsupportedMediaType, `"unsupported charset \"LATIN1\""`},
		{http.MethodPost, "/api/content/nosuch", "application/json", `{}`, http.StatusNotFound, `"Cannot POST /api/content/nosuch"`},
		{http.MethodPost, "/api/content/nosuch", "text/plain", `{bad`, http.StatusNotFound, `"Cannot POST /api/content/nosuch"`},
		{http.MethodPost, "/__admin/nosuch", "application/json", `{bad`, http.StatusNotFound, `"Cannot POST /__admin/nosuch"`},
	} {
		status, data := ts.callWith(t, c.method, c.path, "", c.body, map[string]string{"x-app-token": appToken, "Content-Type": c.contentType})
		e := decodeError(t, c.status, data)
		assert.Equal(t, c.status, status, "%s %s %s", c.method, c.path, c.body)
		assert.Equal(t, c.message, string(e.Message), "%s %s %s", c.method, c.path, c.body)
	}
}
