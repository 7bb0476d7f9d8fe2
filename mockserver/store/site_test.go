package store_test

import (
	"encoding/json"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// loadEdited loads the default fixture set with one object of a site file changed by edit.
func loadEdited(t *testing.T, file string, i int, edit func(map[string]any)) (*store.Fixtures, error) {
	t.Helper()
	fsys := fixtures.Copy()
	var items []map[string]any
	require.NoError(t, json.Unmarshal(fsys[file].Data, &items))
	edit(items[i])
	data, err := json.Marshal(items)
	require.NoError(t, err)
	fsys[file].Data = data
	return store.LoadFixtures(fsys)
}

func TestSiteFixturesAreCheckedAtLoad(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		file string
		i    int
		edit func(map[string]any)
		want string
	}{
		"dangling parent":                {store.FilePages, 3, func(p map[string]any) { p["parentId"] = 77 }, `pages.json:<pos>: [3].parentId: names "77", which does not exist`},
		"unknown block":                  {store.FilePages, 0, func(p map[string]any) { p["blocks"] = []string{"hero", "footer"} }, `pages.json:<pos>: [0].blocks: names block "footer", which does not exist`},
		"unknown template":               {store.FilePages, 0, func(p map[string]any) { p["templateIdentifier"] = "nope" }, `pages.json:<pos>: [0].templateIdentifier: names "nope", which does not exist`},
		"unknown attribute set":          {store.FilePages, 1, func(p map[string]any) { p["attributeSetIdentifier"] = "nope" }, `pages.json:<pos>: [1].attributeSetIdentifier: names "nope"`},
		"duplicate url":                  {store.FilePages, 4, func(p map[string]any) { p["pageUrl"] = "home" }, `pages.json:<pos>: [4].pageUrl: duplicate pageUrl "home"`},
		"no url":                         {store.FilePages, 4, func(p map[string]any) { delete(p, "pageUrl") }, `pages.json:<pos>: [4].pageUrl: is missing`},
		"duplicate id":                   {store.FilePages, 4, func(p map[string]any) { p["id"] = 1 }, `pages.json:<pos>: [4].id: duplicate id 1`},
		"block template":                 {store.FileBlocks, 0, func(b map[string]any) { b["templateIdentifier"] = "nope" }, `blocks.json:<pos>: [0].templateIdentifier: names "nope"`},
		"parent cycle":                   {store.FilePages, 2, func(p map[string]any) { p["parentId"] = 3 }, `pages.json:<pos>: [2].parentId: page "about" is its own ancestor`},
		"block product page":             {store.FileBlocks, 1, func(b map[string]any) { b["productPageUrls"] = []string{"ghost"} }, `blocks.json:<pos>: [1].productPageUrls: names page "ghost", which does not exist`},
		"block product pages not a list": {store.FileBlocks, 1, func(b map[string]any) { b["productPageUrls"] = "tickets" }, `blocks.json:<pos>: [1].productPageUrls: must be a list of page urls`},
		"block scope ids as text": {store.FileBlocks, 2, func(b map[string]any) {
			b["customSettings"] = map[string]any{"similarScope": map[string]any{"pageIds": []string{"8"}}}
		}, `blocks.json:<pos>: [2].customSettings: must be an object whose mode is a string`},
		"block attribute set": {store.FileBlocks, 1, func(b map[string]any) { b["attributesSetIdentifier"] = "ghost" }, `blocks.json:<pos>: [1].attributesSetIdentifier: names "ghost"`},
		"similar scope page": {store.FileBlocks, 2, func(b map[string]any) {
			b["customSettings"] = map[string]any{"similarScope": map[string]any{"pageIds": []int{99}}}
		}, `blocks.json:<pos>: [2].customSettings.similarScope.pageIds: names page 99, which does not exist`},
		"menu page": {store.FileMenus, 0, func(m map[string]any) { m["pages"].([]any)[0].(map[string]any)["pageUrl"] = "ghost" },
			`menus.json:<pos>: [0].pages[0].pageUrl: names page "ghost", which does not exist`},
		"menu child page": {store.FileMenus, 0, func(m map[string]any) {
			m["pages"].([]any)[2].(map[string]any)["children"].([]any)[0].(map[string]any)["pageUrl"] = "ghost"
		}, `menus.json:<pos>: [0].pages[2].children[0].pageUrl: names page "ghost", which does not exist`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := loadEdited(t, c.file, c.i, c.edit)
			require.Error(t, err)
			file, detail, _ := strings.Cut(c.want, ":<pos>: ")
			assert.Regexp(t, regexp.QuoteMeta("fixtures "+file)+`:\d+:\d+: `+regexp.QuoteMeta(detail), err.Error())
		})
	}
}

