package mockserver_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/mocktest"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

const productsPath = "/api/content/products"

type productList struct {
	Items []struct {
		ID               int             `json:"id"`
		LocalizeInfos    map[string]any  `json:"localizeInfos"`
		StatusIdentifier *string         `json:"statusIdentifier"`
		Status           map[string]any  `json:"statusLocalizeInfos"`
		AttributeValues  json.RawMessage `json:"attributeValues"`
		RelatedIDs       []int           `json:"relatedIds"`
	} `json:"items"`
	Total int `json:"total"`
}

func (l productList) ids() []int {
	ids := make([]int, len(l.Items))
	for i, it := range l.Items {
		ids[i] = it.ID
	}
	return ids
}

// siteServer is a mock under the live profile, whose products are the site's.
func siteServer(t *testing.T) *testServer {
	return newTestServer(t, withProfile(sandbox.ProfileLive2026))
}

func (ts *testServer) listProducts(t *testing.T, path string, body any) productList {
	t.Helper()
	status, data := ts.call(t, http.MethodPost, productsPath+path, "", body)
	require.Equal(t, http.StatusCreated, status, string(data))
	return decode[productList](t, data)
}

func filter(f map[string]any) map[string]any { return map[string]any{"filter": []any{f}} }

// Every condition of IFilterParams, on a number (price), a list (zones, option values) and a
// text attribute, plus status, title and page filters, against the default site: 10 Bronze
// (100, in_stock, dance_floor), 11 Silver (200, in_stock, stalls), 12 Gold (300, sold_out,
// box and bar).
func TestProductFilters(t *testing.T) {
	t.Parallel()
	ts := siteServer(t)
	cond := func(attr, c string, v any) map[string]any {
		return filter(map[string]any{"attributeMarker": attr, "conditionMarker": c, "conditionValue": v})
	}
	for name, tc := range map[string]struct {
		body any
		want []int
	}{
		"no filter":                {map[string]any{"filter": []any{}}, []int{10, 11, 12}},
		"bare array (1.0.115)":     {[]any{}, []int{10, 11, 12}},
		"no body":                  {nil, []int{10, 11, 12}},
		"eq number":                {cond("price", "eq", 200), []int{11}},
		"eq number as string":      {cond("price", "eq", "200"), []int{11}},
		"neq":                      {cond("price", "neq", 200), []int{10, 12}},
		"mth":                      {cond("price", "mth", 100), []int{11, 12}},
		"lth":                      {cond("price", "lth", 300), []int{10, 11}},
		"mth is strict":            {cond("price", "mth", 300), []int{}},
		"mth on text matches none": {cond("currency_products", "mth", 1), []int{}},
		"in list value":            {cond("zones", "in", "bar"), []int{12}},
		"in any of a list":         {cond("zones", "in", []string{"stalls", "box"}), []int{11, 12}},
		// The SDK types the value as one string; OneEntry's product-list code joins the picks.
		"in any of a comma list":     {cond("zones", "in", "dance_floor, box"), []int{10, 12}},
		"nin any of a comma list":    {cond("zones", "nin", "dance_floor,box"), []int{11}},
		"in a comma list of numbers": {cond("price", "in", "100,200"), []int{}},
		"in on a number":             {cond("price", "in", 100), []int{}},
		"nin on a number":            {cond("price", "nin", 100), []int{}},
		"in text contains":           {cond("currency_products", "in", "us"), []int{10, 11, 12}},
		"nin":                        {cond("zones", "nin", "bar"), []int{10, 11}},
		"in part of an option":       {cond("zones", "in", "stall"), []int{}},
		"nin part of an option":      {cond("zones", "nin", "o"), []int{10, 11, 12}},
		"in rich text":               {cond("description", "in", "STAGE"), []int{10}},
		"nin rich text":              {cond("description", "nin", "stage"), []int{11, 12}},
		"eq list option":             {cond("zones", "eq", "dance_floor"), []int{10}},
		// eq and neq compare text in any case (docs/api/products.md): "USD" is the products' "usd".
		"eq text in any case":        {cond("currency_products", "eq", "USD"), []int{10, 11, 12}},
		"neq text in any case":       {cond("currency_products", "neq", "USD"), []int{}},
		"eq list option in any case": {cond("zones", "eq", "DANCE_FLOOR"), []int{10}},
		"exs":                        {cond("image", "exs", nil), []int{10, 11, 12}},
		"nexs":                       {cond("colour", "nexs", nil), []int{10, 11, 12}},
		"exs unknown attribute":      {cond("colour", "exs", nil), []int{}},
		"eq unknown attribute":       {cond("colour", "eq", "red"), []int{}},
		"status":                     {filter(map[string]any{"attributeMarker": nil, "statusMarker": "in_stock"}), []int{10, 11}},
		"title":                      {filter(map[string]any{"title": "GOLD"}), []int{12}},
		"page url":                   {filter(map[string]any{"pageUrls": []string{"tickets"}}), []int{10, 11, 12}},
		"other page url":             {filter(map[string]any{"pageUrl": "news"}), []int{}},
		"range: two filters AND": {map[string]any{"filter": []any{
			map[string]any{"attributeMarker": "price", "conditionMarker": "mth", "conditionValue": 100},
			map[string]any{"attributeMarker": "price", "conditionMarker": "lth", "conditionValue": 300},
		}}, []int{11}},
		"SDK example shape": {filter(map[string]any{"attributeMarker": "price", "conditionMarker": "mth", "statusMarker": "in_stock",
			"conditionValue": 1, "pageUrls": []string{"tickets"}, "isNested": false, "title": ""}), []int{10, 11}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			l := ts.listProducts(t, "/all?langCode=en_US", tc.body)
			assert.Equal(t, tc.want, l.ids())
			assert.Equal(t, len(tc.want), l.Total)
		})
	}
}

// Greater-than on a text attribute returns nothing, even where its text is a number.
func TestGreaterThanOnTextMatchesNothing(t *testing.T) {
	t.Parallel()
	fx := editFixtures(t, map[string]func(v any) any{"product-details.json": func(v any) any {
		for _, p := range v.([]any) {
			p.(map[string]any)["attributeValues"].(map[string]any)["row"] = map[string]any{
				"type": "string", "value": "150", "isIcon": false, "position": 5, "additionalFields": []any{}, "isProductPreview": false}
		}
		return v
	}})
	ts := newTestServer(t, withProfile(sandbox.ProfileLive), withFixtures(fx))
	cond := map[string]any{"filter": []any{map[string]any{"attributeMarker": "row", "conditionMarker": "mth", "conditionValue": 100}}}
	assert.Empty(t, ts.listProducts(t, "/all?langCode=en_US", cond).ids())
	cond = map[string]any{"filter": []any{map[string]any{"attributeMarker": "row", "conditionMarker": "eq", "conditionValue": 150}}}
	assert.Equal(t, []int{10, 11, 12}, ts.listProducts(t, "/all?langCode=en_US", cond).ids(), "the attribute is there")
}

