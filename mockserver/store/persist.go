package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Kind names a kind of record; a persister keeps each kind apart (a bucket, a table).
type Kind string

// The kinds of record a sandbox's state consists of.
const (
	// KindMeta holds one record, MetaKey: the format, version, clock and counters.
	KindMeta           Kind = "meta"
	KindUser           Kind = "users"
	KindAuthSession    Kind = "authSessions"
	KindOrder          Kind = "orders"
	KindPaymentSession Kind = "paymentSessions"
	KindCode           Kind = "codes"
	KindCollectionRow  Kind = "collectionRows"
	KindFile           Kind = "files"
	KindSubscription   Kind = "subscriptions"
	KindCart           Kind = "carts"
	KindFormData       Kind = "formData"
)

// MetaKey is the key of the only KindMeta record.
const MetaKey = "state"

// Kinds returns every kind of record.
func Kinds() []Kind {
	return []Kind{KindMeta, KindUser, KindAuthSession, KindOrder, KindPaymentSession, KindCode, KindCollectionRow, KindFile, KindSubscription, KindCart, KindFormData}
}

// Record is one stored entity: its kind, its key within the kind (the decimal id, or
// "userId/event" for codes) and its JSON, the entity's entry of a StateDocument. In a Change, a
// nil Value deletes the key.
type Record struct {
	Kind  Kind
	Key   string
	Value []byte
}

// Change is what one mutation did to a sandbox: the records it wrote or deleted, always
// including the meta record. Replace drops every record saved before (reset, import, first
// start). A persister applies a Change atomically: all of it or none.
type Change struct {
	Replace bool
	Records []Record
}

// Persister makes a sandbox's state durable. Save is called with the store's lock held, once
// per mutation, and the mutation is acknowledged only when it returns nil; when it fails, the
// store undoes the mutation in memory, so memory never holds what the disk does not.
type Persister interface {
	// Load returns every saved record; none means nothing was saved yet.
	Load(ctx context.Context) ([]Record, error)
	// Save applies c atomically and durably.
	Save(ctx context.Context, c Change) error
}

// SandboxInfo describes a sandbox whose state a persister keeps: what it takes to open it again.
type SandboxInfo struct {
	AppToken string
	// TokenSecret signs the sandbox's access tokens; reusing it keeps them valid.
	TokenSecret string
	Created     time.Time
}

// metaRecord is the value of the KindMeta record.
type metaRecord struct {
	Format   string     `json:"format"`
	Version  int        `json:"version"`
	Clock    ClockState `json:"clock"`
	Counters Counters   `json:"counters"`
}

// Open returns a store seeded from opts.Fixtures, or, when opts.Persist holds a saved state,
// restored from it. A saved state that cannot be read, or that the fixtures cannot hold (an
// order in a storage that no longer exists), is an error: the saved state is never discarded
// silently. With no saved state, the seeded state is saved first.
func Open(ctx context.Context, opts Options) (*Store, error) {
	p := opts.Persist
	opts.Persist = nil
	s := New(opts)
	if p == nil {
		return s, nil
	}
	if err := s.attach(ctx, p); err != nil {
		return nil, err
	}
	return s, nil
}

// attach loads the saved state of a store not yet shared, or saves its seeded state.
func (s *Store) attach(ctx context.Context, p Persister) error {
	recs, err := p.Load(ctx)
	if err != nil {
		return fmt.Errorf("load saved state: %w", err)
	}
	if len(recs) == 0 {
		clock := s.clock.setting()
		if err := saveWhole(ctx, p, s.state, clock); err != nil {
			return fmt.Errorf("save initial state: %w", err)
		}
		s.savedClock = clock
		s.persist = p
		return nil
	}
	doc, err := documentFromRecords(recs)
	if err != nil {
		return fmt.Errorf("saved state: %w", err)
	}
	st, clock, err := s.buildState(doc)
	if err != nil {
		return fmt.Errorf("saved state does not fit the fixtures: %w", err)
	}
	s.state = st
	s.opts.UploadBudget.swap(0, st.fileBytes)
	s.clock.restore(clock)
	s.savedClock = clock
	s.persist = p
	return nil
}

// saveWhole saves st, at clock, as the whole of what p keeps.
func saveWhole(ctx context.Context, p Persister, st *state, clock clockSetting) error {
	recs, err := recordsOf(documentOf(st, clock))
	if err != nil {
		return err
	}
	return p.Save(ctx, Change{Replace: true, Records: recs})
}

