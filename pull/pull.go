// Package pull mirrors a OneEntry project's public read side into a fixture set: it walks the
// content API as a front end would (providers, forms, catalogue, and with a user the order
// storages, statuses and payment accounts), records what it reads as a capsule per language,
// and derives the fixtures from those capsules the way `fixtures from-capsule` does. Nothing
// secret is written: the app token is replaced by a generated one and passwords by the
// capsule's placeholder.
package pull

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/oneentry-mock/oneentry-mock/backoff"
	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/exchange"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// Options say what to pull and how.
type Options struct {
	// URL is the project's address, e.g. https://my-project.oneentry.cloud.
	URL string
	// AppToken is the project's app token; it is sent, never written.
	AppToken string
	// Langs are the languages to read; the first is the project's default in the pull.
	// Empty means en_US.
	Langs []string
	// User and Password sign in to read what needs a user (order storages and their statuses,
	// payment accounts, the user's own profile). Without them those are left out.
	User, Password string
	// Menus are the markers of the menus to read; empty means DefaultMenus.
	Menus []string
	// Coupons are the codes of coupons to copy under their discounts: the API lists none, it
	// only answers one by code.
	Coupons []string
	// Provider is the auth provider to sign in with; empty means the first one listed.
	Provider string
	// PageSize is the limit asked for each page of a paged list; 0 means 100.
	PageSize int
	// Retry is how 429 and 5xx answers and transport errors are retried; the zero value means
	// five attempts with exponential back-off from 500 ms.
	Retry backoff.Policy
	// Client sends the requests; nil means a client with a 30 s timeout.
	Client *http.Client
	// Progress receives a line per step read (nil: nothing).
	Progress Progress
}

// Progress is told what the pull is reading.
type Progress interface {
	// Step is called as a step starts and after each page: name, pages read, items read and
	// the total the API announced (-1 when it announced none).
	Step(name string, pages, items, total int)
}

// ErrNotFound is wrapped by the error of a step the project answered 404.
var ErrNotFound = errors.New("the project has no such thing")

// ErrRefused is wrapped by the error of a step that the project answered 401 or 403.
var ErrRefused = errors.New("the project refused the request")

// Run walks the project and returns the fixture set that serves what it read.
func Run(ctx context.Context, o Options) (*capsule.FixtureSet, error) {
	w, err := newWalker(o)
	if err != nil {
		return nil, err
	}
	probes, err := w.otherLocales(ctx)
	if err != nil {
		return nil, err
	}
	perLang := map[string]*capsule.FixtureSet{}
	read := append(slices.Clone(w.langs), probes...)
	for _, lang := range read {
		if perLang[lang], err = w.read(ctx, lang); err != nil {
			return nil, err
		}
	}
	if lang := unheldLanguage(read); lang != "" {
		unheld, err := w.read(ctx, lang)
		switch {
		case err == nil:
			perLang[lang] = unheld
			probes = append(probes, lang)
		case ctx.Err() != nil:
			return nil, err
		default:
			w.note("reading the project in %s, a language it does not hold, failed (%v): the pulled sandbox answers such a language blank text by text, which may not be where the project does", lang, err)
		}
	}
	set, err := mergeLanguages(w.langs, probes, perLang)
	if err != nil {
		return nil, err
	}
	if err := w.markReadableForms(ctx, set); err != nil {
		return nil, err
	}
	if err := w.pullSite(ctx, set); err != nil {
		return nil, err
	}
	if err := w.addTestUser(set); err != nil {
		return nil, err
	}
	// After the users: which discounts the fixtures load is asked of the whole set.
	if err := w.pullDiscounts(ctx, set); err != nil {
		return nil, err
	}
	if err := w.pullMedia(ctx, set); err != nil {
		return nil, err
	}
	set.Notes = append(set.Notes, w.notes...)
	return set, nil
}

// read walks the project in one language and derives the fixtures of what it read.
func (w *walker) read(ctx context.Context, lang string) (*capsule.FixtureSet, error) {
	c, err := w.walk(ctx, lang)
	if err != nil {
		return nil, err
	}
	set, err := capsule.DeriveFixtures(c)
	if err != nil {
		return nil, fmt.Errorf("pull: %s: %w", lang, err)
	}
	return set, nil
}

