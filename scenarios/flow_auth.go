package scenarios

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/oneentry-mock/oneentry-mock/client"
	"github.com/oneentry-mock/oneentry-mock/exchange"
)

// TokenRefresh makes the access token unusable, checks that a user call recovers through the
// client's refresh-and-retry, that the refresh token it spent is then refused, and that an
// explicit refresh hands out a working pair.
//
// Where the flow controls the target's clock (the mock) the token really expires: the clock
// moves past the token's exp and back afterwards. A live project's clock cannot move, so there
// the access token is replaced by a copy with a broken signature, which the API refuses the same
// way, and the refresh endpoint is called directly as well.
func TokenRefresh() Flow {
	return clientFlow("token-refresh", "an expired access token is refreshed once and the call retried; a spent refresh token is refused", runTokenRefresh)
}

func runTokenRefresh(ctx context.Context, env *Env, t *Target, c *client.Client) error {
	var err error
	var first *client.AuthResult
	return sequence(env,
		step{"login", func() error {
			first, err = login(ctx, env, c, t.User)
			return err
		}},
		step{"expire-access-token", func() error {
			if !env.CanControlClock() {
				c.SetTokens(breakSignature(first.AccessToken), first.RefreshToken)
				env.Note("the target's clock cannot be moved: the access token was replaced by one with a broken signature")
				return nil
			}
			now, err := env.Now(ctx)
			if err != nil {
				return err
			}
			// Past the token's own exp, whatever lifetime the target issues.
			d := 36001 * time.Second
			if exp, ok := tokenExpiry(first.AccessToken); ok {
				d = max(exp.Sub(now), 0) + time.Second
			}
			if err := env.AdvanceClock(ctx, d); err != nil {
				return err
			}
			env.Note("moved the mock clock forward by %s, past the access token's exp", d)
			return nil
		}},
		step{"user-call-refreshes", func() error {
			stale := c.AccessToken()
			me, err := c.Me(ctx)
			if err != nil {
				return err
			}
			var ck checks
			ck.that(strings.EqualFold(me.Identifier, t.User.Login), "users/me identifier %q, want %q", me.Identifier, t.User.Login)
			ck.that(c.RefreshToken() != first.RefreshToken, "the client still holds the first refresh token")
			ck.that(c.AccessToken() != stale, "the client still holds the refused access token")
			// The call, the client's refresh, the retry: statuses exactly on the mock (POST answers
			// 201 there), by class elsewhere.
			exs := env.StepExchanges()
			want := []string{
				"GET /api/content/users/me 401",
				fmt.Sprintf("POST /api/content/users-auth-providers/marker/%s/users/refresh 201", t.AuthProvider),
				"GET /api/content/users/me 200",
			}
			got := exchangeSummary(exs)
			if !env.Strict() && len(exs) == len(want) {
				got = classSummary(exs)
				for i, w := range want {
					want[i] = w[:len(w)-2] + "xx"
				}
			}
			ck.that(strings.Join(got, "; ") == strings.Join(want, "; "), "exchanges %q, want %q", got, want)
			return ck.err()
		}},
		step{"old-refresh-token-rejected", func() error {
			return refusedFresh(env, "refresh with the spent token", http.StatusUnauthorized, func(c *client.Client) error {
				_, err := c.RefreshWith(ctx, t.AuthProvider, first.RefreshToken)
				return err
			})
		}},
		step{"refresh-directly", func() error {
			before := c.RefreshToken()
			res, err := c.Refresh(ctx)
			if err != nil {
				return err
			}
			var ck checks
			ck.that(res.RefreshToken != "" && res.RefreshToken != before, "refresh returned the same refresh token")
			ck.that(res.AccessToken != "", "refresh returned no access token")
			ck.that(strings.EqualFold(res.UserIdentifier, t.User.Login), "userIdentifier %q, want %q", res.UserIdentifier, t.User.Login)
			if _, err := c.Me(ctx); err != nil {
				ck.errs = append(ck.errs, fmt.Errorf("users/me with the new token: %w", err))
			}
			return ck.err()
		}},
	)
}

