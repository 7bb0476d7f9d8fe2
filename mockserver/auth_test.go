package mockserver_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver/mocktest"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// The auth rules of today's API (profile live): device header, body differences, the code
// provider, the code limits, password change and the simulated OAuth network.

const (
	codeBase   = "/api/content/users-auth-providers/marker/email_code/users/"
	oauthPath  = "/api/content/users-auth-providers/marker/email/oauth"
	liveDevice = `{"fingerprint":"UQ_1","deviceInfo":{"os":"Linux","browser":"Node.js","location":"en-US"}}`
)

// liveHeaders are the headers SDK 1.0.149 sends on a POST.
var liveHeaders = map[string]string{"x-app-token": appToken, "x-device-metadata": liveDevice}

func newLiveServer(t *testing.T) *testServer {
	t.Helper()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	// A frozen clock moves only when a test says so: the 30 s resend window is on it.
	status, body := ts.adminClock(t, `{"freeze":true}`)
	require.Equal(t, http.StatusOK, status, string(body))
	return ts
}

func (ts *testServer) post(t *testing.T, path string, body any) (int, []byte) {
	t.Helper()
	return ts.callWith(t, http.MethodPost, path, "", body, liveHeaders)
}

// lastCode is the code of the newest e-mail to the address: the subject ends with it.
func (ts *testServer) lastCode(t *testing.T, to string) string {
	t.Helper()
	msgs := ts.mails(t, to)
	require.NotEmpty(t, msgs, "no e-mail to %s", to)
	subject := msgs[0].Subject
	i := strings.LastIndex(subject, ": ")
	require.Positive(t, i, subject)
	return subject[i+2:]
}

func codeSignUp(login string) map[string]any {
	return map[string]any{
		"langCode":         "en_US",
		"authData":         []map[string]string{{"marker": "email_reg", "value": login}, {"marker": "password_reg", "value": "pw-1"}},
		"formData":         map[string]any{"en_US": []map[string]any{{"marker": "name_reg", "type": "string", "value": "Ann"}}},
		"notificationData": map[string]any{"email": login, "phonePush": []string{}},
	}
}

func codeAuth(login, code string) map[string]any {
	return map[string]any{"authData": []map[string]string{{"marker": "email_reg", "value": login}}, "code": code}
}

func assertRefused(t *testing.T, status int, body []byte, want int, mention string) {
	t.Helper()
	require.Equal(t, want, status, string(body))
	assert.Contains(t, strings.Join(decodeError(t, want, body).messages(), " | "), mention)
}

func TestLiveSignInNeedsDeviceMetadata(t *testing.T) {
	t.Parallel()
	ts := newLiveServer(t)
	for name, tc := range map[string]struct {
		header string
		want   string
	}{
		"absent":                 {"", "Missing x-device-metadata header"},
		"not JSON":               {"fp-1", "Invalid x-device-metadata format"},
		"fingerprint not string": {`{"fingerprint":1,"deviceInfo":{}}`, "Invalid x-device-metadata format"},
		"deviceInfo not object":  {`{"fingerprint":"a","deviceInfo":"pc"}`, "Invalid x-device-metadata format"},
		"null":                   {`null`, "Invalid x-device-metadata format"},
		"empty object":           {`{}`, "Invalid x-device-metadata format"},
		"no deviceInfo":          {`{"fingerprint":"a"}`, "Invalid x-device-metadata format"},
		"null fingerprint":       {`{"fingerprint":null,"deviceInfo":{}}`, "Invalid x-device-metadata format"},
	} {
		h := map[string]string{"x-app-token": appToken}
		if tc.header != "" {
			h["x-device-metadata"] = tc.header
		}
		status, body := ts.callWith(t, http.MethodPost, authPath, "", authBody(userLogin, userPass), h)
		assertRefused(t, status, body, http.StatusBadRequest, tc.want)
		// The guard runs before the body is looked at: a body the contract refuses gets the
		// header's error, and that alone.
		for _, bad := range []any{map[string]any{}, map[string]any{"authData": []any{}, "langCode": "en_US"}} {
			status, body = ts.callWith(t, http.MethodPost, authPath, "", bad, h)
			assertRefused(t, status, body, http.StatusBadRequest, tc.want)
			assert.Len(t, decodeError(t, status, body).messages(), 1, "%s: %s", name, body)
		}
	}
	status, body := ts.post(t, authPath, authBody(userLogin, userPass))
	require.Equal(t, http.StatusCreated, status, string(body))
	tk := decode[tokens](t, body)
	// refresh, logout and oauth want it too; logout-all and sessions go by the bearer alone.
	bare := map[string]string{"x-app-token": appToken}
	for path, b := range map[string]map[string]string{
		usersBase + "refresh": {"refreshToken": tk.RefreshToken},
		usersBase + "logout":  {"refreshToken": tk.RefreshToken},
		oauthPath:             {"code": "x"},
	} {
		status, body = ts.callWith(t, http.MethodPost, path, tk.AccessToken, b, bare)
		assertRefused(t, status, body, http.StatusBadRequest, "Missing x-device-metadata header")
	}
	status, body = ts.callWith(t, http.MethodGet, usersBase+"sessions", tk.AccessToken, nil, bare)
	assert.Equal(t, http.StatusOK, status, string(body))
	status, body = ts.post(t, oauthPath, map[string]string{"code": "x"})
	require.Equal(t, http.StatusBadRequest, status, string(body))

	seed := newTestServer(t, withProfile(sandbox.ProfileSDK115))
	status, body = seed.call(t, http.MethodPost, authPath, "", authBody(userLogin, userPass))
	assert.Equal(t, http.StatusCreated, status, "sdk-1.0.115 needs no header: %s", body)
}

