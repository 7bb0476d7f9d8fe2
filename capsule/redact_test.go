package capsule

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testJWT     = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpZCI6MTYsImF1dGhQcm92aWRlcklkZW50aWZpZXIiOiJlbWFpbCJ9.c2lnbmF0dXJl"
	testJWT2    = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpZCI6MTd9.b3RoZXI"
	testRefresh = "1745494429101-5a2b9c1e-0d7f-4b7a-9a43-6c1e2834edf8"
)

func authExchange(email, password, access, refresh string) RawExchange {
	return RawExchange{
		Method: "POST", Path: "/api/content/users-auth-providers/marker/email/users/auth",
		RequestHeader: http.Header{"Content-Type": {"application/json"}, "X-App-Token": {"real-app-token-123"}, "Cookie": {"sid=1"}},
		RequestBody:   []byte(`{"authData":[{"marker":"email_reg","value":"` + email + `"},{"marker":"password_reg","value":"` + password + `"}]}`),
		Status:        201,
		ResponseHeader: http.Header{"Content-Type": {"application/json; charset=utf-8"}, "Set-Cookie": {"x=y"},
			"Access-Control-Allow-Origin": {"*"}},
		ResponseBody: []byte(`{"userIdentifier":"` + email + `","authProviderIdentifier":"email","accessToken":"` + access + `","refreshToken":"` + refresh + `"}`),
	}
}

func TestRedactorReplacesSecretsConsistently(t *testing.T) {
	t.Parallel()
	r := NewRedactor()
	e1 := r.Exchange(authExchange("Your-User@Email.com", "123456", testJWT, testRefresh))
	e2 := r.Exchange(RawExchange{
		Method: "GET", Path: "/api/content/users/me", RawQuery: "langCode=en_US&email=your-user%40email.com",
		RequestHeader: http.Header{"Authorization": {"Bearer " + testJWT}, "X-App-Token": {"real-app-token-123"},
			"X-Device-Metadata": {`{"fingerprint":"UQ_abc123","deviceInfo":{"os":"Linux","browser":"Firefox","location":"en-US"}}`}},
		Status:       200,
		ResponseBody: []byte(`{"id":16,"identifier":"your-user@email.com","note":"mail second@shop.example or call; token ` + testJWT2 + `","pw":"123456","order":"1234567"}`),
	})
	e3 := r.Exchange(authExchange("second@shop.example", "654321", testJWT2, "1745494429999-5a2b9c1e-0d7f-4b7a-9a43-6c1e2834ed00"))

	assert.Equal(t, "<app-token-1>", e1.RequestHeaders["x-app-token"])
	assert.NotContains(t, e1.RequestHeaders, "cookie", "only the headers that matter are kept")
	assert.NotContains(t, e1.ResponseHeaders, "set-cookie")
	assert.Equal(t, "*", e1.ResponseHeaders["access-control-allow-origin"])
	assert.JSONEq(t, `{"authData":[{"marker":"email_reg","value":"user1@example.test"},{"marker":"password_reg","value":"<password>"}]}`, string(e1.RequestBody))
	assert.JSONEq(t, `{"userIdentifier":"user1@example.test","authProviderIdentifier":"email","accessToken":"<access-token-1>","refreshToken":"<refresh-token-1>"}`, string(e1.ResponseBody))

	assert.Equal(t, "Bearer <access-token-1>", e2.RequestHeaders["authorization"], "the token issued earlier keeps its placeholder")
	assert.Equal(t, "email=user1%40example.test&langCode=en_US", e2.Query)
	assert.JSONEq(t, `{"fingerprint":"<fingerprint-1>","deviceInfo":{"os":"Linux","browser":"Firefox","location":"en-US"}}`, e2.RequestHeaders["x-device-metadata"])
	assert.JSONEq(t, `{"id":16,"identifier":"user1@example.test","note":"mail user2@example.test or call; token <access-token-2>","pw":"<password>","order":"1234567"}`, string(e2.ResponseBody),
		"a whole value equal to a known password is replaced; the same digits inside another value are not")

	assert.JSONEq(t, `{"userIdentifier":"user2@example.test","authProviderIdentifier":"email","accessToken":"<access-token-2>","refreshToken":"<refresh-token-2>"}`, string(e3.ResponseBody))
	assert.Equal(t, map[string]string{
		"<app-token-1>": KindAppToken, "user1@example.test": KindEmail, "user2@example.test": KindEmail,
		"<password>": KindPassword, "<access-token-1>": KindAccessToken, "<access-token-2>": KindAccessToken,
		"<refresh-token-1>": KindRefreshToken, "<refresh-token-2>": KindRefreshToken, "<fingerprint-1>": KindFingerprint,
	}, r.Redactions())

	all, err := json.Marshal([]Exchange{e1, e2, e3})
	require.NoError(t, err)
	for _, secret := range []string{"your-user", "second@shop", `"123456"`, "654321", testJWT, testJWT2, testRefresh, "real-app-token", "UQ_abc123"} {
		assert.NotContains(t, string(all), secret)
	}
}

