package store_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// memPersister keeps records in maps and logs every change; fail, when set, decides whether
// a Save fails (before anything is applied, as a failed transaction leaves nothing).
type memPersister struct {
	mu      sync.Mutex
	recs    map[store.Kind]map[string][]byte
	changes []store.Change
	fail    func(store.Change) error
}

func newMemPersister() *memPersister {
	return &memPersister{recs: map[store.Kind]map[string][]byte{}}
}

func (m *memPersister) Load(ctx context.Context) ([]store.Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.Record
	for kind, byKey := range m.recs {
		for k, v := range byKey {
			out = append(out, store.Record{Kind: kind, Key: k, Value: slices.Clone(v)})
		}
	}
	return out, nil
}

func (m *memPersister) Save(ctx context.Context, c store.Change) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		if err := m.fail(c); err != nil {
			return err
		}
	}
	m.changes = append(m.changes, c)
	if c.Replace {
		m.recs = map[store.Kind]map[string][]byte{}
	}
	for _, r := range c.Records {
		if m.recs[r.Kind] == nil {
			m.recs[r.Kind] = map[string][]byte{}
		}
		if r.Value == nil {
			delete(m.recs[r.Kind], r.Key)
		} else {
			m.recs[r.Kind][r.Key] = slices.Clone(r.Value)
		}
	}
	return nil
}

func (m *memPersister) setFail(f func(store.Change) error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fail = f
}

func (m *memPersister) lastChange() store.Change {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.changes[len(m.changes)-1]
}

func (m *memPersister) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.changes)
}

func (m *memPersister) put(kind store.Kind, key string, value []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.recs[kind] == nil {
		m.recs[kind] = map[string][]byte{}
	}
	m.recs[kind][key] = value
}

func keysOf(c store.Change) []string {
	var out []string
	for _, r := range c.Records {
		op := "put"
		if r.Value == nil {
			op = "del"
		}
		out = append(out, op+" "+string(r.Kind)+"/"+r.Key)
	}
	return out
}

var errDiskFull = errors.New("disk full")

func openPersisted(t testing.TB, p store.Persister, clock *store.Clock) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{Fixtures: seatFixtures(t), Clock: clock, Persist: p})
	require.NoError(t, err)
	return st
}

// plainOrder books no slot, so any number of them fit.
func plainOrder(t testing.TB) store.OrderInput {
	in := stateOrder(t, "cash", 1)
	in.FormData = in.FormData[:1]
	return in
}

func TestOpenSavesSeedThenRestoresEveryChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newMemPersister()
	st := openPersisted(t, p, frozenClock())
	require.Equal(t, 1, p.count())
	assert.True(t, p.lastChange().Replace, "a first start saves the seeded state whole")

	busyState(t, st)
	// busyState ends by moving the clock; the admin clock call sweeps after that, which saves it.
	require.NoError(t, st.SweepExpired(ctx))
	want := exportJSON(t, st)

	// Restarting on the saved records gives the same state, down to the clock.
	again := openPersisted(t, p, store.NewClock(nil))
	assert.Equal(t, want, exportJSON(t, again))
	left, _, err := again.SeatsLeft("tickets", stateSlot)
	require.NoError(t, err)
	assert.Equal(t, 7, left)
	o, err := again.CreateOrder(ctx, 16, "tickets", stateOrder(t, "cash", 1))
	require.NoError(t, err)
	assert.Equal(t, st.Export(ctx).Counters.NextOrderID, o.ID, "ids continue where they stopped")
}

func TestEachMutationSavesOnlyWhatItTouched(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newMemPersister()
	st := openPersisted(t, p, frozenClock())
	var last store.Order
	for range 50 {
		o, err := st.CreateOrder(ctx, 16, "tickets", plainOrder(t))
		require.NoError(t, err)
		last = o
	}
	assert.Equal(t, []string{"put meta/state", "put orders/" + strconv.Itoa(last.ID)}, keysOf(p.lastChange()),
		"creating an order writes that order and the counters, whatever the store holds")

	tk, err := st.Authenticate(ctx, "email", creds("your-user@email.com", "123456"), store.DeviceInfo{})
	require.NoError(t, err)
	assert.Equal(t, []string{"put authSessions/1", "put meta/state"}, keysOf(p.lastChange()))
	require.NoError(t, st.Logout(ctx, 16, "email", tk.RefreshToken))
	assert.Equal(t, []string{"del authSessions/1", "put meta/state"}, keysOf(p.lastChange()))

	n := p.count()
	_, err = st.Order(ctx, 16, "tickets", last.ID)
	require.NoError(t, err)
	require.NoError(t, st.SweepExpired(ctx))
	_, err = st.Authenticate(ctx, "email", creds("your-user@email.com", "wrong"), store.DeviceInfo{})
	require.Error(t, err)
	_, err = st.CreateOrder(ctx, 16, "tickets", stateOrder(t, "cash", 11))
	require.Equal(t, store.CodeConflict, codeOf(err))
	assert.Equal(t, n, p.count(), "reads, idle sweeps and refused calls save nothing")

	st.Clock().Advance(time.Hour)
	require.NoError(t, st.SweepExpired(ctx))
	assert.Equal(t, []string{"put meta/state"}, keysOf(p.lastChange()), "a clock change is saved by the next sweep")
	again := openPersisted(t, p, store.NewClock(nil))
	assert.Equal(t, st.Now(), again.Now())
}

func TestFailedSaveUndoesTheChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := newMemPersister()
	var events []store.Event
	listening := false
	st, err := store.Open(ctx, store.Options{Fixtures: seatFixtures(t), Clock: frozenClock(), Persist: p, OnEvent: func(e store.Event) {
		if listening {
			events = append(events, e)
		}
	}})
	require.NoError(t, err)
	o, err := st.CreateOrder(ctx, 16, "tickets", stateOrder(t, "stripe", 4))
	require.NoError(t, err)
	ps, err := st.CreatePaymentSession(ctx, 16, o.ID, store.SessionTypeSession, func(token string) string { return "http://pay/" + token })
	require.NoError(t, err)
	tk, err := st.Authenticate(ctx, "email", creds("your-user@email.com", "123456"), store.DeviceInfo{})
	require.NoError(t, err)
	_, err = st.GenerateCode(ctx, "email", "your-user@email.com", "reg")
	require.NoError(t, err)
	listening = true
	before := exportJSON(t, st)

	p.setFail(func(store.Change) error { return errDiskFull })
	calls := map[string]func() error{
		"create order": func() error {
			_, err := st.CreateOrder(ctx, 17, "tickets", stateOrder(t, "cash", 2))
			return err
		},
		"update order": func() error {
			// The same products: a session waits, so only the rest may change.
			_, err := st.UpdateOrder(ctx, 16, "tickets", o.ID, stateOrder(t, "cash", 4))
			return err
		},
		"cancel payment": func() error {
			_, _, err := st.ApplyPaymentAction(ctx, ps.ID, store.ActionCancel)
			return err
		},
		"complete payment": func() error {
			_, _, err := st.ApplyPaymentAction(ctx, ps.ID, store.ActionComplete)
			return err
		},
		"open payment": func() error {
			_, err := st.CreatePaymentSession(ctx, 16, o.ID, store.SessionTypeSession, nil)
			return err
		},
		"sign up": func() error {
			_, _, err := st.SignUp(ctx, store.SignUpInput{ProviderMarker: "email", Credentials: creds("x@example.com", "pw"), FormData: []store.FormDataItem{mustItem(t, `{"marker":"name_reg","type":"string","value":"X"}`)}})
			return err
		},
		"refresh": func() error {
			_, err := st.Refresh(ctx, "email", tk.RefreshToken)
			return err
		},
		"logout all": func() error { return st.LogoutAll(ctx, 16, "email") },
		"replace code": func() error {
			_, err := st.GenerateCode(ctx, "email", "your-user@email.com", "reg")
			return err
		},
		"new code": func() error {
			_, err := st.GenerateCode(ctx, "email", "your-user@email.com", "reset")
			return err
		},
		"reset": func() error { return st.Reset(ctx) },
		"import": func() error {
			doc := st.Export(ctx)
			doc.Orders = nil
			doc.PaymentSessions = nil
			return st.Import(ctx, doc)
		},
		"expire by reading": func() error {
			st.Clock().Advance(time.Hour)
			_, err := st.PaymentSession(ctx, 16, ps.ID)
			return err
		},
	}
	for name, call := range calls {
		err := call()
		require.ErrorIs(t, err, errDiskFull, name)
		var e *store.Error
		assert.False(t, errors.As(err, &e), "%s: a failed save is an internal error, not the caller's", name)
		assert.Equal(t, before, exportJSON(t, st), "%s: memory must not hold what the disk does not", name)
	}
	assert.Empty(t, events, "no event announces a change that was undone")
	left, _, err := st.SeatsLeft("tickets", stateSlot)
	require.NoError(t, err)
	assert.Equal(t, 6, left, "seat usage was rebuilt to match")

	p.setFail(nil)
	_, err = st.Refresh(ctx, "email", tk.RefreshToken)
	require.NoError(t, err, "the refresh token of the undone refresh still works")
	got, err := st.PaymentSession(ctx, 16, ps.ID)
	require.NoError(t, err)
	assert.Equal(t, store.StatusWaiting, got.Status)
	again, err := st.CreateOrder(ctx, 17, "tickets", stateOrder(t, "cash", 2))
	require.NoError(t, err)
	assert.Equal(t, o.ID+1, again.ID, "an id of an undone order was never acknowledged, so it is handed out again")
	restarted := openPersisted(t, p, store.NewClock(nil))
	assert.Equal(t, exportJSON(t, st), exportJSON(t, restarted))
}

