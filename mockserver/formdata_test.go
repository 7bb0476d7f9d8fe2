package mockserver_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver/mocktest"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

const (
	formDataPath  = "/api/content/form-data"
	contactConfig = 2
)

// deviceHeaders are the headers SDK 1.0.127+ sends on every POST, which live sign-in needs.
var deviceHeaders = map[string]string{"x-app-token": appToken, "x-device-metadata": `{"fingerprint":"UQ_forms","deviceInfo":{"os":"Linux","browser":"Node.js","location":"en-US"}}`}

// signIn logs in as SDK 1.0.149 does, under any profile.
func (ts *testServer) signIn(t testing.TB, login, password string) tokens {
	t.Helper()
	status, body := ts.callWith(t, http.MethodPost, authPath, "", authBody(login, password), deviceHeaders)
	require.Equal(t, http.StatusCreated, status, string(body))
	return decode[tokens](t, body)
}

// contactValues are contact_us values in the SDK's locale-keyed shape.
func contactValues(items ...map[string]any) map[string]any {
	return map[string]any{"en_US": items}
}

func field(marker, typ string, value any) map[string]any {
	return map[string]any{"marker": marker, "type": typ, "value": value}
}

func plain(s string) []map[string]string { return []map[string]string{{"plainValue": s}} }

// contactBody is a valid contact_us submission; edit adjusts it.
func contactBody(edit ...func(map[string]any)) map[string]any {
	b := map[string]any{
		"formIdentifier":         "contact_us",
		"formModuleConfigId":     contactConfig,
		"moduleEntityIdentifier": "contacts",
		"replayTo":               nil,
		"status":                 "sent",
		"formData": contactValues(
			field("name", "string", "Ann"),
			field("email", "string", "ann@example.com"),
			field("message", "text", plain("Please call me back.")),
		),
	}
	for _, f := range edit {
		f(b)
	}
	return b
}

func (ts *testServer) submit(t *testing.T, bearer string, body any) (int, []byte) {
	t.Helper()
	return ts.call(t, http.MethodPost, formDataPath+"?langCode=en_US", bearer, body)
}

func (ts *testServer) submitOK(t *testing.T, bearer string, body any) int {
	t.Helper()
	status, data := ts.submit(t, bearer, body)
	require.Equal(t, http.StatusCreated, status, string(data))
	return int(decode[map[string]any](t, data)["formData"].(map[string]any)["id"].(float64))
}

type formDataRead struct {
	Items []map[string]any `json:"items"`
	Total int              `json:"total"`
}

func (ts *testServer) readFormData(t *testing.T, bearer, query string, filter any) formDataRead {
	t.Helper()
	status, body := ts.call(t, http.MethodPost, "/api/content/form-data/marker/contact_us?"+query, bearer, filter)
	require.Equal(t, http.StatusCreated, status, string(body))
	return decode[formDataRead](t, body)
}

// exportedFormData is the sandbox's stored submissions, from the state export.
func (ts *testServer) exportedFormData(t *testing.T) []store.FormDataRecord {
	t.Helper()
	_, body := ts.callWith(t, http.MethodGet, "/__admin/state", "", nil, nil)
	return decode[store.StateDocument](t, body).FormData
}

// contactCase is a value of a contact_us field and the one message it is refused with ("":
// accepted).
type contactCase struct {
	item map[string]any
	want string
}

// checkContactValues checks each case with checkContactValue, in parallel subtests.
func (ts *testServer) checkContactValues(t *testing.T, cases map[string]contactCase) {
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ts.checkContactValue(t, tc.item, tc.want)
		})
	}
}

// checkContactValue submits contact_us with item beside its required values: with want "" it
// must be accepted, else refused with want as its one message.
func (ts *testServer) checkContactValue(t *testing.T, item map[string]any, want string) {
	t.Helper()
	status, data := ts.submit(t, "", contactBody(func(b map[string]any) {
		b["formData"] = contactValues(field("name", "string", "Ann"), field("message", "text", plain("Hi")), item)
	}))
	if want == "" {
		require.Equal(t, http.StatusCreated, status, string(data))
		return
	}
	require.Equal(t, http.StatusBadRequest, status, string(data))
	assert.Equal(t, []string{want}, decodeError(t, status, data).messages())
}

