package pull

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/backoff"
	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// fakeProject answers the reads a pull makes: one auth provider, forms in pages of the asked
// limit (total forms, each titled per language), and whatever fail decides first.
type fakeProject struct {
	forms int
	fail  func(r *http.Request) (status int, retryAfter string)
	// infoExtra is added to every form's localizeInfos; media are the files served at the media
	// path, by name.
	infoExtra map[string]any
	media     map[string]string
	// readStatus is how the read of a form's submissions answers, by marker; 404 for the others.
	readStatus map[string]int
	// locales are the codes of the active locales (nil: the project answers 404 for them).
	locales []string

	mu    sync.Mutex
	calls []string
}

func (f *fakeProject) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.calls = append(f.calls, r.URL.Path+"?"+r.URL.RawQuery)
	f.mu.Unlock()
	if r.Header.Get("x-app-token") != "secret-app-token" {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"statusCode":403,"message":"Resource is closed"}`)
		return
	}
	if f.fail != nil {
		if status, after := f.fail(r); status != 0 {
			if after != "" {
				w.Header().Set("Retry-After", after)
			}
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"statusCode":%d,"message":"try later"}`, status)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	lang := r.URL.Query().Get("langCode")
	switch r.URL.Path {
	case "/api/content/locales/active/all":
		if f.locales == nil {
			break
		}
		locales := []map[string]any{}
		for i, code := range f.locales {
			locales = append(locales, map[string]any{"id": i + 1, "code": code, "isActive": true})
		}
		_ = json.NewEncoder(w).Encode(locales)
		return
	case "/api/content/users-auth-providers":
		fmt.Fprint(w, `[{"id":1,"identifier":"email","formIdentifier":"reg","type":"email","isActive":true,"isCheckCode":false,"config":{},"localizeInfos":{"title":"E-mail"},"userGroupIdentifier":null,"version":1}]`)
	case "/api/content/forms":
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		items := []map[string]any{}
		for i := offset; i < min(offset+limit, f.forms); i++ {
			title := fmt.Sprintf("Form %d", i)
			if lang == "ru_RU" {
				title = fmt.Sprintf("Форма %d", i)
			}
			info := map[string]any{"title": title}
			maps.Copy(info, f.infoExtra)
			items = append(items, map[string]any{
				"id": i + 1, "identifier": fmt.Sprintf("form_%d", i), "position": i + 1, "type": "data",
				"attributeSetId": 1, "processingType": "async", "templateId": nil, "version": 1,
				"localizeInfos": info, "attributes": []any{},
			})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"items": items, "total": f.forms})
	default:
		if marker, ok := strings.CutPrefix(r.URL.Path, "/api/content/form-data/marker/"); ok && f.readStatus[marker] != 0 {
			w.WriteHeader(f.readStatus[marker])
			fmt.Fprint(w, `{"items":[],"total":0}`)
			return
		}
		if body, ok := f.media[strings.TrimPrefix(r.URL.Path, store.MediaPath)]; ok {
			w.Header().Set("Content-Type", "image/svg+xml")
			fmt.Fprint(w, body)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"statusCode":404,"message":"Cannot GET %s"}`, r.URL.Path)
	}
}

// failWhere fails every request whose query sets key to value with status.
func failWhere(key, value string, status int) func(*http.Request) (int, string) {
	return func(r *http.Request) (int, string) {
		if r.URL.Query().Get(key) == value {
			return status, ""
		}
		return 0, ""
	}
}

type recordedSleeps struct {
	mu     sync.Mutex
	pauses []time.Duration
}

func (s *recordedSleeps) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pauses = append(s.pauses, d)
	return nil
}

func pullFrom(t *testing.T, f *fakeProject, sleeps *recordedSleeps, langs ...string) (*capsule.FixtureSet, error) {
	t.Helper()
	ts := httptest.NewServer(f)
	t.Cleanup(ts.Close)
	return Run(t.Context(), Options{
		URL: ts.URL, AppToken: "secret-app-token", Langs: langs, PageSize: 2,
		Retry: backoff.Policy{MaxAttempts: 3, Backoff: backoff.Exponential(time.Second, 4*time.Second), Sleep: sleeps.sleep},
	})
}

func TestPullFollowsPagesAndKeepsTranslations(t *testing.T) {
	t.Parallel()
	f := &fakeProject{forms: 5}
	set, err := pullFrom(t, f, &recordedSleeps{}, "en_US", "ru_RU")
	require.NoError(t, err)
	var forms []struct {
		Identifier    string          `json:"identifier"`
		LocalizeInfos json.RawMessage `json:"localizeInfos"`
	}
	require.NoError(t, json.Unmarshal(set.Files[capsule.FixtureForms], &forms))
	require.Len(t, forms, 5, "pages of 2 are followed to the announced total")
	assert.JSONEq(t, `{"title":{"en_US":"Form 0","ru_RU":"Форма 0"}}`, string(forms[0].LocalizeInfos))
	assert.NotContains(t, string(set.Files[capsule.FixtureProject]), "secret-app-token")
	assert.NotContains(t, string(set.Files[capsule.FixtureProject]), "tokenSecret", "the pulled sandbox signs with a random secret")
	assert.Contains(t, string(set.Files[capsule.FixtureProject]), `"defaultLanguage": "en_US"`)
	assert.Contains(t, f.calls, "/api/content/forms?langCode=ru_RU&limit=2&offset=4")
	assert.Contains(t, string(set.Files[capsule.FixtureUsers]), `"identifier": "`+TestUser+`"`, "a pull without --user gets a user to sign in with")
}

// Whether a form's submissions are publicly readable is not in its answer: the pull reads them
// and marks the forms the project lets it read, and a form whose read the project refuses
// otherwise than with a 403 too, with a note.
func TestPullMarksTheFormsWhoseSubmissionsAreReadable(t *testing.T) {
	t.Parallel()
	f := &fakeProject{forms: 3, readStatus: map[string]int{"form_0": http.StatusCreated, "form_1": http.StatusForbidden}}
	set, err := pullFrom(t, f, &recordedSleeps{})
	require.NoError(t, err)
	var forms []struct {
		Identifier string `json:"identifier"`
		IsPrivate  *bool  `json:"isPrivate"`
	}
	require.NoError(t, json.Unmarshal(set.Files[capsule.FixtureForms], &forms))
	require.Len(t, forms, 3)
	private := map[string]*bool{}
	for _, form := range forms {
		private[form.Identifier] = form.IsPrivate
	}
	no := false
	assert.Equal(t, map[string]*bool{"form_0": &no, "form_1": nil, "form_2": &no}, private)
	assert.Contains(t, strings.Join(set.Notes, "\n"), `forms.json: "form_2": POST /api/content/form-data/marker/form_2 answered 404`)
}

// The project is read in a language it does not hold too, to learn where it answers such a
// language blank; a project that refuses that read keeps its pull, with a note.
func TestPullReadsALanguageTheProjectDoesNotHold(t *testing.T) {
	t.Parallel()
	f := &fakeProject{forms: 1, fail: failWhere("langCode", "de_DE", http.StatusBadRequest)}
	set, err := pullFrom(t, f, &recordedSleeps{}, "en_US")
	require.NoError(t, err)
	assert.Contains(t, f.calls, "/api/content/users-auth-providers?langCode=de_DE&limit=2&offset=0")
	assert.Contains(t, string(set.Files[capsule.FixtureForms]), `"form_0"`)
	assert.Contains(t, strings.Join(set.Notes, "\n"), "reading the project in de_DE, a language it does not hold, failed")
}

func TestPullRetries429WithTheAskedPause(t *testing.T) {
	t.Parallel()
	var once sync.Once
	f := &fakeProject{forms: 3, fail: func(r *http.Request) (int, string) {
		status := 0
		if r.URL.Path == "/api/content/forms" {
			once.Do(func() { status = http.StatusTooManyRequests })
		}
		return status, "7"
	}}
	sleeps := &recordedSleeps{}
	set, err := pullFrom(t, f, sleeps)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{7 * time.Second}, sleeps.pauses, "Retry-After wins over the back-off")
	assert.Contains(t, string(set.Files[capsule.FixtureForms]), "form_2")
}

func TestPullStopsOnAPageThatKeepsFailing(t *testing.T) {
	t.Parallel()
	f := &fakeProject{forms: 5, fail: failWhere("offset", "2", http.StatusBadGateway)}
	sleeps := &recordedSleeps{}
	_, err := pullFrom(t, f, sleeps)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "forms (GET /api/content/forms)")
	assert.Contains(t, err.Error(), "gave up after 3 attempts: 502 try later")
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second}, sleeps.pauses)
}

func TestPullNamesTheStepARefusalStopsAt(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(&fakeProject{})
	t.Cleanup(ts.Close)
	_, err := Run(t.Context(), Options{URL: ts.URL, AppToken: "wrong"})
	require.ErrorIs(t, err, ErrRefused)
	assert.Contains(t, err.Error(), "locales (GET /api/content/locales/active/all): 403 Resource is closed")
}

func TestPullRefusesBadOptions(t *testing.T) {
	t.Parallel()
	for _, o := range []Options{
		{URL: "ftp://example.com", AppToken: "t"},
		{URL: "https://example.com"},
		{URL: "https://example.com", AppToken: "t", User: "u"},
	} {
		_, err := Run(t.Context(), o)
		assert.Error(t, err, "%+v", o)
	}
}

// An address with a query or a fragment, which would keep every link absolute and so copy no
// media, and a language that is not a language code are refused before anything is read.
func TestPullRefusesAnAddressOrLanguageItCannotUse(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		suffix string
		langs  []string
		want   string
	}{
		"query":    {suffix: "/?lang=en", want: "no query or fragment"},
		"fragment": {suffix: "#top", want: "no query or fragment"},
		"language": {langs: []string{"en_US", "English"}, want: `"English" is not a language code`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := &fakeProject{forms: 1}
			ts := httptest.NewServer(f)
			t.Cleanup(ts.Close)
			_, err := Run(t.Context(), Options{URL: ts.URL + tc.suffix, AppToken: "secret-app-token", Langs: tc.langs})
			assert.ErrorContains(t, err, tc.want)
			assert.Empty(t, f.calls, "nothing is read")
		})
	}
	_, err := ParseURL("https://p.example:99999")
	assert.ErrorContains(t, err, "1 to 65535")
	for _, lang := range []string{"en_US", "ru_RU", "en", "es_419"} {
		assert.NoError(t, CheckLang(lang), lang)
	}
}

// A language the project has no active locale of would be read as blank texts, and the fixtures
// refuse it as their default: the pull stops at the locales, naming the active ones.
func TestPullRefusesALanguageTheProjectHasNoActiveLocaleOf(t *testing.T) {
	t.Parallel()
	f := &fakeProject{forms: 1, locales: []string{"en_US", "ru_RU"}}
	_, err := pullFrom(t, f, &recordedSleeps{}, "ru_RU", "de_DE")
	assert.EqualError(t, err, "pull: the project has no active locale de_DE: pull one of its active locales (en_US, ru_RU)")
	assert.Equal(t, []string{"/api/content/locales/active/all?"}, f.calls, "nothing past the locales is read")

	f = &fakeProject{forms: 1, locales: []string{"en_US", "ru_RU"}}
	_, err = pullFrom(t, f, &recordedSleeps{}, "ru_RU")
	assert.NoError(t, err)
}

func TestMergeValuesKeysOnlyWhatDiffers(t *testing.T) {
	t.Parallel()
	langs := []string{"en_US", "ru_RU"}
	merged := mergeValues(langs, map[string]any{
		"en_US": decoded(t, `{"id":1,"title":"Tickets","tags":["a","b"],"list":["x"]}`),
		"ru_RU": decoded(t, `{"id":1,"title":"Билеты","tags":["a","в"],"list":["x","y"]}`),
	}, nil)
	got, err := json.Marshal(merged)
	require.NoError(t, err)
	assert.Equal(t, `{"id":1,"title":{"en_US":"Tickets","ru_RU":"Билеты"},`+
		`"tags":["a",{"en_US":"b","ru_RU":"в"}],`+
		`"list":{"en_US":["x"],"ru_RU":["x","y"]}}`, string(got), "keys stay in the order read, languages in the order pulled")
}

// decoded is JSON decoded as the pull decodes fixture files: objects keep their keys' order.
func decoded(t *testing.T, s string) any {
	t.Helper()
	v, err := capsule.DecodeOrdered([]byte(s))
	require.NoError(t, err)
	return v
}

// reencoded is v, written by encoding/json, decoded as the pull decodes fixture files.
func reencoded(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return decoded(t, string(data))
}

// Every file linked at the media path is copied under its decoded name, whatever its letters,
// escapes or query; a link that names no file the pull can copy stays absolute, with a note.
func TestPullCopiesEveryLinkedMediaFile(t *testing.T) {
	t.Parallel()
	f := &fakeProject{forms: 1,
		infoExtra: map[string]any{"images": []string{
			"/cloud-static/content/фото.svg", "/cloud-static/content/photo%201.svg",
			"/cloud-static/content/plain.svg?w=100&h=50", "/cloud-static/content/missing.svg",
			"/cloud-static/content/..%2Fsecret", "/cloud-static/content/sub/deep.svg",
		}},
		media: map[string]string{"фото.svg": "<svg>1</svg>", "photo 1.svg": "<svg>2</svg>", "plain.svg": "<svg>3</svg>",
			"sub/deep.svg": "<svg>4</svg>"},
	}
	ts := httptest.NewServer(f)
	t.Cleanup(ts.Close)
	set, err := Run(t.Context(), Options{URL: ts.URL, AppToken: "secret-app-token", PageSize: 2})
	require.NoError(t, err)
	for name, body := range map[string]string{"фото.svg": "<svg>1</svg>", "photo 1.svg": "<svg>2</svg>", "plain.svg": "<svg>3</svg>"} {
		assert.Equal(t, body, string(set.Files[store.MediaDir+"/"+name]), name)
	}
	assert.Equal(t, []string{
		"/cloud-static/content/фото.svg", "/cloud-static/content/photo%201.svg",
		"/cloud-static/content/plain.svg?w=100&h=50", ts.URL + "/cloud-static/content/missing.svg",
		ts.URL + "/cloud-static/content/..%2Fsecret", ts.URL + "/cloud-static/content/sub/deep.svg",
	}, formImages(t, set), "copied files keep relative links; the others point at the project")
	assert.Len(t, pulledMedia(set), 3, "nothing lands outside the media folder's plain names")
	notes := strings.Join(set.Notes, "\n")
	assert.Contains(t, notes, "missing.svg is linked but the project does not serve it; the link stays absolute")
	assert.Contains(t, notes, `..%2Fsecret" names no single file`)
	assert.Contains(t, notes, `sub/deep.svg" names no single file`)
}