func TestLiveAuthAndSignUpBodiesDiffer(t *testing.T) {
	t.Parallel()
	ts := newLiveServer(t)
	for _, field := range []string{"formIdentifier", "langCode"} {
		body := authBody(userLogin, userPass)
		body[field] = "x"
		status, resp := ts.post(t, authPath, body)
		assertRefused(t, status, resp, http.StatusBadRequest, "property "+field+" should not exist")
	}

	signUp := func(edit func(map[string]any)) (int, []byte) {
		b := codeSignUp("ann@example.com")
		edit(b)
		return ts.post(t, usersBase+"sign-up", b)
	}
	status, body := signUp(func(b map[string]any) { delete(b, "langCode") })
	assertRefused(t, status, body, http.StatusBadRequest, "langCode")
	status, body = signUp(func(b map[string]any) { b["notificationData"] = map[string]any{"email": []string{"ann@example.com"}} })
	assertRefused(t, status, body, http.StatusBadRequest, "email")
	status, body = signUp(func(b map[string]any) {
		b["notificationData"] = map[string]any{"email": "ann@example.com", "phonePush": []string{"+15550100"}}
	})
	assertRefused(t, status, body, http.StatusBadRequest, "phonePush")
	status, body = signUp(func(b map[string]any) {
		b["notificationData"] = map[string]any{"email": "ann@example.com", "phoneSMS": "+15550100"}
	})
	assertRefused(t, status, body, http.StatusBadRequest, "phoneSMS")
	status, body = signUp(func(b map[string]any) {
		b["notificationData"] = map[string]any{"email": "ann@example.com", "phoneSMS": ""}
	})
	assertRefused(t, status, body, http.StatusBadRequest, "phoneSMS")
	status, body = signUp(func(b map[string]any) { b["formIdentifier"] = "nope" })
	assertRefused(t, status, body, http.StatusBadRequest, "formIdentifier: there is no form nope")
	// Refusals change nothing: the login is still free.
	status, body = ts.post(t, authPath, authBody("ann@example.com", "pw-1"))
	assertRefused(t, status, body, http.StatusUnauthorized, "Invalid login or password")

	// Without formIdentifier the provider's form is used; the answer has the SDK 1.0.149 shape.
	status, body = signUp(func(b map[string]any) { delete(b, "notificationData") })
	require.Equal(t, http.StatusCreated, status, string(body))
	got := decode[map[string]any](t, body)
	assert.Equal(t, map[string]any{"email": "", "phonePush": []any{}}, got["notificationData"])
	assert.Equal(t, true, got["isActive"])

	b := codeSignUp("bob@example.com")
	b["formIdentifier"] = "reg"
	status, body = ts.post(t, usersBase+"sign-up", b)
	require.Equal(t, http.StatusCreated, status, string(body))
	assert.Equal(t, map[string]any{"email": "bob@example.com", "phonePush": []any{}}, decode[map[string]any](t, body)["notificationData"])
}

// A sign-up that names a form other than its provider's is checked against that form, and the
// user is of that form, as OneEntry's platform notes say the value sent is honoured.
func TestSignUpHonoursTheFormItNames(t *testing.T) {
	t.Parallel()
	fx := editFixtures(t, map[string]func(v any) any{"forms.json": func(v any) any {
		forms := v.([]any)
		for _, f := range forms {
			if f.(map[string]any)["identifier"] != "reg" {
				continue
			}
			raw, err := json.Marshal(f)
			require.NoError(t, err)
			other := decode[map[string]any](t, raw)
			other["id"], other["identifier"], other["position"] = 99, "reg_partner", 99
			attrs := other["attributes"].([]any)
			nick := decode[map[string]any](t, []byte(mustJSON(t, attrs[len(attrs)-1])))
			nick["marker"], nick["position"] = "nick_reg", len(attrs)+1
			other["attributes"] = append(attrs, nick)
			return append(forms, other)
		}
		return forms
	}})
	ts := newTestServer(t, withProfile(sandbox.ProfileLive), withFixtures(fx))
	withNick := func(form string) map[string]any {
		b := codeSignUp("nick@example.com")
		if form != "" {
			b["formIdentifier"] = form
		}
		b["formData"] = map[string]any{"en_US": []map[string]any{{"marker": "nick_reg", "type": "string", "value": "Nick"}}}
		return b
	}
	status, body := ts.post(t, usersBase+"sign-up", withNick(""))
	assertRefused(t, status, body, http.StatusBadRequest, "form reg has no attribute nick_reg")
	status, body = ts.post(t, usersBase+"sign-up", withNick("reg_partner"))
	require.Equal(t, http.StatusCreated, status, string(body))

	tk := ts.signIn(t, "nick@example.com", "pw-1")
	status, body = ts.call(t, http.MethodGet, mePath+"?langCode=en_US", tk.AccessToken, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, "reg_partner", decode[map[string]any](t, body)["formIdentifier"])
}

