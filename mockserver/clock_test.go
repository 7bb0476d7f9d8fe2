package mockserver_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// Date-times outside 0001–9999 (in UTC) are refused with the live 400 body naming the
// field, everywhere one comes in, and nothing changes; those inside the range all work.

func (ts *testServer) adminClock(t *testing.T, body string) (int, []byte) {
	t.Helper()
	return ts.callWith(t, http.MethodPost, "/__admin/clock", "", json.RawMessage(body), nil)
}

func (ts *testServer) clockNow(t *testing.T) string {
	t.Helper()
	status, body := ts.callWith(t, http.MethodGet, "/__admin/clock", "", nil, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	return decode[struct{ Now string }](t, body).Now
}

func TestClockRange(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	status, body := ts.adminClock(t, `{"freeze":true}`)
	require.Equal(t, http.StatusOK, status, string(body))

	for set, want := range map[string]string{
		"0001-01-01T00:00:00Z":          "0001-01-01T00:00:00.000Z",
		"0001-01-01T00:00:00-05:00":     "0001-01-01T05:00:00.000Z",
		"9999-12-31T23:59:59.999Z":      "9999-12-31T23:59:59.999Z",
		"9999-12-31T23:59:59+05:00":     "9999-12-31T18:59:59.000Z",
		"9999-12-31T00:00:00Z":          "9999-12-31T00:00:00.000Z",
		"2025-04-26T16:30:00.000+03:00": "2025-04-26T13:30:00.000Z",
	} {
		status, body := ts.adminClock(t, `{"set":"`+set+`"}`)
		require.Equal(t, http.StatusOK, status, "%s: %s", set, body)
		assert.Equal(t, want, ts.clockNow(t), "set %s", set)
	}

	status, body = ts.adminClock(t, `{"set":"9999-12-31T00:00:00Z"}`)
	require.Equal(t, http.StatusOK, status, string(body))
	before := ts.clockNow(t)
	refused := map[string]string{
		`{"set":"0000-12-31T23:00:00Z"}`:                                                "set",
		`{"set":"0001-01-01T00:30:00+01:00"}`:                                           "set",
		`{"set":"9999-12-31T23:00:00-02:00"}`:                                           "set",
		`{"set":"2016-12-31T23:59:60Z"}`:                                                "set",
		`{"advance":"2562047h"}`:                                                        "advance",
		`{"set":"9999-12-31T00:00:00Z","advance":"25h"}`:                                "advance",
		`{"set":"0001-01-01T00:00:00Z","advance":"-1ms"}`:                               "advance",
		`{"reset":true,"set":"0001-06-01T00:00:00Z","advance":"-8761h","freeze":false}`: "advance",
	}
	for req, field := range refused {
		status, body := ts.adminClock(t, req)
		require.Equal(t, http.StatusBadRequest, status, "%s: %s", req, body)
		e := decodeError(t, status, body)
		assert.True(t, strings.HasPrefix(e.messages()[0], field+":"), "%s: the message names %s: %s", req, field, body)
		assert.Equal(t, before, ts.clockNow(t), "%s changed the clock", req)
	}

	// Advancing by the largest Go duration twice must not wrap around: the first step fits from
	// year 1, the second is refused once the sum would pass year 9999.
	status, body = ts.adminClock(t, `{"set":"0001-01-01T00:00:00Z","advance":"2562047h"}`)
	require.Equal(t, http.StatusOK, status, string(body))
	first := ts.clockNow(t)
	for range 40 {
		status, body = ts.adminClock(t, `{"advance":"2562047h"}`)
		if status != http.StatusOK {
			break
		}
	}
	require.Equal(t, http.StatusBadRequest, status, "advancing by 292 years again and again must end in a refusal: %s", body)
	assert.GreaterOrEqual(t, ts.clockNow(t), first, "the clock never moved backwards")
	assert.Regexp(t, `^\d{4}-`, ts.clockNow(t))
}

func TestRunningClockFarAhead(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	status, body := ts.adminClock(t, `{"reset":true,"set":"9999-12-31T00:00:00Z"}`)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.True(t, strings.HasPrefix(ts.clockNow(t), "9999-12-31T00:00"), "a running clock set past 292 years ahead shows that time, not a wrapped one: %s", ts.clockNow(t))

	// The state document keeps the far offset and reads it back.
	status, doc := ts.callWith(t, http.MethodGet, "/__admin/state", "", nil, nil)
	require.Equal(t, http.StatusOK, status, string(doc))
	status, body = ts.callWith(t, http.MethodPut, "/__admin/state", "", json.RawMessage(doc), nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.True(t, strings.HasPrefix(ts.clockNow(t), "9999-12-31T00:00"), ts.clockNow(t))
}

// Lifetimes that would run past the last instant end there: a sign-in (its refresh token
// lasts a week), an order's payment session and a code taken an hour before it leave a state
// document that exports and imports.
func TestLifetimesEndAtTheLastInstant(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	status, body := ts.adminClock(t, `{"set":"9999-12-31T23:00:00Z","freeze":true}`)
	require.Equal(t, http.StatusOK, status, string(body))
	ts.orderWithWaitingSession(t, ts.signIn(t, userLogin, userPass).AccessToken)
	status, body = ts.callWith(t, http.MethodPost, "/api/content/users-auth-providers/marker/email/users/generate-code", "", map[string]string{"userIdentifier": userLogin, "eventIdentifier": "reg"}, deviceHeaders)
	require.Less(t, status, 300, string(body))

	doc := stateDocument(t, ts)
	assert.Contains(t, doc, `"9999-12-31T23:59:59.999Z"`)
	status, body = ts.callWith(t, http.MethodPut, "/__admin/state", "", json.RawMessage(doc), nil)
	require.Equal(t, http.StatusOK, status, string(body))
}

func TestStateImportRange(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	status, doc := ts.callWith(t, http.MethodGet, "/__admin/state", "", nil, nil)
	require.Equal(t, http.StatusOK, status, string(doc))
	var state map[string]any
	require.NoError(t, json.Unmarshal(doc, &state))
	before := ts.clockNow(t)

	for field, clock := range map[string]map[string]any{
		"clock.frozenAt": {"offset": "0s", "frozenAt": "0000-12-31T23:00:00Z"},
		"clock.offset":   {"offset": "-2562047h", "frozenAt": nil},
	} {
		state["clock"] = clock
		bad, err := json.Marshal(state)
		require.NoError(t, err)
		if field == "clock.offset" {
			// Far enough back to leave the range from today, in the long form a Go duration cannot hold.
			bad = []byte(strings.Replace(string(bad), `"-2562047h"`, `"-20000000h"`, 1))
		}
		status, body := ts.callWith(t, http.MethodPut, "/__admin/state", "", json.RawMessage(bad), nil)
		require.Equal(t, http.StatusBadRequest, status, "%s: %s", field, body)
		assert.Contains(t, decodeError(t, status, body).messages()[0], field)
		assert.Equal(t, before[:16], ts.clockNow(t)[:16], "a refused import changes nothing")
	}
}

func TestSubmittedSlotRange(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	tk := ts.login(t, userLogin, userPass)
	for _, slot := range [][]string{
		{"0000-01-01T00:00:00+01:00", "0000-01-01T00:00:00Z"},
		{"9999-12-31T23:00:00-02:00", "9999-12-31T23:30:00-02:00"},
	} {
		order := seedOrderBody(10, 1)
		items := order["formData"].(map[string]any)["en_US"].([]map[string]any)
		order["formData"] = map[string]any{"en_US": append(items, map[string]any{"type": "timeInterval", "marker": "schedule", "value": [][]string{slot}})}
		status, body := ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, order)
		require.Equal(t, http.StatusBadRequest, status, "%v: %s", slot, body)
		assert.Contains(t, string(body), "outside the supported range", "%v", slot)
	}
}

// Every date-time of a state document is in range, and one that is not, or cannot be read,
// is refused naming its field; nothing changes.
func TestStateImportDateTimesNameTheirField(t *testing.T) {
	t.Parallel()
	ts, before := serverWithAnOrder(t)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(before), &doc))
	last := len(doc["orders"].([]any)) - 1
	field := fmt.Sprintf("orders[%d].createdDate", last)
	for _, value := range []string{"0000-06-01T00:00:00Z", "10000-01-01T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T00:00:00+25:00"} {
		doc["orders"].([]any)[last].(map[string]any)["createdDate"] = value
		bad, err := json.Marshal(doc)
		require.NoError(t, err)
		status, body := ts.callWith(t, http.MethodPut, "/__admin/state", "", json.RawMessage(bad), nil)
		require.Equal(t, http.StatusBadRequest, status, "%s: %s", value, body)
		assert.True(t, strings.HasPrefix(decodeError(t, status, body).messages()[0], field+": "), "%s: %s", value, body)
		assert.Equal(t, before, stateDocument(t, ts), "a refused import changes nothing")
	}
}

