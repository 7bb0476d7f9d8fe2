package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Claims are the claims of a user access token, exactly those the live API puts in its JWTs.
type Claims struct {
	ID                     int    `json:"id"`
	AuthProviderIdentifier string `json:"authProviderIdentifier"`
	UserIdentifier         string `json:"userIdentifier"`
	IssuedAt               int64  `json:"iat"`
	ExpiresAt              int64  `json:"exp"`
}

// Login names a person as a token does: the user id and what they signed in with. After a
// reset or an import the same id may be another person, with another login.
type Login struct {
	ID                     int
	AuthProviderIdentifier string
	UserIdentifier         string
}

// Login is who the claims were issued to.
func (c Claims) Login() Login {
	return Login{ID: c.ID, AuthProviderIdentifier: c.AuthProviderIdentifier, UserIdentifier: c.UserIdentifier}
}

// LoginOf is the login of user id, false when the store has no such user or it was removed.
func (s *Store) LoginOf(id int) (Login, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	user, ok := s.state.users[id]
	if !ok || user.removed() {
		return Login{}, false
	}
	return user.login(), true
}

// activeUserLocked answers 401 unless id is a user who can still act. A request verifies its
// token before it takes the store's lock: a reset, an import or the account's removal may
// come in between, and a write for the user it named would then belong to nobody (and, once
// ids start over, to the next user given that id).
func (s *Store) activeUserLocked(id int) error {
	if user, ok := s.state.users[id]; !ok || user.removed() {
		return Errorf(CodeUnauthorized, "Unauthorized")
	}
	return nil
}

// The only header the mock issues and accepts; comparing it byte for byte rules out
// algorithm-confusion tokens ("alg":"none", RS256 keys used as HMAC secrets).
var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

var errBadToken = errors.New("malformed token")

// signJWT returns an HS256 JWT for claims.
func signJWT(secret []byte, claims Claims) string {
	payload, _ := json.Marshal(claims) // a struct of strings and numbers always marshals
	var b strings.Builder
	b.Grow(len(jwtHeader) + 1 + base64.RawURLEncoding.EncodedLen(len(payload)) + 1 + 43)
	b.WriteString(jwtHeader)
	b.WriteByte('.')
	b.WriteString(base64.RawURLEncoding.EncodeToString(payload))
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(b.String()))
	b.WriteByte('.')
	b.WriteString(base64.RawURLEncoding.EncodeToString(mac.Sum(nil)))
	return b.String()
}

// parseJWT verifies the signature of token and returns its claims. Expiry is the caller's check.
func parseJWT(secret []byte, token string) (Claims, error) {
	header, rest, ok := strings.Cut(token, ".")
	if !ok || header != jwtHeader {
		return Claims{}, errBadToken
	}
	payload, sig, ok := strings.Cut(rest, ".")
	if !ok || strings.Contains(sig, ".") {
		return Claims{}, errBadToken
	}
	// Strict: jsonwebtoken compares the signature's text, so bits past its last byte count.
	gotSig, err := base64.RawURLEncoding.Strict().DecodeString(sig)
	if err != nil {
		return Claims{}, errBadToken
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(token[:len(header)+1+len(payload)]))
	if subtle.ConstantTimeCompare(gotSig, mac.Sum(nil)) != 1 {
		return Claims{}, errBadToken
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return Claims{}, errBadToken
	}
	var c struct {
		Claims
		// exp is required; 0 is a time (a token of a mock clock set before 1970).
		Exp *int64 `json:"exp"`
	}
	if err := json.Unmarshal(raw, &c); err != nil || c.ID < 1 || c.Exp == nil {
		return Claims{}, errBadToken
	}
	c.ExpiresAt = *c.Exp
	return c.Claims, nil
}

// RandomSecret returns 32 random bytes, hex-encoded, for signing user tokens.
func RandomSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// refreshTokenFor formats a refresh token as the live API does: `<issue time in ms>-<UUID v4>`.
func refreshTokenFor(now time.Time, random string) string {
	return strconv.FormatInt(now.UnixMilli(), 10) + "-" + random
}

// randomUUID returns a random RFC 4122 version 4 UUID.
func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// VerifyAccessToken checks a bearer token: signature, expiry on the mock clock, and that its
// user still exists.
func (s *Store) VerifyAccessToken(ctx context.Context, token string) (Claims, error) {
	claims, err := s.tokenClaims(token)
	if err != nil {
		return Claims{}, Errorf(CodeUnauthorized, "Unauthorized")
	}
	// As jsonwebtoken (the live API's) decides: expired from the first instant of the exp second.
	if s.clock.Now().Unix() >= claims.ExpiresAt {
		return Claims{}, Errorf(CodeUnauthorized, "Unauthorized")
	}
	// The login is compared too: after a reset or an import the same id may be another
	// person, whom a token of the one before must not open.
	s.mu.RLock()
	user, ok := s.state.users[claims.ID]
	ok = ok && user.login() == claims.Login() && !user.tokenCut.refuses(claims.IssuedAt, token) && !user.removed()
	s.mu.RUnlock()
	if !ok {
		return Claims{}, Errorf(CodeUnauthorized, "Unauthorized")
	}
	return claims, nil
}

// verifiedTokensMax bounds the cache of verified signatures; it is emptied when full.
const verifiedTokensMax = 4096

// tokenClaims checks a token's signature once and remembers its claims: a front end sends the
// same bearer on every call, and the HMAC and JSON decoding were a tenth of an order create.
// Expiry and the user's existence are still checked on every call.
func (s *Store) tokenClaims(token string) (Claims, error) {
	if c, ok := s.verified.Load(token); ok {
		return c.(Claims), nil
	}
	claims, err := parseJWT(s.secret, token)
	if err != nil {
		return Claims{}, err
	}
	if s.verifiedCount.Add(1) > verifiedTokensMax {
		s.verified.Clear()
		s.verifiedCount.Store(1)
	}
	s.verified.Store(token, claims)
	return claims, nil
}
