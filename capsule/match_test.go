package capsule

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestShape(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		a, b string
		same bool
	}{
		"values differ":        {`{"a":1,"b":["x"]}`, `{"b":["y","z"],"a":2.5}`, true},
		"type differs":         {`{"a":1}`, `{"a":"1"}`, false},
		"key missing":          {`{"a":1,"b":2}`, `{"a":1}`, false},
		"null is a type":       {`{"a":null}`, `{"a":"x"}`, false},
		"array of two shapes":  {`[1,"a",2]`, `["b",3]`, true},
		"object vs array":      {`{}`, `[]`, false},
		"nested":               {`{"p":[{"id":1,"q":2}]}`, `{"p":[{"q":5,"id":9},{"id":1,"q":1}]}`, true},
		"no body vs empty obj": {``, `{}`, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.same, Shape([]byte(tc.a)) == Shape([]byte(tc.b)), "%s vs %s", Shape([]byte(tc.a)), Shape([]byte(tc.b)))
		})
	}
	assert.Equal(t, `{"a":number,"b":[string]}`, Shape([]byte(`{"b":["x"],"a":1}`)))
}

func TestShapeDiff(t *testing.T) {
	t.Parallel()
	rec, err := parseJSON([]byte(`{"orderId":92,"type":"session","items":[{"id":1,"n":"a"}],"tags":["x"]}`))
	require.NoError(t, err)
	got, err := parseJSON([]byte(`{"orderId":"92","items":[{"id":1,"n":"b"},{"id":"2","n":"c"}],"tags":[],"extra":true}`))
	require.NoError(t, err)
	assert.Equal(t, []string{
		`/orderId: recorded number, got string`,
		`body: key "type" missing`,
		`/items/1/id: recorded number, got string`,
		`body: key "extra" was not recorded`,
	}, shapeDiff(rec, got, 10))
	assert.Len(t, shapeDiff(rec, got, 2), 2)
}

func testCapsule() *Capsule {
	c := New("sha256:test", "sdk-1.0.115")
	c.Redactions = map[string]string{"<access-token-1>": KindAccessToken, "<refresh-token-1>": KindRefreshToken, "user1@example.test": KindEmail, "<password>": KindPassword}
	c.Exchanges = []Exchange{
		{Method: "POST", Path: "/api/content/users-auth-providers/marker/email/users/auth",
			RequestBody: []byte(`{"authData":[{"marker":"email_reg","value":"user1@example.test"},{"marker":"password_reg","value":"<password>"}]}`),
			Status:      201, ResponseBody: []byte(`{"userIdentifier":"user1@example.test","accessToken":"<access-token-1>","refreshToken":"<refresh-token-1>"}`)},
		{Method: "GET", Path: "/api/content/forms/marker/tickets_form", Query: "langCode=en_US",
			RequestHeaders: map[string]string{"authorization": "Bearer <access-token-1>"},
			Status:         200, ResponseBody: []byte(`{"id":9}`)},
		{Method: "POST", Path: "/api/content/payments/sessions", RequestHeaders: map[string]string{"authorization": "Bearer <access-token-1>"},
			RequestBody: []byte(`{"orderId":92,"type":"session","automaticTaxEnabled":false}`), Status: 201, ResponseBody: []byte(`{"id":49}`)},
		{Method: "POST", Path: "/api/content/payments/sessions", RequestHeaders: map[string]string{"authorization": "Bearer <access-token-1>"},
			RequestBody: []byte(`{"orderId":92,"type":"session","automaticTaxEnabled":false}`), Status: 201, ResponseBody: []byte(`{"id":50}`)},
	}
	return c
}