// unheldCandidates are the languages one of which a pull reads the project in as a language it
// does not hold: the first that is neither pulled nor active (a project holding them all is
// read in none).
var unheldCandidates = []string{"de_DE", "fr_FR", "es_ES", "it_IT", "pt_PT", "nl_NL", "pl_PL", "ja_JP"}

// unheldLanguage is the language the project is read in as one it does not hold, besides those
// read: its answers show where the project keeps texts per language, and so what it answers
// a language it lacks (a whole localizeInfos blank, {}, rather than each text ""), even where
// the languages pulled read alike or no other language is active. It is a probe (see
// otherLocales); "" when every candidate is read already.
func unheldLanguage(read []string) string {
	for _, l := range unheldCandidates {
		if !slices.Contains(read, l) {
			return l
		}
	}
	return ""
}

// otherLocales returns the project's active languages that the pull was not asked for. They
// are read all the same, to learn where their texts are blank: the project keeps a text per
// language at some level (a whole localizeInfos, one attribute's value), which no single
// language's answer shows, and a language without the text answers blank at that level ({}
// for the whole localizeInfos). Their texts are not kept (see mergeLanguages).
func (w *walker) otherLocales(ctx context.Context) ([]string, error) {
	e, err := w.do(ctx, "locales", http.MethodGet, "/api/content/locales/active/all", nil, nil)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var locales []struct {
		Code string `json:"code"`
	}
	if json.Unmarshal(e.ResponseBody, &locales) != nil {
		return nil, nil // the walk reads the locales again and says what is wrong with them
	}
	var active, out []string
	for _, l := range locales {
		active = append(active, l.Code)
		if CheckLang(l.Code) == nil && !slices.Contains(w.langs, l.Code) && !slices.Contains(out, l.Code) {
			out = append(out, l.Code)
		}
	}
	// A language the project has no active locale of reads as blank texts, and the fixtures
	// refuse a default language that is not active: say so before reading the whole project.
	for _, lang := range w.langs {
		if len(active) > 0 && !slices.Contains(active, lang) {
			return nil, fmt.Errorf("pull: the project has no active locale %s: pull one of its active locales (%s)", lang, strings.Join(active, ", "))
		}
	}
	return out, nil
}

// mediaLink matches a JSON string linking to a file the project itself serves from its media
// folder: the whole string, escapes and all, with whatever name, query or fragment it carries.
var mediaLink = regexp.MustCompile(`"` + regexp.QuoteMeta(store.MediaPath) + `(?:[^"\\]|\\.)*"`)

// maxMedia bounds the media files a pull copies.
const maxMedia = 1000

// mediaName is the file of the media folder a link (a JSON string matched by mediaLink) names:
// its path after the media path, percent-escapes decoded, without query or fragment. ok is
// false where that is no single plain file name (a sub-folder, "..", a control character),
// which the pulled sandbox could not serve from its media folder.
func mediaName(quoted []byte) (name string, ok bool) {
	var link string
	if json.Unmarshal(quoted, &link) != nil {
		return "", false
	}
	rest := strings.TrimPrefix(link, store.MediaPath)
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	name, err := url.PathUnescape(rest)
	if err != nil || name == "" || name == "." || !utf8.ValidString(name) || !fs.ValidPath(name) ||
		strings.ContainsAny(name, `/\`) || strings.ContainsFunc(name, unicode.IsControl) {
		return "", false
	}
	return name, true
}

// windowsDevices are the names Windows keeps for devices in every folder, with or without an
// extension: NUL.svg is the null device there, not a file.
var windowsDevices = []string{
	"CON", "PRN", "AUX", "NUL",
	"COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
	"LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
}

// windowsCanHold reports whether a Windows file system can hold a file named name: none of
// <>:"|?*\ (a colon names an NTFS stream), no control character, no trailing dot or space
// (Windows drops them) and no device name (windowsDevices), in any case.
func windowsCanHold(name string) bool {
	if strings.ContainsAny(name, `<>:"|?*\`) || strings.ContainsFunc(name, unicode.IsControl) ||
		strings.HasSuffix(name, ".") || strings.HasSuffix(name, " ") {
		return false
	}
	base, _, _ := strings.Cut(name, ".")
	base = strings.TrimRight(base, " ")
	return !slices.ContainsFunc(windowsDevices, func(d string) bool { return strings.EqualFold(d, base) })
}

// dropCaseTwins returns the sorted names without those that differ only in case from an earlier
// one, with a note for each: a case-insensitive disk (macOS, Windows) holds Hero.svg and hero.svg
// as one file, so the second written would replace the first and a page would show the other's
// image. The links of a dropped name stay absolute.
func (w *walker) dropCaseTwins(names []string) []string {
	taken := map[string]string{}
	kept := names[:0]
	for _, name := range names {
		key := foldCase(name)
		if first, ok := taken[key]; ok {
			w.note("media: %s differs only in case from %s, which a case-insensitive disk holds as the same file; its link stays absolute", name, first)
			continue
		}
		taken[key] = name
		kept = append(kept, name)
	}
	return kept
}

// foldCase maps each letter of s to the least rune of its case-folding orbit, so that two
// strings have the same foldCase exactly when strings.EqualFold holds for them.
func foldCase(s string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, s)
}

