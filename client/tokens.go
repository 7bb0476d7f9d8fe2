package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// refreshCall is one refresh request that several callers may wait for.
type refreshCall struct {
	done chan struct{}
	// gen is the tokenGen the refresh started from.
	gen    uint64
	result *AuthResult
	err    error
}

// AccessToken returns the user access token the client currently sends, or "".
func (c *Client) AccessToken() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.accessToken
}

// RefreshToken returns the refresh token the client currently holds, or "".
func (c *Client) RefreshToken() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.refreshToken
}

// SetTokens replaces both user tokens, like the SDK's setAccessToken/setRefreshToken. It does
// not call the refresh-token hook: the caller already knows the token. An automatic refresh
// running meanwhile does not overwrite them.
func (c *Client) SetTokens(access, refresh string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setTokensLocked(access, refresh)
}

// setTokensLocked replaces the pair; c.mu must be held.
func (c *Client) setTokensLocked(access, refresh string) {
	c.accessToken, c.refreshToken = access, refresh
	c.tokenGen++
}

// storeTokens keeps a new pair and reports the refresh token to the hook.
func (c *Client) storeTokens(access, refresh string) {
	c.SetTokens(access, refresh)
	c.reportRefreshToken()
}

// reportRefreshToken calls the refresh-token hook with the refresh token held now. Stores
// that race would otherwise reach the hook out of order and leave it holding a spent token,
// so calls are serialised: a report made while another goroutine is calling the hook only
// marks the token as changed, and that goroutine calls the hook again, with the token held
// then, before it returns. The hook runs without c.mu held, so it may call back into the
// client.
func (c *Client) reportRefreshToken() {
	if c.onRefreshToken == nil {
		return
	}
	c.mu.Lock()
	c.hookPending = true
	if c.hookRunning {
		c.mu.Unlock()
		return
	}
	c.hookRunning = true
	finished := false
	defer func() {
		// A panicking hook must not leave every later report waiting for it.
		if !finished {
			c.mu.Lock()
			c.hookRunning = false
			c.mu.Unlock()
		}
	}()
	for c.hookPending {
		c.hookPending = false
		token := c.refreshToken
		c.mu.Unlock()
		c.onRefreshToken(token)
		c.mu.Lock()
	}
	c.hookRunning = false
	finished = true
	c.mu.Unlock()
}

// sharedRefresh refreshes the token pair once for every caller that needs it at the same
// time: refresh tokens are single use, so two parallel refreshes would fail one of them. A
// caller whose 401 was answered to a bearer that has since been replaced does not refresh at
// all, it just retries with the new token. force starts (or joins) a refresh regardless.
//
// When the tokens change while the refresh runs, its pair is discarded (ErrRefreshDiscarded).
// A caller that is not forcing then retries like one with a stale bearer if a new session
// replaced the old one, and fails if the tokens were dropped: a logout must not be undone by
// the retry of a call that started before it.
func (c *Client) sharedRefresh(ctx context.Context, staleBearer string, force bool) (*AuthResult, error) {
	c.mu.Lock()
	running := c.refreshing != nil && c.refreshing.gen == c.tokenGen
	if !force && !running && c.accessToken != staleBearer {
		c.mu.Unlock()
		return nil, nil
	}
	call := c.refreshing
	// One that started from tokens replaced since will be discarded: the tokens held now get a
	// refresh of their own.
	if !running {
		call = &refreshCall{done: make(chan struct{}), gen: c.tokenGen}
		c.refreshing = call
		go c.runRefresh(context.WithoutCancel(ctx), call, c.providerMarker, c.refreshToken)
	}
	c.mu.Unlock()
	select {
	case <-call.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if !force && errors.Is(call.err, ErrRefreshDiscarded) {
		if current := c.AccessToken(); current != "" && current != staleBearer {
			return nil, nil
		}
	}
	return call.result, call.err
}

// runRefresh performs a shared refresh and keeps its pair unless the tokens it started from
// have changed meanwhile.
func (c *Client) runRefresh(ctx context.Context, call *refreshCall, marker, token string) {
	ctx, cancel := context.WithTimeout(ctx, refreshTimeout)
	defer cancel()
	res, err := c.postRefresh(ctx, marker, token)
	c.mu.Lock()
	if err == nil && c.tokenGen != call.gen {
		res, err = nil, fmt.Errorf("oneentry: POST %s: %w", apiPrefix+providerPath(marker)+"/users/refresh", ErrRefreshDiscarded)
	}
	if err == nil {
		c.setTokensLocked(res.AccessToken, res.RefreshToken)
	}
	if c.refreshing == call {
		c.refreshing = nil
	}
	c.mu.Unlock()
	if err == nil {
		c.reportRefreshToken()
	}
	call.result, call.err = res, err
	close(call.done)
}

// postRefresh calls the refresh endpoint the way the SDK's internal refresh does: no
// Authorization header, and {} as the body when there is no refresh token. It never
// refreshes on its own 401.
func (c *Client) postRefresh(ctx context.Context, marker, token string) (*AuthResult, error) {
	body, err := json.Marshal(refreshRequest{RefreshToken: token})
	if err != nil {
		return nil, err
	}
	resp, err := c.send(ctx, http.MethodPost, providerPath(marker)+"/users/refresh", nil, body, "")
	if err != nil {
		return nil, err
	}
	var res AuthResult
	if err := c.decode(resp, &res); err != nil {
		return nil, err
	}
	if err := checkTokenPair(resp.method, resp.path, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// checkTokenPair rejects a 2xx auth or refresh answer that lacks either token, which would
// otherwise wipe the session the client holds.
func checkTokenPair(method, path string, res *AuthResult) error {
	if res.AccessToken == "" || res.RefreshToken == "" {
		return fmt.Errorf("oneentry: %s %s: %w", method, path, ErrNoTokenPair)
	}
	return nil
}