// generateCode asks for a new code of event for login, by e-mail.
func (ts *testServer) generateCode(t *testing.T, login, event string) (int, []byte) {
	t.Helper()
	return ts.callWith(t, http.MethodPost, "/api/content/users-auth-providers/marker/email/users/generate-code", "",
		map[string]string{"userIdentifier": login, "eventIdentifier": event}, deviceHeaders)
}

// A code sent before the clock was moved back holds nothing back: otherwise every code would
// wait the length of the jump.
func TestCodeWaitAfterTheClockMovesBack(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	generate := func() (int, []byte) { return ts.generateCode(t, userLogin, "reg") }
	status, body := ts.adminClock(t, `{"set":"2027-06-01T00:00:00Z","freeze":true}`)
	require.Equal(t, http.StatusOK, status, string(body))
	status, body = generate()
	require.Less(t, status, 300, string(body))
	status, body = ts.adminClock(t, `{"set":"2027-01-01T00:00:00Z","freeze":true}`)
	require.Equal(t, http.StatusOK, status, string(body))
	status, body = generate()
	require.Less(t, status, 300, string(body))
	status, body = generate()
	require.Equal(t, http.StatusTooManyRequests, status, string(body))
	assert.Equal(t, []string{"A new code can be requested in 30 seconds"}, decodeError(t, status, body).messages(), "the interval counts from the new code")
}

// The resend interval holds at the first instant a date-time can name, as at any other.
func TestCodeWaitAtTheFirstInstant(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	generate := func() (int, []byte) { return ts.generateCode(t, userLogin, "reg") }
	// Frozen first, so that the clock shows that instant exactly.
	status, body := ts.adminClock(t, `{"freeze":true}`)
	require.Equal(t, http.StatusOK, status, string(body))
	status, body = ts.adminClock(t, `{"set":"0001-01-01T00:00:00Z"}`)
	require.Equal(t, http.StatusOK, status, string(body))
	require.True(t, ts.clock.Now().IsZero())
	status, body = generate()
	require.Less(t, status, 300, string(body))
	status, body = generate()
	require.Equal(t, http.StatusTooManyRequests, status, string(body))
	assert.Equal(t, []string{"A new code can be requested in 30 seconds"}, decodeError(t, status, body).messages())
}