// pullMedia copies the files the fixtures link to at the project's own media path, so the
// pulled sandbox serves its images offline. Links elsewhere (a CDN) stay links. A linked file
// that cannot be copied keeps its link absolute, to the project, with a note: a relative link
// would point at a file the pulled sandbox does not have.
func (w *walker) pullMedia(ctx context.Context, set *capsule.FixtureSet) error {
	links := map[string]string{} // each link as the JSON holds it → its file name, "" if none
	var names []string
	for _, data := range set.Files {
		for _, m := range mediaLink.FindAll(data, -1) {
			if _, seen := links[string(m)]; seen {
				continue
			}
			name, ok := mediaName(m)
			switch {
			case !ok:
				w.note("media: %s names no single file of the media folder; the link stays absolute", m)
			case !windowsCanHold(name):
				// The files are written all or nothing: one Windows refuses would fail them all.
				name = ""
				w.note("media: %s names a file Windows cannot hold; the link stays absolute", m)
			case !slices.Contains(names, name):
				names = append(names, name)
			}
			links[string(m)] = name
		}
	}
	slices.Sort(names)
	names = w.dropCaseTwins(names)
	if len(names) > maxMedia {
		w.note("media: %d files are linked; the first %d are copied, the others' links stay absolute", len(names), maxMedia)
		names = names[:maxMedia]
	}
	copied := map[string]bool{}
	for i, name := range names {
		e, err := w.do(ctx, "media "+name, http.MethodGet, store.MediaPath+name, nil, nil)
		if errors.Is(err, ErrNotFound) {
			w.note("media: %s is linked but the project does not serve it; the link stays absolute", name)
			continue
		}
		if err != nil {
			return err
		}
		set.Files[store.MediaDir+"/"+name] = e.Body()
		copied[name] = true
		w.progress("media", i+1, i+1, len(names))
	}
	for link, name := range links {
		if copied[name] {
			continue
		}
		absolute := []byte(`"` + w.base.String() + link[1:])
		for file, data := range set.Files {
			if !strings.HasPrefix(file, store.MediaDir+"/") {
				set.Files[file] = bytes.ReplaceAll(data, []byte(link), absolute)
			}
		}
	}
	return nil
}

// TestUser is who can sign in to a pull made without --user: one user of the first auth
// provider, with the password capsule.PasswordPlaceholder.
const TestUser = "user@example.com"

// addTestUser gives a set without users one to sign in with.
func (w *walker) addTestUser(set *capsule.FixtureSet) error {
	if raw := bytes.TrimSpace(set.Files[capsule.FixtureUsers]); len(raw) > 0 && string(raw) != "[]" {
		return nil
	}
	p, err := pickProvider(w.providers, w.opts.Provider)
	if err != nil {
		return nil // a project without providers has no one to sign in
	}
	login, _ := authMarkers(w.forms, p.FormIdentifier)
	users := []map[string]any{{
		"id": 1, "authProviderIdentifier": p.Identifier, "identifier": TestUser,
		"password": capsule.PasswordPlaceholder, "formIdentifier": p.FormIdentifier,
		"formData": []map[string]any{{"marker": login, "type": "string", "value": TestUser}},
		"groups":   []int{1}, "state": map[string]any{},
	}}
	out, err := json.MarshalIndent(users, "", "  ")
	if err != nil {
		return err
	}
	set.Files[capsule.FixtureUsers] = append(out, '\n')
	set.Notes = append(set.Notes, fmt.Sprintf("users.json: no --user was given; %s signs in with the password %q", TestUser, capsule.PasswordPlaceholder))
	return nil
}

