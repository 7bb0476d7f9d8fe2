package client_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/client"
)

// tokenAPI is a fake whose user route /users/me accepts only the bearer "access-<n>" of the
// latest pair and whose refresh endpoint rotates single-use refresh tokens like the live API.
type tokenAPI struct {
	mu       sync.Mutex
	gen      int // current pair is access-<gen>/refresh-<gen>
	refreshN int
}

func (a *tokenAPI) handler(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch r.URL.Path {
	case refreshPath:
		a.refreshN++
		var body struct {
			RefreshToken string `json:"refreshToken"`
		}
		if err := decodeBody(r, &body); err != nil || body.RefreshToken != tokenName("refresh", a.gen) {
			writeJSON(w, http.StatusUnauthorized, `{"statusCode":401,"message":"Invalid refresh token","error":"Unauthorized"}`)
			return
		}
		a.gen++
		writeJSON(w, http.StatusCreated, `{"userIdentifier":"u","authProviderIdentifier":"email","accessToken":"`+
			tokenName("access", a.gen)+`","refreshToken":"`+tokenName("refresh", a.gen)+`"}`)
	case "/api/content/users/me":
		if bearer(r) != tokenName("access", a.gen) {
			writeJSON(w, http.StatusUnauthorized, unauthorized)
			return
		}
		writeJSON(w, http.StatusOK, `{"id":16,"identifier":"your-user@email.com","total":"1"}`)
	default:
		writeJSON(w, http.StatusNotFound, `{"statusCode":404,"message":"Cannot `+r.Method+` `+r.URL.Path+`","error":"Not Found"}`)
	}
}

func TestAuthKeepsTokensAndSendsBearer(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, issuesPair("/api/content/users-auth-providers/marker/email/users/auth", answer(`{"id":9}`)))
	var hook syncList[string]
	c := api.client(t, client.WithRefreshTokenHook(hook.add))

	_, err := c.Form(t.Context(), "tickets_form")
	require.NoError(t, err)
	res, err := c.Auth(t.Context(), "email", client.AuthRequest{AuthData: []client.AuthData{{Marker: "email_reg", Value: "u"}}})
	require.NoError(t, err)
	assert.Equal(t, "your-user@email.com", res.UserIdentifier)
	assert.Equal(t, "email", res.AuthProviderIdentifier)
	_, err = c.Form(t.Context(), "tickets_form")
	require.NoError(t, err)

	assert.Equal(t, "access-2", c.AccessToken())
	assert.Equal(t, "refresh-2", c.RefreshToken())
	assert.Equal(t, []string{"refresh-2"}, hook.all())
	reqs := api.requests()
	require.Len(t, reqs, 3)
	assert.Empty(t, reqs[0].Header.Values("Authorization"), "no bearer before auth")
	assert.Empty(t, reqs[1].Header.Values("Authorization"), "auth itself carries no bearer")
	assert.Equal(t, "Bearer access-2", reqs[2].Header.Get("Authorization"), "public routes carry the bearer once held, like the SDK")
}

func TestRefreshAndRetry(t *testing.T) {
	t.Parallel()
	ta := &tokenAPI{gen: 2}
	api := newFakeAPI(t, ta.handler)
	var hook syncList[string]
	c := api.client(t, client.WithAppToken(appToken), client.WithDeviceMetadata(deviceMetadata), client.WithRefreshTokenHook(hook.add))
	c.SetTokens("expired", "refresh-2")

	user, err := c.Me(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 16, user.ID)

	reqs := api.requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, "Bearer expired", reqs[0].Header.Get("Authorization"))

	refresh := reqs[1]
	assert.Equal(t, http.MethodPost, refresh.Method)
	assert.Equal(t, refreshPath, refresh.Path)
	assert.JSONEq(t, `{"refreshToken":"refresh-2"}`, refresh.Body)
	assert.Empty(t, refresh.Header.Values("Authorization"), "the refresh carries no bearer")
	assert.Equal(t, appToken, refresh.Header.Get("x-app-token"))
	assert.Equal(t, deviceMetadata, refresh.Header.Get("x-device-metadata"))

	assert.Equal(t, "/api/content/users/me", reqs[2].Path)
	assert.Equal(t, "Bearer access-3", reqs[2].Header.Get("Authorization"))
	assert.Equal(t, "langCode=en_US", reqs[2].RawQuery)

	assert.Equal(t, "access-3", c.AccessToken())
	assert.Equal(t, "refresh-3", c.RefreshToken())
	assert.Equal(t, []string{"refresh-3"}, hook.all())
}

