package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store/bolt"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
	"github.com/oneentry-mock/oneentry-mock/webhook"
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
	claims, o := placeOrder(t, st)
	_, err = st.CreatePaymentSession(t.Context(), claims.ID, o.ID, store.SessionTypeSession, func(string) string { return "" })
	require.NoError(t, err)
	require.NotEmpty(t, events)
	for _, got := range from {
		assert.Same(t, sb, got, "events name the sandbox they happened in")
	}
}

// placeOrder signs the fixtures' first user in and places a ticket order for them.
func placeOrder(t *testing.T, st *store.Store) (store.Claims, store.Order) {
	t.Helper()
	ctx := t.Context()
	user := st.Fixtures().Users[0]
	tk, err := st.Authenticate(ctx, "email", store.Credentials{Values: map[string]string{"email_reg": user.Identifier, "password_reg": user.Password}}, store.DeviceInfo{})
	require.NoError(t, err)
	claims, err := st.VerifyAccessToken(ctx, tk.AccessToken)
	require.NoError(t, err)
	item, _, err := store.ParseFormDataItem([]byte(`{"marker":"tickets","type":"entity","value":["p-8-10"]}`))
	require.NoError(t, err)
	o, err := st.CreateOrder(ctx, claims.ID, "tickets", store.OrderInput{
		FormIdentifier: "tickets_form", PaymentAccountIdentifier: "cash",
		FormData: []store.FormDataItem{item}, Products: []store.OrderLine{{ProductID: 10, Quantity: 1}},
	})
	require.NoError(t, err)
	return claims, o
}

// holdingTransport holds every request until the test lets one go (one) or all of them
// (all), or the request ends; each request that reaches it is reported on started. It counts
// the requests in flight and the most there were at once.
type holdingTransport struct {
	started  chan struct{}
	one, all chan struct{}
	mu       sync.Mutex
	cur, max int
}

func (h *holdingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.cur++
	h.max = max(h.max, h.cur)
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		h.cur--
		h.mu.Unlock()
	}()
	h.started <- struct{}{}
	select {
	case <-h.one:
	case <-h.all:
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
	return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Body: http.NoBody, Header: http.Header{}, Request: r}, nil
}

func (h *holdingTransport) inFlight() (cur, most int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cur, h.max
}

// A sandbox sends at most eight webhooks at once (docs/checkout.md, docs/security.md): to a
// receiver that holds every request, eight go out together and the ninth waits until one of
// them ends.
func TestASandboxSendsEightWebhooksAtOnce(t *testing.T) {
	t.Parallel()
	rt := &holdingTransport{started: make(chan struct{}, 32), one: make(chan struct{}), all: make(chan struct{})}
	reg := newRegistry(t, sandbox.Options{WebhookClient: &http.Client{Transport: rt}})
	t.Cleanup(func() { close(rt.all) })
	sb := reg.Default()
	for range 9 {
		sb.SendWebhook(webhook.Delivery{URL: "http://receiver.test/hooks", Secret: []byte("whsec_test"), Event: "payment.session.completed", Body: []byte(`{}`)})
	}
	// The deadline only keeps a dispatcher with fewer senders from hanging the test.
	deadline := time.After(30 * time.Second)
	waitStarted := func(what string) {
		t.Helper()
		select {
		case <-rt.started:
		case <-deadline:
			cur, _ := rt.inFlight()
			t.Fatalf("%s never went out; %d deliveries are in flight", what, cur)
		}
	}
	for i := range 8 {
		waitStarted(fmt.Sprintf("delivery %d of the first eight", i+1))
	}
	cur, _ := rt.inFlight()
	assert.Equal(t, 8, cur, "eight deliveries in flight at once")
	rt.one <- struct{}{}
	waitStarted("the ninth, once a sender was free,")
	_, most := rt.inFlight()
	assert.Equal(t, 8, most, "the ninth waited for a sender")
}

