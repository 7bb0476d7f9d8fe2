package contracts

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOperationValidatesLikeValidator holds Operation.ValidateRequest, which checks plain
// parameters itself, to the verdicts and wording of a full kin-openapi validation.
func TestOperationValidatesLikeValidator(t *testing.T) {
	v := testValidator(t)
	const form = "/api/content/forms/marker/tickets_form"
	type requestCase struct {
		method, target, body string
		edit                 func(*http.Request)
	}
	cases := map[string]requestCase{
		"form read":                {"GET", form + "?langCode=en_US", "", nil},
		"no app token":             {"GET", form, "", func(r *http.Request) { r.Header.Del("x-app-token") }},
		"empty app token":          {"GET", form, "", func(r *http.Request) { r.Header.Set("x-app-token", "") }},
		"two app tokens":           {"GET", form, "", func(r *http.Request) { r.Header.Add("x-app-token", "b") }},
		"empty langCode":           {"GET", form + "?langCode=", "", nil},
		"repeated langCode":        {"GET", form + "?langCode=&langCode=ru_RU", "", nil},
		"paged":                    {"GET", "/api/content/forms?offset=0&limit=30", "", nil},
		"limit above maximum":      {"GET", "/api/content/forms?limit=101", "", nil},
		"limit below minimum":      {"GET", "/api/content/forms?limit=0", "", nil},
		"limit not a number":       {"GET", "/api/content/forms?limit=ten", "", nil},
		"limit with leading zero":  {"GET", "/api/content/forms?limit=007", "", nil},
		"limit with a sign":        {"GET", "/api/content/forms?limit=+5", "", nil},
		"negative offset":          {"GET", "/api/content/forms?offset=-1", "", nil},
		"huge offset":              {"GET", "/api/content/forms?offset=99999999999999999999", "", nil},
		"order by id":              {"GET", ordersPath + "/7", "", nil},
		"order id not a number":    {"GET", ordersPath + "/seven", "", nil},
		"order create":             {"POST", ordersPath, orderBody, nil},
		"order create, bad body":   {"POST", ordersPath, `{"formIdentifier":1}`, nil},
		"order create, no token":   {"POST", ordersPath, `{}`, func(r *http.Request) { r.Header.Del("x-app-token") }},
		"payment session by order": {"GET", "/api/content/payments/sessions/order/x", "", nil},
	}
	// Query strings the plain checks read as they are, and those they leave to url.ParseQuery
	// (escapes, a semicolon, many parameters).
	for _, target := range []string{form + "?langCode=en%5FUS", form + "?langCode", form + "?&&langCode=en_US&",
		"/api/content/forms?limit=5;offset=1", "/api/content/forms?li%6Dit=500", "/api/content/forms?limit=5&limit=6",
		"/api/content/forms?" + strings.Repeat("x=1&", 20) + "limit=500"} {
		cases[target] = requestCase{"GET", target, "", nil}
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			request := func() *http.Request {
				r := newRequest(c.method, c.target, c.body)
				r.Header.Set("Authorization", "Bearer a.b.c")
				if c.edit != nil {
					c.edit(r)
				}
				return r
			}
			in, err := v.route(request())
			require.NoError(t, err)
			op, err := v.Operation(c.method, in.Route.Path)
			require.NoError(t, err)
			want := v.ValidateRequest(t.Context(), request())
			got := op.ValidateRequest(t.Context(), request(), in.PathParams)
			if want == nil {
				assert.NoError(t, got)
				return
			}
			require.Error(t, got)
			assert.Equal(t, want.Error(), got.Error())
			assert.Equal(t, Messages(Violations(want), PhaseRequest), Messages(Violations(got), PhaseRequest))
		})
	}
}

