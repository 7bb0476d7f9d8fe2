package store

import (
	"bytes"
	"cmp"
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oneentry-mock/oneentry-mock/datetime"
	"github.com/oneentry-mock/oneentry-mock/schedule"
)

// StateFormat and StateVersion identify a state document. The version changes whenever a
// document of the previous version would be read wrongly.
const (
	StateFormat  = "oneentry-mock-state"
	StateVersion = 1
)

// StateDocument is everything a request can change in one sandbox, as one JSON document: the
// export behind GET /__admin/state, the import behind PUT, and the data dir's record format.
// Lists are sorted by id, so two exports of the same state are byte-equal. The app token and
// token secret are not part of it: they name the sandbox, not its state, so a document can be
// loaded into any sandbox (access tokens issued by another sandbox stay invalid there; refresh
// tokens in the document work).
type StateDocument struct {
	Format          string                 `json:"format"`
	Version         int                    `json:"version"`
	Clock           ClockState             `json:"clock"`
	Counters        Counters               `json:"counters"`
	Users           []UserRecord           `json:"users"`
	AuthSessions    []AuthSessionRecord    `json:"authSessions"`
	Orders          []OrderRecord          `json:"orders"`
	PaymentSessions []PaymentSessionRecord `json:"paymentSessions"`
	Codes           []CodeRecord           `json:"codes"`
	CollectionRows  []CollectionRowRecord  `json:"collectionRows"`
	Files           []StoredFile           `json:"files"`
	Subscriptions   []Subscription         `json:"subscriptions"`
	// Carts are absent in documents written before carts were kept.
	Carts []Cart `json:"carts,omitempty"`
	// FormData is absent from documents written before form submissions were kept.
	FormData []FormDataRecord `json:"formData,omitempty"`
}

// ClockState is the setting of the sandbox's clock. A running clock is kept as its offset from
// the host's clock rather than the time it showed, so after a restart or an import it is still
// "two hours ahead" instead of jumping back; a frozen clock keeps the instant it shows.
type ClockState struct {
	// Offset is a Go duration ("0s", "2h0m0s", "-30m0s"): how far the clock runs ahead of the
	// host's clock; one that puts the clock past the last instant shows the last instant. A
	// frozen clock is written with "0s" (unfreezing runs on from frozenAt), and any other offset
	// a document gives it is kept but never used. Beyond the ~292 years a Go duration holds,
	// whole hours come first ("69842160h1m2.5s"); see datetime.Span.
	Offset string `json:"offset"`
	// FrozenAt is the time a frozen clock shows; null while it runs.
	FrozenAt *time.Time `json:"frozenAt"`
}

// Counters are the next ids to hand out. They only grow, so an id is never reused, even after
// its order or session is gone.
type Counters struct {
	NextUserID           int `json:"nextUserId"`
	NextAuthSessionID    int `json:"nextAuthSessionId"`
	NextOrderID          int `json:"nextOrderId"`
	NextPaymentSessionID int `json:"nextPaymentSessionId"`
	// NextCollectionRowID is 0 in documents written before collection rows were kept.
	NextCollectionRowID int `json:"nextCollectionRowId"`
	// NextFormDataID is absent (0) in documents written before form submissions were kept;
	// such a document continues above its highest submission id.
	NextFormDataID int `json:"nextFormDataId,omitempty"`
}

// UserRecord is a user, fixture or signed up, password included: the document is a sandbox's,
// and its users exist only to be logged in as. A user registered through OAuth has an empty
// password: no password signs them in.
type UserRecord struct {
	ID                     int               `json:"id"`
	AuthProviderIdentifier string            `json:"authProviderIdentifier"`
	Identifier             string            `json:"identifier"`
	Password               string            `json:"password"`
	FormIdentifier         string            `json:"formIdentifier"`
	FormData               []json.RawMessage `json:"formData"`
	Groups                 []int             `json:"groups"`
	State                  json.RawMessage   `json:"state,omitempty"`
	IsActive               bool              `json:"isActive"`
	Language               string            `json:"language"`
	NotificationData       json.RawMessage   `json:"notificationData,omitempty"`
	// CreatedDate and UpdatedDate are absent for fixture users, which have none.
	CreatedDate time.Time `json:"createdDate,omitzero"`
	UpdatedDate time.Time `json:"updatedDate,omitzero"`
	AccountState
}

// AuthSessionRecord is one login: its current refresh token and the device it came from.
type AuthSessionRecord struct {
	ID                     int        `json:"id"`
	UserID                 int        `json:"userId"`
	AuthProviderIdentifier string     `json:"authProviderIdentifier"`
	RefreshToken           string     `json:"refreshToken"`
	RefreshExpires         time.Time  `json:"refreshExpires"`
	Device                 DeviceInfo `json:"device"`
}

