package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oneentry-mock/oneentry-mock/datetime"
	"github.com/oneentry-mock/oneentry-mock/schedule"
)

// The files a fixture set consists of. Every one is required; see the README ("Fixtures").
const (
	FileProject         = "project.json"
	FileAuthProviders   = "auth-providers.json"
	FileUsers           = "users.json"
	FileForms           = "forms.json"
	FileProducts        = "products.json"
	FileOrderStorages   = "order-storages.json"
	FilePaymentAccounts = "payment-accounts.json"
)

// FixtureError names the file and the field of a fixture set that is wrong.
type FixtureError struct {
	File  string
	Field string
	Err   error
}

func (e *FixtureError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("fixtures %s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("fixtures %s: %s: %v", e.File, e.Field, e.Err)
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
	LoginMarker         string          `json:"loginMarker"`
	PasswordMarker      string          `json:"passwordMarker"`
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

	ModuleFormConfigs json.RawMessage `json:"moduleFormConfigs,omitempty"`

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

	required bool
	schedule *schedule.Schedule
	options  map[string]struct{} // values of the selectable listTitles
}

// Required reports whether the attribute carries a requiredValidator.
func (a *FormAttribute) Required() bool { return a.required }

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
}

// Value returns the id as the value a submission carries: the string for products, the
// decimal number for pages.
func (l ListTitle) Value() string {
	var s string
	if json.Unmarshal(l.ID, &s) == nil {
		return s
	}
	return string(l.ID)
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
	Currency                  string              `json:"currency"`
	AttributeSetIdentifier    string              `json:"attributeSetIdentifier"`
	Statuses                  []OrderStatus       `json:"statuses"`
	// Seats limits how many tickets a schedule slot sells; nil means unlimited.
	Seats *Seats `json:"seats,omitempty"`
	// PaidStatus and CanceledStatus are the statuses an order moves to when its payment
	// completes, or is canceled or expires. Empty keeps the status unchanged.
	PaidStatus     string `json:"paidStatus,omitempty"`
	CanceledStatus string `json:"canceledStatus,omitempty"`

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
	for _, st := range s.Statuses {
		if st.Identifier == identifier {
			return true
		}
	}
	return false
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
	SigningSecret string `json:"signingSecret,omitempty"`
	// WebhookURL receives a signed callback on every session change; empty sends none.
	WebhookURL string `json:"webhookUrl,omitempty"`
	// SessionTimeoutMinutes is how long a session may wait for payment (default 30).
	SessionTimeoutMinutes int `json:"sessionTimeoutMinutes,omitempty"`

	successURL, cancelURL string
}

// HasCheckout reports whether sessions of this account are paid on a checkout page (the
// `stripe` kind), as opposed to `custom` accounts such as cash.
func (a *PaymentAccount) HasCheckout() bool { return a.Type == "stripe" }

// SessionTimeout is how long a session of this account waits for payment.
func (a *PaymentAccount) SessionTimeout() time.Duration {
	if a.SessionTimeoutMinutes > 0 {
		return time.Duration(a.SessionTimeoutMinutes) * time.Minute
	}
	return 30 * time.Minute
}

// RedirectURLs are where the checkout page sends the buyer after paying or giving up, from
// the account's settings (`successUrl`, `cancelUrl`); empty when unset.
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

	providerByMarker map[string]*AuthProvider
	formByMarker     map[string]*Form
	productByID      map[int]*Product
	storageByMarker  map[string]*OrderStorage
	accountByMarker  map[string]*PaymentAccount
	accountByID      map[int]*PaymentAccount
}

// AuthProvider returns the provider with the given identifier.
func (f *Fixtures) AuthProvider(marker string) (*AuthProvider, bool) {
	p, ok := f.providerByMarker[marker]
	return p, ok
}

// Form returns the form with the given identifier.
func (f *Fixtures) Form(marker string) (*Form, bool) {
	p, ok := f.formByMarker[marker]
	return p, ok
}

// Product returns the product with the given id.
func (f *Fixtures) Product(id int) (*Product, bool) {
	p, ok := f.productByID[id]
	return p, ok
}

