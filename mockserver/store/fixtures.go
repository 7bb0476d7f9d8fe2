package store

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oneentry-mock/oneentry-mock/schedule"
)

// The files a fixture set consists of. Every one is required (but FileDiscounts); see
// docs/fixtures.md.
const (
	FileProject         = "project.json"
	FileAuthProviders   = "auth-providers.json"
	FileUsers           = "users.json"
	FileForms           = "forms.json"
	FileProducts        = "products.json"
	FileOrderStorages   = "order-storages.json"
	FilePaymentAccounts = "payment-accounts.json"
)

// The files of the site around the seed: product statuses, what products gain over the seed's
// recorded answers when the profile serves the site (see Fixtures.Catalog), and integration
// collections with their first rows.
const (
	FileProductStatuses        = "product-statuses.json"
	FileProductDetails         = "product-details.json"
	FileIntegrationCollections = "integration-collections.json"
)

// FixtureError names the file and the field of a fixture set that is wrong, and where in the
// file it is (Line and Column count from 1; 0 when unknown).
type FixtureError struct {
	File   string
	Field  string
	Line   int
	Column int
	Err    error

	// at is the byte offset of the error plus one, when the decoder knew it; unknownKey is
	// the name of an unknown field (encoding/json reports no path for those).
	at         int
	unknownKey string
	// elem is the element of the file's array ("[3]") the error is in, and elemAt the byte
	// offset of the error in that element plus one, when it is known.
	elem   string
	elemAt int
}

func (e *FixtureError) Error() string {
	where := e.File
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Column)
	}
	if e.Field == "" {
		return fmt.Sprintf("fixtures %s: %v", where, e.Err)
	}
	return fmt.Sprintf("fixtures %s: %s: %v", where, e.Field, e.Err)
}

func (e *FixtureError) Unwrap() error { return e.Err }

func fixtureErr(file, field, format string, args ...any) error {
	return &FixtureError{File: file, Field: field, Err: fmt.Errorf(format, args...)}
}

// Project holds the project-wide settings of a fixture set.
type Project struct {
	AppToken              string `json:"appToken"`
	TokenSecret           string `json:"tokenSecret"`
	TimeZone              string `json:"timeZone"`
	DefaultLanguage       string `json:"defaultLanguage"`
	FirstOrderID          int    `json:"firstOrderId"`
	FirstPaymentSessionID int    `json:"firstPaymentSessionId"`

	Location *time.Location `json:"-"`
}

// AuthProvider is an auth provider (the `email` provider of the seed). LoginMarker and
// PasswordMarker name the authData markers that carry the login and the password.
type AuthProvider struct {
	ID                  int             `json:"id"`
	Identifier          string          `json:"identifier"`
	Type                string          `json:"type"`
	LocalizeInfos       json.RawMessage `json:"localizeInfos"`
	Config              json.RawMessage `json:"config"`
	Version             int             `json:"version"`
	FormIdentifier      string          `json:"formIdentifier"`
	UserGroupIdentifier string          `json:"userGroupIdentifier"`
	IsActive            bool            `json:"isActive"`
	IsCheckCode         bool            `json:"isCheckCode"`
	LoginMarker         string          `json:"loginMarker" fixture:"mock"`
	PasswordMarker      string          `json:"passwordMarker" fixture:"mock"`
}

// UserFixture is a user who exists when the sandbox starts.
type UserFixture struct {
	ID                     int             `json:"id"`
	AuthProviderIdentifier string          `json:"authProviderIdentifier"`
	Identifier             string          `json:"identifier"`
	Password               string          `json:"password"`
	FormIdentifier         string          `json:"formIdentifier"`
	FormData               json.RawMessage `json:"formData"`
	Groups                 []int           `json:"groups"`
	State                  json.RawMessage `json:"state"`
}