// OrderRecord is an order with every field the mock keeps, including whether it holds seats.
type OrderRecord struct {
	ID                       int               `json:"id"`
	StorageID                int               `json:"storageId"`
	StorageMarker            string            `json:"storageMarker"`
	UserID                   int               `json:"userId"`
	FormIdentifier           string            `json:"formIdentifier"`
	PaymentAccountIdentifier string            `json:"paymentAccountIdentifier"`
	StatusIdentifier         string            `json:"statusIdentifier"`
	Language                 string            `json:"language"`
	FormData                 []json.RawMessage `json:"formData"`
	Products                 []OrderLineRecord `json:"products"`
	Currency                 string            `json:"currency"`
	TotalCents               int64             `json:"totalCents"`
	CreatedDate              time.Time         `json:"createdDate"`
	Slots                    []schedule.Slot   `json:"slots"`
	PaymentURL               *string           `json:"paymentUrl"`
	IsCompleted              *bool             `json:"isCompleted"`
	PaidAt                   *time.Time        `json:"paidAt"`
	// HoldsSeats says the order counts against its slots' capacity; seat usage is rebuilt
	// from it, never stored.
	HoldsSeats bool `json:"holdsSeats"`
	// Discounts is absent in documents written before orders kept their pricing: such orders
	// import with their total as their price before discounts.
	Discounts *OrderDiscounts `json:"discounts,omitempty"`
	Refunds   []RefundRequest `json:"refunds,omitempty"`
}

// OrderLineRecord is one product of an order.
type OrderLineRecord struct {
	ProductID          int    `json:"productId"`
	Quantity           int    `json:"quantity"`
	SignedPrice        string `json:"signedPrice"`
	PriceCents         *int64 `json:"priceCents,omitempty"`
	DiscountPriceCents *int64 `json:"discountPriceCents,omitempty"`
}

// PaymentSessionRecord is a payment session.
type PaymentSessionRecord struct {
	ID               int       `json:"id"`
	OrderID          int       `json:"orderId"`
	UserID           int       `json:"userId"`
	PaymentAccountID int       `json:"paymentAccountId"`
	Type             string    `json:"type"`
	Status           string    `json:"status"`
	PaymentURL       *string   `json:"paymentUrl"`
	CreatedDate      time.Time `json:"createdDate"`
	UpdatedDate      time.Time `json:"updatedDate"`
	ExpiresAt        time.Time `json:"expiresAt"`
	Declines         int       `json:"declines"`
	// CheckoutToken is absent in documents written before checkout pages had tokens; such
	// sessions import without a checkout page (the admin payment actions still finish them).
	CheckoutToken string `json:"checkoutToken,omitempty"`
	ProviderData
}

// FormDataRecord is a form submission.
type FormDataRecord struct {
	ID                 int               `json:"id"`
	FormIdentifier     string            `json:"formIdentifier"`
	FormModuleConfigID int               `json:"formModuleConfigId"`
	EntityIdentifier   string            `json:"entityIdentifier"`
	Language           string            `json:"language"`
	FormData           []json.RawMessage `json:"formData"`
	Status             string            `json:"status"`
	UserIdentifier     string            `json:"userIdentifier,omitempty"`
	Fingerprint        string            `json:"fingerprint,omitempty"`
	IP                 string            `json:"ip,omitempty"`
	Time               time.Time         `json:"time"`
}

// CodeRecord is a one-time code sent to a user for an event.
type CodeRecord struct {
	UserID  int       `json:"userId"`
	Event   string    `json:"event"`
	Code    string    `json:"code"`
	Expires time.Time `json:"expires"`
}

// Export returns the sandbox's whole state. It changes nothing: a session waiting past its
// deadline is exported waiting and expires at the first read after an import.
func (s *Store) Export(ctx context.Context) StateDocument {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return documentOf(s.state, s.clock.setting())
}

// Import replaces the sandbox's state, clock included, with doc. The document is checked whole
// first (format and version, ids, references between its records and to the fixtures, counters
// above every id); a bad one changes nothing and fails with a CodeInvalid *Error naming the
// field. Derived state (login and token indexes, seat usage, the sessions still waiting) is
// rebuilt, never read from the document.
func (s *Store) Import(ctx context.Context, doc StateDocument) error {
	next, clock, err := s.buildState(doc)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.replaceLocked(ctx, next, clock); err != nil {
		return err
	}
	s.clock.restore(clock)
	return nil
}

