package contracts

import (
	"bytes"
	"context"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEmbeddedContractsLoad checks both embedded documents, the content contract and the
// operations contract: each is loaded once, separately from the other, and has no external
// $ref (each document is self-contained).
func TestEmbeddedContractsLoad(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		load, other func(context.Context) (*openapi3.T, error)
		spec        func() []byte
		serverURL   string
		why         string
	}{
		"content":    {Load, LoadAdmin, Spec, "/api/content", "relative, so any host routes"},
		"operations": {LoadAdmin, Load, AdminSpec, "/", "paths sit at the server's root"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			doc, err := tc.load(t.Context())
			require.NoError(t, err)
			again, err := tc.load(t.Context())
			require.NoError(t, err)
			assert.Same(t, doc, again, "the document is loaded once and shared")
			other, err := tc.other(t.Context())
			require.NoError(t, err)
			assert.NotSame(t, other, doc)

			assert.Equal(t, "3.0.3", doc.OpenAPI)
			require.Len(t, doc.Servers, 1)
			assert.Equal(t, tc.serverURL, doc.Servers[0].URL, tc.why)

			raw := tc.spec()
			raw[0] = 'X'
			assert.Equal(t, byte('o'), tc.spec()[0], "the spec is returned as a copy")

			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			_, err = tc.load(ctx)
			require.ErrorIs(t, err, context.Canceled, "a cancelled context")

			for i, line := range bytes.Split(tc.spec(), []byte("\n")) {
				if _, ref, ok := strings.Cut(string(line), "$ref:"); ok {
					ref = strings.Trim(strings.TrimSpace(ref), `'"`)
					assert.True(t, strings.HasPrefix(ref, "#/"), "line %d: %s", i+1, ref)
				}
			}
		})
	}
}

// The embedded documents are validated here, not at every start.
func TestEmbeddedContractsAreValid(t *testing.T) {
	t.Parallel()
	for name, load := range map[string]func(context.Context) (*openapi3.T, error){"openapi.yaml": Load, "admin.yaml": LoadAdmin} {
		doc, err := load(t.Context())
		require.NoError(t, err, name)
		assert.NoError(t, doc.Validate(t.Context()), name)
	}
	broken, err := parse("broken.yaml", []byte("openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {}\n"))
	require.NoError(t, err)
	assert.Error(t, broken.Validate(t.Context()), "validation would catch a document without responses")
}

