package bolt_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// BenchmarkCreateOrder measures an order create in memory and with every create committed
// (and fsynced) to the data dir, on an empty sandbox and on one already holding 20,000 orders:
// the two persisted figures should match, since a create writes one order and the counters.
//
//	go test -run '^$' -bench CreateOrder ./mockserver/store/bolt/
func BenchmarkCreateOrder(b *testing.B) {
	fx := loadFixtures(b)
	ctx := context.Background()
	run := func(b *testing.B, st *store.Store) {
		in := ticketOrder(b)
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			if _, err := st.CreateOrder(ctx, 16, "tickets", in); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("memory", func(b *testing.B) {
		run(b, store.New(store.Options{Fixtures: fx}))
	})
	b.Run("bbolt", func(b *testing.B) {
		run(b, openStore(b, openDB(b, b.TempDir()), fx, "sbx", "secret"))
	})
	b.Run("bbolt-20k-orders", func(b *testing.B) {
		st := openStore(b, openDB(b, b.TempDir()), fx, "sbx", "secret")
		require.NoError(b, st.Import(ctx, docWithOrders(b, fx, 20_000)))
		run(b, st)
	})
	b.Run("bbolt-parallel", func(b *testing.B) {
		st := openStore(b, openDB(b, b.TempDir()), fx, "sbx", "secret")
		in := ticketOrder(b)
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := st.CreateOrder(ctx, 16, "tickets", in); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// docWithOrders builds, in memory, a state of n orders, to import in one transaction.
func docWithOrders(b *testing.B, fx *store.Fixtures, n int) store.StateDocument {
	b.Helper()
	ctx := context.Background()
	st := store.New(store.Options{Fixtures: fx})
	in := ticketOrder(b)
	for range n {
		_, err := st.CreateOrder(ctx, 16, "tickets", in)
		require.NoError(b, err)
	}
	return st.Export(ctx)
}
