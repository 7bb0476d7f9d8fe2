package store

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// User is a registered user of the project.
type User struct {
	ID                     int
	AuthProviderIdentifier string
	Identifier             string
	FormIdentifier         string
	FormData               []FormDataItem
	Groups                 []int
	State                  json.RawMessage
	IsActive               bool
	Language               string
	NotificationData       json.RawMessage
	CreatedDate            time.Time
	UpdatedDate            time.Time
	AccountState

	password string
	tokenCut tokenCut // in memory only
}

// Email is the address the mock mails the user at (codes, tickets): the login when it has an
// @, else notificationData.email. It is "" when that is not one bare address, as for a phone
// login without a notification e-mail, so that nothing is sent to it.
func (u User) Email() string {
	email := u.Identifier
	if !strings.Contains(email, "@") {
		var nd struct {
			Email string `json:"email"`
		}
		if json.Unmarshal(u.NotificationData, &nd) != nil {
			return ""
		}
		email = nd.Email
	}
	if !singleAddress(email) {
		return ""
	}
	return email
}

// tokenCut refuses the access tokens a password change made stale: those issued (iat) in
// seconds of the mock clock before the change. A token issued after the change while the clock
// stood behind it (moved back since) has such a second too: those are remembered, and pass.
type tokenCut struct {
	set    bool
	before int64
	late   []string // the newest maxLateTokens
}

// maxLateTokens bounds the tokens a user is issued behind a password change and kept open.
const maxLateTokens = 64

func (c *tokenCut) refuses(iat int64, token string) bool {
	return c.set && iat < c.before && !slices.Contains(c.late, token)
}

// issued notes a token issued at iat.
func (c *tokenCut) issued(iat int64, token string) {
	if c.set && iat < c.before {
		c.late = append(c.late, token)
		if len(c.late) > maxLateTokens {
			c.late = slices.Delete(c.late, 0, 1)
		}
	}
}

func (u *User) clone() User {
	c := *u
	c.tokenCut.late = slices.Clone(u.tokenCut.late)
	c.FormData = slices.Clone(u.FormData)
	c.Groups = slices.Clone(u.Groups)
	c.State = slices.Clone(u.State)
	c.NotificationData = slices.Clone(u.NotificationData)
	c.AccountState = u.AccountState.clone()
	return c
}

// DeviceInfo describes the device of a login, from the `x-device-metadata` header.
type DeviceInfo struct {
	OS       string `json:"os"`
	Browser  string `json:"browser"`
	Location string `json:"location"`
}

// Tokens is the answer to a successful login or refresh.
type Tokens struct {
	UserIdentifier         string
	AuthProviderIdentifier string
	AccessToken            string
	RefreshToken           string
}

// authSession is one login: it survives refreshes (its refresh token rotates) and ends at logout.
// It is its record of the state document, converted by type like a payment session, so a field
// added to one of the two without the other does not compile.
type authSession AuthSessionRecord

// clone copies a session; its fields are all values.
func (a *authSession) clone() authSession { return *a }

func loginKey(provider, identifier string) string {
	return provider + "\x00" + strings.ToLower(identifier)
}

// Credentials are the values of the authData entries of a login request, and its one-time code.
type Credentials struct {
	Values map[string]string // authData marker → value
	Code   string
}

// CodeMarker is the authData marker that carries a one-time code, besides the body's `code`.
const CodeMarker = "code"

// code is the one-time code of a login on a provider that checks codes: a non-empty code
// switches the login to the code path.
func (c Credentials) code(p *AuthProvider) string {
	if !p.IsCheckCode {
		return ""
	}
	if c.Code != "" {
		return c.Code
	}
	return c.Values[CodeMarker]
}

// AuthProvider returns the provider with the given identifier or a not-found error.
func (s *Store) AuthProvider(marker string) (*AuthProvider, error) {
	return foundByMarker(s.fx.AuthProvider, "Auth provider", marker)
}