// The query's own filter (IProductsQuery: attribute condition, template) adds to the body's;
// its statusMarker is ignored, as today's API ignores it.
func TestProductQueryFilters(t *testing.T) {
	t.Parallel()
	ts := siteServer(t)
	for query, want := range map[string][]int{
		"statusMarker=sold_out": {10, 11, 12},
		"attributeMarker=price&conditionMarker=mth&conditionValue=150": {11, 12},
		"templateMarker=none": {},
	} {
		assert.Equal(t, want, ts.listProducts(t, "/all?"+query, nil).ids(), query)
	}
}

func TestProductSortingAndPaging(t *testing.T) {
	t.Parallel()
	ts := siteServer(t)
	for query, want := range map[string][]int{
		"":                                {10, 11, 12},
		"sortKey=id":                      {12, 11, 10},
		"sortKey=id&sortOrder=ASC":        {10, 11, 12},
		"sortKey=price&sortOrder=DESC":    {12, 11, 10},
		"sortKey=position&sortOrder=ASC":  {10, 11, 12},
		"sortKey=title&sortOrder=ASC":     {10, 12, 11},
		"sortKey=title&langCode=ru_RU":    {11, 12, 10},
		"sortKey=status&sortOrder=ASC":    {10, 11, 12},
		"sortKey=date&sortOrder=DESC":     {12, 11, 10},
		"limit=2":                         {10, 11},
		"offset=1&limit=1":                {11},
		"offset=5":                        {},
		"sortKey=price&offset=1&limit=10": {11, 10},
	} {
		l := ts.listProducts(t, "/all?"+query, nil)
		assert.Equal(t, want, l.ids(), query)
		assert.Equal(t, 3, l.Total, "total counts the whole list: %s", query)
	}
}

func TestProductQuickSearch(t *testing.T) {
	t.Parallel()
	ts := siteServer(t)
	for query, want := range map[string]string{
		"name=ticket&langCode=en_US": `[{"id":10,"title":"Bronze ticket"},{"id":11,"title":"Silver ticket"},{"id":12,"title":"Gold ticket"}]`,
		"name=SIL&langCode=en_US":    `[{"id":11,"title":"Silver ticket"}]`,
		"name=Золот&langCode=ru_RU":  `[{"id":12,"title":"Золотой"}]`,
		"name=gold&langCode=ru_RU":   `[]`,
		"name=&langCode=en_US":       `[]`,
		"name=bronze&langCode=de_DE": `[]`, // no title in a language without translations
	} {
		status, body := ts.call(t, http.MethodGet, productsPath+"/quick/search?"+query, "", nil)
		require.Equal(t, http.StatusOK, status)
		assert.JSONEq(t, want, string(body), query)
	}
}

// langCode switches every localised field of a product: title, description, status label,
// list option titles; a language the product is not told in is blank.
func TestProductLangCode(t *testing.T) {
	t.Parallel()
	ts := siteServer(t)
	get := func(lang string) map[string]any {
		status, body := ts.call(t, http.MethodGet, productsPath+"/12?langCode="+lang, "", nil)
		require.Equal(t, http.StatusOK, status, string(body))
		return decode[map[string]any](t, body)
	}
	type fields struct{ title, status, description, zone string }
	read := func(p map[string]any) fields {
		av := p["attributeValues"].(map[string]any)
		desc := av["description"].(map[string]any)["value"].([]any)[0].(map[string]any)["plainValue"].(string)
		zone := av["zones"].(map[string]any)["value"].([]any)[0].(map[string]any)["title"].(string)
		return fields{p["localizeInfos"].(map[string]any)["title"].(string), p["statusLocalizeInfos"].(map[string]any)["title"].(string), desc, zone}
	}
	en := fields{"Gold ticket", "Sold out", "A box seat with a drink at the bar.", "Box"}
	assert.Equal(t, en, read(get("en_US")))
	assert.Equal(t, fields{"Золотой", "Распродано", "Место в ложе и напиток в баре.", "Ложа"}, read(get("ru_RU")))
	// A language without translations is blank, as pages are: the live API has no fallback.
	fr := get("fr_FR")
	assert.Equal(t, map[string]any{}, fr["localizeInfos"])
	assert.Equal(t, map[string]any{}, fr["statusLocalizeInfos"])
	assert.Equal(t, []any{}, fr["attributeValues"].(map[string]any)["description"].(map[string]any)["value"])
	assert.Equal(t, 300.0, fr["price"], "values that are not localised stay")
	assert.Equal(t, en, read(get("")), "no langCode: the default language")

	l := ts.listProducts(t, "/page/8?langCode=ru_RU", nil)
	assert.Equal(t, "Бронзовый", l.Items[0].LocalizeInfos["title"])
	assert.Equal(t, "В наличии", l.Items[0].Status["title"])
}

// Under sdk-1.0.115 the products are the seed's answers, byte for byte.
func TestProductsKeepTheSeedAnswersUnderSDK115(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileSDK115))
	var seed []json.RawMessage
	require.NoError(t, json.Unmarshal(mustRead(t, "products.json"), &seed))
	for i, id := range []string{"10", "11", "12"} {
		status, body := ts.call(t, http.MethodGet, productsPath+"/"+id+"?langCode=en_US", "", nil)
		require.Equal(t, http.StatusOK, status)
		assert.JSONEq(t, string(seed[i]), string(body))
	}
	l := ts.listProducts(t, "/page/url/tickets?langCode=en_US", []any{})
	assert.Equal(t, []int{10, 11, 12}, l.ids())
	assert.Nil(t, l.Items[0].StatusIdentifier)
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	data, err := fixtures.FS.ReadFile(name)
	require.NoError(t, err)
	return data
}

// childPageFixtures are the default fixtures with product 12 moved to a catalogue page vip (id
// 9) under tickets (8), its productPage as given. With site, pages.json has vip; without, the
// fixture set has no site files, so only the products tell the pages.
func childPageFixtures(t *testing.T, productPage map[string]any, site bool) *store.Fixtures {
	t.Helper()
	fsys := fixtures.Copy()
	edit := func(name string, f func([]any) []any) {
		var v []any
		require.NoError(t, json.Unmarshal(fsys[name].Data, &v))
		data, err := json.Marshal(f(v))
		require.NoError(t, err)
		fsys[name].Data = data
	}
	edit(store.FileProducts, func(products []any) []any {
		products[2].(map[string]any)["productPages"] = []any{productPage}
		return products
	})
	if site {
		edit(store.FilePages, func(pages []any) []any {
			vip := maps.Clone(pages[1].(map[string]any)) // tickets
			vip["id"], vip["parentId"], vip["pageUrl"], vip["depth"] = 9, 8, "vip", 1
			return append(pages, vip)
		})
	} else {
		for _, name := range []string{store.FilePages, store.FileBlocks, store.FileMenus} {
			delete(fsys, name)
		}
	}
	fx, err := store.LoadFixtures(fsys)
	require.NoError(t, err)
	return fx
}