// DecodeStateDocument decodes a state document, read whole so that an error can be traced to
// its field, strictly: unknown fields and trailing data are errors, reported as CodeInvalid
// *Error. A leading byte order mark is skipped, as in fixture files.
func DecodeStateDocument(data []byte) (StateDocument, error) {
	data = BlankBOM(data)
	// encoding/json would read invalid UTF-8 as U+FFFD, so the export afterwards would not be
	// the document imported.
	if at := invalidUTF8At(data); at >= 0 {
		return StateDocument{}, Invalid(fmt.Sprintf("state document: invalid UTF-8 at byte %d", at))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var doc StateDocument
	if err := dec.Decode(&doc); err != nil {
		return StateDocument{}, describeDecodeError(data, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return StateDocument{}, Invalid("state document: unexpected data after the document")
	}
	return doc, nil
}

// invalidUTF8At is the offset of the first byte that is not valid UTF-8, or -1.
func invalidUTF8At(data []byte) int {
	if utf8.Valid(data) {
		return -1
	}
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// documentOf renders st and a clock setting as a document, every list sorted.
func documentOf(st *state, clock clockSetting) StateDocument {
	doc := StateDocument{
		Format:          StateFormat,
		Version:         StateVersion,
		Clock:           clockStateOf(clock),
		Counters:        st.counters(),
		Users:           make([]UserRecord, 0, len(st.users)),
		AuthSessions:    make([]AuthSessionRecord, 0, len(st.authSessions)),
		Orders:          make([]OrderRecord, 0, len(st.orders)),
		PaymentSessions: make([]PaymentSessionRecord, 0, len(st.payments)),
		Codes:           make([]CodeRecord, 0, len(st.codes)),
	}
	for _, u := range st.users {
		doc.Users = append(doc.Users, userRecord(u))
	}
	for _, a := range st.authSessions {
		doc.AuthSessions = append(doc.AuthSessions, sessionRecord(a))
	}
	for _, o := range st.orders {
		doc.Orders = append(doc.Orders, orderRecord(o))
	}
	for _, p := range st.payments {
		doc.PaymentSessions = append(doc.PaymentSessions, paymentRecord(p))
	}
	for k, c := range st.codes {
		doc.Codes = append(doc.Codes, codeRecord(k, c))
	}
	siteDocument(st, &doc)
	for _, c := range st.carts {
		doc.Carts = append(doc.Carts, c.clone())
	}
	for _, sub := range st.formData {
		doc.FormData = append(doc.FormData, submissionRecord(sub))
	}
	doc.sort()
	return doc
}

func clockStateOf(c clockSetting) ClockState {
	cs := ClockState{Offset: c.offset.String()}
	if c.frozen != nil {
		t := c.frozen.UTC()
		cs.FrozenAt = &t
	}
	return cs
}

func (st *state) counters() Counters {
	return Counters{
		NextUserID:           st.nextUserID,
		NextAuthSessionID:    st.nextAuthSession,
		NextOrderID:          st.nextOrderID,
		NextPaymentSessionID: st.nextPaymentID,
		NextCollectionRowID:  st.nextRowID,
		NextFormDataID:       st.nextFormDataID,
	}
}

func (st *state) setCounters(c Counters) {
	st.nextUserID = c.NextUserID
	st.nextAuthSession = c.NextAuthSessionID
	st.nextOrderID = c.NextOrderID
	st.nextPaymentID = c.NextPaymentSessionID
	st.nextRowID = c.NextCollectionRowID
	st.nextFormDataID = c.NextFormDataID
}

// rawItems writes form values as a document holds them: a list, empty when there are none, as
// parseItems reads any back, so that an export imports to the same document.
func rawItems(items []FormDataItem) []json.RawMessage {
	out := make([]json.RawMessage, len(items))
	for i, item := range items {
		out[i], _ = item.MarshalJSON() // its fields are valid JSON: they were parsed from it
	}
	return out
}

func userRecord(u *User) UserRecord {
	return UserRecord{
		ID:                     u.ID,
		AuthProviderIdentifier: u.AuthProviderIdentifier,
		Identifier:             u.Identifier,
		Password:               u.password,
		FormIdentifier:         u.FormIdentifier,
		FormData:               rawItems(u.FormData),
		Groups:                 slices.Clone(u.Groups),
		State:                  slices.Clone(u.State),
		IsActive:               u.IsActive,
		Language:               u.Language,
		NotificationData:       slices.Clone(u.NotificationData),
		CreatedDate:            u.CreatedDate,
		UpdatedDate:            u.UpdatedDate,
		AccountState:           u.AccountState.clone(),
	}
}

func sessionRecord(a *authSession) AuthSessionRecord { return AuthSessionRecord(*a) }

func orderRecord(o *Order) OrderRecord {
	c := o.clone()
	var lines []OrderLineRecord
	if o.Products != nil {
		lines = make([]OrderLineRecord, len(o.Products))
		for i, l := range o.Products {
			lines[i] = OrderLineRecord(l)
		}
	}
	return OrderRecord{
		ID:                       o.ID,
		StorageID:                o.StorageID,
		StorageMarker:            o.StorageMarker,
		UserID:                   o.UserID,
		FormIdentifier:           o.FormIdentifier,
		PaymentAccountIdentifier: o.PaymentAccountIdentifier,
		StatusIdentifier:         o.StatusIdentifier,
		Language:                 o.Language,
		FormData:                 rawItems(o.FormData),
		Products:                 lines,
		Currency:                 o.Currency,
		TotalCents:               o.TotalCents,
		CreatedDate:              o.CreatedDate,
		Slots:                    slices.Clone(o.Slots),
		PaymentURL:               clonePtr(o.PaymentURL),
		IsCompleted:              clonePtr(o.IsCompleted),
		PaidAt:                   clonePtr(o.PaidAt),
		HoldsSeats:               o.holdsSeats,
		Discounts:                &c.Discounts,
		Refunds:                  c.Refunds,
	}
}

// paymentRecord and buildPayments convert by type: a payment session is stored whole, so a
// field added to one of the two types without the other does not compile.
func paymentRecord(p *PaymentSession) PaymentSessionRecord { return PaymentSessionRecord(p.clone()) }

func submissionRecord(s *Submission) FormDataRecord {
	return FormDataRecord{
		ID: s.ID, FormIdentifier: s.FormIdentifier, FormModuleConfigID: s.ConfigID, EntityIdentifier: s.EntityIdentifier,
		Language: s.Language, FormData: rawItems(s.FormData), Status: s.Status, UserIdentifier: s.UserIdentifier,
		Fingerprint: s.Fingerprint, IP: s.IP, Time: s.Time,
	}
}

func codeRecord(k codeKey, c *oneTimeCode) CodeRecord {
	return CodeRecord{UserID: k.userID, Event: k.event, Code: c.code, Expires: c.expires}
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// invalidf is a CodeInvalid error about one field of a state document.
func invalidf(field, format string, args ...any) *Error {
	return Invalid(field + ": " + fmt.Sprintf(format, args...))
}

// parseItems decodes stored form data items; null stays nil, as the store keeps it.
// parseItems reads the form data of a record; null or none is no items, as the API shows
// them: an empty list.
func parseItems(field string, raws []json.RawMessage) ([]FormDataItem, error) {
	items := make([]FormDataItem, 0, len(raws))
	for i, raw := range raws {
		item, ok, err := ParseFormDataItem(raw)
		if err != nil {
			return nil, invalidf(fmt.Sprintf("%s[%d]", field, i), "%v", err)
		}
		if !ok {
			return nil, invalidf(fmt.Sprintf("%s[%d]", field, i), "must be an object with marker, type and value")
		}
		items = append(items, item)
	}
	return items, nil
}

// checkID checks the id of the record at at: positive, and not that of an earlier record.
func checkID[V any](at string, id int, taken map[int]*V, what string) error {
	switch {
	case id < 1:
		return invalidf(at+".id", "must be a positive integer")
	case taken[id] != nil:
		return invalidf(at+".id", "duplicate %s id %d", what, id)
	}
	return nil
}

// buildRecords builds one map of the state from a list of the document (name, as errors call
// it): each record's id is checked, what build makes of the record is kept under it, and build
// names the record in its errors by at.
func buildRecords[R numberedRecord, V any](name, what string, records []R, into map[int]*V, build func(at string, r R) (*V, error)) error {
	for i, r := range records {
		at := fmt.Sprintf("%s[%d]", name, i)
		if err := checkID(at, r.recordID(), into, what); err != nil {
			return err
		}
		v, err := build(at, r)
		if err != nil {
			return err
		}
		into[r.recordID()] = v
	}
	return nil
}

func validRaw(raw json.RawMessage) bool { return len(raw) == 0 || json.Valid(raw) }

// buildState checks doc against itself and the fixtures and turns it into a state with every
// index rebuilt. It reads only the immutable fixtures, so it runs without the lock. It must
// accept every state the store's methods can reach (an empty code event, any non-empty payment
// status), or a data dir would refuse to load what the store itself saved.
func (s *Store) buildState(doc StateDocument) (*state, clockSetting, error) {
	var clock clockSetting
	if doc.Format != StateFormat {
		return nil, clock, invalidf("format", "must be %q, not %q", StateFormat, doc.Format)
	}
	if doc.Version != StateVersion {
		return nil, clock, invalidf("version", "%d is not supported; this build reads version %d", doc.Version, StateVersion)
	}
	offset, err := datetime.ParseSpan(doc.Clock.Offset)
	if err != nil {
		return nil, clock, invalidf("clock.offset", "must be a Go duration such as 0s or 2h30m, not %q", doc.Clock.Offset)
	}
	if doc.Clock.FrozenAt != nil {
		// A frozen clock shows frozenAt and runs on from it when unfrozen: its offset is unused,
		// and an old one may point anywhere, so it is not held against the document.
		t := doc.Clock.FrozenAt.UTC()
		if err := datetime.Check(t); err != nil {
			return nil, clock, invalidf("clock.frozenAt", "%s %v", t.Format(time.RFC3339Nano), err)
		}
		clock.frozen = &t
	} else if offset.From(s.clock.base()).Before(datetime.Min) {
		// Past the end is fine: a running clock that reaches the last instant stays there (see
		// Clock.Now), and the host's clock runs on between the export and the import.
		return nil, clock, invalidf("clock.offset", "%q puts the clock at a time that %v", doc.Clock.Offset, datetime.ErrOutOfRange)
	}
	clock.offset = offset
	if err := checkTimes(reflect.ValueOf(doc), ""); err != nil {
		return nil, clock, err
	}

	st := &state{
		users:            make(map[int]*User, len(doc.Users)),
		userByLogin:      make(map[string]int, len(doc.Users)),
		authSessions:     make(map[int]*authSession, len(doc.AuthSessions)),
		sessionByRefresh: make(map[string]int, len(doc.AuthSessions)),
		orders:           make(map[int]*Order, len(doc.Orders)),
		ordersByOwner:    map[ownerStorage][]int{},
		payments:         make(map[int]*PaymentSession, len(doc.PaymentSessions)),
		paymentsByOrder:  map[int][]int{},
		paymentsByUser:   map[int][]int{},
		waiting:          map[int]struct{}{},
		seats:            map[slotKey]*slotUsage{},
		codes:            make(map[codeKey]*oneTimeCode, len(doc.Codes)),
		accountPatches:   map[int]AccountPatch{},
		carts:            make(map[string]*Cart, len(doc.Carts)),
		formData:         make(map[int]*Submission, len(doc.FormData)),
	}
	if err := s.buildUsers(st, doc.Users); err != nil {
		return nil, clock, err
	}
	if err := buildSessions(s.fx, st, doc.AuthSessions); err != nil {
		return nil, clock, err
	}
	if err := buildOrders(s.fx, st, doc.Orders); err != nil {
		return nil, clock, err
	}
	if err := buildPayments(s.fx, st, doc.PaymentSessions); err != nil {
		return nil, clock, err
	}
	for i, c := range doc.Codes {
		at := fmt.Sprintf("codes[%d]", i)
		k := codeKey{c.UserID, c.Event}
		switch {
		case st.users[c.UserID] == nil:
			return nil, clock, invalidf(at+".userId", "no user %d in the document", c.UserID)
		case c.Code == "":
			return nil, clock, invalidf(at+".code", "must not be empty")
		}
		if _, dup := st.codes[k]; dup {
			return nil, clock, invalidf(at, "a second code for user %d and event %q", c.UserID, c.Event)
		}
		st.codes[k] = &oneTimeCode{code: c.Code, expires: c.Expires}
	}
	if err := s.buildSite(st, &doc); err != nil {
		return nil, clock, err
	}
	if err := buildCarts(st, doc.Carts); err != nil {
		return nil, clock, err
	}
	if err := buildSubmissions(s.fx, st, doc.FormData); err != nil {
		return nil, clock, err
	}
	if doc.Counters.NextFormDataID == 0 {
		doc.Counters.NextFormDataID = 1
		for id := range st.formData {
			doc.Counters.NextFormDataID = max(doc.Counters.NextFormDataID, id+1)
		}
	}
	if err := checkCounters(st, doc.Counters); err != nil {
		return nil, clock, err
	}
	st.setCounters(doc.Counters)
	st.reindex(s.fx)
	return st, clock, nil
}

func (s *Store) buildUsers(st *state, users []UserRecord) error {
	return buildRecords("users", "user", users, st.users, func(at string, r UserRecord) (*User, error) {
		switch {
		case r.Identifier == "":
			return nil, invalidf(at+".identifier", "must not be empty")
		case !validRaw(r.State):
			return nil, invalidf(at+".state", "must be JSON")
		case !validRaw(r.NotificationData):
			return nil, invalidf(at+".notificationData", "must be JSON")
		}
		if _, ok := s.fx.AuthProvider(r.AuthProviderIdentifier); !ok {
			return nil, invalidf(at+".authProviderIdentifier", "no auth provider %q in the fixtures", r.AuthProviderIdentifier)
		}
		key := loginKey(r.AuthProviderIdentifier, r.Identifier)
		if _, dup := st.userByLogin[key]; dup {
			return nil, invalidf(at+".identifier", "duplicate login %q", r.Identifier)
		}
		items, err := parseItems(at+".formData", r.FormData)
		if err != nil {
			return nil, err
		}
		st.userByLogin[key] = r.ID
		return &User{
			ID:                     r.ID,
			AuthProviderIdentifier: r.AuthProviderIdentifier,
			Identifier:             r.Identifier,
			FormIdentifier:         r.FormIdentifier,
			FormData:               items,
			Groups:                 slices.Clone(r.Groups),
			State:                  slices.Clone(r.State),
			IsActive:               r.IsActive,
			Language:               r.Language,
			NotificationData:       slices.Clone(r.NotificationData),
			CreatedDate:            r.CreatedDate,
			UpdatedDate:            r.UpdatedDate,
			AccountState:           r.AccountState.clone(),
			password:               r.Password,
		}, nil
	})
}

func buildSessions(fx *Fixtures, st *state, sessions []AuthSessionRecord) error {
	return buildRecords("authSessions", "session", sessions, st.authSessions, func(at string, r AuthSessionRecord) (*authSession, error) {
		switch {
		case st.users[r.UserID] == nil:
			return nil, invalidf(at+".userId", "no user %d in the document", r.UserID)
		case r.RefreshToken == "":
			return nil, invalidf(at+".refreshToken", "must not be empty")
		}
		if _, ok := fx.AuthProvider(r.AuthProviderIdentifier); !ok {
			return nil, invalidf(at+".authProviderIdentifier", "no auth provider %q in the fixtures", r.AuthProviderIdentifier)
		}
		if _, dup := st.sessionByRefresh[r.RefreshToken]; dup {
			return nil, invalidf(at+".refreshToken", "held by two sessions")
		}
		st.sessionByRefresh[r.RefreshToken] = r.ID
		a := authSession(r)
		return &a, nil
	})
}

func buildOrders(fx *Fixtures, st *state, orders []OrderRecord) error {
	refundIDs := map[int]bool{}
	singleUse := map[string]int{} // a single-use coupon's code: the order that used it
	return buildRecords("orders", "order", orders, st.orders, func(at string, r OrderRecord) (*Order, error) {
		if st.users[r.UserID] == nil {
			return nil, invalidf(at+".userId", "no user %d in the document", r.UserID)
		}
		storage, ok := fx.OrderStorage(r.StorageMarker)
		if !ok {
			return nil, invalidf(at+".storageMarker", "no order storage %q in the fixtures", r.StorageMarker)
		}
		if storage.ID != r.StorageID {
			return nil, invalidf(at+".storageId", "storage %q has id %d, not %d", r.StorageMarker, storage.ID, r.StorageID)
		}
		if _, ok := fx.PaymentAccount(r.PaymentAccountIdentifier); !ok {
			return nil, invalidf(at+".paymentAccountIdentifier", "no payment account %q in the fixtures", r.PaymentAccountIdentifier)
		}
		if !storage.hasStatus(r.StatusIdentifier) {
			return nil, invalidf(at+".statusIdentifier", "%q is not a status of storage %q", r.StatusIdentifier, r.StorageMarker)
		}
		var lines []OrderLine
		if r.Products != nil {
			lines = make([]OrderLine, len(r.Products))
		}
		listed := map[int]bool{}
		var rawCents int64 // the lines' recorded prices: never more than pricing counts to
		for j, l := range r.Products {
			line := fmt.Sprintf("%s.products[%d]", at, j)
			// A product the fixtures no longer have stays on the order, with the price it was
			// priced at: an order keeps what was bought when the catalogue changes (a reload
			// keeps it so too), and a refusal here would stop every sandbox of a data dir.
			if listed[l.ProductID] {
				return nil, invalidf(line+".productId", "product %d is listed twice", l.ProductID)
			}
			listed[l.ProductID] = true
			if l.Quantity < 1 || l.Quantity > MaxLineQuantity {
				return nil, invalidf(line+".quantity", "must be from 1 to %d", MaxLineQuantity)
			}
			if l.PriceCents != nil && !countableCents(*l.PriceCents) {
				return nil, invalidf(line+".priceCents", "must be from 0 to %d", MaxStoredCents)
			}
			if l.PriceCents != nil {
				if *l.PriceCents > (MaxStoredCents-rawCents)/int64(l.Quantity) {
					return nil, invalidf(line+".priceCents", "the order's lines come to more than %d cents, the most a stored order holds", MaxStoredCents)
				}
				rawCents += *l.PriceCents * int64(l.Quantity)
			}
			if l.DiscountPriceCents != nil && !countableCents(*l.DiscountPriceCents) {
				return nil, invalidf(line+".discountPriceCents", "must be from 0 to %d", MaxStoredCents)
			}
			lines[j] = OrderLine(l)
		}
		if !countableCents(r.TotalCents) {
			return nil, invalidf(at+".totalCents", "must be from 0 to %d", MaxStoredCents)
		}
		items, err := parseItems(at+".formData", r.FormData)
		if err != nil {
			return nil, err
		}
		discounts := OrderDiscounts{RawCents: r.TotalCents}
		if r.Discounts != nil {
			if err := checkOrderDiscounts(fx, at+".discounts", r.Discounts, r.TotalCents); err != nil {
				return nil, err
			}
			if c, _, _ := fx.coupon(r.Discounts.CouponCode); c != nil && !c.IsReusable {
				if other, used := singleUse[c.Code]; used {
					return nil, invalidf(at+".discounts.couponCode", "single-use coupon %q is the coupon of order %d already", c.Code, other)
				}
				singleUse[c.Code] = r.ID
			}
			discounts = *r.Discounts
			discounts.Markers = slices.Clone(r.Discounts.Markers)
			discounts.DiscountIDs = slices.Clone(r.Discounts.DiscountIDs)
		}
		if err := checkRefunds(at, r.Refunds, lines, r.TotalCents-discounts.BonusAppliedCents, refundIDs); err != nil {
			return nil, err
		}
		return &Order{
			ID:                       r.ID,
			StorageID:                r.StorageID,
			StorageMarker:            r.StorageMarker,
			UserID:                   r.UserID,
			FormIdentifier:           r.FormIdentifier,
			PaymentAccountIdentifier: r.PaymentAccountIdentifier,
			StatusIdentifier:         r.StatusIdentifier,
			Language:                 r.Language,
			FormData:                 items,
			Products:                 lines,
			Currency:                 r.Currency,
			TotalCents:               r.TotalCents,
			CreatedDate:              r.CreatedDate,
			Slots:                    slices.Clone(r.Slots),
			PaymentURL:               clonePtr(r.PaymentURL),
			IsCompleted:              clonePtr(r.IsCompleted),
			PaidAt:                   clonePtr(r.PaidAt),
			holdsSeats:               r.HoldsSeats,
			Discounts:                discounts,
			Refunds:                  slices.Clone(r.Refunds),
		}, nil
	})
}

// checkOrderDiscounts holds an order's recorded pricing to what pricing could have made of
// it: amounts a JavaScript number counts, bonus within the total, a coupon the fixtures have
// (an update prices with it again).
func checkOrderDiscounts(fx *Fixtures, at string, d *OrderDiscounts, totalCents int64) error {
	amounts := map[string]int64{"rawCents": d.RawCents, "bonusAppliedCents": d.BonusAppliedCents}
	if d.BonusRequestedCents != nil {
		amounts["bonusRequestedCents"] = *d.BonusRequestedCents
	}
	for _, name := range slices.Sorted(maps.Keys(amounts)) {
		if !countableCents(amounts[name]) {
			return invalidf(at+"."+name, "must be from 0 to %d", MaxStoredCents)
		}
	}
	// The balance when the order was priced is recorded as it was, overspent (below 0)
	// included.
	if d.BonusAvailableCents < -MaxStoredCents || d.BonusAvailableCents > MaxStoredCents {
		return invalidf(at+".bonusAvailableCents", "must be from -%d to %d", MaxStoredCents, MaxStoredCents)
	}
	if d.BonusAppliedCents > totalCents {
		return invalidf(at+".bonusAppliedCents", "must not be more than the order's totalCents, %d", totalCents)
	}
	if d.CouponCode != "" {
		if _, _, ok := fx.coupon(d.CouponCode); !ok {
			return invalidf(at+".couponCode", "no coupon %q in the fixtures", d.CouponCode)
		}
	}
	return nil
}

// MaxStoredCents bounds the amounts a state document or a data dir may hold: 2^53 cents, what
// pricing produced before its ceiling came down to MaxOrderCents, so that state saved then
// still loads.
const MaxStoredCents = MaxCounter

// countableCents reports whether c is an amount a stored order may hold: 0 to MaxStoredCents.
func countableCents(c int64) bool { return c >= 0 && c <= MaxStoredCents }

func buildPayments(fx *Fixtures, st *state, payments []PaymentSessionRecord) error {
	seen := map[string]bool{}
	return buildRecords("paymentSessions", "payment session", payments, st.payments, func(at string, r PaymentSessionRecord) (*PaymentSession, error) {
		switch {
		case st.orders[r.OrderID] == nil:
			return nil, invalidf(at+".orderId", "no order %d in the document", r.OrderID)
		case st.orders[r.OrderID].UserID != r.UserID:
			return nil, invalidf(at+".userId", "order %d belongs to user %d, not %d", r.OrderID, st.orders[r.OrderID].UserID, r.UserID)
		case r.Type != SessionTypeSession && r.Type != SessionTypeIntent:
			return nil, invalidf(at+".type", "must be %s or %s", SessionTypeSession, SessionTypeIntent)
		case r.Status == "":
			return nil, invalidf(at+".status", "must not be empty")
		case r.CheckoutToken != "" && !ValidCheckoutToken(r.CheckoutToken):
			return nil, invalidf(at+".checkoutToken", "must be %s and 16 to 64 letters or digits", CheckoutTokenPrefix)
		case r.CheckoutToken != "" && seen[r.CheckoutToken]:
			return nil, invalidf(at+".checkoutToken", "duplicate checkout token")
		}
		if r.CheckoutToken != "" {
			seen[r.CheckoutToken] = true
		}
		if _, ok := fx.PaymentAccountByID(r.PaymentAccountID); !ok {
			return nil, invalidf(at+".paymentAccountId", "no payment account %d in the fixtures", r.PaymentAccountID)
		}
		p := PaymentSession(r)
		p.PaymentURL = clonePtr(r.PaymentURL)
		return &p, nil
	})
}

func buildCarts(st *state, carts []Cart) error {
	guests := 0
	for i, c := range carts {
		at := fmt.Sprintf("carts[%d]", i)
		kind, id, _ := strings.Cut(c.Owner, "/")
		uid, err := strconv.Atoi(id)
		switch {
		case kind == "user" && (err != nil || st.users[uid] == nil):
			return invalidf(at+".owner", "no user %q in the document", id)
		case kind == "guest" && (!isUUID(id) || strings.ToLower(id) != id):
			return invalidf(at+".owner", "a guest cart's owner is guest/ and a lower-case UUID")
		case kind != "user" && kind != "guest":
			return invalidf(at+".owner", "must be user/<id> or guest/<uuid>")
		case st.carts[c.Owner] != nil:
			return invalidf(at+".owner", "a second cart of %q", c.Owner)
		case len(c.Items) > MaxCartLines:
			return invalidf(at+".items", "a cart holds at most %d products", MaxCartLines)
		}
		if kind == "guest" {
			if guests++; guests > MaxGuestCarts {
				return invalidf(at+".owner", "a sandbox holds at most %d guest carts", MaxGuestCarts)
			}
		}
		lines := make(map[int]bool, len(c.Items))
		for j, it := range c.Items {
			if lines[it.ProductID] {
				return invalidf(fmt.Sprintf("%s.items[%d].productId", at, j), "product %d has a line already: a cart holds one line a product", it.ProductID)
			}
			lines[it.ProductID] = true
			// A line of a product the fixtures no longer have is kept, as for orders: it can be
			// removed, not added to.
			if it.Qty < 1 || it.Qty > MaxCartQty {
				return invalidf(fmt.Sprintf("%s.items[%d].qty", at, j), "must be from 1 to %d", MaxCartQty)
			}
		}
		cc := c.clone()
		st.carts[c.Owner] = &cc
	}
	return nil
}

func buildSubmissions(fx *Fixtures, st *state, subs []FormDataRecord) error {
	return buildRecords("formData", "form data", subs, st.formData, func(at string, r FormDataRecord) (*Submission, error) {
		cfg, form, ok := fx.ModuleFormConfig(r.FormModuleConfigID)
		switch {
		case !ok:
			return nil, invalidf(at+".formModuleConfigId", "no module config %d in the fixtures", r.FormModuleConfigID)
		case form.Identifier != r.FormIdentifier:
			return nil, invalidf(at+".formIdentifier", "config %d belongs to form %q, not %q", cfg.ID, form.Identifier, r.FormIdentifier)
		case !slices.Contains(SubmissionStatuses, r.Status):
			return nil, invalidf(at+".status", "must be one of %v", SubmissionStatuses)
		}
		items, err := parseItems(at+".formData", r.FormData)
		if err != nil {
			return nil, err
		}
		return &Submission{
			ID: r.ID, FormIdentifier: r.FormIdentifier, ConfigID: r.FormModuleConfigID, EntityIdentifier: r.EntityIdentifier,
			Language: r.Language, FormData: items, Status: r.Status, UserIdentifier: r.UserIdentifier,
			Fingerprint: r.Fingerprint, IP: r.IP, Time: r.Time,
		}, nil
	})
}

// checkCounters makes sure every counter is above every id handed out, so none is reused.
func checkCounters(st *state, c Counters) error {
	check := func(field string, next int, ids iter.Seq[int]) error {
		if next < 1 {
			return invalidf("counters."+field, "must be a positive integer")
		}
		if next > MaxCounter {
			return invalidf("counters."+field, "must be at most %d", MaxCounter)
		}
		for id := range ids {
			if id >= next {
				return invalidf("counters."+field, "%d is not above id %d", next, id)
			}
		}
		return nil
	}
	return cmp.Or(
		check("nextUserId", c.NextUserID, maps.Keys(st.users)),
		check("nextAuthSessionId", c.NextAuthSessionID, maps.Keys(st.authSessions)),
		check("nextOrderId", c.NextOrderID, maps.Keys(st.orders)),
		check("nextPaymentSessionId", c.NextPaymentSessionID, maps.Keys(st.payments)),
		check("nextCollectionRowId", c.NextCollectionRowID, maps.Keys(st.rows)),
		check("nextFormDataId", c.NextFormDataID, maps.Keys(st.formData)),
	)
}

// reindex rebuilds every index of st from its users, sessions, orders and payments: after an
// import, and after undoing a change that could not be saved.
func (st *state) reindex(fx *Fixtures) {
	st.userByLogin = make(map[string]int, len(st.users))
	for id, u := range st.users {
		st.userByLogin[loginKey(u.AuthProviderIdentifier, u.Identifier)] = id
	}
	st.sessionByRefresh = make(map[string]int, len(st.authSessions))
	st.sessionsByUser = map[int]map[int]*authSession{}
	for id, a := range st.authSessions {
		st.sessionByRefresh[a.RefreshToken] = id
		st.addUserSession(a)
	}
	st.ordersByOwner = map[ownerStorage][]int{}
	st.seats = map[slotKey]*slotUsage{}
	for _, id := range sortedKeys(st.orders) {
		o := st.orders[id]
		key := ownerStorage{o.UserID, o.StorageID}
		st.ordersByOwner[key] = append(st.ordersByOwner[key], id)
		if o.holdsSeats {
			if storage, ok := fx.OrderStorage(o.StorageMarker); ok && storage.Seats != nil {
				st.countSeats(storage, o)
			}
		}
	}
	st.reindexDiscounts()
	st.paymentsByOrder = map[int][]int{}
	st.paymentsByUser = map[int][]int{}
	st.checkoutTokens = map[string]int{}
	st.waiting = map[int]struct{}{}
	st.expiries = nil
	st.reveals = nil
	for _, id := range sortedKeys(st.payments) {
		p := st.payments[id]
		st.paymentsByOrder[p.OrderID] = append(st.paymentsByOrder[p.OrderID], id)
		st.paymentsByUser[p.UserID] = append(st.paymentsByUser[p.UserID], id)
		if p.CheckoutToken != "" {
			st.checkoutTokens[p.CheckoutToken] = id
		}
		if !isFinal(p.Status) {
			st.markWaiting(p)
		}
		if p.PendingURL != "" {
			heap.Push(&st.reveals, expiry{at: p.URLAt, id: id})
		}
	}
	st.formDataByForm = map[string][]int{}
	for _, id := range sortedKeys(st.formData) {
		f := st.formData[id].FormIdentifier
		st.formDataByForm[f] = append(st.formDataByForm[f], id)
	}
}

// countSeats adds the seats an order holds to its slots' usage, as reserveLocked does, without
// checking capacity: a stored order's seats were granted when it was booked.
func (st *state) countSeats(storage *OrderStorage, o *Order) {
	for _, slot := range o.Slots {
		k := keyOf(storage, slot)
		use := st.seats[k]
		if use == nil {
			use = &slotUsage{byProduct: map[int]int{}}
			st.seats[k] = use
		}
		for _, line := range o.Products {
			use.total += line.Quantity
			use.byProduct[line.ProductID] += line.Quantity
		}
	}
}

func sortedKeys[V any](m map[int]V) []int {
	ids := make([]int, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// recordKey is the key of an entity in the data dir: its id, or user id and event for codes.
func recordKey(id int) string { return strconv.Itoa(id) }

func codeRecordKey(userID int, event string) string { return strconv.Itoa(userID) + "/" + event }

// keyedRecord is an entity record of the document, which knows its key in the data dir.
type keyedRecord interface{ key() string }

func (r UserRecord) key() string           { return recordKey(r.ID) }
func (r AuthSessionRecord) key() string    { return recordKey(r.ID) }
func (r OrderRecord) key() string          { return recordKey(r.ID) }
func (r PaymentSessionRecord) key() string { return recordKey(r.ID) }
func (r CodeRecord) key() string           { return codeRecordKey(r.UserID, r.Event) }
func (r FormDataRecord) key() string       { return recordKey(r.ID) }

// numberedRecord is an entity record of the document that an id names.
type numberedRecord interface{ recordID() int }

func (r UserRecord) recordID() int           { return r.ID }
func (r AuthSessionRecord) recordID() int    { return r.ID }
func (r OrderRecord) recordID() int          { return r.ID }
func (r PaymentSessionRecord) recordID() int { return r.ID }
func (r FormDataRecord) recordID() int       { return r.ID }

// sortByID puts records in the order of their ids.
func sortByID[R numberedRecord](records []R) {
	slices.SortFunc(records, func(a, b R) int { return cmp.Compare(a.recordID(), b.recordID()) })
}

// sort puts every list of the document in its canonical order: by id, codes by user and event.
func (doc *StateDocument) sort() {
	sortByID(doc.Users)
	sortByID(doc.AuthSessions)
	sortByID(doc.Orders)
	sortByID(doc.PaymentSessions)
	slices.SortFunc(doc.Carts, func(a, b Cart) int { return cmp.Compare(a.Owner, b.Owner) })
	sortByID(doc.FormData)
	slices.SortFunc(doc.Codes, func(a, b CodeRecord) int {
		return cmp.Or(cmp.Compare(a.UserID, b.UserID), cmp.Compare(a.Event, b.Event))
	})
	doc.sortSite()
}