// Form is a form as the API serves it. Raw is the fixture's bytes (compacted), served verbatim;
// the typed fields are what the mock's rules read.
type Form struct {
	ID             int             `json:"id"`
	AttributeSetID *int            `json:"attributeSetId"`
	Type           *string         `json:"type"`
	LocalizeInfos  json.RawMessage `json:"localizeInfos"`
	Version        int             `json:"version"`
	Position       int             `json:"position"`
	Identifier     string          `json:"identifier"`
	ProcessingType *string         `json:"processingType"`
	TemplateID     *int            `json:"templateId"`
	Attributes     []FormAttribute `json:"attributes"`

	// ModuleFormConfigs bind the form to entities of a module: the only way a submission is
	// accepted. Raw never holds them; the server serves them where the profile does.
	ModuleFormConfigs []ModuleFormConfig `json:"moduleFormConfigs,omitempty"`
	// IsPrivate refuses the public read of the form's submissions; live forms are private
	// unless someone unset it, so an absent value means true. Raw never holds it.
	IsPrivate *bool `json:"isPrivate,omitempty" fixture:"mock"`

	Raw json.RawMessage `json:"-"`
}

// Attribute returns the form attribute with the given marker.
func (f *Form) Attribute(marker string) (*FormAttribute, bool) {
	for i := range f.Attributes {
		if f.Attributes[i].Marker == marker {
			return &f.Attributes[i], true
		}
	}
	return nil, false
}

// FormAttribute is one field of a form.
type FormAttribute struct {
	Type                    string          `json:"type"`
	Marker                  string          `json:"marker"`
	IsLogin                 *bool           `json:"isLogin"`
	IsSignUp                *bool           `json:"isSignUp"`
	Position                int             `json:"position"`
	Settings                json.RawMessage `json:"settings"`
	IsVisible               bool            `json:"isVisible"`
	ListTitles              []ListTitle     `json:"listTitles"`
	Validators              json.RawMessage `json:"validators"`
	LocalizeInfos           json.RawMessage `json:"localizeInfos"`
	AdditionalFields        json.RawMessage `json:"additionalFields"`
	IsNotificationEmail     *bool           `json:"isNotificationEmail"`
	IsNotificationPhoneSMS  *bool           `json:"isNotificationPhoneSMS"`
	IsNotificationPhonePush *bool           `json:"isNotificationPhonePush"`
	IsPassword              *bool           `json:"isPassword,omitempty"`
	IsSignUpRequired        *bool           `json:"isSignUpRequired,omitempty"`

	rules    fieldRules
	schedule *schedule.Schedule
	options  map[string]struct{} // values of the selectable listTitles
}

// Required reports whether the attribute carries a requiredValidator.
func (a *FormAttribute) Required() bool { return a.rules.required }

// Schedule returns the parsed schedule of a timeInterval attribute.
func (a *FormAttribute) Schedule() (*schedule.Schedule, bool) { return a.schedule, a.schedule != nil }

// ListTitle is an option of an entity or list attribute: a page (numeric id) or a product
// (`p-<pageId>-<productId>`).
type ListTitle struct {
	ID       json.RawMessage `json:"id"`
	Depth    int             `json:"depth"`
	Title    string          `json:"title"`
	ParentID *int            `json:"parentId"`
	Position json.RawMessage `json:"position"`
	Selected *bool           `json:"selected,omitempty"`
	IsPinned *bool           `json:"isPinned,omitempty"`
	// OptionValue and Extended are an option of a list or radioButton field as SDK 1.0.149
	// types it (IListTitle: title, value, position, extended), which has no id.
	OptionValue json.RawMessage `json:"value"`
	Extended    json.RawMessage `json:"extended"`
}

