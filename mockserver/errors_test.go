package mockserver_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// stateFingerprint captures what a failed request must not change: both users' profiles, orders
// and sessions, the form submissions, and the next ids the sequences would hand out.
func stateFingerprint(t *testing.T, ts *testServer) string {
	t.Helper()
	var b strings.Builder
	for _, u := range [][2]string{{userLogin, userPass}, {user2, user2Pass}} {
		tk := ts.login(t, u[0], u[1])
		for _, path := range []string{ordersPath + "?limit=100", "/api/content/payments/sessions?limit=100", "/api/content/users/me", "/api/content/discounts/bonus-balance/history"} {
			status, body := ts.call(t, http.MethodGet, path, tk.AccessToken, nil)
			require.Equal(t, http.StatusOK, status)
			b.Write(body)
		}
		status, body := ts.call(t, http.MethodPost, "/api/content/form-data/marker/contact_us?formModuleConfigId=2&limit=100", tk.AccessToken, nil)
		require.Equal(t, http.StatusCreated, status)
		b.Write(body)
	}
	return b.String()
}

func TestBadRequestsAnswerLiveErrorsAndChangeNothing(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withMaxBody(1<<20))
	ts.clock.Freeze()
	owner := ts.login(t, userLogin, userPass)
	stranger := ts.login(t, user2, user2Pass)
	status, body := ts.call(t, http.MethodPost, ordersPath, owner.AccessToken, seedOrderBody(10, 1))
	require.Equal(t, http.StatusCreated, status, string(body))
	orderID := int(decode[map[string]any](t, body)["id"].(float64))
	status, body = ts.call(t, http.MethodPost, "/api/content/payments/sessions", owner.AccessToken, map[string]any{"orderId": orderID, "type": "session"})
	require.Equal(t, http.StatusCreated, status, string(body))
	sessionID := int(decode[map[string]any](t, body)["id"].(float64))

	withoutTickets := seedOrderBody(10, 1)
	withoutTickets["formData"] = map[string]any{"en_US": []any{}}
	wrongOption := seedOrderBody(10, 1)
	wrongOption["formData"] = map[string]any{"en_US": []map[string]any{{"type": "entity", "marker": "tickets", "value": []string{"p-8-99"}}}}
	wrongForm := seedOrderBody(10, 1)
	wrongForm["formIdentifier"] = "reg"
	wrongAccount := seedOrderBody(10, 1)
	wrongAccount["paymentAccountIdentifier"] = "venmo"
	extraField := seedOrderBody(10, 1)
	extraField["hack"] = true
	twoAddressSignUp := map[string]any{
		"formIdentifier": "reg", "langCode": "en_US",
		"authData": []map[string]string{{"marker": "email_reg", "value": "a@b.example, d@e.example"}, {"marker": "password_reg", "value": "12345"}},
		"formData": map[string]any{"en_US": []map[string]any{{"marker": "name_reg", "type": "string", "value": "Ivan"}}},
	}
	signUp := func(edit func(map[string]any)) map[string]any {
		b := map[string]any{
			"formIdentifier": "reg", "langCode": "en_US",
			"authData": []map[string]string{{"marker": "email_reg", "value": "new@b.example"}, {"marker": "password_reg", "value": "12345"}},
		}
		edit(b)
		return b
	}
	ivan := []map[string]any{{"marker": "name_reg", "type": "string", "value": "Ivan"}}
	orderIn := func(locales ...string) map[string]any {
		b, values := seedOrderBody(10, 1), map[string]any{}
		for _, l := range locales {
			values[l] = b["formData"].(map[string]any)["en_US"]
		}
		b["formData"] = values
		return b
	}
	huge := `{"formIdentifier":"` + strings.Repeat("x", 10<<20) + `"}`
	submission := fmt.Sprintf("/api/content/form-data/%d", ts.submitOK(t, owner.AccessToken, contactBody()))
	strangerName := map[string]any{"formData": contactValues(field("name", "string", "Mallory"), field("message", "text", plain("x")))}
	withCoupon := func(code string) map[string]any {
		b := seedOrderBody(10, 1)
		b["couponCode"] = code
		return b
	}
	paidStatus := seedOrderBody(10, 1)
	paidStatus["statusIdentifier"] = "paid"
	preview := func(extra string) string { return `{"products":[{"productId":10,"quantity":1}]` + extra + `}` }
	const previewPath = "/api/content/orders-storage/orders/preview"
	refund := fmt.Sprintf("/api/content/orders/%d/refund", orderID)
	oneTicket := map[string]any{"products": map[string]any{"10": map[string]int{"quantity": 1}}}

	cases := []struct {
		name    string
		method  string
		path    string
		bearer  string
		body    any
		headers map[string]string
		status  int
		message string
	}{
		{"wrong password", http.MethodPost, authPath, "", authBody(userLogin, "nope"), nil, 401, "Invalid login or password"},
		{"unknown login", http.MethodPost, authPath, "", authBody("ghost@example.com", "123456"), nil, 401, "Invalid login or password"},
		{"missing password", http.MethodPost, authPath, "", map[string]any{"authData": []map[string]string{{"marker": "email_reg", "value": userLogin}}}, nil, 400, "required values are missing or incorrect: password_reg"},
		{"langCode in auth body", http.MethodPost, authPath, "", map[string]any{"authData": []any{}, "langCode": "en_US"}, nil, 400, "property langCode should not exist"},
		{"unknown auth provider", http.MethodPost, "/api/content/users-auth-providers/marker/nope/users/auth", "", authBody(userLogin, userPass), nil, 404, "nope"},
		{"wrong app token", http.MethodGet, "/api/content/forms/marker/tickets_form", "", nil, map[string]string{"x-app-token": "wrong"}, 403, "Resource is closed"},
		{"no app token", http.MethodPost, authPath, "", authBody(userLogin, userPass), map[string]string{}, 403, "Resource is closed"},
		{"app token as bearer", http.MethodGet, "/api/content/forms/marker/tickets_form", "", nil, map[string]string{"Authorization": "Bearer " + appToken}, 403, "Resource is closed"},
		{"no bearer on a user route", http.MethodPost, ordersPath, "", seedOrderBody(10, 1), nil, 401, "Unauthorized"},
		{"garbage bearer", http.MethodGet, ordersPath, "not.a.jwt", nil, nil, 401, "Unauthorized"},
		{"tampered bearer", http.MethodGet, ordersPath, tampered(owner.AccessToken), nil, nil, 401, "Unauthorized"},
		{"unknown form", http.MethodGet, "/api/content/forms/marker/nope", "", nil, nil, 404, "nope"},
		{"unknown storage", http.MethodPost, "/api/content/orders-storage/marker/nope/orders", owner.AccessToken, seedOrderBody(10, 1), nil, 404, "nope"},
		{"unknown storage list", http.MethodGet, "/api/content/orders-storage/marker/nope/orders", owner.AccessToken, nil, nil, 404, "nope"},
		{"unknown product", http.MethodPost, ordersPath, owner.AccessToken, seedOrderBody(99, 1), nil, 400, "product 99 not found"},
		{"zero quantity", http.MethodPost, ordersPath, owner.AccessToken, seedOrderBody(10, 0), nil, 400, "quantity must not be less than 1"},
		{"missing required field", http.MethodPost, ordersPath, owner.AccessToken, withoutTickets, nil, 400, "required values are missing or incorrect: tickets"},
		{"entity value not an option", http.MethodPost, ordersPath, owner.AccessToken, wrongOption, nil, 400, "p-8-99"},
		{"form not of the storage", http.MethodPost, ordersPath, owner.AccessToken, wrongForm, nil, 400, "formIdentifier"},
		{"account not linked", http.MethodPost, ordersPath, owner.AccessToken, wrongAccount, nil, 400, "venmo"},
		{"unknown property", http.MethodPost, ordersPath, owner.AccessToken, extraField, nil, 400, "property hack should not exist"},
		{"malformed JSON", http.MethodPost, ordersPath, owner.AccessToken, `{"formIdentifier": "tickets_form",`, nil, 400, "JSON"},
		{"wrong JSON type", http.MethodPost, ordersPath, owner.AccessToken, `{"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[]},"products":[{"productId":"ten","quantity":1}]}`, nil, 400, "productId"},
		{"body is an array", http.MethodPost, ordersPath, owner.AccessToken, `[]`, nil, 400, ""},
		{"10 MB body", http.MethodPost, ordersPath, owner.AccessToken, huge, nil, 413, "request entity too large"},
		{"10 MB body on a read", http.MethodGet, "/api/content/forms", "", huge, nil, 413, "request entity too large"},
		{"10 MB body on a deletion", http.MethodDelete, submission, owner.AccessToken, huge, nil, 413, "request entity too large"},
		{"another user's order", http.MethodGet, fmt.Sprintf("%s/%d", ordersPath, orderID), stranger.AccessToken, nil, nil, 404, "not found"},
		{"another user's order update", http.MethodPut, fmt.Sprintf("%s/%d", ordersPath, orderID), stranger.AccessToken, seedOrderBody(10, 5), nil, 404, "not found"},
		{"another user's session", http.MethodGet, fmt.Sprintf("/api/content/payments/sessions/%d", sessionID), stranger.AccessToken, nil, nil, 404, "not found"},
		{"another user's session update", http.MethodPut, fmt.Sprintf("/api/content/payments/sessions/%d", sessionID), stranger.AccessToken, map[string]string{"status": "completed"}, nil, 404, "not found"},
		{"another user's session by order", http.MethodGet, fmt.Sprintf("/api/content/payments/sessions/order/%d", orderID), stranger.AccessToken, nil, nil, 404, "not found"},
		{"session for another user's order", http.MethodPost, "/api/content/payments/sessions", stranger.AccessToken, map[string]any{"orderId": orderID, "type": "session"}, nil, 404, "not found"},
		{"unknown order id", http.MethodGet, ordersPath + "/999999", owner.AccessToken, nil, nil, 404, "not found"},
		{"non-numeric order id", http.MethodGet, ordersPath + "/abc", owner.AccessToken, nil, nil, 400, "id"},
		// NestJS's ParseIntPipe wants /^-?\d+$/: a plus sign is not a number's.
		{"order id with a plus sign", http.MethodGet, fmt.Sprintf("%s/+%d", ordersPath, orderID), owner.AccessToken, nil, nil, 400, "id must be an integer"},
		{"product id with a plus sign", http.MethodGet, "/api/content/products/+10", "", nil, nil, 400, "id must be an integer"},
		{"product id with an escaped plus sign", http.MethodGet, "/api/content/products/%2B10", "", nil, nil, 400, "id must be an integer"},
		{"cart item id with a plus sign", http.MethodPut, "/api/content/users/me/cart/items/+10", owner.AccessToken, map[string]int{"qty": 1}, nil, 400, "productId"},
		{"session type not allowed", http.MethodPost, "/api/content/payments/sessions", owner.AccessToken, map[string]any{"orderId": orderID, "type": "cash"}, nil, 400, "type"},
		{"session status not a string", http.MethodPut, fmt.Sprintf("/api/content/payments/sessions/%d", sessionID), owner.AccessToken, map[string]any{"status": 5}, nil, 400, "status"},
		{"limit out of range", http.MethodGet, ordersPath + "?limit=0", owner.AccessToken, nil, nil, 400, "limit"},
		{"negative offset", http.MethodGet, ordersPath + "?offset=-1", owner.AccessToken, nil, nil, 400, "offset"},
		{"unknown product id", http.MethodGet, "/api/content/products/999", "", nil, nil, 404, "999"},
		{"unknown payment account", http.MethodGet, "/api/content/payments/accounts/77", owner.AccessToken, nil, nil, 404, "77"},
		{"unknown route", http.MethodGet, "/api/content/users/cart", owner.AccessToken, nil, nil, 404, "Cannot GET /api/content/users/cart"},
		{"wrong method", http.MethodDelete, ordersPath, owner.AccessToken, nil, nil, 404, "Cannot DELETE " + ordersPath},
		{"CR LF in eventIdentifier", http.MethodPost, usersBase + "generate-code", "", map[string]string{"userIdentifier": userLogin, "eventIdentifier": "reg\r\nX: y"}, nil, 400, "eventIdentifier"},
		{"invalid UTF-8 in eventIdentifier", http.MethodPost, usersBase + "generate-code", "", `{"userIdentifier":"` + userLogin + `","eventIdentifier":"` + "\xff" + `"}`, nil, 400, "eventIdentifier"},
		{"login of two addresses", http.MethodPost, usersBase + "sign-up", "", twoAddressSignUp, nil, 400, "email_reg must be a single e-mail address"},
		{"sign-up values under no locale", http.MethodPost, usersBase + "sign-up", "", signUp(func(b map[string]any) { b["formData"] = map[string]any{"garbage": ivan} }), nil, 400, "formData: garbage is not a locale"},
		{"sign-up values in an inactive locale", http.MethodPost, usersBase + "sign-up", "", signUp(func(b map[string]any) { b["formData"] = map[string]any{"de_DE": ivan} }), nil, 400, "formData: de_DE is not an active locale of the project"},
		{"sign-up values in two locales", http.MethodPost, usersBase + "sign-up", "", signUp(func(b map[string]any) { b["formData"] = map[string]any{"en_US": ivan, "ru_RU": ivan} }), nil, 400, "exactly one locale"},
		{"sign-up in no locale", http.MethodPost, usersBase + "sign-up", "", signUp(func(b map[string]any) { b["langCode"] = "xx_XX" }), nil, 400, "langCode: xx_XX is not an active locale of the project"},
		{"sign-up with a password of spaces", http.MethodPost, usersBase + "sign-up", "", signUp(func(b map[string]any) {
			b["authData"] = []map[string]string{{"marker": "email_reg", "value": "new@b.example"}, {"marker": "password_reg", "value": "   "}}
		}), nil, 400, "required values are missing or incorrect: password_reg"},
		{"cart without token or guest id", http.MethodGet, "/api/content/users/me/cart", "", nil, nil, 401, "Unauthorized"},
		{"cart item of an unknown product", http.MethodPost, "/api/content/users/me/cart/items", owner.AccessToken, map[string]int{"productId": 99, "qty": 1}, nil, 404, "99"},
		{"cart item without qty", http.MethodPost, "/api/content/users/me/cart/items", owner.AccessToken, map[string]int{"productId": 10}, nil, 400, "qty"},
		{"guest cart qty zero", http.MethodPut, "/api/content/users/me/cart/items/10", "", map[string]int{"qty": 0}, map[string]string{"x-app-token": appToken, "x-guest-id": "3f0c2a91-1d44-4a0b-9d2e-6b71f0c2a913"}, 400, "qty"},
		{"products by ids not numbers", http.MethodGet, "/api/content/products/ids?ids=10,x", "", nil, nil, 400, "ids"},
		{"products by ids missing", http.MethodGet, "/api/content/products/ids", "", nil, nil, 400, "ids"},
		{"submission to an unknown field", http.MethodPost, formDataPath, "", contactBody(func(b map[string]any) { b["formData"] = contactValues(field("nope", "string", "x")) }), nil, 400, "has no attribute nope"},
		{"submission naming another form's config", http.MethodPost, formDataPath, "", contactBody(func(b map[string]any) { b["formModuleConfigId"] = 1 }), nil, 400, "Incorrect formIdentifier for provided config"},
		{"submission of broken JSON", http.MethodPost, formDataPath, "", `{"formIdentifier":`, nil, 400, "Unexpected end of JSON input"},
		{"submission with a config id past int64", http.MethodPost, formDataPath, "", contactBody(func(b map[string]any) { b["formModuleConfigId"] = 2.5e30 }), nil, 400, "Incorrect formIdentifier for provided config"},
		{"submission to an order form", http.MethodPost, formDataPath, "", contactBody(func(b map[string]any) { b["formIdentifier"] = "tickets_form"; b["formData"] = contactValues() }), nil, 400, "required values are missing or incorrect: tickets"},
		{"stranger updates a submission", http.MethodPut, submission, stranger.AccessToken, strangerName, nil, 404, "not found"},
		{"submission update with a bare text", http.MethodPut, submission, owner.AccessToken, map[string]any{"formData": contactValues(field("name", "string", "Ann"), field("message", "text", "x"))}, nil, 400, "a text value"},
		{"submission approved by its author", http.MethodPut, submission + "/update-status", owner.AccessToken, map[string]string{"status": "approved"}, nil, 403, "Forbidden resource"},
		{"submission status unknown", http.MethodPut, submission + "/update-status", owner.AccessToken, map[string]string{"status": "done"}, nil, 400, "status"},
		{"stranger deletes a submission", http.MethodDelete, submission, stranger.AccessToken, nil, nil, 404, "not found"},
		{"anonymous deletes a submission", http.MethodDelete, submission, "", nil, nil, 401, "Unauthorized"},
		{"user state as a list", http.MethodPut, "/api/content/users/me", owner.AccessToken, map[string]any{"state": []int{1}}, nil, 400, "state must be an object"},
		{"user form data of another form", http.MethodPut, "/api/content/users/me", owner.AccessToken, map[string]any{"formData": contactValues(field("name", "string", "x"))}, nil, 400, "has no attribute name"},
		{"user login taken", http.MethodPut, "/api/content/users/me", owner.AccessToken, map[string]any{"formData": contactValues(field("email_reg", "string", user2))}, nil, 400, "already exists"},
		{"anonymous account deletion", http.MethodDelete, "/api/content/users/me/account", "", nil, nil, 401, "Unauthorized"},
		{"push token too long", http.MethodPost, "/api/content/users/me/fcm-token/" + strings.Repeat("x", 4097), owner.AccessToken, nil, nil, 400, "token"},
		{"preview: unknown product", http.MethodPost, previewPath, owner.AccessToken, `{"products":[{"productId":99,"quantity":1}]}`, nil, 400, "product 99 not found"},
		{"preview: expired coupon", http.MethodPost, previewPath, owner.AccessToken, preview(`,"couponCode":"SUMMER24"`), nil, 400, "Coupon has expired"},
		{"preview: negative bonus", http.MethodPost, previewPath, owner.AccessToken, preview(`,"bonusAmount":-5`), nil, 400, "bonusAmount must not be less than 0"},
		{"preview: bonus not a number", http.MethodPost, previewPath, owner.AccessToken, preview(`,"bonusAmount":"5"`), nil, 400, "bonusAmount"},
		{"preview: unknown property", http.MethodPost, previewPath, owner.AccessToken, preview(`,"hack":1`), nil, 400, "property hack should not exist"},
		{"preview: no bearer", http.MethodPost, previewPath, "", preview(""), nil, 401, "Unauthorized"},
		{"order: values in an inactive locale", http.MethodPost, ordersPath, owner.AccessToken, orderIn("de_DE"), nil, 400, "formData: de_DE is not an active locale of the project"},
		{"order: values under no locale", http.MethodPost, ordersPath, owner.AccessToken, orderIn("<b>x</b>"), nil, 400, "formData: <b>x</b> is not a locale"},
		{"order: values in two locales", http.MethodPost, ordersPath, owner.AccessToken, orderIn("en_US", "ru_RU"), nil, 400, "exactly one locale"},
		{"body nested deeper than 1000 levels", http.MethodPost, formDataPath, "", contactBody(func(b map[string]any) {
			b["formData"] = json.RawMessage(`{"en_US":[{"marker":"name","type":"string","value":` + strings.Repeat("[", 1001) + strings.Repeat("]", 1001) + `}]}`)
		}), nil, 400, "request body nests more than 1000 levels"},
		{"brackets in a string are text, not nesting", http.MethodPost, previewPath, owner.AccessToken, preview(`,"couponCode":"` + strings.Repeat("[", 2000) + `"`), nil, 400, "Coupon not found"},
		{"langCode of every language", http.MethodGet, "/api/content/pages/url/home?langCode=%2A", "", nil, nil, 400, "langCode: * is not a locale"},
		{"marker not UTF-8", http.MethodGet, "/api/content/forms/marker/%FF", "", nil, nil, 400, "Failed to decode param '%FF'"},
		{"page url not UTF-8", http.MethodGet, "/api/content/pages/url/%41%ffb", "", nil, nil, 400, "Failed to decode param '%41%ffb'"},
		{"product page url not UTF-8", http.MethodPost, "/api/content/products/page/url/%FF/counts", "", map[string]any{}, nil, 400, "Failed to decode param '%FF'"},
		{"langCode of every language, its name escaped", http.MethodGet, "/api/content/menus/marker/main?lang%43ode=*", "", nil, nil, 400, "langCode: * is not a locale"},
		{"langCode of every language, on a declared read", http.MethodGet, "/api/content/attributes-sets/tickets/attributes/zones?langCode=*", "", nil, nil, 400, "langCode: * is not a locale"},
		{"order: used-up coupon", http.MethodPost, ordersPath, owner.AccessToken, withCoupon("FIRST-7QX2"), nil, 400, "Coupon has already been used"},
		{"order: unknown coupon", http.MethodPost, ordersPath, owner.AccessToken, withCoupon("NOPE"), nil, 400, "Coupon not found"},
		{"order: payment status", http.MethodPost, ordersPath, owner.AccessToken, paidStatus, nil, 400, "paid is a payment status"},
		{"order update: payment status", http.MethodPut, fmt.Sprintf("%s/%d", ordersPath, orderID), owner.AccessToken, paidStatus, nil, 400, "paid is a payment status"},
		{"refund: order not paid", http.MethodPost, refund, owner.AccessToken, oneTicket, nil, 400, "is not paid"},
		{"refund: another user's order", http.MethodPost, refund, stranger.AccessToken, oneTicket, nil, 404, "not found"},
		{"refund list: another user's order", http.MethodGet, refund, stranger.AccessToken, nil, nil, 404, "not found"},
		{"refund: no products", http.MethodPost, refund, owner.AccessToken, map[string]any{"products": map[string]any{}}, nil, 400, "products should not be empty"},
		{"refund: products not a map", http.MethodPost, refund, owner.AccessToken, map[string]any{"products": []int{10}}, nil, 400, "products"},
		{"refund: quantity not a number", http.MethodPost, refund, owner.AccessToken, `{"products":{"10":{"quantity":"1"}}}`, nil, 400, "quantity"},
		{"refund: non-numeric order id", http.MethodPost, "/api/content/orders/abc/refund", owner.AccessToken, oneTicket, nil, 400, "id"},
		{"refund cancel: none pending", http.MethodDelete, refund, owner.AccessToken, nil, nil, 404, "no pending refund request"},
		{"coupon validation without code", http.MethodGet, "/api/content/discounts/coupons/validate", "", nil, nil, 400, "code should not be empty"},
		{"unknown discount", http.MethodGet, "/api/content/discounts/marker/nope", "", nil, nil, 404, "nope"},
		{"discount type not allowed", http.MethodGet, "/api/content/discounts?type=COUPON", "", nil, nil, 400, "type"},
		{"bonus balance without bearer", http.MethodGet, "/api/content/discounts/bonus-balance", "", nil, nil, 401, "Unauthorized"},
		{"bonus history: bad date", http.MethodGet, "/api/content/discounts/bonus-balance/history?dateFrom=yesterday", owner.AccessToken, nil, nil, 400, "dateFrom"},
		{"oversized x-device-metadata", http.MethodPost, authPath, "", authBody(userLogin, userPass), map[string]string{"x-app-token": appToken, "x-device-metadata": strings.Repeat("x", 4096)}, 400, "x-device-metadata"},
		{"new passwords differ", http.MethodPost, usersBase + "change-password", "", changePassword("123456", "a", "b"), nil, 400, "password1 and password2 must be equal"},
		{"new password empty", http.MethodPost, usersBase + "change-password", "", changePassword("123456", "", ""), nil, 400, "password1 should not be empty"},
		{"reset without a code sent", http.MethodPost, usersBase + "change-password", "", changePassword("123456", "n", "n"), nil, 400, "Invalid or expired code"},
		{"reset of an unknown user", http.MethodPost, usersBase + "change-password", "", map[string]any{"userIdentifier": "nobody@example.com", "code": "1", "password1": "n", "password2": "n"}, nil, 400, "not found"},
		{"reset type not a number", http.MethodPost, usersBase + "change-password", "", map[string]any{"userIdentifier": userLogin, "type": "1", "code": "1", "password1": "n", "password2": "n"}, nil, 400, "type"},
		{"reset on an unknown provider", http.MethodPost, "/api/content/users-auth-providers/marker/nope/users/change-password", "", changePassword("1", "n", "n"), nil, 404, "nope"},
		{"oauth without code", http.MethodPost, "/api/content/users-auth-providers/marker/email/oauth", "", map[string]string{"client_id": "c"}, nil, 400, "code"},
		{"oauth with an unknown code", http.MethodPost, "/api/content/users-auth-providers/marker/email/oauth", "", map[string]string{"code": "nope"}, nil, 400, "already used or has expired"},
		{"oauth with another grant", http.MethodPost, "/api/content/users-auth-providers/marker/email/oauth", "", map[string]string{"code": "nope", "grant_type": "password"}, nil, 400, "grant_type"},
		{"oauth with an unknown field", http.MethodPost, "/api/content/users-auth-providers/marker/email/oauth", "", map[string]string{"code": "nope", "scope": "all"}, nil, 400, "property scope should not exist"},
		{"collection row in no language", http.MethodPost, "/api/content/integration-collections/marker/faq/rows?langCode=en", "", map[string]any{"formIdentifier": "faq_form", "formData": []map[string]string{{"marker": "q", "type": "string", "value": "hi"}}}, nil, 400, "is not a locale"},
		{"collection row update in no language", http.MethodPut, "/api/content/integration-collections/marker/faq/rows/1?langCode=xyz", "", map[string]any{"formIdentifier": "faq_form", "formData": []map[string]string{{"marker": "q", "type": "string", "value": "hi"}}}, nil, 400, "is not a locale"},
		{"event marker of invalid UTF-8", http.MethodPost, "/api/content/events/subscribe/marker/%FF%FE", owner.AccessToken, map[string]any{"locale": "en_US", "productId": 10}, nil, 400, "Failed to decode param '%FF%FE'"},
		{"event marker with a control character", http.MethodPost, "/api/content/events/subscribe/marker/a%01b", owner.AccessToken, map[string]any{"locale": "en_US", "productId": 10}, nil, 400, "marker must be valid UTF-8 without control characters"},
		{"subscription locale of 100 KB", http.MethodPost, "/api/content/events/subscribe/marker/price_change", owner.AccessToken, map[string]any{"locale": strings.Repeat("x", 100<<10), "productId": 10}, nil, 400, "locale must be at most 32 bytes"},
		{"subscription locale with a control character", http.MethodPost, "/api/content/events/subscribe/marker/price_change", owner.AccessToken, map[string]any{"locale": "en\nUS", "productId": 10}, nil, 400, "locale must be at most 32 bytes"},
		{"subscription with an unknown property", http.MethodPost, "/api/content/events/subscribe/marker/price_change", owner.AccessToken, map[string]any{"locale": "en_US", "productId": 10, "x": 1}, nil, 400, "property x should not exist"},
		{"event marker too long", http.MethodPost, "/api/content/events/subscribe/marker/" + strings.Repeat("m", 129), owner.AccessToken, map[string]any{"locale": "en_US", "productId": 10}, nil, 400, "marker must be at most 128 bytes"},
		{"limit repeated, the second out of range", http.MethodGet, ordersPath + "?limit=5&limit=500", owner.AccessToken, nil, nil, 400, "limit"},
		{"offset repeated, the second negative", http.MethodGet, ordersPath + "?offset=0&offset=-1", owner.AccessToken, nil, nil, 400, "offset"},
		{"type repeated, the second not allowed", http.MethodGet, "/api/content/discounts?langCode=en_US&type=BONUS&type=COUPON", "", nil, nil, 400, "type"},
		{"ids repeated, the second not numbers", http.MethodGet, "/api/content/products/ids?ids=10&ids=abc", "", nil, nil, 400, "ids"},
		{"code sign-up without login", http.MethodPost, codeBase + "sign-up", "", map[string]any{"langCode": "en_US", "authData": []map[string]string{{"marker": "password_reg", "value": "1"}}}, nil, 400, "email_reg"},
	}
	before := stateFingerprint(t, ts)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			headers := tc.headers
			if headers == nil {
				headers = map[string]string{"x-app-token": appToken}
			}
			status, body := ts.callWith(t, tc.method, tc.path, tc.bearer, tc.body, headers)
			require.Equal(t, tc.status, status, string(body))
			e := decodeError(t, status, body)
			if tc.message != "" {
				assert.Contains(t, strings.Join(e.messages(), "\n"), tc.message)
			}
		})
	}
	assert.Equal(t, before, stateFingerprint(t, ts), "failed requests must not change state")

	// The sequences handed out no id to a failed request.
	status, body = ts.call(t, http.MethodPost, ordersPath, owner.AccessToken, seedOrderBody(10, 1))
	require.Equal(t, http.StatusCreated, status)
	assert.Equal(t, float64(orderID+1), decode[map[string]any](t, body)["id"])
}

