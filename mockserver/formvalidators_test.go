package mockserver_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// contactWith is contact_us with more optional fields, each {marker, type, validators}.
func contactWith(t *testing.T, fields ...map[string]any) *store.Fixtures {
	t.Helper()
	return editFixtures(t, map[string]func(v any) any{"forms.json": func(v any) any {
		for _, f := range v.([]any) {
			form := f.(map[string]any)
			if form["identifier"] != "contact_us" {
				continue
			}
			attrs := form["attributes"].([]any)
			for _, extra := range fields {
				attr := map[string]any{}
				for k, v := range attrs[0].(map[string]any) {
					attr[k] = v
				}
				attr["validators"] = map[string]any{}
				for k, v := range extra {
					attr[k] = v
				}
				attr["position"] = len(attrs) + 1
				attrs = append(attrs, attr)
			}
			form["attributes"] = attrs
		}
		return v
	}})
}

// Every validator the platform enforces on a submission is checked (platform notes,
// attribute-sets.md: all but the five stored for the panel only); a value that fails one is
// refused naming the field, and nothing is stored.
func TestFormDataValidators(t *testing.T) {
	t.Parallel()
	fx := contactWith(t,
		map[string]any{"marker": "nick", "type": "string", "validators": map[string]any{"stringInspectionValidator": map[string]any{"stringMin": "2", "stringMax": 5, "stringLength": 0}}},
		map[string]any{"marker": "pin", "type": "string", "validators": map[string]any{"stringInspectionValidator": map[string]any{"stringMin": "", "stringMax": "", "stringLength": "4"}}},
		// An exact stringLength wins over stringMin and stringMax (docs/api/forms.md).
		map[string]any{"marker": "short", "type": "string", "validators": map[string]any{"stringInspectionValidator": map[string]any{"stringMin": 6, "stringMax": 8, "stringLength": 4}}},
		map[string]any{"marker": "long", "type": "string", "validators": map[string]any{"stringInspectionValidator": map[string]any{"stringMax": 2, "stringLength": 4}}},
		map[string]any{"marker": "digits", "type": "string", "validators": map[string]any{"regExpValidator": map[string]any{"patternValue": "^[0-9]+$", "customErrorText": "Digits only"}}},
		map[string]any{"marker": "cyrillic", "type": "string", "validators": map[string]any{"regExpValidator": map[string]any{"patternValue": `^[\u0410-\u044f\u{401}\u{451}\s]+$`}}},
		map[string]any{"marker": "anything", "type": "string", "validators": map[string]any{"regExpValidator": map[string]any{"patternValue": `^[^]{2}\cJ?$`}}},
		map[string]any{"marker": "site", "type": "string", "validators": map[string]any{"urlInspectionValidator": true}},
		map[string]any{"marker": "seats", "type": "string", "validators": map[string]any{"checkForNumberValidator": map[string]any{"integerOnly": true, "minValue": "1", "maxValue": 10}}},
		map[string]any{"marker": "padded", "type": "string", "validators": map[string]any{"trimValidator": true, "stringInspectionValidator": map[string]any{"stringMax": "3"}}},
		map[string]any{"marker": "amount", "type": "string", "validators": map[string]any{"checkForNumberValidator": map[string]any{"minValue": "0.000001", "maxValue": 1000000}}},
		map[string]any{"marker": "note", "type": "text", "validators": map[string]any{"stringInspectionValidator": map[string]any{"stringMax": "5"}}},
		map[string]any{"marker": "panel", "type": "string", "validators": map[string]any{"checkForLettersValidator": true, "valueValidator": map[string]any{"x": 1}}},
	)
	ts := newTestServer(t, withProfile(sandbox.ProfileLive), withFixtures(fx))
	ts.checkContactValues(t, map[string]contactCase{
		"length within":           {field("nick", "string", "Anna"), ""},
		"length counts letters":   {field("nick", "string", "Ääkkö"), ""},
		"too long":                {field("nick", "string", "Annabel Lee"), "nick must be at most 5 characters long"},
		"too short":               {field("nick", "string", "A"), "nick must be at least 2 characters long"},
		"empty passes":            {field("nick", "string", ""), ""},
		"exact length":            {field("pin", "string", "1234"), ""},
		"not the exact length":    {field("pin", "string", "123"), "pin must be exactly 4 characters long"},
		"exact, under stringMin":  {field("short", "string", "1234"), ""},
		"within min and max":      {field("short", "string", "123456"), "short must be exactly 4 characters long"},
		"exact, over stringMax":   {field("long", "string", "1234"), ""},
		"within stringMax":        {field("long", "string", "12"), "long must be exactly 4 characters long"},
		"pattern":                 {field("digits", "string", "0123"), ""},
		"not the pattern":         {field("digits", "string", "abc"), "digits does not match the pattern ^[0-9]+$"},
		"javascript escapes":      {field("cyrillic", "string", "Ёлка и ёж"), ""},
		"not the escaped range":   {field("cyrillic", "string", "Ann"), `cyrillic does not match the pattern ^[\u0410-\u044f\u{401}\u{451}\s]+$`},
		"any character and a cJ":  {field("anything", "string", "\n\n\n"), ""},
		"not two characters":      {field("anything", "string", "abc"), `anything does not match the pattern ^[^]{2}\cJ?$`},
		"url":                     {field("site", "string", "https://example.com/a?b=c"), ""},
		"url without a scheme":    {field("site", "string", "example.com"), ""},
		"not a url":               {field("site", "string", "not a url"), "site must be a URL, such as https://example.com"},
		"url without a tld":       {field("site", "string", "http://localhost"), "site must be a URL, such as https://example.com"},
		"url of another scheme":   {field("site", "string", "javascript:alert(1)"), "site must be a URL, such as https://example.com"},
		"a mailto address":        {field("site", "string", "mailto:a@b.com"), "site must be a URL, such as https://example.com"},
		"angle brackets":          {field("site", "string", "https://example.com/<b>"), "site must be a URL, such as https://example.com"},
		"port out of range":       {field("site", "string", "https://example.com:99999"), "site must be a URL, such as https://example.com"},
		"port zero":               {field("site", "string", "http://example.com:0"), "site must be a URL, such as https://example.com"},
		"port in range":           {field("site", "string", "http://example.com:8080/x"), ""},
		"trailing dot":            {field("site", "string", "http://example.com."), "site must be a URL, such as https://example.com"},
		"empty user":              {field("site", "string", "http://@example.com"), "site must be a URL, such as https://example.com"},
		"number in range":         {field("seats", "string", "10"), ""},
		"number above the range":  {field("seats", "string", "500"), "seats must be at most 10"},
		"number below the range":  {field("seats", "string", "0"), "seats must be at least 1"},
		"bound as written, high":  {field("amount", "string", "2000000"), "amount must be at most 1000000"},
		"bound as written, low":   {field("amount", "string", "0"), "amount must be at least 0.000001"},
		"not a number":            {field("seats", "string", "ten"), "seats must be a number"},
		"not a whole number":      {field("seats", "string", "3.5"), "seats must be an integer"},
		"trimmed before measured": {field("padded", "string", "  abc  "), ""},
		"too long once trimmed":   {field("padded", "string", " abcd "), "padded must be at most 3 characters long"},
		"text measured":           {field("note", "text", plain("Hello")), ""},
		"text too long":           {field("note", "text", plain("Hello!")), "note must be at most 5 characters long"},
		"panel-only validators":   {field("panel", "string", "1234 !!"), ""},
	})
	t.Run("every failing field is named, nothing stored", func(t *testing.T) {
		t.Parallel()
		ts := newTestServer(t, withProfile(sandbox.ProfileLive), withFixtures(fx))
		status, data := ts.submit(t, "", contactBody(func(b map[string]any) {
			b["formData"] = contactValues(field("name", "string", "Ann"), field("message", "text", plain("Hi")),
				field("nick", "string", "Annabel Lee"), field("digits", "string", "abc"))
		}))
		require.Equal(t, http.StatusBadRequest, status, string(data))
		assert.Equal(t, []string{"nick must be at most 5 characters long", "digits does not match the pattern ^[0-9]+$"}, decodeError(t, status, data).messages())
		assert.Empty(t, ts.exportedFormData(t))
	})
}