// Value returns the value a submission carries for the option: its id (the string for
// products, the decimal number for pages), or, for an option without one, its value.
func (l ListTitle) Value() string {
	raw := l.ID
	if len(raw) == 0 || string(raw) == "null" {
		raw = l.OptionValue
		var entity struct { // IListTitleEntityValue: an entity's entry under value
			ID json.RawMessage `json:"id"`
		}
		if json.Unmarshal(raw, &entity) == nil && len(entity.ID) > 0 {
			raw = entity.ID
		}
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// Product is a product as the API serves it. Raw is served verbatim.
type Product struct {
	ID                          int             `json:"id"`
	LocalizeInfos               json.RawMessage `json:"localizeInfos"`
	StatusIdentifier            *string         `json:"statusIdentifier"`
	StatusLocalizeInfos         json.RawMessage `json:"statusLocalizeInfos"`
	AttributeSetIdentifier      *string         `json:"attributeSetIdentifier"`
	Position                    int             `json:"position"`
	TemplateIdentifier          *string         `json:"templateIdentifier"`
	ShortDescTemplateIdentifier *string         `json:"shortDescTemplateIdentifier"`
	Price                       *float64        `json:"price"`
	Additional                  json.RawMessage `json:"additional"`
	SKU                         *string         `json:"sku"`
	IsSync                      bool            `json:"isSync"`
	IsVisible                   bool            `json:"isVisible"`
	Categories                  []string        `json:"categories"`
	AttributeValues             json.RawMessage `json:"attributeValues"`
	ProductPages                json.RawMessage `json:"productPages"`
	Blocks                      json.RawMessage `json:"blocks"`
	ModuleFormConfigs           json.RawMessage `json:"moduleFormConfigs"`
	Rating                      json.RawMessage `json:"rating"`
	PaymentStages               json.RawMessage `json:"paymentStages"`

	Raw        json.RawMessage `json:"-"`
	Title      string          `json:"-"`
	PriceCents *int64          `json:"-"`

	placed placement
}

// isCanceled reports whether status is the storage's canceled status (a storage without one
// cancels nothing).
func (st *OrderStorage) isCanceled(status string) bool {
	return st.CanceledStatus != "" && status == st.CanceledStatus
}

// OrderStatus is a status an order of a storage can have.
type OrderStatus struct {
	ID            int             `json:"id"`
	Identifier    string          `json:"identifier"`
	LocalizeInfos json.RawMessage `json:"localizeInfos"`
	Position      int             `json:"position"`
	IsUsed        bool            `json:"isUsed"`
	IsDefault     bool            `json:"isDefault"`
}

// OrderStorage is an order storage (`tickets` in the seed) with the mock-only settings that
// decide its orders' currency and statuses.
type OrderStorage struct {
	ID                        int                 `json:"id"`
	Identifier                string              `json:"identifier"`
	LocalizeInfos             json.RawMessage     `json:"localizeInfos"`
	Position                  int                 `json:"position"`
	FormIdentifier            string              `json:"formIdentifier"`
	GeneralTypeID             *int                `json:"generalTypeId"`
	PaymentAccountIdentifiers []AccountIdentifier `json:"paymentAccountIdentifiers"`
	Currency                  string              `json:"currency" fixture:"mock"`
	AttributeSetIdentifier    string              `json:"attributeSetIdentifier" fixture:"mock"`
	Statuses                  []OrderStatus       `json:"statuses" fixture:"mock"`
	// Seats limits how many tickets a schedule slot sells; nil means unlimited.
	Seats *Seats `json:"seats,omitempty" fixture:"mock"`
	// PaidStatus and CanceledStatus are the statuses an order moves to when its payment
	// completes, or is canceled or expires. Empty keeps the status unchanged.
	PaidStatus     string `json:"paidStatus,omitempty" fixture:"mock"`
	CanceledStatus string `json:"canceledStatus,omitempty" fixture:"mock"`

	seatsByProduct map[int]int
}

// Seats is the capacity of each schedule slot of a storage's orders.
type Seats struct {
	// PerSlot caps the tickets (product quantities) of all orders booking one slot; 0 = no cap.
	PerSlot int `json:"perSlot"`
	// PerTicketType caps the tickets of one type per slot, keyed by entity id (`p-8-10`).
	PerTicketType map[string]int `json:"perTicketType"`
}

// AccountIdentifier links a payment account to a storage.
type AccountIdentifier struct {
	Identifier string `json:"identifier"`
}

// DefaultStatus returns the identifier of the storage's default order status.
func (s *OrderStorage) DefaultStatus() string {
	for _, st := range s.Statuses {
		if st.IsDefault {
			return st.Identifier
		}
	}
	if len(s.Statuses) > 0 {
		return s.Statuses[0].Identifier
	}
	return ""
}

func (s *OrderStorage) hasStatus(identifier string) bool {
	return slices.ContainsFunc(s.Statuses, func(st OrderStatus) bool { return st.Identifier == identifier })
}

func (s *OrderStorage) acceptsAccount(identifier string) bool {
	for _, a := range s.PaymentAccountIdentifiers {
		if a.Identifier == identifier {
			return true
		}
	}
	return false
}

// PaymentAccount is a payment account (`cash` in the seed).
type PaymentAccount struct {
	ID            int             `json:"id"`
	Identifier    string          `json:"identifier"`
	Type          string          `json:"type"`
	LocalizeInfos json.RawMessage `json:"localizeInfos"`
	IsVisible     bool            `json:"isVisible"`
	IsUsed        bool            `json:"isUsed"`
	TestMode      bool            `json:"testMode"`
	Settings      json.RawMessage `json:"settings"`
	TestSettings  json.RawMessage `json:"testSettings,omitempty"`
	UpdatedDate   string          `json:"updatedDate"`

	// The fields below configure the simulated provider; the API never serves them.

	// SigningSecret signs webhook deliveries (HMAC-SHA256).
	SigningSecret string `json:"signingSecret,omitempty" fixture:"mock"`
	// WebhookURL receives a signed callback on every session change; empty sends none.
	WebhookURL string `json:"webhookUrl,omitempty" fixture:"mock"`
	// SessionTimeoutMinutes is how long a session may wait for payment (default 30); a
	// test-mode account's testSettings.sessionTimeout, when set, wins.
	SessionTimeoutMinutes int `json:"sessionTimeoutMinutes,omitempty" fixture:"mock"`
	// PaymentURLDelaySeconds gives a custom account (PayPal-like) a checkout page whose URL a
	// session gets only this long after its creation, on the mock clock: the session answers
	// paymentUrl null until then, and front ends poll. Nil: no deferred URL.
	PaymentURLDelaySeconds *int `json:"paymentUrlDelaySeconds,omitempty" fixture:"mock"`
	// OpenSessionWithOrder makes the provider open an order's first session by itself: the
	// order's sessions, read before anyone called createSession, hold it (PayPal, as
	// OneEntry's front-end rules poll for it).
	OpenSessionWithOrder bool `json:"openSessionWithOrder,omitempty" fixture:"mock"`

	successURL, cancelURL string
	sessionTimeout        int // minutes: testSettings' for a test-mode account, else settings'
}

// accountSettings is what the mock reads in an account's settings and testSettings.
type accountSettings struct {
	Status         *string `json:"status"`
	SuccessURL     string  `json:"successUrl"`
	CancelURL      string  `json:"cancelUrl"`
	SessionTimeout int     `json:"sessionTimeout"`
}

// readSettings reads the settings the mock acts on: those of testSettings for a test-mode
// account (where the SDK's types put the return URLs), else those of settings, each field
// falling back to settings when testSettings lacks it.
func (a *PaymentAccount) readSettings() error {
	var live, test accountSettings
	if len(a.Settings) > 0 {
		if err := json.Unmarshal(a.Settings, &live); err != nil {
			return err
		}
	}
	if len(a.TestSettings) > 0 {
		if err := json.Unmarshal(a.TestSettings, &test); err != nil {
			return err
		}
	}
	if !a.TestMode {
		test = accountSettings{}
	}
	a.successURL = cmp.Or(test.SuccessURL, live.SuccessURL)
	a.cancelURL = cmp.Or(test.CancelURL, live.CancelURL)
	a.sessionTimeout = cmp.Or(test.SessionTimeout, live.SessionTimeout)
	return nil
}

// HasCheckout reports whether sessions of this account are paid on a checkout page: the
// `stripe` kind, and custom accounts with a deferred payment URL (PayPal-like); not cash.
func (a *PaymentAccount) HasCheckout() bool {
	return a.Type == "stripe" || a.PaymentURLDelaySeconds != nil
}

// Connected reports whether the account can open sessions: its settings.status, when
// present, is "connected".
func (a *PaymentAccount) Connected() bool {
	var st accountSettings
	_ = json.Unmarshal(a.Settings, &st) // checked at load and on every change
	return st.Status == nil || *st.Status == "connected"
}

// SessionTimeout is how long a session of this account waits for payment.
func (a *PaymentAccount) SessionTimeout() time.Duration {
	switch {
	case a.sessionTimeout > 0:
		return time.Duration(a.sessionTimeout) * time.Minute
	case a.SessionTimeoutMinutes > 0:
		return time.Duration(a.SessionTimeoutMinutes) * time.Minute
	}
	return 30 * time.Minute
}

// PaymentURLDelay is how long after its creation a session of a PayPal-like account gets its
// payment URL.
func (a *PaymentAccount) PaymentURLDelay() time.Duration {
	if a.PaymentURLDelaySeconds == nil {
		return 0
	}
	return time.Duration(*a.PaymentURLDelaySeconds) * time.Second
}

// RedirectURLs are where the checkout page sends the buyer after paying or giving up
// (`successUrl`, `cancelUrl`, see readSettings); empty when unset.
func (a *PaymentAccount) RedirectURLs() (success, cancel string) { return a.successURL, a.cancelURL }

// Fixtures is a loaded and cross-checked fixture set. It is immutable once loaded, so every
// sandbox seeded from it can share it.
type Fixtures struct {
	Project         Project
	AuthProviders   []AuthProvider
	Users           []UserFixture
	Forms           []Form
	Products        []Product
	OrderStorages   []OrderStorage
	PaymentAccounts []PaymentAccount
	// IntegrationCollections are the collections of FileIntegrationCollections, with the rows
	// they start with.
	IntegrationCollections []IntegrationCollection

	// seedCatalog and siteCatalog are the products as served without and with the site's
	// details.
	seedCatalog, siteCatalog *Catalog

	Discounts []Discount

	couponByCode map[string]couponRef
	// languages are the active locales' codes, read once from the loaded locales file: every
	// write with form data checks its locale against them.
	languages []string

	// collections holds the fixed files as served, with the one index of each; files the
	// store has no rules for are read from fsys into extra when first asked for.
	collections map[string]*Collection
	fsys        fs.FS
	mu          sync.Mutex
	extra       map[string]*Collection
	// media is the media folder's listing as last read, for hasMediaEntry.
	media atomic.Pointer[mediaListing]
}

// Collection returns a fixture file as the API serves it. A file outside the fixed set is read
// from the fixture set's folder the first time it is asked for; it must be a JSON array of
// objects with unique ids and markers. A folder without it serves it empty, as it serves a site
// file it lacks: a folder written before an endpoint was added (by fixtures pull, say) still
// starts.
func (f *Fixtures) Collection(file string) (*Collection, error) {
	if c, ok := f.collections[file]; ok {
		return c, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.extra[file]; ok {
		return c, nil
	}
	if slices.Contains(siteFiles, file) {
		return f.site(file), nil
	}
	if !fs.ValidPath(file) {
		return nil, fixtureErr(file, "", "not a file name of the fixture folder")
	}
	if f.fsys == nil {
		return f.site(file), nil
	}
	if ok, err := hasFixture(f.fsys, file); err != nil {
		return nil, err
	} else if !ok {
		f.extra[file] = f.site(file)
		return f.extra[file], nil
	}
	c, err := loadCollection(f.fsys, file, f.Project.DefaultLanguage)
	if err != nil {
		return nil, err
	}
	f.extra[file] = c
	return c, nil
}

// index returns the index of a fixed file; an empty one for fixtures not loaded by LoadFixtures.
func (f *Fixtures) index(file string) *index {
	if c, ok := f.collections[file]; ok {
		return c.idx
	}
	return newIndex(0)
}

// pick returns the item an index lookup found.
func pick[T any](items []T) func(int, bool) (*T, bool) {
	return func(i int, ok bool) (*T, bool) {
		if !ok {
			return nil, false
		}
		return &items[i], true
	}
}

// AuthProvider returns the provider with the given identifier.
func (f *Fixtures) AuthProvider(marker string) (*AuthProvider, bool) {
	return pick(f.AuthProviders)(f.index(FileAuthProviders).marker(marker))
}

// Form returns the form with the given identifier.
func (f *Fixtures) Form(marker string) (*Form, bool) {
	return pick(f.Forms)(f.index(FileForms).marker(marker))
}

// Product returns the product with the given id.
func (f *Fixtures) Product(id int) (*Product, bool) {
	return pick(f.Products)(f.index(FileProducts).id(id))
}

// OrderStorage returns the storage with the given identifier.
func (f *Fixtures) OrderStorage(marker string) (*OrderStorage, bool) {
	return pick(f.OrderStorages)(f.index(FileOrderStorages).marker(marker))
}

// PaymentAccount returns the account with the given identifier.
func (f *Fixtures) PaymentAccount(marker string) (*PaymentAccount, bool) {
	return pick(f.PaymentAccounts)(f.index(FilePaymentAccounts).marker(marker))
}

// PaymentAccountByID returns the account with the given id.
func (f *Fixtures) PaymentAccountByID(id int) (*PaymentAccount, bool) {
	return pick(f.PaymentAccounts)(f.index(FilePaymentAccounts).id(id))
}

// foundByMarker is the fixture find finds for marker, or the API's not-found error for a noun
// with that marker.
func foundByMarker[T any](find func(marker string) (*T, bool), noun, marker string) (*T, error) {
	v, ok := find(marker)
	if !ok {
		return nil, Errorf(CodeNotFound, "%s with marker %q not found", noun, marker)
	}
	return v, nil
}

// MaxFixtureFileSize bounds each fixture file, so a wrong mount fails fast instead of eating memory.
const MaxFixtureFileSize = 16 << 20

// FixtureFolder is the fixture folder dir as the loader reads it: through an os.Root, so that a
// link in it that leads out of it, or is absolute, opens nothing. A folder may come from anyone
// (fixtures pull copies a project's media as they are), and its media are served to any page:
// media/x.png -> /etc/passwd must not be. The root stays open while the fixtures read from it
// are in use (media are read on request) and is closed once they are dropped.
func FixtureFolder(dir string) (fs.FS, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return root.FS(), nil
}

// LoadFixtures reads, decodes and cross-checks a fixture set. Unknown fields, missing files,
// wrong types and dangling references all fail with a *FixtureError naming the file and field.
func LoadFixtures(fsys fs.FS) (*Fixtures, error) {
	f, err := loadFixtures(fsys)
	if err != nil {
		return nil, locateFixtureError(fsys, err)
	}
	return f, nil
}

func loadFixtures(fsys fs.FS) (*Fixtures, error) {
	f := &Fixtures{fsys: fsys, collections: map[string]*Collection{}, extra: map[string]*Collection{}}
	if err := decodeFile(fsys, FileProject, &f.Project); err != nil {
		return nil, err
	}
	raws := map[string][]json.RawMessage{}
	for _, l := range []struct {
		file   string
		decode func(fs.FS, string) ([]json.RawMessage, error)
	}{
		{FileAuthProviders, listOf(&f.AuthProviders)},
		// Decoded element by element, so that an error names the user; never served.
		{FileUsers, func(fsys fs.FS, name string) ([]json.RawMessage, error) {
			_, err := listOf(&f.Users)(fsys, name)
			return nil, err
		}},
		{FileForms, listOf(&f.Forms)},
		{FileProducts, listOf(&f.Products)},
		{FileOrderStorages, listOf(&f.OrderStorages)},
		{FilePaymentAccounts, listOf(&f.PaymentAccounts)},
		{FileDiscounts, f.loadDiscounts},
	} {
		items, err := l.decode(fsys, l.file)
		if err != nil {
			return nil, err
		}
		if items != nil {
			raws[l.file] = items
		}
	}
	for i, raw := range raws[FileForms] {
		raws[FileForms][i] = withoutField(withoutField(raw, "moduleFormConfigs"), "isPrivate")
		f.Forms[i].Raw = raws[FileForms][i]
	}
	for i, raw := range raws[FileProducts] {
		f.Products[i].Raw = raw
	}
	// Each file is validated, defaulted and indexed on its own, in the order their references
	// need: storages name forms, accounts and products; providers name forms; users providers.
	for _, c := range []struct {
		file  string
		check func(*index) error
	}{
		{FileProject, func(*index) error { return f.Project.check() }},
		{FileForms, f.checkForms},
		{FileProducts, f.checkProducts},
		{FilePaymentAccounts, f.checkAccounts},
		{FileOrderStorages, f.checkStorages},
		{FileAuthProviders, f.checkProviders},
		{FileUsers, func(*index) error { return f.checkUsers() }},
		{FileDiscounts, f.checkDiscounts},
	} {
		items, served := raws[c.file]
		idx := newIndex(len(items))
		if err := c.check(idx); err != nil {
			return nil, err
		}
		if served {
			f.collections[c.file] = newCollection(items, idx, f.Project.DefaultLanguage)
		}
	}
	// Across files, once each is checked: a form's options name products.
	if err := f.checkFormProducts(); err != nil {
		return nil, err
	}
	if err := f.loadSite(); err != nil {
		return nil, err
	}
	if err := f.loadCatalog(fsys); err != nil {
		return nil, err
	}
	return f, nil
}

func readFixture(fsys fs.FS, name string) ([]byte, error) {
	// Checked before opening: opening a FIFO blocks until something writes to it, which would
	// hang start-up (and a reload) past any signal.
	info, err := statFixture(fsys, name)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fixtureErr(name, "", "is not a regular file (%s)", info.Mode().Type())
	}
	file, err := fsys.Open(name)
	if err != nil {
		return nil, &FixtureError{File: name, Err: err}
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, MaxFixtureFileSize+1))
	if err != nil {
		return nil, &FixtureError{File: name, Err: err}
	}
	if len(data) > MaxFixtureFileSize {
		return nil, fixtureErr(name, "", "file is larger than %d bytes", MaxFixtureFileSize)
	}
	data = BlankBOM(data)
	// JSON between systems is UTF-8 (RFC 8259 §8.1); served as they are, other bytes would
	// make answers that are not JSON.
	if at := invalidUTF8At(data); at >= 0 {
		line, column := lineColumn(data, at)
		return nil, &FixtureError{File: name, Line: line, Column: column, Err: errors.New("invalid UTF-8: save the file as UTF-8")}
	}
	if at, path, key, earlier := duplicateKey(data); at >= 0 {
		line, column := lineColumn(data, at)
		err := fmt.Errorf("duplicate key %q in one object", key)
		if earlier != key {
			err = fmt.Errorf("key %q repeats %q of the same object: JSON decoding takes keys that differ only in case for one", key, earlier)
		}
		return nil, &FixtureError{File: name, Field: path, Line: line, Column: column, Err: err}
	}
	return data, nil
}

var utf8BOM = []byte("\xef\xbb\xbf")

// BlankBOM returns data with a leading UTF-8 byte order mark turned into spaces, and data itself
// when it has none. Notepad and PowerShell 5.1 start UTF-8 files with one, which RFC 8259 §8.1
// lets a parser ignore, and encoding/json refuses. Blanked rather than cut, so that every
// position an error names stays that of the file; in a copy, so that the caller's bytes stay.
func BlankBOM(data []byte) []byte {
	if !bytes.HasPrefix(data, utf8BOM) {
		return data
	}
	return append([]byte("   "), data[len(utf8BOM):]...)
}

// errNoFile is wrapped by the *FixtureError of a file the fixture set does not have.
var errNoFile = errors.New("file is missing")

// statFixture describes the file name of a fixture set, following links. A set without the
// file gets a *FixtureError wrapping errNoFile; a name that is there but leads nowhere gets
// another error naming it and its target: taken for an absent optional file, it would load as
// an empty one, and a reload would apply it as a deletion. Read through FixtureFolder, a link
// leads nowhere also when it, or a link it leads through, leaves the folder.
func statFixture(fsys fs.FS, name string) (fs.FileInfo, error) {
	info, err := fs.Stat(fsys, name)
	if err == nil {
		return info, nil
	}
	if target, lerr := fs.ReadLink(fsys, name); lerr == nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fixtureErr(name, "", "is a link to %s, which does not exist", target)
		}
		return nil, fixtureErr(name, "", "is a link to %s, which cannot be followed within the fixture folder: a link in it must be relative and stay in it (%v)", target, err)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &FixtureError{File: name, Err: errNoFile}
	}
	return nil, &FixtureError{File: name, Err: err}
}

