package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// withoutProducts is the default fixture set with the products of ids taken out of the
// catalogue, their details and the order form's product list, as a content edit would.
func withoutProducts(t *testing.T, ids ...int) *store.Fixtures {
	t.Helper()
	fsys := fixtures.Copy()
	gone := map[any]bool{}
	for _, id := range ids {
		gone[float64(id)] = true
		gone[fmt.Sprintf("p-8-%d", id)] = true
	}
	var drop func(v any) any
	drop = func(v any) any {
		switch v := v.(type) {
		case []any:
			v = slices.DeleteFunc(v, func(e any) bool { m, ok := e.(map[string]any); return ok && gone[m["id"]] })
			for i := range v {
				v[i] = drop(v[i])
			}
			return v
		case map[string]any:
			for k := range v {
				if ids, ok := v[k].([]any); ok && k == "relatedIds" {
					v[k] = slices.DeleteFunc(ids, func(id any) bool { return gone[id] })
				}
				v[k] = drop(v[k])
			}
		}
		return v
	}
	for _, name := range []string{store.FileProducts, "product-details.json", "forms.json"} {
		var v any
		require.NoError(t, json.Unmarshal(fsys[name].Data, &v))
		v = drop(v)
		data, err := json.Marshal(v)
		require.NoError(t, err)
		fsys[name] = &fstest.MapFile{Data: data}
	}
	fx, err := store.LoadFixtures(fsys)
	require.NoError(t, err)
	for _, id := range ids {
		_, ok := fx.Product(id)
		require.False(t, ok)
	}
	return fx
}

// onFixturesWithout returns the stores that take up a saved state on the default fixtures
// without the products of ids: a restart on p's data, and an import of doc.
func onFixturesWithout(t *testing.T, p store.Persister, doc store.StateDocument, ids ...int) map[string]*store.Store {
	t.Helper()
	fx := withoutProducts(t, ids...)
	again, err := store.Open(context.Background(), store.Options{Fixtures: fx, Clock: frozenClock(), Persist: p})
	require.NoError(t, err, "a restart on the edited fixtures")
	other := store.New(store.Options{Fixtures: fx, Clock: frozenClock()})
	require.NoError(t, other.Import(context.Background(), doc), "an import into a sandbox of the edited fixtures")
	return map[string]*store.Store{"restarted": again, "imported": other}
}

// An order or a cart that names a product the fixtures no longer have loads as it was kept:
// a restart after such an edit, and an import into a sandbox of the edited fixtures, keep it
// rather than refusing the whole saved state. The cart's line can still be removed.
func TestOrdersAndCartsOutliveTheirProducts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newMemPersister()
	st := openPersisted(t, p, frozenClock())
	in := plainOrder(t)
	in.Products = []store.OrderLine{{ProductID: 11, Quantity: 2}}
	o, err := st.CreateOrder(ctx, 16, "tickets", in)
	require.NoError(t, err)
	owner := store.CartOwner{UserID: 16}
	_, err = st.AddCartItem(ctx, owner, 12, 3)
	require.NoError(t, err)
	doc := st.Export(ctx)

	for name, s := range onFixturesWithout(t, p, doc, 11, 12) {
		got, err := s.Order(ctx, 16, "tickets", o.ID)
		require.NoError(t, err, name)
		assert.Equal(t, o.Products, got.Products, name)
		assert.Equal(t, o.TotalCents, got.TotalCents, name)
		cart, err := s.Cart(ctx, owner)
		require.NoError(t, err, name)
		assert.Equal(t, []store.CartItem{{ProductID: 12, Qty: 3}}, cart.Items, name)

		_, err = s.AddCartItem(ctx, owner, 12, 1)
		assert.Equal(t, store.CodeNotFound, codeOf(err), "%s: a product gone is not added to: %v", name, err)
		cart, err = s.RemoveCartItem(ctx, owner, 12)
		require.NoError(t, err, name)
		assert.Empty(t, cart.Items, name)
		_, err = s.RemoveCartItem(ctx, owner, 12)
		assert.Equal(t, store.CodeNotFound, codeOf(err), "%s: a product neither kept nor in the fixtures: %v", name, err)
	}
}

// A subscription to a product the fixtures no longer have is kept as orders are, and the user
// can still end it.
func TestSubscriptionsOutliveTheirProducts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newMemPersister()
	st := openPersisted(t, p, frozenClock())
	require.NoError(t, st.Subscribe(ctx, 16, "price_change", 11, "en_US"))
	doc := st.Export(ctx)

	for name, s := range onFixturesWithout(t, p, doc, 11, 12) {
		subs, n := s.Subscriptions(ctx, 16, store.Page{})
		require.Equal(t, 1, n, name)
		assert.Equal(t, 11, subs[0].ProductID, name)
		assert.Equal(t, store.CodeNotFound, codeOf(s.Subscribe(ctx, 16, "price_change", 11, "en_US")), "%s: a product gone takes no new subscription", name)
		require.NoError(t, s.Unsubscribe(ctx, 16, "price_change", 11), name)
		_, n = s.Subscriptions(ctx, 16, store.Page{})
		assert.Zero(t, n, name)
		assert.Equal(t, store.CodeNotFound, codeOf(s.Unsubscribe(ctx, 16, "price_change", 11)), "%s: a product neither kept nor in the fixtures", name)
	}
}
