package mockserver_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// sdk115Paths are the requests of SDK 1.0.115 methods that later SDKs dropped or moved, with
// the status profile sdk-1.0.115 answers, and the status today's API answers when it is not
// 404 "Cannot METHOD path".
var sdk115Paths = []struct {
	method, path string
	body         any
	status       int
	live         int
}{
	{http.MethodPost, "/api/content/admins/?langCode=en_US&offset=0&limit=30", []any{}, http.StatusCreated, 0},
	{http.MethodGet, "/api/content/blocks?langCode=en_US&type=&offset=0&limit=30", nil, http.StatusOK, 0},
	{http.MethodGet, "/api/content/form-data?langCode=en_US&offset=0&limit=30", nil, http.StatusOK, 0},
	{http.MethodGet, "/api/content/form-data/marker/contact_us?langCode=en_US&offset=0&limit=30", nil, http.StatusOK, 0},
	{http.MethodGet, "/api/content/pages/tickets/forms?langCode=en_US", nil, http.StatusOK, 0},
	{http.MethodGet, "/api/content/payments/connected", nil, http.StatusUnauthorized, 0}, // a user's, as every payments route
	{http.MethodPost, "/api/content/payments/webhook/stripe", map[string]any{}, http.StatusBadRequest, 0},
	{http.MethodGet, "/api/content/product-statuses/1", nil, http.StatusOK, 0},
	// Today's GET /products/{id} takes "empty-page" for an id that is not a number.
	{http.MethodGet, "/api/content/products/empty-page?langCode=en_US&", nil, http.StatusOK, http.StatusBadRequest},
	{http.MethodGet, "/api/content/templates/1?langCode=en_US", nil, http.StatusOK, 0},
	{http.MethodGet, "/api/content/templates/home_template?langCode=en_US", nil, http.StatusOK, 0},
	{http.MethodGet, "/api/content/template-previews/2?langCode=en_US", nil, http.StatusOK, 0},
}

// Profile sdk-1.0.115 serves the paths only its SDK calls; today's API does not have them.
func TestSDK115PathsOnlyUnderTheirProfile(t *testing.T) {
	t.Parallel()
	underEachProfile(t, func(t *testing.T, ts *testServer, p sandbox.Profile) {
		for _, c := range sdk115Paths {
			status, body := ts.call(t, c.method, c.path, "", c.body)
			if p.SDK115Paths {
				assert.Equal(t, c.status, status, "%s %s: %s", c.method, c.path, body)
				continue
			}
			e := decodeError(t, status, body)
			if c.live != 0 {
				assert.Equal(t, c.live, status, "%s %s", c.method, c.path)
				continue
			}
			assert.Equal(t, http.StatusNotFound, status, "%s %s", c.method, c.path)
			assert.Contains(t, e.messages()[0], "Cannot "+c.method+" /api/content/", "%s %s", c.method, c.path)
		}
	})
}

// SDK 1.0.115 sends a subscription's threshold whenever it is not 0.
func TestSDK115SubscriptionThreshold(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileSDK115))
	token := ts.signIn(t, userLogin, userPass).AccessToken
	for _, method := range []string{http.MethodPost, http.MethodDelete} {
		path := "/api/content/events/subscribe/marker/price_change"
		if method == http.MethodDelete {
			path = "/api/content/events/unsubscribe/marker/price_change"
		}
		status, body := ts.call(t, method, path, token, map[string]any{"locale": "en_US", "productId": 10, "threshold": 5})
		assert.Less(t, status, 300, "%s: %s", method, body)
	}
}

