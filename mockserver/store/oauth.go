package store

import (
	"context"
	"encoding/json"
	"time"
)

// OAuthCodeTTL is how long an authorization code of the simulated OAuth network stays valid
// on the mock clock: real networks issue short-lived codes.
const OAuthCodeTTL = 10 * time.Minute

// oauthGrant is an authorization code the simulated network issued: who consented, for which
// provider and redirect address, until when.
type oauthGrant struct {
	provider    string
	email       string
	redirectURI string
	expires     time.Time
	// issued orders the grants by issue: the clock cannot, as a frozen clock issues them all
	// at one instant and a clock moved back issues later grants at earlier times.
	issued uint64
}

// OAuthGrantInput is a consent given on the simulated network's page (or by an admin call).
type OAuthGrantInput struct {
	ProviderMarker string
	Email          string
	// RedirectURI, when set, must be sent again with the code, as OAuth 2 requires.
	RedirectURI string
}

// GrantOAuthCode issues a single-use authorization code for the e-mail address, as a social
// network's consent screen would, to be exchanged by OAuthSignIn.
func (s *Store) GrantOAuthCode(ctx context.Context, in OAuthGrantInput) (string, error) {
	provider, err := s.AuthProvider(in.ProviderMarker)
	if err != nil {
		return "", err
	}
	if !singleAddress(in.Email) {
		return "", Invalid("email must be a single e-mail address")
	}
	if len(in.RedirectURI) > MaxRedirectURIBytes {
		return "", Invalid("redirect_uri is too long")
	}
	code := randomUUID()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state.oauthGrants == nil {
		s.state.oauthGrants = map[string]oauthGrant{}
	}
	if len(s.state.oauthGrants) >= MaxOAuthGrants {
		var oldest string
		for c, g := range s.state.oauthGrants {
			if oldest == "" || g.issued < s.state.oauthGrants[oldest].issued {
				oldest = c
			}
		}
		delete(s.state.oauthGrants, oldest)
	}
	s.state.oauthIssued++
	s.state.oauthGrants[code] = oauthGrant{provider: provider.Identifier, email: in.Email, redirectURI: in.RedirectURI, expires: after(s.clock.Now(), OAuthCodeTTL), issued: s.state.oauthIssued}
	return code, nil
}

// OAuthInput is the body of an OAuth sign-in: the authorization code and the redirect address
// it was issued for.
type OAuthInput struct {
	ProviderMarker string
	Code           string
	GrantType      string
	RedirectURI    string
}

// OAuthSignIn exchanges an authorization code for a session. The person is the e-mail address
// they consented with; a first sign-in registers them, active, with no password.
func (s *Store) OAuthSignIn(ctx context.Context, in OAuthInput, device DeviceInfo) (Tokens, error) {
	provider, err := s.AuthProvider(in.ProviderMarker)
	if err != nil {
		return Tokens{}, err
	}
	if !provider.IsActive {
		return Tokens{}, Errorf(CodeForbidden, "Auth provider %q is not active", in.ProviderMarker)
	}
	if in.Code == "" {
		return Tokens{}, Invalid("code should not be empty")
	}
	if in.GrantType != "" && in.GrantType != "authorization_code" {
		return Tokens{}, Invalid("grant_type must be authorization_code")
	}
	if err := checkDevice(device); err != nil {
		return Tokens{}, err
	}
	return updated(ctx, s, func() (Tokens, error) {
		g, ok := s.state.oauthGrants[in.Code]
		if !ok || g.provider != provider.Identifier || !s.clock.Now().Before(g.expires) {
			return Tokens{}, Errorf(CodeInvalid, "The authorization code was already used or has expired")
		}
		if g.redirectURI != "" && g.redirectURI != in.RedirectURI {
			return Tokens{}, Errorf(CodeInvalid, "The authorization code was issued for a different redirect_uri")
		}
		id, ok := s.state.userByLogin[loginKey(provider.Identifier, g.email)]
		user := s.state.users[id]
		if ok && user.removed() {
			// Refused as the password sign-in refuses it; the login stays taken, so it cannot
			// register again either.
			return Tokens{}, Errorf(CodeUnauthorized, "Invalid login or password")
		}
		if ok && !user.IsActive {
			// Not yet activated, or turned off by the project: the other sign-ins refuse it too.
			return Tokens{}, Errorf(CodeUnauthorized, "User is not activated")
		}
		delete(s.state.oauthGrants, in.Code)
		if !ok {
			// The session's id is checked first, so a sign-up is not kept for a session that
			// cannot open.
			if err := checkIDLeft(s.state.nextAuthSession, "session"); err != nil {
				return Tokens{}, err
			}
			var err error
			// Registered with the provider's form, as a sign-up that names none is, so that the
			// user's form data is checked and updates name the form the SDK's examples name.
			user, err = s.signUpLocked(provider, SignUpInput{FormIdentifier: provider.FormIdentifier, NotificationData: notificationEmail(g.email)}, g.email, "")
			if err != nil {
				return Tokens{}, err
			}
			user.IsActive = true
		}
		return s.openSessionLocked(provider, user, device)
	})
}

func notificationEmail(email string) json.RawMessage {
	b, _ := json.Marshal(map[string]string{"email": email}) // a map of strings always marshals
	return b
}
