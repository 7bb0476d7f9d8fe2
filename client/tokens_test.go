package client_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/client"
)

const (
	authPath   = "/api/content/users-auth-providers/marker/email/users/auth"
	logoutPath = "/api/content/users-auth-providers/marker/email/users/logout"
)

func pairAnswer(access, refresh string) string {
	return `{"userIdentifier":"u","authProviderIdentifier":"email","accessToken":"` + access + `","refreshToken":"` + refresh + `"}`
}

// stalledRefreshAPI is a fake whose refresh endpoint reports that it was reached and then
// waits for releaseRefresh before answering the pair a2/r2. Auth answers a3/r3, logout true,
// and every other route accepts only the bearers a2 and a3.
type stalledRefreshAPI struct {
	*fakeAPI
	refreshReached chan struct{}
	released       chan struct{}
	releaseRefresh func()
}

func newStalledRefreshAPI(t *testing.T) *stalledRefreshAPI {
	t.Helper()
	a := &stalledRefreshAPI{refreshReached: make(chan struct{}), released: make(chan struct{})}
	reached := sync.OnceFunc(func() { close(a.refreshReached) })
	a.releaseRefresh = sync.OnceFunc(func() { close(a.released) })
	a.fakeAPI = newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case refreshPath:
			reached()
			select {
			case <-a.released:
			case <-r.Context().Done():
				return
			}
			writeJSON(w, http.StatusCreated, pairAnswer("a2", "r2"))
		case authPath:
			writeJSON(w, http.StatusCreated, pairAnswer("a3", "r3"))
		case logoutPath:
			writeJSON(w, http.StatusCreated, `true`)
		default:
			if b := bearer(r); b != "a2" && b != "a3" {
				writeJSON(w, http.StatusUnauthorized, unauthorized)
				return
			}
			writeJSON(w, http.StatusOK, `{"id":16}`)
		}
	})
	// Runs before the server's own cleanup, which would wait for a stalled handler.
	t.Cleanup(a.releaseRefresh)
	return a
}

// TestTokensChangedDuringAutomaticRefresh covers a session that is dropped or replaced while
// an automatic refresh is on the wire: the refresh's pair must not overwrite it.
func TestTokensChangedDuringAutomaticRefresh(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		change      func(context.Context, *client.Client) error
		wantAccess  string
		wantRefresh string
		wantHook    []string
		// wantDropped: the waiting call fails with its 401; otherwise it retries with the
		// new session's token and succeeds.
		wantDropped bool
	}{
		"logout": {
			change: func(ctx context.Context, c *client.Client) error {
				ok, err := c.Logout(ctx, "email", "r1")
				if err == nil && !ok {
					t.Error("logout answered false")
				}
				return err
			},
			wantHook:    []string{""},
			wantDropped: true,
		},
		"set tokens": {
			change: func(_ context.Context, c *client.Client) error {
				c.SetTokens("a3", "r3")
				return nil
			},
			wantAccess:  "a3",
			wantRefresh: "r3",
		},
		"auth": {
			change: func(ctx context.Context, c *client.Client) error {
				_, err := c.Auth(ctx, "email", client.AuthRequest{})
				return err
			},
			wantAccess:  "a3",
			wantRefresh: "r3",
			wantHook:    []string{"r3"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			api := newStalledRefreshAPI(t)
			var hook syncList[string]
			c := api.client(t, client.WithRefreshTokenHook(hook.add))
			c.SetTokens("a1", "r1")

			errc := inBackground(func() error { _, err := c.Me(t.Context()); return err })
			<-api.refreshReached
			require.NoError(t, tc.change(t.Context(), c))
			api.releaseRefresh()
			err := <-errc

			if tc.wantDropped {
				var apiErr *client.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, http.StatusUnauthorized, apiErr.StatusCode)
				assert.ErrorIs(t, err, client.ErrRefreshDiscarded)
				assert.Equal(t, 1, api.countPath("/api/content/users/me"), "no retry without a session")
			} else {
				require.NoError(t, err)
				reqs := api.requests()
				assert.Equal(t, "Bearer "+tc.wantAccess, reqs[len(reqs)-1].Header.Get("Authorization"), "the retry uses the new session")
			}
			assert.Equal(t, tc.wantAccess, c.AccessToken())
			assert.Equal(t, tc.wantRefresh, c.RefreshToken())
			assert.Equal(t, tc.wantHook, hook.all())
		})
	}
}

