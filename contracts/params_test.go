package contracts

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOperationValidatesLikeValidator holds Operation.ValidateRequest, which checks plain
// parameters itself, to the verdicts and wording of a full kin-openapi validation.
func TestOperationValidatesLikeValidator(t *testing.T) {
	v := testValidator(t)
	const form = "/api/content/forms/marker/tickets_form"
	cases := map[string]struct {
		method, target, body string
		edit                 func(*http.Request)
	}{
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