func TestMatcherInOrder(t *testing.T) {
	t.Parallel()
	c := testCapsule()
	r := NewReissuer(c.Redactions)
	m := NewMatcher(c, r)
	access, ok := r.Value("<access-token-1>")
	require.True(t, ok)

	got, err := m.Match(Request{Method: "POST", Path: "/api/content/users-auth-providers/marker/email/users/auth",
		Body: []byte(`{"authData":[{"marker":"email_reg","value":"someone@else.io"},{"marker":"password_reg","value":"secret"}]}`)})
	require.NoError(t, err, "values do not matter, only the body's shape")
	assert.Equal(t, 0, got.Index)

	session := Request{Method: "POST", Path: "/api/content/payments/sessions", Authorization: "Bearer " + access, Body: []byte(`{"orderId":93,"type":"session","automaticTaxEnabled":true}`)}
	got, err = m.Match(session)
	require.NoError(t, err)
	assert.Equal(t, 2, got.Index, "the first unused match wins, even with a request recorded earlier still unused")
	got, err = m.Match(session)
	require.NoError(t, err)
	assert.Equal(t, 3, got.Index)
	_, err = m.Match(session)
	var mm *MismatchError
	require.ErrorAs(t, err, &mm, "a POST is answered once")
	assert.Contains(t, mm.Error(), "already been replayed")

	form := Request{Method: "GET", Path: "//api/content/forms/marker/tickets_form", RawQuery: "langCode=en_US", Authorization: "Bearer " + access}
	got, err = m.Match(form)
	require.NoError(t, err, "a doubled slash is the same path")
	assert.Equal(t, 1, got.Index)
	assert.False(t, got.Repeat)
	got, err = m.Match(form)
	require.NoError(t, err)
	assert.True(t, got.Repeat, "a GET asked again repeats its last answer")

	m.Reset()
	got, err = m.Match(session)
	require.NoError(t, err)
	assert.Equal(t, 2, got.Index)
}

// A recorded body that is not JSON answers only a body that is not JSON either, as the other
// way round; each kind goes to its own exchange.
func TestMatcherTellsTextFromJSON(t *testing.T) {
	t.Parallel()
	const path = "/api/content/orders-storage/marker/tickets/orders"
	c := &Capsule{Format: Format, Version: Version, Exchanges: []Exchange{
		{Method: "POST", Path: path, RequestText: "hello", Status: 400},
		{Method: "POST", Path: path, RequestBody: []byte(`{"formIdentifier":"tickets_form"}`), Status: 201},
	}}
	m := NewMatcher(c, nil)
	got, err := m.Match(Request{Method: "POST", Path: path, Body: []byte(`{"formIdentifier":"x"}`)})
	require.NoError(t, err)
	assert.Equal(t, 1, got.Index)
	_, err = m.Match(Request{Method: "POST", Path: path, Body: []byte(`[1,2]`)})
	assert.ErrorContains(t, err, "recorded a body that is not JSON, got JSON")
	got, err = m.Match(Request{Method: "POST", Path: path, Body: []byte(`hello again`)})
	require.NoError(t, err)
	assert.Equal(t, 0, got.Index)
}

// MatchAgain starts over only for a request a fresh run would answer.
func TestMatcherMatchAgainKeepsItsPlaceForStrangers(t *testing.T) {
	t.Parallel()
	c := testCapsule()
	m := NewMatcher(c, nil)
	auth := Request{Method: "POST", Path: "/api/content/users-auth-providers/marker/email/users/auth",
		Body: []byte(`{"authData":[{"marker":"email_reg","value":"a@b.io"},{"marker":"password_reg","value":"p"}]}`)}
	_, err := m.Match(auth)
	require.NoError(t, err)
	_, err = m.MatchAgain(Request{Method: "GET", Path: "/favicon.ico"})
	require.Error(t, err)
	_, err = m.Match(auth)
	require.Error(t, err, "the run kept its place: the sign-in was answered already")
	got, err := m.MatchAgain(auth)
	require.NoError(t, err)
	assert.Equal(t, 0, got.Index, "a request of a fresh run starts over")
}