func TestFormDataChecksRunInTheLiveOrder(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	values := func(items ...map[string]any) func(map[string]any) {
		return func(b map[string]any) { b["formData"] = contactValues(items...) }
	}
	set := func(k string, v any) func(map[string]any) { return func(b map[string]any) { b[k] = v } }
	badConfig := set("formModuleConfigId", 1)
	for name, tc := range map[string]struct {
		body any
		want []string
	}{
		"1 marker of another form, before everything else": {contactBody(values(field("nope", "string", "x"), field("message", "text", "bare")), badConfig),
			[]string{"form contact_us has no attribute nope"}},
		"1 locale": {contactBody(set("formData", map[string]any{"english": []any{}}), badConfig), []string{"formData: english is not a locale"}},
		"1 locale not active": {contactBody(set("formData", map[string]any{"de_DE": []any{}}), badConfig),
			[]string{"formData: de_DE is not an active locale of the project"}},
		"1 two locales": {contactBody(set("formData", map[string]any{"en_US": []any{}, "ru_RU": []any{}})),
			[]string{"formData must hold the values of exactly one locale"}},
		"1 flat list": {contactBody(set("formData", []any{field("name", "string", "Ann")})),
			[]string{`formData must be an object keyed by locale, such as {"en_US": [{"marker": "name", "value": "…"}]}`}},
		"1 item without marker": {contactBody(values(map[string]any{"value": "x"})), []string{"formData.en_US[0] must be an object with a marker and a value"}},
		"2 required, before types and config": {contactBody(values(field("email", "string", "not an address"), field("message", "text", "bare")), badConfig),
			[]string{"required values are missing or incorrect: name"}},
		"2 every required marker": {contactBody(values(field("name", "string", ""), field("message", "text", plain("  ")))),
			[]string{"required values are missing or incorrect: name", "required values are missing or incorrect: message"}},
		"3 text shape, before the config": {contactBody(values(field("name", "string", "Ann"), field("message", "text", "bare")), badConfig),
			[]string{"message: a text value must be a list of one object with exactly one of plainValue, htmlValue, mdValue"}},
		"3 validator": {contactBody(values(field("name", "string", "Ann"), field("email", "string", "ann at example"), field("message", "text", plain("Hi")))),
			[]string{"email must be an e-mail address"}},
		"3 type": {contactBody(values(field("name", "integer", "Ann"), field("message", "text", plain("Hi")))), []string{"name must have type string, not integer"}},
		"4 form type, before the config": {map[string]any{"formIdentifier": "tickets_form", "formModuleConfigId": contactConfig, "moduleEntityIdentifier": "8",
			"formData": map[string]any{"en_US": []any{field("tickets", "entity", []string{"p-8-10"})}}}, []string{"Form has incorrect type: order"}},
		"5 config of another form":     {contactBody(badConfig), []string{"Incorrect formIdentifier for provided config"}},
		"5 config that does not exist": {contactBody(set("formModuleConfigId", 999)), []string{"Incorrect formIdentifier for provided config"}},
		"5 unknown form":               {contactBody(set("formIdentifier", "nope")), []string{"Incorrect formIdentifier for provided config"}},
		"entity the config does not bind": {contactBody(set("moduleEntityIdentifier", "about")),
			[]string{"Incorrect moduleEntityIdentifier for provided config"}},
		"body key":        {contactBody(set("hack", true)), []string{"property hack should not exist"}},
		"config id shape": {contactBody(set("formModuleConfigId", "2")), []string{"formModuleConfigId must be an integer"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			status, body := ts.submit(t, "", tc.body)
			require.Equal(t, http.StatusBadRequest, status, string(body))
			assert.Equal(t, tc.want, decodeError(t, status, body).messages())
		})
	}
	t.Run("nothing stored", func(t *testing.T) {
		t.Parallel()
		assert.Empty(t, ts.exportedFormData(t))
	})
}

func TestFormDataTextValues(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	for name, tc := range map[string]struct {
		value any
		ok    bool
	}{
		"plainValue":             {plain("Hi"), true},
		"htmlValue":              {[]map[string]string{{"htmlValue": "<p>Hi</p>"}}, true},
		"mdValue":                {[]map[string]string{{"mdValue": "**Hi**"}}, true},
		"bare string":            {"Hi", false},
		"list of strings":        {[]string{"Hi"}, false},
		"value key":              {[]map[string]string{{"value": "Hi"}}, false},
		"two keys":               {[]map[string]string{{"plainValue": "Hi", "htmlValue": "<p>Hi</p>"}}, false},
		"params beside":          {[]map[string]any{{"plainValue": "Hi", "params": map[string]bool{"isEditorDisabled": false}}}, false},
		"entity four-key shape":  {[]map[string]any{{"htmlValue": "<p>Hi</p>", "plainValue": "Hi", "mdValue": "", "params": map[string]bool{}}}, false},
		"two objects":            {[]map[string]string{{"plainValue": "Hi"}, {"plainValue": "again"}}, false},
		"object without a list":  {map[string]string{"plainValue": "Hi"}, false},
		"number in a text value": {[]map[string]int{{"plainValue": 1}}, false},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			body := contactBody(func(b map[string]any) {
				b["formData"] = contactValues(field("name", "string", "Ann"), field("message", "text", tc.value))
			})
			status, data := ts.submit(t, "", body)
			if tc.ok {
				require.Equal(t, http.StatusCreated, status, string(data))
				got := decode[map[string]any](t, data)["formData"].(map[string]any)["formData"].([]any)
				assert.JSONEq(t, mustJSON(t, tc.value), mustJSON(t, got[1].(map[string]any)["value"]), "the value is stored as sent")
				return
			}
			require.Equal(t, http.StatusBadRequest, status, string(data))
			assert.Equal(t, []string{"message: a text value must be a list of one object with exactly one of plainValue, htmlValue, mdValue"}, decodeError(t, status, data).messages())
		})
	}
}

// contactWithDates is contact_us with an optional field of each date type: visit (date),
// arrival (dateTime) and slot (time).
func contactWithDates(t *testing.T) *store.Fixtures {
	return contactWith(t,
		map[string]any{"marker": "visit", "type": "date"},
		map[string]any{"marker": "arrival", "type": "dateTime"},
		map[string]any{"marker": "slot", "type": "time"})
}

