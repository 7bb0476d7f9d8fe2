package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/internal/budget"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// Scale of one sandbox: the memory each stored order and payment session
// costs, the memory of an empty sandbox, and whether order lists and session lookups slow down
// as the sandbox fills. A sandbox of 1,000 orders is compared with a large one: 3,000 orders and
// few samples by default, which only keeps the test working, or as many orders as
// ONEENTRY_SCALE_ORDERS says, timed 20,000 times each:
//
//	ONEENTRY_SCALE_ORDERS=1000000 go test -run TestScale -v -timeout 30m ./mockserver/store/
const scaleOrdersEnv = "ONEENTRY_SCALE_ORDERS"

const (
	scaleUsers     = 1_000
	scaleSmall     = 1_000
	scaleLarge     = 3_000
	probeUsers     = 10
	probeOrders    = 30              // a full default page
	scaleOrderStep = 2 * time.Second // mock time between orders, and between sessions
	// With sessions waiting 30 minutes and one every 2 s, about 900 wait at any time in both
	// sandboxes: the comparison isolates the sandbox's size from the number of open sessions.
)

// scaleRun is what one sandbox measured.
type scaleRun struct {
	orders          int
	samples         int
	build           time.Duration
	bytesPerOrder   float64
	bytesPerSession float64
	list            []time.Duration // page of 30 of a user with 30 orders
	sessions        []time.Duration // the sessions of one order
	heavyOwn        int             // orders of the busiest non-probe user
	heavyList       []time.Duration // first page of 30 of that user, when they have 30
}

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// timeCalls runs f n times and returns each call's duration, sorted.
func timeCalls(t *testing.T, n int, f func(i int) error) []time.Duration {
	t.Helper()
	out := make([]time.Duration, n)
	for i := range n {
		t0 := time.Now()
		err := f(i)
		out[i] = time.Since(t0)
		require.NoError(t, err, "call %d", i)
	}
	slices.Sort(out)
	return out
}

// measureScale fills a sandbox of 1,000 users with total orders, each followed later by a
// payment session, the way a long-lived sandbox fills: probe users hold exactly 30 orders in
// every sandbox, the rest is spread over the other users. It then times reads by probe users.
func measureScale(t *testing.T, total, samples int) scaleRun {
	t.Helper()
	ctx := context.Background()
	clock := store.NewClock(nil)
	clock.Set(time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC))
	clock.Freeze()
	st := newStore(t, store.Options{Clock: clock})
	users := make([]int, scaleUsers)
	for i := range users {
		u, _, err := st.SignUp(ctx, store.SignUpInput{
			ProviderMarker: "email",
			Credentials:    creds("scale-"+strconv.Itoa(i)+"@example.test", "scale-password"),
		})
		require.NoError(t, err)
		users[i] = u.ID
	}
	probes, others := users[:probeUsers], users[probeUsers:]
	owners := make([]int32, total)
	ids := make([]int32, total)
	probeOrderIDs := make([]int, 0, probeUsers*probeOrders)
	stride := total / (probeUsers * probeOrders)
	require.Positive(t, stride, "a sandbox needs at least %d orders", probeUsers*probeOrders)

	start := time.Now()
	before := liveHeap()
	var nextOther int
	for i := range total {
		owner := others[nextOther%len(others)]
		probe := i%stride == 0 && len(probeOrderIDs) < cap(probeOrderIDs)
		if probe {
			owner = probes[len(probeOrderIDs)%probeUsers]
		} else {
			nextOther++
		}
		clock.Advance(scaleOrderStep)
		o, err := st.CreateOrder(ctx, owner, "tickets", ticketOrder(t))
		require.NoError(t, err)
		owners[i], ids[i] = int32(owner), int32(o.ID)
		if probe {
			probeOrderIDs = append(probeOrderIDs, o.ID)
		}
	}
	afterOrders := liveHeap()
	for i := range total {
		clock.Advance(scaleOrderStep)
		_, err := st.CreatePaymentSession(ctx, int(owners[i]), int(ids[i]), store.SessionTypeSession, nil)
		require.NoError(t, err)
	}
	afterSessions := liveHeap()
	run := scaleRun{
		orders:          total,
		samples:         samples,
		build:           time.Since(start),
		bytesPerOrder:   float64(int64(afterOrders)-int64(before)) / float64(total),
		bytesPerSession: float64(int64(afterSessions)-int64(afterOrders)) / float64(total),
	}
	require.Len(t, probeOrderIDs, probeUsers*probeOrders)

	// Warm caches and the allocator the same way in both sandboxes before timing.
	page := store.Page{Limit: probeOrders}
	listProbe := func(i int) error {
		list, n, err := st.Orders(ctx, probes[i%probeUsers], "tickets", page)
		if err == nil && (n != probeOrders || len(list) != probeOrders) {
			err = fmt.Errorf("listed %d of %d orders, want %d", len(list), n, probeOrders)
		}
		return err
	}
	lookupSessions := func(i int) error {
		k := i % len(probeOrderIDs)
		sessions, err := st.PaymentSessionsByOrder(ctx, probes[k%probeUsers], probeOrderIDs[k], nil)
		if err == nil && len(sessions) != 1 {
			err = fmt.Errorf("order %d has %d sessions, want 1", probeOrderIDs[k], len(sessions))
		}
		return err
	}
	timeCalls(t, samples/10, listProbe)
	run.list = timeCalls(t, samples, listProbe)
	timeCalls(t, samples/10, lookupSessions)
	run.sessions = timeCalls(t, samples, lookupSessions)

	heavy := others[0]
	_, run.heavyOwn, _ = st.Orders(ctx, heavy, "tickets", store.Page{Limit: 1})
	if run.heavyOwn >= probeOrders {
		run.heavyList = timeCalls(t, samples, func(int) error {
			_, _, err := st.Orders(ctx, heavy, "tickets", page)
			return err
		})
	}
	runtime.KeepAlive(st)
	return run
}