// hasFixture reports whether the fixture set has the optional file name; a name it cannot
// read is an error (see statFixture), not an absent file.
func hasFixture(fsys fs.FS, name string) (bool, error) {
	_, err := statFixture(fsys, name)
	if errors.Is(err, errNoFile) {
		return false, nil
	}
	return err == nil, err
}

func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("unexpected data after the JSON value")
	}
	var trailing json.RawMessage
	if err := dec.Decode(&trailing); err != io.EOF {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

func decodeFile(fsys fs.FS, name string, v any) error {
	data, err := readFixture(fsys, name)
	if err != nil {
		return err
	}
	if err := decodeStrict(data, v); err != nil {
		return jsonFixtureErr(name, "", err)
	}
	return nil
}

// listOf decodes a fixture file into out, strictly, and returns its elements' JSON.
func listOf[T any](out *[]T) func(fs.FS, string) ([]json.RawMessage, error) {
	return func(fsys fs.FS, name string) ([]json.RawMessage, error) {
		return decodeList(fsys, name, out, decodeStrict)
	}
}

// decodeList decodes a JSON array element by element so errors name the element, and returns
// each element's compacted bytes for verbatim serving.
func decodeList[T any](fsys fs.FS, name string, out *[]T, decode func([]byte, any) error) ([]json.RawMessage, error) {
	data, err := readFixture(fsys, name)
	if err != nil {
		return nil, err
	}
	var raws []json.RawMessage
	if err := decodeStrict(data, &raws); err != nil {
		return nil, jsonFixtureErr(name, "", err)
	}
	*out = make([]T, len(raws))
	for i, raw := range raws {
		if err := decode(raw, &(*out)[i]); err != nil {
			return nil, elementFixtureErr(name, fmt.Sprintf("[%d]", i), raw, reflect.TypeFor[T](), err)
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return nil, jsonFixtureErr(name, fmt.Sprintf("[%d]", i), err)
		}
		raws[i] = buf.Bytes()
	}
	return raws, nil
}

func jsonFixtureErr(file, prefix string, err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		field := typeErr.Field
		if prefix != "" {
			field = joinField(prefix, field)
		}
		fe := &FixtureError{File: file, Field: field, Err: fmt.Errorf("must be %s, not %s", jsonKind(typeErr.Type), jsonValueWord(typeErr.Value))}
		if field == "" {
			fe.at = 1 // the whole file is of the wrong kind
		}
		return fe
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return &FixtureError{File: file, Field: prefix, Err: fmt.Errorf("invalid JSON: %w", err), at: int(syntaxErr.Offset)} // Offset counts the bad byte
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return &FixtureError{File: file, Field: prefix, Err: errors.New("invalid JSON: the file ends early"), at: math.MaxInt}
	}
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		key := strings.Trim(rest, `"`)
		return &FixtureError{File: file, Field: joinField(prefix, key), Err: errors.New("unknown field"), unknownKey: key}
	}
	return &FixtureError{File: file, Field: prefix, Err: err}
}

func joinField(prefix, field string) string {
	switch {
	case prefix == "":
		return field
	case field == "":
		return prefix
	default:
		return prefix + "." + field
	}
}

// LocalizedTitle reads `title` from a localizeInfos object, flat or keyed by language.
func LocalizedTitle(raw json.RawMessage, lang string) string {
	var flat struct {
		Title string `json:"title"`
	}
	if json.Unmarshal(raw, &flat) == nil && flat.Title != "" {
		return flat.Title
	}
	var keyed map[string]struct {
		Title string `json:"title"`
	}
	if json.Unmarshal(raw, &keyed) == nil {
		if t, ok := keyed[lang]; ok {
			return t.Title
		}
		for _, t := range keyed {
			return t.Title
		}
	}
	return ""
}

// productIDFromEntity parses the product id out of an entity value `p-<pageId>-<productId>`.
func productIDFromEntity(value string) (int, bool) {
	rest, ok := strings.CutPrefix(value, "p-")
	if !ok {
		return 0, false
	}
	_, id, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(id)
	return n, err == nil && n > 0
}