// A store a reset to reloaded fixtures or a removal has replaced saves nothing more: a request
// still holding it completes without error, and neither the sandbox's next store nor a removed
// sandbox finds its writes on disk at the next start.
func TestReplacedStoresSaveNothing(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir, db, fx, reg := openPersistentRegistry(t)
	creds := store.Credentials{Values: map[string]string{"email_reg": "your-user@email.com", "password_reg": "123456"}}

	kept, err := reg.Create(ctx)
	require.NoError(t, err)
	gone, err := reg.Create(ctx)
	require.NoError(t, err)
	keptOld, goneOld := kept.Store(), gone.Store()

	reloaded, err := store.LoadFixtures(fixtures.FS)
	require.NoError(t, err)
	require.NoError(t, reg.Reload(reloaded))
	require.NoError(t, kept.Reset(ctx))
	require.NotSame(t, keptOld, kept.Store(), "reloaded fixtures make a new store")
	removed, err := reg.Remove(ctx, gone.Token())
	require.NoError(t, err)
	require.True(t, removed)
	assert.Error(t, gone.Reset(ctx), "a removed sandbox is not reset back onto disk")

	_, err = keptOld.Authenticate(ctx, "email", creds, store.DeviceInfo{})
	assert.NoError(t, err, "a request holding the replaced store completes")
	_, err = goneOld.Authenticate(ctx, "email", creds, store.DeviceInfo{})
	assert.NoError(t, err, "and one holding a removed sandbox's store")
	want := kept.Store().Export(ctx)

	again := restart(t, reg, db, dir, fx)
	assert.Nil(t, again.Lookup(gone.Token()), "the removed sandbox stays removed")
	restored := again.Lookup(kept.Token())
	require.NotNil(t, restored)
	got := restored.Store().Export(ctx)
	assert.Empty(t, want.AuthSessions)
	assert.Equal(t, want.AuthSessions, got.AuthSessions, "the saved state is the new store's alone")
	assert.Equal(t, want.Counters, got.Counters)
}

// openDataDir opens a data dir of its own and the default fixtures.
func openDataDir(t *testing.T) (string, *bolt.DB, *store.Fixtures) {
	t.Helper()
	dir := t.TempDir()
	db, err := bolt.Open(dir)
	require.NoError(t, err)
	fx, err := store.LoadFixtures(fixtures.FS)
	require.NoError(t, err)
	return dir, db, fx
}

// openPersistentRegistry opens a registry of the default fixtures over a data dir of its own.
func openPersistentRegistry(t *testing.T) (string, *bolt.DB, *store.Fixtures, *sandbox.Registry) {
	t.Helper()
	dir, db, fx := openDataDir(t)
	reg, err := sandbox.New(t.Context(), sandbox.Options{Fixtures: fx, Persistence: db})
	require.NoError(t, err)
	return dir, db, fx, reg
}

// restart closes reg and its data dir, then opens them again, as the next start does.
func restart(t *testing.T, reg *sandbox.Registry, db *bolt.DB, dir string, fx *store.Fixtures) *sandbox.Registry {
	t.Helper()
	ctx := t.Context()
	require.NoError(t, reg.Close(ctx))
	require.NoError(t, db.Close())
	db, err := bolt.Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	again, err := sandbox.New(ctx, sandbox.Options{Fixtures: fx, Persistence: db})
	require.NoError(t, err)
	t.Cleanup(func() { _ = again.Close(ctx) })
	return again
}

// The journals of all sandboxes share one bound: adding past it drops the oldest entries of
// the journal holding the most, and a removed sandbox's journal gives its bytes back and keeps
// nothing more.
func TestJournalsShareOneBound(t *testing.T) {
	t.Parallel()
	entry := sandbox.Entry{Method: "POST", Path: "/x", Status: 201, RawRequest: bytes.Repeat([]byte("x"), 10<<10)}
	share := sandbox.NewJournalShare(100 << 10)
	a, b := sandbox.NewJournal(1000, share), sandbox.NewJournal(1000, share)
	for range 8 {
		a.Add(entry)
	}
	for range 20 {
		b.Add(entry)
	}
	assert.Less(t, a.Count(sandbox.Filter{})+b.Count(sandbox.Filter{}), 11, "about 100 KiB of 10 KiB entries in all")
	assert.InDelta(t, a.Count(sandbox.Filter{}), b.Count(sandbox.Filter{}), 1, "the larger journal gives way, so the two end even")
	a.Close()
	a.Add(entry)
	assert.Zero(t, a.Count(sandbox.Filter{}))
	for range 20 {
		b.Add(entry)
	}
	assert.GreaterOrEqual(t, b.Count(sandbox.Filter{}), 8, "a closed journal's share is free for the others")
}