// An app token first seen in a body (a sandbox's creation answer) is the app token all the
// same: the requests that send it afterwards carry the app-token placeholder.
func TestRedactorAppTokenFirstSeenInABody(t *testing.T) {
	t.Parallel()
	r := NewRedactor()
	made := r.Exchange(RawExchange{Method: "POST", Path: "/__admin/sandboxes", Status: 201,
		ResponseBody: []byte(`{"appToken":"sbx_0123456789abcdef"}`)})
	used := r.Exchange(RawExchange{Method: "GET", Path: "/api/content/forms", Status: 200,
		RequestHeader: http.Header{"X-App-Token": {"sbx_0123456789abcdef"}}})
	assert.JSONEq(t, `{"appToken":"<app-token-1>"}`, string(made.ResponseBody))
	assert.Equal(t, "<app-token-1>", used.RequestHeaders["x-app-token"])
	assert.Equal(t, map[string]string{"<app-token-1>": KindAppToken}, r.Redactions())
}

func TestRedactorKeyRules(t *testing.T) {
	t.Parallel()
	r := NewRedactor()
	e := r.Exchange(RawExchange{
		Method: "POST", Path: "/api/content/users-auth-providers/marker/phone/users/sign-up",
		RequestBody: []byte(`{"authData":[{"marker":"phone_reg","value":"+19990001122"},{"marker":"pass","value":"hunter2"},{"marker":"code","value":"407063"}],
			"notificationData":{"phoneSMS":"+19990001122"},"newPassword":"s3cret!","code":"407063"}`),
		Status:       201,
		ResponseBody: []byte(`{"clientSecret":"pi_123_secret_456","settings":{"signingSecretKey":"whsec_abc"},"code":"USD","paymentUrl":"https://pay.example/c/pi_123_secret_456"}`),
	})
	assert.JSONEq(t, `{"authData":[{"marker":"phone_reg","value":"<phone-1>"},{"marker":"pass","value":"<password>"},{"marker":"code","value":"<one-time-code-1>"}],
		"notificationData":{"phoneSMS":"<phone-1>"},"newPassword":"<password>","code":"<one-time-code-1>"}`, string(e.RequestBody))
	assert.JSONEq(t, `{"clientSecret":"<client-secret-1>","settings":{"signingSecretKey":"<secret-1>"},"code":"USD","paymentUrl":"https://pay.example/c/<client-secret-1>"}`, string(e.ResponseBody),
		"a response's code is data, not a one-time code; a long secret is replaced inside other strings too")
}

// An entry whose marker ends in "_code" holds a one-time code, as the journal judges it: the
// code provider's sign-in sends it so, and the capsule replaces it as it does a "code" entry.
func TestRedactorReplacesCodeEntriesOfEveryCodeMarker(t *testing.T) {
	t.Parallel()
	r := NewRedactor()
	e := r.Exchange(RawExchange{
		Method: "POST", Path: "/api/content/users-auth-providers/marker/email_code/users/auth",
		RequestBody: []byte(`{"authData":[{"marker":"email_reg","value":"a@shop.example"},{"marker":"email_code","value":"407063"},{"marker":"SMS_Code","value":"518274"}]}`),
		Status:      201,
	})
	assert.JSONEq(t, `{"authData":[{"marker":"email_reg","value":"user1@example.test"},{"marker":"email_code","value":"<one-time-code-1>"},{"marker":"SMS_Code","value":"<one-time-code-2>"}]}`, string(e.RequestBody))
	assert.Equal(t, KindCode, r.Redactions()["<one-time-code-1>"])
}

