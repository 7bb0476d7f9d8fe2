package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/client"
	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/mocktest"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/pull"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// notMirrored are the reads whose answers are a sandbox's state, not its fixtures: a pull
// copies a project's content, not its orders, sessions or sign-ins.
var notMirrored = []string{
	"/users-auth-providers/marker/{marker}/users/sessions",
	"/orders-storage/marker/{marker}/orders",
	"/orders-storage/marker/{marker}/orders/{id}",
	"/payments/sessions",
	"/payments/sessions/order/{orderId}",
	"/payments/sessions/{id}",
	"/system/api-stat",
	"/files",
	"/events/subscriptions",
	"/orders/{id}/refund",
	// A coupon is read by the code the test names, not by any marker or id.
	"/discounts/coupons/validate",
	"/form-data",
	// The forms on a page follow the forms' module configs, which the API of the upstream's
	// profile here (sdk-1.0.115) does not show, so a pull from it has none to copy.
	"/pages/{url}/forms",
}

// TestFixturesPullRoundTrip pulls the default project from a running sandbox in two languages,
// serves the pull, and compares the answers of every read the contract names that serves
// fixture content, for every marker and id, in both languages.
func TestFixturesPullRoundTrip(t *testing.T) {
	t.Parallel()
	for _, profile := range []sandbox.Profile{sandbox.ProfileSDK115, sandbox.ProfileLive} {
		t.Run(profile.Name, func(t *testing.T) {
			t.Parallel()
			pullRoundTrip(t, profile)
		})
	}
}