// A submission's date, dateTime and time values carry all of fullDate, formattedValue and
// formatString; unlike an entity's, they cannot be left out or cleared.
func TestFormDataDateValues(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive), withFixtures(contactWithDates(t)))
	full := map[string]any{"fullDate": "2026-03-12T00:00:00.000Z", "formattedValue": "12-03-2026", "formatString": "DD-MM-YYYY"}
	without := func(key string) map[string]any {
		v := map[string]any{}
		for k, x := range full {
			if k != key {
				v[k] = x
			}
		}
		return v
	}
	shape := `visit: a date value must be an object with fullDate, formattedValue and formatString, such as {"fullDate": "2026-03-12T00:00:00.000Z", "formattedValue": "12-03-2026", "formatString": "DD-MM-YYYY"}`
	for name, tc := range map[string]struct {
		value any
		want  string
	}{
		"all three":              {full, ""},
		"fullDate alone":         {map[string]any{"fullDate": "2026-03-12T00:00:00.000Z"}, shape},
		"no formattedValue":      {without("formattedValue"), shape},
		"no formatString":        {without("formatString"), shape},
		"empty string":           {"", shape},
		"empty object":           {map[string]any{}, shape},
		"null":                   {nil, shape},
		"scalar":                 {"2026-03-12", shape},
		"number":                 {12, shape},
		"formatString no string": {map[string]any{"fullDate": "2026-03-12T00:00:00.000Z", "formattedValue": "12-03-2026", "formatString": 1}, shape},
		"empty fullDate":         {map[string]any{"fullDate": "", "formattedValue": "", "formatString": ""}, `visit: fullDate "" is not an ISO 8601 timestamp, such as 2026-03-12T00:00:00.000Z`},
		"fullDate not a time":    {map[string]any{"fullDate": "12-03-2026", "formattedValue": "12-03-2026", "formatString": "DD-MM-YYYY"}, `visit: fullDate "12-03-2026" is not an ISO 8601 timestamp, such as 2026-03-12T00:00:00.000Z`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ts.checkContactValue(t, field("visit", "date", tc.value), tc.want)
		})
	}
	t.Run("each date type names its usual format", func(t *testing.T) {
		t.Parallel()
		status, data := ts.submit(t, "", contactBody(func(b map[string]any) {
			b["formData"] = contactValues(field("name", "string", "Ann"), field("message", "text", plain("Hi")),
				field("arrival", "dateTime", ""), field("slot", "time", ""))
		}))
		require.Equal(t, http.StatusBadRequest, status, string(data))
		msgs := decodeError(t, status, data).messages()
		require.Len(t, msgs, 2)
		assert.Contains(t, msgs[0], `arrival: a dateTime value must be an object`)
		assert.Contains(t, msgs[0], `"formatString": "DD-MM-YYYY HH:mm"`)
		assert.Contains(t, msgs[1], `slot: a time value must be an object`)
		assert.Contains(t, msgs[1], `"formatString": "HH:mm"`)
	})
}