// A fixture set written before the site existed still loads; its site reads are empty.
func TestSiteFilesAreOptional(t *testing.T) {
	t.Parallel()
	fsys := fixtures.Copy()
	for _, f := range []string{store.FilePages, store.FileBlocks, store.FileMenus, store.FileLocales, store.FileAttributeSets,
		store.FileGeneralTypes, store.FileTemplates, store.FileTemplatePreviews, store.FileAdmins} {
		delete(fsys, f)
	}
	fx, err := store.LoadFixtures(fsys)
	require.NoError(t, err)
	pages, err := fx.Collection(store.FilePages)
	require.NoError(t, err)
	assert.Zero(t, pages.Len())
	assert.Equal(t, []string{"en_US"}, fx.Languages())
	_, err = fx.Page("home")
	assert.ErrorContains(t, err, "Page not found")
	_, err = fx.Media("hero.svg")
	require.NoError(t, err, "media come with the fixture folder")
	_, err = fx.Media("../project.json")
	assert.Error(t, err)
}

// caseFoldingFS opens names as a case-insensitive file system (APFS, NTFS) does: a name that
// differs from a file's only in case opens that file.
type caseFoldingFS struct{ files fstest.MapFS }

func (c caseFoldingFS) Open(name string) (fs.File, error) {
	f, err := c.files.Open(name)
	if err == nil {
		return f, nil
	}
	for have := range c.files {
		if strings.EqualFold(have, name) {
			return c.files.Open(have)
		}
	}
	return nil, err
}

// A media file is served under its own name only, so a link whose case differs from the file's
// answers 404 on every platform, not only where the file system tells case apart.
func TestMediaNamesMatchExactly(t *testing.T) {
	t.Parallel()
	files := fixtures.Copy()
	files["media/Logo.PNG"] = &fstest.MapFile{Data: []byte("logo")}
	folding := caseFoldingFS{files}
	data, err := fs.ReadFile(folding, "media/HERO.svg")
	require.NoError(t, err, "the file system folds case")
	require.NotEmpty(t, data)

	fx, err := store.LoadFixtures(folding)
	require.NoError(t, err)
	for _, name := range []string{"hero.svg", "Logo.PNG"} {
		_, err := fx.Media(name)
		assert.NoError(t, err, name)
	}
	for _, name := range []string{"Hero.svg", "HERO.SVG", "logo.png", "Logo.png"} {
		_, err := fx.Media(name)
		assert.ErrorContains(t, err, "File not found", name)
	}
}