// twhShape is the refusal of a textWithHeader value of another shape.
const twhShape = `faq: a textWithHeader value must be a list of objects with a header and its text, such as [{"header": "Title", "htmlValue": "<p>Body</p>"}]`

// A submission's real, textWithHeader and radioButton values have their types' shapes, and one
// that does not is refused before anything is stored.
func TestFormDataValueShapes(t *testing.T) {
	t.Parallel()
	fx := contactWith(t,
		map[string]any{"marker": "weight", "type": "real"},
		map[string]any{"marker": "faq", "type": "textWithHeader"},
		map[string]any{"marker": "colour", "type": "radioButton", "listTitles": []any{
			map[string]any{"title": "Red", "value": "red", "position": 1, "extended": map[string]any{"type": nil, "value": nil}},
			map[string]any{"title": "Blue", "value": "blue", "position": 2, "extended": map[string]any{"type": nil, "value": nil}},
		}},
	)
	ts := newTestServer(t, withProfile(sandbox.ProfileLive), withFixtures(fx))
	ts.checkContactValues(t, map[string]contactCase{
		"real":                {field("weight", "real", 2.5), ""},
		"real not a number":   {field("weight", "real", "abc"), "weight must be a number"},
		"heading and text":    {field("faq", "textWithHeader", []any{map[string]any{"header": "How", "htmlValue": "<p>Rinse</p>"}}), ""},
		"bare string heading": {field("faq", "textWithHeader", "How to use"), twhShape},
		"null text":           {field("faq", "textWithHeader", []any{map[string]any{"header": "How", "plainValue": nil}}), twhShape},
		"null heading":        {field("faq", "textWithHeader", []any{map[string]any{"header": nil, "plainValue": "Rinse"}}), twhShape},
		"one option":          {field("colour", "radioButton", []string{"red"}), ""},
		"two options":         {field("colour", "radioButton", []string{"red", "blue"}), `colour: a radioButton value is one chosen option, such as ["red"]`},
		"option of no field":  {field("colour", "radioButton", []string{"green"}), `colour: "green" is not an option of this field`},
	})
	t.Run("nothing stored", func(t *testing.T) {
		t.Parallel()
		ts := newTestServer(t, withProfile(sandbox.ProfileLive), withFixtures(fx))
		status, data := ts.submit(t, "", contactBody(func(b map[string]any) {
			b["formData"] = contactValues(field("name", "string", "Ann"), field("message", "text", plain("Hi")), field("colour", "radioButton", []string{"red", "blue"}))
		}))
		require.Equal(t, http.StatusBadRequest, status, string(data))
		assert.Empty(t, ts.exportedFormData(t))
	})
}

