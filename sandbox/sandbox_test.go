package sandbox_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

func newRegistry(t *testing.T, opts sandbox.Options) *sandbox.Registry {
	t.Helper()
	fx, err := store.LoadFixtures(fixtures.FS)
	require.NoError(t, err)
	opts.Fixtures = fx
	reg, err := sandbox.New(t.Context(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = reg.Close(t.Context()) })
	return reg
}

// A registry is complete when New returns: the default sandbox answers the fixtures' token,
// new sandboxes come and go, and the default one stays.
func TestRegistryCreatesLooksUpAndRemovesSandboxes(t *testing.T) {
	t.Parallel()
	reg := newRegistry(t, sandbox.Options{})
	def := reg.Default()
	assert.Same(t, def, reg.Lookup(def.Token()))
	assert.True(t, def.IsDefault())
	assert.Equal(t, sandbox.ProfileLive, reg.Profile(), "the profile defaults to today's API")

	sb, err := reg.Create(t.Context())
	require.NoError(t, err)
	assert.NotEqual(t, def.Token(), sb.Token())
	assert.Same(t, sb, reg.Lookup(sb.Token()))
	assert.NotSame(t, def.Store().Clock(), sb.Store().Clock(), "every sandbox has its own clock")
	assert.Len(t, reg.All(), 2)

	removed, err := reg.Remove(t.Context(), def.Token())
	require.NoError(t, err)
	assert.False(t, removed, "the default sandbox stays")
	removed, err = reg.Remove(t.Context(), sb.Token())
	require.NoError(t, err)
	assert.True(t, removed)
	assert.Nil(t, reg.Lookup(sb.Token()))
	assert.Equal(t, uint64(3), reg.Lookups(), "Lookup is counted; Default, All and Create are not lookups")
}

// The store of every sandbox reports its events to the registry's hook, after the sandbox's
// own handling, and validates slots as the profile says.
func TestSandboxStoresAreBuiltFromTheOptions(t *testing.T) {
	t.Parallel()
	var events []store.EventType
	var from []*sandbox.Sandbox
	reg := newRegistry(t, sandbox.Options{Profile: sandbox.ProfileLive2026, OnEvent: func(sb *sandbox.Sandbox, e store.Event) {
		events = append(events, e.Type)
		from = append(from, sb)
	}})
	sb, err := reg.Create(t.Context())
	require.NoError(t, err)
	st := sb.Store()
	fx := st.Fixtures()
	tk, err := st.Authenticate(t.Context(), "email", store.Credentials{Values: map[string]string{"email_reg": fx.Users[0].Identifier, "password_reg": fx.Users[0].Password}}, store.DeviceInfo{})
	require.NoError(t, err)
	claims, err := st.VerifyAccessToken(t.Context(), tk.AccessToken)
	require.NoError(t, err)
	item, _, err := store.ParseFormDataItem([]byte(`{"marker":"tickets","type":"entity","value":["p-8-10"]}`))
	require.NoError(t, err)
	o, err := st.CreateOrder(t.Context(), claims.ID, "tickets", store.OrderInput{
		FormIdentifier: "tickets_form", PaymentAccountIdentifier: "cash",
		FormData: []store.FormDataItem{item}, Products: []store.OrderLine{{ProductID: 10, Quantity: 1}},
	})
	require.NoError(t, err)
	_, err = st.CreatePaymentSession(t.Context(), claims.ID, o.ID, store.SessionTypeSession, func(string) string { return "" })
	require.NoError(t, err)
	require.NotEmpty(t, events)
	for _, got := range from {
		assert.Same(t, sb, got, "events name the sandbox they happened in")
	}
}
