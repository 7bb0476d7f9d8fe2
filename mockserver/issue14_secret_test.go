package mockserver_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store/bolt"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

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

// TestIssue14DefaultSandboxSecretIsNotPublic: the default fixtures carry no token secret, so
// a token signed with the secret they once published, or by another process, is refused.
func TestIssue14DefaultSandboxSecretIsNotPublic(t *testing.T) {
	t.Parallel()
	assert.Empty(t, loadFixtures(t).Project.TokenSecret, "the embedded fixtures publish no secret")
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

// TestIssue14DataDirKeepsItsRandomSecret: with a data dir the random secret is recorded with
// the default sandbox, so its tokens outlive a restart, and another data dir has another one.
func TestIssue14DataDirKeepsItsRandomSecret(t *testing.T) {
	t.Parallel()
	serve := func(dir string) (*testServer, func()) {
		db, err := bolt.Open(dir)
		require.NoError(t, err)
		srv, err := mockserver.New(mockserver.Options{Sandbox: sandbox.Options{Fixtures: loadFixtures(t), Persistence: db, Profile: sandbox.ProfileSDK115}})
		require.NoError(t, err)
		hs := httptest.NewServer(srv)
		return &testServer{Server: hs, server: srv, store: srv.Store()}, func() {
			hs.Close()
			require.NoError(t, srv.Close(t.Context()))
			require.NoError(t, db.Close())
		}
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
