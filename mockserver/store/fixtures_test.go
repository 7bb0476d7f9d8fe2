package store_test

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

func TestEmbeddedFixturesLoad(t *testing.T) {
	t.Parallel()
	fx, err := store.LoadFixtures(fixtures.FS)
	require.NoError(t, err)
	assert.Equal(t, "your-app-token", fx.Project.AppToken)
	form, ok := fx.Form("tickets_form")
	require.True(t, ok)
	assert.Equal(t, 9, form.ID)
	tickets, ok := form.Attribute("tickets")
	require.True(t, ok)
	assert.True(t, tickets.Required())
	schedule, ok := form.Attribute("schedule")
	require.True(t, ok)
	assert.False(t, schedule.Required())
	for id, cents := range map[int]int64{10: 10000, 11: 20000, 12: 30000} {
		p, ok := fx.Product(id)
		require.True(t, ok)
		assert.Equal(t, cents, *p.PriceCents)
	}
	assert.Equal(t, "Бронзовый", mustProduct(t, fx, 10).Title)
	st, ok := fx.OrderStorage("tickets")
	require.True(t, ok)
	assert.Equal(t, "inProgress", st.DefaultStatus())
	assert.Len(t, fx.Users, 2)
}

func mustProduct(t *testing.T, fx *store.Fixtures, id int) *store.Product {
	t.Helper()
	p, ok := fx.Product(id)
	require.True(t, ok)
	return p
}

// withFile returns the default fixtures with one file replaced (or removed when content is "").
func withFile(t *testing.T, name, content string) fs.FS {
	t.Helper()
	m := fixtures.Copy()
	if content == "" {
		delete(m, name)
	} else {
		m[name] = &fstest.MapFile{Data: []byte(content)}
	}
	return m
}

func replaceIn(t *testing.T, name, old, new string) fs.FS {
	t.Helper()
	data, err := fs.ReadFile(fixtures.FS, name)
	require.NoError(t, err)
	require.Contains(t, string(data), old)
	return withFile(t, name, strings.Replace(string(data), old, new, 1))
}

func TestBadFixturesNameFileAndField(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		fsys      fs.FS
		file      string
		field     string
		errSubstr string
	}{
		{"missing file", withFile(t, store.FileUsers, ""), store.FileUsers, "", "missing"},
		{"broken JSON", withFile(t, store.FileProducts, `[{"id": 10,`), store.FileProducts, "", "invalid JSON"},
		{"unknown field", replaceIn(t, store.FileUsers, `"password": "123456"`, `"password": "123456", "pasword": "x"`), store.FileUsers, "pasword", "unknown field"},
		{"wrong type", replaceIn(t, store.FileProducts, `"price": 200`, `"price": "200"`), store.FileProducts, "[1].price", "must be a number, not a string"},
		{"negative price", replaceIn(t, store.FileProducts, `"price": 200`, `"price": -1`), store.FileProducts, "[1].price", "non-negative"},
		{"unknown form of storage", replaceIn(t, store.FileOrderStorages, `"formIdentifier": "tickets_form"`, `"formIdentifier": "nope"`), store.FileOrderStorages, "[0].formIdentifier", "nope"},
		{"unknown account of storage", replaceIn(t, store.FileOrderStorages, `{ "identifier": "cash" }`, `{ "identifier": "paypal" }`), store.FileOrderStorages, "[0].paymentAccountIdentifiers[0].identifier", "paypal"},
		{"user of unknown provider", replaceIn(t, store.FileUsers, `"authProviderIdentifier": "email"`, `"authProviderIdentifier": "phone"`), store.FileUsers, "[0].authProviderIdentifier", "phone"},
		{"duplicate login", replaceIn(t, store.FileUsers, `"identifier": "second-user@email.com"`, `"identifier": "YOUR-USER@email.com"`), store.FileUsers, "[1].identifier", "duplicate"},
		{"empty password", replaceIn(t, store.FileUsers, `"password": "654321"`, `"password": ""`), store.FileUsers, "[1].password", "empty"},
		{"bad time zone", replaceIn(t, store.FileProject, `"Europe/Moscow"`, `"Mars/Olympus"`), store.FileProject, "timeZone", "Mars"},
		{"short secret", replaceIn(t, store.FileProject, `"appToken":`, `"tokenSecret": "short", "appToken":`), store.FileProject, "tokenSecret", "16"},
		{"duplicate form", replaceIn(t, store.FileForms, `"identifier": "reg"`, `"identifier": "tickets_form"`), store.FileForms, "[1].identifier", "duplicate"},
		{"validators not an object", replaceIn(t, store.FileForms, `"validators": {}`, `"validators": 5`), store.FileForms, "[0].attributes[0].validators", "object"},
		{"bad account date", replaceIn(t, store.FilePaymentAccounts, `"2025-02-26T10:13:16.839Z"`, `"yesterday"`), store.FilePaymentAccounts, "[0].updatedDate", "date"},
		{"trailing data", withFile(t, store.FileProject, `{"appToken":"a","tokenSecret":"0123456789abcdef"} {}`), store.FileProject, "", "after the JSON value"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := store.LoadFixtures(tc.fsys)
			require.Error(t, err)
			var fe *store.FixtureError
			require.True(t, errors.As(err, &fe), "want a *FixtureError, got %T: %v", err, err)
			assert.Equal(t, tc.file, fe.File)
			if tc.field != "" {
				assert.Contains(t, fe.Field, tc.field)
			}
			assert.Contains(t, err.Error(), tc.errSubstr)
			assert.Contains(t, err.Error(), tc.file)
		})
	}
}

// FuzzLoadFixtures feeds arbitrary bytes as each fixture file: loading may fail, never panic.
func FuzzLoadFixtures(f *testing.F) {
	names := []string{store.FileProject, store.FileAuthProviders, store.FileUsers, store.FileForms, store.FileProducts, store.FileOrderStorages, store.FilePaymentAccounts, store.FileDiscounts}
	for i, n := range names {
		data, err := fs.ReadFile(fixtures.FS, n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), data)
	}
	f.Add(uint8(3), []byte(`[{"id":1,"identifier":"x","attributes":[{"type":"entity","marker":"m","validators":{"requiredValidator":null},"listTitles":[{"id":null}]}]}]`))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		m := fstest.MapFS{}
		for _, n := range names {
			orig, _ := fs.ReadFile(fixtures.FS, n)
			m[n] = &fstest.MapFile{Data: orig}
		}
		m[names[int(which)%len(names)]] = &fstest.MapFile{Data: data}
		fx, err := store.LoadFixtures(m)
		if err != nil {
			var fe *store.FixtureError
			if !errors.As(err, &fe) {
				t.Fatalf("error is not a *FixtureError: %v", err)
			}
			return
		}
		// A set that loads must seed a store.
		_ = store.New(store.Options{Fixtures: fx})
	})
}
