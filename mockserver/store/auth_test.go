package store_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

func newStore(t testing.TB, opts store.Options) *store.Store {
	t.Helper()
	fx, err := store.LoadFixtures(fixtures.FS)
	require.NoError(t, err)
	opts.Fixtures = fx
	return store.New(opts)
}

func creds(login, password string) store.Credentials {
	return store.Credentials{Values: map[string]string{"email_reg": login, "password_reg": password}}
}

func codeOf(err error) store.Code {
	var e *store.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func TestAccessTokens(t *testing.T) {
	t.Parallel()
	clock := store.NewClock(nil)
	clock.Set(time.Date(2025, 4, 30, 21, 54, 48, 998_000_000, time.UTC))
	clock.Freeze()
	st := newStore(t, store.Options{Clock: clock, AccessTokenTTL: time.Second})
	ctx := context.Background()
	tk, err := st.Authenticate(ctx, "email", creds("your-user@email.com", "123456"), store.DeviceInfo{})
	require.NoError(t, err)
	claims, err := st.VerifyAccessToken(ctx, tk.AccessToken)
	require.NoError(t, err)
	assert.Equal(t, 16, claims.ID)
	assert.Equal(t, int64(1), claims.ExpiresAt-claims.IssuedAt)
	// jsonwebtoken compares signatures as text: one whose last character differs only in the
	// bits past the signature's 32 bytes decodes to the same bytes, yet is not the token.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, tk.AccessToken[len(tk.AccessToken)-1])
	require.Zero(t, last%4, "a 32-byte signature leaves two bits of its last character over")
	_, err = st.VerifyAccessToken(ctx, tk.AccessToken[:len(tk.AccessToken)-1]+alphabet[last+1:last+2])
	assert.Equal(t, store.CodeUnauthorized, codeOf(err), "signature with its spare bits set")

	// iat and exp are whole seconds, and jsonwebtoken refuses a token from its exp second on:
	// issued at :48.998 with 1 s, it lives until :49.000, as on the live API.
	clock.Advance(time.Millisecond)
	_, err = st.VerifyAccessToken(ctx, tk.AccessToken)
	assert.NoError(t, err, "at :48.999")
	clock.Advance(time.Millisecond)
	_, err = st.VerifyAccessToken(ctx, tk.AccessToken)
	assert.Equal(t, store.CodeUnauthorized, codeOf(err), "at :49.000, its exp")

	parts := strings.Split(tk.AccessToken, ".")
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	other := newStore(t, store.Options{Clock: clock})
	for name, token := range map[string]string{
		"alg none":        none,
		"no signature":    parts[0] + "." + parts[1],
		"empty":           "",
		"bad base64":      parts[0] + ".!!!." + parts[2],
		"forged payload":  parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"id":17,"authProviderIdentifier":"email","userIdentifier":"x","iat":1,"exp":99999999999}`)) + "." + parts[2],
		"extra segment":   tk.AccessToken + ".x",
		"trailing spaces": tk.AccessToken + " ",
	} {
		_, err := other.VerifyAccessToken(ctx, token)
		assert.Equal(t, store.CodeUnauthorized, codeOf(err), name)
	}
}

func TestRefreshTokensAreSingleUse(t *testing.T) {
	t.Parallel()
	st := newStore(t, store.Options{})
	ctx := context.Background()
	tk, err := st.Authenticate(ctx, "email", creds("YOUR-USER@email.com", "123456"), store.DeviceInfo{OS: "Linux"})
	require.NoError(t, err, "logins are case-insensitive")
	next, err := st.Refresh(ctx, "email", tk.RefreshToken)
	require.NoError(t, err)
	assert.NotEqual(t, tk.RefreshToken, next.RefreshToken)
	_, err = st.Refresh(ctx, "email", tk.RefreshToken)
	assert.Equal(t, store.CodeUnauthorized, codeOf(err))
	_, err = st.Refresh(ctx, "nope", next.RefreshToken)
	assert.Equal(t, store.CodeNotFound, codeOf(err))
	devices, err := st.ActiveSessions(ctx, 16, "email")
	require.NoError(t, err)
	assert.Equal(t, []store.DeviceInfo{{OS: "Linux"}}, devices, "a refresh keeps the session")
}

func TestSessionsFollowTheirUserThroughExportAndImport(t *testing.T) {
	t.Parallel()
	src := newStore(t, store.Options{})
	ctx := context.Background()
	signIn := func(st *store.Store, login, password, os string) store.Tokens {
		t.Helper()
		tk, err := st.Authenticate(ctx, "email", creds(login, password), store.DeviceInfo{OS: os})
		require.NoError(t, err)
		return tk
	}
	first := signIn(src, "your-user@email.com", "123456", "Linux")
	signIn(src, "your-user@email.com", "123456", "macOS")
	second := signIn(src, "second-user@email.com", "654321", "Windows")

	st := newStore(t, store.Options{})
	require.NoError(t, st.Import(ctx, src.Export(ctx)))
	devices, err := st.ActiveSessions(ctx, 16, "email")
	require.NoError(t, err)
	assert.ElementsMatch(t, []store.DeviceInfo{{OS: "Linux"}, {OS: "macOS"}}, devices)

	require.NoError(t, st.LogoutAll(ctx, 16, "email"))
	devices, err = st.ActiveSessions(ctx, 16, "email")
	require.NoError(t, err)
	assert.Empty(t, devices)
	_, err = st.Refresh(ctx, "email", first.RefreshToken)
	assert.Equal(t, store.CodeUnauthorized, codeOf(err))
	_, err = st.Refresh(ctx, "email", second.RefreshToken)
	assert.NoError(t, err, "signing one user out everywhere leaves the others signed in")
	devices, err = st.ActiveSessions(ctx, 17, "email")
	require.NoError(t, err)
	assert.Equal(t, []store.DeviceInfo{{OS: "Windows"}}, devices)
}

func TestResetReturnsToFixtures(t *testing.T) {
	t.Parallel()
	st := newStore(t, store.Options{})
	ctx := context.Background()
	in := store.OrderInput{
		FormIdentifier: "tickets_form", PaymentAccountIdentifier: "cash",
		FormData: []store.FormDataItem{{Marker: "tickets", Type: "entity", Value: []byte(`["p-8-10"]`)}},
		Products: []store.OrderLine{{ProductID: 10, Quantity: 1}},
	}
	o, err := st.CreateOrder(ctx, 16, "tickets", in)
	require.NoError(t, err)
	assert.Equal(t, 92, o.ID)
	st.Reset(ctx)
	orders, total, err := st.Orders(ctx, 16, "tickets", store.Page{Limit: 10})
	require.NoError(t, err)
	assert.Empty(t, orders)
	assert.Zero(t, total)
	o, err = st.CreateOrder(ctx, 16, "tickets", in)
	require.NoError(t, err)
	assert.Equal(t, 92, o.ID, "ids start over")
}

const (
	seedLogin    = "your-user@email.com"
	seedPassword = "123456"
)

// BenchmarkAuthenticate is a login: provider and credential checks, a new auth session, a
// refresh token from crypto/rand and an HS256 access token.
func BenchmarkAuthenticate(b *testing.B) {
	st := newStore(b, store.Options{})
	ctx := context.Background()
	c := creds(seedLogin, seedPassword)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := st.Authenticate(ctx, "email", c, store.DeviceInfo{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyAccessToken is the bearer check every user route makes: signature, expiry on
// the mock clock, and the user lookup under the store lock. "parallel" shows what the lock and
// the clock's mutex cost when every core verifies at once.
func BenchmarkVerifyAccessToken(b *testing.B) {
	st := newStore(b, store.Options{})
	ctx := context.Background()
	tk, err := st.Authenticate(ctx, "email", creds(seedLogin, seedPassword), store.DeviceInfo{})
	require.NoError(b, err)
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := st.VerifyAccessToken(ctx, tk.AccessToken); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := st.VerifyAccessToken(ctx, tk.AccessToken); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// A code goes by e-mail only: for a user with no address to send it to (a login that is no
// address, from a state document, and no notificationData.email) none is made.
func TestNoCodeWithoutAnAddressToSendItTo(t *testing.T) {
	t.Parallel()
	st := newStore(t, store.Options{})
	ctx := context.Background()
	doc := st.Export(ctx)
	doc.Users = append(doc.Users, store.UserRecord{ID: 900, AuthProviderIdentifier: "email_code", Identifier: "phone-user", Password: "pw-1", FormIdentifier: "reg", IsActive: true, Language: "en_US"})
	doc.Counters.NextUserID = 901
	require.NoError(t, st.Import(ctx, doc))
	before := st.Export(ctx)

	_, err := st.GenerateCode(ctx, "email_code", "phone-user", "auth")
	require.Error(t, err)
	assert.Equal(t, store.CodeInvalid, codeOf(err))
	assert.Contains(t, err.Error(), "notificationData.email")
	assert.Equal(t, before, st.Export(ctx), "no code is kept")

	doc.Users[len(doc.Users)-1].NotificationData = []byte(`{"email":"phone-user@example.com"}`)
	require.NoError(t, st.Import(ctx, doc))
	code, err := st.GenerateCode(ctx, "email_code", "phone-user", "auth")
	require.NoError(t, err)
	assert.Equal(t, "phone-user@example.com", code.Email)
}

// One rule decides where the codes and the ticket e-mails go: the login when it has an @, else
// notificationData.email, and nothing that is not one bare address.
func TestUserEmail(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		login, notification string
		want                string
	}{
		"login is an address":                   {"ann@example.com", `{"email":"other@example.com"}`, "ann@example.com"},
		"phone login, notification address":     {"+15550100", `{"email":"ann@example.com"}`, "ann@example.com"},
		"phone login, no notification data":     {"+15550100", ``, ""},
		"phone login, notification without @":   {"+15550100", `{"email":"ann"}`, ""},
		"phone login, notification not a text":  {"+15550100", `{"email":5}`, ""},
		"phone login, two notification address": {"+15550100", `{"email":"a@example.com, b@example.com"}`, ""},
		"login of two addresses":                {"a@example.com, b@example.com", `{"email":"ann@example.com"}`, ""},
		"login with a display name":             {"Ann <ann@example.com>", ``, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := store.User{Identifier: tc.login, NotificationData: []byte(tc.notification)}
			assert.Equal(t, tc.want, u.Email())
		})
	}
}

// A request verifies its token before it takes the store's lock; when a reset removes the
// user in between, what it writes for that user is refused, so the state never holds a cart
// or a subscription of nobody (which no import takes back, and which the next user given that
// id would inherit).
func TestWritesForAUserGoneSinceTheTokenWasVerifiedAreRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newStore(t, store.Options{})
	user, _, err := st.SignUp(ctx, store.SignUpInput{ProviderMarker: "email", FormIdentifier: "reg", Credentials: creds("gone@example.com", "secret1")})
	require.NoError(t, err)
	tk, err := st.Authenticate(ctx, "email", creds("gone@example.com", "secret1"), store.DeviceInfo{})
	require.NoError(t, err)
	claims, err := st.VerifyAccessToken(ctx, tk.AccessToken)
	require.NoError(t, err)
	require.Equal(t, user.ID, claims.ID)

	require.NoError(t, st.Reset(ctx))
	before := st.Export(ctx)
	owner := store.CartOwner{UserID: claims.ID}
	_, err = st.AddCartItem(ctx, owner, 10, 1)
	assert.Equal(t, store.CodeUnauthorized, codeOf(err), "add")
	_, err = st.SetCartItem(ctx, owner, 10, 2)
	assert.Equal(t, store.CodeUnauthorized, codeOf(err), "set")
	_, err = st.RemoveCartItem(ctx, owner, 10)
	assert.Equal(t, store.CodeUnauthorized, codeOf(err), "remove")
	_, err = st.Cart(ctx, owner)
	assert.Equal(t, store.CodeUnauthorized, codeOf(err), "read")
	err = st.Subscribe(ctx, claims.ID, "price_change", 10, "en_US")
	assert.Equal(t, store.CodeUnauthorized, codeOf(err), "subscribe")
	assert.Equal(t, before, st.Export(ctx))
	require.NoError(t, st.Import(ctx, st.Export(ctx)), "the state still imports")
}

// A user's subscriptions are bounded; subscribing again to one held is no new one.
func TestSubscriptionsPerUserAreBounded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newStore(t, store.Options{})
	for i := range store.MaxSubscriptionsPerUser {
		require.NoError(t, st.Subscribe(ctx, 16, fmt.Sprintf("event_%d", i), 10, "en_US"))
	}
	before := st.Export(ctx)
	err := st.Subscribe(ctx, 16, "one_more", 10, "en_US")
	assert.Equal(t, store.CodeInvalid, codeOf(err))
	assert.Contains(t, err.Error(), "at most 1000 subscriptions")
	assert.Equal(t, before, st.Export(ctx), "the refused one changed nothing")
	require.NoError(t, st.Subscribe(ctx, 16, "event_0", 10, "ru_RU"), "a held one changes its locale")
	assert.NoError(t, st.Subscribe(ctx, 17, "one_more", 10, "en_US"), "another user has room")
}