// A list field's options may be written as SDK 1.0.149 types them (title, value, position,
// extended): the form is served with them, and a submission takes their values only.
func TestListOptionsInTheSDKsShape(t *testing.T) {
	t.Parallel()
	fx := editFixtures(t, map[string]func(v any) any{"forms.json": func(v any) any {
		for _, f := range v.([]any) {
			form := f.(map[string]any)
			if form["identifier"] != "contact_us" {
				continue
			}
			attrs := form["attributes"].([]any)
			colour := decode[map[string]any](t, []byte(mustJSON(t, attrs[0])))
			colour["marker"], colour["type"], colour["position"], colour["validators"] = "colour", "list", len(attrs)+1, map[string]any{}
			colour["listTitles"] = []any{
				map[string]any{"title": "Red", "value": "red", "position": 1, "extended": map[string]any{"value": "#ff0000", "type": "color"}},
				map[string]any{"title": "Blue", "value": "blue", "position": 2, "extended": nil},
			}
			form["attributes"] = append(attrs, colour)
		}
		return v
	}})
	ts := newTestServer(t, withProfile(sandbox.ProfileLive), withFixtures(fx))
	status, body := ts.call(t, http.MethodGet, "/api/content/forms/marker/contact_us?langCode=en_US", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Contains(t, string(body), `"value":"#ff0000"`, "the options are served as written")
	with := func(value any) map[string]any {
		return contactBody(func(b map[string]any) {
			b["formData"] = contactValues(field("name", "string", "Ann"), field("message", "text", plain("Hi")), field("colour", "list", value))
		})
	}
	status, body = ts.submit(t, "", with([]string{"blue"}))
	require.Equal(t, http.StatusCreated, status, string(body))
	status, body = ts.submit(t, "", with([]string{"green"}))
	assertRefused(t, status, body, http.StatusBadRequest, `colour: "green" is not an option of this field`)
}

// A submission is stored with the status its body asks for, sent or approved, as OneEntry's
// create-reviews code posts a review approved and reads approved ones back; sent without one.
// A config with isModerate holds it in moderation whatever it asks.
func TestSubmissionsStatusIsTheOneItIsSentWith(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	ts.submitOK(t, "", contactBody(func(b map[string]any) { b["status"] = "approved" }))
	ts.submitOK(t, "", contactBody(func(b map[string]any) { b["status"] = nil }))
	before := stateDocument(t, ts)
	for _, refused := range []string{"banned", "deleted", "moderation", "new"} {
		status, body := ts.submit(t, "", contactBody(func(b map[string]any) { b["status"] = refused }))
		assertRefused(t, status, body, http.StatusBadRequest, "status must be one of the following values: sent, approved")
	}
	assert.Equal(t, before, stateDocument(t, ts))
	subs := ts.exportedFormData(t)
	require.Len(t, subs, 2)
	assert.Equal(t, []string{"approved", "sent"}, []string{subs[0].Status, subs[1].Status})
	approved := ts.readFormData(t, "", "formModuleConfigId=2", map[string]any{"status": []string{"approved"}})
	assert.Equal(t, 1, approved.Total)

	moderated := newTestServer(t, withProfile(sandbox.ProfileLive), withFixtures(moderatedContactFixtures(t, false)))
	moderated.submitOK(t, "", contactBody(func(b map[string]any) { b["status"] = "approved" }))
	assert.Equal(t, "moderation", moderated.exportedFormData(t)[0].Status)
}

// A rating form takes a submission only with the visitor's x-device-metadata, under live.
func TestRatingSubmissionsNeedTheDevice(t *testing.T) {
	t.Parallel()
	rating := editFixtures(t, map[string]func(v any) any{"forms.json": func(v any) any {
		for _, f := range v.([]any) {
			if form := f.(map[string]any); form["identifier"] == "contact_us" {
				form["type"] = "rating"
			}
		}
		return v
	}})
	ts := newTestServer(t, withProfile(sandbox.ProfileLive), withFixtures(rating))
	status, body := ts.submit(t, "", contactBody())
	assertRefused(t, status, body, http.StatusBadRequest, "Missing x-device-metadata header")
	assert.Empty(t, ts.exportedFormData(t))
	status, body = ts.callWith(t, http.MethodPost, formDataPath+"?langCode=en_US", "", contactBody(), deviceHeaders)
	require.Equal(t, http.StatusCreated, status, string(body))

	seed := newTestServer(t, withProfile(sandbox.ProfileSDK115), withFixtures(rating))
	status, body = seed.submit(t, "", contactBody())
	require.Equal(t, http.StatusCreated, status, "the 2025 API asked for no device: %s", body)
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return string(data)
}

func TestFormDataReadsByMarkerAndOwnerChanges(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	ts.clock.Freeze() // "dates covering today" must be the day the entries were sent
	owner := ts.signIn(t, userLogin, userPass)
	stranger := ts.signIn(t, user2, user2Pass)

	status, data := ts.submit(t, "", contactBody())
	require.Equal(t, http.StatusCreated, status, string(data))
	posted := decode[map[string]any](t, data)
	assert.Equal(t, "Thank you! We will get back to you soon.", posted["actionMessage"])
	entry := posted["formData"].(map[string]any)
	assert.Nil(t, entry["userIdentifier"], "an anonymous submission is nobody's")
	assert.Equal(t, float64(contactConfig), entry["formModuleId"])
	ts.submitOK(t, "", contactBody())
	mine := ts.submitOK(t, owner.AccessToken, contactBody())

	all := ts.readFormData(t, "", "formModuleConfigId=2&langCode=en_US&offset=0&limit=30", map[string]any{})
	require.Equal(t, 3, all.Total)
	assert.Equal(t, float64(mine), all.Items[0]["id"], "newest first")
	assert.Equal(t, userLogin, all.Items[0]["userIdentifier"])
	assert.Equal(t, "content", all.Items[0]["moduleIdentifier"])
	assert.NotContains(t, all.Items[0], "depth", "the comment fields are the extended mode's")
	paged := ts.readFormData(t, "", "formModuleConfigId=2&offset=1&limit=1", nil)
	assert.Equal(t, 3, paged.Total)
	require.Len(t, paged.Items, 1)
	assert.Equal(t, float64(mine-1), paged.Items[0]["id"])
	extended := ts.readFormData(t, "", "formModuleConfigId=2&isExtended=1", nil)
	assert.Contains(t, extended.Items[0], "depth")
	for name, tc := range map[string]struct {
		query  string
		filter any
		want   int
	}{
		"foreign config":     {"formModuleConfigId=1", nil, 0},
		"other locale":       {"formModuleConfigId=2&langCode=ru_RU", nil, 0},
		"entity":             {"formModuleConfigId=2", map[string]any{"entityIdentifier": "contacts"}, 3},
		"other entity":       {"formModuleConfigId=2", map[string]any{"entityIdentifier": "about"}, 0},
		"user":               {"formModuleConfigId=2", map[string]any{"userIdentifier": userLogin}, 1},
		"status":             {"formModuleConfigId=2", map[string]any{"status": []string{"approved"}}, 0},
		"one status as text": {"formModuleConfigId=2", map[string]any{"status": "sent"}, 3},
		// The SDK's own example body sends every filter it does not use as "".
		"the SDK's example body": {"formModuleConfigId=2", map[string]any{"entityIdentifier": "contacts", "userIdentifier": "", "status": "", "dateFrom": "2025-08-11", "dateTo": ""}, 3},
		"dates covering today":   {"formModuleConfigId=2", map[string]any{"dateFrom": ts.clock.Now().UTC().Format("2006-01-02"), "dateTo": ts.clock.Now().UTC().Format("2006-01-02")}, 3},
		"dates before":           {"formModuleConfigId=2", map[string]any{"dateTo": "2000-01-01 00:00:00"}, 0},
		"root-level entries":     {"formModuleConfigId=2", map[string]any{"parentId": 0}, 3},
		"replies to an entry":    {"formModuleConfigId=2", map[string]any{"parentId": mine}, 0},
		"sent by an operator":    {"formModuleConfigId=2", map[string]any{"isSentByAdmin": true}, 0},
		"sent by anyone":         {"formModuleConfigId=2", map[string]any{"isSentByAdmin": false}, 3},
	} {
		assert.Equal(t, tc.want, ts.readFormData(t, "", tc.query, tc.filter).Total, name)
	}
	for name, filter := range map[string]any{
		"ISO date":               map[string]any{"dateFrom": "2026-08-01T00:00:00Z"},
		"unknown key":            map[string]any{"limit": 10},
		"unknown status":         map[string]any{"status": []string{"SENT"}},
		"unknown status as text": map[string]any{"status": "new"},
		"parent id text":         map[string]any{"parentId": "12"},
	} {
		status, body := ts.call(t, http.MethodPost, "/api/content/form-data/marker/contact_us?formModuleConfigId=2", "", filter)
		assert.Equal(t, http.StatusBadRequest, status, name)
		decodeError(t, status, body)
	}
	status, body := ts.call(t, http.MethodPost, "/api/content/form-data/marker/nope?formModuleConfigId=2", "", nil)
	assert.Equal(t, http.StatusNotFound, status, string(body))
	// A form is private unless its fixture says otherwise (contact_us does), whoever asks.
	status, body = ts.call(t, http.MethodPost, "/api/content/form-data/marker/tickets_form?formModuleConfigId=1", owner.AccessToken, nil)
	require.Equal(t, http.StatusForbidden, status, string(body))
	assert.Equal(t, []string{"This form's submissions are not publicly readable"}, decodeError(t, status, body).messages())

	path := formDataPath + "/" + strconv.Itoa(mine)
	update := map[string]any{"formData": contactValues(field("name", "string", "Ann B."), field("message", "text", []map[string]string{{"mdValue": "*Soon*"}}))}
	status, body = ts.call(t, http.MethodPut, path, stranger.AccessToken, update)
	assert.Equal(t, http.StatusNotFound, status, "another user's submission: %s", body)
	status, body = ts.call(t, http.MethodPut, path, "", update)
	assert.Equal(t, http.StatusUnauthorized, status, string(body))
	status, body = ts.call(t, http.MethodPut, path, owner.AccessToken, map[string]any{"formData": contactValues(field("message", "text", plain("x")))})
	assert.Equal(t, http.StatusBadRequest, status, "an update passes the field checks: %s", body)
	status, body = ts.call(t, http.MethodPut, path, owner.AccessToken, update)
	require.Equal(t, http.StatusOK, status, string(body))
	updated := decode[map[string]any](t, body)
	assert.Equal(t, userLogin, updated["userIdentifier"])
	assert.Equal(t, "Ann B.", updated["formData"].([]any)[0].(map[string]any)["value"])

	statusPath := path + "/update-status"
	status, body = ts.call(t, http.MethodPut, statusPath, owner.AccessToken, map[string]string{"status": "approved"})
	assert.Equal(t, http.StatusForbidden, status, "approval is an operator's: %s", body)
	status, body = ts.call(t, http.MethodPut, statusPath, owner.AccessToken, map[string]string{"status": "closed"})
	assert.Equal(t, http.StatusBadRequest, status, string(body))
	status, body = ts.call(t, http.MethodPut, statusPath, owner.AccessToken, map[string]string{"status": "deleted"})
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, "true", string(body))
	assert.Equal(t, 2, ts.readFormData(t, "", "formModuleConfigId=2", nil).Total, "a deleted status leaves reads")

	status, _ = ts.call(t, http.MethodDelete, path, stranger.AccessToken, nil)
	assert.Equal(t, http.StatusNotFound, status)
	status, body = ts.call(t, http.MethodDelete, path, owner.AccessToken, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, "true", string(body))
	status, _ = ts.call(t, http.MethodDelete, path, owner.AccessToken, nil)
	assert.Equal(t, http.StatusNotFound, status)
	assert.Len(t, ts.exportedFormData(t), 2)
}