// A submission's timeInterval value is [[startISO, endISO], …], as orders read it, and is
// refused with the words an order gets; a plain submission books nothing, so any well-formed
// slot is taken, one outside the schedule or already begun included.
func TestFormDataTimeIntervalValues(t *testing.T) {
	t.Parallel()
	weekly := map[string]any{"title": "Slot", "intervals": []any{map[string]any{
		"id": "a", "range": []string{"2025-04-26T21:00:00.000Z", "2025-04-26T21:00:00.000Z"}, "external": []any{}, "inEveryWeek": true, "inEveryMonth": true,
		"intervals": []any{map[string]any{"id": "b", "start": map[string]int{"hours": 16, "minutes": 30}, "end": map[string]int{"hours": 21, "minutes": 30}, "period": 90}},
	}}}
	fx := contactWith(t, map[string]any{"marker": "slot", "type": "timeInterval", "localizeInfos": weekly})
	ts := newTestServer(t, withProfile(sandbox.ProfileLive), withFixtures(fx))
	for name, tc := range map[string]struct {
		value any
		want  string
	}{
		"a slot":            {[][]string{{"2026-03-12T10:00:00.000Z", "2026-03-12T11:00:00.000Z"}}, ""},
		"a slot long begun": {[][]string{{"2000-01-01T10:00:00Z", "2000-01-01T11:00:00Z"}}, ""},
		"not dates":         {[][]string{{"a", "b"}}, `slot: schedule: value[0][0]: "a" is not an ISO 8601 date-time with a zone, like "2025-04-26T16:30:00.000Z"`},
		"a bare pair":       {[]string{"2026-03-12T10:00:00.000Z", "2026-03-12T11:00:00.000Z"}, "slot: schedule: value: want an array of [start, end] pairs, got a single pair: wrap it as [[start, end]]"},
		"end before start":  {[][]string{{"2026-03-12T11:00:00.000Z", "2026-03-12T10:00:00.000Z"}}, "slot: schedule: value[0]: end 2026-03-12T10:00:00.000Z is not after start 2026-03-12T11:00:00.000Z"},
		"a start alone":     {[][]string{{"2026-03-12T10:00:00.000Z"}}, "slot: schedule: value[0]: want a [start, end] pair of ISO strings, got 1 elements"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ts.checkContactValue(t, field("slot", "timeInterval", tc.value), tc.want)
		})
	}
	t.Run("an order's words", func(t *testing.T) {
		t.Parallel()
		ts := newTestServer(t)
		tk := ts.login(t, userLogin, userPass)
		order := seedOrderBody(10, 1)
		items := order["formData"].(map[string]any)["en_US"].([]map[string]any)
		order["formData"] = map[string]any{"en_US": append(items, field("schedule", "timeInterval", [][]string{{"a", "b"}}))}
		status, body := ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, order)
		require.Equal(t, http.StatusBadRequest, status, string(body))
		assert.Equal(t, []string{`schedule: schedule: value[0][0]: "a" is not an ISO 8601 date-time with a zone, like "2025-04-26T16:30:00.000Z"`}, decodeError(t, status, body).messages())
	})
}

// A required textWithHeader field whose headers and texts are all blank is missing, as a blank
// required text is.
func TestRequiredTextWithHeaderIsNotBlank(t *testing.T) {
	t.Parallel()
	fx := contactWith(t, map[string]any{"marker": "steps", "type": "textWithHeader", "validators": map[string]any{"requiredValidator": map[string]any{"strict": true}}})
	ts := newTestServer(t, withProfile(sandbox.ProfileLive), withFixtures(fx))
	ts.checkContactValues(t, map[string]contactCase{
		"blank":     {field("steps", "textWithHeader", []any{map[string]any{"header": " ", "plainValue": ""}}), "required values are missing or incorrect: steps"},
		"a heading": {field("steps", "textWithHeader", []any{map[string]any{"header": "Rinse", "plainValue": ""}}), ""},
	})
}
