package mockserver_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/drift"
	"github.com/oneentry-mock/oneentry-mock/internal/testkit"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

var refreshTokenFormat = regexp.MustCompile(`^\d{13}-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func recorded(t *testing.T, name string) map[string]any {
	t.Helper()
	data, err := os.ReadFile("../fixtures/recorded/" + name)
	require.NoError(t, err)
	return decode[map[string]any](t, data)
}

func TestSeedFlowReproducesRecordedResponses(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)

	tk := ts.login(t, userLogin, userPass)
	assert.Equal(t, userLogin, tk.UserIdentifier)
	assert.Equal(t, "email", tk.AuthProviderIdentifier)
	assert.Regexp(t, refreshTokenFormat, tk.RefreshToken)
	parts := strings.Split(tk.AccessToken, ".")
	require.Len(t, parts, 3)
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	claims := decode[map[string]any](t, payload)
	assert.Equal(t, float64(16), claims["id"])
	assert.Equal(t, "email", claims["authProviderIdentifier"])
	assert.Equal(t, userLogin, claims["userIdentifier"])
	assert.Equal(t, float64(36000), claims["exp"].(float64)-claims["iat"].(float64))
	assert.Len(t, claims, 5, "only the live claims")

	status, body := ts.call(t, http.MethodGet, "/api/content/forms/marker/tickets_form?langCode=en_US", tk.AccessToken, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, recorded(t, "form-tickets_form.json"), decode[map[string]any](t, body))

	status, body = ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, seedOrderBody(10, 1))
	require.Equal(t, http.StatusCreated, status, string(body))
	order := decode[map[string]any](t, body)
	want := recorded(t, "order-create.json")
	assert.Equal(t, want["id"], order["id"], "a fresh sandbox reproduces the recorded order id")
	for _, key := range []string{"formIdentifier", "paymentAccountIdentifier", "products", "currency", "totalSum"} {
		assert.Equal(t, want[key], order[key], key)
	}
	assert.Equal(t, want["formData"], drift.UnwrapLocale(order, "en_US").(map[string]any)["formData"])
	assert.ElementsMatch(t, keys(want), keys(order))

	status, body = ts.call(t, http.MethodPost, "/api/content/payments/sessions", tk.AccessToken,
		map[string]any{"orderId": order["id"], "type": "session", "automaticTaxEnabled": false})
	require.Equal(t, http.StatusCreated, status, string(body))
	session := decode[map[string]any](t, body)
	wantSession := recorded(t, "payment-session-create.json")
	assert.ElementsMatch(t, keys(wantSession), keys(session))
	for _, key := range []string{"id", "type", "status", "paymentAccountId", "orderId", "paymentUrl"} {
		assert.Equal(t, wantSession[key], session[key], key)
	}
	assert.Equal(t, session["createdDate"], session["updatedDate"])

	ts.clock.Advance(time.Second)
	status, body = ts.call(t, http.MethodPut, "/api/content/payments/sessions/49", tk.AccessToken,
		map[string]any{"status": "expired_ticket", "paymentUrl": ""})
	require.Equal(t, http.StatusOK, status, string(body))
	updated := decode[map[string]any](t, body)
	assert.Equal(t, "expired_ticket", updated["status"])
	assert.Equal(t, "", updated["paymentUrl"])
	assert.NotEqual(t, updated["createdDate"], updated["updatedDate"], "updatedDate is bumped")

	status, body = ts.call(t, http.MethodGet, "/api/content/payments/sessions/order/92", tk.AccessToken, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, updated, decode[map[string]any](t, body))

	// The order itself is untouched by the session PUT.
	status, body = ts.call(t, http.MethodGet, ordersPath+"/92?langCode=en_US", tk.AccessToken, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	read := decode[map[string]any](t, body)
	assert.Equal(t, "100.00", read["totalSum"])
	assert.Equal(t, "inProgress", read["statusIdentifier"])
	assert.Nil(t, read["isCompleted"])
	assert.Contains(t, read, "paymentUrl")
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestTotalsFollowProductPrices(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	tk := ts.login(t, userLogin, userPass)
	body := seedOrderBody(11, 2)
	body["products"] = []map[string]any{{"productId": 11, "quantity": 2}, {"productId": 12, "quantity": 3}}
	status, resp := ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, body)
	require.Equal(t, http.StatusCreated, status, string(resp))
	created := decode[map[string]any](t, resp)
	assert.Equal(t, float64(2*200+3*300), created["totalSum"])
	assert.Equal(t, "USD", created["currency"])

	status, resp = ts.call(t, http.MethodGet, fmt.Sprintf("%s/%v", ordersPath, created["id"]), tk.AccessToken, nil)
	require.Equal(t, http.StatusOK, status)
	read := decode[map[string]any](t, resp)
	assert.Equal(t, "1300.00", read["totalSum"])
	products := read["products"].([]any)
	require.Len(t, products, 2)
	assert.Equal(t, map[string]any{"id": float64(11), "title": "Серебряный", "sku": nil, "previewImage": nil, "price": float64(200), "quantity": float64(2)}, products[0], "no isGift in the 2025 API")

	body["products"] = []map[string]any{{"productId": 10, "quantity": 4}}
	body["statusIdentifier"] = "canceled"
	status, resp = ts.call(t, http.MethodPut, fmt.Sprintf("%s/%v?langCode=en_US", ordersPath, created["id"]), tk.AccessToken, body)
	require.Equal(t, http.StatusOK, status, string(resp))
	upd := decode[map[string]any](t, resp)
	assert.Equal(t, float64(400), upd["totalSum"])
	assert.Equal(t, "canceled", upd["statusIdentifier"])
}

func TestSessionsByOrderFollowProfile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		profile sandbox.Profile
		array   bool
	}{{sandbox.ProfileSDK115, false}, {sandbox.ProfileLive2026, true}} {
		t.Run(tc.profile.Name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, withProfile(tc.profile))
			hdr := map[string]string{"x-app-token": appToken, "x-device-metadata": `{"fingerprint":"UQ_1","deviceInfo":{"os":"Linux","browser":"Node.js/abc","location":"en-US"}}`}
			status, body := ts.callWith(t, http.MethodPost, authPath, "", authBody(userLogin, userPass), hdr)
			require.Equal(t, http.StatusCreated, status, string(body))
			tk := decode[tokens](t, body)
			status, body = ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, seedOrderBody(10, 1))
			require.Equal(t, http.StatusCreated, status)
			orderID := decode[map[string]any](t, body)["id"]

			status, body = ts.call(t, http.MethodGet, fmt.Sprintf("/api/content/payments/sessions/order/%v", orderID), tk.AccessToken, nil)
			if tc.array {
				require.Equal(t, http.StatusOK, status)
				assert.JSONEq(t, `[]`, string(body))
			} else {
				require.Equal(t, http.StatusNotFound, status)
				decodeError(t, status, body)
			}
			var ids []float64
			for range 2 {
				status, body = ts.call(t, http.MethodPost, "/api/content/payments/sessions", tk.AccessToken, map[string]any{"orderId": orderID, "type": "session", "automaticTaxEnabled": false})
				require.Equal(t, http.StatusCreated, status)
				ids = append(ids, decode[map[string]any](t, body)["id"].(float64))
			}
			require.NotEqual(t, ids[0], ids[1], "every create opens a new session")
			status, body = ts.call(t, http.MethodGet, fmt.Sprintf("/api/content/payments/sessions/order/%v", orderID), tk.AccessToken, nil)
			require.Equal(t, http.StatusOK, status)
			if tc.array {
				list := decode[[]map[string]any](t, body)
				require.Len(t, list, 2)
				assert.Equal(t, ids[1], list[0]["id"], "newest first")
			} else {
				assert.Equal(t, ids[1], decode[map[string]any](t, body)["id"], "the newest session")
			}
		})
	}
}

func TestDeviceMetadataRequiredOnlyInLiveProfile(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	status, body := ts.call(t, http.MethodPost, authPath, "", authBody(userLogin, userPass))
	require.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, strings.Join(decodeError(t, status, body).messages(), " "), "x-device-metadata")

	old := newTestServer(t)
	status, _ = old.call(t, http.MethodPost, authPath, "", authBody(userLogin, userPass))
	assert.Equal(t, http.StatusCreated, status)
}

func TestTokenRefreshRotatesAndExpires(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withAccessTTL(time.Second))
	tk := ts.login(t, userLogin, userPass)
	const me = "/api/content/users/me?langCode=en_US"
	status, _ := ts.call(t, http.MethodGet, me, tk.AccessToken, nil)
	require.Equal(t, http.StatusOK, status)

	ts.clock.Advance(2 * time.Second)
	status, body := ts.call(t, http.MethodGet, me, tk.AccessToken, nil)
	require.Equal(t, http.StatusUnauthorized, status, "an expired access token must answer 401 so the SDK refreshes")
	decodeError(t, status, body)

	const refresh = "/api/content/users-auth-providers/marker/email/users/refresh"
	status, body = ts.call(t, http.MethodPost, refresh, "", map[string]string{"refreshToken": tk.RefreshToken})
	require.Equal(t, http.StatusCreated, status, string(body))
	next := decode[tokens](t, body)
	assert.NotEqual(t, tk.RefreshToken, next.RefreshToken)
	assert.Regexp(t, refreshTokenFormat, next.RefreshToken)

	status, _ = ts.call(t, http.MethodGet, me, next.AccessToken, nil)
	assert.Equal(t, http.StatusOK, status)

	// A refresh does not revoke the access token it replaces: that one serves until its exp.
	ts.clock.Freeze()
	status, body = ts.call(t, http.MethodPost, refresh, "", map[string]string{"refreshToken": next.RefreshToken})
	require.Equal(t, http.StatusCreated, status, string(body))
	replaced := next
	next = decode[tokens](t, body)
	status, _ = ts.call(t, http.MethodGet, me, replaced.AccessToken, nil)
	assert.Equal(t, http.StatusOK, status, "the access token before a refresh")

	status, body = ts.call(t, http.MethodPost, refresh, "", map[string]string{"refreshToken": tk.RefreshToken})
	assert.Equal(t, http.StatusUnauthorized, status, "a used refresh token is rejected")
	decodeError(t, status, body)

	status, body = ts.call(t, http.MethodPost, refresh, "", map[string]string{})
	assert.Equal(t, http.StatusUnauthorized, status, "the SDK sends {} when it has no refresh token")
	decodeError(t, status, body)

	ts.clock.Advance(8 * 24 * time.Hour)
	status, _ = ts.call(t, http.MethodPost, refresh, "", map[string]string{"refreshToken": next.RefreshToken})
	assert.Equal(t, http.StatusUnauthorized, status, "refresh tokens expire after 7 days")
}

func TestLogoutEndsSessions(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	first := ts.login(t, userLogin, userPass)
	second := ts.login(t, userLogin, userPass)
	const sessions = "/api/content/users-auth-providers/marker/email/users/sessions"
	status, body := ts.call(t, http.MethodGet, sessions, first.AccessToken, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Len(t, decode[[]map[string]any](t, body), 2)

	// Another provider's logout ends none of this provider's sessions, as its refresh refuses them.
	status, body = ts.call(t, http.MethodPost, "/api/content/users-auth-providers/marker/email_code/users/logout", first.AccessToken, map[string]string{"refreshToken": first.RefreshToken})
	assert.Equal(t, http.StatusUnauthorized, status, string(body))
	decodeError(t, status, body)
	status, body = ts.call(t, http.MethodGet, sessions, first.AccessToken, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Len(t, decode[[]map[string]any](t, body), 2)

	status, body = ts.call(t, http.MethodPost, "/api/content/users-auth-providers/marker/email/users/logout", first.AccessToken, map[string]string{"refreshToken": first.RefreshToken})
	require.Equal(t, http.StatusCreated, status)
	assert.Equal(t, "true", string(body))
	const refresh = "/api/content/users-auth-providers/marker/email/users/refresh"
	status, _ = ts.call(t, http.MethodPost, refresh, "", map[string]string{"refreshToken": first.RefreshToken})
	assert.Equal(t, http.StatusUnauthorized, status)

	status, body = ts.call(t, http.MethodPost, "/api/content/users-auth-providers/marker/email/users/logout-all", second.AccessToken, nil)
	require.Equal(t, http.StatusCreated, status, string(body))
	status, _ = ts.call(t, http.MethodPost, refresh, "", map[string]string{"refreshToken": second.RefreshToken})
	assert.Equal(t, http.StatusUnauthorized, status)
	status, body = ts.call(t, http.MethodGet, sessions, second.AccessToken, nil)
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `[]`, string(body))
}

// logout-all ends every session of the user with the provider of its path, and no other
// (docs/api/auth.md): the same bearer on another provider's logout-all ends none of them, and
// another user's sessions stay.
func TestLogoutAllEndsOnlyTheProvidersSessionsOfTheUser(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	first := ts.login(t, userLogin, userPass)
	second := ts.login(t, userLogin, userPass)
	other := ts.login(t, user2, user2Pass)
	const users = "/api/content/users-auth-providers/marker/"
	refreshes := func(tk tokens) bool {
		t.Helper()
		status, body := ts.call(t, http.MethodPost, users+"email/users/refresh", "", map[string]string{"refreshToken": tk.RefreshToken})
		if status != http.StatusCreated {
			require.Equal(t, http.StatusUnauthorized, status, string(body))
			return false
		}
		return true
	}

	status, body := ts.call(t, http.MethodPost, users+"email_code/users/logout-all", first.AccessToken, nil)
	require.Equal(t, http.StatusCreated, status, string(body))
	assert.True(t, refreshes(first), "another provider's logout-all leaves the email sessions")

	status, body = ts.call(t, http.MethodPost, users+"email/users/logout-all", second.AccessToken, nil)
	require.Equal(t, http.StatusCreated, status, string(body))
	assert.False(t, refreshes(second))
	assert.True(t, refreshes(other), "another user's session stays")
}

// A session whose refresh token has expired is no longer listed as active.
func TestActiveSessionsLeaveOutExpiredOnes(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.clock.Freeze()
	ts.login(t, userLogin, userPass)
	ts.clock.Advance(169 * time.Hour)
	second := ts.login(t, userLogin, userPass)
	status, body := ts.call(t, http.MethodGet, "/api/content/users-auth-providers/marker/email/users/sessions", second.AccessToken, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Len(t, decode[[]map[string]any](t, body), 1)
}

func TestSignUpThenLogin(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	signUp := map[string]any{
		"formIdentifier":   "reg",
		"authData":         []map[string]string{{"marker": "email_reg", "value": "new@example.com"}, {"marker": "password_reg", "value": "12345"}},
		"formData":         map[string]any{"en_US": []map[string]any{{"marker": "name_reg", "type": "string", "value": "Ivan"}}},
		"notificationData": map[string]any{"email": "new@example.com", "phonePush": []string{}, "phoneSMS": "+19990000000"},
		"langCode":         "en_US",
	}
	status, body := ts.call(t, http.MethodPost, "/api/content/users-auth-providers/marker/email/users/sign-up", "", signUp)
	require.Equal(t, http.StatusCreated, status, string(body))
	created := decode[map[string]any](t, body)
	assert.Equal(t, "new@example.com", created["identifier"])
	assert.Equal(t, float64(18), created["id"], "after the fixture users 16 and 17")
	assert.Equal(t, true, created["isActive"])

	status, body = ts.call(t, http.MethodPost, "/api/content/users-auth-providers/marker/email/users/sign-up", "", signUp)
	require.Equal(t, http.StatusBadRequest, status, "the same login twice")
	decodeError(t, status, body)

	tk := ts.login(t, "new@example.com", "12345")
	status, body = ts.call(t, http.MethodGet, "/api/content/users/me?langCode=en_US", tk.AccessToken, nil)
	require.Equal(t, http.StatusOK, status)
	me := decode[map[string]any](t, body)
	assert.Equal(t, created["id"], me["id"])
	assert.Equal(t, "1", me["total"])
}

func TestReadEndpoints(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	tk := ts.login(t, userLogin, userPass)
	cases := []struct {
		path string
		want string
	}{
		{"/api/content/users-auth-providers?langCode=en_US&offset=0&limit=1", `[{"id":1,"localizeInfos":{"title":"Email"},"config":{"accessTokenTtlSec":"36000","deleteNoneActiveUsersAfterDays":"2","oauthAuthUrl":null,"refreshTokenTtlMc":"604800","systemCodeLength":"6","systemCodeOnlyNumbers":null,"systemCodeTlsSec":"120"},"version":0,"identifier":"email","type":"email","formIdentifier":"reg","userGroupIdentifier":"guest","isActive":true,"isCheckCode":false}]`},
		{"/api/content/orders-storage/marker/tickets?langCode=en_US", `{"id":1,"localizeInfos":{"title":"Tickets"},"position":1,"identifier":"tickets","formIdentifier":"tickets_form","generalTypeId":23,"paymentAccountIdentifiers":[{"identifier":"cash"},{"identifier":"stripe"},{"identifier":"paypal"},{"identifier":"stripe_disconnected"}]}`},
		{"/api/content/payments/accounts/1", `{"id":1,"localizeInfos":{"title":"Cash"},"identifier":"cash","type":"custom","isVisible":true,"isUsed":true,"testMode":false,"settings":{"status":"connected"},"updatedDate":"2025-02-26T10:13:16.839Z"}`},
	}
	for _, tc := range cases {
		status, body := ts.call(t, http.MethodGet, tc.path, tk.AccessToken, nil)
		require.Equal(t, http.StatusOK, status, tc.path)
		assert.JSONEq(t, tc.want, string(body), tc.path)
	}
	// The 2025 API listed forms as a bare array; today's wraps the page with the total.
	status, body := ts.call(t, http.MethodGet, "/api/content/forms?langCode=en_US&offset=1&limit=1", "", nil)
	require.Equal(t, http.StatusOK, status)
	forms2025 := decode[[]map[string]any](t, body)
	require.Len(t, forms2025, 1)
	assert.Equal(t, "reg", forms2025[0]["identifier"])
	status, body = newTestServer(t, withProfile(sandbox.ProfileLive)).call(t, http.MethodGet, "/api/content/forms?langCode=en_US&offset=1&limit=1", "", nil)
	require.Equal(t, http.StatusOK, status)
	forms := decode[map[string]any](t, body)
	assert.Equal(t, float64(3), forms["total"])
	require.Len(t, forms["items"], 1)
	assert.Equal(t, "reg", forms["items"].([]any)[0].(map[string]any)["identifier"])

	status, body = ts.call(t, http.MethodGet, "/api/content/products/10?langCode=en_US", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, float64(100), decode[map[string]any](t, body)["price"])

	status, body = ts.call(t, http.MethodGet, "/api/content/orders-storage/marker/tickets/order-statuses?langCode=en_US", tk.AccessToken, nil)
	require.Equal(t, http.StatusOK, status)
	statuses := decode[[]map[string]any](t, body)
	require.NotEmpty(t, statuses)
	assert.Equal(t, "inProgress", statuses[0]["identifier"])
	assert.Equal(t, true, statuses[0]["isDefault"])
}

func TestDoubleSlashPathsAreServed(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	status, body := ts.call(t, http.MethodPost, "/"+authPath, "", authBody(userLogin, userPass))
	require.Equal(t, http.StatusCreated, status, string(body))
	tk := decode[tokens](t, body)
	status, _ = ts.call(t, http.MethodPost, "/"+ordersPath, tk.AccessToken, seedOrderBody(10, 1))
	assert.Equal(t, http.StatusCreated, status, "no redirect: a POST must stay a POST")
}

func TestCORSPreflight(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	resp := testkit.Preflight(t, ts.Client(), ts.URL+ordersPath, http.MethodPost, "x-app-token, authorization, content-type, x-device-metadata")
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, "http://localhost:3000", resp.Header.Get("Access-Control-Allow-Origin"))
	allowed := strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers"))
	for _, h := range []string{"x-app-token", "authorization", "content-type", "x-device-metadata"} {
		assert.Contains(t, allowed, h)
	}
	assert.Contains(t, resp.Header.Get("Access-Control-Allow-Methods"), "POST")

	// A front end's own headers pass too, as NestJS's CORS grants what the browser asks for.
	resp = testkit.Preflight(t, ts.Client(), ts.URL+ordersPath, http.MethodPost, "x-app-token, sentry-trace, baggage")
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Equal(t, "x-app-token, sentry-trace, baggage", resp.Header.Get("Access-Control-Allow-Headers"))
	assert.Contains(t, resp.Header.Values("Vary"), "Access-Control-Request-Headers")

	req, err := http.NewRequest(http.MethodGet, ts.URL+"/api/content/forms/marker/tickets_form", nil)
	require.NoError(t, err)
	req.Header.Set("Origin", "http://shop.test")
	req.Header.Set("x-app-token", appToken)
	resp, err = ts.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "http://shop.test", resp.Header.Get("Access-Control-Allow-Origin"))
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	status, body := ts.callWith(t, http.MethodGet, "/healthz", "", nil, nil)
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"status":"ok"}`, string(body))
}