func TestRedactorIsIdempotent(t *testing.T) {
	t.Parallel()
	first := NewRedactor().Exchange(authExchange("a@b.io", "pw-123456", testJWT, testRefresh))
	again := NewRedactor().Exchange(RawExchange{
		Method: first.Method, Path: first.Path, RequestBody: first.RequestBody, Status: first.Status, ResponseBody: first.ResponseBody,
		RequestHeader: http.Header{"X-App-Token": {first.RequestHeaders["x-app-token"]}},
	})
	assert.JSONEq(t, string(first.RequestBody), string(again.RequestBody))
	assert.JSONEq(t, string(first.ResponseBody), string(again.ResponseBody))
	assert.Equal(t, first.RequestHeaders["x-app-token"], again.RequestHeaders["x-app-token"])
}

func TestRedactorKeepsKeyOrderAndText(t *testing.T) {
	t.Parallel()
	r := NewRedactor()
	e := r.Exchange(RawExchange{
		Method: "GET", Path: "/api/content/users/by/a%40b.io", Status: 500,
		ResponseBody: []byte("upstream said: contact admin@corp.io <now>"),
	})
	assert.Equal(t, "/api/content/users/by/user1@example.test", e.Path)
	assert.Equal(t, "upstream said: contact user2@example.test <now>", e.ResponseText)
	assert.Nil(t, e.ResponseBody)

	e = r.Exchange(RawExchange{Method: "GET", Path: "/x", Status: 200, ResponseBody: []byte(`{"z":1,"a":"<b>","m":[true,null,2.50]}`)})
	assert.Equal(t, `{"z":1,"a":"<b>","m":[true,null,2.50]}`, string(e.ResponseBody), "keys keep their order, numbers their text, < stays unescaped")
}

func TestRedactorBody(t *testing.T) {
	t.Parallel()
	r := NewRedactor()
	r.Exchange(authExchange("a@b.io", "pw-123456", testJWT, testRefresh))
	got := string(r.Body([]byte(`{"log":"Bearer ` + testJWT + ` from a@b.io"}`)))
	assert.Equal(t, `{"log":"Bearer <access-token-1> from user1@example.test"}`, got)
	assert.True(t, strings.HasPrefix(string(r.Body([]byte("token "+testRefresh))), "token <refresh-token-1>"))
}

// Secrets outside compact JSON members are redacted too: a form body, JSON with something
// after it, query parameters named like credentials in any spelling, and a password of 8
// characters or more inside a longer string.
func TestRedactorSecretsInEveryPlacement(t *testing.T) {
	t.Parallel()
	r := NewRedactor()
	form := r.Exchange(RawExchange{
		Method: "POST", Path: "/api/content/users-auth-providers/marker/email/users/auth",
		RequestHeader: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		RequestBody:   []byte(`password=FORM-PASS-SECRET&refreshToken=FORM-REFRESH-SECRET&code=FORMCODE99&lang=en`),
		Status:        400,
	})
	assert.Equal(t, `password=[redacted]&refreshToken=[redacted]&code=[redacted]&lang=en`, form.RequestText)
	browser := r.Exchange(RawExchange{
		Method: "POST", Path: "/oauth/x/email",
		RequestHeader: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		RequestBody:   []byte(`email=Form.User%40Mail.example&state=s1`),
		Status:        303,
	})
	assert.Equal(t, `email=user1%40example.test&state=s1`, browser.RequestText, "an address as a browser encodes it")

	trailing := r.Exchange(RawExchange{
		Method: "POST", Path: "/api/content/users-auth-providers/marker/email/users/auth",
		RequestBody: []byte(`{"authData":[{"marker":"password_reg","value":"TRAILING-PASS-SECRET"}],"password":"TRAIL2-SECRET"} x`),
		Status:      400,
	})
	assert.NotContains(t, trailing.RequestText, "TRAILING-PASS-SECRET")
	assert.NotContains(t, trailing.RequestText, "TRAIL2-SECRET")

	query := r.Exchange(RawExchange{Method: "GET", Path: "/api/content/pages", RawQuery: "token=QTOKEN-SECRET&Refresh-Token=QREFRESH-SECRET&jwt=QJWT-SECRET&langCode=en_US", Status: 200})
	for _, secret := range []string{"QTOKEN-SECRET", "QREFRESH-SECRET", "QJWT-SECRET"} {
		assert.NotContains(t, query.Query, secret)
	}
	assert.Contains(t, query.Query, "langCode=en_US")
	semicolons := r.Exchange(RawExchange{Method: "GET", Path: "/api/content/pages", RawQuery: "a=1;token=SEMI-SECRET", Status: 200})
	assert.NotContains(t, semicolons.Query, "SEMI-SECRET")

	r.Exchange(authExchange("a@b.io", "NewGoodPass789", testJWT, testRefresh))
	echo := r.Exchange(RawExchange{Method: "POST", Path: "/api/content/users-auth-providers/marker/email/users/change-password",
		Status: 404, ResponseBody: []byte(`{"statusCode":404,"message":"User NewGoodPass789 not found"}`)})
	assert.JSONEq(t, `{"statusCode":404,"message":"User <password> not found"}`, string(echo.ResponseBody))
}