func TestRefreshUsesProviderMarker(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, issuesPair("/api/content/users-auth-providers/marker/phone/users/refresh", onlyBearer("access-2", answer(`{"id":16}`))))
	c := api.client(t, client.WithAuthProviderMarker("phone"), client.WithRefreshToken("seeded"))
	assert.Equal(t, "seeded", c.RefreshToken())

	_, err := c.Me(t.Context())
	require.NoError(t, err)
	reqs := api.requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, "/api/content/users-auth-providers/marker/phone/users/refresh", reqs[1].Path)
	assert.JSONEq(t, `{"refreshToken":"seeded"}`, reqs[1].Body)
}

func TestRetryAnswering401IsAnErrorWithoutLoop(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, issuesPair(refreshPath, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusUnauthorized, unauthorized)
	}))
	c := api.client(t)
	c.SetTokens("access-1", "refresh-1")

	_, err := c.Me(t.Context())
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusUnauthorized, apiErr.StatusCode)
	assert.NoError(t, apiErr.RefreshErr, "the refresh itself worked")
	assert.Equal(t, 1, api.countPath(refreshPath), "exactly one refresh")
	assert.Len(t, api.requests(), 3, "call, refresh, one retry")
	assert.Equal(t, "Bearer access-2", api.requests()[2].Header.Get("Authorization"))
}

func TestRetryStatusIsChecked(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, issuesPair(refreshPath, onlyBearer("access-2", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, `{"statusCode":404,"message":"Order not found","error":"Not Found"}`)
	})))
	c := api.client(t)
	c.SetTokens("access-1", "refresh-1")

	_, err := c.Order(t.Context(), "tickets", 999)
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
	assert.Equal(t, "Order not found", apiErr.Message)
}

func TestFailedRefreshReturnsOriginal401(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == refreshPath {
			writeJSON(w, http.StatusUnauthorized, `{"statusCode":401,"message":"Invalid refresh token","error":"Unauthorized"}`)
			return
		}
		writeJSON(w, http.StatusUnauthorized, `{"statusCode":401,"message":"Invalid login or password","error":"Unauthorized","pageData":null,"timestamp":"2025-04-30T21:54:48.918Z"}`)
	})
	var hook syncList[string]
	c := api.client(t, client.WithRefreshTokenHook(hook.add))

	_, err := c.Auth(t.Context(), "email", client.AuthRequest{AuthData: []client.AuthData{{Marker: "email_reg", Value: "u"}, {Marker: "password_reg", Value: "wrong"}}})
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusUnauthorized, apiErr.StatusCode)
	assert.Equal(t, "Invalid login or password", apiErr.Message, "the call's own 401, not the refresh's")
	assert.Equal(t, "/api/content/users-auth-providers/marker/email/users/auth", apiErr.Path)
	assert.Equal(t, http.MethodPost, apiErr.Method)

	var refreshErr *client.APIError
	require.ErrorAs(t, apiErr.RefreshErr, &refreshErr)
	assert.Equal(t, "Invalid refresh token", refreshErr.Message)
	assert.Equal(t, refreshPath, refreshErr.Path)

	reqs := api.requests()
	require.Len(t, reqs, 2, "no retry after a failed refresh")
	assert.JSONEq(t, `{}`, reqs[1].Body, "with no refresh token the SDK sends {}")
	assert.Empty(t, c.AccessToken())
	assert.Empty(t, hook.all())
}