func TestLoadNamesTheFile(t *testing.T) {
	t.Parallel()
	_, err := parse("admin.yaml", []byte("openapi: [3.0.3\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "admin.yaml")
}

func TestNewValidatorRejectsNil(t *testing.T) {
	t.Parallel()
	_, err := NewValidator(nil)
	require.Error(t, err)
}

// operations lists every operation of the contract with its path and method.
func operations(t *testing.T) []struct {
	path, method string
	op           *openapi3.Operation
} {
	t.Helper()
	doc, err := Load(t.Context())
	require.NoError(t, err)
	var out []struct {
		path, method string
		op           *openapi3.Operation
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			out = append(out, struct {
				path, method string
				op           *openapi3.Operation
			}{path, method, op})
		}
	}
	require.NotEmpty(t, out)
	return out
}

func TestOperationConventions(t *testing.T) {
	t.Parallel()
	seen := map[string]string{}
	for _, o := range operations(t) {
		name := o.method + " " + o.path
		t.Run(name, func(t *testing.T) {
			id := o.op.OperationID
			require.NotEmpty(t, id)
			if prev, dup := seen[id]; dup {
				t.Fatalf("operationId %q used by %s and %s", id, prev, name)
			}
			seen[id] = name
			assert.NotEmpty(t, o.op.Extensions["x-reference-id"], "names its endpoint id")

			responses := o.op.Responses
			assert.NotNil(t, responses.Status(http.StatusForbidden), "403 on every operation")
			assert.NotNil(t, responses.Status(http.StatusBadRequest), "400 on every operation: a JSON body that does not parse, even where none is taken")
			assert.NotNil(t, responses.Status(http.StatusRequestEntityTooLarge), "413 on every operation: a body past the bound, even where none is taken")
			assert.NotNil(t, responses.Status(http.StatusUnsupportedMediaType), "415 on every operation: a JSON body in a charset that is not UTF, even where none is taken")
			assert.Nil(t, responses.Default(), "no catch-all response: undocumented statuses must be reported")

			success := http.StatusOK
			if o.method == http.MethodPost {
				success = http.StatusCreated
			}
			for code := range responses.Map() {
				n, err := strconv.Atoi(code)
				require.NoError(t, err)
				if n < 300 {
					assert.Equal(t, success, n, "POST answers 201, other methods 200")
				}
			}
			if o.op.Extensions["x-fails-on-purpose"] == nil {
				assert.NotNil(t, responses.Status(success))
			}

			var hasQuery, hasPath, hasAppToken bool
			for _, p := range o.op.Parameters {
				switch p.Value.In {
				case openapi3.ParameterInQuery:
					hasQuery = true
				case openapi3.ParameterInPath:
					hasPath = true
				case openapi3.ParameterInHeader:
					if p.Value.Name == "x-app-token" {
						hasAppToken = p.Value.Required
					}
				}
			}
			assert.True(t, hasAppToken, "x-app-token is a required header")
			if hasQuery || o.op.RequestBody != nil {
				assert.NotNil(t, responses.Status(http.StatusBadRequest), "400 where there is a body or query")
			}
			if o.op.RequestBody != nil {
				assert.NotNil(t, responses.Status(http.StatusRequestEntityTooLarge), "413 where there is a body")
			}
			if hasPath {
				assert.NotNil(t, responses.Status(http.StatusNotFound), "404 where markers or ids appear")
			}
			if o.op.Security != nil && len(*o.op.Security) > 0 {
				assert.NotNil(t, responses.Status(http.StatusUnauthorized), "401 on user routes")
			}
			for code, ref := range responses.Map() {
				if n, _ := strconv.Atoi(code); n >= 400 {
					mt := ref.Value.Content.Get("application/json")
					require.NotNil(t, mt, "%s is JSON", code)
					assert.Equal(t, "#/components/schemas/Error", mt.Schema.Ref, "%s uses the shared error body", code)
				}
			}
		})
	}
}

// The user routes (docs/api.md: access "user") are exactly the operations that declare bearer auth.
func TestUserRoutes(t *testing.T) {
	t.Parallel()
	user := []string{
		"logout", "logoutAll", "listActiveSessions",
		"createOrder", "listOrders", "getOrder", "updateOrder", "listOrderStorages", "getOrderStorage", "listOrderStatuses",
		"createPaymentSession", "getPaymentSessionsByOrder", "updatePaymentSession", "getPaymentSession",
		"listPaymentSessions", "listPaymentAccounts", "getPaymentAccount", "getPaymentsConnected",
		"getMe", "updateMe", "archiveMe", "deleteMe", "addFcmToken", "deleteFcmToken",
		"updateFormData", "updateFormDataStatus", "deleteFormData",
		"listSubscriptions", "subscribe", "unsubscribe",
		// The cart takes a bearer token, or an x-guest-id instead.
		"getCart", "addCartItem", "setCartItem", "removeCartItem",
		"previewOrder", "listRefunds", "createRefundRequest", "cancelRefundRequest", "getBonusBalance", "getBonusHistory",
	}
	var got []string
	for _, o := range operations(t) {
		if o.op.Security != nil && len(*o.op.Security) > 0 {
			got = append(got, o.op.OperationID)
		}
	}
	assert.ElementsMatch(t, user, got)
}

// Every recorded live response must validate as the response of its endpoint.
func TestRecordedFixturesValidate(t *testing.T) {
	t.Parallel()
	endpoints := map[string]struct {
		method, target, body string
		status               int
	}{
		"auth.json": {http.MethodPost, "/api/content/users-auth-providers/marker/email/users/auth",
			`{"authData":[{"marker":"email_reg","value":"your-user@email.com"},{"marker":"password_reg","value":"123456"}]}`, 201},
		"form-tickets_form.json": {http.MethodGet, "/api/content/forms/marker/tickets_form?langCode=en_US", "", 200},
		"order-create.json": {http.MethodPost, "/api/content/orders-storage/marker/tickets/orders",
			`{"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[{"type":"entity","marker":"tickets","value":["p-8-10"]}]},"products":[{"productId":10,"quantity":1}]}`, 201},
		"payment-session-create.json": {http.MethodPost, "/api/content/payments/sessions",
			`{"orderId":92,"type":"session","automaticTaxEnabled":false}`, 201},
		"payment-session-by-order.json": {http.MethodGet, "/api/content/payments/sessions/order/92", "", 200},
	}
	files, err := filepath.Glob(filepath.Join("..", "fixtures", "recorded", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	v := testValidator(t)
	for _, file := range files {
		name := filepath.Base(file)
		if strings.HasSuffix(name, ".capsule.json") {
			continue // a whole recorded flow: capsule's tests check its exchanges
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ep, ok := endpoints[name]
			require.True(t, ok, "map the new recording %s to its endpoint", name)
			body, err := os.ReadFile(file)
			require.NoError(t, err)
			req := newRequest(ep.method, ep.target, ep.body)
			err = v.ValidateExchange(t.Context(), req, ep.status, jsonHeader, body)
			assert.NoError(t, err, "%v", messages(Violations(err)))
		})
	}
}

// A valid exchange for every operation, built from the platform's documented examples and the recordings.
// It pins that each schema accepts what the mock is meant to serve, and the coverage check below
// makes a new operation come with an example.
func validExchanges(t *testing.T) map[string]struct {
	method, target, body string
	status               int
	resp                 string
} {
	const (
		tokens    = `{"userIdentifier":"your-user@email.com","authProviderIdentifier":"email","accessToken":"a.b.c","refreshToken":"1745494429101-5a2b9c1e-0d7f-4b7a-9a43-6c1e2834edf8"}`
		provider  = `{"id":1,"localizeInfos":{"title":"email"},"config":{"accessTokenTtlSec":"36000","refreshTokenTtlMc":"604800","deleteNoneActiveUsersAfterDays":"2","systemCodeTlsSec":"120","systemCodeLength":"6","oauthAuthUrl":null,"systemCodeOnlyNumbers":null},"version":0,"identifier":"email","type":"email","formIdentifier":"reg","userGroupIdentifier":"guest","isActive":true,"isCheckCode":false}`
		orderRead = `{"id":92,"storageId":1,"createdDate":"2025-04-30T21:54:48.918Z","statusIdentifier":"inProgress","formIdentifier":"tickets_form","formData":{"en_US":[{"marker":"tickets","type":"entity","value":["p-8-10"]}]},"attributeSetIdentifier":"order_form","totalSum":"100.00","currency":"USD","paymentAccountIdentifier":"cash","paymentAccountLocalizeInfos":{"en_US":{"title":"Cash"}},"products":[{"id":10,"title":"Бронзовый","sku":null,"previewImage":null,"price":100,"quantity":1}],"paymentUrl":null,"isCompleted":null}`
		orderBody = `{"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[{"type":"entity","marker":"tickets","value":["p-8-10"]}]},"products":[{"productId":10,"quantity":1}]}`
		storage   = `{"id":1,"localizeInfos":{"title":"Tickets"},"position":1,"identifier":"tickets","formIdentifier":"tickets_form","generalTypeId":23,"paymentAccountIdentifiers":[{"identifier":"cash"}]}`
		session   = `{"id":49,"createdDate":"2025-04-30T21:54:50.058Z","updatedDate":"2025-04-30T21:54:50.058Z","type":"session","status":"waiting","paymentAccountId":1,"orderId":92,"paymentUrl":null,"amount":100}`
		account   = `{"id":1,"localizeInfos":{"title":"Cash"},"identifier":"cash","type":"custom","isVisible":true,"isUsed":true,"testMode":false,"settings":{"status":"connected"},"updatedDate":"2025-02-26T10:13:16.839Z"}`
		product   = `{"id":10,"localizeInfos":{"title":"Бронзовый"},"statusIdentifier":null,"statusLocalizeInfos":{},"attributeSetIdentifier":"tickets","position":1,"templateIdentifier":null,"shortDescTemplateIdentifier":null,"price":100,"additional":{"prices":{"min":100,"max":300}},"sku":null,"isSync":true,"isVisible":true,"categories":["tickets"],"attributeValues":{"price":{"type":"integer","value":100,"isIcon":false,"position":0,"additionalFields":[],"isProductPreview":false}},"productPages":[{"id":31,"pageId":8,"productId":10,"positionId":120,"categoryPath":"tickets"}],"blocks":[],"moduleFormConfigs":[],"rating":{},"paymentStages":null}`
		user      = `{"id":16,"identifier":"your-user@email.com","authProviderIdentifier":"email","formData":{"en_US":[{"marker":"name_reg","type":"string","value":"Ivan"}]},"formIdentifier":"reg","total":"1","groups":[1],"state":{},"moduleFormConfigs":[],"rating":{}}`
		signUp    = `{"formIdentifier":"reg","authData":[{"marker":"email_reg","value":"new@example.com"},{"marker":"password_reg","value":"12345"}],"formData":{"en_US":[{"marker":"name_reg","type":"string","value":"Ivan"}]},"notificationData":{"email":"new@example.com","phonePush":[],"phoneSMS":"+19990000000"},"langCode":"en_US"}`
		signedUp  = `{"id":17,"updatedDate":"2025-04-30T21:54:48.918Z","version":0,"identifier":"new@example.com","isActive":false,"formData":{"en_US":[{"marker":"name_reg","type":"string","value":"Ivan"}]},"notificationData":{"email":"new@example.com","phonePush":[]},"locale":"en_US","createdDate":"2025-04-30T21:54:48.918Z","state":{}}`
	)
	form := string(recorded(t, "form-tickets_form.json"))
	examples := map[string]struct {
		method, target, body string
		status               int
		resp                 string
	}{
		"authenticate":  {"POST", "/api/content/users-auth-providers/marker/email/users/auth", `{"authData":[{"marker":"email_reg","value":"u"}],"code":"407063"}`, 201, tokens},
		"refreshTokens": {"POST", "/api/content/users-auth-providers/marker/email/users/refresh", `{"refreshToken":"1-2"}`, 201, tokens},
		"refresh without token": {"POST", "/api/content/users-auth-providers/marker/email/users/refresh", `{}`, 401,
			`{"statusCode":401,"message":"Unauthorized","error":"Unauthorized","pageData":null,"timestamp":"2025-04-30T21:54:48.918Z"}`},
		"logout":             {"POST", "/api/content/users-auth-providers/marker/email/users/logout", `{"refreshToken":"1-2"}`, 201, `true`},
		"logoutAll":          {"POST", "/api/content/users-auth-providers/marker/email/users/logout-all", "", 201, `true`},
		"logoutAll with {}":  {"POST", "/api/content/users-auth-providers/marker/email/users/logout-all", `{}`, 201, `true`},
		"signUp":             {"POST", "/api/content/users-auth-providers/marker/email/users/sign-up", signUp, 201, signedUp},
		"generateCode":       {"POST", "/api/content/users-auth-providers/marker/email/users/generate-code", `{"userIdentifier":"your-user@email.com","eventIdentifier":"user_registration"}`, 201, ``},
		"checkCode":          {"POST", "/api/content/users-auth-providers/marker/email/users/check-code", `{"userIdentifier":"your-user@email.com","eventIdentifier":"user_registration","code":"123456"}`, 201, `false`},
		"activateUser":       {"POST", "/api/content/users-auth-providers/marker/email/users/activate", `{"userIdentifier":"your-user@email.com","code":"123456"}`, 201, `true`},
		"changePassword":     {"POST", "/api/content/users-auth-providers/marker/email/users/change-password", `{"userIdentifier":"your-user@email.com","eventIdentifier":"reset","type":1,"code":"123456","password1":"n3w","password2":"n3w"}`, 201, `true`},
		"oauthSignIn":        {"POST", "/api/content/users-auth-providers/marker/email/oauth", `{"client_id":"c","client_secret":"s","code":"0f1e","grant_type":"authorization_code","redirect_uri":"http://localhost:3000"}`, 201, `{"userIdentifier":"a@b.c","authProviderIdentifier":"email","accessToken":"a","refreshToken":"r"}`},
		"listAuthProviders":  {"GET", "/api/content/users-auth-providers?langCode=en_US&offset=0&limit=30", "", 200, "[" + provider + "]"},
		"getAuthProvider":    {"GET", "/api/content/users-auth-providers/marker/email?langCode=en_US", "", 200, provider},
		"listActiveSessions": {"GET", "/api/content/users-auth-providers/marker/email/users/sessions", "", 200, `[{"deviceInfo":{"os":"Node.js","browser":"Node.js/abcdefghij","location":"en-US"}}]`},
		"getForm":            {"GET", "/api/content/forms/marker/tickets_form?langCode=en_US", "", 200, form},
		"listForms":          {"GET", "/api/content/forms?langCode=en_US&offset=0&limit=100", "", 200, `{"total":1,"items":[` + form + `]}`},
		"createOrder":        {"POST", "/api/content/orders-storage/marker/tickets/orders", orderBody, 201, string(recorded(t, "order-create.json"))},
		"createOrder without formData": {"POST", "/api/content/orders-storage/marker/tickets/orders",
			`{"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[null]},"products":[{"productId":10,"quantity":1,"signedPrice":"x.y.z"}],"couponCode":"C","additionalDiscountsMarkers":["d"],"bonusAmount":1.5,"statusIdentifier":"inProgress"}`, 201,
			`{"id":93,"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[{"type":"entity","marker":"tickets","value":["p-8-10"]}]},"products":[{"productId":10,"quantity":1}],"currency":"","totalSum":100.5,"createdDate":"2025-04-30T21:54:48.918Z"}`},
		"createOrder invalid": {"POST", "/api/content/orders-storage/marker/tickets/orders", orderBody, 400,
			`{"statusCode":400,"message":["required values are missing or incorrect: tickets"],"error":"Bad Request","pageData":null,"timestamp":"2025-04-30T21:54:48.918Z"}`},
		"listOrders":        {"GET", "/api/content/orders-storage/marker/tickets/orders?langCode=en_US&limit=30&offset=0", "", 200, `{"items":[` + orderRead + `],"total":1}`},
		"getOrder":          {"GET", "/api/content/orders-storage/marker/tickets/orders/92?langCode=en_US", "", 200, orderRead},
		"updateOrder":       {"PUT", "/api/content/orders-storage/marker/tickets/orders/92?langCode=en_US", orderBody, 200, strings.Replace(string(recorded(t, "order-create.json")), `"id": 92,`, `"id": 92, "statusIdentifier": "canceled",`, 1)},
		"listOrderStorages": {"GET", "/api/content/orders-storage?langCode=en_US&limit=30&offset=0", "", 200, "[" + storage + `,{"id":2,"localizeInfos":{},"position":null,"identifier":null,"formIdentifier":null,"generalTypeId":null,"paymentAccountIdentifiers":[]}]`},
		"getOrderStorage":   {"GET", "/api/content/orders-storage/marker/tickets?langCode=en_US", "", 200, storage},
		"listOrderStatuses": {"GET", "/api/content/orders-storage/marker/tickets/order-statuses?langCode=en_US&offset=0&limit=30", "", 200,
			`[{"id":1,"localizeInfos":{"title":"In progress"},"identifier":"inProgress","position":1,"isUsed":true,"isDefault":true}]`},
		"createPaymentSession":            {"POST", "/api/content/payments/sessions", `{"orderId":92,"type":"intent"}`, 201, session},
		"getPaymentSessionsByOrder":       {"GET", "/api/content/payments/sessions/order/92", "", 200, "[" + session + "]"},
		"getPaymentSessionsByOrder empty": {"GET", "/api/content/payments/sessions/order/92", "", 200, `[]`},
		"updatePaymentSession":            {"PUT", "/api/content/payments/sessions/49", `{"status":"expired_ticket","paymentUrl":""}`, 200, strings.Replace(session, `"waiting"`, `"expired_ticket"`, 1)},
		"updatePaymentSession null url":   {"PUT", "/api/content/payments/sessions/49", `{"paymentUrl":null}`, 200, session},
		"getPaymentSession":               {"GET", "/api/content/payments/sessions/49", "", 200, `{"id":49,"createdDate":"2025-04-30T21:54:50.058Z","updatedDate":"2025-04-30T21:54:50.058Z","type":"session","status":"completed","paymentAccountId":2,"orderId":92,"paymentUrl":"https://checkout.stripe.com/c/pay/cs_1","amount":null,"clientSecret":"pi_1_secret_2"}`},
		"listPaymentSessions":             {"GET", "/api/content/payments/sessions?offset=0&limit=30", "", 200, `{"items":[` + session + `],"total":1}`},
		"listPaymentSessions slash":       {"GET", "/api/content/payments/sessions/?offset=0&limit=30", "", 200, `{"items":[],"total":0}`},
		"listPaymentAccounts":             {"GET", "/api/content/payments/accounts", "", 200, "[" + account + "]"},
		"getPaymentAccount":               {"GET", "/api/content/payments/accounts/1", "", 200, strings.Replace(account, `"settings"`, `"testSettings":{},"settings"`, 1)},
		"getProduct":                      {"GET", "/api/content/products/10?langCode=en_US", "", 200, product},
		"getMe":                           {"GET", "/api/content/users/me?langCode=en_US", "", 200, user},
		"getProductsByIds":                {"GET", "/api/content/products/ids?ids=10,11&langCode=en_US", "", 200, "[" + product + "]"},
		"getCart":                         {"GET", "/api/content/users/me/cart", "", 200, `{"items":[],"total":0}`},
		"addCartItem":                     {"POST", "/api/content/users/me/cart/items", `{"productId":10,"qty":2}`, 201, `{"items":[{"productId":10,"qty":2}],"total":1}`},
		"setCartItem":                     {"PUT", "/api/content/users/me/cart/items/10", `{"qty":3}`, 200, `{"items":[{"productId":10,"qty":3}],"total":1}`},
		"removeCartItem":                  {"DELETE", "/api/content/users/me/cart/items/10", "", 200, `{"items":[],"total":0}`},
		"updateMe":                        {"PUT", "/api/content/users/me?langCode=en_US", `{"formIdentifier":"reg","formData":{"en_US":[{"marker":"name_reg","type":"string","value":"Ivan"}]},"state":{"cart":[]},"langCode":"en_US"}`, 200, `true`},
		"archiveMe":                       {"DELETE", "/api/content/users/me", "", 200, `true`},
		"deleteMe":                        {"DELETE", "/api/content/users/me/account", "", 200, `true`},
		"addFcmToken":                     {"POST", "/api/content/users/me/fcm-token/fcm_1", "", 201, `true`},
		"deleteFcmToken":                  {"DELETE", "/api/content/users/me/fcm-token/fcm_1", "", 200, `true`},
		"postFormData": {"POST", "/api/content/form-data?langCode=en_US", `{"formIdentifier":"contact_us","formModuleConfigId":2,"moduleEntityIdentifier":"contacts","replayTo":null,"status":"sent","formData":{"en_US":[{"marker":"message","type":"text","value":[{"plainValue":"Hi"}]}]}}`, 201,
			`{"actionMessage":"Thanks","formData":{"id":1,"formIdentifier":"contact_us","time":"2025-04-30T21:54:48.918Z","entityIdentifier":"contacts","fingerprint":"","isUserAdmin":false,"formModuleId":2,"userIdentifier":null,"parentId":null,"formData":[{"marker":"message","type":"text","value":[{"plainValue":"Hi"}]}]}}`},
		"getFormDataByMarker": {"POST", "/api/content/form-data/marker/contact_us?formModuleConfigId=2&isExtended=1&langCode=en_US&offset=0&limit=30", `{"entityIdentifier":"contacts","status":["sent"],"dateFrom":"2025-04-30","dateTo":""}`, 201,
			`{"items":[{"id":1,"formIdentifier":"contact_us","time":"2025-04-30T21:54:48.918Z","formData":[{"marker":"name","type":"string","value":"Ann"}],"attributeSetIdentifier":null,"moduleIdentifier":"content","entityIdentifier":"contacts","formModuleConfigId":2,"status":"sent","userIdentifier":null,"isUserAdmin":false,"parentId":null,"depth":0}],"total":1}`},
		"updateFormData": {"PUT", "/api/content/form-data/1", `{"formData":{"en_US":[{"marker":"name","type":"string","value":"Ann"}]}}`, 200,
			`{"id":1,"formIdentifier":"contact_us","time":"2025-04-30T21:54:48.918Z","formData":[{"marker":"name","type":"string","value":"Ann"}],"userIdentifier":"your-user@email.com","entityIdentifier":"contacts","parentId":null,"fingerprint":"","isUserAdmin":false,"formModuleId":2}`},
		"updateFormDataStatus": {"PUT", "/api/content/form-data/1/update-status", `{"status":"deleted"}`, 200, `true`},
		"deleteFormData":       {"DELETE", "/api/content/form-data/1", "", 200, `true`},
		"createOrder with discounts": {"POST", "/api/content/orders-storage/marker/tickets/orders", `{"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[]},"products":[{"productId":10,"quantity":1}],"couponCode":"WELCOME10","additionalDiscountsMarkers":["early_bird"],"bonusAmount":30}`, 201,
			`{"id":93,"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[]},"products":[{"productId":10,"quantity":1}],"currency":"USD","totalSum":80,"createdDate":"2025-04-30T21:54:48.918Z","couponCode":"WELCOME10","additionalDiscountsMarkers":["early_bird"],"discountConfig":{"bonus":{"availableBalance":50,"bonusApplied":30,"maxBonusDiscount":50,"minBonusAmount":null,"minOrderAmountForBonus":null},"coupon":{"id":1,"discountId":2,"code":"WELCOME10","isReusable":true,"isUsed":false,"orderId":null,"usedAt":null},"orderDiscounts":[],"productDiscounts":[{"id":1,"attributeSetId":null,"localizeInfos":{"title":"Early bird"},"version":0,"identifier":"early_bird","type":"DISCOUNT","startDate":"2025-01-01T00:00:00.000Z","endDate":"2030-01-01T00:00:00.000Z","discountValue":{"applicability":"TO_PRODUCT","discountType":"PERCENT","value":20,"maxAmount":null},"conditionLogic":"AND","conditions":[],"exclusions":null,"gifts":[],"giftsReplaceCartItems":false,"userGroups":null,"userExclusions":null,"position":1}],"settings":{"allowGiftStacking":false,"allowStacking":true,"maxDiscountValue":null},"additionalDiscountsMarkers":["early_bird"],"bonusApplied":30,"excludedGiftProductIds":[],"totalDue":50,"totalRaw":100,"totalSumWithDiscount":80},"bonusAmount":30,"bonusApplied":30,"totalDue":50}`},
		"previewOrder": {"POST", "/api/content/orders-storage/orders/preview?langCode=en_US", `{"products":[{"productId":10,"quantity":1}],"couponCode":"WELCOME10","bonusAmount":30}`, 201,
			`{"totalSum":100,"totalSumWithDiscount":80,"discountConfig":{"bonus":{"availableBalance":50,"bonusApplied":30,"maxBonusDiscount":50,"minBonusAmount":null,"minOrderAmountForBonus":null},"coupon":{"id":1,"discountId":2,"code":"WELCOME10","isReusable":true,"isUsed":false,"orderId":null,"usedAt":null},"orderDiscounts":[],"productDiscounts":[{"id":1,"attributeSetId":null,"localizeInfos":{"title":"Early bird"},"version":0,"identifier":"early_bird","type":"DISCOUNT","startDate":"2025-01-01T00:00:00.000Z","endDate":"2030-01-01T00:00:00.000Z","discountValue":{"applicability":"TO_PRODUCT","discountType":"PERCENT","value":20,"maxAmount":null},"conditionLogic":"AND","conditions":[],"exclusions":null,"gifts":[],"giftsReplaceCartItems":false,"userGroups":null,"userExclusions":null,"position":1}],"settings":{"allowGiftStacking":false,"allowStacking":true,"maxDiscountValue":null}},"currency":"USD","orderPreview":[{"id":10,"price":100,"quantity":1,"discountPrice":80,"isGift":false}],"bonusApplied":30,"totalDue":50}`},
		"listRefunds":            {"GET", "/api/content/orders/92/refund", "", 200, `[{"id":1,"createdDate":"2025-04-30T21:54:48.918Z","status":"pending","amount":75,"note":"x","products":{"10":{"quantity":1}},"orderId":92,"orderStorageId":1,"userId":16,"orderStorage":{"id":1,"identifier":"tickets","localizeInfos":{"title":"Tickets"}},"user":{"id":16,"identifier":"your-user@email.com"}}]`},
		"createRefundRequest":    {"POST", "/api/content/orders/92/refund", `{"products":{"10":{"quantity":1}},"note":"x"}`, 201, `true`},
		"cancelRefundRequest":    {"DELETE", "/api/content/orders/92/refund", "", 200, `true`},
		"listDiscounts":          {"GET", "/api/content/discounts?langCode=en_US&offset=0&limit=30&type=DISCOUNT", "", 200, `{"total":1,"items":[{"id":1,"attributeSetId":null,"localizeInfos":{"title":"Early bird"},"version":0,"identifier":"early_bird","type":"DISCOUNT","startDate":"2025-01-01T00:00:00.000Z","endDate":"2030-01-01T00:00:00.000Z","discountValue":{"applicability":"TO_PRODUCT","discountType":"PERCENT","value":20,"maxAmount":null},"conditionLogic":"AND","conditions":[],"exclusions":null,"gifts":[],"giftsReplaceCartItems":false,"userGroups":null,"userExclusions":null,"position":1}]}`},
		"getDiscount":            {"GET", "/api/content/discounts/marker/early_bird?marker=&langCode=en_US", "", 200, `{"id":1,"attributeSetId":null,"localizeInfos":{"title":"Early bird"},"version":0,"identifier":"early_bird","type":"DISCOUNT","startDate":"2025-01-01T00:00:00.000Z","endDate":"2030-01-01T00:00:00.000Z","discountValue":{"applicability":"TO_PRODUCT","discountType":"PERCENT","value":20,"maxAmount":null},"conditionLogic":"AND","conditions":[],"exclusions":null,"gifts":[],"giftsReplaceCartItems":false,"userGroups":null,"userExclusions":null,"position":1}`},
		"validateCoupon":         {"GET", "/api/content/discounts/coupons/validate?code=WELCOME10", "", 200, `{"valid":true,"coupon":{"id":1,"discountId":2,"code":"WELCOME10","isReusable":true,"isUsed":false,"orderId":null,"usedAt":null}}`},
		"validateCoupon unknown": {"GET", "/api/content/discounts/coupons/validate?code=NOPE", "", 200, `{"valid":false,"error":"Coupon not found"}`},
		"getBonusBalance":        {"GET", "/api/content/discounts/bonus-balance", "", 200, `{"balance":50}`},
		"getBonusHistory": {"GET", "/api/content/discounts/bonus-balance/history?type=USAGE", "", 200,
			`[{"balanceId":16,"amount":20,"type":"USAGE","entityIdentifier":"92","comment":"Order #92","isAdmin":false,"triggerType":"EVENT","createdAt":"2025-04-30T21:54:48.918Z"},{"balanceId":16,"amount":50,"type":"ACCRUAL","discountId":5,"comment":"Welcome bonus","isAdmin":false,"triggerType":"EVENT","createdAt":"2025-04-01T09:00:00.000Z"}]`},
		"forbidden": {"GET", "/api/content/products/10", "", 403,
			`{"statusCode":403,"message":"Resource is closed","error":"Forbidden","pageData":null,"timestamp":"2025-04-30T21:54:48.918Z"}`},
	}
	maps.Copy(examples, catalogExchanges(product))
	return examples
}

func TestValidExchanges(t *testing.T) {
	t.Parallel()
	v := testValidator(t)
	covered := map[string]bool{}
	exchanges := validExchanges(t)
	maps.Copy(exchanges, siteExchanges())
	maps.Copy(exchanges, sdk115Exchanges(t))
	for name, ex := range exchanges {
		req := newRequest(ex.method, ex.target, ex.body)
		in, err := v.route(req)
		require.NoError(t, err, name)
		covered[in.Route.Operation.OperationID] = true
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			req := newRequest(ex.method, ex.target, ex.body)
			err := v.ValidateExchange(t.Context(), req, ex.status, jsonHeader, []byte(ex.resp))
			assert.NoError(t, err, "%v", messages(Violations(err)))
			assert.Empty(t, Violations(err))
		})
	}
	for _, o := range operations(t) {
		assert.True(t, covered[o.op.OperationID], "no valid example for %s", o.op.OperationID)
	}
}

