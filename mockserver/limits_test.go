package mockserver_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/exchange"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

const usersBase = "/api/content/users-auth-providers/marker/email/users/"

func withJournalSize(n int) serverOption {
	return func(mo *mockserver.Options) { mo.Sandbox.JournalSize = n }
}

// heapAfterGC is the live heap once garbage is collected.
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// heapGrowthBound is what the memory cases below may leave on the server's heap: without
// the caps, 81 generate-code requests left ~73 MB of event identifiers, 600 logins ~540 MB of
// device metadata.
const heapGrowthBound = 16 << 20

// assertHeapGrowthBounded checks that the heap grew by less than heapGrowthBound since before,
// and logs by how much.
func assertHeapGrowthBounded(t *testing.T, before uint64, what string) {
	t.Helper()
	growth := int64(heapAfterGC()) - int64(before)
	t.Logf("heap growth after %s: %d KB", what, growth>>10)
	assert.Less(t, growth, int64(heapGrowthBound))
}

// The memory cases measure the store's caps; the journal keeps only one entry here, as its own
// byte caps are tested with the journal.
func TestGenerateCodeHugeEventIdentifiersStayBounded(t *testing.T) {
	ts := newTestServer(t, withJournalSize(1))
	event := strings.Repeat("e", 900<<10)
	before := heapAfterGC()
	for i := range 81 {
		body := `{"userIdentifier":"` + userLogin + `","eventIdentifier":"` + strconv.Itoa(i) + event + `"}`
		status, resp := ts.call(t, http.MethodPost, usersBase+"generate-code", "", body)
		require.Equal(t, http.StatusBadRequest, status, string(resp))
		assert.Contains(t, string(resp), "eventIdentifier")
	}
	assertHeapGrowthBounded(t, before, "81 × 900 KB eventIdentifier")
	assert.Empty(t, ts.mails(t, userLogin), "no code was sent")
}

func TestAuthHugeDeviceMetadataStaysBounded(t *testing.T) {
	ts := newTestServer(t, withJournalSize(1))
	device := `{"fingerprint":"f","deviceInfo":{"os":"` + strings.Repeat("o", 900<<10) + `","browser":"b","location":"l"}}`
	before := heapAfterGC()
	for range 600 {
		status, resp := ts.callWith(t, http.MethodPost, authPath, "", authBody(userLogin, userPass),
			map[string]string{"x-app-token": appToken, "x-device-metadata": device})
		require.Equal(t, http.StatusBadRequest, status, string(resp))
		assert.Contains(t, string(resp), "x-device-metadata")
	}
	assertHeapGrowthBounded(t, before, "600 × 900 KB x-device-metadata")
}

func TestDeviceFieldsAreCapped(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	// Under the header cap, but one field over the stored field cap.
	device := `{"deviceInfo":{"os":"` + strings.Repeat("o", store.MaxDeviceFieldBytes+1) + `"}}`
	status, body := ts.callWith(t, http.MethodPost, authPath, "", authBody(userLogin, userPass),
		map[string]string{"x-app-token": appToken, "x-device-metadata": device})
	require.Equal(t, http.StatusBadRequest, status, string(body))
	e := decodeError(t, status, body)
	assert.Contains(t, strings.Join(e.messages(), "\n"), "deviceInfo.os")
}

func TestSessionsPerUserDropOldest(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	first := ts.login(t, userLogin, userPass)
	var last tokens
	for range store.MaxSessionsPerUser {
		last = ts.login(t, userLogin, userPass)
	}
	status, body := ts.call(t, http.MethodGet, usersBase+"sessions", last.AccessToken, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Len(t, decode[[]any](t, body), store.MaxSessionsPerUser)

	status, body = ts.call(t, http.MethodPost, usersBase+"refresh", "", map[string]string{"refreshToken": first.RefreshToken})
	assert.Equal(t, http.StatusUnauthorized, status, "the oldest session was ended: %s", body)
	status, body = ts.call(t, http.MethodPost, usersBase+"refresh", "", map[string]string{"refreshToken": last.RefreshToken})
	assert.Equal(t, http.StatusCreated, status, string(body))

	// The other user's sessions are not touched.
	other := ts.login(t, user2, user2Pass)
	status, _ = ts.call(t, http.MethodPost, usersBase+"refresh", "", map[string]string{"refreshToken": other.RefreshToken})
	assert.Equal(t, http.StatusCreated, status)
}

// adminCodes lists the codes the default sandbox holds, as the state document shows them.
func adminCodes(t *testing.T, ts *testServer) []string {
	t.Helper()
	status, body := ts.call(t, http.MethodGet, "/__admin/state", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	var doc struct {
		Codes []struct {
			UserID int    `json:"userId"`
			Event  string `json:"event"`
		} `json:"codes"`
	}
	require.NoError(t, json.Unmarshal(body, &doc))
	out := make([]string, 0, len(doc.Codes))
	for _, c := range doc.Codes {
		out = append(out, strconv.Itoa(c.UserID)+"/"+c.Event)
	}
	return out
}

func TestCodesPerUserDropOldest(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for i := range store.MaxCodesPerUser + 4 {
		ts.clock.Advance(1) // each code expires after the one before
		status, body := ts.call(t, http.MethodPost, usersBase+"generate-code", "",
			map[string]string{"userIdentifier": userLogin, "eventIdentifier": "event" + strconv.Itoa(i)})
		require.Equal(t, http.StatusCreated, status, string(body))
	}
	// A repeated event replaces its own code and drops nothing.
	status, _ := ts.call(t, http.MethodPost, usersBase+"generate-code", "",
		map[string]string{"userIdentifier": userLogin, "eventIdentifier": "event19"})
	require.Equal(t, http.StatusCreated, status)
	codes := adminCodes(t, ts)
	assert.Len(t, codes, store.MaxCodesPerUser)
	assert.NotContains(t, codes, "16/event3", "the oldest codes went")
	assert.Contains(t, codes, "16/event4")
	assert.Contains(t, codes, "16/event19")
}

// TestBadLoginsAndEventsAnswer400 covers the inputs that made generate-code answer 500
// after storing a code: CR/LF or invalid UTF-8 in the event identifier, and logins that are not
// one e-mail address. Each is refused at the input, naming the field, and changes nothing.
func TestBadLoginsAndEventsAnswer400(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.clock.Freeze()
	signUp := func(login string, notification map[string]any) map[string]any {
		body := map[string]any{
			"formIdentifier": "reg",
			"langCode":       "en_US",
			"authData":       []map[string]string{{"marker": "email_reg", "value": login}, {"marker": "password_reg", "value": "12345"}},
			"formData":       map[string]any{"en_US": []map[string]any{{"marker": "name_reg", "type": "string", "value": "Ivan"}}},
		}
		if notification != nil {
			body["notificationData"] = notification
		}
		return body
	}
	gen := func(event string) map[string]string {
		return map[string]string{"userIdentifier": userLogin, "eventIdentifier": event}
	}
	cases := []struct {
		name    string
		path    string
		body    any
		message string
	}{
		{"CR LF in eventIdentifier", "generate-code", gen("reg\r\nBcc: victim@example.org"), "eventIdentifier"},
		{"LF in eventIdentifier", "generate-code", gen("reg\n"), "eventIdentifier"},
		{"NUL in eventIdentifier", "generate-code", gen("reg\x00"), "eventIdentifier"},
		{"invalid UTF-8 in eventIdentifier", "generate-code", `{"userIdentifier":"` + userLogin + `","eventIdentifier":"reg` + "\xff\xfe" + `"}`, "eventIdentifier"},
		{"overlong eventIdentifier", "generate-code", gen(strings.Repeat("e", store.MaxEventIdentifierBytes+1)), "eventIdentifier"},
		{"two addresses as login", "sign-up", signUp("a@b.example, d@e.example", nil), "email_reg"},
		{"display name as login", "sign-up", signUp("Name <n@e.example>", nil), "email_reg"},
		{"angle brackets as login", "sign-up", signUp("<n@e.example>", nil), "email_reg"},
		{"CR LF in login", "sign-up", signUp("x@y.example\r\nBcc: q@r.example", nil), "email_reg"},
		{"two addresses in notificationData", "sign-up", signUp("n@e.example", map[string]any{"email": "a@b.example, d@e.example"}), "notificationData.email"},
		{"login that is no address", "sign-up", signUp("phone-user", nil), "email_reg must be an e-mail address"},
		{"login of spaces", "sign-up", signUp("   ", nil), "email_reg"},
	}
	before := stateDocument(t, ts)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := ts.call(t, http.MethodPost, usersBase+tc.path, "", tc.body)
			require.Equal(t, http.StatusBadRequest, status, string(body))
			e := decodeError(t, status, body)
			assert.Contains(t, strings.Join(e.messages(), "\n"), tc.message)
		})
	}
	assert.Equal(t, before, stateDocument(t, ts), "failed requests must not change state")
	assert.Empty(t, ts.mails(t, ""), "no e-mail was built")
}