// TestConcurrentFlows runs the whole ticket flow for 50 users at once: ids never repeat, nobody
// sees another's orders, every total is right.
func TestConcurrentFlows(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	const buyers = 50
	type result struct {
		login             string
		orderIDs          []int
		sessionIDs        []int
		listedIDs         []int
		totalsOK          bool
		sessionByOrderIDs []int
	}
	results := make([]result, buyers)
	var wg sync.WaitGroup
	for i := range buyers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			login := fmt.Sprintf("buyer%02d@example.com", i)
			res := &results[i]
			res.login = login
			signUp := map[string]any{
				"authData": []map[string]string{{"marker": "email_reg", "value": login}, {"marker": "password_reg", "value": "pw"}},
				"formData": map[string]any{"en_US": []any{}}, "langCode": "en_US",
			}
			status, body := ts.call(t, http.MethodPost, "/api/content/users-auth-providers/marker/email/users/sign-up", "", signUp)
			if !assert.Equal(t, http.StatusCreated, status, string(body)) {
				return
			}
			tk := ts.login(t, login, "pw")
			res.totalsOK = true
			for n := 1; n <= 3; n++ {
				status, body = ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, seedOrderBody(10+n%3, n))
				if !assert.Equal(t, http.StatusCreated, status, string(body)) {
					return
				}
				o := decode[map[string]any](t, body)
				price := map[int]float64{10: 100, 11: 200, 12: 300}[10+n%3]
				res.totalsOK = res.totalsOK && o["totalSum"] == price*float64(n)
				res.orderIDs = append(res.orderIDs, int(o["id"].(float64)))
				status, body = ts.call(t, http.MethodPost, "/api/content/payments/sessions", tk.AccessToken, map[string]any{"orderId": o["id"], "type": "session", "automaticTaxEnabled": false})
				if !assert.Equal(t, http.StatusCreated, status, string(body)) {
					return
				}
				res.sessionIDs = append(res.sessionIDs, int(decode[map[string]any](t, body)["id"].(float64)))
				status, body = ts.call(t, http.MethodGet, fmt.Sprintf("/api/content/payments/sessions/order/%v", o["id"]), tk.AccessToken, nil)
				if assert.Equal(t, http.StatusOK, status) {
					res.sessionByOrderIDs = append(res.sessionByOrderIDs, int(decode[map[string]any](t, body)["id"].(float64)))
				}
			}
			status, body = ts.call(t, http.MethodGet, ordersPath+"?langCode=en_US&limit=100&offset=0", tk.AccessToken, nil)
			if assert.Equal(t, http.StatusOK, status) {
				list := decode[struct {
					Items []struct {
						ID int `json:"id"`
					} `json:"items"`
					Total int `json:"total"`
				}](t, body)
				assert.Equal(t, 3, list.Total)
				for _, it := range list.Items {
					res.listedIDs = append(res.listedIDs, it.ID)
				}
			}
		}()
	}
	wg.Wait()
	seenOrders, seenSessions := map[int]string{}, map[int]string{}
	for _, r := range results {
		assert.True(t, r.totalsOK, r.login)
		assert.ElementsMatch(t, r.orderIDs, r.listedIDs, "%s sees exactly their own orders", r.login)
		assert.Equal(t, r.sessionIDs, r.sessionByOrderIDs, r.login)
		for _, id := range r.orderIDs {
			if prev, dup := seenOrders[id]; dup {
				t.Errorf("order id %d given to %s and %s", id, prev, r.login)
			}
			seenOrders[id] = r.login
		}
		for _, id := range r.sessionIDs {
			if prev, dup := seenSessions[id]; dup {
				t.Errorf("session id %d given to %s and %s", id, prev, r.login)
			}
			seenSessions[id] = r.login
		}
	}
	assert.Len(t, seenOrders, buyers*3)
	assert.Len(t, seenSessions, buyers*3)
}

