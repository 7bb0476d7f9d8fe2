package store

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oneentry-mock/oneentry-mock/datetime"
	"github.com/oneentry-mock/oneentry-mock/schedule"
)

// check validates the project settings and fills in their defaults.
func (p *Project) check() error {
	if p.AppToken == "" {
		return fixtureErr(FileProject, "appToken", "must not be empty")
	}
	// Without a tokenSecret each sandbox signs with a random one (see store.Options.TokenSecret):
	// a secret in public fixtures would let anyone mint user tokens.
	if p.TokenSecret != "" && len(p.TokenSecret) < 16 {
		return fixtureErr(FileProject, "tokenSecret", "must be at least 16 characters, or left out for a random one")
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
	// Texts are keyed by such codes: under another, no text would be found.
	if !isLanguageCode(p.DefaultLanguage) {
		return fixtureErr(FileProject, "defaultLanguage", "must be a language code such as en_US, not %q", p.DefaultLanguage)
	}
	if p.FirstOrderID < 0 || p.FirstOrderID >= MaxCounter {
		return fixtureErr(FileProject, "firstOrderId", "must be from 0 to %d", MaxCounter-1)
	}
	if p.FirstOrderID == 0 {
		p.FirstOrderID = 1
	}
	if p.FirstPaymentSessionID < 0 || p.FirstPaymentSessionID >= MaxCounter {
		return fixtureErr(FileProject, "firstPaymentSessionId", "must be from 0 to %d", MaxCounter-1)
	}
	if p.FirstPaymentSessionID == 0 {
		p.FirstPaymentSessionID = 1
	}
	return nil
}

// key is how an object of a served file is found: by id, by marker, or both (use*). Its id
// must be positive even when it is not found by it, unless anyID (auth providers, whose id is
// served as the fixture holds it).
type key struct {
	id                      int
	marker                  string
	useID, useMarker, anyID bool
}

// checkKeys validates the keys of the object at `at` of file (a noun in messages): a positive
// id, a marker when it is found by one, neither taken by an earlier object.
func checkKeys(idx *index, file, at, noun string, k key) error {
	if k.id < 1 && !k.anyID {
		return fixtureErr(file, at+".id", "must be a positive integer")
	}
	if k.useMarker && k.marker == "" {
		return fixtureErr(file, at+".identifier", "must not be empty")
	}
	if _, dup := idx.marker(k.marker); k.useMarker && dup {
		return fixtureErr(file, at+".identifier", "duplicate %s %q", noun, k.marker)
	}
	if _, dup := idx.id(k.id); k.useID && dup {
		return fixtureErr(file, at+".id", "duplicate %s id %d", noun, k.id)
	}
	return nil
}

// checkForms validates the forms, parses their rules (required fields, options, schedules)
// and indexes them by identifier.
func (f *Fixtures) checkForms(idx *index) error {
	configIDs := map[int]bool{}
	for i := range f.Forms {
		form := &f.Forms[i]
		at := fmt.Sprintf("[%d]", i)
		if err := checkKeys(idx, FileForms, at, "form", key{id: form.ID, useID: true, marker: form.Identifier, useMarker: true}); err != nil {
			return err
		}
		markers := map[string]bool{}
		for j := range form.Attributes {
			attr := &form.Attributes[j]
			attrAt := fmt.Sprintf("%s.attributes[%d]", at, j)
			if err := attr.check(attrAt); err != nil {
				return err
			}
			if markers[attr.Marker] {
				return fixtureErr(FileForms, attrAt+".marker", "duplicate attribute %q in form %q", attr.Marker, form.Identifier)
			}
			markers[attr.Marker] = true
		}
		if err := f.checkModuleConfigs(form, at, configIDs); err != nil {
			return err
		}
		idx.add(i, form.ID, form.Identifier)
	}
	return nil
}

// check validates a form attribute found at `at` and parses its rules.
func (attr *FormAttribute) check(at string) error {
	if attr.Marker == "" || attr.Type == "" {
		return fixtureErr(FileForms, at, "marker and type must not be empty")
	}
	var err error
	if attr.rules, err = parseFieldRules(attr.Validators); err != nil {
		return fixtureErr(FileForms, at+".validators", "%v", err)
	}
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
			return fixtureErr(FileForms, at+".localizeInfos", "%v", err)
		}
		attr.schedule = &sched
	}
	return nil
}

// checkFormProducts refuses a form option that names a product (p-<page>-<id>) the fixtures
// lack: an order could otherwise choose it.
func (f *Fixtures) checkFormProducts() error {
	for i := range f.Forms {
		for j, attr := range f.Forms[i].Attributes {
			for k, opt := range attr.ListTitles {
				if id, ok := productIDFromEntity(opt.Value()); ok {
					if _, found := f.Product(id); !found {
						field := "id"
						if len(opt.ID) == 0 || string(opt.ID) == "null" {
							field = "value" // an option in the SDK's shape
						}
						return fixtureErr(FileForms, fmt.Sprintf("[%d].attributes[%d].listTitles[%d].%s", i, j, k, field), "names product %d, which is not in %s", id, FileProducts)
					}
				}
			}
		}
	}
	return nil
}

