package mockserver_test

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/mocktest"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// editableFixtures is a fixture folder a test edits between reloads.
type editableFixtures struct {
	mu    sync.Mutex
	files fstest.MapFS
}

func newEditableFixtures() *editableFixtures { return &editableFixtures{files: fixtures.Copy()} }

func (e *editableFixtures) replace(t *testing.T, name, old, new string) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	data := string(e.files[name].Data)
	require.Contains(t, data, old)
	e.files[name] = &fstest.MapFile{Data: []byte(strings.Replace(data, old, new, 1))}
}

func (e *editableFixtures) set(name string, data []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.files[name] = &fstest.MapFile{Data: data}
}

func (e *editableFixtures) load() (*store.Fixtures, error) {
	e.mu.Lock()
	snapshot := fstest.MapFS{}
	for name, f := range e.files {
		snapshot[name] = f
	}
	e.mu.Unlock()
	return store.LoadFixtures(snapshot)
}

func withReloadFrom(e *editableFixtures) serverOption {
	return func(mo *mockserver.Options) {
		fx, err := e.load()
		if err != nil {
			panic(err)
		}
		mo.Sandbox.Fixtures = fx
		mo.LoadFixtures = e.load
	}
}

// adminReload: POST /__admin/reload applies an edited folder to read-only content at once,
// to new sandboxes, and to existing ones on reset; a broken edit keeps the last good fixtures
// and names file, line and column; embedded fixtures have nothing to reload.
func adminReload(t *testing.T, ac *adminContract) {
	embedded := newTestServer(t)
	_, body := ac.do(t, embedded, adminCall{method: http.MethodPost, path: "/__admin/reload", status: http.StatusConflict})
	decodeError(t, http.StatusConflict, body)

	dir := newEditableFixtures()
	ts := newTestServer(t, withReloadFrom(dir))
	price := func() float64 {
		status, body := ts.call(t, http.MethodGet, "/api/content/products/10", "", nil)
		require.Equal(t, http.StatusOK, status)
		return decode[struct {
			Price float64 `json:"price"`
		}](t, body).Price
	}
	require.Equal(t, 100.0, price())
	before := ts.server.Store()

	bearer := ts.login(t, userLogin, userPass).AccessToken
	cashTitle := func() string {
		status, body := ts.call(t, http.MethodGet, "/api/content/payments/accounts/1", bearer, nil)
		require.Equal(t, http.StatusOK, status, string(body))
		return decode[struct{ LocalizeInfos struct{ Title string } }](t, body).LocalizeInfos.Title
	}
	require.Equal(t, "Cash", cashTitle())

	dir.replace(t, store.FileProducts, `"price": 100,`, `"price": 150,`)
	dir.replace(t, store.FileUsers, `"password": "654321"`, `"password": "999999"`)
	dir.replace(t, store.FilePaymentAccounts, `"title": "Cash"`, `"title": "Cash at the door"`)
	assert.Equal(t, map[string]bool{"reloaded": true}, adminJSON[map[string]bool](t, ac, ts, adminCall{method: http.MethodPost, path: "/__admin/reload", status: http.StatusOK}))
	assert.Equal(t, 150.0, price(), "read-only content changes at once")
	assert.Equal(t, "Cash", cashTitle(), "payment accounts are the sandbox's, until its reset")
	assert.Same(t, before, ts.server.Store(), "a running sandbox keeps its state until reset")
	_, created := ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/sandboxes", status: http.StatusCreated})
	assert.Contains(t, string(created), `"999999"`, "a new sandbox starts from the reloaded fixtures")
	ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/reset", status: http.StatusOK})
	assert.NotSame(t, before, ts.server.Store())
	assert.Same(t, ts.server.Sandboxes().Fixtures(), ts.server.Store().Fixtures(), "reset applies the reloaded fixtures")
	bearer = ts.login(t, userLogin, userPass).AccessToken
	assert.Equal(t, "Cash at the door", cashTitle())

	dir.replace(t, store.FileProducts, `"price": 150,`, `"price": "150",`)
	_, body = ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/reload", status: http.StatusBadRequest})
	msg := strings.Join(decodeError(t, http.StatusBadRequest, body).messages(), " ")
	assert.Regexp(t, `products\.json:\d+:\d+: \[0\]\.price: must be a number, not a string`, msg)
	assert.Equal(t, 150.0, price(), "the last good fixtures stay")

	dir.replace(t, store.FileProducts, `"price": "150",`, `"price": 150,`)
	dir.replace(t, store.FileProject, `"appToken": "your-app-token"`, `"appToken": "another-token"`)
	_, body = ac.do(t, ts, adminCall{method: http.MethodPost, path: "/__admin/reload", status: http.StatusBadRequest})
	assert.Contains(t, strings.Join(decodeError(t, http.StatusBadRequest, body).messages(), " "), "restart")
}