func TestValidateRequestRestoresBody(t *testing.T) {
	t.Parallel()
	v := testValidator(t)
	for name, body := range map[string]string{
		"valid":         `{"orderId":92,"type":"session"}`,
		"invalid":       `{"orderId":"92","type":"card","extra":1}`,
		"not json":      `{"orderId":`,
		"no route":      `{"x":1}`,
		"optional body": `{}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			target := "/api/content/payments/sessions"
			switch name {
			case "no route":
				target = "/api/content/payments/nowhere"
			case "optional body":
				target = "/api/content/users-auth-providers/marker/email/users/logout-all"
			}
			req := newRequest(http.MethodPost, target, body)
			_ = v.ValidateRequest(t.Context(), req)
			got, err := io.ReadAll(req.Body)
			require.NoError(t, err)
			assert.Equal(t, body, string(got))
			if req.GetBody != nil {
				again, err := req.GetBody()
				require.NoError(t, err)
				got, err = io.ReadAll(again)
				require.NoError(t, err)
				assert.Equal(t, body, string(got))
			}
		})
	}
}

func TestValidateRequestLeavesQueryAlone(t *testing.T) {
	t.Parallel()
	// The contract documents defaults (limit 30, langCode en_US); validation must not write them
	// into the request the server then reads.
	req := newRequest(http.MethodGet, "/api/content/forms", "")
	require.NoError(t, testValidator(t).ValidateRequest(t.Context(), req))
	assert.Empty(t, req.URL.RawQuery)
}

func TestRouting(t *testing.T) {
	t.Parallel()
	v := testValidator(t)
	tests := map[string]struct {
		method, target string
		wantOp         string // "" = no route
	}{
		"other host":               {http.MethodGet, "http://shop.oneentry.cloud/api/content/forms", "listForms"},
		"loopback port":            {http.MethodGet, "http://127.0.0.1:49152/api/content/users/me", "getMe"},
		"list without slash":       {http.MethodGet, "/api/content/payments/sessions?offset=0&limit=30", "listPaymentSessions"},
		"list with slash":          {http.MethodGet, "/api/content/payments/sessions/?offset=0&limit=30", "listPaymentSessions"},
		"session by id":            {http.MethodGet, "/api/content/payments/sessions/49", "getPaymentSession"},
		"session by order":         {http.MethodGet, "/api/content/payments/sessions/order/92", "getPaymentSessionsByOrder"},
		"double slash (old SDKs)":  {http.MethodGet, "//api/content/forms/marker/tickets_form", "getForm"},
		"marker with dot":          {http.MethodGet, "/api/content/forms/marker/a.b", "getForm"},
		"outside the base":         {http.MethodGet, "/__admin/health", ""},
		"unknown path":             {http.MethodGet, "/api/content/users/cart", ""},
		"unknown method":           {http.MethodPatch, "/api/content/users/me", ""},
		"trailing slash elsewhere": {http.MethodGet, "/api/content/forms/", "listForms"},
		"slash after a variable":   {http.MethodGet, "/api/content/attributes-sets/marker/page/?langCode=en_US", "getAttributeSet"},
		"double trailing slash":    {http.MethodGet, "/api/content/forms//", "listForms"},
		"slash alone is no route":  {http.MethodGet, "/api/content/", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			req := newRequest(tc.method, tc.target, "")
			in, err := v.route(req)
			if tc.wantOp == "" {
				require.ErrorIs(t, err, ErrNoRoute)
				err = v.ValidateRequest(t.Context(), req)
				require.ErrorIs(t, err, ErrNoRoute)
				vs := Violations(err)
				require.Len(t, vs, 1)
				assert.Equal(t, KindRoute, vs[0].Kind)
				assert.Equal(t, PhaseRequest, vs[0].Phase)
				assert.Equal(t, req.URL.Path, vs[0].Path)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantOp, in.Route.Operation.OperationID)
		})
	}
}

func TestDefaultValidatorIsBuiltOnce(t *testing.T) {
	t.Parallel()
	a, err := Default(t.Context())
	require.NoError(t, err)
	b, err := Default(t.Context())
	require.NoError(t, err)
	assert.Same(t, a, b)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = Default(ctx)
	assert.ErrorIs(t, err, context.Canceled)
}
