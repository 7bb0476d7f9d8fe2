package scenarios

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/oneentry-mock/oneentry-mock/client"
)

// CodeProvider is the marker of the default project's auth provider that checks codes.
const CodeProvider = "email_code"

// SignUpCode registers a visitor through the provider that checks codes, reads the code it
// sent from the mock's outbox, activates the account and signs in, with the password and, where
// the clock can move past the 30 s resend window, with a fresh code that then works no more.
func SignUpCode() Flow {
	return mailFlow("signup-code", "sign up through a code provider, activate with the e-mailed code, sign in by password and by code", runSignUpCode)
}

// mailFlow is clientFlow for a flow that reads e-mailed codes from the mock's outbox: where
// there is none (a live project), the flow skips.
func mailFlow(name, description string, run func(ctx context.Context, env *Env, t *Target, c *client.Client) error) Flow {
	return clientFlow(name, description, func(ctx context.Context, env *Env, t *Target, c *client.Client) error {
		if !env.CanReadMail() {
			return env.Skip("needs the mock's outbox to read the e-mailed code")
		}
		return run(ctx, env, t, c)
	})
}

func runSignUpCode(ctx context.Context, env *Env, t *Target, c *client.Client) error {
	visitor := Credentials{Login: newVisitorLogin("signup"), Password: "Signup-" + randomHex(4)}
	var code string
	return sequence(env,
		step{"sign-up", func() error {
			u, err := c.SignUp(ctx, CodeProvider, client.SignUpRequest{
				AuthData:         authRequest(t, visitor).AuthData,
				NotificationData: &client.NotificationData{Email: visitor.Login},
			})
			if err != nil {
				return err
			}
			var ck checks
			ck.that(!u.IsActive, "a code provider's new user is active at once")
			ck.that(u.NotificationData != nil && u.NotificationData.PhonePush != nil, "notificationData.phonePush is not an array")
			return ck.err()
		}},
		step{"read-code", func() error {
			var err error
			code, err = env.MailCode(ctx, visitor.Login)
			return err
		}},
		step{"activate", func() error {
			return answeredTrue("activate")(c.ActivateUser(ctx, CodeProvider, visitor.Login, code))
		}},
		step{"sign-in-with-password", func() error {
			_, err := c.Auth(ctx, CodeProvider, authRequest(t, visitor))
			return err
		}},
		step{"sign-in-with-code", func() error {
			if !env.CanControlClock() {
				return env.Skip("a new code within 30 s of the last is refused and the clock cannot move")
			}
			if err := env.AdvanceClock(ctx, CodeResendWait); err != nil {
				return err
			}
			if err := c.GenerateCode(ctx, CodeProvider, visitor.Login, "auth"); err != nil {
				return err
			}
			fresh, err := env.MailCode(ctx, visitor.Login)
			if err != nil {
				return err
			}
			byCode := client.AuthRequest{AuthData: []client.AuthData{{Marker: t.LoginMarker, Value: visitor.Login}}, Code: fresh}
			if _, err := c.Auth(ctx, CodeProvider, byCode); err != nil {
				return err
			}
			return refusedFresh(env, "a second sign-in with the same code", http.StatusUnauthorized, func(c *client.Client) error {
				_, err := c.Auth(ctx, CodeProvider, byCode)
				return err
			})
		}},
	)
}

// CodeResendWait is how far a flow moves the clock to ask for another code: past the 30 s
// within which a new code is refused.
const CodeResendWait = 31 * time.Second

// newVisitorLogin is a fresh e-mail login, so a flow's visitor never collides with an earlier
// run's on a shared sandbox. The example.test domain marks it as a placeholder value that
// drift reports do not compare.
func newVisitorLogin(prefix string) string {
	return prefix + "-" + randomHex(6) + "@example.test"
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}