// A product on a child catalogue page is on that page, asked by id or by url, and on its parent
// page with its nested pages, whatever its categoryPath holds: the page tree decides.
func TestProductsOnAChildPage(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		productPage map[string]any
		site        bool
	}{
		"full category path": {map[string]any{"id": 32, "pageId": 9, "productId": 12, "positionId": 112, "categoryPath": "tickets/vip"}, true},
		"own segment":        {map[string]any{"id": 32, "pageId": 9, "productId": 12, "positionId": 112, "categoryPath": "vip"}, true},
		"unknown pageId":     {map[string]any{"id": 32, "pageId": 0, "productId": 12, "positionId": 112, "categoryPath": "tickets/vip"}, true},
		"no pages.json":      {map[string]any{"id": 32, "pageId": 9, "productId": 12, "positionId": 112, "categoryPath": "tickets/vip"}, false},
	} {
		for _, profile := range []sandbox.Profile{sandbox.ProfileLive2026, sandbox.ProfileSDK115} {
			t.Run(name+"/"+profile.Name, func(t *testing.T) {
				t.Parallel()
				ts := newTestServer(t, withProfile(profile), withFixtures(childPageFixtures(t, c.productPage, c.site)))
				assert.Equal(t, []int{12}, ts.listProducts(t, "/page/url/vip", nil).ids())
				assert.Equal(t, []int{12}, ts.listProducts(t, "/page/9", nil).ids())
				assert.Equal(t, []int{10, 11}, ts.listProducts(t, "/page/8", nil).ids())
				assert.Equal(t, []int{10, 11}, ts.listProducts(t, "/page/url/tickets", nil).ids())
				pages := func(url string, nested bool) []int {
					return ts.listProducts(t, "/all", filter(map[string]any{"pageUrls": []string{url}, "isNested": nested})).ids()
				}
				assert.Equal(t, []int{12}, pages("vip", false))
				assert.Equal(t, []int{12}, pages("vip", true))
				assert.Equal(t, []int{10, 11}, pages("tickets", false))
				assert.Equal(t, []int{10, 11, 12}, pages("tickets", true))
				assert.Equal(t, []int{}, pages("tickets/vip", true), "a page's url is its own segment")

				status, body := ts.call(t, http.MethodGet, productsPath+"/page/vip/prices", "", nil)
				require.Equal(t, http.StatusOK, status, string(body))
				assert.JSONEq(t, `{"items":[{"id":12,"price":300}],"total":1}`, string(body))
				for path, want := range map[string]string{
					"/page/8/counts":           `{"totalAll":3,"totalInCategory":2,"totalInCategoryWithNested":3}`,
					"/page/url/tickets/counts": `{"totalAll":3,"totalInCategory":2,"totalInCategoryWithNested":3}`,
					"/page/9/counts":           `{"totalAll":3,"totalInCategory":1,"totalInCategoryWithNested":1}`,
					"/page/url/vip/counts":     `{"totalAll":3,"totalInCategory":1,"totalInCategoryWithNested":1}`,
				} {
					status, body := ts.call(t, http.MethodPost, productsPath+path, "", []any{})
					require.Equal(t, http.StatusCreated, status, string(body))
					assert.JSONEq(t, want, string(body), path)
				}
			})
		}
	}
}

// A product on a page pages.json lacks sits under the pages its categoryPath names, asked for by
// id or by url alike, also under a page of pages.json no product sits on itself (about, id 2).
func TestProductOnAPageTheSiteLacks(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026), withFixtures(childPageFixtures(t,
		map[string]any{"id": 32, "pageId": 50, "productId": 12, "positionId": 112, "categoryPath": "about/gold"}, true)))
	for _, path := range []string{"/page/2/counts", "/page/url/about/counts"} {
		status, body := ts.call(t, http.MethodPost, productsPath+path, "", []any{})
		require.Equal(t, http.StatusCreated, status, string(body))
		assert.JSONEq(t, `{"totalAll":3,"totalInCategory":0,"totalInCategoryWithNested":1}`, string(body), path)
	}
	assert.Equal(t, []int{12}, ts.listProducts(t, "/page/url/gold", nil).ids())
}

func TestProductPagesCountsPricesRelated(t *testing.T) {
	t.Parallel()
	ts := siteServer(t)
	assert.Equal(t, []int{10, 11, 12}, ts.listProducts(t, "/page/8", map[string]any{"filter": []any{}}).ids())
	assert.Equal(t, []int{12}, ts.listProducts(t, "/page/url/tickets", []any{map[string]any{"attributeMarker": "price", "conditionMarker": "mth", "conditionValue": -1, "statusMarker": "sold_out"}}).ids())

	status, body := ts.call(t, http.MethodPost, productsPath+"/page/8/counts", "", []any{map[string]any{"statusMarker": "in_stock"}})
	require.Equal(t, http.StatusCreated, status, string(body))
	assert.JSONEq(t, `{"totalAll":2,"totalInCategory":2,"totalInCategoryWithNested":2}`, string(body))
	status, body = ts.call(t, http.MethodPost, productsPath+"/all/counts", "", []any{})
	require.Equal(t, http.StatusCreated, status)
	assert.JSONEq(t, `{"totalAll":3,"totalInCategory":3,"totalInCategoryWithNested":3}`, string(body))
	status, body = ts.call(t, http.MethodPost, productsPath+"/page/url/tickets/counts", "", nil)
	require.Equal(t, http.StatusCreated, status)
	assert.JSONEq(t, `{"totalAll":3,"totalInCategory":3,"totalInCategoryWithNested":3}`, string(body))

	status, body = ts.call(t, http.MethodGet, productsPath+"/page/tickets/prices?sortKey=price", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"items":[{"id":12,"price":300},{"id":11,"price":200},{"id":10,"price":100}],"total":3}`, string(body))

	status, body = ts.call(t, http.MethodGet, productsPath+"/12/related?langCode=en_US", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, []int{10, 11}, decode[productList](t, body).ids())

	status, body = ts.call(t, http.MethodGet, productsPath+"/10/blocks", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `[]`, string(body))

	status, body = ts.call(t, http.MethodPost, productsPath+"/empty-page", "", map[string]any{})
	require.Equal(t, http.StatusCreated, status)
	assert.JSONEq(t, `[]`, string(body))
	// SDK 1.0.149's getProductsEmptyPage sends its paging as the body: let be.
	status, body = ts.call(t, http.MethodPost, productsPath+"/empty-page", "", map[string]any{"limit": 30, "offset": 0, "sortOrder": "DESC", "sortKey": "id"})
	require.Equal(t, http.StatusCreated, status, string(body))
	// Its filters are checked as the other lists check them, once the body parser, in strict
	// mode, took the body for an object or an array.
	for bad, message := range map[string]string{
		`{"filter":"x"}`: "filter must be an array",
		`"x"`:            `Unexpected token " in JSON at position 0`,
		`123`:            "Unexpected token 1 in JSON at position 0",
		` null`:          "Unexpected token n in JSON at position 1",
	} {
		for _, path := range []string{productsPath + "/empty-page", productsPath + "/page/url/home"} {
			status, body = ts.call(t, http.MethodPost, path, "", bad)
			require.Equal(t, http.StatusBadRequest, status, bad)
			assert.Equal(t, []string{message}, decodeError(t, status, body).messages(), bad)
		}
	}
}

