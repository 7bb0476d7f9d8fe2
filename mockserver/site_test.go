package mockserver_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/mocktest"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// adminSiteFiles exercises the files the site links to: media and sitemaps.
func adminSiteFiles(t *testing.T, ac *adminContract) {
	ts := newTestServer(t)
	header, body := ac.do(t, ts, adminCall{method: http.MethodGet, path: "/cloud-static/content/hero.svg", status: http.StatusOK})
	assert.Equal(t, "image/svg+xml", header.Get("Content-Type"))
	assert.Contains(t, string(body), "<svg")
	// An SVG can hold script, and the media folder is anyone's: opened on the mock's origin, it
	// must not reach /__admin.
	assert.Equal(t, "sandbox", header.Get("Content-Security-Policy"))
	assert.Equal(t, "nosniff", header.Get("X-Content-Type-Options"))
	_, body = ac.do(t, ts, adminCall{method: http.MethodGet, path: "/cloud-static/content/nope.png", status: http.StatusNotFound})
	assert.JSONEq(t, `"Cannot GET /cloud-static/content/nope.png"`, string(decodeError(t, http.StatusNotFound, body).Message), "as for a path no route serves")
	_, body = ac.do(t, ts, adminCall{method: http.MethodGet, path: "/cloud-static/sitemaps/sitemap-ru_RU.xml", status: http.StatusOK})
	assert.Contains(t, string(body), "<loc>"+ts.URL+"/about/history</loc>")
	ac.do(t, ts, adminCall{method: http.MethodGet, path: "/cloud-static/sitemaps/sitemap-de_DE.xml", status: http.StatusNotFound})
}

// ids returns the ids of a list answer, bare or wrapped in {items}.
func ids(t *testing.T, body []byte) []int {
	t.Helper()
	var list []struct {
		ID int `json:"id"`
	}
	if json.Unmarshal(body, &list) != nil {
		var wrapped struct {
			Items []struct {
				ID int `json:"id"`
			} `json:"items"`
		}
		require.NoError(t, json.Unmarshal(body, &wrapped), string(body))
		list = wrapped.Items
	}
	out := []int{}
	for _, it := range list {
		out = append(out, it.ID)
	}
	return out
}