type walker struct {
	opts   Options
	base   *url.URL
	langs  []string
	token  string // what the fixtures get instead of the real app token
	client *http.Client
	retry  backoff.Policy
	access string // the signed-in user's access token, once signed in
	// signInRecord is the sign-in as each language's capsule keeps it: signed in once, the
	// user is derived in every language.
	signInRecord exchange.Exchange
	notes        []string
	// providers and forms as the first language listed them.
	providers, forms []json.RawMessage
	// catalogueIDs are the products the catalogue lists, once catalogueRead.
	catalogueIDs  []int
	catalogueRead bool
}

// ParseURL reads a project's address: an http(s) URL without a query or a fragment. Links in
// the answers are made relative by cutting this address off them, and the media to copy are
// found by those relative links, so an address with a query would leave every link absolute
// and copy no media, without a word.
func ParseURL(s string) (*url.URL, error) {
	base, err := url.Parse(strings.TrimRight(s, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" || base.Opaque != "" {
		return nil, fmt.Errorf("%q is not an http(s) address such as https://my-project.oneentry.cloud", s)
	}
	if base.RawQuery != "" || base.ForceQuery || base.Fragment != "" || strings.Contains(s, "#") {
		return nil, fmt.Errorf("%q: the project's address takes no query or fragment", s)
	}
	if port := base.Port(); port != "" {
		if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
			return nil, fmt.Errorf("%q: the port must be a number from 1 to 65535", s)
		}
	}
	return base, nil
}

// langCode is what a OneEntry langCode looks like: a language, and mostly a region (en_US).
var langCode = regexp.MustCompile(`^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?$`)

// CheckLang refuses what is not a language code such as en_US: the code is sent as langCode
// and keys the texts of the fixtures written.
func CheckLang(s string) error {
	if !langCode.MatchString(s) {
		return fmt.Errorf("%q is not a language code such as en_US", s)
	}
	return nil
}

func newWalker(o Options) (*walker, error) {
	base, err := ParseURL(o.URL)
	if err != nil {
		return nil, fmt.Errorf("pull: --url %w", err)
	}
	if o.AppToken == "" {
		return nil, errors.New("pull: an app token is needed")
	}
	if (o.User == "") != (o.Password == "") {
		return nil, errors.New("pull: --user and --password go together")
	}
	for _, lang := range o.Langs {
		if err := CheckLang(lang); err != nil {
			return nil, fmt.Errorf("pull: --lang %w", err)
		}
	}
	w := &walker{opts: o, base: base, langs: o.Langs, client: o.Client, retry: o.Retry}
	if len(w.langs) == 0 {
		w.langs = []string{"en_US"}
	}
	if w.opts.PageSize <= 0 {
		w.opts.PageSize = 100
	}
	if w.client == nil {
		w.client = &http.Client{Timeout: 30 * time.Second}
	}
	if w.retry.MaxAttempts <= 0 {
		w.retry.MaxAttempts = 5
	}
	if w.retry.Backoff == nil {
		w.retry.Backoff = backoff.Jitter(backoff.Exponential(500*time.Millisecond, 8*time.Second), 0.2)
	}
	w.token = generatedToken()
	return w, nil
}

// generatedToken is the app token of the pulled sandbox: recognisable, and not the project's.
func generatedToken() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "pulled-" + hex.EncodeToString(b)
}