// exchangeSummary writes each exchange as "METHOD path status".
func exchangeSummary(exs []exchange.Exchange) []string {
	out := make([]string, len(exs))
	for i, ex := range exs {
		out[i] = fmt.Sprintf("%s %s %d", ex.Method, ex.Path, ex.Status)
	}
	return out
}

// classSummary is exchangeSummary with statuses reduced to their class ("2xx").
func classSummary(exs []exchange.Exchange) []string {
	out := make([]string, len(exs))
	for i, ex := range exs {
		out[i] = fmt.Sprintf("%s %s %dxx", ex.Method, ex.Path, ex.Status/100)
	}
	return out
}

// tokenExpiry reads the exp claim of a JWT without checking it.
func tokenExpiry(token string) (time.Time, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Exp *int64 `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Exp == nil {
		return time.Time{}, false
	}
	return time.Unix(*claims.Exp, 0), true
}

// breakSignature returns the token with its JWT signature replaced, so it keeps its shape and
// claims but no server accepts it.
func breakSignature(token string) string {
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return token + "-invalid"
	}
	return token[:i+1] + base64.RawURLEncoding.EncodeToString([]byte("oneentry-mock scenarios: not a signature"))
}

// wrongAppToken is an app token no project has.
const wrongAppToken = "oneentry-mock-scenarios-wrong-app-token"

// AuthFailures checks the refusals around logging in: a wrong password, a wrong app token
// (403 "Resource is closed" on every route, before credentials are looked at), and user routes
// called without a bearer token.
func AuthFailures() Flow {
	return targetFlow("auth-failures", "wrong password, wrong app token and a missing bearer are refused", runAuthFailures)
}

func runAuthFailures(ctx context.Context, env *Env, t *Target) error {
	return sequence(env,
		step{"wrong-password", func() error {
			c, err := env.Client()
			if err != nil {
				return err
			}
			_, err = c.Auth(ctx, t.AuthProvider, authRequest(t, Credentials{Login: t.User.Login, Password: t.User.Password + "-wrong"}))
			apiErr, err := refusal(env, err, "login with a wrong password", http.StatusUnauthorized)
			if err != nil {
				return err
			}
			var ck checks
			ck.that(c.AccessToken() == "" && c.RefreshToken() == "", "the client kept tokens after a failed login")
			if env.Strict() {
				ck.that(apiErr.Message == "Invalid login or password", "message %q, want %q", apiErr.Message, "Invalid login or password")
			}
			return ck.err()
		}},
		step{"wrong-app-token", func() error {
			c, err := env.Client(client.WithAppToken(wrongAppToken))
			if err != nil {
				return err
			}
			var ck checks
			_, err = c.Form(ctx, t.FormMarker)
			if apiErr, err := exactRefusal(err, "read the form with a wrong app token", http.StatusForbidden); err != nil {
				ck.errs = append(ck.errs, err)
			} else {
				ck.that(apiErr.Message == "Resource is closed", "message %q, want %q", apiErr.Message, "Resource is closed")
			}
			// Correct credentials must not help: the app token is checked first.
			_, err = c.Auth(ctx, t.AuthProvider, authRequest(t, t.User))
			if _, err := exactRefusal(err, "login with a wrong app token", http.StatusForbidden); err != nil {
				ck.errs = append(ck.errs, err)
			}
			ck.that(c.AccessToken() == "", "the client got a token with a wrong app token")
			return ck.err()
		}},
		step{"missing-bearer", func() error {
			c, err := env.Client()
			if err != nil {
				return err
			}
			var ck checks
			_, err = c.Me(ctx)
			if _, err := refusal(env, err, "users/me without a bearer", http.StatusUnauthorized); err != nil {
				ck.errs = append(ck.errs, err)
			}
			_, err = c.Orders(ctx, t.StorageMarker, 0, client.DefaultLimit)
			if _, err := refusal(env, err, "list orders without a bearer", http.StatusUnauthorized); err != nil {
				ck.errs = append(ck.errs, err)
			}
			return ck.err()
		}},
	)
}