// OrderStorage returns the storage with the given identifier.
func (f *Fixtures) OrderStorage(marker string) (*OrderStorage, bool) {
	p, ok := f.storageByMarker[marker]
	return p, ok
}

// PaymentAccount returns the account with the given identifier.
func (f *Fixtures) PaymentAccount(marker string) (*PaymentAccount, bool) {
	p, ok := f.accountByMarker[marker]
	return p, ok
}

// PaymentAccountByID returns the account with the given id.
func (f *Fixtures) PaymentAccountByID(id int) (*PaymentAccount, bool) {
	p, ok := f.accountByID[id]
	return p, ok
}

// MaxFixtureFileSize bounds each fixture file, so a wrong mount fails fast instead of eating memory.
const MaxFixtureFileSize = 16 << 20

// LoadFixtures reads, decodes and cross-checks a fixture set. Unknown fields, missing files,
// wrong types and dangling references all fail with a *FixtureError naming the file and field.
func LoadFixtures(fsys fs.FS) (*Fixtures, error) {
	f := &Fixtures{}
	if err := decodeFile(fsys, FileProject, &f.Project); err != nil {
		return nil, err
	}
	if err := decodeFile(fsys, FileAuthProviders, &f.AuthProviders); err != nil {
		return nil, err
	}
	if err := decodeFile(fsys, FileUsers, &f.Users); err != nil {
		return nil, err
	}
	if err := decodeRawList(fsys, FileForms, &f.Forms, func(i int, raw json.RawMessage) { f.Forms[i].Raw = raw }); err != nil {
		return nil, err
	}
	if err := decodeRawList(fsys, FileProducts, &f.Products, func(i int, raw json.RawMessage) { f.Products[i].Raw = raw }); err != nil {
		return nil, err
	}
	if err := decodeFile(fsys, FileOrderStorages, &f.OrderStorages); err != nil {
		return nil, err
	}
	if err := decodeFile(fsys, FilePaymentAccounts, &f.PaymentAccounts); err != nil {
		return nil, err
	}
	if err := f.check(); err != nil {
		return nil, err
	}
	return f, nil
}