func TestConcurrent401sShareOneRefresh(t *testing.T) {
	t.Parallel()
	const callers = 8
	var (
		mu          sync.Mutex
		rejected    int
		allRejected = make(chan struct{})
		refreshes   int
	)
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == refreshPath {
			// Answer only once every caller has had its 401, so all of them are waiting
			// for a refresh at the same time.
			select {
			case <-allRejected:
			case <-r.Context().Done():
				return
			}
			mu.Lock()
			refreshes++
			n := refreshes
			mu.Unlock()
			if n > 1 {
				writeJSON(w, http.StatusUnauthorized, `{"statusCode":401,"message":"refresh token already used"}`)
				return
			}
			writeJSON(w, http.StatusCreated, authAnswer)
			return
		}
		if bearer(r) == "access-2" {
			writeJSON(w, http.StatusOK, `{"id":16}`)
			return
		}
		mu.Lock()
		rejected++
		if rejected == callers {
			close(allRejected)
		}
		mu.Unlock()
		writeJSON(w, http.StatusUnauthorized, unauthorized)
	})
	var hook syncList[string]
	c := api.client(t, client.WithRefreshTokenHook(hook.add))
	c.SetTokens("access-1", "refresh-1")

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	errs := make(chan error, callers)
	for range callers {
		go func() {
			_, err := c.Me(ctx)
			errs <- err
		}()
	}
	for range callers {
		require.NoError(t, <-errs)
	}
	assert.Equal(t, 1, api.countPath(refreshPath), "one refresh for all concurrent 401s")
	assert.Equal(t, []string{"refresh-2"}, hook.all())
	assert.Equal(t, "access-2", c.AccessToken())
}

// TestStaleBearerRetriesWithoutRefresh covers a 401 that arrives after the client already
// holds a newer access token: the call retries with it and spends no refresh token.
func TestStaleBearerRetriesWithoutRefresh(t *testing.T) {
	t.Parallel()
	ta := &tokenAPI{gen: 1}
	arrived := make(chan struct{})
	release := make(chan struct{})
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/content/users/me" && bearer(r) == "access-1" {
			close(arrived)
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
		}
		ta.handler(w, r)
	})
	c := api.client(t)
	c.SetTokens("access-1", "refresh-1")

	errc := make(chan error, 1)
	go func() {
		_, err := c.Me(t.Context())
		errc <- err
	}()
	<-arrived
	_, err := c.RefreshWith(t.Context(), "email", "refresh-1")
	require.NoError(t, err)
	close(release)

	require.NoError(t, <-errc)
	assert.Equal(t, 1, api.countPath(refreshPath), "only the explicit refresh")
	reqs := api.requests()
	assert.Equal(t, "Bearer access-2", reqs[len(reqs)-1].Header.Get("Authorization"))
}

func TestExplicitRefresh(t *testing.T) {
	t.Parallel()
	ta := &tokenAPI{gen: 1}
	api := newFakeAPI(t, ta.handler)
	var hook syncList[string]
	c := api.client(t, client.WithRefreshToken("refresh-1"), client.WithRefreshTokenHook(hook.add))

	res, err := c.Refresh(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "access-2", res.AccessToken)
	res, err = c.Refresh(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "refresh-3", res.RefreshToken, "the second refresh spends the rotated token")
	assert.Equal(t, []string{"refresh-2", "refresh-3"}, hook.all())

	_, err = c.RefreshWith(t.Context(), "email", "refresh-1")
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr, "a used refresh token is rejected")
	assert.Equal(t, http.StatusUnauthorized, apiErr.StatusCode)
	assert.Equal(t, "access-3", c.AccessToken(), "a failed refresh keeps the held pair")
	assert.Equal(t, 3, api.countPath(refreshPath), "explicit refreshes never refresh on their own 401")
}

// TestAnswerWithoutTokenPair covers 2xx auth and refresh answers that lack a token: they
// must neither wipe the held session nor reach the hook.
func TestAnswerWithoutTokenPair(t *testing.T) {
	t.Parallel()
	calls := map[string]func(context.Context, *client.Client) error{
		"auth": func(ctx context.Context, c *client.Client) error {
			_, err := c.Auth(ctx, "email", client.AuthRequest{AuthData: []client.AuthData{{Marker: "email_reg", Value: "u"}}})
			return err
		},
		"refresh with": func(ctx context.Context, c *client.Client) error {
			_, err := c.RefreshWith(ctx, "email", "r")
			return err
		},
		"refresh": func(ctx context.Context, c *client.Client) error {
			_, err := c.Refresh(ctx)
			return err
		},
	}
	answers := map[string]string{
		"no tokens":        `{}`,
		"user only":        `{"userIdentifier":"u"}`,
		"access only":      `{"accessToken":"access-2"}`,
		"refresh only":     `{"refreshToken":"refresh-2"}`,
		"empty token pair": `{"accessToken":"","refreshToken":""}`,
	}
	for callName, call := range calls {
		for answerName, body := range answers {
			t.Run(callName+"/"+answerName, func(t *testing.T) {
				t.Parallel()
				api := newFakeAPI(t, answer(body))
				var hook syncList[string]
				c := api.client(t, client.WithRefreshTokenHook(hook.add))
				c.SetTokens("access-1", "refresh-1")

				err := call(t.Context(), c)
				require.ErrorIs(t, err, client.ErrNoTokenPair)
				var apiErr *client.APIError
				assert.False(t, errors.As(err, &apiErr), "a 2xx without tokens is not an API error")
				assert.Contains(t, err.Error(), "/api/content/users-auth-providers/marker/email/users/")
				assert.Equal(t, "access-1", c.AccessToken())
				assert.Equal(t, "refresh-1", c.RefreshToken())
				assert.Empty(t, hook.all())
			})
		}
	}
}