// moderatedContactFixtures are the default fixtures with contact_us's config moderated and,
// when viewOwn is set, showing readers only their own submissions.
func moderatedContactFixtures(t *testing.T, viewOwn bool) *store.Fixtures {
	t.Helper()
	fx := mocktest.DefaultFixtures(t)
	cfg, _, ok := fx.ModuleFormConfig(contactConfig)
	require.True(t, ok)
	cfg.IsModerate, cfg.ViewOnlyUserData = true, viewOwn
	return fx
}

func TestModeratedSubmissionsWaitForApproval(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive), withFixtures(moderatedContactFixtures(t, false)))
	id := ts.submitOK(t, "", contactBody())
	assert.Equal(t, 0, ts.readFormData(t, "", "formModuleConfigId=2", nil).Total, "held in moderation")
	assert.Equal(t, 0, ts.readFormData(t, "", "formModuleConfigId=2", map[string]any{"status": []string{"moderation"}}).Total,
		"a visitor cannot ask for the held ones")
	assert.Equal(t, "moderation", ts.exportedFormData(t)[0].Status)

	status, body := ts.callWith(t, http.MethodPost, "/__admin/form-data/"+strconv.Itoa(id)+"/approve", "", nil, map[string]string{"x-app-token": appToken})
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, "approved", decode[map[string]any](t, body)["status"])
	read := ts.readFormData(t, "", "formModuleConfigId=2", nil)
	require.Equal(t, 1, read.Total)
	assert.Equal(t, "approved", read.Items[0]["status"])
	status, _ = ts.callWith(t, http.MethodPost, "/__admin/form-data/999/approve", "", nil, map[string]string{"x-app-token": appToken})
	assert.Equal(t, http.StatusNotFound, status)

	// One its author deleted stays deleted: readers no longer see it.
	ts.setFirstSubmission(t, func(sub map[string]any) { sub["status"] = "deleted" })
	before := stateDocument(t, ts)
	status, body = ts.callWith(t, http.MethodPost, "/__admin/form-data/"+strconv.Itoa(id)+"/approve", "", nil, map[string]string{"x-app-token": appToken})
	assertRefused(t, status, body, http.StatusConflict, "deleted by its author")
	assert.Equal(t, before, stateDocument(t, ts), "the refused approval changed nothing")
	assert.Equal(t, 0, ts.readFormData(t, "", "formModuleConfigId=2", nil).Total)

	// A state document whose submission has null form data imports it as none, and the
	// approval answers an empty list, as the contract says.
	ts.setFirstSubmission(t, func(sub map[string]any) { sub["formData"], sub["status"] = nil, "moderation" })
	status, body = ts.callWith(t, http.MethodPost, "/__admin/form-data/"+strconv.Itoa(id)+"/approve", "", nil, map[string]string{"x-app-token": appToken})
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, []any{}, decode[map[string]any](t, body)["formData"])

	// Submissions are journalled like any request, bodies included.
	status, body = ts.callWith(t, http.MethodGet, "/__admin/requests?method=POST&path=/api/content/form-data", "", nil, map[string]string{"x-app-token": appToken})
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Contains(t, string(body), `"formIdentifier":"contact_us"`)
}