func changePassword(code, p1, p2 string) map[string]any {
	return map[string]any{"userIdentifier": userLogin, "eventIdentifier": "reset", "type": 1, "code": code, "password1": p1, "password2": p2}
}

// Every operation that takes a JSON body refuses one with more after its value, as the live
// API's body parser (JSON.parse) does, before its handler runs, whether or not the handler
// reads the body, and changes nothing.
func TestJSONBodiesAreOneValue(t *testing.T) {
	t.Parallel()
	doc, err := contracts.Load(t.Context())
	require.NoError(t, err)
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	bearer := ts.signIn(t, userLogin, userPass).AccessToken
	before := stateDocument(t, ts)
	param := regexp.MustCompile(`\{[^}]+\}`)
	checked := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value.Content.Get("application/json") == nil {
				continue
			}
			target := "/api/content" + param.ReplaceAllString(path, "1")
			status, body := ts.callWith(t, method, target, bearer, `{} x`, deviceHeaders)
			if status == http.StatusNotFound && strings.Contains(string(body), "Cannot "+method) {
				continue // an operation of the other profile
			}
			checked++
			require.Equal(t, http.StatusBadRequest, status, "%s %s: %s", method, target, body)
			assert.Equal(t, []string{"Unexpected token x in JSON at position 3"}, decodeError(t, status, body).messages(), "%s %s", method, target)
		}
	}
	assert.Greater(t, checked, 30, "operations with a JSON body")
	assert.Equal(t, before, stateDocument(t, ts))
}

