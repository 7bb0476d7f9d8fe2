package mockserver_test

import (
	"encoding/json"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
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

// heapGrowthBound is what the memory cases of issue 14 may leave on the server's heap: before
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
func TestIssue14GenerateCodeHugeEventIdentifiersStayBounded(t *testing.T) {
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

func TestIssue14AuthHugeDeviceMetadataStaysBounded(t *testing.T) {
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

func TestIssue14DeviceFieldsAreCapped(t *testing.T) {
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

func TestIssue14SessionsPerUserDropOldest(t *testing.T) {
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

func TestIssue14CodesPerUserDropOldest(t *testing.T) {
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

// TestIssue14BadLoginsAndEventsAnswer400 covers the inputs that made generate-code answer 500
// after storing a code: CR/LF or invalid UTF-8 in the event identifier, and logins that are not
// one e-mail address. Each is refused at the input, naming the field, and changes nothing.
func TestIssue14BadLoginsAndEventsAnswer400(t *testing.T) {
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
		{"two addresses in notificationData", "sign-up", signUp("phone-user", map[string]any{"email": "a@b.example, d@e.example"}), "notificationData.email"},
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

func stateDocument(t *testing.T, ts *testServer) string {
	t.Helper()
	status, body := ts.call(t, http.MethodGet, "/__admin/state", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	return string(body)
}
