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

type codeKey struct {
	userID int
	event  string
}

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
	if err := checkEventIdentifier(event); err != nil {
		return OneTimeCode{}, err
	}
	provider, err := s.AuthProvider(providerMarker)
	if err != nil {
		return OneTimeCode{}, err
	}
	length := min(providerSetting(provider, "systemCodeLength", 6), 12)
	ttl := time.Duration(providerSetting(provider, "systemCodeTlsSec", 120)) * time.Second
	var out OneTimeCode
	err = s.update(ctx, func() ([]Event, error) {
		var err error
		out, err = s.generateCodeLocked(provider, login, event, length, ttl)
		return nil, err
	})
	if err != nil {
		return OneTimeCode{}, err
	}
	return out, nil
}

func (s *Store) generateCodeLocked(provider *AuthProvider, login, event string, length int, ttl time.Duration) (OneTimeCode, error) {
	id, ok := s.state.userByLogin[loginKey(provider.Identifier, login)]
	if !ok {
		return OneTimeCode{}, Errorf(CodeNotFound, "User %s not found", login)
	}
	user := s.state.users[id]
	email := user.Identifier
	if !strings.Contains(email, "@") {
		var nd struct {
			Email string `json:"email"`
		}
		_ = json.Unmarshal(user.NotificationData, &nd)
		email = nd.Email
	}
	// A user restored from a state document may carry a login no e-mail can go to; refuse
	// before a code is stored rather than fail building the e-mail.
	if email != "" && !singleAddress(email) {
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
	s.state.codes[k] = oneTimeCode{code: code, expires: s.clock.Now().Add(ttl)}
	return OneTimeCode{Code: code, Email: email, UserID: id, Event: event}, nil
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
	provider, err := s.AuthProvider(providerMarker)
	if err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.state.userByLogin[loginKey(provider.Identifier, login)]
	if !ok {
		return false, Errorf(CodeNotFound, "User %s not found", login)
	}
	return s.useCodeLocked(id, event, code, false), nil
}

// Activate activates a user with the code of any event sent to them; the code is spent.
// A wrong or reused code answers 401, as the live API does for reused codes.
func (s *Store) Activate(ctx context.Context, providerMarker, login, code string) error {
	provider, err := s.AuthProvider(providerMarker)
	if err != nil {
		return err
	}
	return s.update(ctx, func() ([]Event, error) {
		id, ok := s.state.userByLogin[loginKey(provider.Identifier, login)]
		if !ok {
			return nil, Errorf(CodeNotFound, "User %s not found", login)
		}
		for k := range s.state.codes {
			if k.userID == id && s.useCodeLocked(id, k.event, code, true) {
				s.touchUser(id)
				s.state.users[id].IsActive = true
				return nil, nil
			}
		}
		return nil, Errorf(CodeUnauthorized, "Invalid or used code")
	})
}