// JSON.parse reads 2.0 and 2e0 as the integer 2, so the live API takes them where an integer
// is asked for; 2.5 stays refused, by the contract's own message.
func TestWholeNumbersInFractionFormAreIntegers(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	owner := ts.login(t, userLogin, userPass)
	for _, quantity := range []string{"2.0", "2e0", "0.2e1", "2.000"} {
		body := `{"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash",` +
			`"formData":{"en_US":[{"type":"entity","marker":"tickets","value":["p-8-10"]}]},` +
			`"products":[{"productId":10.0,"quantity":` + quantity + `}]}`
		status, answer := ts.call(t, http.MethodPost, ordersPath, owner.AccessToken, body)
		require.Equal(t, http.StatusCreated, status, "%s: %s", quantity, answer)
		order := decode[struct {
			Products []struct{ ProductID, Quantity json.Number }
		}](t, answer)
		require.Len(t, order.Products, 1)
		assert.Equal(t, json.Number("2"), order.Products[0].Quantity, quantity)
		assert.Equal(t, json.Number("10"), order.Products[0].ProductID, quantity)
	}
	before := stateDocument(t, ts)
	for quantity, message := range map[string]string{
		"2.5": "quantity must be an integer",
		// Whole, however large: past the line's bound rather than not integers.
		"1e18":                 "products.0.quantity must not be greater than 1000000",
		"1e19":                 "products.0.quantity must not be greater than 1000000",
		"99999999999999999999": "products.0.quantity must not be greater than 1000000",
		"-1e19":                "products.0.quantity must not be less than 1",
	} {
		status, answer := ts.call(t, http.MethodPost, ordersPath, owner.AccessToken, strings.Replace(
			`{"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[{"type":"entity","marker":"tickets","value":["p-8-10"]}]},"products":[{"productId":10,"quantity":Q}]}`,
			"Q", quantity, 1))
		require.Equal(t, http.StatusBadRequest, status, quantity)
		assert.Equal(t, []string{message}, decodeError(t, status, answer).messages(), quantity)
	}
	// Only integer fields take the stand-in: a number past int64 elsewhere stays as sent.
	status, answer := ts.call(t, http.MethodPost, ordersPath, owner.AccessToken,
		`{"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[{"type":"entity","marker":"tickets","value":["p-8-10",123456789012345678901234]}]},"products":[{"productId":10,"quantity":1.0}]}`)
	require.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, []string{"tickets: 123456789012345678901234 is not an option of this field"}, decodeError(t, status, answer).messages())
	assert.Equal(t, before, stateDocument(t, ts))

	// Every body is read so, event subscriptions' too.
	const subscribe = "/api/content/events/subscribe/marker/price_drop"
	status, answer = ts.call(t, http.MethodPost, subscribe, owner.AccessToken, `{"locale":"en_US","productId":1e19}`)
	require.Equal(t, http.StatusNotFound, status, string(answer))
	assert.Equal(t, []string{"Product with id 9223372036854775807 not found"}, decodeError(t, status, answer).messages())
	status, answer = ts.call(t, http.MethodPost, subscribe, owner.AccessToken, `{"locale":"en_US","productId":10.0}`)
	require.Equal(t, http.StatusCreated, status, string(answer))
}