// The site's list reads, under both profiles: url and id lookups, children, root, search,
// paging and filters, with the ids of the default project.
func TestSiteReads(t *testing.T) {
	t.Parallel()
	underEachProfile(t, func(t *testing.T, ts *testServer, profile sandbox.Profile) {
		// Profile sdk-1.0.115 names general types as SDK 1.0.115 does.
		typeName := func(today, in2025 string) string {
			if profile.TypeNames2025 {
				return in2025
			}
			return today
		}
		for _, c := range []struct {
			path string
			want []int
		}{
			{"/api/content/pages", []int{1, 8, 2, 3, 4}},
			{"/api/content/pages?limit=2", []int{1, 8}},
			{"/api/content/pages?offset=4", []int{4}},
			{"/api/content/pages?offset=2&limit=2", []int{2, 3}},
			{"/api/content/pages?offset=10", []int{}},
			{"/api/content/pages?limit=30", []int{1, 8, 2, 3, 4}},
			{"/api/content/pages/root?langCode=ru_RU", []int{1, 8, 2, 4}},
			{"/api/content/pages/root?limit=1&offset=1", []int{8}},
			{"/api/content/pages/about/children", []int{3}},
			{"/api/content/pages/history/children", []int{}},
			{"/api/content/pages/tickets/children", []int{}},
			{"/api/content/pages/quick/search?name=hist&lang=en_US", []int{3}},
			{"/api/content/pages/quick/search?name=HIST&langCode=en_US", []int{3}},
			{"/api/content/pages/quick/search?name=ист&lang=ru_RU", []int{3}},
			{"/api/content/pages/quick/search?name=ист&lang=en_US", []int{}},
			{"/api/content/pages/quick/search?url=about&name=o&lang=en_US", []int{2, 3}},
			{"/api/content/pages/quick/search?url=undefined&name=tick&lang=en_US", []int{8}},
			{"/api/content/pages/quick/search?name=&lang=en_US", []int{}},
			{"/api/content/pages/quick/search?url=nowhere&name=a&lang=en_US", []int{}},
			{"/api/content/pages/quick/search?url=en_US&name=About&lang=en_US", []int{}},
			{"/api/content/pages/home/blocks", []int{1, 2}},
			{"/api/content/pages/contacts/blocks", []int{}},
			{"/api/content/blocks/quick/search?name=ticket&langCode=en_US", []int{2}},
			{"/api/content/blocks/featured_tickets/products", []int{10, 11, 12}},
			{"/api/content/blocks/featured_tickets/products?limit=1&offset=2", []int{12}},
			{"/api/content/blocks/similar_tickets/similar-products", []int{10, 11, 12}},
			{"/api/content/blocks/similar_tickets/similar-products?productId=11", []int{10, 11, 12}},
			{"/api/content/blocks/frequently_ordered/products/10/frequently-ordered", []int{11, 12}},
			{"/api/content/blocks/hero/products?productId=10", []int{}},
			{"/api/content/blocks/hero/products/10/frequently-ordered", []int{}},
			{"/api/content/attributes-sets", []int{1, 2, 3, 4}},
			{"/api/content/attributes-sets?typeId=" + typeName("5", "1"), []int{1}},
			{"/api/content/attributes-sets?typeId=" + typeName("1", "5"), []int{}},
			{"/api/content/attributes-sets?limit=1&offset=1", []int{2}},
			{"/api/content/templates", []int{1, 2, 3, 4, 5, 6}},
			// Each dynamic block type ships <type>_default (platform notes, block-types.md).
			{"/api/content/templates?type=" + typeName("frequently_ordered_block", "forStatisticProductBlock"), []int{6}},
			{"/api/content/templates?type=" + typeName("common_page", "forUsualPage"), []int{1, 2}},
			{"/api/content/templates?type=" + typeName("product", "forProductPage"), []int{4}},
			{"/api/content/templates?type=" + typeName("forProductPage", "product"), []int{}},
			{"/api/content/templates?type=nothing", []int{}},
			{"/api/content/template-previews", []int{1, 2}},
			{"/api/content/locales/active/all", []int{1, 2}},
		} {
			status, body := ts.call(t, http.MethodGet, c.path, "", nil)
			require.Equal(t, http.StatusOK, status, "%s: %s", c.path, body)
			assert.Equal(t, c.want, ids(t, body), c.path)
		}
		for _, c := range []struct {
			path string
			body any
			want []int
		}{
			{"/api/content/blocks?type=&langCode=en_US&offset=0&limit=30", nil, []int{1, 2, 3, 4}},
			{"/api/content/blocks?type=" + typeName("product_block", "forProductBlock"), nil, []int{2}},
			{"/api/content/blocks?limit=2&offset=1", nil, []int{2, 3}},
			{"/api/content/admins/all", []any{}, []int{1, 2}},
			{"/api/content/admins/all?limit=1&offset=1", nil, []int{2}},
			{"/api/content/admins/all?langCode=en_US", []map[string]any{{"attributeMarker": "role", "conditionMarker": "eq", "conditionValue": "Owner"}}, []int{1}},
			{"/api/content/admins/all?langCode=ru_RU", []map[string]any{{"attributeMarker": "role", "conditionMarker": "eq", "conditionValue": "Касса"}}, []int{2}},
			{"/api/content/admins/all", []map[string]any{{"attributeMarker": "email", "conditionMarker": "pat", "conditionValue": "BOX"}}, []int{2}},
			{"/api/content/admins/all", []map[string]any{{"attributeMarker": "name", "conditionMarker": "neq", "conditionValue": "Anna Petrova"}}, []int{2}},
			{"/api/content/admins/all", []map[string]any{{"attributeMarker": "name", "conditionMarker": "in", "conditionValue": []string{"Anna Petrova", "X"}}}, []int{1}},
			{"/api/content/admins/all", []map[string]any{{"attributeMarker": "role", "conditionMarker": "in", "conditionValue": "Owner,Касса"}}, []int{1}},
			{"/api/content/admins/all", []map[string]any{{"attributeMarker": "name", "conditionMarker": "nin", "conditionValue": "X, Anna Petrova"}}, []int{2}},
			{"/api/content/admins/all", []map[string]any{{"attributeMarker": "phone", "conditionMarker": "nexs"}}, []int{1, 2}},
			{"/api/content/admins/all", []map[string]any{{"attributeMarker": "phone", "conditionMarker": "exs"}}, []int{}},
		} {
			status, body := ts.call(t, http.MethodPost, c.path, "", c.body)
			require.Equal(t, http.StatusCreated, status, "%s: %s", c.path, body)
			assert.Equal(t, c.want, ids(t, body), "%s %v", c.path, c.body)
		}

		// Never drawn from orders: the platform notes' fallback flag says so.
		assert.Equal(t, true, ts.object(t, "/api/content/blocks/frequently_ordered/products/10/frequently-ordered")["fallbackUsed"])
		assert.Equal(t, true, ts.object(t, "/api/content/blocks/hero/products/10/frequently-ordered")["fallbackUsed"], "nothing drawn from orders, even when nothing is shown")
		assert.NotContains(t, ts.object(t, "/api/content/blocks/featured_tickets/products"), "fallbackUsed", "only the frequently-ordered answer has it")
	})
}

// Previews are made of png and jpeg images only (OneEntry's platform notes,
// files-and-uploads.md): the default pages' and blocks' SVG images have none.
func TestSVGImagesHaveNoPreview(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	for _, path := range []string{"/api/content/pages/url/home?langCode=en_US", "/api/content/blocks/marker/hero?langCode=en_US"} {
		values := ts.object(t, path)["attributeValues"].(map[string]any)
		found := 0
		for _, v := range values {
			attr, _ := v.(map[string]any)
			if img, ok := attr["value"].(map[string]any); ok && attr["type"] == "image" {
				assert.Equal(t, "", img["previewLink"], path)
				assert.NotEmpty(t, img["downloadLink"], path)
				found++
			}
		}
		assert.Positive(t, found, "%s has an image", path)
	}
}