// walk reads the project in one language into a capsule.
func (w *walker) walk(ctx context.Context, lang string) (*capsule.Capsule, error) {
	c := capsule.New("", "")
	c.Source = "pulled from " + w.base.String()
	rec := func(e exchange.Exchange) { c.Exchanges = append(c.Exchanges, e) }
	q := url.Values{"langCode": {lang}}

	providers, err := w.list(ctx, "auth providers", "/api/content/users-auth-providers", q, rec)
	if err != nil {
		return nil, err
	}
	forms, err := w.list(ctx, "forms", "/api/content/forms", q, rec)
	if err != nil {
		return nil, err
	}
	if w.forms == nil {
		w.providers, w.forms = providers, forms
	}
	if err := w.walkSite(ctx, q, rec); err != nil {
		return nil, err
	}
	listed, err := w.catalogue(ctx, q)
	if err != nil {
		return nil, err
	}
	ids := productIDs(forms)
	for _, id := range listed {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	for i, id := range ids {
		e, err := w.do(ctx, "product "+strconv.Itoa(id), http.MethodGet, "/api/content/products/"+strconv.Itoa(id), q, nil)
		if err != nil {
			return nil, err
		}
		rec(e)
		w.progress("products", i+1, i+1, len(ids))
	}
	if w.opts.User == "" {
		return c, nil
	}
	if err := w.signIn(ctx, providers, forms, rec); err != nil {
		return nil, err
	}
	if _, err := w.get(ctx, "your user", "/api/content/users/me", q, rec); err != nil {
		return nil, err
	}
	storages, err := w.list(ctx, "order storages", "/api/content/orders-storage", q, rec)
	if err != nil {
		return nil, err
	}
	for _, s := range storages {
		var st struct {
			Identifier string `json:"identifier"`
		}
		if json.Unmarshal(s, &st) != nil || st.Identifier == "" {
			continue
		}
		path := "/api/content/orders-storage/marker/" + url.PathEscape(st.Identifier) + "/order-statuses"
		if _, err := w.list(ctx, "statuses of "+st.Identifier, path, q, rec); err != nil {
			return nil, err
		}
	}
	if _, err := w.get(ctx, "payment accounts", "/api/content/payments/accounts", q, rec); err != nil {
		return nil, err
	}
	return c, nil
}

// siteReads are the site's lists a pull reads whole: the pages, their blocks and the sets,
// templates and locales they use. Paged ones are followed page by page; the others answer
// everything at once.
var siteReads = []struct {
	step, method, path string
	paged              bool
}{
	{"locales", http.MethodGet, "/api/content/locales/active/all", false},
	{"pages", http.MethodGet, "/api/content/pages", true},
	{"blocks", http.MethodPost, "/api/content/blocks", true},
	{"attribute sets", http.MethodGet, "/api/content/attributes-sets", true},
	{"general types", http.MethodGet, "/api/content/general-types", false},
	{"templates", http.MethodGet, "/api/content/templates", false},
	{"template previews", http.MethodGet, "/api/content/template-previews", false},
	{"admins", http.MethodPost, "/api/content/admins/all", true},
}

// DefaultMenus are the menus a pull reads when Options.Menus names none: the API lists no
// menus, it only answers one by marker.
var DefaultMenus = []string{"main"}

func (w *walker) walkSite(ctx context.Context, q url.Values, rec func(exchange.Exchange)) error {
	for _, r := range siteReads {
		var err error
		if r.paged {
			_, err = w.listBy(ctx, r.step, r.method, r.path, q, nil, rec)
		} else {
			var e exchange.Exchange
			if e, err = w.do(ctx, r.step, r.method, r.path, q, nil); err == nil {
				rec(e)
				w.progress(r.step, 1, 1, -1)
			}
		}
		// A project (or an older sandbox) without the read keeps its pull: the rest mirrors.
		if errors.Is(err, ErrNotFound) {
			w.note("%s: %s %s answered 404; left out", r.step, r.method, r.path)
			continue
		}
		if err != nil {
			return err
		}
	}
	menus := w.opts.Menus
	if len(menus) == 0 {
		menus = DefaultMenus
	}
	for _, m := range menus {
		e, err := w.do(ctx, "menu "+m, http.MethodGet, "/api/content/menus/marker/"+url.PathEscape(m), q, nil)
		if errors.Is(err, ErrNotFound) {
			w.note("menus.json: the project has no menu %q", m)
			continue
		}
		if err != nil {
			return err
		}
		rec(e)
		w.progress("menu "+m, 1, 1, 1)
	}
	return nil
}

func (w *walker) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if !slices.Contains(w.notes, msg) {
		w.notes = append(w.notes, msg)
	}
}