// codeUser signs login up through the code provider and returns the answer and the e-mailed code.
func (ts *testServer) codeUser(t *testing.T, login string) (map[string]any, []byte, string) {
	t.Helper()
	status, body := ts.post(t, codeBase+"sign-up", codeSignUp(login))
	require.Equal(t, http.StatusCreated, status, string(body))
	return decode[map[string]any](t, body), body, ts.lastCode(t, login)
}

func TestCodeProviderSignsUpActivatesAndSignsInByCode(t *testing.T) {
	t.Parallel()
	ts := newLiveServer(t)
	const login = "carol@example.com"
	user, body, first := ts.codeUser(t, login)
	assert.Equal(t, false, user["isActive"])
	assert.NotContains(t, string(body), first, "the code goes by e-mail only")

	status, body := ts.post(t, codeBase+"auth", codeAuth(login, first))
	assertRefused(t, status, body, http.StatusUnauthorized, "not activated")
	status, body = ts.post(t, codeBase+"activate", map[string]string{"userIdentifier": login, "code": first})
	require.Equal(t, http.StatusCreated, status, string(body))

	// A new code within 30 s of the last: 429, and nothing is sent.
	status, body = ts.post(t, codeBase+"generate-code", map[string]string{"userIdentifier": login})
	assertRefused(t, status, body, http.StatusBadRequest, "eventIdentifier should not be empty")
	gen := map[string]string{"userIdentifier": login, "eventIdentifier": "auth"}
	status, body = ts.post(t, codeBase+"generate-code", gen)
	assertRefused(t, status, body, http.StatusTooManyRequests, "seconds")
	assert.Len(t, ts.mails(t, login), 1)
	status, _ = ts.adminClock(t, `{"advance":"30s"}`)
	require.Equal(t, http.StatusOK, status)
	status, body = ts.post(t, codeBase+"generate-code", gen)
	require.Equal(t, http.StatusCreated, status, string(body))
	assert.Empty(t, body, "the code is never in a response")
	code := ts.lastCode(t, login)

	// Too soon again: the code already sent stays valid.
	status, _ = ts.post(t, codeBase+"generate-code", gen)
	require.Equal(t, http.StatusTooManyRequests, status)
	status, body = ts.post(t, codeBase+"auth", codeAuth(login, code))
	require.Equal(t, http.StatusCreated, status, string(body))
	assert.Equal(t, "email_code", decode[tokens](t, body).AuthProviderIdentifier)
	// A code works once, whether sent as `code` or as an authData entry.
	status, body = ts.post(t, codeBase+"auth", map[string]any{"authData": []map[string]string{{"marker": "email_reg", "value": login}, {"marker": "code", "value": code}}})
	assertRefused(t, status, body, http.StatusUnauthorized, "Invalid login or code")
	// The password path still works on a code provider.
	status, body = ts.post(t, codeBase+"auth", authBody(login, "pw-1"))
	assert.Equal(t, http.StatusCreated, status, string(body))
}

// Five wrong codes destroy the code, counted across sign-in, check-code, activate and
// change-password; the fifth answers 429 and the right code fails afterwards.
func TestFiveWrongCodesDestroyTheCode(t *testing.T) {
	t.Parallel()
	ts := newLiveServer(t)
	const login = "dan@example.com"
	_, _, first := ts.codeUser(t, login)
	status, body := ts.post(t, codeBase+"activate", map[string]string{"userIdentifier": login, "code": first})
	require.Equal(t, http.StatusCreated, status, string(body))
	status, _ = ts.adminClock(t, `{"advance":"31s"}`)
	require.Equal(t, http.StatusOK, status)
	status, body = ts.post(t, codeBase+"generate-code", map[string]string{"userIdentifier": login, "eventIdentifier": "auth"})
	require.Equal(t, http.StatusCreated, status, string(body))
	code := ts.lastCode(t, login)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}

	status, body = ts.post(t, codeBase+"check-code", map[string]string{"userIdentifier": login, "eventIdentifier": "auth", "code": wrong})
	require.Equal(t, http.StatusCreated, status, string(body))
	assert.Equal(t, "false", string(body))
	status, _ = ts.post(t, codeBase+"auth", codeAuth(login, wrong))
	assert.Equal(t, http.StatusUnauthorized, status)
	status, _ = ts.post(t, codeBase+"activate", map[string]string{"userIdentifier": login, "code": wrong})
	assert.Equal(t, http.StatusUnauthorized, status)
	change := map[string]any{"userIdentifier": login, "eventIdentifier": "reset", "type": 1, "code": wrong, "password1": "n", "password2": "n"}
	status, _ = ts.post(t, codeBase+"change-password", change)
	assert.Equal(t, http.StatusBadRequest, status)
	status, body = ts.post(t, codeBase+"check-code", map[string]string{"userIdentifier": login, "eventIdentifier": "auth", "code": code})
	require.Equal(t, http.StatusCreated, status)
	assert.Equal(t, "true", string(body), "four wrong codes leave the code alive")

	status, body = ts.post(t, codeBase+"activate", map[string]string{"userIdentifier": login, "code": wrong})
	assertRefused(t, status, body, http.StatusTooManyRequests, "Too many wrong codes")
	status, body = ts.post(t, codeBase+"auth", codeAuth(login, code))
	assertRefused(t, status, body, http.StatusUnauthorized, "Invalid login or code")
}