func TestSDK115Reads(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileSDK115))
	get := func(path string) (int, map[string]any) {
		t.Helper()
		status, body := ts.call(t, http.MethodGet, path, "", nil)
		if status != http.StatusOK {
			return status, map[string]any{"error": decodeError(t, status, body).messages()}
		}
		return status, decode[map[string]any](t, body)
	}
	identifier := func(path string) any {
		t.Helper()
		status, v := get(path)
		require.Equal(t, http.StatusOK, status, "%s: %v", path, v)
		return v["identifier"]
	}

	assert.Equal(t, "home_template", identifier("/api/content/templates/1?langCode=en_US"), "a number is an id")
	assert.Equal(t, "ticket_template", identifier("/api/content/templates/ticket_template?langCode=en_US"), "anything else a marker")
	assert.Equal(t, "hero_wide", identifier("/api/content/template-previews/2?langCode=en_US"))
	assert.Equal(t, "sold_out", identifier("/api/content/product-statuses/2"))
	for path, want := range map[string]int{
		"/api/content/templates/nowhere":        http.StatusNotFound,
		"/api/content/templates/99":             http.StatusNotFound,
		"/api/content/templates/0":              http.StatusBadRequest,
		"/api/content/template-previews/99":     http.StatusNotFound,
		"/api/content/product-statuses/99":      http.StatusNotFound,
		"/api/content/product-statuses/x":       http.StatusBadRequest,
		"/api/content/pages/nowhere/forms":      http.StatusNotFound,
		"/api/content/form-data/marker/nowhere": http.StatusNotFound,
	} {
		status, v := get(path)
		assert.Equal(t, want, status, "%s: %v", path, v)
	}
	// The literal paths keep their routes.
	status, body := ts.call(t, http.MethodGet, "/api/content/templates/all?langCode=en_US", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Contains(t, decode[map[string]any](t, body), "forUsualPage", "grouped by the 2025 names")
	status, body = ts.call(t, http.MethodGet, "/api/content/products/10?langCode=en_US", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))

	status, body = ts.call(t, http.MethodGet, "/api/content/blocks?langCode=en_US&type=forProductBlock&offset=0&limit=30", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	blocks := decode[struct{ Items []map[string]any }](t, body).Items
	require.Len(t, blocks, 1)
	assert.Equal(t, "featured_tickets", blocks[0]["identifier"])
	_, byPost := ts.call(t, http.MethodPost, "/api/content/blocks?langCode=en_US&type=forProductBlock&offset=0&limit=30", "", nil)
	assert.JSONEq(t, string(byPost), string(body), "GET /blocks answers what today's POST does")

	_, byNewPath := ts.call(t, http.MethodPost, "/api/content/admins/all?langCode=en_US", "", []any{})
	_, body = ts.call(t, http.MethodPost, "/api/content/admins/?langCode=en_US", "", []any{})
	assert.JSONEq(t, string(byNewPath), string(body), "POST /admins answers what /admins/all does")

	status, body = ts.call(t, http.MethodGet, "/api/content/payments/connected", "", nil)
	assertRefused(t, status, body, http.StatusUnauthorized, "Unauthorized")
	status, body = ts.call(t, http.MethodGet, "/api/content/payments/connected", ts.login(t, userLogin, userPass).AccessToken, nil)
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"stripeAccountId":null,"stripePublishableKey":null}`, string(body))
}

// A form is on a page when one of its module configs names the page, or an ancestor with
// childrenOn, or is global.
func TestSDK115PageForms(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileSDK115))
	forms := func(url string) []any {
		t.Helper()
		status, body := ts.call(t, http.MethodGet, "/api/content/pages/"+url+"/forms?langCode=en_US", "", nil)
		require.Equal(t, http.StatusOK, status, string(body))
		var ids []any
		for _, f := range decode[[]map[string]any](t, body) {
			ids = append(ids, f["identifier"])
		}
		return ids
	}
	assert.Equal(t, []any{"tickets_form"}, forms("tickets"), "named by id (isNumeric)")
	assert.Equal(t, []any{"contact_us"}, forms("contacts"), "named by url")
	assert.Empty(t, forms("home"))
	assert.Empty(t, forms("history"), "a child of a page no config names")
}

func TestSDK115FormDataListings(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileSDK115))
	read := func(path string) formDataRead {
		t.Helper()
		status, body := ts.call(t, http.MethodGet, path, "", nil)
		require.Equal(t, http.StatusOK, status, string(body))
		return decode[formDataRead](t, body)
	}
	assert.Zero(t, read("/api/content/form-data?langCode=en_US").Total)
	first := ts.submitOK(t, "", contactBody())
	second := ts.submitOK(t, "", contactBody())
	for _, path := range []string{"/api/content/form-data?langCode=en_US", "/api/content/form-data/marker/contact_us?langCode=en_US"} {
		page := read(path)
		require.Equal(t, 2, page.Total, path)
		require.Len(t, page.Items, 2, path)
		assert.Equal(t, []any{float64(second), float64(first)}, []any{page.Items[0]["id"], page.Items[1]["id"]}, "newest first: %s", path)
	}
	page := read("/api/content/form-data?langCode=en_US&offset=1&limit=1")
	assert.Equal(t, 2, page.Total)
	require.Len(t, page.Items, 1)
	assert.Equal(t, float64(first), page.Items[0]["id"])
	assert.Zero(t, read("/api/content/form-data?langCode=ru_RU").Total, "the submissions of the language")

	status, body := ts.call(t, http.MethodGet, "/api/content/form-data/marker/tickets_form?langCode=en_US", "", nil)
	assert.Equal(t, http.StatusForbidden, status, "a private form's submissions stay unread: %s", body)
}

// The webhook Stripe delivers to refuses what Stripe did not sign; a sandbox takes no events.
func TestSDK115StripeWebhookRefusesUnsignedEvents(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileSDK115))
	const path = "/api/content/payments/webhook/stripe"
	status, body := ts.call(t, http.MethodPost, path, "", map[string]any{})
	assert.Equal(t, []string{"No stripe-signature header value was provided"}, decodeError(t, status, body).messages())
	assert.Equal(t, http.StatusBadRequest, status)
	status, body = ts.callWith(t, http.MethodPost, path, "", map[string]any{"type": "checkout.session.completed"},
		map[string]string{"x-app-token": appToken, "Stripe-Signature": "t=1,v1=00"})
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, []string{"No signatures found matching the expected signature for payload"}, decodeError(t, status, body).messages())
}

// Express routes "/forms/" as "/forms" (its routing is not strict), and SDK 1.0.115 sends
// several paths with a slash before the query; the journal keeps the path as sent.
func TestTrailingSlashIsServedAsWithout(t *testing.T) {
	t.Parallel()
	underEachProfile(t, func(t *testing.T, ts *testServer, _ sandbox.Profile) {
		for _, path := range []string{
			"/api/content/forms?langCode=en_US",
			"/api/content/attributes-sets/marker/page?langCode=en_US",
			"/api/content/integration-collections/marker/faq/rows?langCode=en_US",
		} {
			status, want := ts.call(t, http.MethodGet, path, "", nil)
			require.Equal(t, http.StatusOK, status, "%s: %s", path, want)
			slashed := strings.Replace(path, "?", "/?", 1)
			status, got := ts.call(t, http.MethodGet, slashed, "", nil)
			require.Equal(t, http.StatusOK, status, "%s: %s", slashed, got)
			assert.JSONEq(t, string(want), string(got), slashed)
		}
		status, body := ts.call(t, http.MethodGet, "/api/content/", "", nil)
		assert.Equal(t, http.StatusNotFound, status)
		assert.Equal(t, []string{"Cannot GET /api/content/"}, decodeError(t, status, body).messages())

		_, body = ts.callWith(t, http.MethodGet, "/__admin/requests?path=/api/content/forms/", "", nil, nil)
		entries := decode[struct{ Requests []sandbox.Entry }](t, body).Requests
		require.Len(t, entries, 1)
		assert.Equal(t, "/api/content/forms/", entries[0].Path)
		assert.Equal(t, "GET /api/content/forms", entries[0].Route)
	})
}

// Profile sdk-1.0.115 names general types as the 2025 API did, wherever an object names one,
// and filters by those names; the rest of each object is served as the fixture holds it.
func TestSDK115TypeNames(t *testing.T) {
	t.Parallel()
	underEachProfile(t, func(t *testing.T, ts *testServer, p sandbox.Profile) {
		field := func(path, name string) []any {
			t.Helper()
			status, body := ts.call(t, http.MethodGet, path, "", nil)
			require.Equal(t, http.StatusOK, status, "%s: %s", path, body)
			var items []map[string]any
			if strings.HasPrefix(string(body), "[") {
				items = decode[[]map[string]any](t, body)
			} else {
				items = []map[string]any{decode[map[string]any](t, body)}
			}
			var out []any
			for _, it := range items {
				out = append(out, it[name])
			}
			return out
		}
		want := map[bool]map[string][]any{
			false: {
				"/api/content/pages/url/home":                   {"common_page"},
				"/api/content/pages/url/tickets":                {"catalog_page"},
				"/api/content/blocks/marker/hero":               {"common_block"},
				"/api/content/templates/marker/ticket_template": {"product"},
			},
			true: {
				"/api/content/pages/url/home":                   {"forUsualPage"},
				"/api/content/pages/url/tickets":                {"forCatalogPages"},
				"/api/content/blocks/marker/hero":               {"forTextBlock"},
				"/api/content/templates/marker/ticket_template": {"forProductPage"},
			},
		}[p.TypeNames2025]
		for path, names := range want {
			name := "type"
			if strings.Contains(path, "templates") {
				name = "generalTypeName"
			}
			assert.Equal(t, names, field(path, name), path)
		}
		types := field("/api/content/general-types", "type")
		if p.TypeNames2025 {
			assert.Subset(t, types, []any{"forProductPage", "forProductBlock", "forSimilarProductBlock", "forStatisticProductBlock", "service", "none", "external_page", "discount"})
			assert.NotContains(t, types, "product_block")
		} else {
			assert.Subset(t, types, []any{"product", "product_block", "similar_products_block", "frequently_ordered_block"})
		}
		assert.Len(t, types, 15, "one name for each general type")

		// An attribute set names its set type (today) or, in 2025, its general type in a nested
		// object, whose id is its typeId.
		sets := map[bool][]any{false: {"forProducts", "forPages", "forBlocks", "system"}, true: {"forProductPage", "forUsualPage", "forTextBlock", "none"}}[p.TypeNames2025]
		typeIDs := map[bool][]any{false: {5.0, 4.0, 2.0, 11.0}, true: {1.0, 8.0, 9.0, 15.0}}[p.TypeNames2025]
		status, body := ts.call(t, http.MethodGet, "/api/content/attributes-sets?langCode=en_US", "", nil)
		require.Equal(t, http.StatusOK, status, string(body))
		var got, gotIDs []any
		for _, set := range decode[struct {
			Items []struct {
				TypeID any            `json:"typeId"`
				Type   map[string]any `json:"type"`
			} `json:"items"`
		}](t, body).Items {
			got = append(got, set.Type["type"])
			gotIDs = append(gotIDs, set.TypeID)
			assert.Equal(t, set.TypeID, set.Type["id"], "typeId is type.id")
		}
		assert.Equal(t, sets, got, "attribute sets")
		assert.Equal(t, typeIDs, gotIDs, "attribute sets' typeId")
		marker := field("/api/content/attributes-sets/marker/tickets?langCode=en_US", "type")
		require.Len(t, marker, 1)
		assert.Equal(t, sets[0], marker[0].(map[string]any)["type"], "an attribute set by marker")
	})
}

// SDK 1.0.115 reads the products on no catalogue page with GET, typed as a paged list
// (IProductsResponse); today's POST answers groups, of which the mock lists none.
func TestSDK115ListsTheProductsOnNoPage(t *testing.T) {
	t.Parallel()
	fx := editFixtures(t, map[string]func(v any) any{store.FileProducts: func(v any) any {
		for _, p := range v.([]any) {
			if p := p.(map[string]any); p["id"] == float64(11) || p["id"] == float64(12) {
				p["productPages"] = []any{}
			}
		}
		return v
	}})
	ts := newTestServer(t, withProfile(sandbox.ProfileSDK115), withFixtures(fx))
	status, body := ts.call(t, http.MethodGet, productsPath+"/empty-page?langCode=en_US&offset=0&limit=1&sortKey=id&sortOrder=DESC", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	list := decode[struct {
		Items []map[string]any
		Total int
	}](t, body)
	assert.Equal(t, 2, list.Total)
	require.Len(t, list.Items, 1)
	assert.Equal(t, float64(12), list.Items[0]["id"])

	status, body = newTestServer(t, withProfile(sandbox.ProfileSDK115)).call(t, http.MethodGet, productsPath+"/empty-page?langCode=en_US", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.JSONEq(t, `{"items":[],"total":0}`, string(body), "every default product is on a page")
}
