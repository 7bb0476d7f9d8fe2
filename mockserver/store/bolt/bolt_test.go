package bolt_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"

	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store/bolt"
)

func loadFixtures(tb testing.TB) *store.Fixtures {
	tb.Helper()
	fx, err := store.LoadFixtures(fixtures.FS)
	require.NoError(tb, err)
	return fx
}

func ticketOrder(tb testing.TB) store.OrderInput {
	tb.Helper()
	item, ok, err := store.ParseFormDataItem(json.RawMessage(`{"marker":"tickets","type":"entity","value":["p-8-10"]}`))
	require.NoError(tb, err)
	require.True(tb, ok)
	return store.OrderInput{
		FormIdentifier:           "tickets_form",
		PaymentAccountIdentifier: "cash",
		FormData:                 []store.FormDataItem{item},
		Products:                 []store.OrderLine{{ProductID: 10, Quantity: 1}},
	}
}

func openDB(tb testing.TB, dir string) *bolt.DB {
	tb.Helper()
	db, err := bolt.Open(dir)
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = db.Close() })
	return db
}

func openStore(tb testing.TB, db *bolt.DB, fx *store.Fixtures, token, secret string) *store.Store {
	tb.Helper()
	sb, err := db.Sandbox(token, secret, time.Now())
	require.NoError(tb, err)
	st, err := store.Open(context.Background(), store.Options{Fixtures: fx, AppToken: token, TokenSecret: secret, Persist: sb})
	require.NoError(tb, err)
	return st
}

func export(tb testing.TB, st *store.Store) string {
	tb.Helper()
	data, err := json.Marshal(st.Export(context.Background()))
	require.NoError(tb, err)
	return string(data)
}

func TestRestartRestoresEverySandbox(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	fx := loadFixtures(t)

	db := openDB(t, dir)
	def := openStore(t, db, fx, fx.Project.AppToken, "default-secret-0123")
	tk, err := def.Authenticate(ctx, "email", store.Credentials{Values: map[string]string{"email_reg": "your-user@email.com", "password_reg": "123456"}}, store.DeviceInfo{OS: "Linux"})
	require.NoError(t, err)
	var ids []int
	for range 5 {
		o, err := def.CreateOrder(ctx, 16, "tickets", ticketOrder(t))
		require.NoError(t, err)
		ids = append(ids, o.ID)
	}
	extra := openStore(t, db, fx, "sbx_extra", "extra-secret")
	_, err = extra.CreateOrder(ctx, 17, "tickets", ticketOrder(t))
	require.NoError(t, err)
	wantDef, wantExtra := export(t, def), export(t, extra)
	require.NoError(t, db.Close())

	db = openDB(t, dir)
	list, err := db.ListSandboxes()
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, fx.Project.AppToken, list[0].AppToken, "oldest first")
	assert.Equal(t, "sbx_extra", list[1].AppToken)
	assert.Equal(t, "extra-secret", list[1].TokenSecret)

	def = openStore(t, db, fx, list[0].AppToken, list[0].TokenSecret)
	extra = openStore(t, db, fx, list[1].AppToken, list[1].TokenSecret)
	assert.Equal(t, wantDef, export(t, def))
	assert.Equal(t, wantExtra, export(t, extra))
	_, err = def.VerifyAccessToken(ctx, tk.AccessToken)
	assert.NoError(t, err, "the same secret keeps access tokens valid across a restart")
	_, err = def.Refresh(ctx, "email", tk.RefreshToken)
	assert.NoError(t, err)
	o, err := def.CreateOrder(ctx, 16, "tickets", ticketOrder(t))
	require.NoError(t, err)
	assert.Equal(t, ids[len(ids)-1]+1, o.ID)
}