// Tokens set while a refresh of the old ones is on the wire get a refresh of their own: a call
// whose new bearer answers 401 does not wait for the old refresh, whose pair is discarded.
func TestTokensSetDuringARefreshGetTheirOwn(t *testing.T) {
	t.Parallel()
	reached, release := make(chan struct{}), make(chan struct{})
	reachedOnce := sync.OnceFunc(func() { close(reached) })
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch {
		case r.URL.Path == refreshPath && strings.Contains(string(body), `"r1"`):
			reachedOnce()
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
			writeJSON(w, http.StatusCreated, pairAnswer("a2", "r2"))
		case r.URL.Path == refreshPath && strings.Contains(string(body), `"s1"`):
			writeJSON(w, http.StatusCreated, pairAnswer("b2", "s2"))
		case r.URL.Path == refreshPath:
			writeJSON(w, http.StatusUnauthorized, unauthorized)
		case bearer(r) == "b2":
			writeJSON(w, http.StatusOK, `{"id":16}`)
		default:
			writeJSON(w, http.StatusUnauthorized, unauthorized)
		}
	})
	releaseRefresh := sync.OnceFunc(func() { close(release) })
	t.Cleanup(releaseRefresh)
	c := api.client(t)
	c.SetTokens("a1", "r1")
	first := inBackground(func() error { _, err := c.Me(t.Context()); return err })
	<-reached

	c.SetTokens("b1", "s1") // a saved session loaded, its access token expired
	_, err := c.Me(t.Context())
	require.NoError(t, err, "refreshed with s1 while the r1 refresh still waits")
	assert.Equal(t, "b2", c.AccessToken())
	assert.Equal(t, "s2", c.RefreshToken())

	releaseRefresh()
	require.NoError(t, <-first, "the first call retries with the tokens now held")
	assert.Equal(t, "b2", c.AccessToken(), "the r1 pair is discarded")
	assert.Equal(t, "s2", c.RefreshToken())
}

func TestExplicitRefreshDiscardedByLogout(t *testing.T) {
	t.Parallel()
	api := newStalledRefreshAPI(t)
	var hook syncList[string]
	c := api.client(t, client.WithRefreshTokenHook(hook.add))
	c.SetTokens("a1", "r1")

	errc := inBackground(func() error { _, err := c.Refresh(t.Context()); return err })
	<-api.refreshReached
	_, err := c.Logout(t.Context(), "email", "r1")
	require.NoError(t, err)
	api.releaseRefresh()

	require.ErrorIs(t, <-errc, client.ErrRefreshDiscarded)
	assert.Empty(t, c.AccessToken())
	assert.Empty(t, c.RefreshToken())
	assert.Equal(t, []string{""}, hook.all())
}

// TestRefreshTokenHookEndsWithHeldToken makes two stores race so that the first one's hook
// call is still running when the second stores its token: the hook's last word must be the
// token the client holds, not the older one.
func TestRefreshTokenHookEndsWithHeldToken(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case authPath:
			writeJSON(w, http.StatusCreated, pairAnswer("a1", "r1"))
		case refreshPath:
			writeJSON(w, http.StatusCreated, pairAnswer("a2", "r2"))
		}
	})
	var (
		hook     syncList[string]
		stalled  atomic.Bool
		entered  = make(chan struct{})
		released = make(chan struct{})
	)
	c := api.client(t, client.WithRefreshTokenHook(func(token string) {
		if stalled.CompareAndSwap(false, true) {
			close(entered)
			<-released
		}
		hook.add(token)
	}))

	authErr := inBackground(func() error { _, err := c.Auth(t.Context(), "email", client.AuthRequest{}); return err })
	<-entered
	_, err := c.RefreshWith(t.Context(), "email", "r1")
	require.NoError(t, err)
	close(released)
	require.NoError(t, <-authErr)

	assert.Equal(t, "r2", c.RefreshToken())
	got := hook.all()
	require.NotEmpty(t, got)
	assert.Equal(t, "r2", got[len(got)-1], "the hook's last call names the held token; calls so far: %v", got)
}

// TestRefreshTokenHookMayCallBackIntoClient pins the rule WithRefreshTokenHook documents: the
// hook runs without the client's lock, so it may change the tokens itself, and the change it
// makes is reported after it returns.
func TestRefreshTokenHookMayCallBackIntoClient(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case authPath:
			writeJSON(w, http.StatusCreated, pairAnswer("a1", "r1"))
		case logoutPath:
			writeJSON(w, http.StatusCreated, `true`)
		}
	})
	var (
		hook syncList[string]
		c    *client.Client
	)
	c = api.client(t, client.WithRefreshTokenHook(func(token string) {
		if token == "r1" {
			_, err := c.Logout(t.Context(), "email", token)
			assert.NoError(t, err)
		}
		hook.add(token)
	}))

	_, err := c.Auth(t.Context(), "email", client.AuthRequest{})
	require.NoError(t, err)
	assert.Empty(t, c.RefreshToken())
	assert.Equal(t, []string{"r1", ""}, hook.all())
}

func TestPanickingRefreshTokenHookDoesNotSilenceLaterCalls(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, answer(pairAnswer("a1", "r1")))
	var (
		hook   syncList[string]
		panics atomic.Bool
	)
	c := api.client(t, client.WithRefreshTokenHook(func(token string) {
		if panics.CompareAndSwap(false, true) {
			panic("hook failed")
		}
		hook.add(token)
	}))

	assert.Panics(t, func() { _, _ = c.Auth(t.Context(), "email", client.AuthRequest{}) })
	_, err := c.RefreshWith(t.Context(), "email", "r0")
	require.NoError(t, err)
	assert.Equal(t, []string{"r1"}, hook.all())
}

// inBackground runs call on its own goroutine and delivers its error.
func inBackground(call func() error) <-chan error {
	errc := make(chan error, 1)
	go func() { errc <- call() }()
	return errc
}