// Authenticate logs a user in with the provider's login and password markers and opens a session.
func (s *Store) Authenticate(ctx context.Context, providerMarker string, creds Credentials, device DeviceInfo) (Tokens, error) {
	provider, err := s.AuthProvider(providerMarker)
	if err != nil {
		return Tokens{}, err
	}
	if !provider.IsActive {
		return Tokens{}, Errorf(CodeForbidden, "Auth provider %q is not active", providerMarker)
	}
	code := creds.code(provider)
	login, hasLogin := creds.Values[provider.LoginMarker]
	password, hasPassword := creds.Values[provider.PasswordMarker]
	var missing []string
	if !hasLogin || login == "" {
		missing = append(missing, "required values are missing or incorrect: "+provider.LoginMarker)
	}
	if code == "" && (!hasPassword || password == "") {
		missing = append(missing, "required values are missing or incorrect: "+provider.PasswordMarker)
	}
	if len(missing) > 0 {
		return Tokens{}, Invalid(missing...)
	}
	if err := checkDevice(device); err != nil {
		return Tokens{}, err
	}

	return updated(ctx, s, func() (Tokens, error) {
		id, ok := s.state.userByLogin[loginKey(provider.Identifier, login)]
		user := s.state.users[id]
		ok = ok && !user.removed() // a removed account signs in as an unknown login
		if code != "" {
			if !ok {
				return Tokens{}, Errorf(CodeUnauthorized, "Invalid login or code")
			}
			if !user.IsActive { // before the code is spent: activation needs it
				return Tokens{}, Errorf(CodeUnauthorized, "User is not activated")
			}
			if err := s.spendAnyCodeLocked(id, code, Errorf(CodeUnauthorized, "Invalid login or code")); err != nil {
				return Tokens{}, err
			}
		} else {
			// Compare a password even for an unknown login so both failures cost the same.
			stored := "\x00"
			if ok {
				stored = user.password
			}
			if subtle.ConstantTimeCompare([]byte(stored), []byte(password)) != 1 || !ok || user.password == "" {
				return Tokens{}, Errorf(CodeUnauthorized, "Invalid login or password")
			}
		}
		if !user.IsActive {
			return Tokens{}, Errorf(CodeUnauthorized, "User is not activated")
		}
		return s.openSessionLocked(provider, user, device)
	})
}

// openSessionLocked opens a session of the user with the provider on the device.
func (s *Store) openSessionLocked(provider *AuthProvider, user *User, device DeviceInfo) (Tokens, error) {
	if err := checkIDLeft(s.state.nextAuthSession, "session"); err != nil {
		return Tokens{}, err
	}
	s.dropOldestSessionLocked(user.ID, provider.Identifier)
	sess := &authSession{
		ID:                     s.state.nextAuthSession,
		UserID:                 user.ID,
		AuthProviderIdentifier: provider.Identifier,
		Device:                 device,
	}
	s.touchSession(sess.ID)
	s.state.nextAuthSession++
	s.state.authSessions[sess.ID] = sess
	s.state.addUserSession(sess)
	return s.issueLocked(sess, user, s.clock.Now()), nil
}

func (st *state) addUserSession(sess *authSession) {
	byID := st.sessionsByUser[sess.UserID]
	if byID == nil {
		byID = map[int]*authSession{}
		st.sessionsByUser[sess.UserID] = byID
	}
	byID[sess.ID] = sess
}

// issueLocked gives sess a fresh token pair; the previous refresh token stops working.
func (s *Store) issueLocked(sess *authSession, user *User, now time.Time) Tokens {
	s.touchSession(sess.ID)
	if sess.RefreshToken != "" {
		delete(s.state.sessionByRefresh, sess.RefreshToken)
	}
	sess.RefreshToken = refreshTokenFor(now, s.newToken())
	sess.RefreshExpires = after(now, s.refreshTokenTTL)
	s.state.sessionByRefresh[sess.RefreshToken] = sess.ID
	access := signJWT(s.secret, Claims{
		ID:                     user.ID,
		AuthProviderIdentifier: sess.AuthProviderIdentifier,
		UserIdentifier:         user.Identifier,
		IssuedAt:               now.Unix(),
		ExpiresAt:              now.Add(s.accessTokenTTL).Unix(),
	})
	user.tokenCut.issued(now.Unix(), access)
	return Tokens{
		UserIdentifier:         user.Identifier,
		AuthProviderIdentifier: sess.AuthProviderIdentifier,
		AccessToken:            access,
		RefreshToken:           sess.RefreshToken,
	}
}

