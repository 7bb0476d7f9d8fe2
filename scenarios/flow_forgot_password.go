package scenarios

import (
	"context"
	"net/http"

	"github.com/oneentry-mock/oneentry-mock/client"
)

func runForgotPassword(ctx context.Context, env *Env, t *Target, c *client.Client) error {
	visitor := Credentials{Login: newVisitorLogin("reset"), Password: "Old-" + randomHex(4)}
	renewed := Credentials{Login: visitor.Login, Password: "New-" + randomHex(4)}
	var before *client.AuthResult
	var code string
	return sequence(env,
		step{"sign-up-and-sign-in", func() error {
			if _, err := c.SignUp(ctx, t.AuthProvider, client.SignUpRequest{AuthData: authRequest(t, visitor).AuthData}); err != nil {
				return err
			}
			var err error
			before, err = c.Auth(ctx, t.AuthProvider, authRequest(t, visitor))
			return err
		}},
		step{"ask-for-a-code", func() error {
			if err := c.GenerateCode(ctx, t.AuthProvider, visitor.Login, "reset"); err != nil {
				return err
			}
			var err error
			code, err = env.MailCode(ctx, visitor.Login)
			return err
		}},
		step{"change-password", func() error {
			return answeredTrue("change-password")(c.ChangePassword(ctx, t.AuthProvider, client.ChangePasswordRequest{
				UserIdentifier: visitor.Login, EventIdentifier: "reset", Code: code, Password1: renewed.Password,
			}))
		}},
		step{"old-password-refused", func() error {
			err := refusedFresh(env, "sign-in with the old password", http.StatusUnauthorized, func(c *client.Client) error {
				_, err := c.Auth(ctx, t.AuthProvider, authRequest(t, visitor))
				return err
			})
			if err != nil {
				return err
			}
			return refusedFresh(env, "refresh of a session from before the reset", http.StatusUnauthorized, func(c *client.Client) error {
				_, err := c.RefreshWith(ctx, t.AuthProvider, before.RefreshToken)
				return err
			})
		}},
		step{"new-password-signs-in", func() error {
			_, err := login(ctx, env, c, renewed)
			return err
		}},
	)
}

// ForgotPassword registers a visitor of its own, signs in, asks for a reset code, reads it from
// the mock's outbox and sets a new password: the old password and the session held before
// stop working, the new password signs in.
func ForgotPassword() Flow {
	return mailFlow("forgot-password", "a reset code from the outbox sets a new password; the old one and the old session stop working", runForgotPassword)
}