// formImages is the images list of the one form of a pulled set.
func formImages(t *testing.T, set *capsule.FixtureSet) []string {
	t.Helper()
	var forms []struct {
		LocalizeInfos struct {
			Images []string `json:"images"`
		} `json:"localizeInfos"`
	}
	require.NoError(t, json.Unmarshal(set.Files[capsule.FixtureForms], &forms))
	require.Len(t, forms, 1)
	return forms[0].LocalizeInfos.Images
}

// pulledMedia are the files a pulled set holds in its media folder.
func pulledMedia(set *capsule.FixtureSet) []string {
	var media []string
	for name := range set.Files {
		if strings.HasPrefix(name, store.MediaDir+"/") {
			media = append(media, name)
		}
	}
	return media
}

// A pull writes only media names every disk holds apart: of names that differ only in case the
// first in byte order is copied, and a name Windows cannot hold is not, each with a note and
// its links left absolute; written on macOS or Windows, no file would replace another or fail
// the whole write.
func TestPullCopiesOnlyMediaNamesEveryDiskHoldsApart(t *testing.T) {
	t.Parallel()
	links := []string{"Hero.svg", "hero.svg", "HERO.svg?w=1", "a:b.svg", "nul.svg", "ok.svg"}
	f := &fakeProject{forms: 1, infoExtra: map[string]any{"images": []string{}},
		media: map[string]string{"Hero.svg": "<svg>H</svg>", "hero.svg": "<svg>h</svg>", "HERO.svg": "<svg>HH</svg>",
			"a:b.svg": "<svg>ab</svg>", "nul.svg": "<svg>nul</svg>", "ok.svg": "<svg>ok</svg>"},
	}
	for _, l := range links {
		f.infoExtra["images"] = append(f.infoExtra["images"].([]string), store.MediaPath+l)
	}
	ts := httptest.NewServer(f)
	t.Cleanup(ts.Close)
	set, err := Run(t.Context(), Options{URL: ts.URL, AppToken: "secret-app-token", PageSize: 2})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"media/HERO.svg", "media/ok.svg"}, pulledMedia(set))
	assert.Equal(t, []string{
		ts.URL + "/cloud-static/content/Hero.svg", ts.URL + "/cloud-static/content/hero.svg", "/cloud-static/content/HERO.svg?w=1",
		ts.URL + "/cloud-static/content/a:b.svg", ts.URL + "/cloud-static/content/nul.svg", "/cloud-static/content/ok.svg",
	}, formImages(t, set))
	notes := strings.Join(set.Notes, "\n")
	assert.Contains(t, notes, "media: Hero.svg differs only in case from HERO.svg, which a case-insensitive disk holds as the same file")
	assert.Contains(t, notes, "media: hero.svg differs only in case from HERO.svg")
	assert.Contains(t, notes, `a:b.svg" names a file Windows cannot hold`)
	assert.Contains(t, notes, `nul.svg" names a file Windows cannot hold`)
}