func TestBlockProducts(t *testing.T) {
	t.Parallel()
	fx, err := store.LoadFixtures(fixtures.FS)
	require.NoError(t, err)
	for _, c := range []struct {
		marker string
		source int
		want   []int
		err    string
	}{
		{"featured_tickets", 0, []int{10, 11, 12}, ""},
		{"similar_tickets", 12, []int{10, 11, 12}, ""}, // manual: productId is ignored
		{"similar_tickets", 99, []int{10, 11, 12}, ""},
		{"frequently_ordered", 11, []int{10, 12}, ""},
		{"frequently_ordered", 99, nil, "Product not found"},
		{"hero", 0, nil, ""},
		{"nope", 0, nil, "Block not found"},
	} {
		got, err := fx.BlockProducts(c.marker, c.source)
		if c.err != "" {
			assert.ErrorContains(t, err, c.err, c.marker)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, c.want, got, c.marker)
	}

	// An automatic similar-products block computes from the source product: without one, 400.
	auto, err := loadEdited(t, store.FileBlocks, 2, func(b map[string]any) {
		b["customSettings"] = map[string]any{"mode": "automatic"}
	})
	require.NoError(t, err)
	_, err = auto.BlockProducts("similar_tickets", 0)
	assert.ErrorContains(t, err, "productId is required for automatic mode")
	got, err := auto.BlockProducts("similar_tickets", 10)
	require.NoError(t, err)
	assert.Equal(t, []int{11, 12}, got, "the source product's own catalogue, itself left out")
	_, err = auto.BlockProducts("similar_tickets", 99)
	assert.ErrorContains(t, err, "Product not found")

	// Without a mode, a block is manual: the same shelf for every product asked about.
	unset, err := loadEdited(t, store.FileBlocks, 2, func(b map[string]any) {
		b["customSettings"] = map[string]any{"similarScope": map[string]any{"pageIds": []int{8}}}
	})
	require.NoError(t, err)
	got, err = unset.BlockProducts("similar_tickets", 10)
	require.NoError(t, err)
	assert.Equal(t, []int{10, 11, 12}, got)

	// A frequently-ordered block shows at most its productConfig.quantity, a similar-products
	// block whatever it finds.
	for quantity, want := range map[any][]int{"1": {10}, 1: {10}, "0": {}, "5": {10, 12}, "many": {10, 12}} {
		capped, err := loadEdited(t, store.FileBlocks, 3, func(b map[string]any) {
			b["customSettings"].(map[string]any)["productConfig"].(map[string]any)["quantity"] = quantity
		})
		require.NoError(t, err)
		got, err = capped.BlockProducts("frequently_ordered", 11)
		require.NoError(t, err)
		assert.Equal(t, want, got, "quantity %v", quantity)
	}
	one, err := loadEdited(t, store.FileBlocks, 2, func(b map[string]any) {
		b["customSettings"].(map[string]any)["productConfig"].(map[string]any)["quantity"] = "1"
	})
	require.NoError(t, err)
	got, err = one.BlockProducts("similar_tickets", 10)
	require.NoError(t, err)
	assert.Equal(t, []int{10, 11, 12}, got)
}

// vipFixtures are the default fixtures with a catalogue page vip (id 9) under tickets (8), the
// products given moved to it, and the similar-products block's customSettings set to settings
// (nil: as they are).
func vipFixtures(t *testing.T, settings map[string]any, products ...int) *store.Fixtures {
	t.Helper()
	fsys := fixtures.Copy()
	edit := func(name string, f func([]map[string]any) []map[string]any) {
		var items []map[string]any
		require.NoError(t, json.Unmarshal(fsys[name].Data, &items))
		data, err := json.Marshal(f(items))
		require.NoError(t, err)
		fsys[name].Data = data
	}
	edit(store.FilePages, func(pages []map[string]any) []map[string]any {
		vip := maps.Clone(pages[1]) // tickets
		vip["id"], vip["parentId"], vip["pageUrl"] = 9, 8, "vip"
		return append(pages, vip)
	})
	edit(store.FileProducts, func(items []map[string]any) []map[string]any {
		for _, p := range items {
			if id := int(p["id"].(float64)); slices.Contains(products, id) {
				p["productPages"] = []any{map[string]any{"id": id + 22, "pageId": 9, "productId": id, "positionId": id + 100, "categoryPath": "tickets/vip"}}
			}
		}
		return items
	})
	if settings != nil {
		edit(store.FileBlocks, func(blocks []map[string]any) []map[string]any {
			blocks[2]["customSettings"] = settings // similar_tickets
			return blocks
		})
	}
	fx, err := store.LoadFixtures(fsys)
	require.NoError(t, err)
	return fx
}

// A similar-products block's scope takes in the pages under the sections it names, as the
// platform notes say (similar-product-blocks.md): product 12, moved to vip under tickets, is on
// the shelf of a block scoped to tickets. A product block's productPageUrls are its pages alone.
func TestSimilarScopeTakesInChildPages(t *testing.T) {
	t.Parallel()
	fx := vipFixtures(t, nil, 12)
	got, err := fx.BlockProducts("similar_tickets", 0)
	require.NoError(t, err)
	assert.Equal(t, []int{10, 11, 12}, got, "scope [8] takes in vip")
	got, err = fx.BlockProducts("featured_tickets", 0)
	require.NoError(t, err)
	assert.Equal(t, []int{10, 11}, got, "productPageUrls [tickets] is tickets alone")
}