func readFixture(fsys fs.FS, name string) ([]byte, error) {
	file, err := fsys.Open(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fixtureErr(name, "", "file is missing")
		}
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
	return data, nil
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

// decodeRawList decodes a JSON array element by element so errors name the element, and
// keeps each element's compacted bytes for verbatim serving.
func decodeRawList[T any](fsys fs.FS, name string, out *[]T, keep func(int, json.RawMessage)) error {
	data, err := readFixture(fsys, name)
	if err != nil {
		return err
	}
	var raws []json.RawMessage
	if err := decodeStrict(data, &raws); err != nil {
		return jsonFixtureErr(name, "", err)
	}
	*out = make([]T, len(raws))
	for i, raw := range raws {
		if err := decodeStrict(raw, &(*out)[i]); err != nil {
			return jsonFixtureErr(name, fmt.Sprintf("[%d]", i), err)
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return jsonFixtureErr(name, fmt.Sprintf("[%d]", i), err)
		}
		keep(i, buf.Bytes())
	}
	return nil
}

func jsonFixtureErr(file, prefix string, err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		field := typeErr.Field
		if prefix != "" {
			field = joinField(prefix, field)
		}
		return fixtureErr(file, field, "must be %s, not %s", typeErr.Type, typeErr.Value)
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return fixtureErr(file, prefix, "invalid JSON at byte %d: %v", syntaxErr.Offset, err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fixtureErr(file, prefix, "invalid JSON: the file ends early")
	}
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return fixtureErr(file, joinField(prefix, strings.Trim(rest, `"`)), "unknown field")
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

func (f *Fixtures) check() error {
	p := &f.Project
	if p.AppToken == "" {
		return fixtureErr(FileProject, "appToken", "must not be empty")
	}
	if len(p.TokenSecret) < 16 {
		return fixtureErr(FileProject, "tokenSecret", "must be at least 16 characters")
	}
	if p.TimeZone == "" {
		p.TimeZone = "UTC"
	}
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return fixtureErr(FileProject, "timeZone", "unknown time zone %q", p.TimeZone)
	}
	p.Location = loc
	if p.DefaultLanguage == "" {
		p.DefaultLanguage = "en_US"
	}
	if p.FirstOrderID < 0 {
		return fixtureErr(FileProject, "firstOrderId", "must not be negative")
	}
	if p.FirstOrderID == 0 {
		p.FirstOrderID = 1
	}
	if p.FirstPaymentSessionID < 0 {
		return fixtureErr(FileProject, "firstPaymentSessionId", "must not be negative")
	}
	if p.FirstPaymentSessionID == 0 {
		p.FirstPaymentSessionID = 1
	}

	f.formByMarker = make(map[string]*Form, len(f.Forms))
	for i := range f.Forms {
		form := &f.Forms[i]
		at := fmt.Sprintf("[%d]", i)
		if form.Identifier == "" {
			return fixtureErr(FileForms, at+".identifier", "must not be empty")
		}
		if form.ID < 1 {
			return fixtureErr(FileForms, at+".id", "must be a positive integer")
		}
		if _, dup := f.formByMarker[form.Identifier]; dup {
			return fixtureErr(FileForms, at+".identifier", "duplicate form %q", form.Identifier)
		}
		for j := range form.Attributes {
			attr := &form.Attributes[j]
			aat := fmt.Sprintf("%s.attributes[%d]", at, j)
			if attr.Marker == "" || attr.Type == "" {
				return fixtureErr(FileForms, aat, "marker and type must not be empty")
			}
			required, err := hasRequiredValidator(attr.Validators)
			if err != nil {
				return fixtureErr(FileForms, aat+".validators", "%v", err)
			}
			attr.required = required
			// When the list marks entries as selected (the seed's products), only those are
			// options; the unmarked catalogue page above them is not. A list that marks
			// nothing offers every entry.
			marked := slices.ContainsFunc(attr.ListTitles, func(l ListTitle) bool { return l.Selected != nil })
			attr.options = make(map[string]struct{}, len(attr.ListTitles))
			for _, opt := range attr.ListTitles {
				if !marked || (opt.Selected != nil && *opt.Selected) {
					attr.options[opt.Value()] = struct{}{}
				}
			}
			if attr.Type == "timeInterval" && len(attr.LocalizeInfos) > 0 {
				sched, err := schedule.Parse(attr.LocalizeInfos)
				if err != nil {
					return fixtureErr(FileForms, aat+".localizeInfos", "%v", err)
				}
				attr.schedule = &sched
			}
		}
		f.formByMarker[form.Identifier] = form
	}

	f.productByID = make(map[int]*Product, len(f.Products))
	for i := range f.Products {
		prod := &f.Products[i]
		at := fmt.Sprintf("[%d]", i)
		if prod.ID < 1 {
			return fixtureErr(FileProducts, at+".id", "must be a positive integer")
		}
		if _, dup := f.productByID[prod.ID]; dup {
			return fixtureErr(FileProducts, at+".id", "duplicate product %d", prod.ID)
		}
		if prod.Price != nil {
			if *prod.Price < 0 || math.IsInf(*prod.Price, 0) || *prod.Price > 1e12 {
				return fixtureErr(FileProducts, at+".price", "must be a non-negative amount")
			}
			cents := int64(math.Round(*prod.Price * 100))
			prod.PriceCents = &cents
		}
		prod.Title = LocalizedTitle(prod.LocalizeInfos, p.DefaultLanguage)
		f.productByID[prod.ID] = prod
	}

	f.accountByMarker = make(map[string]*PaymentAccount, len(f.PaymentAccounts))
	f.accountByID = make(map[int]*PaymentAccount, len(f.PaymentAccounts))
	for i := range f.PaymentAccounts {
		acc := &f.PaymentAccounts[i]
		at := fmt.Sprintf("[%d]", i)
		if acc.ID < 1 {
			return fixtureErr(FilePaymentAccounts, at+".id", "must be a positive integer")
		}
		if acc.Identifier == "" {
			return fixtureErr(FilePaymentAccounts, at+".identifier", "must not be empty")
		}
		if _, dup := f.accountByMarker[acc.Identifier]; dup {
			return fixtureErr(FilePaymentAccounts, at+".identifier", "duplicate account %q", acc.Identifier)
		}
		if _, dup := f.accountByID[acc.ID]; dup {
			return fixtureErr(FilePaymentAccounts, at+".id", "duplicate account id %d", acc.ID)
		}
		if acc.Type == "" {
			return fixtureErr(FilePaymentAccounts, at+".type", "must not be empty (custom or stripe)")
		}
		if _, err := datetime.Parse(acc.UpdatedDate); err != nil {
			return fixtureErr(FilePaymentAccounts, at+".updatedDate", "%v", err)
		}
		if acc.SessionTimeoutMinutes < 0 {
			return fixtureErr(FilePaymentAccounts, at+".sessionTimeoutMinutes", "must not be negative")
		}
		if acc.WebhookURL != "" {
			u, err := url.Parse(acc.WebhookURL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return fixtureErr(FilePaymentAccounts, at+".webhookUrl", "must be an http(s) URL")
			}
		}
		var redirects struct {
			SuccessURL string `json:"successUrl"`
			CancelURL  string `json:"cancelUrl"`
		}
		if len(acc.Settings) > 0 {
			if err := json.Unmarshal(acc.Settings, &redirects); err != nil {
				return fixtureErr(FilePaymentAccounts, at+".settings", "must be an object; successUrl and cancelUrl, when present, strings")
			}
		}
		acc.successURL, acc.cancelURL = redirects.SuccessURL, redirects.CancelURL
		f.accountByMarker[acc.Identifier] = acc
		f.accountByID[acc.ID] = acc
	}

	f.storageByMarker = make(map[string]*OrderStorage, len(f.OrderStorages))
	for i := range f.OrderStorages {
		st := &f.OrderStorages[i]
		at := fmt.Sprintf("[%d]", i)
		if st.ID < 1 {
			return fixtureErr(FileOrderStorages, at+".id", "must be a positive integer")
		}
		if st.Identifier == "" {
			return fixtureErr(FileOrderStorages, at+".identifier", "must not be empty")
		}
		if _, dup := f.storageByMarker[st.Identifier]; dup {
			return fixtureErr(FileOrderStorages, at+".identifier", "duplicate storage %q", st.Identifier)
		}
		if _, ok := f.formByMarker[st.FormIdentifier]; !ok {
			return fixtureErr(FileOrderStorages, at+".formIdentifier", "no form %q in %s", st.FormIdentifier, FileForms)
		}
		for j, a := range st.PaymentAccountIdentifiers {
			if _, ok := f.accountByMarker[a.Identifier]; !ok {
				return fixtureErr(FileOrderStorages, fmt.Sprintf("%s.paymentAccountIdentifiers[%d].identifier", at, j), "no payment account %q in %s", a.Identifier, FilePaymentAccounts)
			}
		}
		if len(st.Statuses) == 0 {
			return fixtureErr(FileOrderStorages, at+".statuses", "must list at least one order status")
		}
		for j, s := range st.Statuses {
			if s.Identifier == "" {
				return fixtureErr(FileOrderStorages, fmt.Sprintf("%s.statuses[%d].identifier", at, j), "must not be empty")
			}
		}
		for field, status := range map[string]string{"paidStatus": st.PaidStatus, "canceledStatus": st.CanceledStatus} {
			if status != "" && !st.hasStatus(status) {
				return fixtureErr(FileOrderStorages, at+"."+field, "%q is not one of the storage's statuses", status)
			}
		}
		if st.Seats != nil {
			if st.Seats.PerSlot < 0 {
				return fixtureErr(FileOrderStorages, at+".seats.perSlot", "must not be negative")
			}
			st.seatsByProduct = map[int]int{}
			for entity, n := range st.Seats.PerTicketType {
				id, ok := productIDFromEntity(entity)
				if !ok {
					return fixtureErr(FileOrderStorages, at+".seats.perTicketType."+entity, "keys are product entity ids such as p-8-10")
				}
				if _, ok := f.productByID[id]; !ok {
					return fixtureErr(FileOrderStorages, at+".seats.perTicketType."+entity, "no product %d in %s", id, FileProducts)
				}
				if n < 0 {
					return fixtureErr(FileOrderStorages, at+".seats.perTicketType."+entity, "must not be negative")
				}
				st.seatsByProduct[id] = n
			}
		}
		f.storageByMarker[st.Identifier] = st
	}

	f.providerByMarker = make(map[string]*AuthProvider, len(f.AuthProviders))
	for i := range f.AuthProviders {
		pr := &f.AuthProviders[i]
		at := fmt.Sprintf("[%d]", i)
		if pr.Identifier == "" {
			return fixtureErr(FileAuthProviders, at+".identifier", "must not be empty")
		}
		if _, dup := f.providerByMarker[pr.Identifier]; dup {
			return fixtureErr(FileAuthProviders, at+".identifier", "duplicate provider %q", pr.Identifier)
		}
		if pr.LoginMarker == "" || pr.PasswordMarker == "" {
			return fixtureErr(FileAuthProviders, at+".loginMarker", "loginMarker and passwordMarker must name the authData markers")
		}
		if pr.FormIdentifier != "" {
			if _, ok := f.formByMarker[pr.FormIdentifier]; !ok {
				return fixtureErr(FileAuthProviders, at+".formIdentifier", "no form %q in %s", pr.FormIdentifier, FileForms)
			}
		}
		if len(pr.Config) > 0 {
			var cfg map[string]any
			if err := json.Unmarshal(pr.Config, &cfg); err != nil {
				return fixtureErr(FileAuthProviders, at+".config", "must be an object")
			}
		}
		f.providerByMarker[pr.Identifier] = pr
	}

	seenUser := map[int]bool{}
	seenLogin := map[string]bool{}
	for i := range f.Users {
		u := &f.Users[i]
		at := fmt.Sprintf("[%d]", i)
		if u.ID < 1 {
			return fixtureErr(FileUsers, at+".id", "must be a positive integer")
		}
		if seenUser[u.ID] {
			return fixtureErr(FileUsers, at+".id", "duplicate user id %d", u.ID)
		}
		if _, ok := f.providerByMarker[u.AuthProviderIdentifier]; !ok {
			return fixtureErr(FileUsers, at+".authProviderIdentifier", "no auth provider %q in %s", u.AuthProviderIdentifier, FileAuthProviders)
		}
		if u.Identifier == "" {
			return fixtureErr(FileUsers, at+".identifier", "must not be empty")
		}
		key := u.AuthProviderIdentifier + "\x00" + strings.ToLower(u.Identifier)
		if seenLogin[key] {
			return fixtureErr(FileUsers, at+".identifier", "duplicate login %q", u.Identifier)
		}
		if u.Password == "" {
			return fixtureErr(FileUsers, at+".password", "must not be empty")
		}
		if _, err := decodeFormDataItems(u.FormData); err != nil {
			return fixtureErr(FileUsers, at+".formData", "%v", err)
		}
		if u.Groups == nil {
			u.Groups = []int{}
		}
		if len(u.State) == 0 {
			u.State = json.RawMessage(`{}`)
		}
		seenUser[u.ID] = true
		seenLogin[key] = true
	}
	return nil
}

func hasRequiredValidator(raw json.RawMessage) (bool, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return false, nil
	}
	var validators map[string]json.RawMessage
	if err := json.Unmarshal(raw, &validators); err != nil {
		return false, errors.New("must be an object")
	}
	v, ok := validators["requiredValidator"]
	if !ok || string(v) == "null" || string(v) == "false" {
		return false, nil
	}
	var rule struct {
		Strict *bool `json:"strict"`
	}
	if json.Unmarshal(v, &rule) == nil && rule.Strict != nil && !*rule.Strict {
		return false, nil
	}
	return true, nil
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