// A path id is read as ParseIntPipe reads it: leading zeros are digits, a plus sign is not (the
// refusals are in TestBadRequestsAnswerLiveErrorsAndChangeNothing).
func TestPathIDsWithLeadingZerosAreRead(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	status, body := ts.call(t, http.MethodGet, "/api/content/products/010?langCode=en_US", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, float64(10), decode[map[string]any](t, body)["id"])
}

// An escaped slash stays inside its path segment, as the live API (Express) routes it: a value
// sent with encodeURIComponent reaches its parameter whole, and never another route. The
// journal keeps the path as sent.
func TestEscapedSlashStaysInItsSegment(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	bearer := ts.loginLive(t, userLogin, userPass)
	for _, c := range []struct {
		method, path, bearer string
		status               int
		message              string
	}{
		{http.MethodGet, "/api/content/pages/%2F", "", http.StatusBadRequest, `["id must be an integer"]`},
		{http.MethodGet, "/api/content/pages/url/tickets%2F", "", http.StatusNotFound, `"Page not found"`},
		{http.MethodGet, "/api/content/users%2Fme", bearer, http.StatusNotFound, `"Cannot GET /api/content/users%2Fme"`},
		{http.MethodPost, "/api/content/orders-storage/marker/tickets%2Forders", bearer, http.StatusNotFound, `"Cannot POST /api/content/orders-storage/marker/tickets%2Forders"`},
		{http.MethodGet, "/api/content/orders-storage/marker/tickets/orders/%2F", bearer, http.StatusBadRequest, ""},
	} {
		status, body := ts.call(t, c.method, c.path+"?langCode=en_US", c.bearer, map[string]any{})
		assert.Equal(t, c.status, status, "%s %s: %s", c.method, c.path, body)
		if c.message != "" {
			assert.JSONEq(t, c.message, string(decode[struct{ Message json.RawMessage }](t, body).Message), c.path)
		}
		status, body = ts.call(t, http.MethodGet, "/__admin/requests?limit=1", "", nil)
		require.Equal(t, http.StatusOK, status)
		journaled := decode[struct{ Requests []struct{ Path string } }](t, body).Requests
		require.Len(t, journaled, 1)
		assert.Equal(t, c.path, journaled[0].Path, "the journal keeps the path as sent")
	}
	counts, err := ts.store.Counts(t.Context())
	require.NoError(t, err)
	assert.Zero(t, counts.Orders, "tickets%2Forders is no storage's order list")

	status, body := ts.call(t, http.MethodGet, "/api/content/pages/url/tickets?langCode=en_US", "", nil)
	assert.Equal(t, http.StatusOK, status, "without an escaped slash, routing is as before: %s", body)
}