// pullRoundTrip pulls a mock serving the default fixtures under profile and compares every
// read of the mirror, served under the same profile, with the original's.
func pullRoundTrip(t *testing.T, profile sandbox.Profile) {
	fx, err := store.LoadFixtures(fixtures.FS)
	require.NoError(t, err)
	user := fx.Users[0]
	var coupons []string
	for _, d := range fx.Discounts {
		for _, c := range d.Coupons {
			coupons = append(coupons, c.Code)
		}
	}
	upstream := upstreamMockOf(t, profile, nil)
	out := filepath.Join(t.TempDir(), "pulled")
	stdout, stderr, err := runCmd(t, nil, "fixtures", "pull", "--url", upstream,
		"--app-token", fx.Project.AppToken, "--user", user.Identifier, "--password", user.Password,
		"--lang", "en_US,ru_RU", "--coupon", strings.Join(coupons, ","), "--out", out)
	require.NoError(t, err, stderr)
	assert.Contains(t, stderr, "reading forms: ", "progress names the steps")
	assert.Contains(t, stdout, "app token: pulled-")

	pulledFx, err := store.LoadFixtures(os.DirFS(out))
	require.NoError(t, err)
	files, err := os.ReadDir(out)
	require.NoError(t, err)
	for _, f := range files {
		if f.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(out, f.Name()))
		require.NoError(t, err)
		assert.NotContains(t, string(data), fx.Project.AppToken, "%s keeps the project's app token", f.Name())
		assert.NotContains(t, string(data), `"`+user.Password+`"`, "%s keeps the user's password", f.Name())
	}
	linked := linkedMedia(t, profile)
	require.NotEmpty(t, linked)
	for _, name := range linked {
		want, err := fs.ReadFile(fixtures.FS, store.MediaDir+"/"+name)
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(out, store.MediaDir, name))
		assert.NoError(t, err, "the linked file %s is copied", name)
		assert.Equal(t, want, got, "%s arrives unchanged", name)
	}
	// A discount no coupon gates applies on request (the API does not show whether it applies
	// by itself); a BONUS one, which lowers no total, is copied as it is (docs/fixtures.md).
	bonus := 0
	for _, d := range pulledFx.Discounts {
		switch {
		case d.Type == store.DiscountKindBonus:
			bonus++
			assert.False(t, d.OnRequest, d.Identifier)
		case len(d.Coupons) == 0:
			assert.True(t, d.OnRequest, d.Identifier)
		}
	}
	assert.Positive(t, bonus)
	// The mirror answers in the upstream's profile: profiles shape reads too (forms carry their
	// module configs under live only).
	pulled, _ := mocktest.Start(t, mockserver.Options{Sandbox: sandbox.Options{Fixtures: pulledFx, Profile: profile}})

	origin := reader{t: t, base: upstream, token: fx.Project.AppToken}
	origin.signIn(user.AuthProviderIdentifier, user.Identifier, user.Password)
	mirror := reader{t: t, base: pulled.URL, token: pulledFx.Project.AppToken}
	mirror.signIn(user.AuthProviderIdentifier, user.Identifier, capsule.PasswordPlaceholder)

	params := map[string]map[string][]string{
		"/users-auth-providers": {"marker": identifiers(fx.AuthProviders, func(p store.AuthProvider) string { return p.Identifier })},
		"/forms":                {"marker": identifiers(fx.Forms, func(f store.Form) string { return f.Identifier })},
		"/orders-storage":       {"marker": identifiers(fx.OrderStorages, func(s store.OrderStorage) string { return s.Identifier })},
		"/payments":             {"id": identifiers(fx.PaymentAccounts, func(a store.PaymentAccount) string { return strconv.Itoa(a.ID) })},
		"/products":             {"id": identifiers(fx.Products, func(p store.Product) string { return strconv.Itoa(p.ID) }), "url": {"tickets"}},
		"/pages":                {"url": fixtureValues(t, store.FilePages, "pageUrl"), "id": fixtureValues(t, store.FilePages, "id")},
		"/blocks": {"marker": fixtureValues(t, store.FileBlocks, "identifier"),
			"productId": identifiers(fx.Products, func(p store.Product) string { return strconv.Itoa(p.ID) })},
		"/menus":           {"marker": fixtureValues(t, store.FileMenus, "identifier")},
		"/attributes-sets": {"marker": fixtureValues(t, store.FileAttributeSets, "identifier"), "attributeMarker": []string{"title", "price", "hero_image"}},
		"/templates": {"marker": fixtureValues(t, store.FileTemplates, "identifier"),
			"idOrMarker": append(fixtureValues(t, store.FileTemplates, "identifier"), fixtureValues(t, store.FileTemplates, "id")...)},
		"/template-previews": {"marker": fixtureValues(t, store.FileTemplatePreviews, "identifier"),
			"id": fixtureValues(t, store.FileTemplatePreviews, "id")},
		"/product-statuses":        {"marker": {"in_stock", "sold_out"}, "id": fixtureValues(t, store.FileProductStatuses, "id")},
		"/form-data":               {"marker": identifiers(fx.Forms, func(f store.Form) string { return f.Identifier })},
		"/integration-collections": {"id": {"1"}, "marker": {"faq"}},
		"/discounts":               {"marker": identifiers(fx.Discounts, func(d store.Discount) string { return d.Identifier })},
	}
	doc, err := contracts.Load(context.Background())
	require.NoError(t, err)
	compared := 0
	// products/ids reads its ids from the query: every product of the fixtures.
	queries := map[string]string{"/products/ids": "ids=" + strings.Join(params["/products"]["id"], ",") + "&"}
	for _, template := range doc.Paths.InMatchingOrder() {
		if doc.Paths.Value(template).Get == nil || slices.Contains(notMirrored, template) {
			continue
		}
		var values map[string][]string
		for prefix, v := range params {
			if strings.HasPrefix(template, prefix) {
				values = v
			}
		}
		paths := expand(template, values)
		require.NotEmpty(t, paths, "no values for the parameters of %s", template)
		for _, p := range paths {
			// sv_SE is a language the project does not hold: the copy answers it as the
			// project does, blank at the level the project keeps its texts per language.
			for _, lang := range []string{"en_US", "ru_RU", "sv_SE"} {
				want, wantStatus := origin.get(p, queries[template]+"langCode="+lang)
				got, gotStatus := mirror.get(p, queries[template]+"langCode="+lang)
				assert.Equal(t, wantStatus, gotStatus, "GET %s in %s", p, lang)
				if assert.JSONEq(t, want, got, "GET %s in %s", p, lang) {
					assert.Equal(t, compacted(t, want), compacted(t, got), "GET %s in %s: the keys in the project's order", p, lang)
				}
				compared++
			}
		}
	}
	// A form's submissions are readable by marker on the copy as on the project: contact_us
	// is public, the other forms private, which the forms' answers do not show.
	readable := map[int]int{}
	for _, marker := range params["/forms"]["marker"] {
		wantStatus, want := origin.do(http.MethodPost, "/form-data/marker/"+marker, "langCode=en_US", strings.NewReader(`{}`))
		gotStatus, got := mirror.do(http.MethodPost, "/form-data/marker/"+marker, "langCode=en_US", strings.NewReader(`{}`))
		assert.Equal(t, wantStatus, gotStatus, "submissions of %s: %s", marker, got)
		if wantStatus == http.StatusCreated {
			assert.JSONEq(t, want, got, "submissions of %s", marker)
		}
		readable[wantStatus]++
	}
	assert.Equal(t, map[int]int{http.StatusCreated: 1, http.StatusForbidden: len(fx.Forms) - 1}, readable)
	for _, code := range coupons {
		want, wantStatus := origin.get("/discounts/coupons/validate", "code="+code)
		got, gotStatus := mirror.get("/discounts/coupons/validate", "code="+code)
		assert.Equal(t, wantStatus, gotStatus, "coupon %s", code)
		assert.JSONEq(t, want, got, "coupon %s", code)
	}
	// The shop prices an order with the pulled discounts and coupons as the project does.
	order := `{"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[{"type":"entity","marker":"tickets","value":["p-8-10"]}]},` +
		`"products":[{"productId":10,"quantity":2}],"couponCode":"WELCOME10","additionalDiscountsMarkers":["early_bird"]}`
	var totals [2]map[string]any
	for i, r := range []*reader{&origin, &mirror} {
		status, body := r.do(http.MethodPost, "/orders-storage/marker/tickets/orders", "", strings.NewReader(order))
		require.Equal(t, http.StatusCreated, status, body)
		require.NoError(t, json.Unmarshal([]byte(body), &totals[i]))
		for _, k := range []string{"id", "createdDate", "updatedDate", "formData", "paymentUrl", "statusIdentifier"} {
			delete(totals[i], k)
		}
	}
	assert.Equal(t, totals[0], totals[1], "the order is priced alike")
	t.Logf("compared %d answers", compared)
}