// Images are links to the mock itself, on the host the API was called through, and load.
func TestProductImagesAreServedByTheMock(t *testing.T) {
	t.Parallel()
	ts := siteServer(t)
	status, body := ts.call(t, http.MethodGet, productsPath+"/11", "", nil)
	require.Equal(t, http.StatusOK, status)
	var p struct {
		AttributeValues struct {
			Image struct {
				Value []struct {
					DownloadLink string `json:"downloadLink"`
					Size         int    `json:"size"`
				} `json:"value"`
			} `json:"image"`
		} `json:"attributeValues"`
	}
	require.NoError(t, json.Unmarshal(body, &p))
	img := p.AttributeValues.Image.Value[0]
	require.Equal(t, ts.URL+"/cloud-static/content/ticket-silver.svg", img.DownloadLink)
	resp, err := ts.Client().Get(img.DownloadLink)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "image/svg+xml", resp.Header.Get("Content-Type"))
	assert.EqualValues(t, img.Size, resp.ContentLength)
}

// Bad input answers a 4xx with the live error body, never a 5xx.
func TestProductBadInput(t *testing.T) {
	t.Parallel()
	ts := siteServer(t)
	for name, tc := range map[string]struct {
		method, path string
		body         any
		status       int
		message      string
	}{
		"unknown condition":     {http.MethodPost, "/all", filter(map[string]any{"attributeMarker": "price", "conditionMarker": "gt", "conditionValue": 1}), 400, "filter.0.conditionMarker must be one of the following values: in, nin, eq, neq, mth, lth, exs, nexs"},
		"condition, no marker":  {http.MethodPost, "/all", filter(map[string]any{"conditionMarker": "eq", "conditionValue": 1}), 400, "filter.0.attributeMarker must be a string"},
		"filter not a list":     {http.MethodPost, "/all", map[string]any{"filter": "price"}, 400, "filter must be an array"},
		"paging in the body":    {http.MethodPost, "/all", map[string]any{"filter": []any{}, "limit": 1}, 400, "property limit should not exist"},
		"33 filters":            {http.MethodPost, "/all", map[string]any{"filter": slices.Repeat([]any{map[string]any{"attributeMarker": "price", "conditionMarker": "mth", "conditionValue": 1}}, 33)}, 400, "filter must contain no more than 32 elements"},
		"33 page URLs":          {http.MethodPost, "/all", map[string]any{"filter": []any{map[string]any{"pageUrls": slices.Repeat([]string{"tickets"}, 20)}, map[string]any{"pageUrls": slices.Repeat([]string{"tickets"}, 13)}}}, 400, "filter may name no more than 32 pageUrls in all"},
		"element not an object": {http.MethodPost, "/all", []any{1}, 400, "filter.0 must be an object"},
		"pageUrls not strings":  {http.MethodPost, "/all", filter(map[string]any{"pageUrls": []int{1}}), 400, "filter.0.pageUrls must be an array of strings"},
		"bad sort key":          {http.MethodPost, "/all?sortKey=colour", nil, 400, ""},
		"bad sort order":        {http.MethodPost, "/all?sortOrder=UP", nil, 400, ""},
		"negative offset":       {http.MethodPost, "/all?offset=-1", nil, 400, ""},
		"broken JSON":           {http.MethodPost, "/all", `{"filter":[`, 400, "Unexpected end of JSON input"},
		"unknown page id":       {http.MethodPost, "/page/999", nil, 404, "Page not found"},
		"unknown page url":      {http.MethodPost, "/page/url/nowhere", nil, 404, "Page not found"},
		"unknown page prices":   {http.MethodGet, "/page/nowhere/prices", nil, 404, "Page not found"},
		"unknown product":       {http.MethodGet, "/99", nil, 404, "Product with id 99 not found"},
		"related of unknown":    {http.MethodGet, "/99/related", nil, 404, "Product with id 99 not found"},
		"blocks of unknown":     {http.MethodGet, "/99/blocks", nil, 404, "Product with id 99 not found"},
		"bad query condition":   {http.MethodPost, "/all?conditionMarker=eq&conditionValue=1", nil, 400, "attributeMarker must be a string"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			status, body := ts.call(t, tc.method, productsPath+tc.path, "", tc.body)
			require.Equal(t, tc.status, status, string(body))
			e := decodeError(t, tc.status, body)
			if tc.message != "" {
				assert.Contains(t, e.messages(), tc.message)
			}
		})
	}
	// At the bounds the filters are taken.
	mth := map[string]any{"attributeMarker": "price", "conditionMarker": "mth", "conditionValue": 1}
	for name, body := range map[string]any{
		"32 filters":   map[string]any{"filter": slices.Repeat([]any{mth}, 32)},
		"32 page URLs": map[string]any{"filter": []any{map[string]any{"pageUrls": slices.Repeat([]string{"tickets"}, 32)}}},
	} {
		status, answer := ts.call(t, http.MethodPost, productsPath+"/all", "", body)
		assert.Equal(t, http.StatusCreated, status, "%s: %s", name, answer)
	}
}