// Only an automatic similar-products block without a scope draws from the source product's
// own pages (similar-product-blocks.md: an empty pageIds means the source's own section, even
// where the block names productPageUrls); any other block shows its own pages or nothing.
func TestOnlyAnAutomaticBlockFallsBackToTheSourcesPages(t *testing.T) {
	t.Parallel()
	fx := vipFixtures(t, map[string]any{"mode": "automatic"}, 11, 12)
	got, err := fx.BlockProducts("similar_tickets", 12)
	require.NoError(t, err)
	assert.Equal(t, []int{11}, got, "vip, not productPageUrls [tickets]")
	got, err = fx.BlockProducts("similar_tickets", 10)
	require.NoError(t, err)
	assert.Equal(t, []int{11, 12}, got, "tickets and the pages under it")

	for _, source := range []int{0, 10} {
		got, err = fx.BlockProducts("hero", source)
		require.NoError(t, err)
		assert.Empty(t, got, "a common block names no pages, and takes none of product %d's", source)
	}
	manual := vipFixtures(t, map[string]any{"mode": "manual"}, 12)
	got, err = manual.BlockProducts("similar_tickets", 12)
	require.NoError(t, err)
	assert.Equal(t, []int{10, 11, 12}, got, "manual without a scope: its productPageUrls, whatever the product")
}

func TestAdminFilters(t *testing.T) {
	t.Parallel()
	fx, err := store.LoadFixtures(fixtures.FS)
	require.NoError(t, err)
	f := func(marker, cond string, value any) store.AttributeFilter {
		raw, err := json.Marshal(value)
		require.NoError(t, err)
		return store.AttributeFilter{AttributeMarker: marker, ConditionMarker: cond, ConditionValue: raw}
	}
	for _, c := range []struct {
		filters []store.AttributeFilter
		lang    string
		want    []int
	}{
		{nil, "en_US", []int{0, 1}},
		{[]store.AttributeFilter{f("role", "eq", "Owner")}, "en_US", []int{0}},
		{[]store.AttributeFilter{f("role", "eq", "Owner")}, "ru_RU", nil},
		{[]store.AttributeFilter{f("role", "eq", "Владелец")}, "ru_RU", []int{0}},
		{[]store.AttributeFilter{f("name", "nin", []string{"Anna Petrova"})}, "en_US", []int{1}},
		{[]store.AttributeFilter{f("email", "pat", "EXAMPLE"), f("role", "neq", "Owner")}, "en_US", []int{1}},
		{[]store.AttributeFilter{f("name", "mth", 1)}, "en_US", nil},
		{[]store.AttributeFilter{f("phone", "exs", nil)}, "en_US", nil},
	} {
		got, err := fx.Admins(c.filters, c.lang)
		require.NoError(t, err)
		assert.Equal(t, c.want, got, "%+v %s", c.filters, c.lang)
	}
	_, err = fx.Admins([]store.AttributeFilter{f("name", "like", "a")}, "en_US")
	assert.ErrorContains(t, err, "conditionMarker must be one of")
	_, err = fx.Admins([]store.AttributeFilter{{ConditionMarker: "eq"}}, "en_US")
	assert.ErrorContains(t, err, "attributeMarker should not be empty")
}

func TestCollectionsKnowWhetherTheyLinkMedia(t *testing.T) {
	t.Parallel()
	fx, err := store.LoadFixtures(fixtures.FS)
	require.NoError(t, err)
	for file, links := range map[string]bool{store.FilePages: true, store.FileBlocks: true, store.FileForms: false, store.FileMenus: false} {
		c, err := fx.Collection(file)
		require.NoError(t, err, file)
		assert.Equal(t, links, c.LinksMedia(), file)
	}
}

// pageForms loads the default fixtures with contact_us's module config binding as given, and
// returns the identifiers of the forms on each page that has any.
func pageForms(t *testing.T, binding map[string]any) map[string][]string {
	t.Helper()
	fx, err := loadEdited(t, store.FileForms, 2, func(form map[string]any) {
		require.Equal(t, "contact_us", form["identifier"])
		config := form["moduleFormConfigs"].([]any)[0].(map[string]any)
		for k, v := range binding {
			config[k] = v
		}
	})
	require.NoError(t, err)
	out := map[string][]string{}
	for _, url := range []string{"home", "about", "history", "contacts", "tickets"} {
		i, err := fx.Page(url)
		require.NoError(t, err)
		if forms := fx.PageForms(i); forms != nil {
			out[url] = forms
		}
	}
	return out
}