// Refresh exchanges a refresh token for a new pair. Each refresh token works once.
func (s *Store) Refresh(ctx context.Context, providerMarker, refreshToken string) (Tokens, error) {
	if _, err := s.AuthProvider(providerMarker); err != nil {
		return Tokens{}, err
	}
	if refreshToken == "" {
		return Tokens{}, Errorf(CodeUnauthorized, "Refresh token is required")
	}
	return swapped(ctx, s, func() (Tokens, error) {
		id, ok := s.state.sessionByRefresh[refreshToken]
		sess := s.state.authSessions[id]
		if !ok || sess == nil || sess.AuthProviderIdentifier != providerMarker {
			return Tokens{}, Errorf(CodeUnauthorized, "Invalid refresh token")
		}
		now := s.clock.Now()
		if !now.Before(sess.RefreshExpires) {
			s.endSessionLocked(sess)
			return Tokens{}, Errorf(CodeUnauthorized, "Refresh token expired")
		}
		user := s.state.users[sess.UserID]
		if user == nil || user.removed() {
			s.endSessionLocked(sess)
			return Tokens{}, Errorf(CodeUnauthorized, "Invalid refresh token")
		}
		return s.issueLocked(sess, user, now), nil
	})
}

// dropOldestSessionLocked makes room for one more session of the user with the provider: at
// MaxSessionsPerUser, the oldest session ends.
func (s *Store) dropOldestSessionLocked(userID int, provider string) {
	var (
		n      int
		oldest *authSession
	)
	for _, sess := range s.state.sessionsByUser[userID] {
		if sess.AuthProviderIdentifier != provider {
			continue
		}
		n++
		if oldest == nil || sess.ID < oldest.ID {
			oldest = sess
		}
	}
	if n >= MaxSessionsPerUser {
		s.endSessionLocked(oldest)
	}
}

func (s *Store) endSessionLocked(sess *authSession) {
	s.touchSession(sess.ID)
	delete(s.state.sessionByRefresh, sess.RefreshToken)
	delete(s.state.authSessions, sess.ID)
	if byID := s.state.sessionsByUser[sess.UserID]; byID != nil {
		delete(byID, sess.ID)
		if len(byID) == 0 {
			delete(s.state.sessionsByUser, sess.UserID)
		}
	}
}

// Logout ends the session that owns refreshToken. The user's access tokens stay valid until
// they expire, as stateless JWTs do.
func (s *Store) Logout(ctx context.Context, userID int, providerMarker, refreshToken string) error {
	if _, err := s.AuthProvider(providerMarker); err != nil {
		return err
	}
	return s.remove(ctx, func() ([]Event, error) {
		id, ok := s.state.sessionByRefresh[refreshToken]
		sess := s.state.authSessions[id]
		// A session of another provider is refused as refresh refuses it there.
		if !ok || sess == nil || sess.UserID != userID || sess.AuthProviderIdentifier != providerMarker {
			return nil, Errorf(CodeUnauthorized, "Invalid refresh token")
		}
		s.endSessionLocked(sess)
		return nil, nil
	})
}

// LogoutAll ends every session of the user with the provider.
func (s *Store) LogoutAll(ctx context.Context, userID int, providerMarker string) error {
	if _, err := s.AuthProvider(providerMarker); err != nil {
		return err
	}
	return s.remove(ctx, func() ([]Event, error) {
		for _, sess := range s.state.sessionsByUser[userID] {
			if sess.AuthProviderIdentifier == providerMarker {
				s.endSessionLocked(sess)
			}
		}
		return nil, nil
	})
}