// Every attribute a default product carries is one of its attribute set's, as a live product's
// can only be: a filter panel reads its options there.
func TestProductAttributesAreTheirSetsAttributes(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	for _, id := range []int{10, 11, 12} {
		status, body := ts.call(t, http.MethodGet, fmt.Sprintf("/api/content/products/%d?langCode=en_US", id), "", nil)
		require.Equal(t, http.StatusOK, status, string(body))
		p := decode[struct {
			AttributeSetIdentifier string                     `json:"attributeSetIdentifier"`
			AttributeValues        map[string]json.RawMessage `json:"attributeValues"`
		}](t, body)
		require.NotEmpty(t, p.AttributeValues)
		for marker := range p.AttributeValues {
			status, body := ts.call(t, http.MethodGet, "/api/content/attributes-sets/"+p.AttributeSetIdentifier+"/attributes/"+marker+"?langCode=en_US", "", nil)
			assert.Equal(t, http.StatusOK, status, "product %d: %s: %s", id, marker, body)
		}
	}
}

// A page of type external_page has no public address: reading it by url answers 404, as the
// platform notes say, nor a place in the sitemap, while it still lists among the pages.
func TestExternalPagesHaveNoPublicAddress(t *testing.T) {
	t.Parallel()
	fx := editFixtures(t, map[string]func(v any) any{"pages.json": func(v any) any {
		pages := v.([]any)
		raw, err := json.Marshal(pages[len(pages)-1])
		require.NoError(t, err)
		partner := decode[map[string]any](t, raw)
		partner["id"], partner["pageUrl"], partner["type"], partner["blocks"] = 20, "partner", "external_page", []any{}
		return append(pages, partner)
	}})
	ts := newTestServer(t, withProfile(sandbox.ProfileLive), withFixtures(fx))
	status, body := ts.call(t, http.MethodGet, "/api/content/pages/url/partner", "", nil)
	assertRefused(t, status, body, http.StatusNotFound, "Page not found")
	status, body = ts.call(t, http.MethodGet, "/api/content/pages/20", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	status, body = ts.call(t, http.MethodGet, "/api/content/pages", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Contains(t, ids(t, body), 20, "it is listed")
	status, body = ts.call(t, http.MethodGet, "/cloud-static/sitemaps/sitemap-en_US.xml", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.NotContains(t, string(body), "/partner<")
	assert.Contains(t, string(body), "/contacts<")
	status, body = ts.call(t, http.MethodGet, "/api/content/pages/url/contacts", "", nil)
	require.Equal(t, http.StatusOK, status, "other pages keep theirs: %s", body)
}

// object reads path, which must answer 200 with a JSON object.
func (ts *testServer) object(t *testing.T, path string) map[string]any {
	t.Helper()
	status, body := ts.call(t, http.MethodGet, path, "", nil)
	require.Equal(t, http.StatusOK, status, "%s: %s", path, body)
	return decode[map[string]any](t, body)
}

// Single reads find what the seed's ids and the site's urls name.
func TestSiteLookups(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	ts.clock.Freeze() // api-stat counts a day's requests: a run across midnight would split them
	get := func(path string) map[string]any { t.Helper(); return ts.object(t, path) }
	assert.EqualValues(t, 8, get("/api/content/pages/url/tickets")["id"])
	assert.Equal(t, "tickets", get("/api/content/pages/8")["pageUrl"])
	assert.EqualValues(t, 2, get("/api/content/pages/url/history")["parentId"])
	assert.Equal(t, map[string]any{"rowsPerPage": 12.0, "productsPerRow": 3.0}, get("/api/content/pages/tickets/config"))
	assert.Equal(t, map[string]any{"rowsPerPage": nil, "productsPerRow": nil}, get("/api/content/pages/about/config"))
	assert.Equal(t, "hero", get("/api/content/blocks/marker/hero")["identifier"])
	assert.Equal(t, "main", get("/api/content/menus/marker/main")["identifier"])
	assert.Equal(t, "tickets", get("/api/content/attributes-sets/marker/tickets")["identifier"])
	assert.Equal(t, "list", get("/api/content/attributes-sets/tickets/attributes/features")["type"])
	assert.Equal(t, "catalog_page", get("/api/content/templates/marker/catalog_template")["generalTypeName"])
	assert.Equal(t, "ticket_card", get("/api/content/template-previews/marker/ticket_card")["identifier"])

	grouped := get("/api/content/templates/all")
	assert.Len(t, grouped["common_page"], 2)
	assert.Len(t, grouped["product"], 1)

	status, body := ts.call(t, http.MethodGet, "/api/content/attributes-sets/tickets/attributes", "", nil)
	require.Equal(t, http.StatusOK, status)
	var markers []string
	for _, a := range decode[[]map[string]any](t, body) {
		markers = append(markers, a["marker"].(string))
	}
	assert.Equal(t, []string{"price", "currency_products", "image", "description", "features", "event_date", "zones"}, markers, "in position order")

	// Media links are absolute on the host asked, and the mock serves them.
	page := get("/api/content/pages/1")
	link := page["attributeValues"].(map[string]any)["hero_image"].(map[string]any)["value"].(map[string]any)["downloadLink"].(string)
	assert.Equal(t, ts.URL+"/cloud-static/content/hero.svg", link)
	resp, err := ts.Client().Get(link)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	// The sitemap names one file per active language, each served.
	status, body = ts.call(t, http.MethodGet, "/api/content/sitemap/", "", nil)
	require.Equal(t, http.StatusOK, status)
	maps := decode[[]string](t, body)
	assert.Equal(t, []string{ts.URL + "/cloud-static/sitemaps/sitemap-en_US.xml", ts.URL + "/cloud-static/sitemaps/sitemap-ru_RU.xml"}, maps)
	status, body = ts.call(t, http.MethodPost, "/api/content/sitemap/", "", map[string]any{"baseUrls": map[string]string{"ru_RU": "https://tickets.example/ru"}})
	require.Equal(t, http.StatusCreated, status)
	assert.Equal(t, maps[1:], decode[[]string](t, body))
	// The entry fields SDK 1.0.149's ISitemapQuery declares are taken.
	status, body = ts.call(t, http.MethodPost, "/api/content/sitemap/", "", map[string]any{"baseUrls": map[string]string{"ru_RU": "https://tickets.example/ru"},
		"url": "https://tickets.example/ru/about", "lastmod": "2025-04-20", "changefreq": "daily", "priority": 0.8})
	require.Equal(t, http.StatusCreated, status, string(body))
	assert.Equal(t, maps[1:], decode[[]string](t, body))

	// api-stat counts today's content-API requests of the sandbox, this one included.
	status, body = ts.call(t, http.MethodGet, "/api/content/system/api-stat", "", nil)
	require.Equal(t, http.StatusOK, status)
	stat := decode[map[string]any](t, body)
	assert.Equal(t, ts.store.Now().UTC().Format("2006-01-02"), stat["date"])
	assert.GreaterOrEqual(t, stat["count"], 15.0)

	// The day is the sandbox clock's: moved to another, it counts the requests made there.
	status, body = ts.callWith(t, http.MethodPost, "/__admin/clock", "", json.RawMessage(`{"set":"2025-05-01T09:00:00Z"}`), nil)
	require.Equal(t, http.StatusOK, status, string(body))
	for range 2 {
		status, body = ts.call(t, http.MethodGet, "/api/content/system/api-stat", "", nil)
		require.Equal(t, http.StatusOK, status)
	}
	assert.Equal(t, map[string]any{"date": "2025-05-01", "count": 1.0}, decode[map[string]any](t, body), "the first api-stat of that day")
}

// The sitemap's URLs are escaped: a page url with a space or another script stays one URL.
func TestSitemapEscapesPageURLs(t *testing.T) {
	t.Parallel()
	const name = "контакты и карта"
	fx := editFixtures(t, map[string]func(any) any{
		store.FilePages: func(v any) any {
			v.([]any)[4].(map[string]any)["pageUrl"] = name
			return v
		},
		store.FileMenus: func(v any) any {
			for _, item := range v.([]any)[0].(map[string]any)["pages"].([]any) {
				if item := item.(map[string]any); item["pageUrl"] == "contacts" {
					item["pageUrl"] = name
				}
			}
			return v
		},
	})
	ts := newTestServer(t, withFixtures(fx), withProfile(sandbox.ProfileLive))
	resp, err := ts.Client().Get(ts.URL + "/cloud-static/sitemaps/sitemap-en_US.xml")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Contains(t, string(body), "<loc>"+ts.URL+"/"+url.PathEscape(name)+"</loc>")
}

// Bad input answers the live 4xx with the error body, never a 5xx; reads change nothing.
// A page lists its blocks as the SDK's IPositionBlock declares them: with attributeSetIdentifier
// (the block's attribute set, also under the block reads' attributesSetIdentifier, which the SDK
// drops here) and isSync.
func TestPageBlocksArePositionBlocks(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	status, body := ts.call(t, http.MethodGet, "/api/content/pages/home/blocks?langCode=en_US", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	blocks := decode[[]map[string]any](t, body)
	require.NotEmpty(t, blocks)
	for _, b := range blocks {
		require.Contains(t, b, "attributeSetIdentifier", b["identifier"])
		assert.Equal(t, b["attributesSetIdentifier"], b["attributeSetIdentifier"], b["identifier"])
		assert.Equal(t, false, b["isSync"], b["identifier"])
	}
	assert.NotContains(t, ts.object(t, "/api/content/blocks/marker/hero?langCode=en_US"), "isSync", "the block read keeps its own shape")
}

// A page or product read names the module configs that take submissions on it, the only way a
// site learns which form a page has under today's API; the 2025 recording shows none.
func TestEntityReadsShowTheirFormConfigs(t *testing.T) {
	t.Parallel()
	configs := func(obj map[string]any) []string {
		var out []string
		for _, c := range obj["moduleFormConfigs"].([]any) {
			c := c.(map[string]any)
			out = append(out, fmt.Sprintf("%v %v %v", c["id"], c["formIdentifier"], c["entityIdentifiers"]))
		}
		return out
	}
	underEachProfile(t, func(t *testing.T, ts *testServer, p sandbox.Profile) {
		want := map[string][]string{
			"/api/content/pages/url/contacts?langCode=en_US": {"2 contact_us [map[id:contacts isNested:false]]"},
			"/api/content/pages/url/tickets?langCode=en_US":  {"1 tickets_form [map[id:8 isNested:true]]"},
			"/api/content/pages/8?langCode=en_US":            {"1 tickets_form [map[id:8 isNested:true]]"},
			"/api/content/pages/url/home?langCode=en_US":     nil,
			"/api/content/products/10?langCode=en_US":        {"1 tickets_form [map[id:8 isNested:true]]"},
		}
		if p.Name == sandbox.ProfileSDK115.Name {
			want = map[string][]string{"/api/content/pages/url/contacts?langCode=en_US": nil, "/api/content/products/10?langCode=en_US": nil}
		}
		for path, w := range want {
			assert.Equal(t, w, configs(ts.object(t, path)), path)
		}
		if p.FormModuleConfigs {
			c := ts.object(t, "/api/content/pages/url/tickets?langCode=en_US")["moduleFormConfigs"].([]any)[0].(map[string]any)
			assert.Equal(t, "catalog", c["moduleIdentifier"])
			assert.Equal(t, []any{"8"}, c["nestedEntityIdentifiers"])
			status, body := ts.call(t, http.MethodGet, "/api/content/pages/root?langCode=en_US", "", nil)
			require.Equal(t, http.StatusOK, status, string(body))
			list := decode[[]map[string]any](t, body)
			i := slices.IndexFunc(list, func(page map[string]any) bool { return page["pageUrl"] == "contacts" })
			require.GreaterOrEqual(t, i, 0)
			assert.Equal(t, want["/api/content/pages/url/contacts?langCode=en_US"], configs(list[i]), "lists show them too")
		}
	})
}

// Today's API lists a menu's items flat, a child after its parent and naming it by parentId
// (the sdk-rules: "The children field is NOT in the API"); sdk-1.0.115 keeps the fixture's
// nesting.
func TestMenuItems(t *testing.T) {
	t.Parallel()
	underEachProfile(t, func(t *testing.T, ts *testServer, p sandbox.Profile) {
		for _, lang := range []string{"en_US", "ru_RU"} {
			var items []string
			var walk func(list []any, depth string)
			walk = func(list []any, depth string) {
				for _, it := range list {
					it := it.(map[string]any)
					items = append(items, fmt.Sprintf("%s%v<%v", depth, it["pageUrl"], it["parentId"]))
					// A page's item carries the page's own texts: a site labels it by menuTitle,
					// and an external page's address is its htmlContent (platform notes, menus.md).
					page := ts.object(t, fmt.Sprintf("/api/content/pages/url/%v?langCode=%s", it["pageUrl"], lang))
					assert.Equal(t, page["localizeInfos"], it["localizeInfos"], "%v in %s", it["pageUrl"], lang)
					if children, ok := it["children"].([]any); ok {
						walk(children, depth+"  ")
					}
				}
			}
			walk(ts.object(t, "/api/content/menus/marker/main?langCode="+lang)["pages"].([]any), "")
			want := []string{"home<<nil>", "tickets<<nil>", "about<<nil>", "history<2", "contacts<<nil>"}
			if p.Name == sandbox.ProfileSDK115.Name {
				want[3] = "  " + want[3]
			}
			assert.Equal(t, want, items)
		}
	})
}

// Today's reads answer a preview size's width under its deprecated name weight too, with the
// same number (platform notes, templates-and-previews.md); sdk-1.0.115 keeps the fixture's.
func TestPreviewSizesHaveWeight(t *testing.T) {
	t.Parallel()
	underEachProfile(t, func(t *testing.T, ts *testServer, p sandbox.Profile) {
		sizes := 0
		for _, marker := range []string{"ticket_card", "hero_wide"} {
			proportions := ts.object(t, "/api/content/template-previews/marker/"+marker)["proportions"].(map[string]any)
			for _, set := range proportions {
				for name, size := range set.(map[string]any) {
					size, ok := size.(map[string]any)
					if !ok || size["width"] == nil {
						continue
					}
					sizes++
					if p.Name == sandbox.ProfileSDK115.Name {
						assert.NotContains(t, size, "weight", "%s %s", marker, name)
					} else {
						assert.Equal(t, size["width"], size["weight"], "%s %s", marker, name)
					}
				}
			}
		}
		assert.Equal(t, 3, sizes)
	})
}

// Today's attribute reads say of every list attribute whether it takes several options
// (platform notes, list-options-and-extra-values.md); sdk-1.0.115 keeps the fixture's schema.
func TestListAttributesSayMultiselect(t *testing.T) {
	t.Parallel()
	underEachProfile(t, func(t *testing.T, ts *testServer, p sandbox.Profile) {
		live := p.Name != sandbox.ProfileSDK115.Name
		check := func(attr map[string]any, where string) {
			t.Helper()
			if attr["type"] != "list" {
				assert.NotContains(t, attr, "multiselect", where)
				return
			}
			if live {
				assert.Equal(t, false, attr["multiselect"], where)
			} else {
				assert.NotContains(t, attr, "multiselect", where)
			}
		}
		check(ts.object(t, "/api/content/attributes-sets/tickets/attributes/zones?langCode=en_US"), "zones by marker")
		status, body := ts.call(t, http.MethodGet, "/api/content/attributes-sets/page/attributes?langCode=en_US", "", nil)
		require.Equal(t, http.StatusOK, status, string(body))
		lists := 0
		for _, attr := range decode[[]map[string]any](t, body) {
			check(attr, fmt.Sprint(attr["marker"]))
			if attr["type"] == "list" {
				lists++
			}
		}
		assert.Equal(t, 1, lists, "the page set's highlights")
		for marker, attr := range ts.object(t, "/api/content/attributes-sets/marker/tickets?langCode=en_US")["schema"].(map[string]any) {
			check(attr.(map[string]any), "schema "+marker)
		}
	})
}

func TestSiteBadInput(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	ts.clock.Freeze()
	_, stateBefore := ts.call(t, http.MethodGet, "/__admin/state", "", nil)
	for _, c := range []struct {
		method, path string
		body         any
		status       int
		message      string
	}{
		{http.MethodGet, "/api/content/pages/url/nowhere", nil, http.StatusNotFound, "Page not found"},
		{http.MethodGet, "/api/content/pages/999", nil, http.StatusNotFound, "Page not found"},
		{http.MethodGet, "/api/content/pages/abc", nil, http.StatusBadRequest, ""},
		{http.MethodGet, "/api/content/pages/0", nil, http.StatusBadRequest, ""},
		{http.MethodGet, "/api/content/pages/nowhere/children", nil, http.StatusNotFound, "Page not found"},
		{http.MethodGet, "/api/content/pages/nowhere/config", nil, http.StatusNotFound, "Page not found"},
		{http.MethodGet, "/api/content/pages/nowhere/blocks", nil, http.StatusNotFound, "Page not found"},
		{http.MethodGet, "/api/content/pages?limit=0", nil, http.StatusBadRequest, ""},
		{http.MethodGet, "/api/content/pages?limit=101", nil, http.StatusBadRequest, ""},
		{http.MethodGet, "/api/content/pages?offset=-1", nil, http.StatusBadRequest, ""},
		{http.MethodGet, "/api/content/blocks/marker/nope", nil, http.StatusNotFound, "Block not found"},
		{http.MethodGet, "/api/content/blocks/nope/products", nil, http.StatusNotFound, "Block not found"},
		{http.MethodGet, "/api/content/blocks/similar_tickets/similar-products?productId=x", nil, http.StatusBadRequest, ""},
		{http.MethodGet, "/api/content/blocks/frequently_ordered/products/abc/frequently-ordered", nil, http.StatusBadRequest, ""},
		{http.MethodGet, "/api/content/blocks/frequently_ordered/products/999/frequently-ordered", nil, http.StatusNotFound, "Product not found"},
		{http.MethodGet, "/api/content/menus/marker/footer", nil, http.StatusNotFound, "Menu not found"},
		{http.MethodGet, "/api/content/attributes-sets/marker/nope", nil, http.StatusNotFound, "Attributes set not found"},
		{http.MethodGet, "/api/content/attributes-sets/nope/attributes", nil, http.StatusNotFound, "Attributes set not found"},
		{http.MethodGet, "/api/content/attributes-sets/tickets/attributes/nope", nil, http.StatusNotFound, "Attribute not found"},
		{http.MethodGet, "/api/content/attributes-sets?typeId=x", nil, http.StatusBadRequest, ""},
		{http.MethodGet, "/api/content/templates/marker/nope", nil, http.StatusNotFound, "Template not found"},
		{http.MethodGet, "/api/content/template-previews/marker/nope", nil, http.StatusNotFound, "Template preview not found"},
		{http.MethodGet, "/api/content/system/test404", nil, http.StatusNotFound, "Not Found"},
		{http.MethodPost, "/api/content/sitemap/", map[string]any{}, http.StatusBadRequest, ""},
		{http.MethodPost, "/api/content/sitemap/", map[string]any{"baseUrls": map[string]any{}}, http.StatusBadRequest, ""},
		{http.MethodPost, "/api/content/sitemap/", map[string]any{"baseUrls": map[string]string{"de_DE": "https://x"}}, http.StatusBadRequest, "baseUrls: de_DE is not an active language of the project"},
		{http.MethodPost, "/api/content/sitemap/", "{", http.StatusBadRequest, ""},
		{http.MethodPost, "/api/content/admins/all", map[string]any{"attributeMarker": "name"}, http.StatusBadRequest, ""},
		{http.MethodPost, "/api/content/admins/all", []map[string]any{{"attributeMarker": "name", "conditionMarker": "like"}}, http.StatusBadRequest, ""},
		{http.MethodPost, "/api/content/admins/all", []map[string]any{{"conditionMarker": "eq"}}, http.StatusBadRequest, ""},
		{http.MethodPost, "/api/content/blocks?limit=0", nil, http.StatusBadRequest, ""},
	} {
		status, body := ts.call(t, c.method, c.path, "", c.body)
		require.Equal(t, c.status, status, "%s %s: %s", c.method, c.path, body)
		e := decodeError(t, c.status, body)
		if c.message != "" {
			assert.Equal(t, []string{c.message}, e.messages(), c.path)
		}
	}
	_, after := ts.call(t, http.MethodGet, "/__admin/state", "", nil)
	assert.JSONEq(t, string(stateBefore), string(after), "failed requests change no state")

	// test500 answers the live 500 on purpose: sent past the test server's 5xx guard.
	rec := serveAPI(ts.server, http.MethodGet, "/api/content/system/test500", "", nil)
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Equal(t, []string{"Internal server error"}, decodeError(t, rec.Code, rec.Body.Bytes()).messages())
}

// keyedValues walks a fixture value and calls f with the languages of every value keyed by
// language, and its path.
func keyedValues(v any, path string, f func(path string, langs []string)) {
	switch v := v.(type) {
	case map[string]any:
		var langs []string
		for k := range v {
			if len(k) == 5 && k[2] == '_' {
				langs = append(langs, k)
			}
		}
		if len(langs) > 0 && len(langs) == len(v) {
			slices.Sort(langs)
			f(path, langs)
		}
		for k, x := range v {
			keyedValues(x, path+"."+k, f)
		}
	case []any:
		for i, x := range v {
			keyedValues(x, fmt.Sprintf("%s[%d]", path, i), f)
		}
	}
}

// Every localised value of the default site is written in both languages, and each read
// serves it in the asked one: langCode switches every localised field.
func TestSiteLanguages(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	fx := ts.store.Fixtures()
	// Each file's single read: its path prefix and the field that names an object; no
	// prefix for the files served only as lists (their values are checked in the fixture).
	reads := map[string]struct{ prefix, key string }{
		store.FilePages:            {"/api/content/pages/", "id"},
		store.FileBlocks:           {"/api/content/blocks/marker/", "identifier"},
		store.FileMenus:            {"/api/content/menus/marker/", "identifier"},
		store.FileAttributeSets:    {"/api/content/attributes-sets/marker/", "identifier"},
		store.FileTemplates:        {"/api/content/templates/marker/", "identifier"},
		store.FileTemplatePreviews: {"/api/content/template-previews/marker/", "identifier"},
		store.FileLocales:          {},
		store.FileGeneralTypes:     {},
		store.FileAdmins:           {},
	}
	localised, switched := 0, 0
	for file, rd := range reads {
		c, err := fx.Collection(file)
		require.NoError(t, err)
		require.Positive(t, c.Len(), file)
		for i := range c.Len() {
			var raw any
			require.NoError(t, json.Unmarshal(c.Raw(i), &raw))
			keyed := false
			keyedValues(raw, fmt.Sprintf("%s[%d]", file, i), func(path string, langs []string) {
				keyed = true
				localised++
				assert.Equal(t, []string{"en_US", "ru_RU"}, langs, "%s is written in both languages", path)
			})
			if rd.prefix == "" {
				continue
			}
			path := rd.prefix + c.FieldText(i, rd.key)
			obj := c.Raw(i)
			switch file {
			case store.FilePages: // served with the configs that bind the page
				configs, err := json.Marshal(fx.PageFormConfigs(i))
				require.NoError(t, err)
				obj = store.WithRawField(obj, "moduleFormConfigs", configs)
			case store.FileMenus: // served flat
				obj = store.FlatMenu(obj)
			case store.FileTemplatePreviews: // served with weight beside width
				obj = store.WithPreviewWeights(obj)
			case store.FileAttributeSets: // served with multiselect on list attributes
				obj = store.WithListMultiselect(obj)
			}
			answers := map[string]string{}
			for _, lang := range []string{"en_US", "ru_RU"} {
				status, body := ts.call(t, http.MethodGet, path+"?langCode="+lang, "", nil)
				require.Equal(t, http.StatusOK, status, "%s: %s", path, body)
				var served any
				require.NoError(t, json.Unmarshal(body, &served))
				keyedValues(served, path, func(path string, _ []string) { t.Errorf("%s in %s is still keyed by language", path, lang) })
				want := strings.ReplaceAll(string(store.Localize(obj, lang, "en_US")), `"/cloud-static/`, `"`+ts.URL+"/cloud-static/")
				assert.JSONEq(t, want, string(body), "%s in %s", path, lang)
				answers[lang] = string(body)
			}
			if keyed && answers["en_US"] != answers["ru_RU"] {
				switched++
			}
			status, body := ts.call(t, http.MethodGet, path, "", nil)
			require.Equal(t, http.StatusOK, status)
			assert.JSONEq(t, answers["en_US"], string(body), "%s without langCode is in the default language", path)
		}
	}
	assert.Greater(t, localised, 40, "values keyed by language in the default site")
	assert.GreaterOrEqual(t, switched, 14, "pages, blocks, menu and attribute sets differ between en_US and ru_RU")
}

// A value not written in the asked language is blank, as live serves it: no fallback to the
// default language, in lists, single reads and nested values alike.
func TestSiteMissingTranslationIsBlank(t *testing.T) {
	t.Parallel()
	// contacts (id 4): no ru_RU localizeInfos, and an en_US subtitle written only in en_US.
	fx := editFixtures(t, map[string]func(any) any{store.FilePages: func(v any) any {
		contacts := v.([]any)[4].(map[string]any)
		delete(contacts["localizeInfos"].(map[string]any), "ru_RU")
		subtitle := contacts["attributeValues"].(map[string]any)["en_US"].(map[string]any)["subtitle"].(map[string]any)
		subtitle["value"] = map[string]any{"en_US": "Write to us"}
		return v
	}})
	ts := newTestServer(t, withFixtures(fx), withProfile(sandbox.ProfileLive2026))

	page := func(path string) map[string]any {
		status, body := ts.call(t, http.MethodGet, path, "", nil)
		require.Equal(t, http.StatusOK, status, "%s: %s", path, body)
		return decode[map[string]any](t, body)
	}
	ru := page("/api/content/pages/url/contacts?langCode=ru_RU")
	assert.Equal(t, map[string]any{}, ru["localizeInfos"], "no ru_RU translation")
	assert.NotEmpty(t, ru["attributeValues"], "the ru_RU attribute values are there")
	en := page("/api/content/pages/4?langCode=en_US")
	assert.Equal(t, "Contacts", en["localizeInfos"].(map[string]any)["title"])
	assert.Equal(t, "Write to us", en["attributeValues"].(map[string]any)["subtitle"].(map[string]any)["value"])
	de := page("/api/content/pages/4?langCode=de_DE")
	assert.Equal(t, map[string]any{}, de["localizeInfos"], "a language the project lacks")
	assert.Equal(t, map[string]any{}, de["attributeValues"])
	assert.Equal(t, en, page("/api/content/pages/4"), "no langCode: the default language")

	// A nested value written only in en_US is blank in ru_RU, in a list too.
	fx2 := editFixtures(t, map[string]func(any) any{store.FilePages: func(v any) any {
		contacts := v.([]any)[4].(map[string]any)
		subtitle := contacts["attributeValues"].(map[string]any)["ru_RU"].(map[string]any)["subtitle"].(map[string]any)
		subtitle["value"] = map[string]any{"en_US": "Write to us"}
		return v
	}})
	ts2 := newTestServer(t, withFixtures(fx2), withProfile(sandbox.ProfileLive2026))
	status, body := ts2.call(t, http.MethodGet, "/api/content/pages?langCode=ru_RU", "", nil)
	require.Equal(t, http.StatusOK, status)
	list := decode[[]map[string]any](t, body)
	assert.Equal(t, "", list[4]["attributeValues"].(map[string]any)["subtitle"].(map[string]any)["value"])
	assert.Equal(t, "Контакты", list[4]["localizeInfos"].(map[string]any)["title"])
}

// FuzzSiteBody posts bodies to the site's two POST routes with a body: never a 5xx, always the
// error body on a refusal.
func FuzzSiteBody(f *testing.F) {
	h, _ := handlerWithUser(f)
	for _, seed := range []string{
		`[{"attributeMarker":"role","conditionMarker":"eq","conditionValue":"Owner"}]`,
		`[{"attributeMarker":"name","conditionMarker":"in","conditionValue":["a",1,null]}]`,
		`[{"attributeMarker":"n","conditionMarker":"mth","conditionValue":1e400}]`,
		`{"baseUrls":{"en_US":"https://x","ru_RU":"https://y"}}`, `{"baseUrls":{"xx_XX":""}}`,
		`{`, `[]`, `null`, `"x"`, ``,
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, sitemap bool) {
		path := "/api/content/admins/all?langCode=ru_RU"
		if sitemap {
			path = "/api/content/sitemap/"
		}
		checkFuzzResponse(t, serveAPI(h, http.MethodPost, path, "", bytes.NewReader(body)))
	})
}

// The SDK's page lists send no paging: a site of more pages than the default window is
// answered whole, and windowed only when asked.
func TestSitePageListsAreWholeUnlessPaged(t *testing.T) {
	t.Parallel()
	fx := editFixtures(t, map[string]func(any) any{store.FilePages: func(v any) any {
		pages := v.([]any)
		for id := 100; id < 140; id++ {
			extra := map[string]any{}
			for k, x := range pages[4].(map[string]any) {
				extra[k] = x
			}
			extra["id"], extra["pageUrl"] = id, fmt.Sprintf("news-%d", id)
			pages = append(pages, extra)
		}
		return pages
	}})
	ts := newTestServer(t, withFixtures(fx), withProfile(sandbox.ProfileLive2026))
	for path, want := range map[string]int{
		"/api/content/pages":                     45,
		"/api/content/pages/root?langCode=en_US": 44,
		"/api/content/pages?limit=30":            30,
		"/api/content/pages?offset=40":           5,
	} {
		status, body := ts.call(t, http.MethodGet, path, "", nil)
		require.Equal(t, http.StatusOK, status, "%s: %s", path, body)
		assert.Len(t, ids(t, body), want, path)
	}
}

// A Field or Children read without a path variable has no object to read: start-up fails.
func TestDeclaredReadWithoutItsObjectFailsAtStart(t *testing.T) {
	t.Parallel()
	for _, rd := range []mockserver.Read{
		{Path: mockserver.APIPrefix + "/pages", File: store.FilePages, Field: "config"},
		{Path: mockserver.APIPrefix + "/pages", File: store.FilePages, Children: "parentId"},
	} {
		_, err := mockserver.New(mockserver.Options{Sandbox: sandbox.Options{Fixtures: mocktest.DefaultFixtures(t)}, Contract: mocktest.Contract(t), Reads: []mockserver.Read{rd}})
		assert.ErrorContains(t, err, "GET /api/content/pages: a Field or Children read needs a path variable naming its object")
	}
}

// api-stat counts the sandbox clock's day even when that is the first day a date-time can
// name: 0001-01-01 holds none of the requests made on other days.
func TestAPIStatOnTheFirstDay(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	stat := func() map[string]any {
		status, body := ts.call(t, http.MethodGet, "/api/content/system/api-stat", "", nil)
		require.Equal(t, http.StatusOK, status, string(body))
		return decode[map[string]any](t, body)
	}
	require.NoError(t, ts.clock.Set(time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)))
	for range 4 {
		stat()
	}
	require.NoError(t, ts.clock.Set(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)))
	assert.Equal(t, map[string]any{"date": "0001-01-01", "count": 0.0}, stat())
	assert.Equal(t, map[string]any{"date": "0001-01-01", "count": 1.0}, stat())
}