func TestPageForms(t *testing.T) {
	t.Parallel()
	names := func(id any, numeric, children bool) map[string]any {
		return map[string]any{"isGlobal": false, "entityIdentifiers": []any{map[string]any{"id": id, "isNumeric": numeric, "childrenOn": children}}}
	}
	assert.Equal(t, map[string][]string{"tickets": {"tickets_form"}, "contacts": {"contact_us"}},
		pageForms(t, names("contacts", false, false)), "by url; tickets_form names page 8 by id")
	assert.Equal(t, map[string][]string{"tickets": {"tickets_form"}, "about": {"contact_us"}, "history": {"contact_us"}},
		pageForms(t, names(2, true, true)), "about (id 2) and, with childrenOn, its child history")
	assert.Equal(t, map[string][]string{"tickets": {"tickets_form"}, "about": {"contact_us"}},
		pageForms(t, names(2, true, false)), "without childrenOn, not its child")
	assert.Equal(t, map[string][]string{"tickets": {"tickets_form"}},
		pageForms(t, names("2", false, false)), "a text identifier names a url, not an id")
	all := []string{"contact_us"}
	assert.Equal(t, map[string][]string{"home": all, "about": all, "history": all, "contacts": all, "tickets": {"tickets_form", "contact_us"}},
		pageForms(t, map[string]any{"isGlobal": true, "entityIdentifiers": []any{}}), "a global config is on every page")
}

// A product is a child of its catalogue page: a config that names the page takes in its
// products only with childrenOn, and the seed's catalogue shows none.
func TestProductFormConfigs(t *testing.T) {
	t.Parallel()
	configs := func(fx *store.Fixtures, site bool) []any {
		raw, ok := fx.Catalog(site).Product(10, "en_US")
		require.True(t, ok)
		var p struct {
			ModuleFormConfigs []any `json:"moduleFormConfigs"`
		}
		require.NoError(t, json.Unmarshal(raw, &p))
		return p.ModuleFormConfigs
	}
	for children, want := range map[bool]int{true: 1, false: 0} {
		fx, err := loadEdited(t, store.FileForms, 0, func(form map[string]any) {
			require.Equal(t, "tickets_form", form["identifier"])
			config := form["moduleFormConfigs"].([]any)[0].(map[string]any)
			config["entityIdentifiers"].([]any)[0].(map[string]any)["childrenOn"] = children
		})
		require.NoError(t, err)
		assert.Len(t, configs(fx, true), want, "childrenOn %v", children)
		assert.Empty(t, configs(fx, false), "the seed's catalogue")
		i, err := fx.Page("tickets")
		require.NoError(t, err)
		assert.Len(t, fx.PageFormConfigs(i), 1, "the page itself, either way")
	}
}

func TestFlatMenu(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`{"id":1,"pages":[{"id":1,"parentId":null,"children":[{"id":2,"children":[{"id":3,"parentId":null}]},{"parentId":7,"id":4}]},{"id":5}],"x":1}`: `{"id":1,"pages":[{"id":1,"parentId":null},{"id":2,"parentId":1},{"id":3,"parentId":2},{"parentId":7,"id":4},{"id":5}],"x":1}`,
		`{"pages":[{"id":1,"children":[]}]}`: `{"pages":[{"id":1}]}`,
		// Flat children before or far from their parents follow them.
		`{"pages":[{"id":4,"parentId":8},{"id":1,"parentId":null},{"id":8},{"id":2},{"id":3,"parentId":1}]}`: `{"pages":[{"id":1,"parentId":null},{"id":3,"parentId":1},{"id":8},{"id":4,"parentId":8},{"id":2}]}`,
		`{"pages":[{"id":1},{"id":1,"parentId":2},{"id":2}]}`:                                                `{"pages":[{"id":1},{"id":1,"parentId":2},{"id":2}]}`,
		`{"pages":[{"id":1,"parentId":2},{"id":2,"parentId":1}]}`:                                            `{"pages":[{"id":1,"parentId":2},{"id":2,"parentId":1}]}`,
		`{"pages":[]}`:                      `{"pages":[]}`,
		`{"pages":[1,2]}`:                   `{"pages":[1,2]}`,
		`{"pages":[{"id":1,"children":5}]}`: `{"pages":[{"id":1,"children":5}]}`,
		`{"id":1}`:                          `{"id":1}`,
	} {
		assert.Equal(t, want, string(store.FlatMenu(json.RawMessage(in))), in)
	}
}