// htmlEscapes are the escapes encoding/json writes for <, > and &, which some answers of the
// sandbox serving the default fixtures carry and others do not: the same text either way.
var htmlEscapes = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&")

// compacted is a JSON answer as written, less what makes no difference to a reader: white
// space (which that sandbox keeps where it splices a fixture's text in) and HTML escapes.
func compacted(t *testing.T, body string) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, json.Compact(&b, []byte(body)))
	return htmlEscapes.Replace(b.String())
}

// linkedMedia lists the media files the default fixtures link to under profile.
func linkedMedia(t *testing.T, profile sandbox.Profile) []string {
	t.Helper()
	files, err := fs.Glob(fixtures.FS, "*.json")
	require.NoError(t, err)
	link := regexp.MustCompile(regexp.QuoteMeta(store.MediaPath) + `([A-Za-z0-9._-]+)"`)
	var names []string
	for _, f := range files {
		if f == store.FileProductDetails && profile == sandbox.ProfileSDK115 {
			continue // served under the live profile only
		}
		data, err := fs.ReadFile(fixtures.FS, f)
		require.NoError(t, err)
		for _, m := range link.FindAllStringSubmatch(string(data), -1) {
			if !slices.Contains(names, m[1]) {
				names = append(names, m[1])
			}
		}
	}
	return names
}

// fixtureValues lists a field of every object of a default fixture file, as text.
func fixtureValues(t *testing.T, file, field string) []string {
	t.Helper()
	data, err := fs.ReadFile(fixtures.FS, file)
	require.NoError(t, err)
	var items []map[string]any
	require.NoError(t, json.Unmarshal(data, &items))
	var out []string
	for _, it := range items {
		if v, ok := it[field]; ok && v != nil {
			out = append(out, strings.TrimSuffix(fmt.Sprint(v), ".0"))
		}
	}
	require.NotEmpty(t, out, "%s has no %s", file, field)
	return out
}