func TestLogoutDropsTokens(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		answer  string
		want    bool
		dropped bool
		wantErr error
	}{
		"true":  {answer: `true`, want: true, dropped: true},
		"false": {answer: `false`},
		"empty": {answer: ``, wantErr: client.ErrEmptyAnswer},
		"null":  {answer: `null`, wantErr: client.ErrEmptyAnswer},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			api := newFakeAPI(t, answer(tc.answer))
			var hook syncList[string]
			c := api.client(t, client.WithRefreshTokenHook(hook.add))
			c.SetTokens("access-1", "refresh-1")

			ok, err := c.Logout(t.Context(), "email", c.RefreshToken())
			require.ErrorIs(t, err, tc.wantErr)
			assert.Equal(t, tc.want, ok)
			ok, err = c.LogoutAll(t.Context(), "email")
			require.ErrorIs(t, err, tc.wantErr)
			assert.Equal(t, tc.want, ok)
			if tc.dropped {
				assert.Empty(t, c.AccessToken())
				assert.Empty(t, c.RefreshToken())
				assert.Equal(t, []string{"", ""}, hook.all(), "the hook hears about the logout, like saveFunction('')")
			} else {
				assert.Equal(t, "access-1", c.AccessToken())
				assert.Empty(t, hook.all())
			}
		})
	}
}

func TestCanceledContext(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, answer(`{"id":16}`))
	c := api.client(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.Me(ctx)
	require.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, api.requests())
}

func TestSignUpAnswer(t *testing.T) {
	t.Parallel()
	res, err := serveBody(t, `{"id":16,"updatedDate":"2025-04-30T21:54:48.918Z","version":0,"identifier":"new@example.com","isActive":false,`+
		`"formData":[{"marker":"name_reg","type":"string","value":"Ivan"}],"notificationData":{"email":"new@example.com","phonePush":[]},"locale":"en_US","createdDate":"2025-04-30T21:54:48.918Z","state":{}}`).
		SignUp(t.Context(), "email", client.SignUpRequest{AuthData: []client.AuthData{{Marker: "email_reg", Value: "new@example.com"}}})
	require.NoError(t, err)
	assert.Equal(t, 16, res.ID)
	assert.False(t, res.IsActive)
	assert.Equal(t, "Ivan", res.FormData.Value[0].Value)
	require.NotNil(t, res.NotificationData)
	assert.Equal(t, "new@example.com", res.NotificationData.Email)
	assert.Empty(t, res.NotificationData.PhoneSMS)
}

func TestAuthProviders(t *testing.T) {
	t.Parallel()
	providers, err := serveBody(t, `[{"id":1,"localizeInfos":{"en_US":{"title":"Email"}},"config":{"accessTokenTtlSec":"36000","refreshTokenTtlMc":"604800",`+
		`"deleteNoneActiveUsersAfterDays":"2","systemCodeTlsSec":"120","systemCodeLength":"6","oauthAuthUrl":null,"systemCodeOnlyNumbers":null},`+
		`"version":0,"identifier":"email","type":"email","formIdentifier":"reg","userGroupIdentifier":"guest","isActive":true,"isCheckCode":false}]`).AuthProviders(t.Context(), 0, 30)
	require.NoError(t, err)
	require.Len(t, providers, 1)
	p := providers[0]
	assert.Equal(t, "Email", p.LocalizeInfos.Value.Title)
	assert.Equal(t, "36000", p.Config.AccessTokenTTLSec)
	assert.Nil(t, p.Config.OAuthAuthURL)
	assert.Equal(t, "reg", p.FormIdentifier)
	assert.True(t, p.IsActive)
}