// signIn signs in as the pull's user once, through the given provider or the first listed,
// with the login and password markers its form declares.
func (w *walker) signIn(ctx context.Context, providers, forms []json.RawMessage, rec func(exchange.Exchange)) error {
	if w.access != "" {
		rec(w.signInRecord)
		return nil
	}
	p, err := pickProvider(providers, w.opts.Provider)
	if err != nil {
		return err
	}
	login, password := authMarkers(forms, p.FormIdentifier)
	body, _ := json.Marshal(map[string]any{"authData": []map[string]string{
		{"marker": login, "value": w.opts.User},
		{"marker": password, "value": w.opts.Password},
	}})
	path := "/api/content/users-auth-providers/marker/" + url.PathEscape(p.Identifier) + "/users/auth"
	e, err := w.do(ctx, "sign-in as "+w.opts.User, http.MethodPost, path, nil, body)
	if err != nil {
		return err
	}
	var tokens struct {
		AccessToken string `json:"accessToken"`
	}
	if json.Unmarshal(e.ResponseBody, &tokens) != nil || tokens.AccessToken == "" {
		return fmt.Errorf("pull: sign-in as %s: the answer holds no access token", w.opts.User)
	}
	w.access = tokens.AccessToken
	// The capsule keeps the sign-in so the fixtures get the user, never the password or tokens.
	e.RequestBody, _ = json.Marshal(map[string]any{"authData": []map[string]string{
		{"marker": login, "value": w.opts.User},
		{"marker": password, "value": capsule.PasswordPlaceholder},
	}})
	e.ResponseBody = json.RawMessage(`{"userIdentifier":` + strconv.Quote(w.opts.User) + `}`)
	w.signInRecord = e
	rec(e)
	return nil
}

type provider struct {
	Identifier     string `json:"identifier"`
	FormIdentifier string `json:"formIdentifier"`
}

func pickProvider(list []json.RawMessage, want string) (provider, error) {
	var names []string
	for _, raw := range list {
		var p provider
		if json.Unmarshal(raw, &p) != nil || p.Identifier == "" {
			continue
		}
		if want == "" || p.Identifier == want {
			return p, nil
		}
		names = append(names, p.Identifier)
	}
	if want == "" {
		return provider{}, errors.New("pull: the project lists no auth provider to sign in with")
	}
	return provider{}, fmt.Errorf("pull: no auth provider %q (the project has: %s)", want, strings.Join(names, ", "))
}

// authMarkers returns the markers of the login and password fields of the named form
// (capsule.AuthMarkers); email and password where it names none.
func authMarkers(forms []json.RawMessage, formIdentifier string) (login, password string) {
	for _, raw := range forms {
		var f struct {
			Identifier string `json:"identifier"`
		}
		if json.Unmarshal(raw, &f) == nil && f.Identifier == formIdentifier {
			login, password = capsule.AuthMarkers(raw)
			break
		}
	}
	if login == "" {
		login = "email"
	}
	if password == "" {
		password = "password"
	}
	return login, password
}

// catalogue returns the ids of the products the catalogue lists (POST /products/all, page by
// page, as a site's getProducts reads it), read once, in the first language: every language
// reads the same products. A project without the read lists none.
func (w *walker) catalogue(ctx context.Context, q url.Values) ([]int, error) {
	if w.catalogueRead {
		return w.catalogueIDs, nil
	}
	w.catalogueRead = true
	items, err := w.listBy(ctx, "catalogue", http.MethodPost, "/api/content/products/all", q, []byte(`[]`), func(exchange.Exchange) {})
	if errors.Is(err, ErrNotFound) {
		w.note("products.json: POST /api/content/products/all answered 404; only the products the forms offer are read")
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	for _, raw := range items {
		var p struct {
			ID int `json:"id"`
		}
		if json.Unmarshal(raw, &p) == nil && p.ID > 0 && !slices.Contains(w.catalogueIDs, p.ID) {
			w.catalogueIDs = append(w.catalogueIDs, p.ID)
		}
	}
	return w.catalogueIDs, nil
}

// productEntityID is how a form's list option names a product: p-<page id>-<product id>.
var productEntityID = regexp.MustCompile(`^p-\d+-(\d+)$`)

// productIDs returns, in order of first mention, the products the forms offer as list options.
func productIDs(forms []json.RawMessage) []int {
	var ids []int
	seen := map[int]bool{}
	var visit func(v any)
	visit = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if s, ok := v["id"].(string); ok {
				if m := productEntityID.FindStringSubmatch(s); m != nil {
					if id, err := strconv.Atoi(m[1]); err == nil && !seen[id] {
						seen[id] = true
						ids = append(ids, id)
					}
				}
			}
			for _, child := range v {
				visit(child)
			}
		case []any:
			for _, child := range v {
				visit(child)
			}
		}
	}
	for _, raw := range forms {
		var v any
		if json.Unmarshal(raw, &v) == nil {
			visit(v)
		}
	}
	return ids
}

