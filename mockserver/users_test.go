package mockserver_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

const mePath = "/api/content/users/me"

func regValues(items ...map[string]any) map[string]any { return map[string]any{"en_US": items} }

func (ts *testServer) me(t *testing.T, bearer string) map[string]any {
	t.Helper()
	status, body := ts.call(t, http.MethodGet, mePath+"?langCode=en_US", bearer, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	return decode[map[string]any](t, body)
}

// exportedUser is the user's record in the state export.
func (ts *testServer) exportedUser(t *testing.T, id int) store.UserRecord {
	t.Helper()
	_, body := ts.callWith(t, http.MethodGet, "/__admin/state", "", nil, nil)
	for _, u := range decode[store.StateDocument](t, body).Users {
		if u.ID == id {
			return u
		}
	}
	t.Fatalf("no user %d in the export", id)
	return store.UserRecord{}
}

func TestUpdateUser(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	tk := ts.signIn(t, userLogin, userPass)
	before, beforeRecord := ts.me(t, tk.AccessToken), ts.exportedUser(t, 16)
	ivan := field("name_reg", "string", "Ivan")

	for name, body := range map[string]any{
		"state not an object":      map[string]any{"state": []int{1}},
		"values of no list":        map[string]any{"formData": map[string]any{"en_US": nil}},
		"a null value":             map[string]any{"formData": map[string]any{"en_US": []any{nil}}},
		"a null value, flat":       map[string]any{"formData": []any{nil}},
		"values under no locale":   map[string]any{"formData": map[string]any{"email": []any{ivan}}},
		"an inactive locale":       map[string]any{"formData": map[string]any{"de_DE": []any{ivan}}},
		"two locales":              map[string]any{"formData": map[string]any{"en_US": []any{ivan}, "ru_RU": []any{ivan}}},
		"notification of a number": map[string]any{"notificationData": map[string]any{"email": 5}},
		"unknown notification":     map[string]any{"notificationData": map[string]any{"fax": "1"}},
		"no locale":                map[string]any{"langCode": "garbage"},
		"password of spaces":       map[string]any{"authData": []map[string]string{{"marker": "password_reg", "value": "   "}}},
		"marker of another form":   map[string]any{"formData": regValues(field("tickets", "entity", []string{"p-8-10"}))},
		"another form":             map[string]any{"formIdentifier": "contact_us"},
		"unknown key":              map[string]any{"nickname": "x"},
		"blank login":              map[string]any{"formData": regValues(field("email_reg", "string", ""))},
		"login of spaces":          map[string]any{"formData": regValues(field("email_reg", "string", "   "))},
		"login that is no address": map[string]any{"formData": regValues(field("email_reg", "string", "plainlogin"))},
		"login of another user":    map[string]any{"formData": regValues(field("email_reg", "string", strings.ToUpper(user2)))},
		"broken JSON":              `{"state":`,
	} {
		status, data := ts.call(t, http.MethodPut, mePath, tk.AccessToken, body)
		assert.Equal(t, http.StatusBadRequest, status, "%s: %s", name, data)
		decodeError(t, status, data)
	}
	assert.Equal(t, before, ts.me(t, tk.AccessToken), "refusals write nothing")
	assert.Equal(t, beforeRecord, ts.exportedUser(t, 16), "refusals write nothing")

	status, data := ts.call(t, http.MethodPut, mePath+"?langCode=en_US", tk.AccessToken, map[string]any{
		"formIdentifier": "reg",
		"formData":       regValues(field("name_reg", "string", "Ivan P.")),
		"state":          map[string]any{"cart": []int{10}},
		"langCode":       "en_US",
	})
	require.Equal(t, http.StatusOK, status, string(data))
	assert.Equal(t, "true", string(data))
	after := ts.me(t, tk.AccessToken)
	assert.Equal(t, map[string]any{"cart": []any{float64(10)}}, after["state"])
	assert.Equal(t, map[string]any{"en_US": []any{map[string]any{"marker": "name_reg", "type": "string", "value": "Ivan P."}}}, after["formData"],
		"formData is replaced whole")

	// A new login value moves the login; the password comes from authData.
	status, data = ts.call(t, http.MethodPut, mePath, tk.AccessToken, map[string]any{
		"formData": regValues(field("email_reg", "string", "ivan@new.example"), field("name_reg", "string", "Ivan")),
		"authData": []map[string]string{{"marker": "password_reg", "value": "s3cret"}},
	})
	require.Equal(t, http.StatusOK, status, string(data))
	status, _ = ts.callWith(t, http.MethodPost, authPath, "", authBody(userLogin, userPass), deviceHeaders)
	assert.Equal(t, http.StatusUnauthorized, status, "the old login and password are gone")
	moved := ts.signIn(t, "ivan@new.example", "s3cret")
	assert.Equal(t, "ivan@new.example", ts.me(t, moved.AccessToken)["identifier"])
	// A token names its user's login: the one issued before the move answers 401, which the
	// SDK meets with a refresh of its session, and the refreshed token names the new login.
	status, _ = ts.call(t, http.MethodGet, mePath, tk.AccessToken, nil)
	assert.Equal(t, http.StatusUnauthorized, status)
	status, data = ts.callWith(t, http.MethodPost, usersBase+"refresh", "", map[string]string{"refreshToken": tk.RefreshToken}, deviceHeaders)
	require.Equal(t, http.StatusCreated, status, string(data))
	assert.Equal(t, "ivan@new.example", ts.me(t, decode[tokens](t, data).AccessToken)["identifier"])
}

// A profile has one list of values, which a read answers under the langCode it asks for
// (docs/api.md, Languages): the SDK unwraps that key whatever language the values were written in.
func TestAProfileIsReadUnderTheLanguageAskedFor(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	tk := ts.signIn(t, userLogin, userPass)
	ivan := map[string]any{"marker": "name_reg", "type": "string", "value": "Иван"}
	status, data := ts.call(t, http.MethodPut, mePath, tk.AccessToken, map[string]any{
		"formIdentifier": "reg", "formData": map[string]any{"ru_RU": []any{ivan}},
	})
	require.Equal(t, http.StatusOK, status, string(data))
	for asked, key := range map[string]string{"": "en_US", "?langCode=en_US": "en_US", "?langCode=ru_RU": "ru_RU"} {
		status, data = ts.call(t, http.MethodGet, mePath+asked, tk.AccessToken, nil)
		require.Equal(t, http.StatusOK, status, string(data))
		assert.Equal(t, map[string]any{key: []any{ivan}}, decode[map[string]any](t, data)["formData"], asked)
	}
}

// A user registered through OAuth has no password: they save their profile as anyone does,
// their state exports and imports again, and no password signs them in.
func TestAnOAuthUserSavesTheirProfileAndSurvivesAnExport(t *testing.T) {
	t.Parallel()
	ts := newLiveServer(t)
	status, body := ts.post(t, oauthPath, map[string]string{"code": ts.grantOAuth(t, "eve@example.com"), "grant_type": "authorization_code"})
	require.Equal(t, http.StatusCreated, status, string(body))
	tk := decode[tokens](t, body)
	status, body = ts.call(t, http.MethodPut, mePath, tk.AccessToken, map[string]any{"formData": regValues(field("name_reg", "string", "Eve"))})
	require.Equal(t, http.StatusOK, status, "the password field counts as given: %s", body)
	saved := map[string]any{"en_US": []any{map[string]any{"marker": "name_reg", "type": "string", "value": "Eve"}}}
	assert.Equal(t, saved, ts.me(t, tk.AccessToken)["formData"])

	// A second one who never saves a profile has no form data at all.
	status, body = ts.post(t, oauthPath, map[string]string{"code": ts.grantOAuth(t, "zed@example.com"), "grant_type": "authorization_code"})
	require.Equal(t, http.StatusCreated, status, string(body))

	_, state := ts.callWith(t, http.MethodGet, "/__admin/state", "", nil, nil)
	status, body = ts.callWith(t, http.MethodPut, "/__admin/state", "", string(state), nil)
	require.Equal(t, http.StatusOK, status, "the mock's own export imports again: %s", body)
	assert.JSONEq(t, string(state), string(body), "and is held as it was written")
	assert.Equal(t, saved, ts.me(t, tk.AccessToken)["formData"])
	status, _ = ts.callWith(t, http.MethodPost, authPath, "", authBody("eve@example.com", ""), deviceHeaders)
	assert.Equal(t, http.StatusBadRequest, status, "an empty password is no password")
	status, _ = ts.callWith(t, http.MethodPost, authPath, "", authBody("eve@example.com", " "), deviceHeaders)
	assert.Equal(t, http.StatusUnauthorized, status)
}

// After a reset the same user id can be someone else: a token of the one before opens nothing.
func TestTokensDoNotOutliveTheirUserAcrossAReset(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	signUp := func(login string) tokens {
		t.Helper()
		status, body := ts.call(t, http.MethodPost, usersBase+"sign-up", "", codeSignUp(login))
		require.Equal(t, http.StatusCreated, status, string(body))
		return ts.signIn(t, login, "pw-1")
	}
	alice := signUp("alice@example.com")
	aliceID := ts.me(t, alice.AccessToken)["id"]
	status, body := ts.callWith(t, http.MethodPost, "/__admin/reset", "", nil, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	bob := signUp("bob@example.com")
	require.Equal(t, aliceID, ts.me(t, bob.AccessToken)["id"], "the id is handed out again")

	status, body = ts.call(t, http.MethodGet, mePath, alice.AccessToken, nil)
	assert.Equal(t, http.StatusUnauthorized, status, string(body))
	status, body = ts.call(t, http.MethodPost, ordersPath, alice.AccessToken, seedOrderBody(10, 1))
	assert.Equal(t, http.StatusUnauthorized, status, string(body))
}

func TestDeletedAndArchivedUsersCannotSignInAndKeepTheirOrders(t *testing.T) {
	t.Parallel()
	for name, path := range map[string]string{"deleteUser": mePath + "/account", "archiveUser": mePath} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, withProfile(sandbox.ProfileLive))
			tk := ts.signIn(t, userLogin, userPass)
			status, body := ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, seedOrderBody(10, 1))
			require.Equal(t, http.StatusCreated, status, string(body))
			orderID := int(decode[map[string]any](t, body)["id"].(float64))

			status, body = ts.call(t, http.MethodDelete, path, "", nil)
			assert.Equal(t, http.StatusUnauthorized, status, string(body))
			status, body = ts.call(t, http.MethodDelete, path, tk.AccessToken, nil)
			require.Equal(t, http.StatusOK, status, string(body))
			assert.Equal(t, "true", string(body))

			status, body = ts.callWith(t, http.MethodPost, authPath, "", authBody(userLogin, userPass), deviceHeaders)
			assert.Equal(t, http.StatusUnauthorized, status, "no more sign-in: %s", body)
			assert.Equal(t, "Invalid login or password", decodeError(t, status, body).messages()[0])
			// OAuth neither signs the account in nor opens a session for it.
			status, body = ts.callWith(t, http.MethodPost, "/__admin/oauth/email/codes", "", `{"email":"`+userLogin+`"}`, nil)
			require.Equal(t, http.StatusCreated, status, string(body))
			grant := map[string]string{"code": decode[map[string]string](t, body)["code"], "grant_type": "authorization_code"}
			removed := stateDocument(t, ts)
			status, body = ts.post(t, oauthPath, grant)
			assertRefused(t, status, body, http.StatusUnauthorized, "Invalid login or password")
			assert.Equal(t, removed, stateDocument(t, ts), "a refused OAuth sign-in changes nothing")
			status, _ = ts.call(t, http.MethodGet, mePath, tk.AccessToken, nil)
			assert.Equal(t, http.StatusUnauthorized, status, "tokens issued before stop working")
			status, _ = ts.callWith(t, http.MethodPost, "/api/content/users-auth-providers/marker/email/users/refresh", "", map[string]string{"refreshToken": tk.RefreshToken}, deviceHeaders)
			assert.Equal(t, http.StatusUnauthorized, status, "sessions ended")
			status, _ = ts.call(t, http.MethodDelete, path, tk.AccessToken, nil)
			assert.Equal(t, http.StatusUnauthorized, status)

			_, exported := ts.callWith(t, http.MethodGet, "/__admin/state", "", nil, nil)
			doc := decode[store.StateDocument](t, exported)
			require.Len(t, doc.Orders, 1, "the orders stay")
			assert.Equal(t, orderID, doc.Orders[0].ID)
			u := ts.exportedUser(t, doc.Orders[0].UserID)
			assert.Equal(t, name == "deleteUser", u.Deleted)
			assert.Equal(t, name == "archiveUser", u.Archived)

			// The login stays taken, and the state with a removed user imports back.
			status, body = ts.callWith(t, http.MethodPut, "/__admin/state", "", doc, nil)
			require.Equal(t, http.StatusOK, status, string(body))
			status, _ = ts.callWith(t, http.MethodPost, authPath, "", authBody(userLogin, userPass), deviceHeaders)
			assert.Equal(t, http.StatusUnauthorized, status)
			assert.Equal(t, http.StatusOK, func() int {
				s, _ := ts.call(t, http.MethodGet, mePath, ts.signIn(t, user2, user2Pass).AccessToken, nil)
				return s
			}(),
				"other users are untouched")
		})
	}
}