func TestProductStatuses(t *testing.T) {
	t.Parallel()
	ts := siteServer(t)
	status, body := ts.call(t, http.MethodGet, "/api/content/product-statuses?langCode=ru_RU", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `[{"id":1,"identifier":"in_stock","localizeInfos":{"title":"В наличии"},"isDefault":true,"version":0,"position":1},
		{"id":2,"identifier":"sold_out","localizeInfos":{"title":"Распродано"},"isDefault":false,"version":0,"position":2}]`, string(body))
	status, body = ts.call(t, http.MethodGet, "/api/content/product-statuses/marker/sold_out?langCode=en_US", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "Sold out", decode[map[string]any](t, body)["localizeInfos"].(map[string]any)["title"])
	// The SDK asks without a langCode and picks the language itself: every language comes.
	status, body = ts.call(t, http.MethodGet, "/api/content/product-statuses/marker/sold_out", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"en_US":{"title":"Sold out"},"ru_RU":{"title":"Распродано"}}`, string(decode[map[string]json.RawMessage](t, body)["localizeInfos"]))
	status, body = ts.call(t, http.MethodGet, "/api/content/product-statuses/marker/gone", "", nil)
	require.Equal(t, http.StatusNotFound, status)
	decodeError(t, status, body)
	for marker, valid := range map[string]bool{"in_stock": true, "gone": false} {
		status, body = ts.call(t, http.MethodGet, "/api/content/product-statuses/marker-validation/"+marker, "", nil)
		require.Equal(t, http.StatusOK, status)
		assert.JSONEq(t, `{"valid":`+map[bool]string{true: "true", false: "false"}[valid]+`}`, string(body))
	}
}

const rowsPath = "/api/content/integration-collections/marker/faq/rows"

type rowJSON struct {
	ID       int              `json:"id"`
	FormData []store.RowField `json:"formData"`
}

func rowBody(question string) map[string]any {
	return map[string]any{"formIdentifier": "faq", "formData": []map[string]string{{"marker": "question", "type": "string", "value": question}}}
}

func (ts *testServer) rows(t *testing.T, query string) []rowJSON {
	t.Helper()
	status, body := ts.call(t, http.MethodGet, rowsPath+query, "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	return decode[struct {
		Items []rowJSON `json:"items"`
	}](t, body).Items
}

func TestCollectionReads(t *testing.T) {
	t.Parallel()
	ts := siteServer(t)
	for path, want := range map[string]string{
		"/api/content/integration-collections?langCode=ru_RU":         `[{"id":1,"identifier":"faq","formId":null,"localizeInfos":{"title":"Частые вопросы"},"attributeSetId":null,"selectedAttributeMarkers":"question,answer"}]`,
		"/api/content/integration-collections/1?langCode=en_US":       `{"id":1,"identifier":"faq","formId":null,"localizeInfos":{"title":"Frequently asked questions"},"attributeSetId":null,"selectedAttributeMarkers":"question,answer"}`,
		"/api/content/integration-collections/marker-validation/faq":  `{"valid":true}`,
		"/api/content/integration-collections/marker-validation/blog": `{"valid":false}`,
	} {
		status, body := ts.call(t, http.MethodGet, path, "", nil)
		require.Equal(t, http.StatusOK, status, path)
		assert.JSONEq(t, want, string(body), path)
	}
	rows := ts.rows(t, "?langCode=ru_RU")
	require.Len(t, rows, 3)
	assert.Equal(t, "Можно ли вернуть билет?", rows[0].FormData[0].Value)
	status, body := ts.call(t, http.MethodGet, "/api/content/integration-collections/1/rows?offset=1&limit=1", "", nil)
	require.Equal(t, http.StatusOK, status)
	page := decode[struct {
		Items []rowJSON `json:"items"`
		Total int       `json:"total"`
	}](t, body)
	assert.Equal(t, 3, page.Total)
	require.Len(t, page.Items, 1)
	assert.Equal(t, 2, page.Items[0].ID)
	assert.Empty(t, ts.rows(t, "?entityType=orders"))
	for _, path := range []string{"/api/content/integration-collections/9", "/api/content/integration-collections/9/rows", "/api/content/integration-collections/marker/blog/rows", rowsPath + "/99"} {
		status, body := ts.call(t, http.MethodGet, path, "", nil)
		require.Equal(t, http.StatusNotFound, status, path)
		decodeError(t, status, body)
	}
}

// Rows are created, read, updated per language and deleted; bad bodies change nothing; the
// rows are the sandbox's (reset brings back the fixtures', export and import carry them).
func TestCollectionRowsCRUD(t *testing.T) {
	t.Parallel()
	ts := siteServer(t)
	status, body := ts.call(t, http.MethodPost, rowsPath+"?langCode=en_US", "", rowBody("Is there parking?"))
	require.Equal(t, http.StatusCreated, status, string(body))
	created := decode[rowJSON](t, body)
	assert.Equal(t, 4, created.ID)

	status, body = ts.call(t, http.MethodPut, fmt.Sprintf("%s/%d?langCode=ru_RU", rowsPath, created.ID), "", rowBody("Есть ли парковка?"))
	require.Equal(t, http.StatusOK, status, string(body))
	for lang, want := range map[string]string{"en_US": "Is there parking?", "ru_RU": "Есть ли парковка?", "": "Is there parking?"} {
		status, body = ts.call(t, http.MethodGet, fmt.Sprintf("%s/%d?langCode=%s", rowsPath, created.ID, lang), "", nil)
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, want, decode[rowJSON](t, body).FormData[0].Value, lang)
	}
	// A language the row was not written in is blank: nothing falls back to another language.
	status, body = ts.call(t, http.MethodGet, fmt.Sprintf("%s/%d?langCode=de_DE", rowsPath, created.ID), "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Empty(t, decode[rowJSON](t, body).FormData)

	before := ts.export(t)
	for name, body := range map[string]any{
		"no formIdentifier": map[string]any{"formData": []any{}},
		"value not string":  map[string]any{"formIdentifier": "faq", "formData": []map[string]any{{"marker": "q", "type": "string", "value": 1}}},
		"empty marker":      map[string]any{"formIdentifier": "faq", "formData": []map[string]any{{"marker": "", "type": "string", "value": "x"}}},
		"bad language key":  map[string]any{"formIdentifier": "faq", "formData": map[string]any{"english": []any{}}},
		"inactive language": map[string]any{"formIdentifier": "faq", "formData": map[string]any{"en_US": []any{}, "de_DE": []any{}}},
		"not an object":     `[1]`,
		"broken JSON":       `{"formIdentifier":`,
		"unknown property":  map[string]any{"formIdentifier": "faq", "formData": []any{}, "entityType": "orders"},
	} {
		status, resp := ts.call(t, http.MethodPost, rowsPath, "", body)
		assert.Equal(t, http.StatusBadRequest, status, name)
		decodeError(t, status, resp)
		status, _ = ts.call(t, http.MethodPut, rowsPath+"/1", "", body)
		assert.Equal(t, http.StatusBadRequest, status, name)
	}
	// The project's active locales are en_US and ru_RU: the live API writes no other.
	status, body = ts.call(t, http.MethodPost, rowsPath+"?langCode=de_DE", "", rowBody("Frage"))
	assertRefused(t, status, body, http.StatusBadRequest, "langCode: de_DE is not an active locale of the project")
	status, body = ts.call(t, http.MethodPut, rowsPath+"/1?langCode=de_DE", "", rowBody("Frage"))
	assertRefused(t, status, body, http.StatusBadRequest, "langCode: de_DE is not an active locale of the project")
	status, _ = ts.call(t, http.MethodPut, rowsPath+"/99", "", rowBody("x"))
	assert.Equal(t, http.StatusNotFound, status)
	status, _ = ts.call(t, http.MethodPost, "/api/content/integration-collections/marker/blog/rows", "", rowBody("x"))
	assert.Equal(t, http.StatusNotFound, status)
	assert.JSONEq(t, before, ts.export(t), "refused writes change nothing")

	status, body = ts.call(t, http.MethodDelete, fmt.Sprintf("%s/%d", rowsPath, created.ID), "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "true", string(body))
	status, _ = ts.call(t, http.MethodDelete, fmt.Sprintf("%s/%d", rowsPath, created.ID), "", nil)
	assert.Equal(t, http.StatusNotFound, status)
	assert.Len(t, ts.rows(t, ""), 3)

	// Export carries the rows; import and reset restore them.
	status, _ = ts.call(t, http.MethodDelete, rowsPath+"/1", "", nil)
	require.Equal(t, http.StatusOK, status)
	doc := ts.export(t)
	require.Contains(t, doc, `"nextCollectionRowId":5`)
	status, body = ts.callWith(t, http.MethodPost, "/__admin/reset", "", nil, nil)
	require.Less(t, status, 300, string(body))
	assert.Len(t, ts.rows(t, ""), 3, "reset brings back the fixtures' rows")
	status, body = ts.callWith(t, http.MethodPut, "/__admin/state", "", doc, nil)
	require.Less(t, status, 300, string(body))
	rows := ts.rows(t, "")
	require.Len(t, rows, 2, "import brings back the exported rows")
	assert.Equal(t, 2, rows[0].ID)
}

func (ts *testServer) export(t *testing.T) string {
	t.Helper()
	status, body := ts.callWith(t, http.MethodGet, "/__admin/state", "", nil, nil)
	require.Equal(t, http.StatusOK, status)
	return string(body)
}

// upload sends files as the SDK does: one multipart part named files per file.
func (ts *testServer) upload(t *testing.T, token, query string, files map[string][]byte) (int, []byte) {
	t.Helper()
	var parts []filePart
	for name, data := range files {
		parts = append(parts, filePart{name, data})
	}
	return ts.uploadParts(t, token, query, parts...)
}

type filePart struct {
	name string
	data []byte
}

// uploadParts is upload with the parts in order, names repeating as they may.
func (ts *testServer) uploadParts(t *testing.T, token, query string, parts ...filePart) (int, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		w, err := mw.CreateFormFile("files", p.name)
		require.NoError(t, err)
		_, _ = w.Write(p.data)
	}
	require.NoError(t, mw.Close())
	return ts.callWith(t, http.MethodPost, "/api/content/files"+query, "", buf.Bytes(),
		map[string]string{"x-app-token": token, "Content-Type": mw.FormDataContentType()})
}

type uploaded struct {
	Filename     string `json:"filename"`
	DownloadLink string `json:"downloadLink"`
	Size         int    `json:"size"`
}

func (ts *testServer) fetch(t *testing.T, url string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	require.NoError(t, err)
	resp, body := ts.send(t, req)
	return resp.StatusCode, resp.Header, body
}

func TestUploads(t *testing.T) {
	t.Parallel()
	ts := siteServer(t)
	status, body := ts.upload(t, appToken, "?type=page&entity=editor&id=3787&template=1", map[string][]byte{"photo.png": []byte("\x89PNG fake")})
	require.Equal(t, http.StatusCreated, status, string(body))
	files := decode[[]uploaded](t, body)
	require.Len(t, files, 1)
	f := files[0]
	assert.Equal(t, "files/project/page/editor/3787/photo.png", f.Filename)
	assert.Equal(t, 9, f.Size)
	assert.Equal(t, ts.URL+"/cloud-static/"+appToken+"/files/project/page/editor/3787/photo.png", f.DownloadLink)

	status, header, data := ts.fetch(t, f.DownloadLink)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "\x89PNG fake", string(data))
	assert.Equal(t, "image/png", header.Get("Content-Type"))
	assert.Equal(t, "sandbox", header.Get("Content-Security-Policy"))

	// getFile by the last segment and the folders, as the SDK asks.
	status, data = ts.call(t, http.MethodGet, "/api/content/files?id=3787&type=page&entity=editor&filename=photo.png", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "\x89PNG fake", string(data))

	// Limits: too large, or over the sandbox's allowance, is a 400 and keeps nothing.
	before := ts.export(t)
	status, body = ts.upload(t, appToken, "", map[string][]byte{"big.bin": make([]byte, store.DefaultMaxUploadSize+1)})
	require.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, decodeError(t, status, body).messages()[0], "larger than the maximum upload size")
	assert.JSONEq(t, before, ts.export(t), "a refused upload keeps nothing")
	for i := range store.DefaultUploadQuota / store.DefaultMaxUploadSize {
		status, body = ts.upload(t, appToken, "", map[string][]byte{fmt.Sprintf("part%d.bin", i): make([]byte, store.DefaultMaxUploadSize-1)})
		require.Equal(t, http.StatusCreated, status, string(body))
	}
	full := ts.export(t)
	status, body = ts.upload(t, appToken, "", map[string][]byte{"last.bin": make([]byte, store.DefaultMaxUploadSize-1)})
	require.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, decodeError(t, status, body).messages()[0], "Storage quota exceeded")
	status, _, _ = ts.fetch(t, ts.URL+"/cloud-static/"+appToken+"/files/project/-/-/-/last.bin")
	assert.Equal(t, http.StatusNotFound, status)
	assert.JSONEq(t, full, ts.export(t), "an upload over the allowance keeps nothing")

	// No file part, or not multipart at all.
	status, body = ts.upload(t, appToken, "", nil)
	require.Equal(t, http.StatusBadRequest, status)
	decodeError(t, status, body)
	status, body = ts.call(t, http.MethodPost, "/api/content/files", "", map[string]any{"file": "x"})
	require.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, []string{"content-type must be multipart/form-data"}, decodeError(t, status, body).messages())
	// A multipart body cut short, or without its boundary, is not taken for bad JSON.
	for ct, raw := range map[string]string{
		"multipart/form-data; boundary=zz": "--zz\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\n\r\nabc",
		"multipart/form-data":              "xx",
	} {
		status, body = ts.callWith(t, http.MethodPost, "/api/content/files", "", raw, map[string]string{"x-app-token": appToken, "Content-Type": ct})
		require.Equal(t, http.StatusBadRequest, status, ct)
		assert.Equal(t, []string{"body must be a well-formed multipart/form-data body"}, decodeError(t, status, body).messages(), ct)
	}
	// A preview template is named by its numeric id; a marker is refused, as live fails on it.
	status, body = ts.upload(t, appToken, "?type=page&entity=editor&id=3787&template=ticket_card", map[string][]byte{"t.png": []byte("x")})
	require.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, []string{"template must be an integer"}, decodeError(t, status, body).messages())
	status, _ = ts.call(t, http.MethodGet, "/api/content/files?id=3787&type=page&entity=editor&filename=t.png&template=ticket_card", "", nil)
	assert.Equal(t, http.StatusNotFound, status, "getFile types its template as a string: only the upload refuses a marker")
	assert.JSONEq(t, full, ts.export(t), "refused uploads keep nothing")

	// Delete by the whole filename; a second delete is a 404.
	status, body = ts.call(t, http.MethodDelete, "/api/content/files?filename="+f.Filename, "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	status, _, _ = ts.fetch(t, f.DownloadLink)
	assert.Equal(t, http.StatusNotFound, status)
	status, body = ts.call(t, http.MethodDelete, "/api/content/files?filename="+f.Filename, "", nil)
	require.Equal(t, http.StatusNotFound, status)
	decodeError(t, status, body)
}

// Names in any script stay apart, and parts of one name replace one another without the
// replaced bytes counting against the sandbox's allowance.
func TestUploadNamesAndReplacedParts(t *testing.T) {
	t.Parallel()
	ts := siteServer(t)
	status, body := ts.uploadParts(t, appToken, "?type=page&entity=editor&id=5",
		filePart{"снимок.jpg", []byte("FIRST-IMAGE")}, filePart{"машина.jpg", []byte("SECOND")}, filePart{"日本.txt", []byte("third")})
	require.Equal(t, http.StatusCreated, status, string(body))
	files := decode[[]uploaded](t, body)
	require.Len(t, files, 3)
	assert.Equal(t, "files/project/page/editor/5/снимок.jpg", files[0].Filename)
	for i, want := range []string{"FIRST-IMAGE", "SECOND", "third"} {
		status, _, data := ts.fetch(t, files[i].DownloadLink)
		require.Equal(t, http.StatusOK, status, files[i].DownloadLink)
		assert.Equal(t, want, string(data))
	}
	status, data := ts.call(t, http.MethodGet, "/api/content/files?id=5&type=page&entity=editor&filename="+url.QueryEscape("машина.jpg"), "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "SECOND", string(data))

	part := make([]byte, store.DefaultMaxUploadSize-1)
	for range 3 {
		status, body = ts.uploadParts(t, appToken, "?type=page&entity=editor&id=1", filePart{"photo.jpg", part}, filePart{"photo.jpg", part})
		require.Equal(t, http.StatusCreated, status, string(body))
		status, body = ts.call(t, http.MethodDelete, "/api/content/files?type=page&entity=editor&id=1&filename=photo.jpg", "", nil)
		require.Equal(t, http.StatusOK, status, string(body))
	}
	status, body = ts.call(t, http.MethodDelete, "/api/content/files?type=page&entity=editor&id=5&filename="+url.QueryEscape("снимок.jpg"), "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	// What is left (two small files) leaves room for all but the last of the full parts.
	for i := range store.DefaultUploadQuota/store.DefaultMaxUploadSize - 1 {
		status, body = ts.upload(t, appToken, "", map[string][]byte{fmt.Sprintf("part%d.bin", i): part})
		require.Equal(t, http.StatusCreated, status, "part %d: %s", i, body)
	}
}

// An upload is bounded by its own limit, not the JSON bodies' --max-body-bytes: two files of
// the largest size kept fit, a third does not.
func TestUploadBodyHasItsOwnBound(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026), withMaxBody(1<<20))
	big := make([]byte, store.DefaultMaxUploadSize)
	status, body := ts.upload(t, appToken, "", map[string][]byte{"a.bin": big})
	require.Equal(t, http.StatusCreated, status, string(body))
	before := ts.export(t)
	status, body = ts.upload(t, appToken, "", map[string][]byte{"b.bin": big, "c.bin": big, "d.bin": big})
	require.Equal(t, http.StatusRequestEntityTooLarge, status)
	decodeError(t, status, body)
	assert.JSONEq(t, before, ts.export(t))
}

// Uploads, rows and subscriptions survive a restart on the same data dir.
func TestSiteStateSurvivesARestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first, _, stop := startOnDataDir(t, dir, withProfile(sandbox.ProfileLive2026))
	status, body := first.upload(t, appToken, "?type=product&entity=gallery&id=10", map[string][]byte{"a.txt": []byte("kept")})
	require.Equal(t, http.StatusCreated, status, string(body))
	link := decode[[]uploaded](t, body)[0].DownloadLink[len(first.URL):]
	status, body = first.call(t, http.MethodPost, rowsPath, "", rowBody("Kept?"))
	require.Equal(t, http.StatusCreated, status, string(body))
	status, _ = first.call(t, http.MethodDelete, rowsPath+"/2", "", nil)
	require.Equal(t, http.StatusOK, status)
	tk := first.loginLive(t, userLogin, userPass)
	status, body = first.call(t, http.MethodPost, "/api/content/events/subscribe/marker/price_change", tk, map[string]any{"locale": "en_US", "productId": 11})
	require.Equal(t, http.StatusCreated, status, string(body))
	stop()

	second, _, stop := startOnDataDir(t, dir, withProfile(sandbox.ProfileLive2026))
	t.Cleanup(stop)
	status, _, data := second.fetch(t, second.URL+link)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "kept", string(data))
	rows := second.rows(t, "")
	require.Len(t, rows, 3)
	assert.Equal(t, []int{1, 3, 4}, []int{rows[0].ID, rows[1].ID, rows[2].ID})
	status, body = second.call(t, http.MethodGet, "/api/content/events/subscriptions", tk, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.JSONEq(t, `{"total":1,"items":[{"eventMarker":"price_change","productId":11}]}`, string(body))
}

// loginLive signs in as the default user with the headers the live profile requires.
func (ts *testServer) loginLive(t *testing.T, login, password string) string {
	t.Helper()
	status, body := ts.callWith(t, http.MethodPost, authPath, "", authBody(login, password), map[string]string{
		"x-app-token": appToken, "x-device-metadata": `{"fingerprint":"t","deviceInfo":{"os":"t","browser":"t","location":"t"}}`,
	})
	require.Equal(t, http.StatusCreated, status, string(body))
	return decode[tokens](t, body).AccessToken
}

func TestEventSubscriptions(t *testing.T) {
	t.Parallel()
	ts := siteServer(t)
	tk := ts.loginLive(t, userLogin, userPass)
	const sub = "/api/content/events/subscribe/marker/"
	const unsub = "/api/content/events/unsubscribe/marker/"
	for _, p := range []int{10, 12, 10} {
		status, body := ts.call(t, http.MethodPost, sub+"price_change", tk, map[string]any{"locale": "en_US", "productId": p})
		require.Equal(t, http.StatusCreated, status, string(body))
	}
	list := func(q string) string {
		status, body := ts.call(t, http.MethodGet, "/api/content/events/subscriptions"+q, tk, nil)
		require.Equal(t, http.StatusOK, status, string(body))
		return string(body)
	}
	assert.JSONEq(t, `{"total":2,"items":[{"eventMarker":"price_change","productId":10},{"eventMarker":"price_change","productId":12}]}`, list(""))
	assert.JSONEq(t, `{"total":2,"items":[{"eventMarker":"price_change","productId":12}]}`, list("?offset=1&limit=1"))

	before := ts.export(t)
	for name, tc := range map[string]struct {
		method, path, bearer string
		body                 any
		status               int
	}{
		"no user":         {http.MethodPost, sub + "price_change", "", map[string]any{"productId": 10}, 401},
		"unknown product": {http.MethodPost, sub + "price_change", tk, map[string]any{"productId": 99}, 404},
		"no product":      {http.MethodPost, sub + "price_change", tk, map[string]any{"locale": "en_US"}, 400},
		"product string":  {http.MethodPost, sub + "price_change", tk, map[string]any{"productId": "10"}, 400},
		"list no user":    {http.MethodGet, "/api/content/events/subscriptions", "", nil, 401},
	} {
		status, body := ts.call(t, tc.method, tc.path, tc.bearer, tc.body)
		assert.Equal(t, tc.status, status, name)
		decodeError(t, status, body)
	}
	assert.JSONEq(t, before, ts.export(t))

	status, body := ts.call(t, http.MethodDelete, unsub+"price_change", tk, map[string]any{"productId": 10, "locale": "en_US"})
	require.Equal(t, http.StatusOK, status, string(body))
	assert.JSONEq(t, `{"total":1,"items":[{"eventMarker":"price_change","productId":12}]}`, list(""))

	// Subscriptions are the user's own.
	other := ts.loginLive(t, user2, user2Pass)
	status, body = ts.call(t, http.MethodGet, "/api/content/events/subscriptions", other, nil)
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"total":0,"items":[]}`, string(body))
}