// wrongCodes sends n wrong codes to check-code for the event, each answered false, as wrong
// codes short of the limit are.
func (ts *testServer) wrongCodes(t *testing.T, base, login, event, right string, n int) {
	t.Helper()
	wrong := "000000"
	if right == wrong {
		wrong = "111111"
	}
	for i := range n {
		status, body := ts.post(t, base+"check-code", map[string]string{"userIdentifier": login, "eventIdentifier": event, "code": wrong})
		require.Equal(t, http.StatusCreated, status, "wrong code %d: %s", i+1, body)
		require.Equal(t, "false", string(body))
	}
}

// A right code spent resets the count of wrong codes (docs/api/auth.md, the code rules): four
// wrong codes, a right one spent, and four more leave the user's other code alive.
func TestASpentRightCodeResetsTheWrongCodeCount(t *testing.T) {
	t.Parallel()
	ts := newLiveServer(t)
	const login = "erin@example.com"
	_, _, first := ts.codeUser(t, login)
	status, _ := ts.adminClock(t, `{"advance":"31s"}`)
	require.Equal(t, http.StatusOK, status)
	status, body := ts.post(t, codeBase+"generate-code", map[string]string{"userIdentifier": login, "eventIdentifier": "auth"})
	require.Equal(t, http.StatusCreated, status, string(body))
	code := ts.lastCode(t, login)
	require.NotEqual(t, first, code)

	ts.wrongCodes(t, codeBase, login, "auth", code, 4)
	status, body = ts.post(t, codeBase+"activate", map[string]string{"userIdentifier": login, "code": first})
	require.Equal(t, http.StatusCreated, status, string(body))
	ts.wrongCodes(t, codeBase, login, "auth", code, 4)
	status, body = ts.post(t, codeBase+"auth", codeAuth(login, code))
	require.Equal(t, http.StatusCreated, status, string(body))
}

// A new code resets the count of wrong codes (docs/api/auth.md, the code rules): four wrong
// codes, a new code, and four more leave the new code alive.
func TestANewCodeResetsTheWrongCodeCount(t *testing.T) {
	t.Parallel()
	ts := newLiveServer(t)
	first := ts.mailedCode(t, userLogin, "reset")
	ts.wrongCodes(t, usersBase, userLogin, "reset", first, 4)
	status, _ := ts.adminClock(t, `{"advance":"31s"}`)
	require.Equal(t, http.StatusOK, status)
	code := ts.mailedCode(t, userLogin, "reset")
	ts.wrongCodes(t, usersBase, userLogin, "reset", code, 4)
	status, body := ts.post(t, usersBase+"check-code", map[string]string{"userIdentifier": userLogin, "eventIdentifier": "reset", "code": code})
	require.Equal(t, http.StatusCreated, status, string(body))
	assert.Equal(t, "true", string(body))
}

// mailedCode asks for a code of the event for the email provider's login, and answers the code
// the e-mail brought.
func (ts *testServer) mailedCode(t *testing.T, login, event string) string {
	t.Helper()
	status, body := ts.post(t, usersBase+"generate-code", map[string]string{"userIdentifier": login, "eventIdentifier": event})
	require.Equal(t, http.StatusCreated, status, string(body))
	return ts.lastCode(t, login)
}

// A code route without a code, or with an event it could not name, is malformed: 400, and it
// does not count as a wrong code, so no number of such requests destroys the user's code.
func TestMalformedCodeRequestsLeaveTheCodeAlive(t *testing.T) {
	t.Parallel()
	ts := newLiveServer(t)
	code := ts.mailedCode(t, userLogin, "reset")
	for range 6 {
		status, body := ts.post(t, usersBase+"check-code", map[string]string{"userIdentifier": userLogin, "eventIdentifier": "reset"})
		assertRefused(t, status, body, http.StatusBadRequest, "code should not be empty")
		status, body = ts.post(t, usersBase+"check-code", map[string]string{"userIdentifier": userLogin, "code": code})
		assertRefused(t, status, body, http.StatusBadRequest, "eventIdentifier should not be empty")
		status, body = ts.post(t, usersBase+"check-code", map[string]string{"userIdentifier": userLogin, "eventIdentifier": "re\nset", "code": code})
		assertRefused(t, status, body, http.StatusBadRequest, "eventIdentifier")
		status, body = ts.post(t, usersBase+"activate", map[string]string{"userIdentifier": userLogin})
		assertRefused(t, status, body, http.StatusBadRequest, "code should not be empty")
	}
	status, body := ts.post(t, usersBase+"check-code", map[string]string{"userIdentifier": userLogin, "eventIdentifier": "reset", "code": code})
	require.Equal(t, http.StatusCreated, status, string(body))
	assert.Equal(t, "true", string(body))
}