// recordsOf splits a document into records.
func recordsOf(doc StateDocument) ([]Record, error) {
	rs := recordSet{recs: make([]Record, 0, 1+len(doc.Users)+len(doc.AuthSessions)+len(doc.Orders)+len(doc.PaymentSessions)+len(doc.Codes))}
	rs.put(KindMeta, MetaKey, metaRecord{Format: doc.Format, Version: doc.Version, Clock: doc.Clock, Counters: doc.Counters})
	putRecords(&rs, KindUser, doc.Users)
	putRecords(&rs, KindAuthSession, doc.AuthSessions)
	putRecords(&rs, KindOrder, doc.Orders)
	putRecords(&rs, KindPaymentSession, doc.PaymentSessions)
	putRecords(&rs, KindCode, doc.Codes)
	putRecords(&rs, KindCollectionRow, doc.CollectionRows)
	putRecords(&rs, KindFile, doc.Files)
	putRecords(&rs, KindSubscription, doc.Subscriptions)
	putRecords(&rs, KindCart, doc.Carts)
	putRecords(&rs, KindFormData, doc.FormData)
	if rs.failed != nil {
		return nil, rs.failed
	}
	return rs.recs, nil
}

// documentFromRecords assembles saved records into a document, sorted as Export sorts. A
// record that does not decode, or whose key is not its id, is an error naming it.
func documentFromRecords(recs []Record) (StateDocument, error) {
	var doc StateDocument
	var meta *metaRecord
	decode := doc.appenders()
	decode[KindMeta] = func(v []byte) (string, error) {
		var m metaRecord
		err := decodeStrict(v, &m)
		meta = &m
		return MetaKey, err
	}
	for _, r := range recs {
		dec, ok := decode[r.Kind]
		if !ok {
			return StateDocument{}, fmt.Errorf("unknown kind of record %q", r.Kind)
		}
		// As an import refuses it: decoded, invalid UTF-8 would be served and exported as
		// it is, and that export would not import anywhere.
		if at := invalidUTF8At(r.Value); at >= 0 {
			return StateDocument{}, fmt.Errorf("record %s/%s: invalid UTF-8 at byte %d", r.Kind, r.Key, at)
		}
		key, err := dec(r.Value)
		if err != nil {
			return StateDocument{}, fmt.Errorf("record %s/%s: %w", r.Kind, r.Key, err)
		}
		if key != r.Key {
			return StateDocument{}, fmt.Errorf("record %s/%s: holds the entity of key %q", r.Kind, r.Key, key)
		}
	}
	if meta == nil {
		return StateDocument{}, fmt.Errorf("no %s/%s record: the state was never completely written", KindMeta, MetaKey)
	}
	if meta.Format != StateFormat || meta.Version != StateVersion {
		return StateDocument{}, fmt.Errorf("written as %q version %d; this build reads %q version %d", meta.Format, meta.Version, StateFormat, StateVersion)
	}
	doc.Format, doc.Version, doc.Clock, doc.Counters = meta.Format, meta.Version, meta.Clock, meta.Counters
	doc.sort()
	return doc, nil
}

func putRecords[R keyedRecord](rs *recordSet, kind Kind, recs []R) {
	for _, r := range recs {
		rs.put(kind, r.key(), r)
	}
}

// appenders returns, for each kind of entity record, what decodes one into doc's list.
func (doc *StateDocument) appenders() map[Kind]func([]byte) (string, error) {
	return map[Kind]func([]byte) (string, error){
		KindUser:           appender(&doc.Users),
		KindAuthSession:    appender(&doc.AuthSessions),
		KindOrder:          appender(&doc.Orders),
		KindPaymentSession: appender(&doc.PaymentSessions),
		KindCode:           appender(&doc.Codes),
		KindFormData:       appender(&doc.FormData),
		KindCart:           appender(&doc.Carts),
		KindCollectionRow:  appender(&doc.CollectionRows),
		KindFile:           appender(&doc.Files),
		KindSubscription:   appender(&doc.Subscriptions),
	}
}

func appender[R keyedRecord](list *[]R) func([]byte) (string, error) {
	return func(data []byte) (string, error) { return decodeAppend(data, list) }
}

// decodeAppend decodes data as one R, appends it to list and returns its key.
func decodeAppend[R keyedRecord](data []byte, list *[]R) (string, error) {
	var v R
	err := decodeStrict(data, &v)
	*list = append(*list, v)
	return v.key(), err
}

// journal holds the before images of what one mutation touched: nil for an entity that did not
// exist. It is what gets saved (the entities' new values) and, when saving fails, what is put
// back.
type journal struct {
	counters Counters
	users    map[int]*User
	sessions map[int]*authSession
	orders   map[int]*Order
	payments map[int]*PaymentSession
	codes    map[codeKey]*oneTimeCode
	rows     map[int]*CollectionRow
	files    map[string]*StoredFile
	subs     map[string]*Subscription
	carts    map[string]*Cart
	formData map[int]*Submission
}