// A busy sandbox's requests do not push a quiet one's out of its journal: with the journals'
// share spent by one sandbox, another's ten requests all stay, and the busy one gives way.
func TestBusySandboxDoesNotEmptyAQuietOnesJournal(t *testing.T) {
	t.Parallel()
	// A memory limit of 64 MiB gives the journals 16 MiB; the heap reading is the test's own.
	reg := newRegistry(t, sandbox.Options{MaxMemoryBytes: 64 << 20, LiveHeapBytes: func() uint64 { return 1 << 20 }})
	busy, err := reg.Create(t.Context())
	require.NoError(t, err)
	quiet, err := reg.Create(t.Context())
	require.NoError(t, err)
	busyRequest := sandbox.Entry{Method: "POST", Path: "/api/content/products/all", Status: 200,
		RawRequest: bytes.Repeat([]byte("x"), 60_000), RawResponse: []byte(`{"items":[],"total":0}`)}
	for range 400 {
		busy.Journal().Add(busyRequest)
	}
	assert.Less(t, busy.Journal().Count(sandbox.Filter{}), 400, "the busy sandbox alone spends the share")
	for range 10 {
		quiet.Journal().Add(sandbox.Entry{Method: "GET", Path: "/api/content/pages", Status: 200, RawResponse: []byte(`[]`)})
	}
	for range 100 {
		busy.Journal().Add(busyRequest)
	}
	assert.Equal(t, 10, quiet.Journal().Count(sandbox.Filter{}), "the quiet sandbox keeps all its requests")
	assert.LessOrEqual(t, busy.Journal().Count(sandbox.Filter{})*60_000, 16<<20, "the share still bounds the journals")
}

// The journals of a registry share a quarter of its memory limit.
func TestRegistryJournalsShareAQuarterOfTheMemoryLimit(t *testing.T) {
	t.Parallel()
	// The heap reading is the test's own: the process's would count the parallel tests' too.
	reg := newRegistry(t, sandbox.Options{MaxMemoryBytes: 4 << 20, LiveHeapBytes: func() uint64 { return 1 << 20 }})
	other, err := reg.Create(t.Context())
	require.NoError(t, err)
	entry := sandbox.Entry{Method: "POST", Path: "/x", Status: 201, RawRequest: bytes.Repeat([]byte("x"), 10<<10)}
	for range 200 {
		reg.Default().Journal().Add(entry)
		other.Journal().Add(entry)
	}
	held := reg.Default().Journal().Count(sandbox.Filter{}) + other.Journal().Count(sandbox.Filter{})
	assert.LessOrEqual(t, held*10<<10, (1<<20)+(20<<10), "about 1 MiB of 10 KiB entries")
	assert.Greater(t, held*10<<10, 3<<18, "and most of it used")
}

// failingSaves is a data dir whose saves can be made to fail, as a full disk fails them:
// once failing, it takes room more saves, then refuses the rest.
type failingSaves struct {
	*bolt.DB
	failing atomic.Bool
	room    atomic.Int64
}

func (f *failingSaves) Sandbox(appToken, tokenSecret string, created time.Time) (store.Persister, error) {
	p, err := f.DB.Sandbox(appToken, tokenSecret, created)
	return failingPersister{p, f}, err
}

type failingPersister struct {
	store.Persister
	disk *failingSaves
}

func (p failingPersister) Save(ctx context.Context, c store.Change) error {
	if p.disk.failing.Load() && p.disk.room.Add(-1) < 0 {
		return errors.New("no space left on device")
	}
	return p.Persister.Save(ctx, c)
}

// onFailingDisk is a registry over a data dir whose saves can be made to fail, and a sandbox
// it made.
type onFailingDisk struct {
	dir  string
	db   *bolt.DB
	fx   *store.Fixtures
	disk *failingSaves
	reg  *sandbox.Registry
	sb   *sandbox.Sandbox
}