// Reloads take turns: one that read the folder before an edit cannot apply its fixtures after
// a reload that read the edit.
func TestReloadsTakeTurns(t *testing.T) {
	t.Parallel()
	dir := newEditableFixtures()
	firstRead, releaseFirst, secondRead := make(chan struct{}), make(chan struct{}), make(chan struct{}, 1)
	var calls atomic.Int32
	slowFirst := func(mo *mockserver.Options) {
		withReloadFrom(dir)(mo)
		mo.LoadFixtures = func() (*store.Fixtures, error) {
			fx, err := dir.load()
			switch calls.Add(1) {
			case 1:
				close(firstRead)
				<-releaseFirst
			default:
				secondRead <- struct{}{}
			}
			return fx, err
		}
	}
	ts := newTestServer(t, slowFirst)
	reload := func() <-chan int {
		done := make(chan int, 1)
		go func() {
			status, _ := ts.callWith(t, http.MethodPost, "/__admin/reload", "", nil, nil)
			done <- status
		}()
		return done
	}
	first := reload()
	<-firstRead
	dir.replace(t, store.FileProducts, `"price": 100,`, `"price": 150,`)
	second := reload()
	// Without turns the second reload reads and applies the edit while the first waits.
	select {
	case <-secondRead:
	case <-time.After(200 * time.Millisecond):
	}
	close(releaseFirst)
	assert.Equal(t, http.StatusOK, <-first)
	assert.Equal(t, http.StatusOK, <-second)
	status, body := ts.call(t, http.MethodGet, "/api/content/products/10", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, float64(150), decode[map[string]any](t, body)["price"], "the later read is what is served")
}