func identifiers[T any](list []T, key func(T) string) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = key(v)
	}
	return out
}

// expand fills a path template's parameters with every value given for them.
func expand(template string, values map[string][]string) []string {
	paths := []string{template}
	for name, vs := range values {
		var next []string
		for _, p := range paths {
			if !strings.Contains(p, "{"+name+"}") {
				next = append(next, p)
				continue
			}
			for _, v := range vs {
				next = append(next, strings.ReplaceAll(p, "{"+name+"}", v))
			}
		}
		paths = next
	}
	for _, p := range paths {
		if strings.Contains(p, "{") {
			return nil
		}
	}
	return paths
}

type reader struct {
	t           *testing.T
	base, token string
	bearer      string
}

func (r *reader) signIn(provider, login, password string) {
	r.t.Helper()
	body := `{"authData":[{"marker":"email_reg","value":` + strconv.Quote(login) + `},{"marker":"password_reg","value":` + strconv.Quote(password) + `}]}`
	status, answer := r.do(http.MethodPost, "/users-auth-providers/marker/"+provider+"/users/auth", "", strings.NewReader(body))
	require.Equal(r.t, http.StatusCreated, status, answer)
	var tokens struct {
		AccessToken string `json:"accessToken"`
	}
	require.NoError(r.t, json.Unmarshal([]byte(answer), &tokens))
	r.bearer = tokens.AccessToken
}

// get reads path with a query. What differs between any two sandboxes is made alike: their
// addresses in links, and the time an error body carries.
func (r *reader) get(path, query string) (string, int) {
	status, body := r.do(http.MethodGet, path, query, nil)
	body = strings.ReplaceAll(body, r.base, "http://sandbox")
	var errBody map[string]any
	if status >= 400 && json.Unmarshal([]byte(body), &errBody) == nil {
		delete(errBody, "timestamp")
		data, err := json.Marshal(errBody)
		require.NoError(r.t, err)
		body = string(data)
	}
	return body, status
}