// TestScale compares a small and a large sandbox. The budgets (list p99 within 2x,
// under 1 KiB per order) are reported, not asserted: timings on a shared runner are noise. The
// assertions guard against an order-of-magnitude regression in memory.
func TestScale(t *testing.T) {
	if testing.Short() {
		t.Skip("fills sandboxes with thousands of orders")
	}
	large, samples := scaleLarge, 1_000
	if v := os.Getenv(scaleOrdersEnv); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(t, err, "%s must be a number of orders", scaleOrdersEnv)
		require.GreaterOrEqual(t, n, scaleSmall, "%s", scaleOrdersEnv)
		large, samples = n, 20_000
	}
	small := measureScale(t, scaleSmall, samples)
	big := measureScale(t, large, samples)

	var b strings.Builder
	fmt.Fprintf(&b, "\n%s calls timed per figure.\n\n", budget.Thousands(int64(samples)))
	fmt.Fprintf(&b, "| One sandbox, %s users | %s orders | %s orders | large ÷ small | Budget |\n", budget.Thousands(int64(scaleUsers)), budget.Thousands(int64(small.orders)), budget.Thousands(int64(big.orders)))
	b.WriteString("|---|--:|--:|--:|---|\n")
	latencyRows := func(name string, s, l []time.Duration, hasBudget bool) {
		for _, q := range []struct {
			name string
			q    float64
		}{{"p50", 0.5}, {"p99", 0.99}} {
			sv, lv := quantile(s, q.q), quantile(l, q.q)
			verdict := ""
			if hasBudget && q.name == "p99" {
				verdict = budget.Verdict(float64(lv) <= 2*float64(sv), "≤ 2x")
			}
			fmt.Fprintf(&b, "| %s %s | %s | %s | %.2fx | %s |\n", name, q.name, budget.Micros(sv), budget.Micros(lv), float64(lv)/float64(max(sv, 1)), verdict)
		}
	}
	latencyRows("Order list (page of 30, user with 30 orders)", small.list, big.list, true)
	latencyRows("Session lookup by order", small.sessions, big.sessions, true)
	fmt.Fprintf(&b, "| Memory per order | %.0f B | %.0f B | %.2fx | %s |\n", small.bytesPerOrder, big.bytesPerOrder,
		big.bytesPerOrder/small.bytesPerOrder, budget.Verdict(big.bytesPerOrder < 1024, "< 1 KiB"))
	fmt.Fprintf(&b, "| Memory per payment session | %.0f B | %.0f B | %.2fx |  |\n", small.bytesPerSession, big.bytesPerSession,
		big.bytesPerSession/small.bytesPerSession)
	fmt.Fprintf(&b, "| Time to create orders and sessions | %v | %v |  |  |\n", small.build.Round(time.Millisecond), big.build.Round(time.Millisecond))
	if big.heavyList != nil {
		fmt.Fprintf(&b, "\nA user with %s orders in the large sandbox lists a page of 30 in %s (p50), %s (p99).\n",
			budget.Thousands(int64(big.heavyOwn)), budget.Micros(quantile(big.heavyList, 0.5)), budget.Micros(quantile(big.heavyList, 0.99)))
	}
	t.Log(b.String())

	for _, run := range []scaleRun{small, big} {
		assert.Less(t, run.bytesPerOrder, 8192.0, "%d orders: bytes per order", run.orders)
		assert.Less(t, run.bytesPerSession, 8192.0, "%d orders: bytes per session", run.orders)
	}
}