// After a reload every read of the site answers from the reloaded fixtures, an index and the
// objects it points into from one set: a page's blocks, page and block search, the admins.
func TestReloadServesTheWholeSiteAtOnce(t *testing.T) {
	t.Parallel()
	dir := newEditableFixtures()
	ts := newTestServer(t, withReloadFrom(dir), withProfile(sandbox.ProfileLive2026))
	dir.replace(t, store.FilePages, `"pageUrl": "about",`, `"pageUrl": "about-us",`)
	dir.replace(t, store.FileMenus, `"pageUrl": "about",`, `"pageUrl": "about-us",`)
	dir.replace(t, store.FileBlocks, `"title": "Hero banner"`, `"title": "Latebird banner"`)
	var admins []json.RawMessage
	require.NoError(t, json.Unmarshal(dir.files[store.FileAdmins].Data, &admins))
	one, err := json.Marshal(admins[:1])
	require.NoError(t, err)
	dir.set(store.FileAdmins, one)
	status, body := ts.callWith(t, http.MethodPost, "/__admin/reload", "", nil, nil)
	require.Equal(t, http.StatusOK, status, string(body))

	status, body = ts.call(t, http.MethodGet, "/api/content/pages/about-us/blocks?langCode=en_US", "", nil)
	assert.Equal(t, http.StatusOK, status, string(body))
	status, body = ts.call(t, http.MethodGet, "/api/content/pages/quick/search?name=About&lang=en_US", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Contains(t, string(body), `"about-us"`)
	status, body = ts.call(t, http.MethodGet, "/api/content/blocks/quick/search?name=Latebird&langCode=en_US", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Contains(t, string(body), `"hero"`)
	status, body = ts.call(t, http.MethodPost, "/api/content/admins/all?langCode=en_US", "", []any{})
	require.Equal(t, http.StatusCreated, status, string(body))
	got := decode[[]map[string]any](t, body)
	require.Len(t, got, 1)
	assert.Equal(t, "admin", got[0]["identifier"])
}

// A fixture the SDK's strict schemas would reject (product without additional.prices) is
// served as is normally, and refused loudly with CheckResponses on.
func TestCheckResponsesCatchesOffContractFixtures(t *testing.T) {
	t.Parallel()
	fx := editFixtures(t, map[string]func(any) any{
		store.FileProducts: func(v any) any {
			delete(v.([]any)[0].(map[string]any), "additional")
			return v
		},
	})
	for _, check := range []bool{false, true} {
		srv, err := mockserver.New(mockserver.Options{Sandbox: sandbox.Options{Fixtures: fx}, Contract: mocktest.Contract(t), CheckResponses: check})
		require.NoError(t, err)
		rec := serveAPI(srv, http.MethodGet, "/api/content/products/10", "", nil)
		if !check {
			assert.Equal(t, http.StatusOK, rec.Code)
			continue
		}
		require.Equal(t, http.StatusInternalServerError, rec.Code)
		assert.Contains(t, rec.Body.String(), "additional")
	}
}

// articlesContract is the contract entry of a new endpoint: two GET routes over articles.json.
const articlesContract = `
  /articles/marker/{marker}:
    get:
      operationId: getArticleByMarker
      parameters:
        - $ref: '#/components/parameters/AppToken'
        - {name: marker, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: The article.
          content: {application/json: {schema: {$ref: '#/components/schemas/TestArticle'}}}
        '403': {$ref: '#/components/responses/Forbidden'}
        '404': {$ref: '#/components/responses/NotFound'}
  /articles:
    get:
      operationId: listArticles
      parameters:
        - $ref: '#/components/parameters/AppToken'
        - $ref: '#/components/parameters/Offset'
        - $ref: '#/components/parameters/Limit'
      responses:
        '200':
          description: A window of the articles.
          content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/TestArticle'}}}}
        '400': {$ref: '#/components/responses/BadRequest'}
        '403': {$ref: '#/components/responses/Forbidden'}
`

const articleSchema = `
    TestArticle:
      type: object
      additionalProperties: false
      required: [id, identifier, title]
      properties:
        id: {type: integer}
        identifier: {type: string}
        title: {type: string}
        localizeInfos: {type: object}
`

// articlesFixture is the fixture file of the new endpoint.
const articlesFixture = `[
  {"id": 1, "identifier": "home", "title": "Home"},
  {"id": 2, "identifier": "about", "title": "About"},
  {"id": 3, "identifier": "contacts", "title": "Contacts"},
  {"id": 4, "identifier": "shop", "title": "Shop", "localizeInfos": {"en_US": {"title": "Shop"}, "ru_RU": {"title": "Магазин"}}}
]`

// A fixture-backed read endpoint takes its contract entry, one Read line and its fixture file:
// no handler, no index, no change to the store. It finds objects by marker, pages lists and
// serves a localizeInfos keyed by language in the requested language (blank without one).
func TestDeclaredReadServesAFixtureFile(t *testing.T) {
	t.Parallel()
	fsys := fixtures.Copy()
	fsys["articles.json"] = &fstest.MapFile{Data: []byte(articlesFixture)}
	fx, err := store.LoadFixtures(fsys)
	require.NoError(t, err)
	srv, err := mockserver.New(mockserver.Options{
		Sandbox:        sandbox.Options{Fixtures: fx},
		Contract:       contractWith(t, articlesContract, articleSchema),
		CheckResponses: true,
		Reads: []mockserver.Read{
			{Path: mockserver.APIPrefix + "/articles/marker/{marker}", File: "articles.json", Noun: "Article"},
			{Path: mockserver.APIPrefix + "/articles", File: "articles.json"},
		},
	})
	require.NoError(t, err)

	get := func(path string) (int, string) {
		rec := serveAPI(srv, http.MethodGet, path, "", nil)
		return rec.Code, rec.Body.String()
	}
	for path, want := range map[string]struct {
		status int
		body   string
	}{
		"/api/content/articles/marker/about":               {http.StatusOK, `{"id":2,"identifier":"about","title":"About"}`},
		"/api/content/articles?limit=3":                    {http.StatusOK, `[{"id":1,"identifier":"home","title":"Home"},{"id":2,"identifier":"about","title":"About"},{"id":3,"identifier":"contacts","title":"Contacts"}]`},
		"/api/content/articles?offset=3":                   {http.StatusOK, `[{"id":4,"identifier":"shop","title":"Shop","localizeInfos":{"title":"Shop"}}]`},
		"/api/content/articles?offset=3&langCode=ru_RU":    {http.StatusOK, `[{"id":4,"identifier":"shop","title":"Shop","localizeInfos":{"title":"Магазин"}}]`},
		"/api/content/articles/marker/shop?langCode=ru_RU": {http.StatusOK, `{"id":4,"identifier":"shop","title":"Shop","localizeInfos":{"title":"Магазин"}}`},
		"/api/content/articles/marker/shop?langCode=de_DE": {http.StatusOK, `{"id":4,"identifier":"shop","title":"Shop","localizeInfos":{}}`},
		"/api/content/articles?offset=1&limit=1":           {http.StatusOK, `[{"id":2,"identifier":"about","title":"About"}]`},
		"/api/content/articles?offset=5":                   {http.StatusOK, `[]`},
		"/api/content/articles/marker/nowhere":             {http.StatusNotFound, ""},
		"/api/content/articles?limit=0":                    {http.StatusBadRequest, ""},
	} {
		status, body := get(path)
		require.Equal(t, want.status, status, "%s: %s", path, body)
		if want.body != "" {
			assert.JSONEq(t, want.body, body, path)
		}
	}
	_, body := get("/api/content/articles/marker/nowhere")
	assert.Contains(t, body, `Article with marker \"nowhere\" not found`)
}

// A declared read over a file the fixture folder lacks serves it empty, as a site file the
// folder lacks is: a folder written before the endpoint was added still starts. One that is
// there but broken stops the start.
func TestDeclaredReadOfAFileTheFolderLacksServesItEmpty(t *testing.T) {
	t.Parallel()
	reads := []mockserver.Read{
		{Path: mockserver.APIPrefix + "/articles/marker/{marker}", File: "articles.json", Noun: "Article"},
		{Path: mockserver.APIPrefix + "/articles", File: "articles.json"},
	}
	srv, err := mockserver.New(mockserver.Options{
		Sandbox:  sandbox.Options{Fixtures: mocktest.DefaultFixtures(t)},
		Contract: contractWith(t, articlesContract, articleSchema),
		Reads:    reads,
	})
	require.NoError(t, err)
	rec := serveAPI(srv, http.MethodGet, "/api/content/articles", "", nil)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, `[]`, rec.Body.String())
	rec = serveAPI(srv, http.MethodGet, "/api/content/articles/marker/home", "", nil)
	assert.Equal(t, http.StatusNotFound, rec.Code)

	fsys := fixtures.Copy()
	fsys["articles.json"] = &fstest.MapFile{Data: []byte(`{"not":"a list"}`)}
	fx, err := store.LoadFixtures(fsys)
	require.NoError(t, err)
	_, err = mockserver.New(mockserver.Options{Sandbox: sandbox.Options{Fixtures: fx}, Contract: contractWith(t, articlesContract, articleSchema), Reads: reads})
	require.ErrorContains(t, err, "articles.json")
}

// Every file a declared read of the API serves is in the default fixtures, so that a misspelt
// File in routes.go cannot pass as a file a folder lacks.
func TestEveryDeclaredReadsFileIsInTheDefaultFixtures(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	require.NotEmpty(t, ts.server.ReadFiles())
	for _, file := range ts.server.ReadFiles() {
		_, err := fs.Stat(fixtures.FS, file)
		assert.NoError(t, err, file)
	}
}

// With CheckResponses, an answer is checked against the operation of the route that answered:
// GET /products/all is GET /products/{id}'s (an id that is not a number), though the contract's
// own router would take the path of POST /products/all.
func TestCheckedAnswersAreCheckedAgainstTheRouteThatAnswered(t *testing.T) {
	t.Parallel()
	fx, err := store.LoadFixtures(fixtures.FS)
	require.NoError(t, err)
	srv, err := mockserver.New(mockserver.Options{Sandbox: sandbox.Options{Fixtures: fx}, CheckResponses: true})
	require.NoError(t, err)
	rec := serveAPI(srv, http.MethodGet, "/api/content/products/all", "", nil)
	assert.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), "id must be an integer")
	rec = serveAPI(srv, http.MethodGet, "/api/content/products/10", "", nil)
	assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	rec = serveAPI(srv, http.MethodGet, "/api/content/no-such-route", "", nil)
	assert.Equal(t, http.StatusNotFound, rec.Code, rec.Body.String())
}