// A removed account is an unknown login on the code routes as at sign-in: no code is mailed to
// it, none is checked or spent, and its password does not change.
func TestCodeRoutesTreatARemovedAccountAsUnknown(t *testing.T) {
	t.Parallel()
	ts := newLiveServer(t)
	code := ts.mailedCode(t, userLogin, "reset")
	tk := ts.signIn(t, userLogin, userPass)
	status, body := ts.call(t, http.MethodDelete, mePath, tk.AccessToken, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	mailed := len(ts.mails(t, userLogin))

	status, body = ts.post(t, usersBase+"generate-code", map[string]string{"userIdentifier": userLogin, "eventIdentifier": "auth"})
	assertRefused(t, status, body, http.StatusNotFound, "not found")
	assert.Len(t, ts.mails(t, userLogin), mailed, "nothing mailed to a removed account")
	status, body = ts.post(t, usersBase+"check-code", map[string]string{"userIdentifier": userLogin, "eventIdentifier": "reset", "code": code})
	assertRefused(t, status, body, http.StatusNotFound, "not found")
	status, body = ts.post(t, usersBase+"activate", map[string]string{"userIdentifier": userLogin, "code": code})
	assertRefused(t, status, body, http.StatusNotFound, "not found")
	change := map[string]any{"userIdentifier": userLogin, "eventIdentifier": "reset", "type": 1, "code": code, "password1": "n3w-pass", "password2": "n3w-pass"}
	status, body = ts.post(t, usersBase+"change-password", change)
	assertRefused(t, status, body, http.StatusBadRequest, "not found")
}

func TestChangePasswordWithAResetCode(t *testing.T) {
	t.Parallel()
	ts := newLiveServer(t)
	status, body := ts.post(t, authPath, authBody(userLogin, userPass))
	require.Equal(t, http.StatusCreated, status, string(body))
	before := decode[tokens](t, body)
	status, body = ts.post(t, usersBase+"generate-code", map[string]string{"userIdentifier": userLogin, "eventIdentifier": "reset"})
	require.Equal(t, http.StatusCreated, status, string(body))
	code := ts.lastCode(t, userLogin)
	msgs := ts.mails(t, userLogin)
	assert.Contains(t, msgs[0].Subject, "Reset your password")

	change := func(edit func(map[string]any)) (int, []byte) {
		b := map[string]any{"userIdentifier": userLogin, "eventIdentifier": "reset", "type": 1, "code": code, "password1": "n3w-pass", "password2": "n3w-pass"}
		edit(b)
		return ts.post(t, usersBase+"change-password", b)
	}
	// Bad input: the live 400, and nothing changes (the code is not spent, no wrong try counted
	// for input refused before the code is looked at).
	status, body = change(func(b map[string]any) { b["password2"] = "other" })
	assertRefused(t, status, body, http.StatusBadRequest, "password1 and password2 must be equal")
	status, body = change(func(b map[string]any) { b["password1"] = "" })
	assertRefused(t, status, body, http.StatusBadRequest, "password1 should not be empty")
	status, body = change(func(b map[string]any) { b["userIdentifier"] = "nobody@example.com" })
	assertRefused(t, status, body, http.StatusBadRequest, "not found")
	status, body = change(func(b map[string]any) { b["password1"] = 5 })
	assertRefused(t, status, body, http.StatusBadRequest, "password1")
	status, body = ts.post(t, authPath, authBody(userLogin, userPass))
	require.Equal(t, http.StatusCreated, status, "nothing changed yet: %s", body)

	// Access tokens carry whole seconds: the reset refuses those of earlier seconds.
	status, _ = ts.adminClock(t, `{"advance":"1s"}`)
	require.Equal(t, http.StatusOK, status)
	status, body = change(func(map[string]any) {})
	require.Equal(t, http.StatusCreated, status, string(body))
	assert.Equal(t, "true", string(body))

	status, body = ts.post(t, authPath, authBody(userLogin, userPass))
	assertRefused(t, status, body, http.StatusUnauthorized, "Invalid login or password")
	status, body = ts.post(t, authPath, authBody(userLogin, "n3w-pass"))
	require.Equal(t, http.StatusCreated, status, string(body))
	status, _ = ts.post(t, usersBase+"refresh", map[string]string{"refreshToken": before.RefreshToken})
	assert.Equal(t, http.StatusUnauthorized, status, "the reset ends every session")
	status, _ = ts.callWith(t, http.MethodGet, "/api/content/users/me", before.AccessToken, nil, liveHeaders)
	assert.Equal(t, http.StatusUnauthorized, status, "an access token from before the reset is refused")
	status, body = change(func(map[string]any) {})
	assertRefused(t, status, body, http.StatusBadRequest, "Invalid or expired code")

	// The clock moved back behind the change: tokens issued now work, those from before the
	// change stay refused.
	status, _ = ts.adminClock(t, `{"advance":"-1h"}`)
	require.Equal(t, http.StatusOK, status)
	status, body = ts.post(t, authPath, authBody(userLogin, "n3w-pass"))
	require.Equal(t, http.StatusCreated, status, string(body))
	after := decode[tokens](t, body)
	status, body = ts.callWith(t, http.MethodGet, "/api/content/users/me", after.AccessToken, nil, liveHeaders)
	assert.Equal(t, http.StatusOK, status, "a token issued after the change: %s", body)
	status, body = ts.post(t, usersBase+"refresh", map[string]string{"refreshToken": after.RefreshToken})
	require.Equal(t, http.StatusCreated, status, string(body))
	status, _ = ts.callWith(t, http.MethodGet, "/api/content/users/me", decode[tokens](t, body).AccessToken, nil, liveHeaders)
	assert.Equal(t, http.StatusOK, status, "and one refreshed from it")
	status, _ = ts.callWith(t, http.MethodGet, "/api/content/users/me", before.AccessToken, nil, liveHeaders)
	assert.Equal(t, http.StatusUnauthorized, status, "a token from before the change is still refused")
}

// A clock set before 1970 issues working tokens: their iat, and perhaps their exp, are 0 or
// less.
func TestTokensOfAClockBefore1970(t *testing.T) {
	t.Parallel()
	ts := newLiveServer(t)
	for _, at := range []string{"1969-12-31T23:00:00Z", "1969-12-31T14:00:00Z"} {
		status, body := ts.adminClock(t, `{"set":"`+at+`","freeze":true}`)
		require.Equal(t, http.StatusOK, status, string(body))
		status, body = ts.post(t, authPath, authBody(userLogin, userPass))
		require.Equal(t, http.StatusCreated, status, string(body))
		status, body = ts.callWith(t, http.MethodGet, "/api/content/users/me", decode[tokens](t, body).AccessToken, nil, liveHeaders)
		assert.Equal(t, http.StatusOK, status, "%s: %s", at, body)
	}
}

func TestOAuthSignInWithTheSimulatedNetwork(t *testing.T) {
	t.Parallel()
	ts := newLiveServer(t)
	grant := func(body string) (int, []byte) {
		return ts.callWith(t, http.MethodPost, "/__admin/oauth/email/codes", "", body, nil)
	}
	status, body := grant(`{"email":"eve@example.com","redirectUri":"http://localhost:3000/cb"}`)
	require.Equal(t, http.StatusCreated, status, string(body))
	code := decode[map[string]string](t, body)["code"]

	exchange := map[string]string{"client_id": "c", "client_secret": "s", "code": code, "grant_type": "authorization_code", "redirect_uri": "http://localhost:3000/other"}
	status, body = ts.post(t, oauthPath, exchange)
	assertRefused(t, status, body, http.StatusBadRequest, "redirect_uri")
	exchange["redirect_uri"] = "http://localhost:3000/cb"
	status, body = ts.post(t, oauthPath, exchange)
	require.Equal(t, http.StatusCreated, status, string(body))
	tk := decode[tokens](t, body)
	assert.Equal(t, "eve@example.com", tk.UserIdentifier)
	status, body = ts.callWith(t, http.MethodGet, "/api/content/users/me", tk.AccessToken, nil, liveHeaders)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, "reg", decode[map[string]any](t, body)["formIdentifier"], "registered with the provider's form")

	// The code works once; an unknown one is the same 400.
	status, body = ts.post(t, oauthPath, exchange)
	assertRefused(t, status, body, http.StatusBadRequest, "already used or has expired")
	exchange["code"] = "not-a-code"
	status, body = ts.post(t, oauthPath, exchange)
	assertRefused(t, status, body, http.StatusBadRequest, "already used or has expired")
	status, body = ts.post(t, oauthPath, map[string]string{"code": ""})
	assertRefused(t, status, body, http.StatusBadRequest, "code")

	// The consent page: the form, then a redirect with the code and state.
	page := "/oauth/" + appToken + "/email"
	status, body = ts.callWith(t, http.MethodGet, page+"?redirect_uri="+url.QueryEscape("http://localhost:3000/cb")+"&state=s1", "", nil, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, string(body), `name="email"`)
	req, err := http.NewRequest(http.MethodPost, ts.URL+page, strings.NewReader(url.Values{"email": {"eve@example.com"}, "redirect_uri": {"http://localhost:3000/cb"}, "state": {"s1"}}.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	assert.Equal(t, "s1", loc.Query().Get("state"))
	exchange["code"] = loc.Query().Get("code")
	status, body = ts.post(t, oauthPath, exchange)
	require.Equal(t, http.StatusCreated, status, string(body))
	assert.Equal(t, tk.UserIdentifier, decode[tokens](t, body).UserIdentifier, "a returning person is the same user")
}

// grantOAuth issues a code of the simulated network for the email provider.
func (ts *testServer) grantOAuth(t *testing.T, email string) string {
	t.Helper()
	status, body := ts.callWith(t, http.MethodPost, "/__admin/oauth/email/codes", "", `{"email":"`+email+`"}`, nil)
	require.Equal(t, http.StatusCreated, status, string(body))
	return decode[map[string]string](t, body)["code"]
}

// An OAuth code lives 10 minutes on the mock clock (docs/api/auth.md): exchanged a second
// before, it signs in; at 10 minutes it is expired.
func TestAnOAuthCodeLivesTenMinutes(t *testing.T) {
	t.Parallel()
	ts := newLiveServer(t)
	early, late := ts.grantOAuth(t, "eve@example.com"), ts.grantOAuth(t, "eve@example.com")
	status, body := ts.adminClock(t, `{"advance":"9m59s"}`)
	require.Equal(t, http.StatusOK, status, string(body))
	status, body = ts.post(t, oauthPath, map[string]string{"code": early})
	require.Equal(t, http.StatusCreated, status, "a second before 10 minutes: %s", body)
	status, body = ts.adminClock(t, `{"advance":"1s"}`)
	require.Equal(t, http.StatusOK, status, string(body))
	status, body = ts.post(t, oauthPath, map[string]string{"code": late})
	assertRefused(t, status, body, http.StatusBadRequest, "already used or has expired")
}

// At most 1024 OAuth codes wait per sandbox, and a further one pushes out the oldest
// (docs/api/auth.md), on a frozen clock too, where every code was issued at the same instant.
func TestTheOldestWaitingOAuthCodeGoes(t *testing.T) {
	t.Parallel()
	ts := newLiveServer(t)
	oldest, next := ts.grantOAuth(t, "eve@example.com"), ts.grantOAuth(t, "eve@example.com")
	for range 1023 {
		_, err := ts.store.GrantOAuthCode(t.Context(), store.OAuthGrantInput{ProviderMarker: "email", Email: "eve@example.com"})
		require.NoError(t, err)
	}
	status, body := ts.post(t, oauthPath, map[string]string{"code": oldest})
	assertRefused(t, status, body, http.StatusBadRequest, "already used or has expired")
	status, body = ts.post(t, oauthPath, map[string]string{"code": next})
	require.Equal(t, http.StatusCreated, status, "the second oldest stays: %s", body)
}

// An account that is not active (never activated, or turned off) is refused by the OAuth
// sign-in as by the others.
func TestOAuthSignInRefusesAnInactiveAccount(t *testing.T) {
	t.Parallel()
	ts := newLiveServer(t)
	const login = "ina@example.com"
	ts.codeUser(t, login)
	status, body := ts.callWith(t, http.MethodPost, "/__admin/oauth/email_code/codes", "", `{"email":"`+login+`"}`, nil)
	require.Equal(t, http.StatusCreated, status, string(body))
	code := decode[map[string]string](t, body)["code"]
	status, body = ts.post(t, "/api/content/users-auth-providers/marker/email_code/oauth", map[string]string{"code": code})
	assertRefused(t, status, body, http.StatusUnauthorized, "User is not activated")
}

// adminOAuth exercises every documented answer of the OAuth admin call and consent page.
func adminOAuth(t *testing.T, ac *adminContract) {
	ts := newLiveServer(t)
	ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/oauth/email/codes", body: `{"email":"a@example.com"}`, status: http.StatusCreated})
	ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/oauth/email/codes", body: `{"email":"a@example.com, b@example.com"}`, status: http.StatusBadRequest})
	ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/oauth/nope/codes", body: `{"email":"a@example.com"}`, status: http.StatusNotFound})

	page := "/oauth/" + appToken + "/email"
	ac.do(t, ts, adminCall{method: http.MethodGet, path: page, status: http.StatusOK})
	_, body := ac.do(t, ts, adminCall{method: http.MethodGet, path: "/oauth/" + appToken + "/nope", status: http.StatusNotFound})
	assert.Equal(t, []string{"No such sandbox or auth provider"}, decodeError(t, http.StatusNotFound, body).messages())
	form := "application/x-www-form-urlencoded"
	ac.do(t, ts, adminCall{method: http.MethodPost, path: page, contentType: form, body: "email=a%40example.com", status: http.StatusOK})
	ac.do(t, ts, adminCall{method: http.MethodPost, path: page, contentType: form, body: "email=a%40example.com&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb", status: http.StatusSeeOther})
	ac.do(t, ts, adminCall{method: http.MethodPost, path: page, contentType: form, body: "email=a%40example.com&redirect_uri=javascript%3Aalert(1)", status: http.StatusBadRequest})
	ac.do(t, ts, adminCall{method: http.MethodPost, path: "/oauth/no-such-sandbox/email", contentType: form, body: "email=a%40example.com", status: http.StatusNotFound})
}

// mintToken signs user claims as the mock does, with a secret an attacker might know.
func mintToken(secret string, userID int, login string) string {
	enc := base64.RawURLEncoding
	now := time.Now().Unix()
	payload := `{"id":` + strconv.Itoa(userID) + `,"authProviderIdentifier":"email","userIdentifier":"` + login + `","iat":` + strconv.FormatInt(now, 10) + `,"exp":` + strconv.FormatInt(now+3600, 10) + `}`
	unsigned := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString([]byte(payload))
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(unsigned))
	return unsigned + "." + enc.EncodeToString(mac.Sum(nil))
}

// TestDefaultSandboxSecretIsNotPublic: the default fixtures carry no token secret, so
// a token signed with the secret they once published, or by another process, is refused.
func TestDefaultSandboxSecretIsNotPublic(t *testing.T) {
	t.Parallel()
	assert.Empty(t, mocktest.DefaultFixtures(t).Project.TokenSecret, "the embedded fixtures publish no secret")
	a, b := newTestServer(t), newTestServer(t)
	const me = "/api/content/users/me?langCode=en_US"

	forged := mintToken("oneentry-mock-default-signing-secret", 16, userLogin)
	status, body := a.call(t, http.MethodGet, me, forged, nil)
	assert.Equal(t, http.StatusUnauthorized, status, "a token minted with the old public secret: %s", body)

	tk := a.login(t, userLogin, userPass)
	status, _ = a.call(t, http.MethodGet, me, tk.AccessToken, nil)
	require.Equal(t, http.StatusOK, status)
	status, _ = b.call(t, http.MethodGet, me, tk.AccessToken, nil)
	assert.Equal(t, http.StatusUnauthorized, status, "each process signs with its own random secret")
}

// A tokenSecret in project.json signs the default sandbox's user tokens, for a back end that
// checks them with it. A sandbox made with POST /__admin/sandboxes signs with a random secret of
// its own: with the shared one, a token of the fixture user signed in one sandbox would be
// accepted by every other, which holds the same user.
func TestFixturesTokenSecretSignsTheDefaultSandbox(t *testing.T) {
	t.Parallel()
	const secret = "the-team-s-shared-test-secret"
	fx := editFixtures(t, map[string]func(any) any{store.FileProject: func(v any) any {
		v.(map[string]any)["tokenSecret"] = secret
		return v
	}})
	ts := newTestServer(t, withFixtures(fx))
	signedWith := func(token string) bool {
		cut := strings.LastIndexByte(token, '.')
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(token[:cut]))
		return token[cut+1:] == base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	}
	assert.True(t, signedWith(ts.login(t, userLogin, userPass).AccessToken), "default sandbox")

	status, body := ts.callWith(t, http.MethodPost, "/__admin/sandboxes", "", nil, nil)
	require.Equal(t, http.StatusCreated, status, string(body))
	other := map[string]string{"x-app-token": decode[map[string]any](t, body)["appToken"].(string)}
	status, body = ts.callWith(t, http.MethodPost, authPath, "", authBody(userLogin, userPass), other)
	require.Equal(t, http.StatusCreated, status, string(body))
	tk := decode[tokens](t, body)
	assert.False(t, signedWith(tk.AccessToken), "a created sandbox")

	const me = "/api/content/users/me?langCode=en_US"
	status, _ = ts.callWith(t, http.MethodGet, me, tk.AccessToken, nil, other)
	assert.Equal(t, http.StatusOK, status)
	status, _ = ts.call(t, http.MethodGet, me, tk.AccessToken, nil)
	assert.Equal(t, http.StatusUnauthorized, status, "the default sandbox does not take it")
}