// Nesting deeper than encoding/json allows is refused, not followed until the stack runs out.
func TestParseJSONBoundsNesting(t *testing.T) {
	t.Parallel()
	_, err := parseJSON([]byte(strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)))
	require.NoError(t, err)
	_, err = parseJSON([]byte(strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)))
	require.ErrorIs(t, err, errTooDeep)
	_, err = parseJSON([]byte(strings.Repeat(`{"a":`, 3_000_000)))
	require.ErrorIs(t, err, errTooDeep)
}

func TestMatcherMismatchNamesNearest(t *testing.T) {
	t.Parallel()
	c := testCapsule()
	r := NewReissuer(c.Redactions)
	access, _ := r.Value("<access-token-1>")
	tests := map[string]struct {
		req  Request
		want []string
	}{
		"query": {
			Request{Method: "GET", Path: "/api/content/forms/marker/tickets_form", RawQuery: "langCode=ru_RU", Authorization: "Bearer " + access},
			[]string{"nearest is #2 GET /api/content/forms/marker/tickets_form?langCode=en_US → 200", `query differs (recorded "langCode=en_US", got "langCode=ru_RU")`},
		},
		"body shape": {
			Request{Method: "POST", Path: "/api/content/payments/sessions", Authorization: "Bearer " + access, Body: []byte(`{"orderId":"92","type":"session"}`)},
			[]string{"nearest is #3 POST /api/content/payments/sessions", "body shape differs (/orderId: recorded number, got string", `key "automaticTaxEnabled" missing`},
		},
		"bearer": {
			Request{Method: "GET", Path: "/api/content/forms/marker/tickets_form", RawQuery: "langCode=en_US", Authorization: "Bearer real.jwt.token"},
			[]string{"#2", "authorization differs (recorded bearer <access-token-1>, got real…en)"},
		},
		"no bearer": {
			Request{Method: "GET", Path: "/api/content/forms/marker/tickets_form", RawQuery: "langCode=en_US"},
			[]string{"#2", "got none"},
		},
		"other path": {
			Request{Method: "GET", Path: "/api/content/forms/marker/other", RawQuery: "langCode=en_US", Authorization: "Bearer " + access},
			[]string{"#2", "path differs (recorded /api/content/forms/marker/tickets_form, got /api/content/forms/marker/other)"},
		},
		"method": {
			Request{Method: "DELETE", Path: "/api/content/payments/sessions", Authorization: "Bearer " + access, Body: []byte(`{"orderId":92,"type":"session","automaticTaxEnabled":false}`)},
			[]string{"no recorded exchange matches DELETE /api/content/payments/sessions", "#3", "method differs (recorded POST, got DELETE)"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := NewMatcher(c, r).Match(tc.req)
			var mm *MismatchError
			require.True(t, errors.As(err, &mm), "got %v", err)
			for _, w := range tc.want {
				assert.Contains(t, mm.Error(), w)
			}
		})
	}
	_, err := NewMatcher(New("", ""), nil).Match(Request{Method: "GET", Path: "/"})
	assert.ErrorContains(t, err, "the capsule holds none")
}

func TestReissuer(t *testing.T) {
	t.Parallel()
	r := NewReissuer(map[string]string{"<access-token-1>": KindAccessToken, "<access-token-12>": KindAccessToken, "<refresh-token-3>": KindRefreshToken, "<password>": KindPassword})
	access, ok := r.Value("<access-token-1>")
	require.True(t, ok)
	parts := strings.Split(access, ".")
	require.Len(t, parts, 3, "a JWT-shaped value")
	claims, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	assert.JSONEq(t, `{"replay":"<access-token-1>","iat":1700000000,"exp":4102444800}`, string(claims))

	refresh, _ := r.Value("<refresh-token-3>")
	assert.Equal(t, "1700000000000-00000000-0000-4000-8000-000000000003", refresh)
	assert.Regexp(t, refreshPattern, refresh, "in the live format")

	body := `{"a":"<access-token-12>","b":"<access-token-1>","c":"\u003crefresh-token-3\u003e","p":"<password>"}`
	long, _ := r.Value("<access-token-12>")
	assert.Equal(t, `{"a":"`+long+`","b":"`+access+`","c":"`+refresh+`","p":"<password>"}`, string(r.Issue([]byte(body))))
	assert.Equal(t, "<access-token-1>", r.Placeholder(access))
	assert.Equal(t, "Bearer <access-token-12>", r.Placeholder("Bearer "+long))
	assert.Equal(t, "other", r.Placeholder("other"))
	_, ok = r.Value("<password>")
	assert.False(t, ok, "only tokens are re-issued")
}