func openOnFailingDisk(t *testing.T) onFailingDisk {
	t.Helper()
	d := onFailingDisk{}
	d.dir, d.db, d.fx = openDataDir(t)
	d.disk = &failingSaves{DB: d.db}
	var err error
	d.reg, err = sandbox.New(t.Context(), sandbox.Options{Fixtures: d.fx, Persistence: d.disk})
	require.NoError(t, err)
	d.sb, err = d.reg.Create(t.Context())
	require.NoError(t, err)
	return d
}

// restart closes the registry and opens the data dir again, as a new process would.
func (d onFailingDisk) restart(t *testing.T) *sandbox.Registry {
	return restart(t, d.reg, d.db, d.dir, d.fx)
}

// A reset to reloaded fixtures that cannot be saved changes nothing: the sandbox keeps its
// store, which goes on saving, so what it acknowledges afterwards is still there at the next
// start. Whichever of the reset's saves the disk refuses, nothing acknowledged is lost.
func TestAResetThatCannotBeSavedKeepsTheSandboxSaving(t *testing.T) {
	t.Parallel()
	for room := range 3 {
		t.Run(fmt.Sprintf("the disk fills after %d saves", room), func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			d := openOnFailingDisk(t)
			reg, sb, disk := d.reg, d.sb, d.disk
			before := sb.Store()

			reloaded, err := store.LoadFixtures(fixtures.FS)
			require.NoError(t, err)
			require.NoError(t, reg.Reload(reloaded))
			disk.room.Store(int64(room))
			disk.failing.Store(true)
			err = sb.Reset(ctx)
			if room == 0 {
				require.ErrorContains(t, err, "no space left on device")
			}
			if err != nil {
				assert.Same(t, before, sb.Store(), "the sandbox keeps the store whose state is on disk")
			}
			disk.failing.Store(false)

			creds := store.Credentials{Values: map[string]string{"email_reg": "your-user@email.com", "password_reg": "123456"}}
			_, err = sb.Store().Authenticate(ctx, "email", creds, store.DeviceInfo{})
			require.NoError(t, err)
			want := sb.Store().Export(ctx)
			require.Len(t, want.AuthSessions, 1)

			again := d.restart(t)
			restored := again.Lookup(sb.Token())
			require.NotNil(t, restored)
			assert.Equal(t, want.AuthSessions, restored.Store().Export(ctx).AuthSessions, "the sign-in after the reset was saved")
		})
	}
}

// A reset puts the clock back to real time, to the reloaded fixtures too, so that a test that
// moved or froze it leaves the next none of that; one that cannot be saved leaves it as it was.
func TestAResetPutsTheClockBackToRealTime(t *testing.T) {
	t.Parallel()
	for _, reload := range []bool{false, true} {
		t.Run(fmt.Sprintf("reload %v", reload), func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			d := openOnFailingDisk(t)
			reg, sb, disk := d.reg, d.sb, d.disk
			frozen := true
			require.NoError(t, sb.SetClock(ctx, sandbox.ClockInput{Set: "2025-05-01T09:00:00Z", Freeze: &frozen}))
			if reload {
				reloaded, err := store.LoadFixtures(fixtures.FS)
				require.NoError(t, err)
				require.NoError(t, reg.Reload(reloaded))
			}
			stopped := time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)

			disk.failing.Store(true)
			require.ErrorContains(t, sb.Reset(ctx), "no space left on device")
			assert.True(t, sb.Store().Clock().Frozen(), "a failed reset changes nothing")
			assert.Equal(t, stopped, sb.Store().Now())
			disk.failing.Store(false)

			require.NoError(t, sb.Reset(ctx))
			assert.False(t, sb.Store().Clock().Frozen())
			assert.WithinDuration(t, time.Now(), sb.Store().Now(), time.Minute)
			again := d.restart(t)
			assert.Equal(t, store.ClockState{Offset: "0s"}, again.Lookup(sb.Token()).Store().Export(ctx).Clock, "saved so")
		})
	}
}