// adminStatic exercises the uploads the mock serves back, for the admin contract.
func adminStatic(t *testing.T, ac *adminContract) {
	ts := newTestServer(t)
	status, body := ts.upload(t, appToken, "?type=page", map[string][]byte{"a.txt": []byte("a")})
	require.Equal(t, http.StatusCreated, status, string(body))
	link := decode[[]uploaded](t, body)[0].DownloadLink[len(ts.URL):]
	ac.do(t, ts, adminCall{method: http.MethodGet, path: link, status: http.StatusOK})
	ac.do(t, ts, adminCall{method: http.MethodGet, path: "/cloud-static/nobody/files/project/page/-/-/a.txt", status: http.StatusNotFound})
}

// siteHandler is the server without a listener, under the live profile (the site's products).
func siteHandler(tb testing.TB) http.Handler {
	tb.Helper()
	srv, err := mockserver.New(mockserver.Options{Sandbox: sandbox.Options{Fixtures: mocktest.DefaultFixtures(tb), Profile: sandbox.ProfileLive2026}, Contract: mocktest.Contract(tb)})
	require.NoError(tb, err)
	return srv
}

// FuzzProductFilterBody feeds any body to the list and count routes: the answer is a 201 or a
// 4xx with the error body, never a 5xx.
func FuzzProductFilterBody(f *testing.F) {
	h := siteHandler(f)
	for _, seed := range []string{
		`{"filter":[{"attributeMarker":"price","conditionMarker":"mth","statusMarker":"in_stock","conditionValue":1,"pageUrls":["tickets"],"isNested":false,"title":""}]}`,
		`[{"attributeMarker":"zones","conditionMarker":"in","conditionValue":["bar","box"]}]`,
		`[{"attributeMarker":"price","conditionMarker":"lth","conditionValue":"1e308"}]`,
		`{"filter":[{"attributeMarker":"x","conditionMarker":"nexs","conditionValue":{}}]}`,
		`{"filter":null}`, `[null]`, `[1]`, `{"filter":"x"}`, `{`, ``, `null`,
	} {
		f.Add([]byte(seed), uint8(0))
	}
	paths := []string{"/all", "/all/counts", "/page/8", "/page/url/tickets/counts", "/page/url/tickets?sortKey=title&sortOrder=ASC"}
	f.Fuzz(func(t *testing.T, body []byte, which uint8) {
		path := productsPath + paths[int(which)%len(paths)]
		checkFuzzResponse(t, serveAPI(h, http.MethodPost, path, "", bytes.NewReader(body)))
	})
}