// serverWithAnOrder is a fresh server holding one order of the seed user, and its state.
func serverWithAnOrder(t *testing.T) (*testServer, string) {
	t.Helper()
	ts := newTestServer(t)
	tk := ts.login(t, userLogin, userPass)
	status, body := ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, seedOrderBody(10, 1))
	require.Equal(t, http.StatusCreated, status, string(body))
	return ts, stateDocument(t, ts)
}

func stateDocument(t *testing.T, ts *testServer) string {
	t.Helper()
	status, body := ts.call(t, http.MethodGet, "/__admin/state", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	return string(body)
}

// Hostile input must not exhaust the sandbox.

// TestLongPathsDoNotStallOthers sends paths of ~900 KB, which once made the nearest-route
// hint of a 404 cost seconds under one lock shared by every request, while a plain 404 must
// still answer within the bound of a second.
func TestLongPathsDoNotStallOthers(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	long := "/api/content/" + strings.Repeat("ab/", 300_000)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	started := make(chan struct{}, 4)
	for range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				req, err := http.NewRequest(http.MethodGet, ts.URL+long, nil)
				if !assert.NoError(t, err) {
					return
				}
				req.Header.Set("x-app-token", appToken)
				if i == 0 {
					started <- struct{}{}
				}
				resp, err := ts.Client().Do(req)
				if !assert.NoError(t, err) {
					return
				}
				assert.Empty(t, resp.Header.Get("X-Mock-Nearest-Route"), "a path this long is no typo")
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
	for range 4 {
		<-started
	}
	// The fastest of three tries must be under the bound: with the shared lock every try waited
	// for the long paths (tens of seconds), while one slow try alone is the scheduler of a busy
	// CI machine, not the mock.
	fastest := time.Hour
	for range 3 {
		begin := time.Now()
		status, _ := ts.call(t, http.MethodGet, "/api/content/froms/marker/tickets_form", "", nil)
		fastest = min(fastest, time.Since(begin))
		assert.Equal(t, http.StatusNotFound, status)
	}
	assert.Less(t, fastest, time.Second, "a plain 404 waited for the long paths")
	close(stop)
	wg.Wait()
}

// TestMadeUpMethodsKeepMetricsSmall sends thousands of made-up methods, each of which
// once became a label value of its own (46k of them made a 75 MB /metrics).
func TestMadeUpMethodsKeepMetricsSmall(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for i := range 5000 {
		req, err := http.NewRequest(fmt.Sprintf("M%05d", i), ts.URL+"/api/content/pages", nil)
		require.NoError(t, err)
		resp, err := ts.Client().Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	status, body := ts.call(t, http.MethodGet, "/metrics", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Less(t, len(body), 64<<10, "/metrics grew with the methods sent")
	assert.True(t, strings.Contains(string(body), `method="OTHER"`), "made-up methods are counted as OTHER")
	assert.False(t, strings.Contains(string(body), `method="M00001"`), "a made-up method became a label")
}

// TestTrailingDataAfterJSONRefused sends bodies with data after the JSON value, which
// admin endpoints once read as their first value.
func TestTrailingDataAfterJSONRefused(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for _, c := range []struct{ method, path, body string }{
		{http.MethodPost, "/__admin/clock", `{"advance":"1h"} {"advance":"1h"}`},
		{http.MethodPost, "/__admin/clock", `{"advance":"1h"}garbage`},
		{http.MethodPost, "/__admin/faults", `{"path":"/api/content/pages","status":503}]`},
		{http.MethodPut, "/__admin/state", emptyState + `{}`},
		{http.MethodPost, authPath, `{"authData":[{"marker":"email_reg","value":"your-user@email.com"},{"marker":"password_reg","value":"123456"}]} x`},
	} {
		status, body := ts.call(t, c.method, c.path, "", c.body)
		assert.Equal(t, http.StatusBadRequest, status, "%s %s %s: %s", c.method, c.path, c.body, body)
		decodeError(t, http.StatusBadRequest, body)
	}
	assert.WithinDuration(t, time.Now(), ts.clock.Now(), 30*time.Minute, "a refused body moved the clock")
	status, body := ts.call(t, http.MethodGet, "/__admin/faults", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.NotContains(t, string(body), "/api/content/pages", "a refused body added a fault rule")
}

// The journal keeps each string up to 4 KiB, cut with "…", and each body up to 64 KiB, the
// numbers docs/admin.md gives.
func TestJournalCutsAtTheDocumentedSizes(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	type entry struct {
		Path, Query     string
		RequestHeaders  map[string]string
		RequestText     string
		BodiesTruncated bool
	}
	send := func(method, target, body string) entry {
		t.Helper()
		req, err := http.NewRequest(method, ts.URL+target, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("x-app-token", appToken)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", strings.Repeat("u", 5000))
		resp, err := ts.Client().Do(req)
		require.NoError(t, err)
		// The whole answer first: the journal holds the request by the time it has arrived,
		// not when its headers have.
		_, err = io.Copy(io.Discard, resp.Body)
		require.NoError(t, err)
		resp.Body.Close()
		status, journal := ts.call(t, http.MethodGet, "/__admin/requests?limit=1", "", nil)
		require.Equal(t, http.StatusOK, status)
		var list struct{ Requests []entry }
		require.NoError(t, json.Unmarshal(journal, &list))
		require.Len(t, list.Requests, 1)
		return list.Requests[0]
	}
	long := strings.Repeat("p", 5000)
	e := send(http.MethodGet, "/api/content/forms/marker/"+long+"?q="+long, "")
	for name, v := range map[string]string{"path": e.Path, "query": e.Query, "user-agent": e.RequestHeaders["user-agent"]} {
		assert.Len(t, v, 4096, name)
		assert.True(t, strings.HasSuffix(v, "…"), "%s ends %q", name, v[max(0, len(v)-8):])
	}
	// Many short entries: a cut body keeps its whole entries (so that no secret shows half
	// masked), up to the 64 KiB.
	var body strings.Builder
	body.WriteString("{")
	for i := range 100 {
		fmt.Fprintf(&body, `"f%03d":"%s",`, i, strings.Repeat("b", 1000))
	}
	body.WriteString(`"end":1}`)
	e = send(http.MethodPost, "/api/content/form-data", body.String())
	assert.LessOrEqual(t, len(e.RequestText), 64<<10, "the body, cut")
	assert.Greater(t, len(e.RequestText), 63<<10)
	assert.True(t, e.BodiesTruncated)
}

// An admin body must be one object with no null field (the admin contract declares none
// nullable), and the fields it requires; otherwise 400 and nothing changes.
func TestAdminBodiesThatAreNotTheirObjectAnswer400(t *testing.T) {
	t.Parallel()
	ts, before := serverWithAnOrder(t)
	for _, c := range []struct{ method, path, body, message string }{
		{http.MethodPost, "/__admin/clock", `null`, "a JSON object"},
		{http.MethodPost, "/__admin/clock", `[]`, "body must be"},
		{http.MethodPost, "/__admin/clock", `{"advance":null}`, "advance must not be null"},
		{http.MethodPatch, "/__admin/payments/accounts/1", `null`, "a JSON object"},
		{http.MethodPatch, "/__admin/payments/accounts/1", `{"settings":null}`, "settings must not be null"},
		{http.MethodPost, "/__admin/faults", `{"path":"/api/content/pages","status":null}`, "status must not be null"},
		{http.MethodPost, "/__admin/events/back_in_stock/fire", `{}`, "productId is required"},
		{http.MethodPost, "/__admin/events/back_in_stock/fire", `{"productId":null}`, "productId must not be null"},
		// A Socket.IO client takes such an event for a broken packet and drops its connection.
		{http.MethodPost, "/__admin/events/disconnect/fire", `{"productId":12}`, `"disconnect" is a name Socket.IO keeps for itself`},
		{http.MethodPost, "/__admin/oauth/email/codes", `null`, "a JSON object"},
	} {
		status, body := ts.call(t, c.method, c.path, "", c.body)
		require.Equal(t, http.StatusBadRequest, status, "%s %s %s: %s", c.method, c.path, c.body, body)
		assert.Contains(t, strings.Join(decodeError(t, status, body).messages(), "\n"), c.message, "%s %s", c.path, c.body)
	}
	assert.Equal(t, before, stateDocument(t, ts))
	assert.Empty(t, ts.server.Sandboxes().Default().Faults().List(), "a refused body added a fault rule")
}

// A call that takes no body still refuses one that is not a JSON object, before it acts: a
// reset sent a broken body does not reset.
func TestAdminCallsWithoutABodyRefuseOneThatIsNotAnObject(t *testing.T) {
	t.Parallel()
	ts, before := serverWithAnOrder(t)
	for _, c := range []struct{ method, path string }{
		{http.MethodPost, "/__admin/reset"},
		{http.MethodPost, "/__admin/sandboxes"},
		{http.MethodPost, "/__admin/reload"},
		{http.MethodDelete, "/__admin/mail"},
		{http.MethodDelete, "/__admin/requests"},
		{http.MethodPost, "/__admin/payments/sessions/1/complete"},
	} {
		for _, body := range []string{`{"x":`, `null`, `[]`, `5`, `{} x`} {
			status, data := ts.call(t, c.method, c.path, "", body)
			require.Equal(t, http.StatusBadRequest, status, "%s %s %s: %s", c.method, c.path, body, data)
			assert.Equal(t, []string{"body must be a JSON object"}, decodeError(t, status, data).messages())
		}
	}
	assert.Equal(t, before, stateDocument(t, ts))
	assert.Len(t, ts.server.Sandboxes().All(), 1, "no sandbox was made")
	status, data := ts.call(t, http.MethodGet, "/__admin/requests/count", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.NotContains(t, string(data), `"count":0`, "the journal was not cleared")

	status, data = ts.call(t, http.MethodPost, "/__admin/reset", "", `{}`)
	require.Equal(t, http.StatusOK, status, "an empty object is taken: %s", data)
}

// The content API's routes that take no body parse a JSON one before they act, as the live
// API's body parser does before any route runs: a body that does not parse, or is not an
// object or an array, answers 400 and nothing happens; another one is ignored.
func TestContentRoutesWithoutABodyRefuseABrokenOne(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	tk := ts.login(t, userLogin, userPass)
	before := stateDocument(t, ts)
	for body, want := range map[string]string{
		`{} x`:  "Unexpected token x in JSON at position 3",
		`{"x":`: "Unexpected end of JSON input",
		// A literal cut short ends the input too; a bad last byte is a token, though Go's
		// error puts both at the body's length.
		`{"x":tr`: "Unexpected end of JSON input",
		`{"x":}`:  "Unexpected token } in JSON at position 5",
		` null`:   "Unexpected token n in JSON at position 1",
		`5`:       "Unexpected token 5 in JSON at position 0",
	} {
		for _, path := range []string{"/api/content/users/me", "/api/content/users/me/account", "/api/content/integration-collections/marker/faq/rows/1"} {
			status, data := ts.call(t, http.MethodDelete, path, tk.AccessToken, body)
			require.Equal(t, http.StatusBadRequest, status, "%s %s: %s", path, body, data)
			assert.Equal(t, []string{want}, decodeError(t, status, data).messages(), "%s %s", path, body)
		}
	}
	assert.Equal(t, before, stateDocument(t, ts))
	// Reads too, each a 400 the contract documents (responses are checked here).
	for _, path := range []string{"/api/content/locales/active/all", "/api/content/general-types", "/api/content/sitemap",
		"/api/content/system/api-stat", "/api/content/payments/accounts", "/api/content/discounts/bonus-balance"} {
		status, data := ts.call(t, http.MethodGet, path, tk.AccessToken, `x`)
		assert.Equal(t, http.StatusBadRequest, status, "%s: %s", path, data)
	}

	status, data := ts.callWith(t, http.MethodDelete, "/api/content/users/me/fcm-token/abc", tk.AccessToken, `{"x":`, map[string]string{"Content-Type": "text/plain"})
	assert.NotEqual(t, http.StatusBadRequest, status, "a body that is not JSON is not parsed: %s", data)
	status, data = ts.call(t, http.MethodDelete, "/api/content/users/me", tk.AccessToken, `[]`)
	require.Equal(t, http.StatusOK, status, "a body that parses is ignored: %s", data)
}

// An admin body that does not arrive whole (a broken chunk, a connection closed before the
// declared length) answers 400 and the call does nothing, also where the call reads no body.
func TestAdminBodiesCutShortChangeNothing(t *testing.T) {
	t.Parallel()
	ts, before := serverWithAnOrder(t)
	send := func(t *testing.T, head, body string) int {
		t.Helper()
		conn, err := net.Dial("tcp", ts.Listener.Addr().String())
		require.NoError(t, err)
		defer conn.Close()
		_, err = io.WriteString(conn, head+"Host: localhost\r\n\r\n"+body)
		require.NoError(t, err)
		require.NoError(t, conn.(*net.TCPConn).CloseWrite())
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err)
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		decodeError(t, resp.StatusCode, data)
		return resp.StatusCode
	}
	for _, path := range []string{"POST /__admin/clock", "POST /__admin/faults", "POST /__admin/reset", "PUT /__admin/state"} {
		body := map[string]string{
			"POST /__admin/clock":  `{"advance":"24h"}`,
			"POST /__admin/faults": `{"path":"/api/content/pages","status":503}`,
			"POST /__admin/reset":  `{}`,
			"PUT /__admin/state":   emptyState,
		}[path]
		chunked := send(t, path+" HTTP/1.1\r\nTransfer-Encoding: chunked\r\n", fmt.Sprintf("%x\r\n%s\r\nzz\r\n", len(body), body))
		assert.Equal(t, http.StatusBadRequest, chunked, "%s with a broken chunk", path)
		unterminated := send(t, path+" HTTP/1.1\r\nTransfer-Encoding: chunked\r\n", fmt.Sprintf("%x\r\n%s\r\n", len(body), body))
		assert.Equal(t, http.StatusBadRequest, unterminated, "%s without the last chunk", path)
		short := send(t, fmt.Sprintf("%s HTTP/1.1\r\nContent-Length: %d\r\n", path, len(body)+10), body)
		assert.Equal(t, http.StatusBadRequest, short, "%s shorter than declared", path)
	}
	assert.WithinDuration(t, time.Now(), ts.clock.Now(), 30*time.Minute, "a body cut short moved the clock")
	assert.Empty(t, ts.server.Sandboxes().Default().Faults().List(), "a body cut short added a fault rule")
	assert.Equal(t, before, stateDocument(t, ts), "a body cut short reset or replaced the state")
}

// An admin body over its 64 KiB answers 413, as the content API does, and changes nothing,
// also where the call reads no body.
func TestOversizedAdminBodiesAnswer413(t *testing.T) {
	t.Parallel()
	ts, before := serverWithAnOrder(t)
	pad := strings.Repeat(" ", 70<<10)
	for _, c := range []struct{ method, path, body string }{
		{http.MethodPost, "/__admin/clock", `{"advance":"1h"` + pad + `}`},
		{http.MethodPost, "/__admin/faults", `{"path":"/api/content/pages","status":503` + pad + `}`},
		{http.MethodPost, "/__admin/reset", `{}` + pad},
		{http.MethodPost, "/__admin/sandboxes", `{}` + pad},
	} {
		status, body := ts.call(t, c.method, c.path, "", c.body)
		assert.Equal(t, http.StatusRequestEntityTooLarge, status, "%s %s: %s", c.method, c.path, body)
		decodeError(t, http.StatusRequestEntityTooLarge, body)
	}
	assert.WithinDuration(t, time.Now(), ts.clock.Now(), 30*time.Minute, "a refused body moved the clock")
	assert.Empty(t, ts.server.Sandboxes().Default().Faults().List(), "a refused body added a fault rule")
	assert.Equal(t, before, stateDocument(t, ts), "a refused reset kept the order")
	assert.Len(t, ts.server.Sandboxes().All(), 1, "a refused create made no sandbox")
}

// An x-app-token header that is sent empty names no sandbox: admin calls answer 404 instead of
// acting on the default sandbox, which only a request without the header means.
func TestAdminCallsWithAnEmptyAppTokenTouchNoSandbox(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	before := stateDocument(t, ts)
	for _, c := range []struct{ method, path, body string }{
		{http.MethodPost, "/__admin/clock", `{"advance":"100h"}`},
		{http.MethodPost, "/__admin/reset", ``},
		{http.MethodGet, "/__admin/state", ``},
	} {
		status, body := ts.callWith(t, c.method, c.path, "", c.body, map[string]string{"x-app-token": ""})
		assert.Equal(t, http.StatusNotFound, status, "%s %s: %s", c.method, c.path, body)
		decodeError(t, http.StatusNotFound, body)
	}
	assert.WithinDuration(t, time.Now(), ts.clock.Now(), 30*time.Minute, "the default sandbox's clock stayed")
	assert.Equal(t, before, stateDocument(t, ts))
}

// heapInUse is the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestJournalStaysSmallUnderHugeRequests sends 400 requests with a 900 KB query
// string, x-device-metadata or User-Agent, a quarter of them with a wrong app token. The journal
// once kept all of it, and the wrong-token ones in the default sandbox (1000 requests: 1.6 GB); unbounded, these 400 would keep 360 MB.
func TestJournalStaysSmallUnderHugeRequests(t *testing.T) {
	ts := newTestServer(t) // not parallel: it measures the process's heap
	huge := strings.Repeat("x", 900<<10)
	const n = 400
	// The heap bound: the journal's byte budget, and room for the rest of the process.
	const bound = sandbox.MaxJournalBytes + 16<<20
	before := heapInUse()
	client := ts.Client()
	for i := range n {
		token, path := appToken, "/api/content/pages"
		h := http.Header{}
		switch i % 4 {
		case 0:
			path += "?token=s3cret&langCode=en_US&q=" + huge
		case 1:
			h.Set("x-device-metadata", `{"fingerprint":"`+huge+`"}`)
		case 2:
			h.Set("User-Agent", huge)
		case 3:
			token = "wrong-token"
			path += "?q=" + huge
		}
		req, err := http.NewRequest(http.MethodGet, ts.URL+path, nil)
		require.NoError(t, err)
		req.Header = h
		req.Header.Set("x-app-token", token)
		resp, err := client.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	after := heapInUse()
	growth := int64(after) - int64(before)
	t.Logf("heap growth after %d requests: %.1f MiB (bound %d MiB)", n, float64(growth)/(1<<20), bound>>20)
	assert.Less(t, growth, int64(bound), "the journal keeps what hostile requests sent")

	status, body := ts.call(t, http.MethodGet, "/__admin/requests/count", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, fmt.Sprintf(`{"count":%d}`, n*3/4), string(body), "wrong-token requests are journaled in no sandbox")
	status, body = ts.call(t, http.MethodGet, "/__admin/requests?limit=4", "", nil)
	require.Equal(t, http.StatusOK, status)
	var list struct {
		Requests []sandbox.Entry `json:"requests"`
	}
	require.NoError(t, json.Unmarshal(body, &list))
	require.Len(t, list.Requests, 4)
	for _, e := range list.Requests {
		assert.LessOrEqual(t, len(e.Path)+len(e.Query), 2*sandbox.MaxJournalField)
		for k, v := range e.RequestHeaders {
			assert.LessOrEqual(t, len(v), sandbox.MaxJournalField, k)
		}
	}
	q := list.Requests[len(list.Requests)-3].Query // request n-4: the query string one
	assert.True(t, strings.HasPrefix(q, "token=[redacted]&langCode=en_US&q=xxx"), "query strings are redacted: %.60s", q)
	assert.NotContains(t, string(body), "s3cret")
	status, body = ts.call(t, http.MethodGet, "/metrics", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, string(body), fmt.Sprintf(`oneentry_mock_unjournaled_requests_total{reason="unknown_app_token"} %d`, n/4))
}

// An account's run-time patches add up to a bound: the key past it is refused, and nothing of
// the refused patch is kept.
func TestAccountPatchesKeepABoundedNumberOfKeys(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	patch := func(keys ...string) (int, []byte) {
		settings := map[string]string{}
		for _, k := range keys {
			settings[k] = "v"
		}
		b, err := json.Marshal(map[string]any{"settings": settings})
		require.NoError(t, err)
		return ts.callWith(t, http.MethodPatch, "/__admin/payments/accounts/1", "", json.RawMessage(b), nil)
	}
	var keys []string
	for i := range store.MaxAccountPatchKeys {
		keys = append(keys, fmt.Sprintf("k%d", i))
	}
	status, body := patch(keys[:store.MaxAccountPatchKeys/2]...)
	require.Equal(t, http.StatusOK, status, string(body))
	status, body = patch(keys[store.MaxAccountPatchKeys/2:]...)
	require.Equal(t, http.StatusOK, status, string(body))
	status, body = patch("k0", "one-more", "and-another")
	assertRefused(t, status, body, http.StatusBadRequest, "at most 100")
	status, body = patch("k0")
	require.Equal(t, http.StatusOK, status, "a key already kept is not one more: %s", body)
	assert.NotContains(t, string(body), "one-more", "the refused patch left nothing")

	// A key removed (null) is no longer kept, so another may take its place.
	remove, err := json.Marshal(map[string]any{"settings": map[string]any{"k0": nil, "k1": nil}})
	require.NoError(t, err)
	status, body = ts.callWith(t, http.MethodPatch, "/__admin/payments/accounts/1", "", json.RawMessage(remove), nil)
	require.Equal(t, http.StatusOK, status, string(body))
	status, body = patch("in-their-place", "and-another")
	require.Equal(t, http.StatusOK, status, string(body))
}

// liveHeap is a heap reading a test turns up and down.
type liveHeap struct{ bytes atomic.Uint64 }

func (h *liveHeap) read() uint64 { return h.bytes.Load() }

// newMemoryLimitedServer serves with a 64 MiB memory limit (--max-memory-bytes) measured
// against a heap reading the test sets.
func newMemoryLimitedServer(t *testing.T) (*testServer, *liveHeap) {
	t.Helper()
	heap := &liveHeap{}
	ts := newTestServer(t, func(mo *mockserver.Options) {
		mo.Sandbox.MaxMemoryBytes = 64 << 20
		mo.Sandbox.LiveHeapBytes = heap.read
	})
	return ts, heap
}

func TestMemoryLimitRefusesWhatAddsStateUntilThereIsRoom(t *testing.T) {
	ts, heap := newMemoryLimitedServer(t)
	tk := ts.login(t, userLogin, userPass)
	status, body := ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, seedOrderBody(10, 1))
	require.Equal(t, http.StatusCreated, status, string(body))

	heap.bytes.Store(65 << 20)
	order, err := json.Marshal(seedOrderBody(10, 1))
	require.NoError(t, err)
	signIn, err := json.Marshal(authBody(userLogin, userPass))
	require.NoError(t, err)
	for _, write := range []struct{ path, body, bearer string }{
		{ordersPath, string(order), "Bearer " + tk.AccessToken},
		{authPath, string(signIn), ""},
		{"/__admin/sandboxes", "", ""},
	} {
		req := ts.request(t, http.MethodPost, write.path, write.body, "application/json",
			map[string]string{"x-app-token": appToken, "Authorization": write.bearer, "x-device-metadata": `{"os":"Linux"}`})
		resp, data := ts.send(t, req)
		assert.Equal(t, http.StatusConflict, resp.StatusCode, write.path)
		assert.Equal(t, "memory", resp.Header.Get("X-Mock-Limit"), write.path)
		msg := strings.Join(decodeError(t, resp.StatusCode, data).messages(), " ")
		assert.Contains(t, msg, "65 MiB, above its limit of 64 MiB (--max-memory-bytes)", write.path)
	}
	status, body = ts.callWith(t, http.MethodPut, "/__admin/state", "", json.RawMessage(stateDocument(t, ts)), nil)
	require.Equal(t, http.StatusConflict, status, "an import can add state too: %s", body)
	assert.Contains(t, strings.Join(decodeError(t, status, body).messages(), " "), "above its limit of 64 MiB")
	status, body = ts.call(t, http.MethodGet, ordersPath+"?langCode=en_US", tk.AccessToken, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.EqualValues(t, 1, decode[map[string]any](t, body)["total"], "the refused order was not stored")
	_, page, _ := uiGet(t, ts, "/__admin/ui/")
	assert.Contains(t, page, "65 MiB of 64 MiB, all sandboxes <span class=\"pill\">full: writes answer 409</span>", "the dashboard says why writes fail")
	_, metrics := ts.callWith(t, http.MethodGet, "/metrics", "", nil, nil)
	assert.Contains(t, string(metrics), "oneentry_mock_live_heap_bytes 6.815744e+07\n")
	assert.Contains(t, string(metrics), "oneentry_mock_max_memory_bytes 6.7108864e+07\n")
	status, body = ts.call(t, http.MethodPost, "/api/content/products/all?langCode=en_US", "", []any{})
	assert.Equal(t, http.StatusCreated, status, "a query sent by POST is a read: %s", body)
	// What only swaps or removes state keeps working: the SDK's refresh keeps its visitors in.
	status, body = ts.call(t, http.MethodPost, usersBase+"refresh", "", map[string]string{"refreshToken": tk.RefreshToken})
	require.Equal(t, http.StatusCreated, status, "a refresh swaps tokens: %s", body)
	tk = decode[tokens](t, body)
	status, body = ts.call(t, http.MethodDelete, "/api/content/users/me/fcm-token/abc", tk.AccessToken, nil)
	assert.Less(t, status, 300, "deleting a push token: %s", body)
	status, body = ts.call(t, http.MethodPost, usersBase+"check-code", "", map[string]string{"userIdentifier": userLogin, "eventIdentifier": "reset", "code": "000000"})
	assert.Equal(t, http.StatusCreated, status, "checking a code: %s", body)
	status, _ = ts.cartCall(t, http.MethodGet, cartPath, tk.AccessToken, "", nil)
	assert.Equal(t, http.StatusOK, status, "reading the cart")
	status, _ = ts.cartCall(t, http.MethodDelete, cartPath+"/items/10", tk.AccessToken, "", nil)
	assert.Equal(t, http.StatusOK, status, "removing a cart line")
	status, _ = ts.cartCall(t, http.MethodPost, cartPath+"/items", tk.AccessToken, "", item(10, 1))
	assert.Equal(t, http.StatusConflict, status, "adding a cart line adds state")
	status, body = ts.call(t, http.MethodPost, usersBase+"logout", tk.AccessToken, map[string]string{"refreshToken": tk.RefreshToken})
	assert.Less(t, status, 300, "signing out makes room: %s", body)
	status, body = ts.call(t, http.MethodPost, "/__admin/reset", "", nil)
	assert.Less(t, status, 300, "a reset makes room: %s", body)

	heap.bytes.Store(63 << 20)
	tk = ts.login(t, userLogin, userPass)
	status, body = ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, seedOrderBody(10, 1))
	assert.Equal(t, http.StatusCreated, status, string(body))
}

// The memory limit with the runtime's own reading: submissions of 256 KiB each are refused
// once the heap is full, and the heap stays near the limit instead of growing with them.
func TestMemoryLimitHoldsTheHeap(t *testing.T) {
	limit := heapAfterGC() + 24<<20
	ts := newTestServer(t, withJournalSize(1), func(mo *mockserver.Options) { mo.Sandbox.MaxMemoryBytes = int64(limit) })
	message := strings.Repeat("m", 256<<10)
	var stored int
	for range 400 {
		status, body := ts.submit(t, "", contactBody(func(b map[string]any) {
			b["formData"] = contactValues(field("name", "string", "Ann"), field("email", "string", "ann@example.com"), field("message", "text", plain(message)))
		}))
		if status == http.StatusConflict {
			break
		}
		require.Equal(t, http.StatusCreated, status, string(body))
		stored++
	}
	t.Logf("stored %d submissions of 256 KiB under a limit %d MiB above the start", stored, 24)
	assert.Less(t, stored, 400, "the limit refused a submission before 100 MiB of them were stored")
	assert.Less(t, heapAfterGC(), limit+heapGrowthBound)

	status, body := ts.call(t, http.MethodPost, "/__admin/reset", "", nil)
	require.Less(t, status, 300, string(body))
	status, body = ts.submit(t, "", contactBody())
	assert.Equal(t, http.StatusCreated, status, "a reset makes room: %s", body)
}

// A counter imported at its bound hands out no id: an id past 2^53 - 1 would not survive a
// JavaScript client, and the sandbox's export would not import again. The refused writes change
// nothing; up to the bound, ids are handed out and the export imports.
func TestCountersStopAtTheirBound(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	put := func(doc string) {
		t.Helper()
		status, body := ts.call(t, http.MethodPut, "/__admin/state", "", doc)
		require.Equal(t, http.StatusOK, status, string(body))
	}
	withCounters := func(counters map[string]int) string {
		var doc map[string]any
		require.NoError(t, json.Unmarshal([]byte(stateDocument(t, ts)), &doc))
		for name, next := range counters {
			doc["counters"].(map[string]any)[name] = next
		}
		b, err := json.Marshal(doc)
		require.NoError(t, err)
		return string(b)
	}
	last := store.MaxCounter - 1
	tk := ts.signIn(t, userLogin, userPass)
	put(withCounters(map[string]int{"nextOrderId": last, "nextAuthSessionId": store.MaxCounter}))
	created := ts.createOrder(t, tk.AccessToken, seedOrderBody(10, 1))
	assert.Equal(t, float64(last), created["id"])

	full := stateDocument(t, ts)
	status, body := ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, seedOrderBody(10, 1))
	require.Equal(t, http.StatusConflict, status, string(body))
	assert.Contains(t, decodeError(t, status, body).messages()[0], "no order ids left")
	status, body = ts.callWith(t, http.MethodPost, authPath, "", authBody(userLogin, userPass), deviceHeaders)
	require.Equal(t, http.StatusConflict, status, string(body))
	assert.Contains(t, decodeError(t, status, body).messages()[0], "no session ids left")
	assert.Equal(t, full, stateDocument(t, ts))
	put(full)
}

// The numbers below are the ones docs/api.md and docs/admin.md give, written out rather than
// read from the constants, so that changing a limit without its documentation fails here.

// x-device-metadata up to 2048 bytes and deviceInfo fields up to 256 (docs/api.md, "Active
// sessions").
func TestDocumentedDeviceMetadataSizes(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	login := func(metadata string) int {
		t.Helper()
		status, _ := ts.callWith(t, http.MethodPost, authPath, "", authBody(userLogin, userPass), map[string]string{"x-app-token": appToken, "x-device-metadata": metadata})
		return status
	}
	device := func(os string) string {
		return `{"fingerprint":"f","deviceInfo":{"os":"` + os + `","browser":"b","location":"l"}}`
	}
	padded := func(size int) string {
		short := device("")
		return `{"fingerprint":"` + strings.Repeat("f", size-len(short)+1) + short[len(`{"fingerprint":"f`):]
	}
	require.Len(t, padded(2048), 2048)
	assert.Equal(t, http.StatusCreated, login(padded(2048)))
	assert.Equal(t, http.StatusBadRequest, login(padded(2049)))
	assert.Equal(t, http.StatusCreated, login(device(strings.Repeat("o", 256))))
	assert.Equal(t, http.StatusBadRequest, login(device(strings.Repeat("o", 257))))
}

// A user keeps at most 100 sessions per provider; the 101st login ends the oldest (docs/api.md,
// "Active sessions").
func TestDocumentedSessionsPerUser(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	first := ts.login(t, userLogin, userPass)
	for range 99 {
		ts.login(t, userLogin, userPass)
	}
	status, body := ts.post(t, usersBase+"refresh", map[string]string{"refreshToken": first.RefreshToken})
	require.Equal(t, http.StatusCreated, status, "100 sessions keep the first: %s", body)
	first = decode[tokens](t, body)
	ts.login(t, userLogin, userPass)
	status, _ = ts.post(t, usersBase+"refresh", map[string]string{"refreshToken": first.RefreshToken})
	assert.Equal(t, http.StatusUnauthorized, status, "the 101st ends the oldest")
}

// An eventIdentifier of 128 bytes is taken, one of 129 is not (docs/api.md, "Auth codes").
func TestDocumentedEventIdentifierSize(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for size, want := range map[int]int{128: http.StatusCreated, 129: http.StatusBadRequest} {
		status, body := ts.post(t, usersBase+"generate-code", map[string]string{"userIdentifier": userLogin, "eventIdentifier": strings.Repeat("e", size)})
		assert.Equal(t, want, status, "%d bytes: %s", size, body)
	}
}

// Fault latency 0–60000 ms, and at most 1000 rules (docs/admin.md, "Fault injection").
func TestDocumentedFaultLimits(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	add := func(rule string) int {
		t.Helper()
		status, _ := ts.call(t, http.MethodPost, "/__admin/faults", "", rule)
		return status
	}
	assert.Equal(t, http.StatusBadRequest, add(`{"path":"/api/content/pages","latency":{"fixedMs":60001}}`))
	for i := range 1000 {
		require.Equal(t, http.StatusCreated, add(fmt.Sprintf(`{"path":"/api/content/pages/%d","latency":{"fixedMs":60000}}`, i)), "rule %d", i)
	}
	assert.Equal(t, http.StatusConflict, add(`{"path":"/api/content/pages","status":503}`))
}

// A browser may read X-Mock-Limit (docs/admin.md, "Origins and hosts"), and a field named
// secretKey is masked (docs/admin.md, "Request journal").
func TestDocumentedHeadersAndSecrets(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	req, err := http.NewRequest(http.MethodGet, ts.URL+"/api/content/forms/marker/tickets_form", nil)
	require.NoError(t, err)
	req.Header.Set("Origin", "http://shop.test")
	req.Header.Set("x-app-token", appToken)
	resp, err := ts.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	exposed := strings.Split(resp.Header.Get("Access-Control-Expose-Headers"), ", ")
	assert.ElementsMatch(t, []string{"X-Request-Id", "X-Mock-Fault", "X-Mock-Limit", "X-Mock-Nearest-Route", "X-Capsule-Exchange"}, exposed)
	for _, name := range []string{"secretKey", "password", "accessToken", "refreshToken"} {
		assert.True(t, exchange.IsSecretName(name), name)
	}
	status, _ := ts.call(t, http.MethodPost, "/api/content/form-data", "", `{"formIdentifier":"contact_us","secretKey":"sk_live_do_not_show","formData":{}}`)
	require.Equal(t, http.StatusBadRequest, status)
	status, journal := ts.call(t, http.MethodGet, "/__admin/requests?limit=1", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, string(journal), `"secretKey"`)
	assert.NotContains(t, string(journal), "sk_live_do_not_show", "the journal masks a secretKey field")
}

// A repeated query parameter: each value is checked, the first is used (docs/api.md,
// "Pagination").
func TestDocumentedFirstOfARepeatedParameterIsUsed(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	status, body := ts.call(t, http.MethodGet, "/api/content/forms?limit=1&limit=2", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Len(t, decode[[]any](t, body), 1)
}

// The provider's config shows the lifetimes the mock enforces (docs/api.md, "Auth provider
// config"), whatever they are set to.
func TestDocumentedProviderConfigShowsTheLifetimes(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withAccessTTL(90*time.Minute), func(mo *mockserver.Options) { mo.Sandbox.RefreshTokenTTL = 48 * time.Hour })
	status, body := ts.call(t, http.MethodGet, "/api/content/users-auth-providers/marker/email", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	config := decode[struct{ Config map[string]any }](t, body).Config
	assert.Equal(t, "5400", config["accessTokenTtlSec"])
	assert.Equal(t, "172800", config["refreshTokenTtlMc"])
}

// A declined payment keeps the session waiting and is counted (docs/api.md, "Payment
// lifecycle"); the dashboard's order page shows the count.
func TestDocumentedDeclinesAreCounted(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	f := ts.openStripeSession(t, 10, 1)
	for range 2 {
		status, body := ts.paymentAction(t, f.sessionID, "decline")
		require.Equal(t, http.StatusOK, status, string(body))
	}
	status, page, _ := uiGet(t, ts, fmt.Sprintf("/__admin/ui/orders/%d", f.orderID))
	require.Equal(t, http.StatusOK, status)
	assert.Regexp(t, `p-waiting">waiting</span></td>\s*<td>2</td>`, page)
}

// The gauges count what there is (docs/admin.md, "Metrics").
func TestDocumentedGaugesCount(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for range 2 {
		status, body := ts.call(t, http.MethodPost, "/__admin/sandboxes", "", nil)
		require.Equal(t, http.StatusCreated, status, string(body))
	}
	status, body := ts.post(t, usersBase+"generate-code", map[string]string{"userIdentifier": userLogin, "eventIdentifier": "reg"})
	require.Equal(t, http.StatusCreated, status, string(body))
	status, body = ts.callWith(t, http.MethodGet, "/metrics", "", nil, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, string(body), "oneentry_mock_sandboxes 3\n")
	assert.Contains(t, string(body), "oneentry_mock_outbox_messages 1\n")
}

// A code has the provider's systemCodeLength digits (docs/api.md, "Auth codes").
func TestDocumentedCodeLengthIsTheProvidersOwn(t *testing.T) {
	t.Parallel()
	fx := editFixtures(t, map[string]func(v any) any{"auth-providers.json": func(v any) any {
		for _, p := range v.([]any) {
			p.(map[string]any)["config"].(map[string]any)["systemCodeLength"] = "4"
		}
		return v
	}})
	ts := newTestServer(t, withFixtures(fx))
	status, body := ts.post(t, usersBase+"generate-code", map[string]string{"userIdentifier": userLogin, "eventIdentifier": "reg"})
	require.Equal(t, http.StatusCreated, status, string(body))
	assert.Regexp(t, `^[0-9]{4}$`, ts.lastCode(t, userLogin))
}

// Without limit a list answers 30 items (docs/api.md, "Pagination"), and limit=100 at most.
func TestDocumentedDefaultPageSize(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	owner := ts.login(t, userLogin, userPass)
	ts.placeOrders(t, owner.AccessToken, 31)
	list := func(query string) (int, int) {
		t.Helper()
		status, body := ts.call(t, http.MethodGet, ordersPath+query, owner.AccessToken, nil)
		require.Equal(t, http.StatusOK, status, string(body))
		page := decode[struct {
			Items []any
			Total int
		}](t, body)
		return len(page.Items), page.Total
	}
	items, total := list("")
	assert.Equal(t, 30, items)
	assert.Equal(t, 31, total)
	items, _ = list("?limit=100")
	assert.Equal(t, 31, items)
	status, _ := ts.call(t, http.MethodGet, ordersPath+"?limit=101", owner.AccessToken, nil)
	assert.Equal(t, http.StatusBadRequest, status)
}

// A user holds one code per event and at most 16: a code for a 17th event replaces the oldest
// (docs/api.md, "Auth codes").
func TestDocumentedCodesPerUser(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	check := func(event, code string) string {
		t.Helper()
		status, body := ts.post(t, usersBase+"check-code", map[string]string{"userIdentifier": userLogin, "eventIdentifier": event, "code": code})
		require.Equal(t, http.StatusCreated, status, string(body))
		return string(body)
	}
	codes := map[string]string{}
	for i := range 17 {
		event := fmt.Sprintf("event_%d", i)
		status, body := ts.post(t, usersBase+"generate-code", map[string]string{"userIdentifier": userLogin, "eventIdentifier": event})
		require.Equal(t, http.StatusCreated, status, string(body))
		codes[event] = ts.lastCode(t, userLogin)
		if i == 15 {
			assert.Equal(t, "true", check("event_0", codes["event_0"]), "16 codes: the first is held")
		}
	}
	assert.Equal(t, "false", check("event_0", codes["event_0"]), "the 17th replaced the oldest")
	assert.Equal(t, "true", check("event_1", codes["event_1"]))
	assert.Equal(t, "true", check("event_16", codes["event_16"]))
}

// A balance overspent through an imported order prices the next order with a negative
// balance available, and the state with that order imports back.
func TestOverspentBonusStateImportsBack(t *testing.T) {
	t.Parallel()
	ts, doc := serverWithAnOrder(t)
	var state map[string]any
	require.NoError(t, json.Unmarshal([]byte(doc), &state))
	order := state["orders"].([]any)[0].(map[string]any)
	discounts, _ := order["discounts"].(map[string]any)
	if discounts == nil {
		discounts = map[string]any{"rawCents": order["totalCents"]}
		order["discounts"] = discounts
	}
	discounts["bonusAppliedCents"] = 6000 // of a total of 10000, more than the 5000 the user has
	edited, err := json.Marshal(state)
	require.NoError(t, err)
	status, body := ts.call(t, http.MethodPut, "/__admin/state", "", string(edited))
	require.Equal(t, http.StatusOK, status, string(body))
	ts.placeOrders(t, ts.login(t, userLogin, userPass).AccessToken, 1)
	again := stateDocument(t, ts)
	status, body = ts.call(t, http.MethodPut, "/__admin/state", "", again)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, again, stateDocument(t, ts))
}

// A state document holds to the admin contract's StateDocument, the shape of an export: one
// that leaves out or nulls a required list, or whose values break their schema, answers 400
// naming the field and changes nothing, rather than importing as something else.
func TestStateImportHoldsToTheContract(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	tk := ts.signIn(t, userLogin, userPass)
	ts.createOrder(t, tk.AccessToken, discountOrder(map[int]int{10: 1}, nil))
	ts.cartCall(t, http.MethodPost, cartPath+"/items", tk.AccessToken, "", item(10, 2))
	ts.submitOK(t, "", contactBody())
	for account, kind := range map[string]string{"stripe": "intent", "paypal": "session"} {
		order := ts.createOrder(t, tk.AccessToken, discountOrder(map[int]int{10: 1}, map[string]any{"paymentAccountIdentifier": account}))
		status, body := ts.call(t, http.MethodPost, "/api/content/payments/sessions", tk.AccessToken, map[string]any{"orderId": order["id"], "type": kind})
		require.Equal(t, http.StatusCreated, status, string(body))
	}
	exported := stateDocument(t, ts)
	for _, held := range []string{`"carts"`, `"clientSecret"`, `"pendingUrl"`, `"formData"`} {
		require.Contains(t, exported, held, "the round trip covers it")
	}
	status, body := ts.callWith(t, http.MethodPut, "/__admin/state", "", json.RawMessage(exported), nil)
	require.Equal(t, http.StatusOK, status, "an export imports as it is: %s", body)
	assert.JSONEq(t, exported, string(body))
	for name, tc := range map[string]struct {
		edit func(doc map[string]any)
		want string
	}{
		"null list":              {func(d map[string]any) { d["paymentSessions"] = nil }, "state document: paymentSessions:"},
		"required list left out": {func(d map[string]any) { delete(d, "authSessions") }, "authSessions"},
		"required flag left out": {func(d map[string]any) { delete(firstOf(d, "users"), "isActive") }, "isActive"},
		"state not an object":    {func(d map[string]any) { firstOf(d, "users")["state"] = "s" }, "state document: users[0].state:"},
		"form value left out": {func(d map[string]any) {
			delete(firstOf(d, "orders")["formData"].([]any)[0].(map[string]any), "value")
		}, "value"},
	} {
		t.Run(name, func(t *testing.T) {
			doc := decode[map[string]any](t, []byte(exported))
			tc.edit(doc)
			status, body := ts.callWith(t, http.MethodPut, "/__admin/state", "", doc, nil)
			assertRefused(t, status, body, http.StatusBadRequest, tc.want)
			assert.Equal(t, exported, stateDocument(t, ts), "a refused document changes nothing")
		})
	}
}

// firstOf is the first object of the document's list key.
func firstOf(doc map[string]any, key string) map[string]any {
	return doc[key].([]any)[0].(map[string]any)
}

// A request answered without reading its body is answered at once, whatever is left to send of
// it: a client that declares a large body, sends a little and waits for the answer gets it. The
// journal reads what is left only where net/http waits for it anyway; an upload, which the
// route reads after the guards, is refused by them unread; a body the body parser would read
// (JSON, on any path, as Express parses it before routing) is refused unread when its declared
// length is over the bound, and one it does not read meets the 404 at once.
func TestAnswersDoNotWaitForABodyNobodyReads(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for _, c := range []struct {
		head   string
		status int
	}{
		{"POST /api/content/no-such-route HTTP/1.1\r\nx-app-token: " + appToken + "\r\nContent-Type: text/plain\r\nContent-Length: 300000\r\n", http.StatusNotFound},
		{"POST /api/content/no-such-route HTTP/1.1\r\nx-app-token: " + appToken + "\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n", http.StatusRequestEntityTooLarge},
		{"POST /api/content/payments/sessions HTTP/1.1\r\nx-app-token: " + appToken + "\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n", http.StatusRequestEntityTooLarge},
		{"POST /api/content/files?type=page&entity=editor&id=1 HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 5000000\r\n", http.StatusForbidden},
	} {
		conn, err := net.Dial("tcp", ts.Listener.Addr().String())
		require.NoError(t, err)
		// Closed however the test ends, so that a server waiting for the rest stops too.
		t.Cleanup(func() { conn.Close() })
		_, err = io.WriteString(conn, c.head+"Host: localhost\r\n\r\n--b\r\n{\"a\":1")
		require.NoError(t, err)
		// Only so that a server that waits for the rest fails the test instead of hanging it.
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(30*time.Second)))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err, "%s: answered while the body is still coming", c.head)
		assert.Equal(t, c.status, resp.StatusCode, c.head)
		resp.Body.Close()
	}
}