// HEAD is answered by the GET route, as Express does: the GET's status and headers, no body.
func TestHeadIsAnsweredByTheGetRoute(t *testing.T) {
	t.Parallel()
	live, sdk115 := newTestServer(t), newTestServer(t, withProfile(sandbox.ProfileSDK115))
	for _, c := range []struct {
		ts   *testServer
		path string
		want int
	}{
		{live, "/api/content/forms/marker/tickets_form?langCode=en_US", http.StatusOK},
		{live, "/api/content/forms/marker/nope", http.StatusNotFound},
		{live, "/api/content/nothing", http.StatusNotFound},
		// A route whose POST answers 201 under today's API, and whose GET is the 2025 one.
		{sdk115, "/api/content/products/empty-page?langCode=en_US", http.StatusOK},
	} {
		ts, path, want := c.ts, c.path, c.want
		resp, body := ts.send(t, ts.request(t, http.MethodHead, path, "", "", map[string]string{"x-app-token": appToken}))
		assert.Equal(t, want, resp.StatusCode, path)
		assert.Empty(t, body, path)
		if want == http.StatusOK {
			assert.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"), path)
		}
	}
}

// The live API's body parser reads a body as UTF-8 text before JSON.parse, so a byte that is not
// part of a character reads as U+FFFD. Kept as sent, the bytes were served and exported as JSON
// that is not UTF-8, and the sandbox's own export no longer imported.
func TestBytesThatAreNotUTF8ReadAsReplacementCharacters(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	tk := ts.login(t, userLogin, userPass)
	notUTF8 := func(body any) []byte {
		data, err := json.Marshal(body)
		require.NoError(t, err)
		return bytes.Replace(data, []byte("Iv-an"), []byte("Iv\xff\xfean"), 1)
	}
	status, data := ts.call(t, http.MethodPut, mePath+"?langCode=en_US", tk.AccessToken, notUTF8(map[string]any{
		"formIdentifier": "reg",
		"formData":       regValues(field("name_reg", "string", "Iv-an")),
	}))
	require.Equal(t, http.StatusOK, status, string(data))
	status, data = ts.call(t, http.MethodPost, formDataPath, "", notUTF8(contactBody(func(b map[string]any) {
		b["formData"] = contactValues(field("name", "string", "Iv-an"), field("email", "string", "ann@example.com"), field("message", "text", plain("Hi")))
	})))
	require.Equal(t, http.StatusCreated, status, string(data))
	assert.True(t, utf8.Valid(data), "the answer is UTF-8")
	assert.Contains(t, string(data), "Iv\uFFFD\uFFFDan")

	me := ts.me(t, tk.AccessToken)
	assert.Equal(t, map[string]any{"en_US": []any{map[string]any{"marker": "name_reg", "type": "string", "value": "Iv\uFFFD\uFFFDan"}}}, me["formData"])
	export := stateDocument(t, ts)
	status, data = ts.callWith(t, http.MethodPut, "/__admin/state", "", export, nil)
	require.Equal(t, http.StatusOK, status, "the export imports back: %s", data)

	// One U+FFFD for each maximal part of a broken character, as Node's Buffer.toString reads
	// them (its answers for these bytes).
	for sent, read := range map[string]string{
		"\xe2\x82":             "\uFFFD",
		"\xff\xfe":             "\uFFFD\uFFFD",
		"\xf0\x9f\x98":         "\uFFFD",
		"\xed\xa0\x80":         "\uFFFD\uFFFD\uFFFD",
		"\xe0\x80\xaf":         "\uFFFD\uFFFD\uFFFD",
		"\xf4\x90\x80\x80":     "\uFFFD\uFFFD\uFFFD\uFFFD",
		"\xf0\x9f\x98\x80\xe2": "\U0001F600\uFFFD",
	} {
		body := bytes.Replace(notUTF8(map[string]any{"formIdentifier": "reg", "formData": regValues(field("name_reg", "string", "Iv-an"))}),
			[]byte("Iv\xff\xfean"), []byte("Iv"+sent+"an"), 1)
		status, data := ts.call(t, http.MethodPut, mePath+"?langCode=en_US", tk.AccessToken, body)
		require.Equal(t, http.StatusOK, status, string(data))
		name := ts.me(t, tk.AccessToken)["formData"].(map[string]any)["en_US"].([]any)[0].(map[string]any)["value"]
		assert.Equal(t, "Iv"+read+"an", name, "%q", sent)
	}
}