// FuzzCollectionRowBody feeds any body to row create and update.
func FuzzCollectionRowBody(f *testing.F) {
	h := siteHandler(f)
	for _, seed := range []string{
		`{"formIdentifier":"faq","formData":[{"marker":"question","type":"string","value":"Why?"}]}`,
		`{"formIdentifier":"faq","formData":{"en_US":[{"marker":"q","type":"string","value":"a"}],"ru_RU":[]}}`,
		`{"formIdentifier":"faq","formData":[{"marker":"q","type":"string","value":1}]}`,
		`{"formIdentifier":"","formData":{"xx":null}}`, `{"formData":[null]}`, `[]`, `{`, ``,
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, update bool) {
		method, path := http.MethodPost, rowsPath+"?langCode=ru_RU"
		if update {
			method, path = http.MethodPut, rowsPath+"/1?langCode=en_US"
		}
		checkFuzzResponse(t, serveAPI(h, method, path, "", bytes.NewReader(body)))
	})
}

// A text value on an entity carries its forms together, as the admin panel writes them
// (platform notes, attribute-types.md): products' as pages' do. A list value's selected options
// carry only title and value (list-options-and-extra-values.md: the extras belong to the
// attribute, read by marker).
func TestEntityValuesHaveTheirReadShapes(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive))
	texts, options := 0, 0
	for _, path := range []string{"/api/content/products/10", "/api/content/products/11", "/api/content/products/12", "/api/content/pages/url/home", "/api/content/pages/url/contacts"} {
		for _, lang := range []string{"en_US", "ru_RU"} {
			attrs := ts.object(t, path+"?langCode="+lang)["attributeValues"].(map[string]any)
			for marker, a := range attrs {
				a := a.(map[string]any)
				if a["type"] == "list" {
					for _, v := range a["value"].([]any) {
						options++
						assert.ElementsMatch(t, []string{"title", "value"}, slices.Collect(maps.Keys(v.(map[string]any))), "%s %s in %s", path, marker, lang)
					}
				}
				if a["type"] != "text" {
					continue
				}
				for _, v := range a["value"].([]any) {
					texts++
					v := v.(map[string]any)
					assert.ElementsMatch(t, []string{"htmlValue", "mdValue", "plainValue", "params"}, slices.Collect(maps.Keys(v)), "%s %s in %s", path, marker, lang)
					assert.Equal(t, map[string]any{"editorMode": "html"}, v["params"], "%s %s", path, marker)
				}
			}
		}
	}
	assert.GreaterOrEqual(t, texts, 10)
	assert.GreaterOrEqual(t, options, 10)
}