func (j *journal) empty() bool {
	return len(j.users)+len(j.sessions)+len(j.orders)+len(j.payments)+len(j.codes)+len(j.rows)+len(j.files)+len(j.subs)+len(j.carts)+len(j.formData) == 0
}

// beginLocked starts recording a mutation; without a persister there is nothing to record.
func (s *Store) beginLocked() {
	if s.persist != nil {
		s.tx = &journal{counters: s.state.counters()}
	}
}

// remember records the before image of live[k] the first time a mutation touches it.
func remember[K comparable, V any](before *map[K]*V, live map[K]*V, k K, clone func(*V) V) {
	if *before == nil {
		*before = map[K]*V{}
	}
	if _, seen := (*before)[k]; seen {
		return
	}
	var b *V
	if v, ok := live[k]; ok {
		c := clone(v)
		b = &c
	}
	(*before)[k] = b
}

// The touch methods are called before a mutation changes, adds or removes an entity.

func (s *Store) touchUser(id int) {
	if s.tx != nil {
		remember(&s.tx.users, s.state.users, id, (*User).clone)
	}
}

func (s *Store) touchSession(id int) {
	if s.tx != nil {
		remember(&s.tx.sessions, s.state.authSessions, id, (*authSession).clone)
	}
}

func (s *Store) touchOrder(id int) {
	if s.tx != nil {
		remember(&s.tx.orders, s.state.orders, id, (*Order).clone)
	}
}

func (s *Store) touchPayment(id int) {
	if s.tx != nil {
		remember(&s.tx.payments, s.state.payments, id, (*PaymentSession).clone)
	}
}

func (s *Store) touchCart(key string) {
	if s.tx != nil {
		remember(&s.tx.carts, s.state.carts, key, (*Cart).clone)
	}
}

func (s *Store) touchSubmission(id int) {
	if s.tx != nil {
		remember(&s.tx.formData, s.state.formData, id, (*Submission).clone)
	}
}

func (s *Store) touchCode(k codeKey) {
	if s.tx != nil {
		remember(&s.tx.codes, s.state.codes, k, (*oneTimeCode).clone)
	}
}

// commitLocked saves what the mutation under way touched, together with the counters and the
// clock's setting, in one Change. When saving fails, the mutation is undone and the error
// returned: the caller answers it instead of the mutation's result.
func (s *Store) commitLocked(ctx context.Context) error {
	j := s.tx
	s.tx = nil
	if j == nil {
		return nil
	}
	clock := s.clock.setting()
	if j.empty() && j.counters == s.state.counters() && clock.equal(s.savedClock) {
		return nil
	}
	recs, err := s.changeRecordsLocked(j, clock)
	if len(recs) == 1 && j.counters == s.state.counters() && clock.equal(s.savedClock) {
		return nil // touched, but nothing ended up changed (a booking refused for lack of seats)
	}
	if err == nil {
		err = s.persist.Save(ctx, Change{Records: recs})
	}
	if err != nil {
		s.rollbackLocked(j)
		return fmt.Errorf("save state: %w", err)
	}
	s.savedClock = clock
	return nil
}

// changeRecordsLocked returns the records of what j touched, as they are now.
func (s *Store) changeRecordsLocked(j *journal, clock clockSetting) ([]Record, error) {
	var rs recordSet
	rs.put(KindMeta, MetaKey, metaRecord{Format: StateFormat, Version: StateVersion, Clock: clockStateOf(clock), Counters: s.state.counters()})
	addChanges(&rs, KindUser, j.users, s.state.users, recordKey, userRecord)
	addChanges(&rs, KindAuthSession, j.sessions, s.state.authSessions, recordKey, sessionRecord)
	addChanges(&rs, KindOrder, j.orders, s.state.orders, recordKey, orderRecord)
	addChanges(&rs, KindPaymentSession, j.payments, s.state.payments, recordKey, paymentRecord)
	addChanges(&rs, KindCart, j.carts, s.state.carts, sameKey, (*Cart).clone)
	addChanges(&rs, KindFormData, j.formData, s.state.formData, recordKey, submissionRecord)
	for k, before := range j.codes {
		if c, ok := s.state.codes[k]; ok {
			rs.put(KindCode, codeRecordKey(k.userID, k.event), codeRecord(k, c))
		} else if before != nil {
			rs.del(KindCode, codeRecordKey(k.userID, k.event))
		}
	}
	addSiteChanges(&rs, j, s.state)
	slices.SortFunc(rs.recs, func(a, b Record) int { return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Key, b.Key)) })
	return rs.recs, rs.failed
}