func (r *reader) do(method, path, query string, body io.Reader) (int, string) {
	r.t.Helper()
	req, err := http.NewRequest(method, r.base+mockserver.APIPrefix+path+"?"+query, body)
	require.NoError(r.t, err)
	req.Header.Set("x-app-token", r.token)
	req.Header.Set("x-device-metadata", `{"fingerprint":"round-trip","deviceInfo":{"os":"test","browser":"test","location":""}}`)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+r.bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(r.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(r.t, err)
	return resp.StatusCode, string(data)
}

func TestFixturesPullWritesTheGivenUsers(t *testing.T) {
	t.Parallel()
	upstream := upstreamMock(t, nil)
	dir := t.TempDir()
	users := filepath.Join(dir, "users.json")
	require.NoError(t, os.WriteFile(users, []byte(`[{"id":5,"authProviderIdentifier":"email","identifier":"qa@example.com","password":"qa-password","formIdentifier":"reg","formData":[],"groups":[1],"state":{}}]`), 0o600))
	out := filepath.Join(dir, "pulled")
	stdout, stderr, err := runCmd(t, nil, "fixtures", "pull", "--url", upstream, "--app-token", "your-app-token", "--users", users, "--out", out)
	require.NoError(t, err, stderr)
	assert.Contains(t, stdout, "login:     qa@example.com / qa-password")

	_, _, err = runCmd(t, nil, "fixtures", "pull", "--url", upstream, "--app-token", "wrong-token", "--out", filepath.Join(dir, "refused"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "locales (GET /api/content/locales/active/all): 403")
	_, statErr := os.Stat(filepath.Join(dir, "refused"))
	assert.True(t, os.IsNotExist(statErr), "a failed pull writes nothing")
}

// A pulled copy signs users in with the project's own authData markers (the login and password
// fields its providers' form flags), with --user or without, and through every provider, not
// only the one the pull signed in with.
func TestFixturesPullKeepsTheProjectsAuthMarkers(t *testing.T) {
	t.Parallel()
	fx, err := store.LoadFixtures(fixtures.FS)
	require.NoError(t, err)
	user := fx.Users[0]
	upstream := upstreamMock(t, nil)
	pullTo := func(args ...string) (*store.Fixtures, string) {
		out := filepath.Join(t.TempDir(), "pulled")
		_, stderr, err := runCmd(t, nil, append([]string{"fixtures", "pull", "--url", upstream, "--app-token", fx.Project.AppToken, "--out", out}, args...)...)
		require.NoError(t, err, stderr)
		pulled, err := store.LoadFixtures(os.DirFS(out))
		require.NoError(t, err)
		ts, _ := mocktest.Start(t, mockserver.Options{Sandbox: sandbox.Options{Fixtures: pulled, Profile: sandbox.ProfileSDK115}})
		return pulled, ts.URL
	}
	signUp := func(base, appToken, login string) error {
		c, err := client.New(base, client.WithAppToken(appToken))
		require.NoError(t, err)
		_, err = c.SignUp(t.Context(), "email_code", client.SignUpRequest{
			AuthData:         []client.AuthData{{Marker: "email_reg", Value: login}, {Marker: "password_reg", Value: "a-new-password"}},
			NotificationData: &client.NotificationData{Email: login},
		})
		return err
	}

	pulled, base := pullTo()
	mirror := reader{t: t, base: base, token: pulled.Project.AppToken}
	mirror.signIn(user.AuthProviderIdentifier, pull.TestUser, capsule.PasswordPlaceholder) // email_reg, password_reg
	for _, p := range pulled.AuthProviders {
		assert.Equal(t, "email_reg", p.LoginMarker, p.Identifier)
		assert.Equal(t, "password_reg", p.PasswordMarker, p.Identifier)
	}

	pulled, base = pullTo("--user", user.Identifier, "--password", user.Password)
	require.NoError(t, signUp(upstream, fx.Project.AppToken, "new@example.com"), "the source signs up through email_code")
	require.NoError(t, signUp(base, pulled.Project.AppToken, "new@example.com"), "the pulled copy signs up as the source does")
}

// A project's active language the pull was not asked for reads as the project reads it: blank
// at the level where the project keeps its texts per language ({} for a page's localizeInfos
// written in en_US and ru_RU only, [] for a text attribute's value), not field by field.
func TestFixturesPullAnswersAnUnpulledLanguageAsTheProject(t *testing.T) {
	t.Parallel()
	files := defaultFixtureFiles(t)
	var locales []map[string]any
	require.NoError(t, json.Unmarshal(files[store.FileLocales].Data, &locales))
	locales = append(locales, map[string]any{"id": 3, "shortCode": "de", "code": "de_DE", "name": "German",
		"nativeName": "Deutsch", "isActive": true, "image": "", "position": 3})
	data, err := json.Marshal(locales)
	require.NoError(t, err)
	files[store.FileLocales] = &fstest.MapFile{Data: data}
	origin, mirror := pullAndServe(t, files, "--lang", "en_US,ru_RU")

	var paths []string
	for _, u := range fixtureValues(t, store.FilePages, "pageUrl") {
		paths = append(paths, "/pages/url/"+u)
	}
	for _, id := range fixtureValues(t, store.FileProducts, "id") {
		paths = append(paths, "/products/"+id)
	}
	for _, p := range paths {
		for _, lang := range []string{"de_DE", "en_US"} {
			want, wantStatus := origin.get(p, "langCode="+lang)
			got, gotStatus := mirror.get(p, "langCode="+lang)
			assert.Equal(t, wantStatus, gotStatus, "GET %s in %s", p, lang)
			assert.JSONEq(t, want, got, "GET %s in %s", p, lang)
		}
	}
}

// pullAndServe serves files as the project, pulls it with the arguments given besides its
// address, app token and folder, serves the pull, and returns a reader of each.
func pullAndServe(t *testing.T, files fstest.MapFS, args ...string) (origin, mirror reader) {
	t.Helper()
	fx, err := store.LoadFixtures(files)
	require.NoError(t, err)
	upstream, _ := mocktest.Start(t, mockserver.Options{Sandbox: sandbox.Options{Fixtures: fx}})
	out := filepath.Join(t.TempDir(), "pulled")
	_, stderr, err := runCmd(t, nil, append([]string{"fixtures", "pull", "--url", upstream.URL, "--app-token", fx.Project.AppToken, "--out", out}, args...)...)
	require.NoError(t, err, stderr)
	pulledFx, err := store.LoadFixtures(os.DirFS(out))
	require.NoError(t, err)
	pulled, _ := mocktest.Start(t, mockserver.Options{Sandbox: sandbox.Options{Fixtures: pulledFx}})
	return reader{t: t, base: upstream.URL, token: fx.Project.AppToken}, reader{t: t, base: pulled.URL, token: pulledFx.Project.AppToken}
}

// defaultFixtureFiles is a copy of the default fixtures, for a test to edit.
func defaultFixtureFiles(t *testing.T) fstest.MapFS {
	t.Helper()
	files := fstest.MapFS{}
	require.NoError(t, fs.WalkDir(fixtures.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fixtures.FS, p)
		files[p] = &fstest.MapFile{Data: data}
		return err
	}))
	return files
}