// tampered changes a token's signature: its last character, to another.
func tampered(token string) string {
	last := "A"
	if strings.HasSuffix(token, last) {
		last = "Q"
	}
	return token[:len(token)-1] + last
}

// The live API's body parser refuses a JSON body in a charset that is not a UTF one before it
// reads it, so the request changes nothing. A UTF charset, any case, is read as before.
func TestJSONBodyInACharsetThatIsNotUTFIsRefused(t *testing.T) {
	t.Parallel()
	for _, profile := range []sandbox.Profile{sandbox.ProfileLive, sandbox.ProfileSDK115} {
		ts := newTestServer(t, withProfile(profile))
		tk := ts.signIn(t, userLogin, userPass)
		rename := map[string]any{"formIdentifier": "reg", "formData": regValues(field("name_reg", "string", "Latin"))}
		before := ts.me(t, tk.AccessToken)["formData"]
		for contentType, want := range map[string]string{
			"application/json; charset=latin1":         `unsupported charset "LATIN1"`,
			"application/json;charset=ISO-8859-1":      `unsupported charset "ISO-8859-1"`,
			`Application/JSON; charset="windows-1251"`: `unsupported charset "WINDOWS-1251"`,
		} {
			status, data := ts.callWith(t, http.MethodPut, mePath+"?langCode=en_US", tk.AccessToken, rename, map[string]string{"x-app-token": appToken, "Content-Type": contentType})
			e := decodeError(t, http.StatusUnsupportedMediaType, data)
			assert.Equal(t, http.StatusUnsupportedMediaType, status, contentType)
			assert.Equal(t, strconv.Quote(want), string(e.Message), contentType)
		}
		assert.Equal(t, before, ts.me(t, tk.AccessToken)["formData"], "a refused body changes nothing")

		// Without a body there is nothing to parse; a UTF charset in any case reads as UTF-8.
		status, data := ts.callWith(t, http.MethodGet, "/api/content/forms/marker/tickets_form?langCode=en_US", "", nil, map[string]string{"x-app-token": appToken, "Content-Type": "application/json; charset=latin1"})
		assert.Equal(t, http.StatusOK, status, string(data))
		status, data = ts.callWith(t, http.MethodPut, mePath+"?langCode=en_US", tk.AccessToken, rename, map[string]string{"x-app-token": appToken, "Content-Type": "application/json; charset=UTF-8"})
		require.Equal(t, http.StatusOK, status, string(data))
		assert.Equal(t, map[string]any{"en_US": []any{map[string]any{"marker": "name_reg", "type": "string", "value": "Latin"}}}, ts.me(t, tk.AccessToken)["formData"])
	}
}