// recordSet collects the records of one change; failed is the first value that would not encode.
type recordSet struct {
	recs   []Record
	failed error
}

func (rs *recordSet) put(kind Kind, key string, v any) {
	data, err := json.Marshal(v)
	if err != nil && rs.failed == nil {
		rs.failed = fmt.Errorf("encode %s/%s: %w", kind, key, err)
	}
	rs.recs = append(rs.recs, Record{Kind: kind, Key: key, Value: data})
}

func (rs *recordSet) del(kind Kind, key string) {
	rs.recs = append(rs.recs, Record{Kind: kind, Key: key})
}

// addChanges adds to rs, for each id in touched, its record as it is now in live, or its
// deletion where it is gone from live but existed before the change.
func addChanges[K comparable, V, R any](rs *recordSet, kind Kind, touched map[K]*V, live map[K]*V, key func(K) string, record func(*V) R) {
	for id, before := range touched {
		if v, ok := live[id]; ok {
			rs.put(kind, key(id), record(v))
		} else if before != nil {
			rs.del(kind, key(id))
		}
	}
}

// rollbackLocked puts back the before images of j, the counters and the saved clock setting,
// then rebuilds the indexes. It costs a pass over the state, paid only when saving failed.
func (s *Store) rollbackLocked(j *journal) {
	restore(s.state.users, j.users)
	restore(s.state.authSessions, j.sessions)
	restore(s.state.orders, j.orders)
	restore(s.state.payments, j.payments)
	restore(s.state.carts, j.carts)
	restore(s.state.formData, j.formData)
	restore(s.state.codes, j.codes)
	rollbackSite(s.state, j)
	s.state.setCounters(j.counters)
	s.state.reindex(s.fx)
	s.clock.restore(s.savedClock)
}

func restore[K comparable, V any](live map[K]*V, before map[K]*V) {
	for id, b := range before {
		if b == nil {
			delete(live, id)
		} else {
			live[id] = b
		}
	}
}

// replaceLocked swaps in a whole new state (reset, import), saved first as one Change.
func (s *Store) replaceLocked(ctx context.Context, next *state, clock clockSetting) error {
	if s.persist != nil {
		if err := saveWhole(ctx, s.persist, next, clock); err != nil {
			return fmt.Errorf("save state: %w", err)
		}
		s.savedClock = clock
	}
	s.opts.UploadBudget.swap(s.state.fileBytes, next.fileBytes)
	s.state = next
	return nil
}

// updated is update for a mutation that answers a value and emits no events: f's result, or
// the zero value and the error.
func updated[T any](ctx context.Context, s *Store, f func() (T, error)) (T, error) {
	return answered(ctx, s.update, f)
}

// swapped is updated for a mutation that adds no state: it replaces what is there (a refresh
// token by the next) or counts in a bounded place (a wrong code). Options.Admit is not asked,
// so a sandbox at its memory limit keeps its visitors signed in.
func swapped[T any](ctx context.Context, s *Store, f func() (T, error)) (T, error) {
	return answered(ctx, s.remove, f)
}

func answered[T any](ctx context.Context, run func(context.Context, func() ([]Event, error)) error, f func() (T, error)) (T, error) {
	var out T
	err := run(ctx, func() ([]Event, error) {
		var err error
		out, err = f()
		return nil, err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

// update runs f under the lock as one mutation: what it touched is saved before the lock is
// released (and undone if that fails), then the events it returned go to the listener. f's
// error is returned after its changes are saved, since a failing call may still change state
// (an expired refresh token ends its session).
func (s *Store) update(ctx context.Context, f func() ([]Event, error)) error {
	if s.opts.Admit != nil {
		if err := s.opts.Admit(); err != nil {
			return err
		}
	}
	return s.remove(ctx, f)
}

// remove is update for a change that only ends, expires or deletes state: Options.Admit is
// not asked, so a sandbox at its memory limit can still make room. Sessions past their
// deadline are expired first, so no change acts on a session the clock has already closed
// (an order update refused for a payment that expired, seats still held by it).
func (s *Store) remove(ctx context.Context, f func() ([]Event, error)) error {
	s.mu.Lock()
	s.beginLocked()
	events := s.sweepLocked(ctx)
	more, err := f()
	events = append(events, more...)
	if cerr := s.commitLocked(ctx); cerr != nil {
		s.mu.Unlock()
		return cerr
	}
	s.mu.Unlock()
	s.emit(events)
	return err
}
