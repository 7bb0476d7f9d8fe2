package contracts

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// finding is the part of a Violation a table compares.
type finding struct {
	Phase, Pointer, Field, Kind, Message string
}

func findings(vs []Violation) []finding {
	out := make([]finding, len(vs))
	for i, v := range vs {
		out[i] = finding{v.Phase, v.Pointer, v.Field, v.Kind, v.Message()}
	}
	return out
}

func req(pointer, field, kind, message string) finding {
	return finding{PhaseRequest, pointer, field, kind, message}
}

func resp(pointer, field, kind, message string) finding {
	return finding{PhaseResponse, pointer, field, kind, message}
}

const (
	okTokens    = `{"userIdentifier":"u","authProviderIdentifier":"email","accessToken":"a","refreshToken":"r"}`
	okSession   = `{"id":49,"createdDate":"2025-04-30T21:54:50.058Z","updatedDate":"2025-04-30T21:54:50.058Z","type":"session","status":"waiting","paymentAccountId":1,"orderId":92,"paymentUrl":null}`
	authPath    = "/api/content/users-auth-providers/marker/email/users/auth"
	authBody    = `{"authData":[{"marker":"email_reg","value":"u"}]}`
	ordersPath  = "/api/content/orders-storage/marker/tickets/orders"
	orderBody   = `{"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[{"type":"entity","marker":"tickets","value":["p-8-10"]}]},"products":[{"productId":10,"quantity":1}]}`
	okOrderRead = `{"id":92,"storageId":1,"createdDate":"2025-04-30T21:54:48.918Z","statusIdentifier":"inProgress","formIdentifier":"tickets_form","formData":[],"totalSum":"100.00","currency":"USD","paymentAccountIdentifier":"cash","paymentAccountLocalizeInfos":{},"products":[],"paymentUrl":null,"isCompleted":null}`
)

func errorBody(status int, message string) string {
	return fmt.Sprintf(`{"statusCode":%d,"message":%s,"error":%q,"pageData":null,"timestamp":"2025-04-30T21:54:48.918Z"}`,
		status, message, http.StatusText(status))
}