func TestDeletedSandboxIsGoneAndRefusesSaves(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fx := loadFixtures(t)
	db := openDB(t, t.TempDir())
	st := openStore(t, db, fx, "sbx_gone", "secret")
	before := export(t, st)
	require.NoError(t, db.DeleteSandbox("sbx_gone"))
	require.NoError(t, db.DeleteSandbox("sbx_gone"), "deleting twice is not an error")
	list, err := db.ListSandboxes()
	require.NoError(t, err)
	assert.Empty(t, list)

	_, err = st.CreateOrder(ctx, 16, "tickets", ticketOrder(t))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "removed from the data dir")
	assert.Equal(t, before, export(t, st), "the refused order is not kept in memory either")
}

func TestSandboxRecordsANewSecret(t *testing.T) {
	t.Parallel()
	db := openDB(t, t.TempDir())
	made := time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
	_, err := db.Sandbox("sbx", "one", made)
	require.NoError(t, err)
	first, err := db.ListSandboxes()
	require.NoError(t, err)
	require.Len(t, first, 1)
	assert.True(t, made.Equal(first[0].Created), "the time the registry gives is kept: %s", first[0].Created)
	_, err = db.Sandbox("sbx", "two", time.Now())
	require.NoError(t, err)
	second, err := db.ListSandboxes()
	require.NoError(t, err)
	require.Len(t, second, 1)
	assert.Equal(t, "two", second[0].TokenSecret)
	assert.Equal(t, first[0].Created, second[0].Created)
	_, err = db.Sandbox("", "x", time.Now())
	assert.Error(t, err)
}

// writeBolt makes a bbolt file with the given buckets and keys: another program's database,
// or ours with a damaged stamp.
func writeBolt(t *testing.T, path string, buckets map[string]map[string]string) {
	t.Helper()
	b, err := bbolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, b.Update(func(tx *bbolt.Tx) error {
		for name, kv := range buckets {
			bk, err := tx.CreateBucketIfNotExists([]byte(name))
			if err != nil {
				return err
			}
			for k, v := range kv {
				if err := bk.Put([]byte(k), []byte(v)); err != nil {
					return err
				}
			}
		}
		return nil
	}))
	require.NoError(t, b.Close())
}

func TestOpenRefusesAnUnusableDataDir(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		prepare func(t *testing.T, path string)
		want    string
	}{
		"garbage": {func(t *testing.T, path string) {
			require.NoError(t, os.WriteFile(path, []byte(strings.Repeat("not a database ", 1000)), 0o600))
		}, "damaged or not a database"},
		"empty file": {func(t *testing.T, path string) {
			require.NoError(t, os.WriteFile(path, nil, 0o600))
		}, "is empty"},
		"truncated": {func(t *testing.T, path string) {
			require.NoError(t, os.WriteFile(path, []byte("bolt"), 0o600))
		}, "damaged or not a database"},
		"cut short": {func(t *testing.T, path string) {
			// A file of a few MiB cut to its first pages: bbolt's meta page points past the end.
			rows := map[string]string{}
			for i := range 5000 {
				rows[strconv.Itoa(i)] = strings.Repeat("x", 400)
			}
			writeBolt(t, path, map[string]map[string]string{"oneentry-mock": {"magic": bolt.Magic, "version": "1"}, "sandboxes": rows})
			require.NoError(t, os.Truncate(path, 32<<10))
		}, "damaged"},
		"another program's database": {func(t *testing.T, path string) {
			writeBolt(t, path, map[string]map[string]string{"widgets": {"1": "x"}})
		}, "another program"},
		"wrong magic": {func(t *testing.T, path string) {
			writeBolt(t, path, map[string]map[string]string{"oneentry-mock": {"magic": "something", "version": "1"}})
		}, "magic"},
		"newer layout": {func(t *testing.T, path string) {
			writeBolt(t, path, map[string]map[string]string{"oneentry-mock": {"magic": bolt.Magic, "version": "2"}, "sandboxes": {}})
		}, `layout version "2"`},
		"a damaged page of saved records": {func(t *testing.T, path string) {
			// The stamp and the sandbox list read well; only loading the orders shows the damage.
			saveOrders(t, filepath.Dir(path), 20)
			damagePage(t, path, func(tx *bbolt.Tx) uint64 {
				return uint64(tx.Bucket([]byte("sandboxes")).Bucket([]byte("sbx")).Bucket([]byte(store.KindOrder)).RootPage())
			})
		}, "damaged"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, bolt.FileName)
			tc.prepare(t, path)
			before, err := os.ReadFile(path)
			require.NoError(t, err)

			_, err = bolt.Open(dir)
			require.ErrorIs(t, err, bolt.ErrIncompatible)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), dir, "the message names the data dir")
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, before, after, "an unusable data dir is never reset")
		})
	}
}