// addFCMToken sends the push token only in the path: the segment after fcm-token is a
// credential, replaced the same way when it is taken back, and wherever else it shows.
func TestRedactorReplacesATokenInThePath(t *testing.T) {
	t.Parallel()
	r := NewRedactor()
	const token = "fcm-SECRETTOKEN-abc123"
	added := r.Exchange(RawExchange{Method: "POST", Path: "/api/content/users/me/fcm-token/" + token, Status: 201,
		ResponseBody: []byte(`{"fcmToken":"` + token + `","note":"registered ` + token + `"}`)})
	deleted := r.Exchange(RawExchange{Method: "DELETE", Path: "/api/content/users/me/fcm-token/" + token, Status: 200})
	short := r.Exchange(RawExchange{Method: "DELETE", Path: "/api/content/users/me/fcm-token/abc", Status: 200})

	assert.Equal(t, "/api/content/users/me/fcm-token/%3Csecret-1%3E", added.Path)
	assert.Equal(t, added.Path, deleted.Path, "the same token, the same placeholder")
	assert.Equal(t, "/api/content/users/me/fcm-token/%3Csecret-2%3E", short.Path, "a token of any length")
	assert.JSONEq(t, `{"fcmToken":"<secret-1>","note":"registered <secret-1>"}`, string(added.ResponseBody))
	assert.Equal(t, map[string]string{"<secret-1>": KindSecret, "<secret-2>": KindSecret}, r.Redactions())
	assert.Equal(t, "/api/content/users/me", r.Exchange(RawExchange{Method: "GET", Path: "/api/content/users/me"}).Path)
	// Only a token: what follows other credential-like words of ordinary paths stays.
	for _, path := range []string{"/api/content/pages/reset-password/forms", "/api/content/attributes-sets/code/attributes",
		"/api/content/forms/marker/contact_us"} {
		assert.Equal(t, path, r.Exchange(RawExchange{Method: "GET", Path: path}).Path)
	}
	assert.Len(t, r.Redactions(), 2, "no ordinary word became a secret")
	// The paths serve masks in its log by their route's credential variable are the capsule's too.
	for _, tc := range []struct{ path, want string }{
		{"/checkout/app-SECRET-77/cs_test_1", "/checkout/%3Csecret-3%3E/cs_test_1"},
		{"/cloud-static/app-SECRET-77/files/project/page/1/2/a.png", "/cloud-static/%3Csecret-3%3E/files/project/page/1/2/a.png"},
		{"/api/content/users/me/fcm-token/fcm/with-slash", "/api/content/users/me/fcm-token/%3Csecret-4%3E"},
		{"/cloud-static/files/project/page/1/2/a.png", "/cloud-static/files/project/page/1/2/a.png"},
	} {
		assert.Equal(t, tc.want, r.Exchange(RawExchange{Method: "GET", Path: tc.path}).Path, tc.path)
	}
}