// checkProducts validates the products, works out their prices in cents and titles, and
// indexes them by id.
func (f *Fixtures) checkProducts(idx *index) error {
	for i := range f.Products {
		prod := &f.Products[i]
		at := fmt.Sprintf("[%d]", i)
		if err := checkKeys(idx, FileProducts, at, "product", key{id: prod.ID, useID: true}); err != nil {
			return err
		}
		if prod.Price != nil {
			if *prod.Price < 0 || math.IsInf(*prod.Price, 0) || *prod.Price > 1e12 {
				return fixtureErr(FileProducts, at+".price", "must be a non-negative amount")
			}
			cents := int64(math.Round(*prod.Price * 100))
			prod.PriceCents = &cents
		}
		prod.Title = LocalizedTitle(prod.LocalizeInfos, f.Project.DefaultLanguage)
		idx.add(i, prod.ID, "")
	}
	return nil
}

// checkAccounts validates the payment accounts, reads their redirect URLs and indexes them by
// id and identifier.
func (f *Fixtures) checkAccounts(idx *index) error {
	for i := range f.PaymentAccounts {
		acc := &f.PaymentAccounts[i]
		at := fmt.Sprintf("[%d]", i)
		if err := checkKeys(idx, FilePaymentAccounts, at, "account", key{id: acc.ID, useID: true, marker: acc.Identifier, useMarker: true}); err != nil {
			return err
		}
		if acc.Type == "" {
			return fixtureErr(FilePaymentAccounts, at+".type", "must not be empty (custom or stripe)")
		}
		if _, err := datetime.Parse(acc.UpdatedDate); err != nil {
			return fixtureErr(FilePaymentAccounts, at+".updatedDate", "%v", err)
		}
		if acc.SessionTimeoutMinutes < 0 || acc.SessionTimeoutMinutes > maxSessionTimeoutMinutes {
			return fixtureErr(FilePaymentAccounts, at+".sessionTimeoutMinutes", "must be from 0 to %d (a year)", maxSessionTimeoutMinutes)
		}
		if acc.WebhookURL != "" {
			u, err := url.Parse(acc.WebhookURL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !validPort(u.Port()) {
				return fixtureErr(FilePaymentAccounts, at+".webhookUrl", "must be an http(s) URL")
			}
			if len(acc.WebhookURL) > maxWebhookURL {
				return fixtureErr(FilePaymentAccounts, at+".webhookUrl", "must be at most %d bytes", maxWebhookURL)
			}
		}
		if acc.PaymentURLDelaySeconds != nil && (*acc.PaymentURLDelaySeconds < 0 || *acc.PaymentURLDelaySeconds > maxPaymentURLDelaySeconds || acc.Type != "custom") {
			return fixtureErr(FilePaymentAccounts, at+".paymentUrlDelaySeconds", "must be from 0 to %d (a day), and only a custom account has one", maxPaymentURLDelaySeconds)
		}
		if err := acc.checkSettings(); err != nil {
			return fixtureErr(FilePaymentAccounts, at+".settings", "%v", err)
		}
		idx.add(i, acc.ID, acc.Identifier)
	}
	return nil
}

// checkStorages validates the order storages and what they name (form, accounts, statuses,
// ticket types), and indexes them by identifier.
func (f *Fixtures) checkStorages(idx *index) error {
	for i := range f.OrderStorages {
		st := &f.OrderStorages[i]
		at := fmt.Sprintf("[%d]", i)
		if err := checkKeys(idx, FileOrderStorages, at, "storage", key{id: st.ID, marker: st.Identifier, useMarker: true}); err != nil {
			return err
		}
		if _, ok := f.Form(st.FormIdentifier); !ok {
			return fixtureErr(FileOrderStorages, at+".formIdentifier", "no form %q in %s", st.FormIdentifier, FileForms)
		}
		for j, a := range st.PaymentAccountIdentifiers {
			if _, ok := f.PaymentAccount(a.Identifier); !ok {
				return fixtureErr(FileOrderStorages, fmt.Sprintf("%s.paymentAccountIdentifiers[%d].identifier", at, j), "no payment account %q in %s", a.Identifier, FilePaymentAccounts)
			}
		}
		if len(st.Statuses) == 0 {
			return fixtureErr(FileOrderStorages, at+".statuses", "must list at least one order status")
		}
		seen, defaults := map[string]bool{}, 0
		for j, s := range st.Statuses {
			statusAt := fmt.Sprintf("%s.statuses[%d]", at, j)
			if s.Identifier == "" {
				return fixtureErr(FileOrderStorages, statusAt+".identifier", "must not be empty")
			}
			if seen[s.Identifier] {
				return fixtureErr(FileOrderStorages, statusAt+".identifier", "duplicate status %q", s.Identifier)
			}
			seen[s.Identifier] = true
			if s.IsDefault {
				defaults++
			}
		}
		if defaults > 1 {
			return fixtureErr(FileOrderStorages, at+".statuses", "at most one status may be isDefault (the status new orders get), not %d", defaults)
		}
		if st.PaidStatus != "" && st.DefaultStatus() == st.PaidStatus {
			return fixtureErr(FileOrderStorages, at+".statuses", "new orders would get %q, the paidStatus, which only payments set", st.PaidStatus)
		}
		for field, status := range map[string]string{"paidStatus": st.PaidStatus, "canceledStatus": st.CanceledStatus} {
			if status != "" && !st.hasStatus(status) {
				return fixtureErr(FileOrderStorages, at+"."+field, "%q is not one of the storage's statuses", status)
			}
		}
		if err := f.checkSeats(st, at); err != nil {
			return err
		}
		idx.add(i, 0, st.Identifier)
	}
	return nil
}

// checkSeats validates a storage's seat limits and indexes them by product.
func (f *Fixtures) checkSeats(st *OrderStorage, at string) error {
	if st.Seats == nil {
		return nil
	}
	if st.Seats.PerSlot < 0 {
		return fixtureErr(FileOrderStorages, at+".seats.perSlot", "must not be negative")
	}
	st.seatsByProduct = map[int]int{}
	for entity, n := range st.Seats.PerTicketType {
		id, ok := productIDFromEntity(entity)
		if !ok {
			return fixtureErr(FileOrderStorages, at+".seats.perTicketType."+entity, "keys are product entity ids such as p-8-10")
		}
		if _, ok := f.Product(id); !ok {
			return fixtureErr(FileOrderStorages, at+".seats.perTicketType."+entity, "no product %d in %s", id, FileProducts)
		}
		if n < 0 {
			return fixtureErr(FileOrderStorages, at+".seats.perTicketType."+entity, "must not be negative")
		}
		if _, dup := st.seatsByProduct[id]; dup {
			// Two keys of one product (p-8-10 and p-99-10): which cap held would change from
			// load to load with the map's order.
			return fixtureErr(FileOrderStorages, at+".seats.perTicketType."+entity, "a second cap of product %d", id)
		}
		st.seatsByProduct[id] = n
	}
	return nil
}

// checkProviders validates the auth providers and indexes them by identifier.
func (f *Fixtures) checkProviders(idx *index) error {
	for i := range f.AuthProviders {
		pr := &f.AuthProviders[i]
		at := fmt.Sprintf("[%d]", i)
		if err := checkKeys(idx, FileAuthProviders, at, "provider", key{id: pr.ID, useID: pr.ID > 0, marker: pr.Identifier, useMarker: true, anyID: true}); err != nil {
			return err
		}
		if pr.LoginMarker == "" || pr.PasswordMarker == "" {
			return fixtureErr(FileAuthProviders, at+".loginMarker", "loginMarker and passwordMarker must name the authData markers")
		}
		if pr.FormIdentifier != "" {
			if _, ok := f.Form(pr.FormIdentifier); !ok {
				return fixtureErr(FileAuthProviders, at+".formIdentifier", "no form %q in %s", pr.FormIdentifier, FileForms)
			}
		}
		if len(pr.Config) > 0 {
			var cfg map[string]any
			if err := json.Unmarshal(pr.Config, &cfg); err != nil {
				return fixtureErr(FileAuthProviders, at+".config", "must be an object")
			}
		}
		idx.add(i, pr.ID, pr.Identifier)
	}
	return nil
}

// checkUsers validates the users, each unique by id and by login, and fills in their
// defaults.
func (f *Fixtures) checkUsers() error {
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
		if _, ok := f.AuthProvider(u.AuthProviderIdentifier); !ok {
			return fixtureErr(FileUsers, at+".authProviderIdentifier", "no auth provider %q in %s", u.AuthProviderIdentifier, FileAuthProviders)
		}
		if u.Identifier == "" {
			return fixtureErr(FileUsers, at+".identifier", "must not be empty")
		}
		if _, ok := f.Form(u.FormIdentifier); u.FormIdentifier != "" && !ok {
			return fixtureErr(FileUsers, at+".formIdentifier", "no form %q in %s", u.FormIdentifier, FileForms)
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

// The bounds of an account's waits keep their times far inside a time.Duration and the
// date-time range, whatever the clock shows.
const (
	maxSessionTimeoutMinutes  = 366 * 24 * 60
	maxPaymentURLDelaySeconds = 24 * 60 * 60
)

// maxWebhookURL bounds an account's webhook URL, which every logged delivery keeps.
const maxWebhookURL = 2048

// validPort reports whether port, as url.URL.Port gives it, is absent or from 1 to 65535.
func validPort(port string) bool {
	if port == "" {
		return true
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 1 && n <= 65535
}
