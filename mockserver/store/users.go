package store

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
)

// AccountState is what a user did to their account: archived or deleted it (they can no longer
// sign in; see removed) and the push tokens they registered. It is stored as it is in the state
// document, its fields absent when unset.
type AccountState struct {
	Archived  bool     `json:"archived,omitempty"`
	Deleted   bool     `json:"deleted,omitempty"`
	FCMTokens []string `json:"fcmTokens,omitempty"`
}

func (a AccountState) clone() AccountState {
	a.FCMTokens = slices.Clone(a.FCMTokens)
	return a
}

// removed reports a user who archived or deleted their account: they can no longer sign in,
// refresh or use a token issued before, and their login stays taken, as live keeps it for
// removed users. Their orders stay.
func (u *User) removed() bool { return u.Archived || u.Deleted }

func (u *User) login() Login {
	return Login{ID: u.ID, AuthProviderIdentifier: u.AuthProviderIdentifier, UserIdentifier: u.Identifier}
}

// UserUpdate is the body of PUT /users/me. Nil fields are left as they are; FormData, when
// set, replaces the user's values whole.
type UserUpdate struct {
	FormIdentifier   string
	FormData         []FormDataItem
	HasFormData      bool
	Language         string
	NotificationData json.RawMessage
	State            json.RawMessage
	// Password, when not empty, replaces the password (from authData).
	Password string
}

// MaxFCMTokenBytes bounds a push token; real FCM tokens are about 160 bytes.
const MaxFCMTokenBytes = 4096

// MaxFCMTokensPerUser bounds a user's push tokens, one per device: a further one replaces the
// oldest, as MaxSessionsPerUser does for sessions.
const MaxFCMTokensPerUser = 100

// UpdateUser changes the signed-in user's profile. A new value of the form's login field moves
// the login too (refused when blank or taken, removed users included); nothing is written on
// any refusal.
func (s *Store) UpdateUser(ctx context.Context, id int, in UserUpdate) (User, error) {
	if len(in.State) > 0 {
		var obj map[string]json.RawMessage
		if json.Unmarshal(in.State, &obj) != nil || obj == nil {
			return User{}, Invalid("state must be an object")
		}
	}
	if len(in.NotificationData) > 0 {
		var obj map[string]json.RawMessage
		if json.Unmarshal(in.NotificationData, &obj) != nil || obj == nil {
			return User{}, Invalid("notificationData must be an object")
		}
		if err := checkNotificationData(in.NotificationData, false); err != nil {
			return User{}, err
		}
	}
	if in.Language != "" {
		if err := s.fx.CheckLocale("langCode", in.Language); err != nil {
			return User{}, err
		}
	}
	return updated(ctx, s, func() (User, error) {
		u, ok := s.state.users[id]
		if !ok || u.removed() {
			return User{}, Errorf(CodeUnauthorized, "Unauthorized")
		}
		if in.FormIdentifier != "" && in.FormIdentifier != u.FormIdentifier {
			return User{}, Invalid("Incorrect formIdentifier for provided user: " + in.FormIdentifier)
		}
		provider, _ := s.fx.AuthProvider(u.AuthProviderIdentifier) // checked at load or import
		if in.Password != "" && strings.TrimSpace(in.Password) == "" {
			return User{}, Invalid(requiredMessage(provider.PasswordMarker))
		}
		login := u.Identifier
		if in.HasFormData {
			if form, ok := s.fx.Form(u.FormIdentifier); ok {
				// The signed-in user has a login and a way to sign in, whether a password or,
				// registered through OAuth, none: neither is profile data to send again.
				satisfied := map[string]string{provider.LoginMarker: u.Identifier, provider.PasswordMarker: "signed in"}
				if err := checkFormData(form, in.FormData, satisfied); err != nil {
					return User{}, err
				}
			}
			if k := slices.IndexFunc(in.FormData, func(it FormDataItem) bool { return it.Marker == provider.LoginMarker }); k >= 0 {
				var v string
				if json.Unmarshal(in.FormData[k].Value, &v) != nil || strings.TrimSpace(v) == "" {
					return User{}, Invalid(requiredMessage(provider.LoginMarker))
				}
				login = v
			}
		}
		oldKey, newKey := loginKey(provider.Identifier, u.Identifier), loginKey(provider.Identifier, login)
		if other, taken := s.state.userByLogin[newKey]; taken && other != id {
			return User{}, Invalid("User with identifier " + login + " already exists")
		}
		if login != u.Identifier {
			form, _ := s.fx.Form(u.FormIdentifier)
			if err := checkLogin(provider, form, login, nil, false); err != nil {
				return User{}, err
			}
		}
		s.touchUser(id)
		delete(s.state.userByLogin, oldKey)
		s.state.userByLogin[newKey] = id
		u.Identifier = login
		if in.HasFormData {
			u.FormData = slices.Clone(in.FormData)
		}
		if in.Language != "" {
			u.Language = in.Language
		}
		if len(in.NotificationData) > 0 {
			u.NotificationData = slices.Clone(in.NotificationData)
		}
		if len(in.State) > 0 {
			u.State = slices.Clone(in.State)
		}
		if in.Password != "" {
			u.password = in.Password
		}
		u.UpdatedDate = s.clock.Now()
		return u.clone(), nil
	})
}