// An order's lines show their product's preview image, as the product's answer shows it, with
// links to the mock; the recorded 2025 API's products have none, and its lines show null.
func TestOrderLinesShowTheProductsPreviewImage(t *testing.T) {
	t.Parallel()
	for profile, want := range map[sandbox.Profile]string{
		sandbox.ProfileLive2026: "/cloud-static/content/ticket-bronze.svg",
		sandbox.ProfileSDK115:   "",
	} {
		ts := newTestServer(t, withProfile(profile))
		tk := ts.signIn(t, userLogin, userPass)
		status, body := ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, seedOrderBody(10, 1))
		require.Equal(t, http.StatusCreated, status, string(body))
		path := fmt.Sprintf("%s/%v?langCode=en_US", ordersPath, decode[map[string]any](t, body)["id"])
		type line struct {
			PreviewImage []struct {
				DownloadLink string `json:"downloadLink"`
			} `json:"previewImage"`
		}
		status, body = ts.call(t, http.MethodGet, path, tk.AccessToken, nil)
		require.Equal(t, http.StatusOK, status)
		read := decode[struct{ Products []line }](t, body)
		status, body = ts.call(t, http.MethodGet, ordersPath+"?langCode=en_US", tk.AccessToken, nil)
		require.Equal(t, http.StatusOK, status)
		list := decode[struct{ Items []struct{ Products []line } }](t, body)
		for name, l := range map[string]line{"read": read.Products[0], "list": list.Items[0].Products[0]} {
			if want == "" {
				assert.Nil(t, l.PreviewImage, "%s %s", profile, name)
				continue
			}
			require.Len(t, l.PreviewImage, 1, "%s %s", profile, name)
			assert.Equal(t, ts.URL+want, l.PreviewImage[0].DownloadLink, "%s %s", profile, name)
		}
	}
}

// A product without a price shows null, "no price set", wherever a price of it is answered:
// its own answer, the page's prices and an order preview.
func TestAProductWithoutAPriceShowsNull(t *testing.T) {
	t.Parallel()
	fx := editFixtures(t, map[string]func(v any) any{store.FileProducts: func(v any) any {
		for _, p := range v.([]any) {
			if p := p.(map[string]any); p["id"] == float64(11) {
				p["price"] = nil
			}
		}
		return v
	}})
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026), withFixtures(fx))
	status, body := ts.call(t, http.MethodGet, productsPath+"/11", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Nil(t, decode[map[string]any](t, body)["price"])

	status, body = ts.call(t, http.MethodGet, productsPath+"/page/tickets/prices?langCode=en_US", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	prices := map[float64]any{}
	for _, it := range decode[struct{ Items []map[string]any }](t, body).Items {
		prices[it["id"].(float64)] = it["price"]
	}
	assert.Equal(t, map[float64]any{10: float64(100), 11: nil, 12: float64(300)}, prices)

	tk := ts.signIn(t, userLogin, userPass)
	status, body = ts.call(t, http.MethodPost, previewPath, tk.AccessToken, `{"products":[{"productId":11,"quantity":1}]}`)
	require.Equal(t, http.StatusCreated, status, string(body))
	line := decode[struct{ OrderPreview []map[string]any }](t, body).OrderPreview[0]
	assert.Contains(t, line, "price")
	assert.Nil(t, line["price"])
}