func TestViolationsOfBadExchanges(t *testing.T) {
	t.Parallel()
	form := string(recorded(t, "form-tickets_form.json"))
	tests := map[string]struct {
		method, target, body string
		header               func(http.Header)
		status               int
		resp                 string
		want                 []finding
	}{
		"missing required response field": {
			method: "POST", target: authPath, body: authBody, status: 201,
			resp: `{"userIdentifier":"u","authProviderIdentifier":"email","accessToken":"a"}`,
			want: []finding{resp("/refreshToken", "refreshToken", KindRequired, "refreshToken is required")},
		},
		"wrong response type": {
			method: "POST", target: ordersPath, body: orderBody, status: 201,
			resp: strings.Replace(string(recorded(t, "order-create.json")), `"totalSum": 100`, `"totalSum": "100.00"`, 1),
			want: []finding{resp("/totalSum", "totalSum", KindType, "totalSum must be a number")},
		},
		"null where a string is required": {
			method: "POST", target: authPath, body: authBody, status: 201,
			resp: `{"userIdentifier":"u","authProviderIdentifier":"email","accessToken":null,"refreshToken":"r"}`,
			want: []finding{resp("/accessToken", "accessToken", KindType, "accessToken must be a string")},
		},
		"undocumented status": {
			method: "GET", target: "/api/content/forms/marker/tickets_form", status: http.StatusTeapot, resp: `{}`,
			want: []finding{resp("status", "status", KindStatus, "status 418 is not documented")},
		},
		"server error is undocumented": {
			method: "GET", target: "/api/content/users/me", status: 500, resp: errorBody(500, `"Internal server error"`),
			want: []finding{resp("status", "status", KindStatus, "status 500 is not documented")},
		},
		"extra error field": {
			method: "GET", target: "/api/content/forms/marker/nope", status: 404,
			resp: `{"statusCode":404,"message":"Not found","error":"Not Found","pageData":null,"timestamp":"2025-04-30T21:54:48.918Z","path":"/x"}`,
			want: []finding{resp("/path", "path", KindUnknownProperty, "property path should not exist")},
		},
		"error without timestamp and with a numeric message": {
			method: "GET", target: "/api/content/forms/marker/nope", status: 404,
			resp: `{"statusCode":404,"message":5,"error":"Not Found","pageData":null}`,
			want: []finding{
				resp("/message", "message", KindType, "message must be a string or an array"),
				resp("/timestamp", "timestamp", KindRequired, "timestamp is required"),
			},
		},
		"error pageData not null": {
			method: "GET", target: "/api/content/forms/marker/nope", status: 404,
			resp: `{"statusCode":404,"message":"Not found","error":"Not Found","pageData":{},"timestamp":"2025-04-30T21:54:48.918Z"}`,
			want: []finding{resp("/pageData", "pageData", KindEnum, "pageData must be one of the following values: null")},
		},
		"unknown request property": {
			method: "POST", target: authPath, body: `{"authData":[{"marker":"email_reg","value":"u"}],"langCode":"en_US"}`,
			status: 400, resp: errorBody(400, `["property langCode should not exist"]`),
			want: []finding{req("/langCode", "langCode", KindUnknownProperty, "property langCode should not exist")},
		},
		"several unknown request properties": {
			method: "POST", target: authPath, body: `{"authData":[{"marker":"email_reg","value":"u"}],"langCode":"en_US","formIdentifier":"reg"}`,
			status: 400, resp: errorBody(400, `["x"]`),
			want: []finding{
				req("/formIdentifier", "formIdentifier", KindUnknownProperty, "property formIdentifier should not exist"),
				req("/langCode", "langCode", KindUnknownProperty, "property langCode should not exist"),
			},
		},
		"empty authData": {
			method: "POST", target: authPath, body: `{"authData":[]}`, status: 400, resp: errorBody(400, `["x"]`),
			want: []finding{req("/authData", "authData", KindOther, "authData must contain at least 1 elements")},
		},
		"wrong query type": {
			method: "GET", target: "/api/content/forms?limit=abc", status: 400, resp: errorBody(400, `["x"]`),
			want: []finding{req("query/limit", "limit", KindType, "limit must be an integer")},
		},
		"limit=0": {
			method: "GET", target: "/api/content/forms?limit=0", status: 400, resp: errorBody(400, `["x"]`),
			want: []finding{req("query/limit", "limit", KindOther, "limit must not be less than 1")},
		},
		"limit=101 and offset=-1": {
			method: "GET", target: "/api/content/orders-storage/marker/tickets/orders?limit=101&offset=-1", status: 400, resp: errorBody(400, `["x"]`),
			want: []finding{
				req("query/limit", "limit", KindOther, "limit must not be greater than 100"),
				req("query/offset", "offset", KindOther, "offset must not be less than 0"),
			},
		},
		"path id not a number": {
			method: "GET", target: "/api/content/payments/sessions/abc", status: 400, resp: errorBody(400, `["x"]`),
			want: []finding{req("path/id", "id", KindType, "id must be an integer")},
		},
		"path id 0": {
			method: "GET", target: "/api/content/orders-storage/marker/tickets/orders/0", status: 404, resp: errorBody(404, `"Not found"`),
			want: []finding{req("path/id", "id", KindOther, "id must not be less than 1")},
		},
		"missing app token": {
			method: "GET", target: "/api/content/forms/marker/tickets_form", header: func(h http.Header) { h.Del("x-app-token") },
			status: 403, resp: errorBody(403, `"Resource is closed"`),
			want: []finding{req("header/x-app-token", "x-app-token", KindRequired, "x-app-token is required")},
		},
		"nested request type": {
			method: "POST", target: ordersPath,
			body:   `{"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","products":[{"productId":10,"quantity":"1"}]}`,
			status: 400, resp: errorBody(400, `["quantity must be an integer"]`),
			want: []finding{req("/products/0/quantity", "quantity", KindType, "quantity must be an integer")},
		},
		"missing request fields": {
			method: "POST", target: ordersPath, body: `{"products":[{"quantity":1}]}`, status: 400, resp: errorBody(400, `["x"]`),
			want: []finding{
				req("/products/0/productId", "productId", KindRequired, "productId is required"),
				req("/formIdentifier", "formIdentifier", KindRequired, "formIdentifier is required"),
				req("/paymentAccountIdentifier", "paymentAccountIdentifier", KindRequired, "paymentAccountIdentifier is required"),
			},
		},
		"form data item inside the locale map": {
			method: "POST", target: ordersPath,
			body:   `{"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[null,{"marker":"tickets","type":5,"value":[]}]},"products":[]}`,
			status: 400, resp: errorBody(400, `["x"]`),
			want: []finding{req("/formData/en_US/1/type", "type", KindType, "type must be a string")},
		},
		"enum": {
			method: "POST", target: "/api/content/payments/sessions", body: `{"orderId":92,"type":"card"}`, status: 400, resp: errorBody(400, `["x"]`),
			want: []finding{req("/type", "type", KindEnum, "type must be one of the following values: session, intent")},
		},
		"request body missing": {
			method: "POST", target: "/api/content/payments/sessions", status: 400, resp: errorBody(400, `["x"]`),
			want: []finding{req("", "body", KindRequired, "body is required")},
		},
		"request body not JSON": {
			method: "POST", target: "/api/content/payments/sessions", body: `{"orderId":`, status: 400, resp: errorBody(400, `["x"]`),
			want: []finding{req("", "body", KindType, "body must be valid JSON")},
		},
		"request body not an object": {
			method: "POST", target: "/api/content/payments/sessions", body: `[1]`, status: 400, resp: errorBody(400, `["x"]`),
			want: []finding{req("", "body", KindType, "body must be an object")},
		},
		"request content type": {
			method: "POST", target: "/api/content/payments/sessions", body: `orderId=92`,
			header: func(h http.Header) { h.Set("Content-Type", "application/x-www-form-urlencoded") },
			status: 400, resp: errorBody(400, `["x"]`),
			want: []finding{req("header/content-type", "content-type", KindOther, "content-type must be application/json")},
		},
		"request content type of an upload": {
			method: "POST", target: "/api/content/files?type=page&entity=editor&id=3787", body: `{}`,
			header: func(h http.Header) { h.Set("Content-Type", "text/plain;charset=UTF-8") },
			status: 400, resp: errorBody(400, `["x"]`),
			want: []finding{req("header/content-type", "content-type", KindOther, "content-type must be multipart/form-data")},
		},
		"response not JSON": {
			method: "POST", target: "/api/content/payments/sessions", body: `{"orderId":92,"type":"session"}`, status: 201, resp: `<html>`,
			want: []finding{resp("", "body", KindType, "body must be valid JSON")},
		},
		"date-time format": {
			method: "GET", target: "/api/content/payments/sessions/49", status: 200,
			resp: strings.Replace(okSession, `"2025-04-30T21:54:50.058Z"`, `"30.04.2025"`, 1),
			want: []finding{resp("/createdDate", "createdDate", KindFormat, "createdDate must be a valid ISO 8601 date string")},
		},
		"read totalSum pattern": {
			method: "GET", target: "/api/content/orders-storage/marker/tickets/orders/92", status: 200,
			resp: strings.Replace(okOrderRead, `"100.00"`, `"100"`, 1),
			want: []finding{resp("/totalSum", "totalSum", KindFormat, `totalSum must match ^-?\d+\.\d{2}$ regular expression`)},
		},
		"locale-keyed form data drilled into": {
			method: "POST", target: ordersPath, body: orderBody, status: 201,
			resp: `{"id":92,"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[{"marker":"tickets","type":"entity"}]},"products":[],"currency":"USD","totalSum":100,"createdDate":"2025-04-30T21:54:48.918Z"}`,
			want: []finding{resp("/formData/en_US/0/value", "value", KindRequired, "value is required")},
		},
		"session array drilled into": {
			method: "GET", target: "/api/content/payments/sessions/order/92", status: 200,
			resp: `[` + strings.Replace(okSession, `,"paymentUrl":null`, ``, 1) + `]`,
			want: []finding{resp("/0/paymentUrl", "paymentUrl", KindRequired, "paymentUrl is required")},
		},
		"session object drilled into": {
			method: "GET", target: "/api/content/payments/sessions/order/92", status: 200,
			resp: strings.Replace(okSession, `"orderId":92`, `"orderId":92,"clientSecret":null`, 1),
			want: []finding{resp("/clientSecret", "clientSecret", KindType, "clientSecret must be a string")},
		},
		"neither a session nor an array": {
			method: "GET", target: "/api/content/payments/sessions/order/92", status: 200, resp: `"waiting"`,
			want: []finding{resp("", "body", KindType, "body must be an object or an array")},
		},
		"unknown nested property": {
			method: "GET", target: "/api/content/forms/marker/tickets_form", status: 200,
			resp: strings.Replace(form, `"marker": "tickets",`, `"marker": "tickets", "isSecret": null,`, 1),
			want: []finding{resp("/attributes/1/isSecret", "isSecret", KindUnknownProperty, "property isSecret should not exist")},
		},
		"request and response together": {
			method: "GET", target: "/api/content/forms?limit=abc", status: 200, resp: `{"total":"1","items":[]}`,
			want: []finding{
				req("query/limit", "limit", KindType, "limit must be an integer"),
				resp("/total", "total", KindType, "total must be an integer"),
			},
		},
	}
	v := testValidator(t)
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := newRequest(tc.method, tc.target, tc.body)
			if tc.header != nil {
				tc.header(r.Header)
			}
			err := v.ValidateExchange(t.Context(), r, tc.status, jsonHeader, []byte(tc.resp))
			require.Error(t, err)
			vs := Violations(err)
			assert.ElementsMatch(t, tc.want, findings(vs), "%v", messages(vs))
			for _, v := range vs {
				assert.Equal(t, tc.method, v.Method)
				assert.Equal(t, r.URL.Path, v.Path)
				if v.Phase == PhaseResponse {
					assert.Equal(t, tc.status, v.Status)
				} else {
					assert.Zero(t, v.Status)
				}
			}
		})
	}
}