// list reads a list page by page, following offset and limit until the API's total (of an
// {items, total} answer) is reached or a page comes back short, and returns every item.
func (w *walker) list(ctx context.Context, step, path string, q url.Values, rec func(exchange.Exchange)) ([]json.RawMessage, error) {
	return w.listBy(ctx, step, http.MethodGet, path, q, nil, rec)
}

// listBy is list for a list read with another method and a body (the site's POST lists).
func (w *walker) listBy(ctx context.Context, step, method, path string, q url.Values, body []byte, rec func(exchange.Exchange)) ([]json.RawMessage, error) {
	var all []json.RawMessage
	total := -1
	w.progress(step, 0, 0, total)
	for page := 1; ; page++ {
		pq := url.Values{}
		for k, v := range q {
			pq[k] = v
		}
		pq.Set("offset", strconv.Itoa(len(all)))
		pq.Set("limit", strconv.Itoa(w.opts.PageSize))
		e, err := w.do(ctx, step, method, path, pq, body)
		if err != nil {
			return nil, err
		}
		rec(e)
		items, announced, err := pageItems(e.ResponseBody)
		if err != nil {
			return nil, fmt.Errorf("pull: %s (%s %s): %w", step, method, path, err)
		}
		all = append(all, items...)
		total = announced
		w.progress(step, page, len(all), total)
		short := len(items) < w.opts.PageSize
		if len(items) == 0 || (total >= 0 && len(all) >= total) || (total < 0 && short) {
			return all, nil
		}
	}
}

// pageItems reads a page: a JSON array, or an object with items and total.
func pageItems(body []byte) ([]json.RawMessage, int, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(trimmed, &items); err != nil {
			return nil, 0, fmt.Errorf("the answer is not a list: %w", err)
		}
		return items, -1, nil
	}
	var page struct {
		Items []json.RawMessage `json:"items"`
		Total *int              `json:"total"`
	}
	if err := json.Unmarshal(trimmed, &page); err != nil || page.Items == nil {
		return nil, 0, errors.New("the answer is neither a list nor {items, total}")
	}
	total := -1
	if page.Total != nil {
		total = *page.Total
	}
	return page.Items, total, nil
}

// get reads one answer and records it.
func (w *walker) get(ctx context.Context, step, path string, q url.Values, rec func(exchange.Exchange)) (json.RawMessage, error) {
	w.progress(step, 0, 0, -1)
	e, err := w.do(ctx, step, http.MethodGet, path, q, nil)
	if err != nil {
		return nil, err
	}
	rec(e)
	w.progress(step, 1, 1, 1)
	return e.ResponseBody, nil
}

func (w *walker) progress(step string, pages, items, total int) {
	if w.opts.Progress != nil {
		w.opts.Progress.Step(step, pages, items, total)
	}
}

// maxAnswer bounds one answer, so a wrong address cannot fill memory.
const maxAnswer = 64 << 20

