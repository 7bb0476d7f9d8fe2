package store

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
)

// checkSettings checks an account's settings and testSettings (objects; return URLs absolute
// http(s) URLs; status a string) and reads what the mock acts on.
func (a *PaymentAccount) checkSettings() error {
	for _, obj := range []struct {
		name string
		raw  json.RawMessage
	}{{"settings", a.Settings}, {"testSettings", a.TestSettings}} {
		if len(obj.raw) == 0 {
			continue
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(obj.raw, &fields); err != nil || fields == nil {
			return fmt.Errorf("%s must be an object", obj.name)
		}
		if raw, ok := fields["status"]; ok {
			var s string
			if json.Unmarshal(raw, &s) != nil {
				return fmt.Errorf("%s.status must be a string", obj.name)
			}
		}
		for _, k := range []string{"successUrl", "cancelUrl"} {
			raw, ok := fields[k]
			if !ok {
				continue
			}
			var s string
			if json.Unmarshal(raw, &s) != nil || !ValidReturnURL(s) {
				return fmt.Errorf("%s.%s must be an absolute http(s) URL", obj.name, k)
			}
		}
		if raw, ok := fields["sessionTimeout"]; ok {
			var n int
			if json.Unmarshal(raw, &n) != nil || n < 0 || n > maxSessionTimeoutMinutes {
				return fmt.Errorf("%s.sessionTimeout must be a whole number of minutes from 0 to %d (a year)", obj.name, maxSessionTimeoutMinutes)
			}
		}
	}
	return a.readSettings()
}

// ValidReturnURL reports whether s can be a checkout return URL: absolute http(s).
func ValidReturnURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// AccountPatch is a run-time change of an account's settings: each key is set in settings or
// testSettings, a null value removes it. Keys not named keep their value.
type AccountPatch struct {
	Settings     map[string]json.RawMessage `json:"settings"`
	TestSettings map[string]json.RawMessage `json:"testSettings"`
}

// patched returns a with p applied, checked.
func (p *AccountPatch) apply(a PaymentAccount) (PaymentAccount, error) {
	var err error
	if a.Settings, err = mergeObject(a.Settings, p.Settings); err != nil {
		return a, err
	}
	if a.TestSettings, err = mergeObject(a.TestSettings, p.TestSettings); err != nil {
		return a, err
	}
	return a, a.checkSettings()
}

// mergePatch adds the keys of set to the run-time patch kept: a null is kept only where it
// removes a key of the account as the server started it (base), so that removing a key a
// patch had set leaves nothing behind to count against MaxAccountPatchKeys.
func mergePatch(kept, set map[string]json.RawMessage, base json.RawMessage) map[string]json.RawMessage {
	out := maps.Clone(kept)
	if out == nil {
		out = map[string]json.RawMessage{}
	}
	var baseKeys map[string]json.RawMessage
	_ = json.Unmarshal(base, &baseKeys) // an object, checked at load; absent: no keys
	for k, v := range set {
		if _, inBase := baseKeys[k]; string(v) == "null" && !inBase {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}

// mergeObject sets the keys of set in the JSON object raw (null removes one); raw stays as it
// is when set is empty.
func mergeObject(raw json.RawMessage, set map[string]json.RawMessage) (json.RawMessage, error) {
	if len(set) == 0 {
		return raw, nil
	}
	fields := map[string]json.RawMessage{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &fields); err != nil {
			return nil, err
		}
	}
	for k, v := range set {
		if string(v) == "null" {
			delete(fields, k)
		} else {
			fields[k] = v
		}
	}
	return json.Marshal(fields)
}

// returnURLPatch sets both return URLs of an account with a checkout, where settings (for a
// test-mode account, testSettings) do not set them: the server's --checkout-return-url.
func returnURLPatch(a *PaymentAccount, returnURL string) *AccountPatch {
	if returnURL == "" || !a.HasCheckout() {
		return nil
	}
	success, cancel := a.RedirectURLs()
	set := map[string]json.RawMessage{}
	u, _ := json.Marshal(returnURL)
	if success == "" {
		set["successUrl"] = u
	}
	if cancel == "" {
		set["cancelUrl"] = u
	}
	if len(set) == 0 {
		return nil
	}
	if a.TestMode {
		return &AccountPatch{TestSettings: set}
	}
	return &AccountPatch{Settings: set}
}

// accountLocked returns the account with the given id as this sandbox has it: the fixture's,
// with the server's return URL and the run-time patch applied.
func (s *Store) accountLocked(id int) (PaymentAccount, bool) {
	a, ok := s.baseAccount(id)
	if !ok {
		return PaymentAccount{}, false
	}
	if p, ok := s.state.accountPatches[id]; ok {
		a, _ = p.apply(a) // checked when it was made
	}
	return a, true
}

// baseAccount is the account as the server starts it: the fixture's, with the server's return
// URL.
func (s *Store) baseAccount(id int) (PaymentAccount, bool) {
	fa, ok := s.fx.PaymentAccountByID(id)
	if !ok {
		return PaymentAccount{}, false
	}
	a := *fa
	if p := returnURLPatch(&a, s.opts.CheckoutReturnURL); p != nil {
		a, _ = p.apply(a) // the URL was checked when the server started
	}
	return a, true
}

// accountByMarkerLocked is accountLocked by identifier.
func (s *Store) accountByMarkerLocked(identifier string) (PaymentAccount, bool) {
	fa, ok := s.fx.PaymentAccount(identifier)
	if !ok {
		return PaymentAccount{}, false
	}
	return s.accountLocked(fa.ID)
}

// PaymentAccounts returns every account as this sandbox has it (see accountLocked), in the
// fixtures' order.
func (s *Store) PaymentAccounts(ctx context.Context) []PaymentAccount {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]PaymentAccount, 0, len(s.fx.PaymentAccounts))
	for _, fa := range s.fx.PaymentAccounts {
		a, _ := s.accountLocked(fa.ID)
		out = append(out, a)
	}
	return out
}

// PaymentAccount returns one account as this sandbox has it.
func (s *Store) PaymentAccount(ctx context.Context, id int) (PaymentAccount, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.accountLocked(id)
	if !ok {
		return PaymentAccount{}, Errorf(CodeNotFound, "Payment account with id %d not found", id)
	}
	return a, nil
}

// PatchPaymentAccount changes an account's settings in this sandbox until the next reset or
// import (return URLs, status): the admin API's PATCH. Patches add up; a bad one changes
// nothing.
func (s *Store) PatchPaymentAccount(ctx context.Context, id int, p AccountPatch) (PaymentAccount, error) {
	if s.opts.Admit != nil {
		if err := s.opts.Admit(); err != nil {
			return PaymentAccount{}, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accountLocked(id)
	if !ok {
		return PaymentAccount{}, Errorf(CodeNotFound, "Payment account with id %d not found", id)
	}
	next, err := p.apply(a)
	if err != nil {
		return PaymentAccount{}, Invalid(err.Error())
	}
	old := s.state.accountPatches[id]
	base, _ := s.baseAccount(id)
	merged := AccountPatch{
		Settings:     mergePatch(old.Settings, p.Settings, base.Settings),
		TestSettings: mergePatch(old.TestSettings, p.TestSettings, base.TestSettings),
	}
	if n := len(merged.Settings) + len(merged.TestSettings); n > MaxAccountPatchKeys {
		return PaymentAccount{}, Invalid(fmt.Sprintf("the account's patches would keep %d settings; at most %d are kept until a reset", n, MaxAccountPatchKeys))
	}
	s.state.accountPatches[id] = merged
	return next, nil
}