func TestFailedClockSaveRestoresTheClock(t *testing.T) {
	t.Parallel()
	p := newMemPersister()
	st := openPersisted(t, p, frozenClock())
	was := st.Now()
	p.setFail(func(store.Change) error { return errDiskFull })
	st.Clock().Advance(time.Hour)
	require.ErrorIs(t, st.SweepExpired(context.Background()), errDiskFull)
	assert.Equal(t, was, st.Now())
}

func TestOpenRefusesSavedStateItCannotRead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	seedRecords := func(t *testing.T) *memPersister {
		p := newMemPersister()
		st := openPersisted(t, p, frozenClock())
		_, err := st.CreateOrder(ctx, 16, "tickets", stateOrder(t, "cash", 1))
		require.NoError(t, err)
		return p
	}
	tests := map[string]struct {
		edit func(p *memPersister)
		want string
	}{
		"undecodable record": {func(p *memPersister) { p.put(store.KindUser, "16", []byte(`{"id":16,`)) }, "record users/16"},
		"unknown field":      {func(p *memPersister) { p.put(store.KindUser, "99", []byte(`{"id":99,"nickname":"x"}`)) }, "record users/99"},
		"key not its id":     {func(p *memPersister) { p.put(store.KindUser, "99", p.recs[store.KindUser]["16"]) }, "record users/99"},
		"unknown kind":       {func(p *memPersister) { p.put("widgets", "1", []byte(`{}`)) }, `"widgets"`},
		"bytes not UTF-8": {func(p *memPersister) {
			p.put(store.KindUser, "16", bytes.Replace(p.recs[store.KindUser]["16"], []byte("Ivan"), []byte("Iva\xff"), 1))
		}, "record users/16: invalid UTF-8 at byte"},
		"no header": {func(p *memPersister) { delete(p.recs, store.KindMeta) }, "never completely written"},
		"newer version": {func(p *memPersister) {
			p.put(store.KindMeta, store.MetaKey, []byte(`{"format":"oneentry-mock-state","version":2,"clock":{"offset":"0s","frozenAt":null},"counters":{}}`))
		}, "version 2"},
		"dangling reference": {func(p *memPersister) { delete(p.recs[store.KindUser], "16") }, "userId"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := seedRecords(t)
			tc.edit(p)
			n := p.count()
			_, err := store.Open(ctx, store.Options{Fixtures: seatFixtures(t), Persist: p})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Equal(t, n, p.count(), "a refused state is never overwritten")
		})
	}
}

func TestOpenReportsLoadAndFirstSaveErrors(t *testing.T) {
	t.Parallel()
	p := newMemPersister()
	p.setFail(func(store.Change) error { return errDiskFull })
	_, err := store.Open(context.Background(), store.Options{Fixtures: seatFixtures(t), Persist: p})
	require.ErrorIs(t, err, errDiskFull)
}

func TestNewRefusesPersister(t *testing.T) {
	t.Parallel()
	assert.Panics(t, func() { store.New(store.Options{Fixtures: seatFixtures(t), Persist: newMemPersister()}) })
}

func TestStoresOverSharedFixturesPersistApart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	parentLog, childLog := newMemPersister(), newMemPersister()
	parent := openPersisted(t, parentLog, nil)
	fx := parent.Fixtures()
	plain := store.New(store.Options{Fixtures: fx, AppToken: "plain", TokenSecret: "plain-secret"})
	_, err := plain.CreateOrder(ctx, 16, "tickets", stateOrder(t, "cash", 1))
	require.NoError(t, err)
	assert.Equal(t, 1, parentLog.count(), "an in-memory store does not write to another's persister")

	open := func() *store.Store {
		st, err := store.Open(ctx, store.Options{Fixtures: fx, AppToken: "child", TokenSecret: "child-secret", Persist: childLog})
		require.NoError(t, err)
		return st
	}
	o, err := open().CreateOrder(ctx, 16, "tickets", stateOrder(t, "cash", 1))
	require.NoError(t, err)
	assert.Equal(t, 2, childLog.count())
	assert.Equal(t, 1, parentLog.count())

	back := open()
	got, err := back.Order(ctx, 16, "tickets", o.ID)
	require.NoError(t, err)
	assert.Equal(t, o.ID, got.ID)
	assert.Equal(t, "child", back.AppToken())
}