// A submission in moderation or banned stays as the operator has it: its author can change
// neither its status nor its values, nor delete it (403), and nothing changes.
func TestAnAuthorCannotChangeASubmissionHeldOrBanned(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive), withFixtures(moderatedContactFixtures(t, false)))
	owner := ts.signIn(t, userLogin, userPass)
	id := ts.submitOK(t, owner.AccessToken, contactBody())
	path := "/api/content/form-data/" + strconv.Itoa(id)
	for _, held := range []string{"moderation", "banned"} {
		ts.setFirstSubmission(t, func(sub map[string]any) { sub["status"] = held })
		before := stateDocument(t, ts)
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{http.MethodPut, path + "/update-status", map[string]string{"status": "deleted"}},
			{http.MethodPut, path, map[string]any{"formData": contactValues(field("name", "string", "Mallory"), field("email", "string", "m@example.com"), field("message", "text", plain("x")))}},
			{http.MethodDelete, path, nil},
		} {
			status, body := ts.call(t, c.method, c.path, owner.AccessToken, c.body)
			assertRefused(t, status, body, http.StatusForbidden, "Forbidden resource")
		}
		assert.Equal(t, before, stateDocument(t, ts), "%s: nothing changed", held)
	}
}

func TestViewOnlyUserDataShowsReadersTheirOwn(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive), withFixtures(moderatedContactFixtures(t, true)))
	owner := ts.signIn(t, userLogin, userPass)
	id := ts.submitOK(t, owner.AccessToken, contactBody())
	ts.callWith(t, http.MethodPost, "/__admin/form-data/"+strconv.Itoa(id)+"/approve", "", nil, map[string]string{"x-app-token": appToken})
	assert.Equal(t, 0, ts.readFormData(t, "", "formModuleConfigId=2", nil).Total)
	assert.Equal(t, 0, ts.readFormData(t, ts.signIn(t, user2, user2Pass).AccessToken, "formModuleConfigId=2", nil).Total)
	assert.Equal(t, 1, ts.readFormData(t, owner.AccessToken, "formModuleConfigId=2", nil).Total)
}

func TestFormsServeModuleConfigsUnderTheLiveProfileOnly(t *testing.T) {
	t.Parallel()
	live := newTestServer(t, withProfile(sandbox.ProfileLive))
	status, body := live.call(t, http.MethodGet, "/api/content/forms/marker/tickets_form?langCode=en_US", "", nil)
	require.Equal(t, http.StatusOK, status)
	configs := decode[map[string]any](t, body)["moduleFormConfigs"].([]any)
	require.Len(t, configs, 1)
	assert.JSONEq(t, `{"id":1,"formId":9,"moduleId":3,"isGlobal":false,"entityIdentifiers":[{"id":8,"isNumeric":true,"childrenOn":true}],"isClosed":false,"isModerate":false,"viewOnlyUserData":false,"commentOnlyUserData":false}`,
		mustJSON(t, configs[0]))
	status, body = live.call(t, http.MethodGet, "/api/content/forms/marker/contact_us?langCode=en_US", "", nil)
	require.Equal(t, http.StatusOK, status)
	contact := decode[map[string]any](t, body)
	assert.Equal(t, "Contact us", contact["localizeInfos"].(map[string]any)["title"])
	assert.Equal(t, float64(12), contact["id"])

	seed := newTestServer(t, withProfile(sandbox.ProfileSDK115))
	status, body = seed.call(t, http.MethodGet, "/api/content/forms/marker/tickets_form?langCode=en_US", "", nil)
	require.Equal(t, http.StatusOK, status)
	recorded, err := os.ReadFile("../fixtures/recorded/form-tickets_form.json")
	require.NoError(t, err)
	assert.JSONEq(t, string(recorded), string(body), "the seed's answer, as recorded")
}