// TestPlainParameters pins which parameters count as plain, so a contract change that makes
// every parameter go back to kin-openapi shows up.
func TestPlainParameters(t *testing.T) {
	v := testValidator(t)
	for _, c := range []struct {
		method, path string
		plain        int
	}{
		{"GET", "/forms/marker/{marker}", 3},
		{"GET", "/forms", 4},
		{"POST", "/orders-storage/marker/{marker}/orders", 3},
	} {
		op, err := v.Operation(c.method, c.path)
		require.NoError(t, err)
		assert.Len(t, op.plain, c.plain, "%s %s", c.method, c.path)
		assert.Empty(t, op.lean.Operation.Parameters, "%s %s", c.method, c.path)
	}
}

// TestQueryValuesReadsLikeParseQuery holds the reading of a plain query string to
// url.ParseQuery's.
func TestQueryValuesReadsLikeParseQuery(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"", "langCode=en_US", "langCode", "langCode=", "&&langCode=a&", "a=1&langCode=b&langCode=c",
		"langCode==x", "=x&langCode=y", "langcode=x", "x=%41", "langCode=a+b", "a=1;langCode=2", strings.Repeat("a&", 20) + "langCode=z"} {
		q := queryValues{raw: raw}
		if !q.plain() {
			continue
		}
		parsed, err := url.ParseQuery(raw)
		require.NoError(t, err, raw)
		first, n := q.get("langCode")
		assert.Equal(t, len(parsed["langCode"]), n, raw)
		assert.Equal(t, parsed.Get("langCode"), first, raw)
	}
}

// A path integer is digits, as the live API's ParseIntPipe reads it: Go's ParseInt, and so
// kin-openapi, also takes a plus sign.
func TestPathIntegersRefuseAPlusSign(t *testing.T) {
	v := testValidator(t)
	op, err := v.Operation("GET", "/orders-storage/marker/{marker}/orders/{id}")
	require.NoError(t, err)
	for target, ok := range map[string]bool{ordersPath + "/7": true, ordersPath + "/007": true, ordersPath + "/+7": false} {
		in, err := v.route(newRequest("GET", target, ""))
		require.NoError(t, err)
		for name, err := range map[string]error{
			"operation": op.ValidateRequest(t.Context(), newRequest("GET", target, ""), in.PathParams),
			"validator": v.ValidateRequest(t.Context(), newRequest("GET", target, "")),
		} {
			if ok {
				assert.NoError(t, err, "%s %s", name, target)
				continue
			}
			assert.Equal(t, []string{"id must be an integer"}, Messages(Violations(err), PhaseRequest), "%s %s", name, target)
		}
	}
}

// In2025 relaxes only what the operation's x-optional-in-2025 names, and leaves the operation
// it came from as it was.
func TestIn2025MakesTheNamedPropertiesOptional(t *testing.T) {
	v := testValidator(t)
	submit, err := v.Operation("POST", "/form-data")
	require.NoError(t, err)
	relaxed, err := submit.In2025()
	require.NoError(t, err)
	request := func(body string) *http.Request { return newRequest("POST", "/api/content/form-data", body) }
	const withoutConfig = `{"formIdentifier":"contact_us","formData":{"en_US":[]}}`
	assert.Equal(t, []string{"formModuleConfigId is required", "moduleEntityIdentifier is required"},
		Messages(Violations(submit.ValidateRequest(t.Context(), request(withoutConfig), nil)), PhaseRequest))
	assert.NoError(t, relaxed.ValidateRequest(t.Context(), request(withoutConfig), nil))
	assert.Equal(t, []string{"formIdentifier is required"},
		Messages(Violations(relaxed.ValidateRequest(t.Context(), request(`{"formData":{}}`), nil)), PhaseRequest), "the rest is still required")
	assert.Equal(t, []string{"formModuleConfigId must be an integer"},
		Messages(Violations(relaxed.ValidateRequest(t.Context(), request(`{"formIdentifier":"c","formModuleConfigId":"2","formData":{}}`), nil)), PhaseRequest), "and typed")
	assert.Error(t, submit.ValidateRequest(t.Context(), request(withoutConfig), nil), "the original is unchanged")

	read, err := v.Operation("GET", "/forms/marker/{marker}")
	require.NoError(t, err)
	same, err := read.In2025()
	require.NoError(t, err)
	assert.Same(t, read, same, "an operation without the extension is its own 2025 form")
}