// A token the recording replaced in the path stands for the token the replaying client sends.
func TestMatcherTakesAnyTokenForARedactedPathToken(t *testing.T) {
	t.Parallel()
	rec := NewRedactor()
	c := New("sha256:test", "sdk-1.0.115")
	c.Exchanges = []Exchange{rec.Exchange(RawExchange{Method: "POST", Path: "/api/content/users/me/fcm-token/fcm-recorded-token", Status: 201})}
	c.Redactions = rec.Redactions()
	m := NewMatcher(c, NewReissuer(c.Redactions))
	_, err := m.Match(Request{Method: "POST", Path: "/api/content/users/me/fcm-token/a/b"})
	assert.Error(t, err, "one segment stands for one")
	got, err := m.Match(Request{Method: "POST", Path: "/api/content/users/me/fcm-token/fcm-another-token"})
	require.NoError(t, err)
	assert.Equal(t, 0, got.Index)

	// The app token that addresses the mock's checkout page is such a credential too.
	c.Exchanges = []Exchange{rec.Exchange(RawExchange{Method: "GET", Path: "/checkout/recorded-app-token/cs_1", Status: 200})}
	m = NewMatcher(c, NewReissuer(rec.Redactions()))
	_, err = m.Match(Request{Method: "GET", Path: "/checkout/replaying-app-token/cs_2"})
	assert.Error(t, err, "only the credential stands for any value")
	got, err = m.Match(Request{Method: "GET", Path: "/checkout/replaying-app-token/cs_1"})
	require.NoError(t, err)
	assert.Equal(t, 0, got.Index)
}

// A body of more values than the deriver may read is refused with the exchange and the limit
// named, not built until the process runs out of memory.
func TestDeriveFixturesRefusesTooManyValues(t *testing.T) {
	t.Parallel()
	pages := "[" + strings.Repeat("0,", 1000) + "0]"
	c := &Capsule{Exchanges: []Exchange{
		{Method: "GET", Path: "/api/content/forms/marker/contact", Status: 200, ResponseBody: json.RawMessage(`{"identifier":"contact","attributes":[]}`)},
		{Method: "GET", Path: "/api/content/pages", Status: 200, ResponseBody: json.RawMessage(pages)},
	}}
	_, err := deriveFixtures(c, 1000)
	require.EqualError(t, err, "exchanges[1] (GET /api/content/pages): the response body takes the capsule past 1000 JSON values, the most fixtures are derived from; derive from a capsule of fewer or smaller answers")
	_, err = deriveFixtures(c, 1005)
	require.NoError(t, err, "the limit counts the values of every body read")
}

// parseJSONWithin stops at the limit before building the rest: a body of a million values
// costs the memory of the limit's, not of the body's.
func TestParseJSONWithinStopsBeforeBuilding(t *testing.T) {
	body := []byte("[" + strings.Repeat("0,", 1_000_000) + "0]")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, _, err := parseJSONWithin(body, 1000)
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, err, errTooManyValues)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "bytes allocated")

	n, values, err := parseJSONWithin([]byte(`{"a":[1,"x",null],"b":{}}`), 6)
	require.NoError(t, err)
	assert.Equal(t, 6, values)
	assert.JSONEq(t, `{"a":[1,"x",null],"b":{}}`, string(n.marshal()))
}