// TestDataDirKeepsItsRandomSecret: with a data dir the random secret is recorded with
// the default sandbox, so its tokens outlive a restart, and another data dir has another one.
func TestDataDirKeepsItsRandomSecret(t *testing.T) {
	t.Parallel()
	serve := func(dir string) (*testServer, func()) {
		ts, _, stop := startOnDataDir(t, dir)
		return ts, stop
	}
	const me = "/api/content/users/me?langCode=en_US"
	dir := t.TempDir()
	first, stop := serve(dir)
	tk := first.login(t, userLogin, userPass)
	stop()

	again, stop := serve(dir)
	status, body := again.call(t, http.MethodGet, me, tk.AccessToken, nil)
	assert.Equal(t, http.StatusOK, status, "the data dir's secret survives a restart: %s", body)
	stop()

	other, stop := serve(t.TempDir())
	defer stop()
	status, _ = other.call(t, http.MethodGet, me, tk.AccessToken, nil)
	assert.Equal(t, http.StatusUnauthorized, status, "another data dir has its own secret")
}

// A restart keeps each sandbox's creation time, the default one's included, so the list stays
// oldest first.
func TestDataDirKeepsWhenSandboxesWereMade(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	list := func(ts *testServer) string {
		status, body := ts.callWith(t, http.MethodGet, "/__admin/sandboxes", "", nil, nil)
		require.Equal(t, http.StatusOK, status, string(body))
		return string(body)
	}
	first, _, stop := startOnDataDir(t, dir)
	status, body := first.callWith(t, http.MethodPost, "/__admin/sandboxes", "", nil, nil)
	require.Equal(t, http.StatusCreated, status, string(body))
	before := list(first)
	stop()

	again, _, stop := startOnDataDir(t, dir)
	defer stop()
	assert.JSONEq(t, before, list(again))
}