// A sandbox whose first state cannot be saved is not made, and does not come back at the
// next start either.
func TestASandboxThatCannotBeSavedIsNotMade(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir, db, fx := openDataDir(t)
	disk := &failingSaves{DB: db}
	reg, err := sandbox.New(ctx, sandbox.Options{Fixtures: fx, Persistence: disk, MaxSandboxes: 2})
	require.NoError(t, err)
	disk.failing.Store(true)
	_, err = reg.Create(ctx)
	require.ErrorContains(t, err, "no space left on device")
	assert.Len(t, reg.All(), 1)

	again := restart(t, reg, db, dir, fx)
	assert.Len(t, again.All(), 1, "only the default sandbox was made")
	_, err = again.Create(ctx)
	assert.NoError(t, err, "the failed one takes no place under MaxSandboxes")
}

// Every field a state document's Go types write is a property of the admin contract's
// StateDocument, at every depth: the import holds a document to that schema, so a field the
// schema lacks would make every export that carries it one no import takes back.
func TestStateDocumentSchemaKnowsEveryField(t *testing.T) {
	t.Parallel()
	doc, err := contracts.LoadAdmin(t.Context())
	require.NoError(t, err)
	var walk func(typ reflect.Type, schema *openapi3.Schema, at string)
	walk = func(typ reflect.Type, schema *openapi3.Schema, at string) {
		for typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		switch {
		case typ == reflect.TypeFor[time.Time](), typ == reflect.TypeFor[json.RawMessage](), schema == nil,
			typ.Implements(reflect.TypeFor[json.Marshaler]()): // written its own way, as its schema says
		case typ.Kind() == reflect.Slice:
			if schema.Items != nil {
				walk(typ.Elem(), schema.Items.Value, at+"[]")
			}
		case typ.Kind() == reflect.Struct:
			for f := range typ.Fields() {
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				switch {
				case name == "-" || !f.IsExported():
					continue
				case f.Anonymous && name == "": // its fields are the record's own
					walk(f.Type, schema, at)
					continue
				case name == "":
					name = f.Name
				}
				prop, ok := schema.Properties[name]
				if !assert.True(t, ok, "%s.%s is written by the export but not in the schema", at, name) {
					continue
				}
				walk(f.Type, prop.Value, at+"."+name)
			}
		}
	}
	walk(reflect.TypeFor[store.StateDocument](), doc.Components.Schemas["StateDocument"].Value, "StateDocument")
}

// An export saved by an editor that starts UTF-8 files with a byte order mark (Notepad,
// PowerShell 5.1) imports as the export itself does.
func TestImportTakesAStateDocumentWithAByteOrderMark(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	reg := newRegistry(t, sandbox.Options{})
	other, err := reg.Create(ctx)
	require.NoError(t, err)
	other.Store().Clock().Freeze()
	data, err := json.Marshal(other.Store().Export(ctx))
	require.NoError(t, err)

	require.NoError(t, reg.Default().ImportState(ctx, bytes.NewReader(append([]byte("\ufeff"), data...))))
	assert.NotNil(t, reg.Default().Store().Export(ctx).Clock.FrozenAt, "the document's frozen clock")
}

// A state document whose clock stands past a waiting session's deadline expires the session
// as it is imported, as a move of the clock does, so no change after it sees the session open.
func TestImportExpiresOverdueSessions(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	reg := newRegistry(t, sandbox.Options{Profile: sandbox.ProfileSDK115})
	sb := reg.Default()
	st := sb.Store()
	st.Clock().Freeze()
	tickets, _, err := store.ParseFormDataItem(json.RawMessage(`{"marker":"tickets","type":"entity","value":["p-8-10"]}`))
	require.NoError(t, err)
	o, err := st.CreateOrder(ctx, 16, "tickets", store.OrderInput{
		FormIdentifier:           "tickets_form",
		PaymentAccountIdentifier: "stripe",
		FormData:                 []store.FormDataItem{tickets},
		Products:                 []store.OrderLine{{ProductID: 10, Quantity: 1}},
	})
	require.NoError(t, err)
	ps, err := st.CreatePaymentSession(ctx, 16, o.ID, store.SessionTypeSession, func(token string) string { return "http://mock/checkout/" + token })
	require.NoError(t, err)
	doc := st.Export(ctx)
	later := doc.Clock.FrozenAt.Add(time.Hour)
	doc.Clock.FrozenAt = &later
	data, err := json.Marshal(doc)
	require.NoError(t, err)

	require.NoError(t, sb.ImportState(ctx, bytes.NewReader(data)))
	after := st.Export(ctx)
	require.Len(t, after.PaymentSessions, 1)
	assert.Equal(t, store.StatusExpired, after.PaymentSessions[0].Status)
	assert.Equal(t, ps.ExpiresAt, after.PaymentSessions[0].UpdatedDate)
}