// The body parser runs before anything of NestJS: a body it refuses is answered so whatever the
// app token and the user token are, as the live API's Express middleware answers it before the
// guards run.
func TestTheBodyParserAnswersBeforeTheGuards(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	const sessions = "/api/content/payments/sessions"
	for _, c := range []struct {
		name, token, contentType, body string
		status                         int
		message                        string
	}{
		{"broken JSON, no user token", appToken, "application/json", "nope", http.StatusBadRequest, `"Unexpected token o in JSON at position 1"`},
		{"broken JSON, no app token", "", "application/json", `{"orderId":`, http.StatusBadRequest, `"Unexpected end of JSON input"`},
		{"a charset that is not UTF", "", "application/json; charset=latin1", `{"orderId":1}`, http.StatusUnsupportedMediaType, `"unsupported charset \"LATIN1\""`},
		{"over the size bound", appToken, "application/json", `{"orderId":1,"x":"` + strings.Repeat("a", 2<<20) + `"}`, http.StatusRequestEntityTooLarge, `"request entity too large"`},
		{"a body that parses meets the guards", appToken, "application/json", `{"orderId":1}`, http.StatusUnauthorized, `"Unauthorized"`},
	} {
		status, body := ts.callWith(t, http.MethodPost, sessions, "", c.body, map[string]string{"x-app-token": c.token, "Content-Type": c.contentType})
		e := decodeError(t, c.status, body)
		assert.Equal(t, c.status, status, c.name)
		assert.Equal(t, c.message, string(e.Message), c.name)
	}
}