func TestWindowsCanHold(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"hero.svg", "фото.svg", "photo 1.svg", "CONSOLE.svg", "com10.svg", "lpt.svg", ".hidden", "nul_x.svg"} {
		assert.True(t, windowsCanHold(name), name)
	}
	for _, name := range []string{"a<b", "a>b", "a:b.svg", `a"b`, "a|b", "a?b", "a*b", `a\b`, "a\tb", "a\x1fb",
		"trailing.", "trailing ", "CON", "con.svg", "Nul.tar.gz", "aux", "PRN.png", "COM1.svg", "com9", "LPT1", "lpt9.txt", "NUL .svg"} {
		assert.False(t, windowsCanHold(name), name)
	}
}

func TestFoldCaseMatchesEqualFold(t *testing.T) {
	t.Parallel()
	for _, pair := range [][2]string{{"Hero.svg", "hERO.SVG"}, {"ФОТО", "фото"}, {"K", "\u212a"}, {"ß", "ẞ"}, {"a", "b"}, {"Σ", "ς"}} {
		assert.Equal(t, strings.EqualFold(pair[0], pair[1]), foldCase(pair[0]) == foldCase(pair[1]), "%q %q", pair[0], pair[1])
	}
}

// A language the project answers blank is left out of keyed values, and so is a language read
// only to learn where the project keys its texts: a page written in en_US and ru_RU only is
// blank as a whole in de_DE, and a text attribute's value blank in it, as the project answers.
func TestMergeValuesLeavesOutBlankAndProbedLanguages(t *testing.T) {
	t.Parallel()
	page := func(title, menu string, body []any) map[string]any {
		info := map[string]any{}
		if title != "" {
			info = map[string]any{"title": title, "menuTitle": menu}
		}
		return map[string]any{"id": 2.0, "localizeInfos": info,
			"attributeValues": map[string]any{"body": map[string]any{"type": "text", "value": body}}}
	}
	text := func(s string) []any { return []any{map[string]any{"htmlValue": "<p>" + s + "</p>", "plainValue": s}} }
	vals := map[string]any{
		"en_US": reencoded(t, page("About us", "About", text("Hi"))),
		"ru_RU": reencoded(t, page("О нас", "О нас", text("Привет"))),
		"de_DE": reencoded(t, page("", "", []any{})),
	}
	want := `{"id":2,
		"localizeInfos":{"en_US":{"title":"About us","menuTitle":"About"},"ru_RU":{"title":"О нас","menuTitle":"О нас"}},
		"attributeValues":{"body":{"type":"text","value":{
			"en_US":[{"htmlValue":"<p>Hi</p>","plainValue":"Hi"}],"ru_RU":[{"htmlValue":"<p>Привет</p>","plainValue":"Привет"}]}}}}`
	for name, tc := range map[string]struct{ langs, probes []string }{
		"probed":              {langs: []string{"en_US", "ru_RU", "de_DE"}, probes: []string{"de_DE"}},
		"pulled, and blank":   {langs: []string{"en_US", "ru_RU", "de_DE"}},
		"blank first, pulled": {langs: []string{"de_DE", "en_US", "ru_RU"}},
	} {
		got, err := json.Marshal(mergeValues(tc.langs, vals, tc.probes))
		require.NoError(t, err)
		assert.JSONEq(t, want, string(got), name)
	}
	got, err := json.Marshal(mergeValues([]string{"en_US", "ru_RU"}, map[string]any{
		"en_US": decoded(t, `{"t":"","n":1}`), "ru_RU": decoded(t, `{"t":"","n":2}`)}, nil))
	require.NoError(t, err)
	assert.JSONEq(t, `{"t":"","n":{"en_US":1,"ru_RU":2}}`, string(got), "blank in every language stays plain")
	got, err = json.Marshal(mergeValues([]string{"en_US", "ru_RU", "de_DE"}, map[string]any{
		"en_US": []any{"a", "b"}, "ru_RU": []any{"a", "b"}, "de_DE": []any{"a"}}, []string{"de_DE"}))
	require.NoError(t, err)
	assert.JSONEq(t, `["a","b"]`, string(got), "a probe of another shape keys nothing the languages pulled read alike")
}