func TestWithPreviewWeights(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`{"id":1,"proportions":{"default":{"horizontal":{"width":600,"height":400},"vertical":null,"square":{"side":4}}}}`: `{"id":1,"proportions":{"default":{"horizontal":{"width":600,"height":400,"weight":600},"square":{"side":4},"vertical":null}}}`,
		`{"proportions":{"default":{"horizontal":{"width":6,"weight":7}}}}`:                                                `{"proportions":{"default":{"horizontal":{"width":6,"weight":7}}}}`,
		`{"proportions":{"default":{"horizontal":{"weight":600,"height":400}}}}`:                                           `{"proportions":{"default":{"horizontal":{"width":600,"weight":600,"height":400}}}}`,
		`{"proportions":{"default":{}}}`: `{"proportions":{"default":{}}}`,
		`{"proportions":null}`:           `{"proportions":null}`,
		`{"id":2}`:                       `{"id":2}`,
	} {
		assert.JSONEq(t, want, string(store.WithPreviewWeights(json.RawMessage(in))), in)
	}
}

func TestWithListMultiselect(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`{"id":1,"schema":{"a":{"type":"list","marker":"a"},"b":{"type":"string"},"c":{"type":"list","multiselect":true}},"x":1}`: `{"id":1,"schema":{"a":{"type":"list","marker":"a","multiselect":false},"b":{"type":"string"},"c":{"type":"list","multiselect":true}},"x":1}`,
		`{"schema":{}}`: `{"schema":{}}`,
		`{"schema":5}`:  `{"schema":5}`,
		`{"id":1}`:      `{"id":1}`,
	} {
		assert.Equal(t, want, string(store.WithListMultiselect(json.RawMessage(in))), in)
	}
}

// A line is shown at the price it was ordered at, not today's; a cart's line, not yet priced,
// at today's; a product that is gone by its id, with no price.
func TestShowLine(t *testing.T) {
	t.Parallel()
	fx, err := store.LoadFixtures(fixtures.FS)
	require.NoError(t, err)
	catalog := fx.Catalog(true)
	for name, tc := range map[string]struct {
		line        store.OrderLine
		lang, title string
		price, sum  *int64
	}{
		"ordered":      {store.OrderLine{ProductID: 10, Quantity: 2, PriceCents: ptr(int64(7000))}, "en_US", "Bronze ticket", ptr(int64(7000)), ptr(int64(14000))},
		"in a cart":    {store.OrderLine{ProductID: 10, Quantity: 3}, "ru_RU", "Бронзовый", ptr(int64(10000)), ptr(int64(30000))},
		"product gone": {store.OrderLine{ProductID: 999, Quantity: 1}, "en_US", "product 999", nil, nil},
	} {
		shown := store.ShowLine(fx, catalog, tc.lang, tc.line)
		assert.Equal(t, tc.title, shown.Title, name)
		assert.Equal(t, tc.price, shown.PriceCents, name)
		assert.Equal(t, tc.sum, shown.LineCents, name)
	}
}

// The media folder's listing is read again once the folder's modification time moves, as adding
// a file moves it: a file added while the sandbox serves is served.
func TestMediaAddedWhileServingIsServed(t *testing.T) {
	t.Parallel()
	files := fixtures.Copy()
	files["media"] = &fstest.MapFile{Mode: fs.ModeDir | 0o755, ModTime: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	fx, err := store.LoadFixtures(files)
	require.NoError(t, err)
	_, err = fx.Media("hero.svg")
	require.NoError(t, err)
	_, err = fx.Media("new.svg")
	require.ErrorContains(t, err, "File not found")

	files["media/new.svg"] = &fstest.MapFile{Data: []byte("<svg/>")}
	files["media"].ModTime = files["media"].ModTime.Add(time.Second)
	data, err := fx.Media("new.svg")
	require.NoError(t, err)
	assert.Equal(t, "<svg/>", string(data))
}