// A query value whose escapes do not decode is read as sent, as Express's query parser (qs)
// reads it, where Go's drops the whole parameter: limit=%zz is refused as limit=zz is, and
// langCode=%zz asks for that language, not the default one. The journal keeps it as sent.
func TestQueryValuesThatDoNotDecodeAreReadAsSent(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	bearer := ts.login(t, userLogin, userPass).AccessToken
	for _, limit := range []string{"zz", "%zz", "%FF", "1%"} {
		status, body := ts.call(t, http.MethodGet, ordersPath+"?langCode=en_US&limit="+limit, bearer, nil)
		require.Equal(t, http.StatusBadRequest, status, "limit=%s: %s", limit, body)
		assert.Equal(t, []string{"limit must be an integer"}, decodeError(t, status, body).messages(), limit)
	}
	_, asSent := ts.call(t, http.MethodGet, "/api/content/pages/url/home?langCode=%25zz", "", nil)
	_, undecodable := ts.call(t, http.MethodGet, "/api/content/pages/url/home?langCode=%zz", "", nil)
	_, english := ts.call(t, http.MethodGet, "/api/content/pages/url/home?langCode=en_US", "", nil)
	assert.Equal(t, string(asSent), string(undecodable))
	assert.NotEqual(t, string(english), string(undecodable))

	status, body := ts.callWith(t, http.MethodGet, "/__admin/requests?limit=1", "", nil, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Contains(t, string(body), `"query":"langCode=en_US"`)
	status, body = ts.callWith(t, http.MethodGet, "/__admin/requests?limit=2", "", nil, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Contains(t, string(body), `"query":"langCode=%zz"`)
}