// A product no form offers, which a site finds through the catalogue's listings, is pulled
// too: the copy answers it, and the listings, as the project does.
func TestFixturesPullCopiesTheWholeCatalogue(t *testing.T) {
	t.Parallel()
	files := defaultFixtureFiles(t)
	var products []map[string]any
	require.NoError(t, json.Unmarshal(files[store.FileProducts].Data, &products))
	extra := maps.Clone(products[len(products)-1])
	extra["id"], extra["position"], extra["localizeInfos"] = 13, 4, map[string]any{"title": "Platinum"}
	extra["productPages"] = []any{map[string]any{"id": 33, "pageId": 8, "productId": 13, "positionId": 113, "categoryPath": "tickets"}}
	data, err := json.Marshal(append(products, extra))
	require.NoError(t, err)
	files[store.FileProducts] = &fstest.MapFile{Data: data}
	origin, mirror := pullAndServe(t, files)

	want, wantStatus := origin.get("/products/13", "langCode=en_US")
	got, gotStatus := mirror.get("/products/13", "langCode=en_US")
	require.Equal(t, http.StatusOK, wantStatus, want)
	assert.Equal(t, wantStatus, gotStatus, got)
	assert.JSONEq(t, want, got)
	for _, list := range []string{"/products/all", "/products/page/8"} {
		wantStatus, want := origin.do(http.MethodPost, list, "langCode=en_US", strings.NewReader(`[]`))
		gotStatus, got := mirror.do(http.MethodPost, list, "langCode=en_US", strings.NewReader(`[]`))
		assert.Equal(t, wantStatus, gotStatus, list)
		assert.JSONEq(t, strings.ReplaceAll(want, origin.base, "http://sandbox"), strings.ReplaceAll(got, mirror.base, "http://sandbox"), list)
	}
}

// On a terminal each step redraws the one line with a carriage return and spaces over what a
// longer line left, never an escape code, which a Windows console without virtual-terminal
// processing would print.
func TestPullProgressRedrawsWithoutEscapeCodes(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p := &pullProgress{w: &buf, terminal: true}
	p.Step("products", 1, 100, 1000)
	p.Step("forms", 0, 0, 0)
	p.Step("forms", 1, 2, 3)
	p.done()
	p.Step("media", 1, 1, 2)

	out := buf.String()
	assert.NotContains(t, out, "\x1b")
	assert.Equal(t, "\rreading products: 100 of 1000"+
		"\rreading forms…"+strings.Repeat(" ", 15)+
		"\rreading forms: 2 of 3"+
		"\n"+
		"\rreading media: 1 of 2", out)
	lines := strings.Split(out, "\n")
	assert.Equal(t, []string{"reading forms: 2 of 3", "reading media: 1 of 2"},
		[]string{strings.TrimRight(terminalLine(lines[0]), " "), terminalLine(lines[1])}, "what the terminal shows")
}

// terminalLine is what a terminal shows of one line written with carriage returns: each part
// overwrites the start of what the line held.
func terminalLine(s string) string {
	var shown []rune
	for _, part := range strings.Split(s, "\r") {
		r := []rune(part)
		if len(r) < len(shown) {
			r = append(r, shown[len(r):]...)
		}
		shown = r
	}
	return string(shown)
}