// ValidateRequest and ValidateResponse alone report only their own phase.
func TestValidatePhasesSeparately(t *testing.T) {
	t.Parallel()
	v := testValidator(t)
	r := newRequest("POST", authPath, `{"authData":[{"marker":"m","value":"v"}],"langCode":"en_US"}`)

	err := v.ValidateRequest(t.Context(), r)
	require.Error(t, err)
	for _, x := range Violations(err) {
		assert.Equal(t, PhaseRequest, x.Phase)
	}

	require.NoError(t, v.ValidateResponse(t.Context(), r, 201, jsonHeader, []byte(okTokens)))
	err = v.ValidateResponse(t.Context(), r, 200, jsonHeader, []byte(okTokens))
	require.Error(t, err)
	assert.Equal(t, []finding{resp("status", "status", KindStatus, "status 200 is not documented")}, findings(Violations(err)))

	err = v.ValidateResponse(t.Context(), r, 201, http.Header{"Content-Type": {"text/html"}}, []byte(okTokens))
	require.Error(t, err)
	vs := Violations(err)
	require.Len(t, vs, 1)
	assert.Equal(t, "header/content-type", vs[0].Pointer)
	assert.Equal(t, KindOther, vs[0].Kind)

	err = v.ValidateResponse(t.Context(), newRequest("GET", "/api/content/nowhere", ""), 200, jsonHeader, nil)
	require.ErrorIs(t, err, ErrNoRoute)
}