// saveOrders saves n orders in sandbox "sbx" of the data dir.
func saveOrders(t *testing.T, dir string, n int) {
	t.Helper()
	db, err := bolt.Open(dir)
	require.NoError(t, err)
	st := openStore(t, db, loadFixtures(t), "sbx", "secret")
	for range n {
		_, err := st.CreateOrder(context.Background(), 16, "tickets", ticketOrder(t))
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())
}

// damagePage overwrites the first element of the page that page picks with 0xff bytes, as a
// bad sector or a stray write would.
func damagePage(t *testing.T, path string, page func(tx *bbolt.Tx) uint64) {
	t.Helper()
	b, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
	require.NoError(t, err)
	var id uint64
	require.NoError(t, b.View(func(tx *bbolt.Tx) error { id = page(tx); return nil }))
	size := b.Info().PageSize
	require.NoError(t, b.Close())
	require.NotZero(t, id, "the page is not inline in its parent")
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	require.NoError(t, err)
	_, err = f.WriteAt(bytes.Repeat([]byte{0xff}, 8), int64(id)*int64(size)+20)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

func TestOpenRefusesARecordItCannotDecode(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fx := loadFixtures(t)
	db := openDB(t, dir)
	st := openStore(t, db, fx, "sbx", "secret")
	o, err := st.CreateOrder(context.Background(), 16, "tickets", ticketOrder(t))
	require.NoError(t, err)
	require.NoError(t, db.Close())

	b, err := bbolt.Open(filepath.Join(dir, bolt.FileName), 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, b.Update(func(tx *bbolt.Tx) error {
		orders := tx.Bucket([]byte("sandboxes")).Bucket([]byte("sbx")).Bucket([]byte(store.KindOrder))
		return orders.Put([]byte(strconv.Itoa(o.ID)), []byte(`{"id":`))
	}))
	require.NoError(t, b.Close())

	before, err := os.ReadFile(filepath.Join(dir, bolt.FileName))
	require.NoError(t, err)

	db = openDB(t, dir)
	sb, err := db.Sandbox("sbx", "secret", time.Now())
	require.NoError(t, err)
	_, err = store.Open(context.Background(), store.Options{Fixtures: fx, Persist: sb})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "record orders/")
	require.NoError(t, db.Close())
	after, err := os.ReadFile(filepath.Join(dir, bolt.FileName))
	require.NoError(t, err)
	assert.True(t, bytes.Equal(before, after), "a start that cannot load the saved state writes nothing")
}

func TestOpenFailsWhileAnotherProcessHoldsTheDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	openDB(t, dir)
	_, err := bolt.Open(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "in use by another process")
}

func TestOpenTellsPermissionFromDamage(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("root opens any file; the message is pinned by TestOpenErrorNamesPermission")
	}
	dir := t.TempDir()
	_, err := bolt.Open(dir)
	require.NoError(t, err)
	require.NoError(t, os.Chmod(filepath.Join(dir, bolt.FileName), 0o000))
	_, err = bolt.Open(dir)
	require.ErrorIs(t, err, fs.ErrPermission)
	assert.NotErrorIs(t, err, bolt.ErrIncompatible, "permission denied is not damage")
	assert.Contains(t, err.Error(), "read and write access")
}