// ArchiveUser marks the user's account for deletion; DeleteUser deletes it. Either way every
// session ends, the user's event subscriptions end and the user can no longer sign in; orders
// and submissions stay. The store emits EventUserRemoved, so that the user's open sockets
// can be ended.
func (s *Store) ArchiveUser(ctx context.Context, id int) error {
	return s.removeUser(ctx, id, func(u *User) { u.Archived = true })
}

// DeleteUser deletes the user's account; see ArchiveUser.
func (s *Store) DeleteUser(ctx context.Context, id int) error {
	return s.removeUser(ctx, id, func(u *User) { u.Deleted, u.FCMTokens = true, nil })
}

func (s *Store) removeUser(ctx context.Context, id int, mark func(*User)) error {
	return s.remove(ctx, func() ([]Event, error) {
		u, ok := s.state.users[id]
		if !ok || u.removed() {
			return nil, Errorf(CodeUnauthorized, "Unauthorized")
		}
		s.touchUser(id)
		mark(u)
		u.UpdatedDate = s.clock.Now()
		for _, sess := range s.state.sessionsByUser[id] {
			s.endSessionLocked(sess)
		}
		for k, sub := range s.state.subs {
			if sub.UserID == id {
				s.touchSubscription(k)
				delete(s.state.subs, k)
			}
		}
		return []Event{{Type: EventUserRemoved, Time: u.UpdatedDate, RequestID: RequestID(ctx), User: u.clone()}}, nil
	})
}

// AddFCMToken registers a push token for the user; adding one twice keeps one.
func (s *Store) AddFCMToken(ctx context.Context, id int, token string) error {
	return s.changeFCMTokens(ctx, s.update, id, token, func(list []string) []string {
		if slices.Contains(list, token) {
			return list
		}
		if len(list) >= MaxFCMTokensPerUser {
			list = list[len(list)-MaxFCMTokensPerUser+1:]
		}
		return append(list, token)
	})
}

// RemoveFCMToken forgets a push token; removing one the user does not have changes nothing.
func (s *Store) RemoveFCMToken(ctx context.Context, id int, token string) error {
	return s.changeFCMTokens(ctx, s.remove, id, token, func(list []string) []string {
		return slices.DeleteFunc(list, func(t string) bool { return t == token })
	})
}

// changeFCMTokens changes the user's push tokens through run: update for an addition, remove
// for a deletion, which a sandbox at its memory limit still makes.
func (s *Store) changeFCMTokens(ctx context.Context, run func(context.Context, func() ([]Event, error)) error, id int, token string, change func([]string) []string) error {
	if token == "" || len(token) > MaxFCMTokenBytes || !printable(token) {
		return Invalid("token must be 1 to 4096 printable characters")
	}
	return run(ctx, func() ([]Event, error) {
		u, ok := s.state.users[id]
		if !ok || u.removed() {
			return nil, Errorf(CodeUnauthorized, "Unauthorized")
		}
		next := change(slices.Clone(u.FCMTokens))
		if slices.Equal(next, u.FCMTokens) {
			return nil, nil
		}
		s.touchUser(id)
		u.FCMTokens = next
		return nil, nil
	})
}
