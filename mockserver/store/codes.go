package store

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// oneTimeCode is a code sent by e-mail for an event (registration, password reset).
type oneTimeCode struct {
	code    string
	expires time.Time
}

func (c *oneTimeCode) clone() oneTimeCode { return *c }

type codeKey struct {
	userID int
	event  string
}

// The limits of the code path under CodeLimits; both answer 429 and count per user, across
// sign-in, check-code, activation and password change.
const (
	// CodeResendInterval is how long after a code is sent a new one is refused (the code
	// already sent stays valid).
	CodeResendInterval = 30 * time.Second
	// MaxWrongCodes is the wrong try that destroys the user's codes: the right one then fails too.
	MaxWrongCodes = 5
)

// codeLimit is what the limits remember of a user: whether and when their last code was sent
// and how many wrong codes they have tried since. sent says whether: the zero sentAt is an
// instant the clock can show.
type codeLimit struct {
	sent   bool
	sentAt time.Time
	wrong  int
}

// SignUpEvent is the event identifier of the code a code provider sends on sign-up.
const SignUpEvent = "signup"

// OneTimeCode is a generated one-time code and where it must be sent.
type OneTimeCode struct {
	Code   string
	Email  string
	UserID int
	Event  string
}

// providerSetting reads a numeric setting of a provider's config ("systemCodeLength": "6").
func providerSetting(p *AuthProvider, key string, def int) int {
	var cfg map[string]json.RawMessage
	if json.Unmarshal(p.Config, &cfg) != nil {
		return def
	}
	raw, ok := cfg[key]
	if !ok {
		return def
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		s = string(raw)
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n <= 0 {
		return def
	}
	return n
}

// GenerateCode makes a fresh one-time code for the user and event, replacing any earlier one.
// Its length and lifetime come from the provider's systemCodeLength and systemCodeTlsSec.
func (s *Store) GenerateCode(ctx context.Context, providerMarker, login, event string) (OneTimeCode, error) {
	if event == "" && s.opts.LiveAuthBodies {
		return OneTimeCode{}, Invalid("eventIdentifier should not be empty")
	}
	if err := checkEventIdentifier(event); err != nil {
		return OneTimeCode{}, err
	}
	provider, err := s.AuthProvider(providerMarker)
	if err != nil {
		return OneTimeCode{}, err
	}
	length, ttl := codeSettings(provider)
	return updated(ctx, s, func() (OneTimeCode, error) {
		return s.generateCodeLocked(provider, login, event, length, ttl)
	})
}

func (s *Store) generateCodeLocked(provider *AuthProvider, login, event string, length int, ttl time.Duration) (OneTimeCode, error) {
	id, ok := s.codeHolderLocked(provider, login)
	if !ok {
		return OneTimeCode{}, Errorf(CodeNotFound, "User %s not found", login)
	}
	return s.issueCodeLocked(s.state.users[id], event, length, ttl)
}

// codeHolderLocked finds the user a code route names. A removed account is an unknown login
// here as at sign-in, so the code routes neither mail it nor tell that it existed.
func (s *Store) codeHolderLocked(provider *AuthProvider, login string) (int, bool) {
	id, ok := s.state.userByLogin[loginKey(provider.Identifier, login)]
	if !ok || s.state.users[id].removed() {
		return 0, false
	}
	return id, true
}

// notEmpty refuses the named fields that are empty, before a code is looked at: a request
// without a code is malformed, not a wrong guess, and must not count against the real one.
func notEmpty(fields ...[2]string) error {
	var missing []string
	for _, f := range fields {
		if f[1] == "" {
			missing = append(missing, f[0]+" should not be empty")
		}
	}
	if len(missing) > 0 {
		return Invalid(missing...)
	}
	return nil
}

// codeSettings are the length and lifetime of a provider's codes: systemCodeLength and
// systemCodeTlsSec.
func codeSettings(p *AuthProvider) (int, time.Duration) {
	return min(providerSetting(p, "systemCodeLength", 6), 12), time.Duration(providerSetting(p, "systemCodeTlsSec", 120)) * time.Second
}

// issueCodeLocked makes the user's new code for event, refusing it inside the resend interval.
func (s *Store) issueCodeLocked(user *User, event string, length int, ttl time.Duration) (OneTimeCode, error) {
	id := user.ID
	now := s.clock.Now()
	lim := s.codeLimitLocked(id)
	// A code sent "after" now was sent before the clock was moved back; it holds nothing back,
	// or moving the clock back would lock codes out for the length of the jump.
	if lim != nil && lim.sent {
		if elapsed := now.Sub(lim.sentAt); elapsed >= 0 && elapsed < CodeResendInterval {
			wait := (CodeResendInterval - elapsed + time.Second - 1) / time.Second
			return OneTimeCode{}, Errorf(CodeTooMany, "A new code can be requested in %d seconds", wait)
		}
	}
	// The code goes by e-mail only: refuse before a code is stored that could never arrive (a
	// login that is no address, from a form without an e-mail validator or a state document,
	// and no notificationData.email), rather than answer as if it had been sent.
	email := user.Email()
	if email == "" {
		return OneTimeCode{}, Invalid("userIdentifier must be a single e-mail address, or the user's notificationData.email must be")
	}
	digits := make([]byte, length)
	for i := range digits {
		n, _ := rand.Int(rand.Reader, big.NewInt(10))
		digits[i] = byte('0' + n.Int64())
	}
	code := string(digits)
	k := codeKey{id, event}
	if _, ok := s.state.codes[k]; !ok {
		s.dropOldestCodeLocked(id)
	}
	s.touchCode(k)
	s.state.codes[k] = &oneTimeCode{code: code, expires: after(now, ttl)}
	if lim != nil {
		*lim = codeLimit{sent: true, sentAt: now}
	}
	return OneTimeCode{Code: code, Email: email, UserID: id, Event: event}, nil
}

// codeLimitLocked returns what the limits remember of the user, or nil without CodeLimits.
func (s *Store) codeLimitLocked(userID int) *codeLimit {
	if !s.opts.CodeLimits {
		return nil
	}
	if s.state.codeLimits == nil {
		s.state.codeLimits = map[int]*codeLimit{}
	}
	lim, ok := s.state.codeLimits[userID]
	if !ok {
		lim = &codeLimit{}
		s.state.codeLimits[userID] = lim
	}
	return lim
}

// wrongCodeLocked counts a wrong code of the user and returns the error to answer: wrong
// itself, or at the MaxWrongCodes-th try a 429, the user's codes destroyed.
func (s *Store) wrongCodeLocked(userID int, wrong error) error {
	lim := s.codeLimitLocked(userID)
	if lim == nil {
		return wrong
	}
	lim.wrong++
	if lim.wrong < MaxWrongCodes {
		return wrong
	}
	lim.wrong = 0
	for k := range s.state.codes {
		if k.userID == userID {
			s.touchCode(k)
			delete(s.state.codes, k)
		}
	}
	return Errorf(CodeTooMany, "Too many wrong codes: the code is destroyed, request a new one")
}

// spendAnyCodeLocked spends the user's code of any event that equals code; a wrong code is
// counted and answered with wrong (or the 429 of the limit).
func (s *Store) spendAnyCodeLocked(userID int, code string, wrong error) error {
	if code != "" {
		for k := range s.state.codes {
			if k.userID == userID && s.useCodeLocked(userID, k.event, code, true) {
				if lim := s.codeLimitLocked(userID); lim != nil {
					lim.wrong = 0
				}
				return nil
			}
		}
	}
	return s.wrongCodeLocked(userID, wrong)
}

// dropOldestCodeLocked makes room for one more code of the user: at MaxCodesPerUser, the code
// that expires first (the oldest one) goes.
func (s *Store) dropOldestCodeLocked(userID int) {
	var (
		n      int
		oldest codeKey
		first  time.Time
	)
	for k, c := range s.state.codes {
		if k.userID != userID {
			continue
		}
		n++
		if n == 1 || c.expires.Before(first) || (c.expires.Equal(first) && k.event < oldest.event) {
			oldest, first = k, c.expires
		}
	}
	if n >= MaxCodesPerUser {
		s.touchCode(oldest)
		delete(s.state.codes, oldest)
	}
}

// useCodeLocked checks a code; a correct one is spent.
func (s *Store) useCodeLocked(userID int, event, code string, spend bool) bool {
	k := codeKey{userID, event}
	c, ok := s.state.codes[k]
	if !ok || !s.clock.Now().Before(c.expires) || subtle.ConstantTimeCompare([]byte(c.code), []byte(code)) != 1 {
		return false
	}
	if spend {
		s.touchCode(k)
		delete(s.state.codes, k)
	}
	return true
}

// CheckCode reports whether code is the user's current code for the event, without spending it.
func (s *Store) CheckCode(ctx context.Context, providerMarker, login, event, code string) (bool, error) {
	if err := notEmpty([2]string{"userIdentifier", login}, [2]string{"code", code}); err != nil {
		return false, err
	}
	if event == "" && s.opts.LiveAuthBodies {
		return false, Invalid("eventIdentifier should not be empty")
	}
	if err := checkEventIdentifier(event); err != nil {
		return false, err
	}
	provider, err := s.AuthProvider(providerMarker)
	if err != nil {
		return false, err
	}
	return swapped(ctx, s, func() (bool, error) {
		id, ok := s.codeHolderLocked(provider, login)
		if !ok {
			return false, Errorf(CodeNotFound, "User %s not found", login)
		}
		if !s.useCodeLocked(id, event, code, false) {
			return false, s.wrongCodeLocked(id, nil)
		}
		return true, nil
	})
}

// Activate activates a user with the code of any event sent to them; the code is spent.
// A wrong or reused code answers 401, as the live API does for reused codes.
func (s *Store) Activate(ctx context.Context, providerMarker, login, code string) error {
	if err := notEmpty([2]string{"userIdentifier", login}, [2]string{"code", code}); err != nil {
		return err
	}
	provider, err := s.AuthProvider(providerMarker)
	if err != nil {
		return err
	}
	return s.update(ctx, func() ([]Event, error) {
		id, ok := s.codeHolderLocked(provider, login)
		if !ok {
			return nil, Errorf(CodeNotFound, "User %s not found", login)
		}
		if err := s.spendAnyCodeLocked(id, code, Errorf(CodeUnauthorized, "Invalid or used code")); err != nil {
			return nil, err
		}
		s.touchUser(id)
		s.state.users[id].IsActive = true
		return nil, nil
	})
}

// ChangePasswordInput is a password reset: the user's code (of any event) and the new password
// twice. Event names the notification of the change; nothing checks it, as on the live API.
type ChangePasswordInput struct {
	ProviderMarker string
	Login          string
	Event          string
	Code           string
	Password1      string
	Password2      string
}

// ChangePassword sets a new password with a code sent to the user; the code is spent and every
// session of the user with the provider ends, so the old password and tokens stop working.
func (s *Store) ChangePassword(ctx context.Context, in ChangePasswordInput) error {
	provider, err := s.AuthProvider(in.ProviderMarker)
	if err != nil {
		return err
	}
	if err := notEmpty([2]string{"userIdentifier", in.Login}, [2]string{"code", in.Code}, [2]string{"password1", in.Password1}, [2]string{"password2", in.Password2}); err != nil {
		return err
	}
	if in.Password1 != in.Password2 {
		return Invalid("password1 and password2 must be equal")
	}
	if err := checkEventIdentifier(in.Event); err != nil {
		return err
	}
	return s.update(ctx, func() ([]Event, error) {
		id, ok := s.codeHolderLocked(provider, in.Login)
		if !ok {
			return nil, Errorf(CodeInvalid, "User %s not found", in.Login)
		}
		if err := s.spendAnyCodeLocked(id, in.Code, Errorf(CodeInvalid, "Invalid or expired code")); err != nil {
			return nil, err
		}
		s.touchUser(id)
		user := s.state.users[id]
		user.password = in.Password1
		user.UpdatedDate = s.clock.Now()
		user.tokenCut = tokenCut{set: true, before: user.UpdatedDate.Unix()}
		for _, sess := range s.state.sessionsByUser[id] {
			if sess.AuthProviderIdentifier == provider.Identifier {
				s.endSessionLocked(sess)
			}
		}
		return nil, nil
	})
}