// do sends one request, retrying 429, 5xx and transport errors with back-off (a Retry-After
// the project sends wins), and returns the exchange as the fixtures will see it: the app
// token replaced by the generated one. Any other answer outside 2xx ends the pull with an
// error naming the step.
func (w *walker) do(ctx context.Context, step, method, path string, q url.Values, body []byte) (exchange.Exchange, error) {
	target := *w.base
	target.Path = w.base.Path + path
	target.RawQuery = q.Encode()
	what := fmt.Sprintf("pull: %s (%s %s)", step, method, path)
	var last error
	for attempt := 1; attempt <= w.retry.MaxAttempts; attempt++ {
		e, retryAfter, err := w.once(ctx, method, target.String(), body)
		e.Path, e.Query = path, target.RawQuery
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return e, fmt.Errorf("%s: %w", what, ctx.Err())
			}
			last = err
		case e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden:
			return e, fmt.Errorf("%s: %d %s: %w (check the app token%s)", what, e.Status, message(e), ErrRefused, userHint(w.opts.User))
		case e.Status == http.StatusTooManyRequests || e.Status >= 500:
			last = fmt.Errorf("%d %s", e.Status, message(e))
		case e.Status == http.StatusNotFound:
			return e, fmt.Errorf("%s: %d %s: %w", what, e.Status, message(e), ErrNotFound)
		case e.Status < 200 || e.Status > 299:
			return e, fmt.Errorf("%s: %d %s", what, e.Status, message(e))
		default:
			return e, nil
		}
		if attempt == w.retry.MaxAttempts {
			break
		}
		pause := w.retry.Backoff(attempt)
		if retryAfter > 0 {
			pause = retryAfter
		}
		sleep := w.retry.Sleep
		if sleep == nil {
			sleep = backoff.Sleep
		}
		if err := sleep(ctx, pause); err != nil {
			return exchange.Exchange{}, fmt.Errorf("%s: %w", what, err)
		}
	}
	return exchange.Exchange{}, fmt.Errorf("%s: gave up after %d attempts: %w", what, w.retry.MaxAttempts, last)
}

func userHint(user string) string {
	if user == "" {
		return ""
	}
	return " and the user's password"
}

// pullDevice is the device metadata a pull signs in and reads with.
const pullDevice = `{"fingerprint":"oneentry-mock-pull","deviceInfo":{"os":"oneentry-mock","browser":"pull","location":""}}`

// maxRetryAfter caps a Retry-After the project asks for.
const maxRetryAfter = time.Minute

func (w *walker) once(ctx context.Context, method, target string, body []byte) (exchange.Exchange, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return exchange.Exchange{}, 0, err
	}
	req.Header.Set("x-app-token", w.opts.AppToken)
	req.Header.Set("Accept", "application/json")
	// The live API refuses a sign-in without device metadata; a pull is one device.
	req.Header.Set("x-device-metadata", pullDevice)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if w.access != "" {
		req.Header.Set("Authorization", "Bearer "+w.access)
	}
	start := time.Now()
	resp, err := w.client.Do(req)
	if err != nil {
		return exchange.Exchange{}, 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return exchange.Exchange{}, 0, err
	}
	if len(data) > maxAnswer {
		return exchange.Exchange{}, 0, fmt.Errorf("the answer is larger than %d MiB", maxAnswer>>20)
	}
	e := exchange.Exchange{
		Method:          method,
		RequestHeaders:  map[string]string{"x-app-token": w.token},
		RequestBody:     json.RawMessage(body),
		Status:          resp.StatusCode,
		ResponseHeaders: map[string]string{"content-type": resp.Header.Get("Content-Type")},
		DurationMs:      exchange.Millis(time.Since(start)),
	}
	// Links to the project's own address become relative, as fixtures write them; a sandbox
	// serving the pull makes them absolute against its own address again.
	data = bytes.ReplaceAll(data, []byte(w.base.String()+"/"), []byte("/"))
	if json.Valid(data) {
		e.ResponseBody = data
	} else {
		e.ResponseText = string(data)
	}
	var retryAfter time.Duration
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		retryAfter = min(time.Duration(s)*time.Second, maxRetryAfter)
	}
	return e, retryAfter, nil
}

// message is the OneEntry error message of an answer, or its status text.
func message(e exchange.Exchange) string {
	var body struct {
		Message json.RawMessage `json:"message"`
	}
	if json.Unmarshal(e.ResponseBody, &body) == nil && len(body.Message) > 0 {
		var s string
		if json.Unmarshal(body.Message, &s) == nil {
			return s
		}
		return string(body.Message)
	}
	return http.StatusText(e.Status)
}