// SDK 1.0.115 submits {formIdentifier, formData} only: the 2025 API took that, filing the
// values under the form (its first config here); today's requires the config and its entity.
func TestSubmissionsWithoutAConfigUnderTheSeedProfileOnly(t *testing.T) {
	t.Parallel()
	withoutConfig := contactBody(func(b map[string]any) {
		delete(b, "formModuleConfigId")
		delete(b, "moduleEntityIdentifier")
		delete(b, "replayTo")
		delete(b, "status")
	})
	underEachProfile(t, func(t *testing.T, ts *testServer, p sandbox.Profile) {
		before := stateDocument(t, ts)
		status, body := ts.submit(t, "", withoutConfig)
		if !p.RequestBodies2025 {
			require.Equal(t, http.StatusBadRequest, status, string(body))
			assert.Equal(t, []string{"formModuleConfigId is required", "moduleEntityIdentifier is required"}, decodeError(t, status, body).messages())
			assert.Equal(t, before, stateDocument(t, ts))
			return
		}
		require.Equal(t, http.StatusCreated, status, string(body))
		written := decode[struct{ FormData map[string]any }](t, body).FormData
		assert.Equal(t, float64(contactConfig), written["formModuleId"], "the form's first config")
		assert.Equal(t, "", written["entityIdentifier"])
		status, body = ts.call(t, http.MethodGet, "/api/content/form-data/marker/contact_us?langCode=en_US&offset=0&limit=30", "", nil)
		require.Equal(t, http.StatusOK, status, string(body))
		assert.Equal(t, float64(1), decode[map[string]any](t, body)["total"], "SDK 1.0.115's getFormsDataByMarker reads it back")

		// What the 2025 API still checked: the fields, and a config when one is named.
		status, body = ts.submit(t, "", contactBody(func(b map[string]any) { delete(b, "formModuleConfigId"); b["formData"] = contactValues() }))
		require.Equal(t, http.StatusBadRequest, status, string(body))
		assert.Contains(t, decodeError(t, status, body).messages()[0], "required values are missing or incorrect")
		status, body = ts.submit(t, "", contactBody(func(b map[string]any) { b["formModuleConfigId"] = 1 }))
		require.Equal(t, http.StatusBadRequest, status, string(body))
		assert.Equal(t, []string{"Incorrect formIdentifier for provided config"}, decodeError(t, status, body).messages())
	})

	// The first config's settings apply; a form with none takes no submission.
	contactConfigs := func(edit func(configs []any) []any) *store.Fixtures {
		return editFixtures(t, map[string]func(v any) any{"forms.json": func(v any) any {
			for _, f := range v.([]any) {
				if form := f.(map[string]any); form["identifier"] == "contact_us" {
					form["moduleFormConfigs"] = edit(form["moduleFormConfigs"].([]any))
				}
			}
			return v
		}})
	}
	for name, c := range map[string]struct {
		fixtures *store.Fixtures
		status   int
		message  string
	}{
		"closed first config": {contactConfigs(func(cs []any) []any { cs[0].(map[string]any)["isClosed"] = true; return cs }), http.StatusForbidden, "Form is closed for submissions"},
		"no config":           {contactConfigs(func([]any) []any { return []any{} }), http.StatusBadRequest, "Incorrect formIdentifier for provided config"},
	} {
		ts := newTestServer(t, withProfile(sandbox.ProfileSDK115), withFixtures(c.fixtures))
		before := stateDocument(t, ts)
		status, body := ts.submit(t, "", withoutConfig)
		require.Equal(t, c.status, status, "%s: %s", name, body)
		assert.Equal(t, []string{c.message}, decodeError(t, status, body).messages(), name)
		assert.Equal(t, before, stateDocument(t, ts), name)
	}
}

func TestFormDataSurvivesARestartOnTheSameDataDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	start := func() (*testServer, func()) {
		ts, _, stop := startOnDataDir(t, dir, withFixtures(moderatedContactFixtures(t, false)), withProfile(sandbox.ProfileLive))
		return ts, stop
	}
	first, stop := start()
	held := first.submitOK(t, "", contactBody())
	approved := first.submitOK(t, "", contactBody())
	status, _ := first.callWith(t, http.MethodPost, "/__admin/form-data/"+strconv.Itoa(approved)+"/approve", "", nil, map[string]string{"x-app-token": appToken})
	require.Equal(t, http.StatusOK, status)
	stop()

	second, stop := start()
	t.Cleanup(stop)
	read := second.readFormData(t, "", "formModuleConfigId=2", nil)
	require.Equal(t, 1, read.Total, "the approval survived")
	assert.Equal(t, float64(approved), read.Items[0]["id"])
	status, _ = second.callWith(t, http.MethodPost, "/__admin/form-data/"+strconv.Itoa(held)+"/approve", "", nil, map[string]string{"x-app-token": appToken})
	require.Equal(t, http.StatusOK, status, "the held one survived too")
	assert.Equal(t, approved+1, second.submitOK(t, "", contactBody()), "ids continue")

	// Reset drops them, as it drops orders.
	status, _ = second.callWith(t, http.MethodPost, "/__admin/reset", "", nil, map[string]string{"x-app-token": appToken})
	require.Equal(t, http.StatusOK, status)
	assert.Empty(t, second.exportedFormData(t))
}

func TestStateImportChecksFormData(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	ts.submitOK(t, "", contactBody())
	_, exported := ts.callWith(t, http.MethodGet, "/__admin/state", "", nil, nil)
	doc := decode[store.StateDocument](t, exported)
	require.Len(t, doc.FormData, 1)
	assert.Equal(t, 2, doc.Counters.NextFormDataID)

	doc.FormData[0].FormModuleConfigID = 1
	status, body := ts.callWith(t, http.MethodPut, "/__admin/state", "", doc, nil)
	require.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, decodeError(t, status, body).messages()[0], "formData[0].formIdentifier")

	// A document from before submissions were kept imports, its counter derived.
	old := decode[map[string]any](t, exported)
	delete(old, "formData")
	delete(old["counters"].(map[string]any), "nextFormDataId")
	status, body = ts.callWith(t, http.MethodPut, "/__admin/state", "", old, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, 1, decode[store.StateDocument](t, body).Counters.NextFormDataID)
}

// adminFormData exercises the approval call for the admin contract.
func adminFormData(t *testing.T, ac *adminContract) {
	ts := newTestServer(t, withProfile(sandbox.ProfileLive), withFixtures(moderatedContactFixtures(t, false)))
	id := ts.submitOK(t, "", contactBody())
	sandboxed := map[string]string{"x-app-token": appToken}
	approve := "/__admin/form-data/" + strconv.Itoa(id) + "/approve"
	ac.do(t, ts, adminCall{method: http.MethodPost, path: approve, headers: sandboxed, status: http.StatusOK})
	ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/form-data/0/approve", headers: sandboxed, status: http.StatusBadRequest, badRequest: true})
	ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/form-data/99/approve", headers: sandboxed, status: http.StatusNotFound})
	ts.setFirstSubmission(t, func(sub map[string]any) { sub["status"] = "deleted" })
	ac.do(t, ts, adminCall{method: http.MethodPost, path: approve, headers: sandboxed, status: http.StatusConflict})
}