// State imports are read one at a time over every sandbox: while one document is still
// arriving, another sandbox's import waits unread, and an import that gives up waiting
// changes nothing.
func TestStateImportsAreReadOneAtATime(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	reg := newRegistry(t, sandbox.Options{})
	first := reg.Default()
	second, err := reg.Create(ctx)
	require.NoError(t, err)
	doc, err := json.Marshal(first.Store().Export(ctx))
	require.NoError(t, err)

	arriving, send := io.Pipe()
	firstDone := make(chan error, 1)
	go func() { firstDone <- first.ImportState(ctx, arriving) }()
	_, err = send.Write(doc[:1]) // the first import is reading
	require.NoError(t, err)

	waiting := &readSignal{r: bytes.NewReader(doc), read: make(chan struct{})}
	secondDone := make(chan error, 1)
	go func() { secondDone <- second.ImportState(ctx, waiting) }()
	gaveUp, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorContains(t, second.ImportState(gaveUp, bytes.NewReader(nil)), "given up waiting")
	select {
	case <-waiting.read:
		t.Fatal("the second import read while the first was still arriving")
	case <-time.After(100 * time.Millisecond): // long enough for an import let through to read
	}

	_, err = send.Write(doc[1:])
	require.NoError(t, err)
	require.NoError(t, send.Close())
	require.NoError(t, <-firstDone)
	require.NoError(t, <-secondDone)
	assert.Equal(t, first.Store().Export(ctx), second.Store().Export(ctx))
}

// readSignal closes read at its first Read.
type readSignal struct {
	r    io.Reader
	read chan struct{}
	once sync.Once
}

func (s *readSignal) Read(p []byte) (int, error) {
	s.once.Do(func() { close(s.read) })
	return s.r.Read(p)
}

// After the fixtures' app token changes between two starts on one data dir, the default
// sandbox (the new token's) is still listed first, though the old token's sandbox, which
// comes back with its state as an ordinary removable one, was made before it.
func TestDefaultSandboxIsListedFirstAfterTheAppTokenChanges(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir, db, _, reg := openPersistentRegistry(t)
	old := reg.Default()
	claims, order := placeOrder(t, old.Store())
	created, err := reg.Create(ctx)
	require.NoError(t, err)

	files := fixtures.Copy()
	project := string(files[store.FileProject].Data)
	require.Contains(t, project, `"appToken": "your-app-token"`)
	files[store.FileProject] = &fstest.MapFile{Data: []byte(strings.Replace(project, `"appToken": "your-app-token"`, `"appToken": "other-token"`, 1))}
	renamed, err := store.LoadFixtures(files)
	require.NoError(t, err)
	again := restart(t, reg, db, dir, renamed)

	var tokens []string
	for _, sb := range again.All() {
		tokens = append(tokens, sb.Token())
	}
	assert.Equal(t, []string{"other-token", old.Token(), created.Token()}, tokens, "the default one first, then the others oldest first")
	assert.True(t, again.All()[0].IsDefault())
	formerDefault := again.Lookup(old.Token())
	require.NotNil(t, formerDefault)
	assert.True(t, formerDefault.Created().Before(again.Default().Created()), "the former default was made first")
	_, err = formerDefault.Store().Order(ctx, claims.ID, "tickets", order.ID)
	assert.NoError(t, err, "the former default keeps its orders")
	removed, err := again.Remove(ctx, old.Token())
	require.NoError(t, err)
	assert.True(t, removed, "the former default is an ordinary removable sandbox")
}