func TestFCMTokens(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	tk := ts.signIn(t, userLogin, userPass)
	tokenPath := mePath + "/fcm-token/"
	for range 2 {
		status, body := ts.callWith(t, http.MethodPost, tokenPath+"fcm_a", tk.AccessToken, nil, deviceHeaders)
		require.Equal(t, http.StatusCreated, status, string(body))
		assert.Equal(t, "true", string(body))
	}
	status, _ := ts.callWith(t, http.MethodPost, tokenPath+"fcm_b", tk.AccessToken, nil, deviceHeaders)
	require.Equal(t, http.StatusCreated, status)
	id := int(ts.me(t, tk.AccessToken)["id"].(float64))
	assert.Equal(t, []string{"fcm_a", "fcm_b"}, ts.exportedUser(t, id).FCMTokens, "adding twice keeps one")

	status, body := ts.call(t, http.MethodDelete, tokenPath+"fcm_a", tk.AccessToken, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	status, _ = ts.call(t, http.MethodDelete, tokenPath+"unknown", tk.AccessToken, nil)
	assert.Equal(t, http.StatusOK, status, "forgetting an unknown token changes nothing")
	assert.Equal(t, []string{"fcm_b"}, ts.exportedUser(t, id).FCMTokens)

	status, body = ts.call(t, http.MethodPost, tokenPath+strings.Repeat("x", 4097), tk.AccessToken, nil)
	assert.Equal(t, http.StatusBadRequest, status, string(body))
	status, _ = ts.call(t, http.MethodPost, tokenPath+"fcm_c", "", nil)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, []string{"fcm_b"}, ts.exportedUser(t, id).FCMTokens)

	// At the bound, a further token replaces the oldest.
	for i := range store.MaxFCMTokensPerUser {
		status, body := ts.call(t, http.MethodPost, tokenPath+"device_"+strconv.Itoa(i), tk.AccessToken, nil)
		require.Equal(t, http.StatusCreated, status, string(body))
	}
	kept := ts.exportedUser(t, id).FCMTokens
	require.Len(t, kept, store.MaxFCMTokensPerUser)
	assert.Equal(t, "device_0", kept[0], "fcm_b, the oldest, made room")
	assert.Equal(t, "device_"+strconv.Itoa(store.MaxFCMTokensPerUser-1), kept[len(kept)-1])
}