// setFirstSubmission changes the sandbox's first submission as its state document holds it:
// the author of one held in moderation cannot change its status through the content API.
func (ts *testServer) setFirstSubmission(t *testing.T, change func(map[string]any)) {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(stateDocument(t, ts)), &doc))
	change(doc["formData"].([]any)[0].(map[string]any))
	status, body := ts.callWith(t, http.MethodPut, "/__admin/state", "", doc, nil)
	require.Equal(t, http.StatusOK, status, string(body))
}

// FuzzFormDataBody sends arbitrary submission bodies to POST /form-data and, as updates, to
// PUT /form-data/{id}: never a 5xx, and a refused body stores nothing.
func FuzzFormDataBody(f *testing.F) {
	h, token := handlerWithUser(f)
	rec := serveAPI(h, http.MethodPost, formDataPath, token, bytes.NewReader([]byte(mustJSON(f, contactBody()))))
	require.Equal(f, http.StatusCreated, rec.Code, rec.Body.String())
	updatePath := formDataPath + "/1"
	for _, seed := range []string{
		`{"formIdentifier":"contact_us","formModuleConfigId":2,"moduleEntityIdentifier":"contacts","formData":{"en_US":[{"marker":"name","type":"string","value":"Ann"},{"marker":"message","type":"text","value":[{"plainValue":"Hi"}]}]}}`,
		`{"formIdentifier":"contact_us","formModuleConfigId":2,"moduleEntityIdentifier":"contacts","formData":{"en_US":[{"marker":"message","value":[{"htmlValue":"<p>x</p>","mdValue":"x"}]}]}}`,
		`{"formIdentifier":"tickets_form","formModuleConfigId":1,"moduleEntityIdentifier":"8","formData":{"en_US":[null,{"marker":"tickets","value":[{"id":{}}]}]}}`,
		`{"formData":{"en_US":[{"marker":"name","value":"Ann"}]}}`,
		`{"formIdentifier":"contact_us","formModuleConfigId":99999999999999999999,"moduleEntityIdentifier":"","formData":{}}`,
		`{`, `[]`, `null`, `""`, ``,
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, update bool) {
		before := serveAPI(h, http.MethodPost, "/api/content/form-data/marker/contact_us?formModuleConfigId=2&limit=1", token, nil).Body.String()
		method, path := http.MethodPost, formDataPath
		if update {
			method, path = http.MethodPut, updatePath
		}
		rec := serveAPI(h, method, path, token, bytes.NewReader(body))
		checkFuzzResponse(t, rec)
		if rec.Code >= 400 {
			after := serveAPI(h, http.MethodPost, "/api/content/form-data/marker/contact_us?formModuleConfigId=2&limit=1", token, nil).Body.String()
			if after != before {
				t.Fatalf("a refused body (%d) changed the submissions:\n%s\n%s", rec.Code, before, after)
			}
		}
	})
}

// A submission is taken on every entity a page or product read lists its config on: a page or
// product under an entry with childrenOn, and, of a global config, the entities of its module
// only.
func TestASubmissionIsTakenWhereTheReadsListItsConfig(t *testing.T) {
	t.Parallel()
	withConfig := func(config map[string]any) *testServer {
		fx := editFixtures(t, map[string]func(v any) any{store.FileForms: func(v any) any {
			for _, f := range v.([]any) {
				if f := f.(map[string]any); f["identifier"] == "contact_us" {
					c := f["moduleFormConfigs"].([]any)[0].(map[string]any)
					maps.Copy(c, config)
				}
			}
			return v
		}})
		return newTestServer(t, withProfile(sandbox.ProfileLive2026), withFixtures(fx))
	}
	on := func(entity string) func(map[string]any) {
		return func(b map[string]any) { b["moduleEntityIdentifier"] = entity }
	}
	listed := func(ts *testServer, path string) bool {
		status, body := ts.call(t, http.MethodGet, path, "", nil)
		require.Equal(t, http.StatusOK, status, string(body))
		return strings.Contains(string(body), `"formIdentifier":"contact_us"`)
	}

	nested := withConfig(map[string]any{"entityIdentifiers": []any{map[string]any{"id": "about", "isNumeric": false, "childrenOn": true}}})
	assert.True(t, listed(nested, "/api/content/pages/url/history"))
	nested.submitOK(t, "", contactBody(on("history")))
	status, body := nested.submit(t, "", contactBody(on("home")))
	assertRefused(t, status, body, http.StatusBadRequest, "Incorrect moduleEntityIdentifier for provided config")

	catalog := withConfig(map[string]any{"moduleId": 3, "moduleIdentifier": "catalog",
		"entityIdentifiers": []any{map[string]any{"id": 8, "isNumeric": true, "childrenOn": true}}})
	assert.True(t, listed(catalog, "/api/content/products/10"))
	catalog.submitOK(t, "", contactBody(on("10")))

	global := withConfig(map[string]any{"isGlobal": true, "entityIdentifiers": []any{}})
	assert.True(t, listed(global, "/api/content/pages/url/home"))
	assert.False(t, listed(global, "/api/content/products/10"), "a content config is no product's")
	global.submitOK(t, "", contactBody(on("home")))
	status, body = global.submit(t, "", contactBody(on("10")))
	assertRefused(t, status, body, http.StatusBadRequest, "Incorrect moduleEntityIdentifier for provided config")
}