func TestViolationsOfNilAndForeignErrors(t *testing.T) {
	t.Parallel()
	assert.Nil(t, Violations(nil))

	vs := Violations(errors.New("boom"))
	require.Len(t, vs, 1)
	assert.Equal(t, KindOther, vs[0].Kind)
	assert.Equal(t, "boom", vs[0].Message())

	// Wrapping keeps the findings reachable.
	v := testValidator(t)
	err := v.ValidateRequest(t.Context(), newRequest("GET", "/api/content/forms?limit=0", ""))
	require.Error(t, err)
	wrapped := fmt.Errorf("scenario step 2: %w", err)
	assert.Equal(t, findings(Violations(err)), findings(Violations(wrapped)))
	joined := errors.Join(err, errors.New("other"))
	assert.Len(t, Violations(joined), 2)
	var me openapi3.MultiError
	assert.ErrorAs(t, err, &me)
}

func TestViolationMessage(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		v    Violation
		want string
	}{
		"field and reason": {Violation{Field: "quantity", Reason: "must be an integer", Kind: KindType}, "quantity must be an integer"},
		"unknown property": {Violation{Field: "foo", Reason: "property foo should not exist", Kind: KindUnknownProperty}, "property foo should not exist"},
		"status":           {Violation{Field: "status", Reason: "status 418 is not documented", Kind: KindStatus}, "status 418 is not documented"},
		"no field":         {Violation{Reason: "boom", Kind: KindOther}, "boom"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, tc.v.Message())
		})
	}
	s := Violation{Phase: PhaseResponse, Method: "GET", Path: "/api/content/forms", Status: 200, Pointer: "/total",
		Field: "total", Reason: "must be an integer", Kind: KindType}.String()
	assert.Equal(t, "response GET /api/content/forms -> 200 at /total: total must be an integer (type)", s)
}

func TestMessages(t *testing.T) {
	t.Parallel()
	v := testValidator(t)
	r := newRequest("POST", authPath, `{"authData":[{"marker":"m","value":1},{"marker":"m","value":2}],"langCode":"en_US"}`)
	err := v.ValidateExchange(t.Context(), r, 201, jsonHeader, []byte(`{}`))
	require.Error(t, err)
	assert.Equal(t, []string{
		"value must be a string", // reported for both items, listed once
		"property langCode should not exist",
	}, Messages(Violations(err), PhaseRequest))
}