func TestListsArePagedNewestFirst(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	tk := ts.login(t, userLogin, userPass)
	var ids []float64
	for range 5 {
		status, body := ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, seedOrderBody(10, 1))
		require.Equal(t, http.StatusCreated, status)
		id := decode[map[string]any](t, body)["id"]
		ids = append(ids, id.(float64))
		status, _ = ts.call(t, http.MethodPost, "/api/content/payments/sessions", tk.AccessToken, map[string]any{"orderId": id, "type": "session"})
		require.Equal(t, http.StatusCreated, status)
	}
	type page struct {
		Items []struct {
			ID float64 `json:"id"`
		} `json:"items"`
		Total int `json:"total"`
	}
	for _, path := range []string{ordersPath + "?langCode=en_US&offset=1&limit=2", "/api/content/payments/sessions/?offset=1&limit=2"} {
		status, body := ts.call(t, http.MethodGet, path, tk.AccessToken, nil)
		require.Equal(t, http.StatusOK, status, path)
		p := decode[page](t, body)
		assert.Equal(t, 5, p.Total, path)
		require.Len(t, p.Items, 2, path)
		if strings.HasPrefix(path, ordersPath) {
			assert.Equal(t, []float64{ids[3], ids[2]}, []float64{p.Items[0].ID, p.Items[1].ID})
		} else {
			assert.Greater(t, p.Items[0].ID, p.Items[1].ID, "newest first")
		}
	}
	status, body := ts.call(t, http.MethodGet, ordersPath+"?offset=10", tk.AccessToken, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Empty(t, decode[page](t, body).Items, "an offset past the end is an empty page")
}