// A discount the fixtures cannot load (here a condition on a product the pull did not read) is
// left out with a note; the others are written.
func TestPullLeavesOutADiscountTheFixturesRefuse(t *testing.T) {
	t.Parallel()
	set := &capsule.FixtureSet{Files: map[string][]byte{}}
	require.NoError(t, fs.WalkDir(fixtures.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		set.Files[p], err = fs.ReadFile(fixtures.FS, p)
		return err
	}))
	discounts := decoded(t, string(set.Files[store.FileDiscounts])).([]any)
	stray := reencoded(t, map[string]any{"id": 99, "identifier": "stray", "type": "DISCOUNT", "localizeInfos": map[string]any{},
		"version": 0, "position": 9, "attributeSetId": nil, "conditionLogic": "AND",
		"discountValue": map[string]any{"applicability": "TO_ORDER", "discountType": "PERCENT", "value": 5, "maxAmount": nil},
		"conditions":    []any{map[string]any{"type": "PRODUCT", "value": "9999"}}})
	discounts = append(discounts[:1], append([]any{stray}, discounts[1:]...)...)
	w := &walker{}
	require.NoError(t, w.keepLoadable(set, discounts))
	assert.NotContains(t, string(set.Files[store.FileDiscounts]), `"stray"`)
	assert.Contains(t, string(set.Files[store.FileDiscounts]), `"welcome"`)
	assert.Contains(t, strings.Join(w.notes, "\n"), `discounts.json: "stray" left out: no product 9999 in products.json`)
}

// A probe language that lists nothing leaves a file a list: keyed by language as a whole, it
// would be no fixture file.
func TestMergeLanguagesKeepsAFileAListWhenAProbeListsNothing(t *testing.T) {
	t.Parallel()
	sets := map[string]*capsule.FixtureSet{
		"en_US": {Files: map[string][]byte{"pages.json": []byte(`[{"id":1,"t":"a"}]`)}},
		"ru_RU": {Files: map[string][]byte{"pages.json": []byte(`[{"id":1,"t":"б"}]`)}},
		"de_DE": {Files: map[string][]byte{"pages.json": []byte(`[]`)}},
	}
	set, err := mergeLanguages([]string{"en_US", "ru_RU"}, []string{"de_DE"}, sets)
	require.NoError(t, err)
	assert.JSONEq(t, `[{"id":1,"t":{"en_US":"a","ru_RU":"б"}}]`, string(set.Files["pages.json"]))
}