// TestSandboxMemory reports what one more sandbox costs: its own store over fixtures that every
// sandbox shares.
func TestSandboxMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the heap")
	}
	const n = 50
	base := newStore(t, store.Options{})
	sandboxes := make([]*store.Store, 0, n)
	before := liveHeap()
	for i := range n {
		sandboxes = append(sandboxes, store.New(store.Options{Fixtures: base.Fixtures(), AppToken: "app-token-" + strconv.Itoa(i), TokenSecret: "secret-" + strconv.Itoa(i)}))
	}
	after := liveHeap()
	perSandbox := float64(int64(after)-int64(before)) / n
	t.Logf("memory per additional sandbox (fixtures shared): %.1f KiB", perSandbox/1024)
	for _, sb := range sandboxes {
		_, err := sb.Authenticate(context.Background(), "email", creds(seedLogin, seedPassword), store.DeviceInfo{})
		require.NoError(t, err, "every sandbox is seeded")
	}
	assert.Less(t, perSandbox, float64(1<<20), "an empty sandbox should not cost a MiB")
}

const (
	seedUserID  = 16
	ticketsItem = `{"type":"entity","marker":"tickets","value":["p-8-10"]}`
)

// ticketOrder returns the seed scenario's order body as the HTTP layer hands it to the store:
// every string and slice freshly allocated, as decoding a request body leaves them.
func ticketOrder(tb testing.TB) store.OrderInput {
	tb.Helper()
	item, ok, err := store.ParseFormDataItem(json.RawMessage(ticketsItem))
	require.NoError(tb, err)
	require.True(tb, ok)
	return store.OrderInput{
		FormIdentifier:           strings.Clone("tickets_form"),
		PaymentAccountIdentifier: strings.Clone("cash"),
		Language:                 strings.Clone("en_US"),
		FormData:                 []store.FormDataItem{item},
		Products:                 []store.OrderLine{{ProductID: 10, Quantity: 1}},
	}
}

// placeOrders places n ticket orders for the seed user and, with sessions, opens a payment
// session for each, left waiting for payment. It returns the last order.
func placeOrders(tb testing.TB, st *store.Store, n int, sessions bool) store.Order {
	tb.Helper()
	ctx, in := context.Background(), ticketOrder(tb)
	var o store.Order
	for range n {
		var err error
		o, err = st.CreateOrder(ctx, seedUserID, "tickets", in)
		require.NoError(tb, err)
		if sessions {
			_, err = st.CreatePaymentSession(ctx, seedUserID, o.ID, store.SessionTypeSession, nil)
			require.NoError(tb, err)
		}
	}
	return o
}

// BenchmarkCreateOrder is the store half of an order create: storage, account, product and
// form-data validation, then the write under the lock. The store keeps every order, so the
// benchmark also shows what growing state costs.
func BenchmarkCreateOrder(b *testing.B) {
	ctx := context.Background()
	b.Run("serial", func(b *testing.B) {
		st := newStore(b, store.Options{})
		in := ticketOrder(b)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := st.CreateOrder(ctx, seedUserID, "tickets", in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		st := newStore(b, store.Options{})
		in := ticketOrder(b)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := st.CreateOrder(ctx, seedUserID, "tickets", in); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkOrders lists a page of 30 of a user's orders, first and last page, for users with 30
// and with 10,000 orders: the cost should follow the page, not the user's history.
func BenchmarkOrders(b *testing.B) {
	ctx := context.Background()
	for _, own := range []int{30, 10_000} {
		b.Run("own="+strconv.Itoa(own), func(b *testing.B) {
			st := newStore(b, store.Options{})
			placeOrders(b, st, own, false)
			for _, pg := range []struct {
				name string
				page store.Page
			}{
				{"first", store.Page{Limit: 30}},
				{"last", store.Page{Offset: own - 30, Limit: 30}},
			} {
				b.Run(pg.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						list, total, err := st.Orders(ctx, seedUserID, "tickets", pg.page)
						if err != nil || total != own || len(list) != 30 {
							b.Fatalf("got %d of %d orders, err %v", len(list), total, err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkPaymentSessionsByOrder is the read-back of the flow: the sessions of one order.
func BenchmarkPaymentSessionsByOrder(b *testing.B) {
	ctx := context.Background()
	st := newStore(b, store.Options{})
	o := placeOrders(b, st, 1, true)
	b.ReportAllocs()
	for b.Loop() {
		sessions, err := st.PaymentSessionsByOrder(ctx, seedUserID, o.ID, nil)
		if err != nil || len(sessions) != 1 {
			b.Fatalf("got %d sessions, err %v", len(sessions), err)
		}
	}
}

// BenchmarkReadWithWaitingSessions reads one order while other payment sessions wait for
// payment. A session waits up to 30 minutes, so under the ticket flow thousands wait at once;
// a read should not pay for each of them.
func BenchmarkReadWithWaitingSessions(b *testing.B) {
	ctx := context.Background()
	for _, waiting := range []int{0, 1_000, 10_000} {
		b.Run("waiting="+strconv.Itoa(waiting), func(b *testing.B) {
			st := newStore(b, store.Options{})
			placeOrders(b, st, waiting, true)
			o := placeOrders(b, st, 1, false)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := st.Order(ctx, seedUserID, "tickets", o.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