func TestAdminClockAndReset(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	status, body := ts.callWith(t, http.MethodPost, "/__admin/clock", "", `{"set":"2025-04-30T21:54:48.918Z","freeze":true}`, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.JSONEq(t, `{"now":"2025-04-30T21:54:48.918Z","frozen":true}`, string(body))
	status, body = ts.callWith(t, http.MethodPost, "/__admin/clock", "", `{"advance":"90m"}`, nil)
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"now":"2025-04-30T23:24:48.918Z","frozen":true}`, string(body))

	tk := ts.login(t, userLogin, userPass)
	status, body = ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, seedOrderBody(10, 1))
	require.Equal(t, http.StatusCreated, status)
	assert.Equal(t, "2025-04-30T23:24:48.918Z", decode[map[string]any](t, body)["createdDate"], "dates follow the mock clock")

	for _, bad := range []string{`{"advance":"soon"}`, `{"set":"yesterday"}`, `{"speed":2}`, `nope`} {
		status, body = ts.callWith(t, http.MethodPost, "/__admin/clock", "", bad, nil)
		assert.Equal(t, http.StatusBadRequest, status, bad)
		decodeError(t, status, body)
	}
	status, body = ts.callWith(t, http.MethodPost, "/__admin/clock", "", `{"reset":true,"freeze":false}`, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, string(body), `"frozen":false`)

	tk = ts.login(t, userLogin, userPass)
	status, _ = ts.callWith(t, http.MethodPost, "/__admin/reset", "", nil, nil)
	require.Equal(t, http.StatusOK, status)
	status, body = ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, seedOrderBody(10, 1))
	require.Equal(t, http.StatusCreated, status, "tokens of fixture users survive a reset")
	assert.Equal(t, float64(92), decode[map[string]any](t, body)["id"], "ids start over after a reset")
}