// A reload shows an edited form at once, while a running sandbox checks submissions against
// the forms it started with until its reset, as it prices carts (docs/fixtures.md).
func TestAReloadedFormIsShownAtOnceAndCheckedAfterTheReset(t *testing.T) {
	t.Parallel()
	dir := newEditableFixtures()
	ts := newTestServer(t, withReloadFrom(dir))
	dir.replace(t, store.FileForms, "\"validators\": {\n          \"emailInspectionValidator\": true\n        },",
		"\"validators\": {\n          \"requiredValidator\": {\"strict\": true},\n          \"emailInspectionValidator\": true\n        },")
	status, body := ts.callWith(t, http.MethodPost, "/__admin/reload", "", nil, nil)
	require.Equal(t, http.StatusOK, status, string(body))

	status, body = ts.call(t, http.MethodGet, "/api/content/forms/marker/contact_us?langCode=en_US", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	var form struct {
		Attributes []struct {
			Marker     string         `json:"marker"`
			Validators map[string]any `json:"validators"`
		} `json:"attributes"`
	}
	require.NoError(t, json.Unmarshal(body, &form))
	var shown map[string]any
	for _, a := range form.Attributes {
		if a.Marker == "email" {
			shown = a.Validators
		}
	}
	assert.Contains(t, shown, "requiredValidator", "the read shows the edit at once")

	withoutEmail := contactBody(func(b map[string]any) {
		b["formData"] = contactValues(field("name", "string", "Ann"), field("message", "text", plain("Please call me back.")))
	})
	status, body = ts.submit(t, "", withoutEmail)
	assert.Equal(t, http.StatusCreated, status, "checked against the forms the sandbox started with: %s", body)
	status, _ = ts.call(t, http.MethodPost, "/__admin/reset", "", nil)
	require.Equal(t, http.StatusOK, status)
	status, body = ts.submit(t, "", withoutEmail)
	assert.Equal(t, http.StatusBadRequest, status, "after the reset, against the reloaded ones: %s", body)
}

// Fixture media are served for revalidation on every use, by an ETag of their bytes, so a
// browser shows an edit to a watched fixture folder as soon as it is applied; and in ranges, which Safari asks
// for to play a video.
func TestMediaAreRevalidatedAndServedInRanges(t *testing.T) {
	t.Parallel()
	folder := newEditableFixtures()
	ts := newTestServer(t, withReloadFrom(folder))
	const hero = "/cloud-static/content/hero.svg"
	get := func(headers map[string]string) (*http.Response, []byte) {
		t.Helper()
		return ts.send(t, ts.request(t, http.MethodGet, hero, "", "", headers))
	}

	resp, whole := get(nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	etag := resp.Header.Get("ETag")
	require.NotEmpty(t, etag)
	assert.Equal(t, "no-cache", resp.Header.Get("Cache-Control"))
	assert.Equal(t, "sandbox", resp.Header.Get("Content-Security-Policy"))
	assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))

	resp, body := get(map[string]string{"If-None-Match": etag})
	assert.Equal(t, http.StatusNotModified, resp.StatusCode)
	assert.Empty(t, body)

	resp, body = get(map[string]string{"Range": "bytes=0-9"})
	assert.Equal(t, http.StatusPartialContent, resp.StatusCode)
	assert.Equal(t, whole[:10], body)
	assert.Equal(t, "bytes", resp.Header.Get("Accept-Ranges"))

	resp, body = get(map[string]string{"Range": "bytes=99999-"})
	e := decodeError(t, http.StatusRequestedRangeNotSatisfiable, body)
	assert.Equal(t, http.StatusRequestedRangeNotSatisfiable, resp.StatusCode)
	assert.Equal(t, `"Requested Range Not Satisfiable"`, string(e.Message))

	// As --watch applies an edit.
	folder.set("media/hero.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`))
	status, reloaded := ts.callWith(t, http.MethodPost, "/__admin/reload", "", nil, nil)
	require.Equal(t, http.StatusOK, status, string(reloaded))
	resp, body = get(map[string]string{"If-None-Match": etag})
	assert.Equal(t, http.StatusOK, resp.StatusCode, "an edit is served at once")
	assert.NotEqual(t, etag, resp.Header.Get("ETag"))
	assert.Equal(t, `<svg xmlns="http://www.w3.org/2000/svg"/>`, string(body))
}