// ActiveSessions lists the devices of the user's open sessions with the provider, oldest first.
func (s *Store) ActiveSessions(ctx context.Context, userID int, providerMarker string) ([]DeviceInfo, error) {
	if _, err := s.AuthProvider(providerMarker); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	var ids []int
	for id, sess := range s.state.sessionsByUser[userID] {
		// A session whose refresh token has expired is over, though it is still held.
		if sess.AuthProviderIdentifier == providerMarker && now.Before(sess.RefreshExpires) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	out := make([]DeviceInfo, 0, len(ids))
	for _, id := range ids {
		out = append(out, s.state.authSessions[id].Device)
	}
	return out, nil
}

// User returns the user with the given id.
func (s *Store) User(ctx context.Context, id int) (User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u, ok := s.state.users[id]
	if !ok {
		return User{}, Errorf(CodeUnauthorized, "Unauthorized")
	}
	return u.clone(), nil
}

// SignUpInput is a registration request.
type SignUpInput struct {
	ProviderMarker   string
	FormIdentifier   string
	Credentials      Credentials
	Language         string
	FormData         []FormDataItem
	NotificationData json.RawMessage
}

// SignUp registers a user. On a provider that checks codes the user starts inactive, as the
// live API answers `isActive: false` until the code is confirmed, and the first code is made
// (returned for the e-mail, never for the answer); the password is optional there, since such
// a user signs in by code. Otherwise they can log in at once.
func (s *Store) SignUp(ctx context.Context, in SignUpInput) (User, OneTimeCode, error) {
	provider, err := s.AuthProvider(in.ProviderMarker)
	if err != nil {
		return User{}, OneTimeCode{}, err
	}
	// Without formIdentifier the provider's form is the user's; a form named is honoured.
	if in.FormIdentifier == "" {
		in.FormIdentifier = provider.FormIdentifier
	} else if _, ok := s.fx.Form(in.FormIdentifier); !ok {
		return User{}, OneTimeCode{}, Invalid("formIdentifier: there is no form " + in.FormIdentifier)
	}
	login := in.Credentials.Values[provider.LoginMarker]
	password := in.Credentials.Values[provider.PasswordMarker]
	var missing []string
	if strings.TrimSpace(login) == "" {
		missing = append(missing, requiredMessage(provider.LoginMarker))
	}
	// Blank, as the form's required check counts a text of only spaces.
	if strings.TrimSpace(password) == "" && !provider.IsCheckCode {
		missing = append(missing, requiredMessage(provider.PasswordMarker))
	}
	if len(missing) > 0 {
		return User{}, OneTimeCode{}, Invalid(missing...)
	}
	if in.Language != "" {
		if err := s.fx.CheckLocale("langCode", in.Language); err != nil {
			return User{}, OneTimeCode{}, err
		}
	}
	form, _ := s.fx.Form(in.FormIdentifier)
	if err := checkLogin(provider, form, login, in.NotificationData, s.opts.LiveAuthBodies); err != nil {
		return User{}, OneTimeCode{}, err
	}
	if form != nil {
		if err := checkFormData(form, in.FormData, in.Credentials.Values); err != nil {
			return User{}, OneTimeCode{}, err
		}
	}
	var (
		out  User
		code OneTimeCode
	)
	err = s.update(ctx, func() ([]Event, error) {
		user, err := s.signUpLocked(provider, in, login, password)
		if err != nil {
			return nil, err
		}
		if provider.IsCheckCode {
			length, ttl := codeSettings(provider)
			if code, err = s.issueCodeLocked(user, SignUpEvent, length, ttl); err != nil {
				s.rollbackSignUpLocked(user)
				return nil, err
			}
		}
		out = user.clone()
		return nil, nil
	})
	if err != nil {
		return User{}, OneTimeCode{}, err
	}
	return out, code, nil
}

// rollbackSignUpLocked forgets a user signUpLocked just added, so a failed sign-up changes
// nothing.
func (s *Store) rollbackSignUpLocked(u *User) {
	delete(s.state.userByLogin, loginKey(u.AuthProviderIdentifier, u.Identifier))
	delete(s.state.users, u.ID)
	s.state.nextUserID--
}

// checkLogin refuses what the code e-mail could not be sent to: a login that looks like an
// e-mail address must be exactly one bare address ("a@b.c, d@e.f" and "Name <a@b.c>" are not),
// and so must notificationData.email when it is given (checkNotificationData). A login field
// of form with an e-mail validator takes nothing else, as a submission of that field would not.
func checkLogin(provider *AuthProvider, form *Form, login string, notification json.RawMessage, emailOnly bool) error {
	if strings.Contains(login, "@") && !singleAddress(login) {
		return Invalid(provider.LoginMarker + " must be a single e-mail address")
	}
	if form != nil {
		if attr, ok := form.Attribute(provider.LoginMarker); ok && attr.rules.email && !singleAddress(login) {
			return Invalid(provider.LoginMarker + " must be an e-mail address")
		}
	}
	return checkNotificationData(notification, emailOnly)
}

// checkNotificationData refuses a notificationData.email that is not one bare e-mail address.
// With emailOnly, as today's API, a phone value is refused too, an empty string included (an
// SDK's empty `phonePush: []` passes).
func checkNotificationData(notification json.RawMessage, emailOnly bool) error {
	var nd struct {
		Email     any             `json:"email"`
		PhonePush json.RawMessage `json:"phonePush"`
		PhoneSMS  json.RawMessage `json:"phoneSMS"`
	}
	if len(notification) == 0 || json.Unmarshal(notification, &nd) != nil {
		return nil
	}
	if email, ok := nd.Email.(string); ok && email != "" && !singleAddress(email) {
		return Invalid("notificationData.email must be a single e-mail address")
	}
	if !emailOnly {
		return nil
	}
	if _, isList := nd.Email.([]any); isList {
		return Invalid("notificationData.email must be a string")
	}
	for _, f := range [...]struct {
		name  string
		value json.RawMessage
	}{{"phonePush", nd.PhonePush}, {"phoneSMS", nd.PhoneSMS}} {
		switch strings.TrimSpace(string(f.value)) {
		case "", "null", "[]": // left out, or the SDK's empty list
		default: // an empty string too, which SDK 1.0.149 drops from phoneSMS before sending
			return Invalid("notificationData." + f.name + " is not allowed: notifications go to email only")
		}
	}
	return nil
}

func (s *Store) signUpLocked(provider *AuthProvider, in SignUpInput, login, password string) (*User, error) {
	if err := checkIDLeft(s.state.nextUserID, "user"); err != nil {
		return nil, err
	}
	key := loginKey(provider.Identifier, login)
	if _, taken := s.state.userByLogin[key]; taken {
		return nil, Invalid("User with identifier " + login + " already exists")
	}
	now := s.clock.Now()
	lang := in.Language
	if lang == "" {
		lang = s.fx.Project.DefaultLanguage
	}
	notification := in.NotificationData
	if len(notification) == 0 {
		notification = json.RawMessage(`{}`)
	}
	user := &User{
		ID:                     s.state.nextUserID,
		AuthProviderIdentifier: provider.Identifier,
		Identifier:             login,
		FormIdentifier:         in.FormIdentifier,
		FormData:               slices.Clone(in.FormData),
		Groups:                 []int{},
		State:                  json.RawMessage(`{}`),
		IsActive:               !provider.IsCheckCode,
		Language:               lang,
		NotificationData:       slices.Clone(notification),
		CreatedDate:            now,
		UpdatedDate:            now,
		password:               password,
	}
	s.touchUser(user.ID)
	s.state.nextUserID++
	s.state.users[user.ID] = user
	s.state.userByLogin[key] = user.ID
	return user, nil
}
