package capsule_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/client"
	"github.com/oneentry-mock/oneentry-mock/client/clienttest"
	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// TestDeriveFixturesServesTheTicketFlow records the ticket flow from the mock, derives a fixture
// set from the capsule, serves it and runs the flow again against it with the redacted
// credentials.
func TestDeriveFixturesServesTheTicketFlow(t *testing.T) {
	t.Parallel()
	path, _, _ := recordTicketFlow(t)
	c, err := capsule.Load(path)
	require.NoError(t, err)
	set, err := capsule.DeriveFixtures(c)
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "derived")
	require.NoError(t, set.WriteDir(dir))

	fx, err := store.LoadFixtures(os.DirFS(dir))
	require.NoError(t, err, "the derived set loads\n%s", set.Notes)
	assert.Equal(t, "<app-token-1>", fx.Project.AppToken)
	assert.Equal(t, 92, fx.Project.FirstOrderID, "the sandbox starts where the recording did")
	assert.Equal(t, 49, fx.Project.FirstPaymentSessionID)
	assert.Empty(t, fx.Project.TokenSecret, "no signing key anyone reading the fixtures could mint tokens with")
	require.Len(t, fx.Users, 1)
	assert.Equal(t, "user1@example.test", fx.Users[0].Identifier)
	assert.Equal(t, capsule.PasswordPlaceholder, fx.Users[0].Password)
	storage, ok := fx.OrderStorage("tickets")
	require.True(t, ok)
	assert.Equal(t, "tickets_form", storage.FormIdentifier)
	assert.Equal(t, "USD", storage.Currency)
	account, ok := fx.PaymentAccount("cash")
	require.True(t, ok)
	assert.Equal(t, 1, account.ID, "the id the payment session showed")
	product, ok := fx.Product(10)
	require.True(t, ok)
	require.NotNil(t, product.Price)
	assert.InDelta(t, 100, *product.Price, 0.001, "the price is the order total over its quantity")
	assert.Equal(t, "Бронзовый", product.Title)

	// The recorded form is served as recorded: the same JSON as the default fixture's.
	form, ok := fx.Form("tickets_form")
	require.True(t, ok)
	def, err := store.LoadFixtures(fixtures.FS)
	require.NoError(t, err)
	defForm, _ := def.Form("tickets_form")
	assert.JSONEq(t, string(defForm.Raw), string(form.Raw))
	assert.NotEmpty(t, set.Notes, "what had to be rebuilt is reported")

	srv := newMock(t, os.DirFS(dir))
	clienttest.RunTicketFlow(t, srv.URL, "<app-token-1>", "user1@example.test", capsule.PasswordPlaceholder, nil)
}

func TestDeriveFixturesFromFetchedEntities(t *testing.T) {
	t.Parallel()
	_, list := defaultFixtureList(t, "products.json")
	accounts, _ := defaultFixtureList(t, "payment-accounts.json")
	forms, formList := defaultFixtureList(t, "forms.json")

	c := capsule.New("sha256:x", "live-2026")
	c.Exchanges = []capsule.Exchange{
		{Method: "GET", Path: "/api/content/forms", Query: "langCode=en_US", Status: 200, ResponseBody: json.RawMessage(`{"total":` + strconv.Itoa(len(formList)) + `,"items":` + string(forms) + `}`)},
		{Method: "GET", Path: "/api/content/products/11", Query: "langCode=en_US", Status: 200, ResponseBody: list[1]},
		{Method: "GET", Path: "/api/content/payments/accounts", Status: 200, ResponseBody: accounts},
		{Method: "GET", Path: "/api/content/users-auth-providers/marker/email", Status: 200,
			ResponseBody: json.RawMessage(`{"id":1,"localizeInfos":{"title":"Email"},"config":{"accessTokenTtlSec":"36000"},"version":0,"identifier":"email","type":"email","formIdentifier":"reg","userGroupIdentifier":"guest","isActive":true,"isCheckCode":false,"tokenSecretKey":"<secret-1>"}`)},
		{Method: "GET", Path: "/api/content/orders-storage/marker/tickets", Status: 200,
			ResponseBody: json.RawMessage(`{"id":3,"localizeInfos":{"title":"Tickets"},"position":1,"identifier":"tickets","formIdentifier":"tickets_form","generalTypeId":23,"paymentAccountIdentifiers":[{"identifier":"cash"}]}`)},
		{Method: "GET", Path: "/api/content/orders-storage/marker/tickets/order-statuses", Status: 200,
			ResponseBody: json.RawMessage(`[{"id":7,"localizeInfos":{"title":"New"},"identifier":"new","position":1,"isUsed":true,"isDefault":true},` +
				`{"id":8,"localizeInfos":{"title":"Paid"},"identifier":"paid","position":2,"isUsed":true,"isDefault":false},` +
				`{"id":9,"localizeInfos":{"title":"Cancelled"},"identifier":"cancelled","position":3,"isUsed":true,"isDefault":false}]`)},
		{Method: "GET", Path: "/api/content/orders-storage/marker/tickets/orders", Query: "langCode=en_US&limit=30&offset=0", Status: 200,
			ResponseBody: json.RawMessage(`{"items":[{"id":7,"storageId":3,"createdDate":"2025-04-30T21:54:48.918Z","statusIdentifier":"new","formIdentifier":"tickets_form","formData":[],"attributeSetIdentifier":"order_form","totalSum":"600.00","currency":"EUR","paymentAccountIdentifier":"cash","paymentAccountLocalizeInfos":{},"products":[{"id":12,"title":"Gold","sku":null,"previewImage":null,"price":300,"quantity":2}],"paymentUrl":null,"isCompleted":null}],"total":1}`)},
		{Method: "POST", Path: "/api/content/users-auth-providers/marker/email/users/auth", Status: 201,
			RequestHeaders: map[string]string{"x-app-token": "<app-token-1>"},
			RequestBody:    json.RawMessage(`{"authData":[{"marker":"email_reg","value":"user1@example.test"},{"marker":"password_reg","value":"<password>"}]}`),
			ResponseBody:   json.RawMessage(`{"userIdentifier":"user1@example.test","authProviderIdentifier":"email","accessToken":"<access-token-1>","refreshToken":"<refresh-token-1>"}`)},
		{Method: "GET", Path: "/api/content/users/me", Query: "langCode=en_US", Status: 200,
			ResponseBody: json.RawMessage(`{"id":16,"identifier":"user1@example.test","authProviderIdentifier":"email","formData":{"en_US":[{"marker":"name_reg","type":"string","value":"Ivan"}]},"formIdentifier":"reg","total":"1","groups":[1],"state":{},"moduleFormConfigs":[],"rating":{}}`)},
	}
	set, fx := deriveAndLoad(t, c)

	assert.Len(t, fx.Forms, len(formList))
	p11, ok := fx.Product(11)
	require.True(t, ok)
	assert.JSONEq(t, string(list[1]), string(p11.Raw), "a fetched product is kept as fetched")
	p12, ok := fx.Product(12)
	require.True(t, ok)
	assert.Equal(t, "Gold", p12.Title)
	assert.InDelta(t, 300, *p12.Price, 0.001, "from the order read's expanded product")
	storage, _ := fx.OrderStorage("tickets")
	assert.Equal(t, 3, storage.ID)
	assert.Equal(t, "EUR", storage.Currency)
	assert.Equal(t, "order_form", storage.AttributeSetIdentifier)
	assert.Equal(t, "new", storage.DefaultStatus())
	assert.Equal(t, "paid", storage.PaidStatus, "a paid order moves to the status named paid")
	assert.Equal(t, "cancelled", storage.CanceledStatus)
	assert.Contains(t, set.Notes, `order-storages.json: storage "tickets": orders move to "paid" as paid, the status of that name (the API does not show the project's setting)`)
	provider, ok := fx.AuthProvider("email")
	require.True(t, ok)
	assert.Equal(t, "email_reg", provider.LoginMarker)
	assert.Equal(t, "password_reg", provider.PasswordMarker)
	assert.Equal(t, "reg", provider.FormIdentifier)
	require.Len(t, fx.Users, 1)
	assert.Equal(t, 16, fx.Users[0].ID)
	assert.JSONEq(t, `[{"marker":"name_reg","type":"string","value":"Ivan"}]`, string(fx.Users[0].FormData), "users/me formData, unwrapped from its locale")
	assert.Contains(t, set.Notes, `auth-providers.json: field "tokenSecretKey" is not part of the fixture format and was left out`)

	// A profile read without the sign-up form: the user's form is left out, and the set loads.
	// Orders read without their storage's statuses: the status they show is the default.
	c.Exchanges = []capsule.Exchange{
		{Method: "GET", Path: "/api/content/forms/marker/tickets_form", Query: "langCode=en_US", Status: 200, ResponseBody: formList[0]},
		c.Exchanges[6], c.Exchanges[7], c.Exchanges[8],
	}
	set, fx = deriveAndLoad(t, c)
	require.Len(t, fx.Users, 1)
	assert.Empty(t, fx.Users[0].FormIdentifier)
	assert.Contains(t, set.Notes, "users.json, field formIdentifier: 1 left out, naming objects of forms.json the capsule has no answer of (record GET /api/content/forms, or the form by its marker)")
	assert.Contains(t, set.Notes, `order-storages.json: storage "tickets": its order statuses were not recorded (GET /api/content/orders-storage/marker/tickets/order-statuses); those its orders show are kept, and new orders get "new", the first seen`)

	_, err := capsule.DeriveFixtures(capsule.New("", ""))
	assert.ErrorIs(t, err, capsule.ErrNoExchanges)
	c.Exchanges = []capsule.Exchange{{Method: "GET", Path: "/api/content/forms/marker/x", Status: 404, ResponseBody: json.RawMessage(`{}`)}}
	_, err = capsule.DeriveFixtures(c)
	assert.ErrorContains(t, err, "no successful answer")
}

// A form whose submissions the recording read is derived publicly readable; one whose read the
// project refused, or that the recording never read, stays private.
func TestDeriveFixturesKeepsWhichFormsAreReadable(t *testing.T) {
	t.Parallel()
	forms, formList := defaultFixtureList(t, "forms.json")
	c := capsule.New("sha256:x", "live-2026")
	c.Exchanges = []capsule.Exchange{
		{Method: "GET", Path: "/api/content/forms", Query: "langCode=en_US", Status: 200, ResponseBody: json.RawMessage(`{"total":` + strconv.Itoa(len(formList)) + `,"items":` + string(forms) + `}`)},
		{Method: "POST", Path: "/api/content/form-data/marker/contact_us", Query: "langCode=en_US&offset=0&limit=30", Status: 200,
			RequestBody: json.RawMessage(`{}`), ResponseBody: json.RawMessage(`{"items":[],"total":0}`)},
		{Method: "GET", Path: "/api/content/form-data/marker/reg", Query: "langCode=en_US", Status: 200,
			ResponseBody: json.RawMessage(`{"items":[],"total":0}`)}, // as SDK 1.0.115 reads them
		{Method: "POST", Path: "/api/content/form-data/marker/tickets_form", Query: "langCode=en_US&offset=0&limit=30", Status: 403,
			RequestBody: json.RawMessage(`{}`), ResponseBody: json.RawMessage(`{"statusCode":403,"message":"Forbidden"}`)},
		{Method: "POST", Path: "/api/content/form-data/marker/not_recorded", Query: "langCode=en_US", Status: 200,
			RequestBody: json.RawMessage(`{}`), ResponseBody: json.RawMessage(`{"items":[],"total":0}`)},
	}
	_, fx := deriveAndLoad(t, c)
	private := map[string]bool{}
	for _, f := range fx.Forms {
		private[f.Identifier] = f.IsPrivate == nil || *f.IsPrivate
	}
	assert.Equal(t, map[string]bool{"contact_us": false, "tickets_form": true, "reg": false}, private,
		"only the read the project answered makes a form readable; a form the capsule has no answer of is not invented")
}

// defaultFixtureList reads a list file of the default fixtures: its bytes and its items.
func defaultFixtureList(t *testing.T, name string) ([]byte, []json.RawMessage) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "fixtures", name))
	require.NoError(t, err)
	var items []json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &items))
	return raw, items
}

// deriveAndLoad derives the fixtures of c, writes them to a folder and loads them, as serve
// would: the set must load.
func deriveAndLoad(t *testing.T, c *capsule.Capsule) (*capsule.FixtureSet, *store.Fixtures) {
	t.Helper()
	set, err := capsule.DeriveFixtures(c)
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, set.WriteDir(dir))
	fx, err := store.LoadFixtures(os.DirFS(dir))
	require.NoError(t, err, "notes: %s", set.Notes)
	return set, fx
}

// A recording that fetched a storage but placed no order still derives a set that loads: every
// account the storage names is rebuilt, and the notes say so.
func TestDeriveFixturesRebuildsTheAccountsAStorageNames(t *testing.T) {
	t.Parallel()
	upstream := newMock(t, nil)
	u, err := url.Parse(upstream.URL)
	require.NoError(t, err)
	rec := capsule.NewRecorder(filepath.Join(t.TempDir(), "c.json"), capsule.Capsule{Profile: "sdk-1.0.115"})
	proxy, err := capsule.NewProxy(capsule.ProxyOptions{Upstream: u, Recorder: rec})
	require.NoError(t, err)
	ps := httptest.NewServer(proxy)
	t.Cleanup(ps.Close)

	ctx := t.Context()
	c, err := client.New(ps.URL, client.WithAppToken(seedAppToken))
	require.NoError(t, err)
	_, err = c.Auth(ctx, "email", client.AuthRequest{AuthData: []client.AuthData{{Marker: "email_reg", Value: seedLogin}, {Marker: "password_reg", Value: seedPassword}}})
	require.NoError(t, err)
	_, err = c.Form(ctx, "tickets_form")
	require.NoError(t, err)
	storage, err := c.OrderStorage(ctx, "tickets")
	require.NoError(t, err)
	require.Len(t, storage.PaymentAccountIdentifiers, 4, "the seed's storage names cash, stripe, paypal and stripe_disconnected")

	set, err := capsule.DeriveFixtures(rec.Capsule())
	require.NoError(t, err)
	fx, err := store.LoadFixtures(set.FS(t.TempDir()))
	require.NoError(t, err, "the derived set loads; notes: %s", set.Notes)
	ids := map[int]bool{}
	for _, named := range storage.PaymentAccountIdentifiers {
		account, ok := fx.PaymentAccount(named.Identifier)
		require.True(t, ok, named.Identifier)
		assert.False(t, ids[account.ID], "account %s has an id of its own", named.Identifier)
		ids[account.ID] = true
		assert.Contains(t, set.Notes, fmt.Sprintf("payment-accounts.json: account %q was never fetched; it is rebuilt as a custom account (id %d) because storage \"tickets\" names it (no order used it, so its type and settings are guessed)", named.Identifier, account.ID))
	}
}

func TestAuthMarkers(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		form            string
		login, password string
	}{
		"flagged":  {`{"attributes":[{"marker":"email"},{"marker":"pass_hint"},{"marker":"mail_x","isLogin":true},{"marker":"secret_x","isPassword":true}]}`, "mail_x", "secret_x"},
		"named":    {`{"attributes":[{"marker":"name_reg"},{"marker":"email_reg"},{"marker":"password_reg"}]}`, "email_reg", "password_reg"},
		"none":     {`{"attributes":[{"marker":"name"}]}`, "", ""},
		"not JSON": {`[`, "", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			login, password := capsule.AuthMarkers(json.RawMessage(tc.form))
			assert.Equal(t, tc.login, login)
			assert.Equal(t, tc.password, password)
		})
	}
}

// defaultList is the elements of a JSON list file of the default fixtures.
func defaultList(t *testing.T, name string) []json.RawMessage {
	t.Helper()
	data, err := os.ReadFile("../fixtures/" + name)
	require.NoError(t, err)
	var list []json.RawMessage
	require.NoError(t, json.Unmarshal(data, &list))
	return list
}

// Recorded menus, pages and blocks keep only their references to what the capsule recorded
// too (a menu's links to pages, a page's template, attribute set and blocks): the fixtures
// then load, and the notes say what was left out.
func TestDeriveFixturesKeepsReferencesToRecordedObjects(t *testing.T) {
	t.Parallel()
	forms, menus, pages, blocks := defaultList(t, "forms.json"), defaultList(t, "menus.json"), defaultList(t, "pages.json"), defaultList(t, "blocks.json")
	recordedPages, err := json.Marshal([]json.RawMessage{pages[0], pages[1], pages[3]}) // home, tickets, history (a child of about)
	require.NoError(t, err)
	c := capsule.New("sha256:x", "live-2026")
	c.Exchanges = []capsule.Exchange{
		{Method: "GET", Path: "/api/content/forms/marker/tickets_form", Query: "langCode=en_US", Status: 200, ResponseBody: forms[0]},
		{Method: "GET", Path: "/api/content/menus/marker/main", Query: "langCode=en_US", Status: 200, ResponseBody: menus[0]},
		{Method: "GET", Path: "/api/content/pages", Query: "langCode=en_US", Status: 200, ResponseBody: recordedPages},
		{Method: "POST", Path: "/api/content/blocks", Query: "langCode=en_US", Status: 200, ResponseBody: blocks[0]}, // hero
		{Method: "POST", Path: "/api/content/blocks", Query: "langCode=en_US", Status: 200, ResponseBody: blocks[2]}, // similar to tickets
	}
	set, _ := deriveAndLoad(t, c)
	var derived []struct{ Pages []struct{ PageURL string } }
	require.NoError(t, json.Unmarshal(set.Files[store.FileMenus], &derived))
	require.Len(t, derived, 1)
	var urls []string
	for _, p := range derived[0].Pages {
		urls = append(urls, p.PageURL)
	}
	assert.Equal(t, []string{"home", "tickets"}, urls)
	assert.Contains(t, set.Notes, "2 menu links name pages the capsule has no answer of (GET /api/content/pages): they are left out of menus.json")

	var derivedPages []struct {
		ParentID               *int     `json:"parentId"`
		TemplateIdentifier     *string  `json:"templateIdentifier"`
		AttributeSetIdentifier *string  `json:"attributeSetIdentifier"`
		Blocks                 []string `json:"blocks"`
	}
	require.NoError(t, json.Unmarshal(set.Files[store.FilePages], &derivedPages))
	require.Len(t, derivedPages, 3)
	home, history := derivedPages[0], derivedPages[2]
	assert.Nil(t, home.TemplateIdentifier)
	assert.Nil(t, home.AttributeSetIdentifier)
	assert.Equal(t, []string{"hero"}, home.Blocks, "the recorded block stays")
	assert.Nil(t, history.ParentID, "its parent was not recorded")
	var derivedBlocks []struct {
		ProductPageUrls []string `json:"productPageUrls"`
		CustomSettings  struct {
			SimilarScope struct {
				PageIDs []int `json:"pageIds"`
			} `json:"similarScope"`
		} `json:"customSettings"`
	}
	require.NoError(t, json.Unmarshal(set.Files[store.FileBlocks], &derivedBlocks))
	require.Len(t, derivedBlocks, 2)
	assert.Equal(t, []string{"tickets"}, derivedBlocks[1].ProductPageUrls, "references to recorded pages stay")
	assert.Equal(t, []int{8}, derivedBlocks[1].CustomSettings.SimilarScope.PageIDs)
	assert.Contains(t, set.Notes, "pages.json, field parentId: 1 left out, naming objects of pages.json the capsule has no answer of (record GET /api/content/pages)")

	// A menu item's own items are links too: about stays, its unrecorded child history goes.
	withAbout, err := json.Marshal([]json.RawMessage{pages[0], pages[1], pages[2], pages[4]})
	require.NoError(t, err)
	c.Exchanges[2].ResponseBody = withAbout
	set, _ = deriveAndLoad(t, c)
	assert.Contains(t, set.Notes, "1 menu links name pages the capsule has no answer of (GET /api/content/pages): they are left out of menus.json")
	assert.NotContains(t, string(set.Files[store.FileMenus]), `"history"`)
	assert.Contains(t, set.Notes, "blocks.json, field templateIdentifier: 1 left out, naming objects of templates.json the capsule has no answer of (record GET /api/content/templates)")
	assert.Contains(t, set.Notes, "pages.json, field blocks: 1 left out, naming objects of blocks.json the capsule has no answer of (record POST /api/content/blocks)")
}

// A recorded product keeps its references to the templates, attribute sets and blocks the
// capsule listed, and those to a file the capsule has no list of, which the fixtures do not
// check: the fixtures load either way.
func TestDeriveFixturesKeepsProductReferencesItCanServe(t *testing.T) {
	t.Parallel()
	forms, products, blocks := defaultList(t, "forms.json"), defaultList(t, "products.json"), defaultList(t, "blocks.json")
	var fields map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(products[0], &fields))
	fields["templateIdentifier"] = json.RawMessage(`"ticket_template"`)
	fields["blocks"] = json.RawMessage(`["hero","featured_tickets"]`)
	product, err := json.Marshal(fields)
	require.NoError(t, err)
	c := capsule.New("sha256:x", "live-2026")
	c.Exchanges = []capsule.Exchange{
		{Method: "GET", Path: "/api/content/forms/marker/tickets_form", Query: "langCode=en_US", Status: 200, ResponseBody: forms[0]},
		{Method: "GET", Path: "/api/content/products/10", Query: "langCode=en_US", Status: 200, ResponseBody: product},
		{Method: "POST", Path: "/api/content/blocks", Query: "langCode=en_US", Status: 200, ResponseBody: blocks[0]}, // hero
	}
	set, fx := deriveAndLoad(t, c)
	p, ok := fx.Product(10)
	require.True(t, ok)
	var derived struct {
		TemplateIdentifier     *string  `json:"templateIdentifier"`
		AttributeSetIdentifier *string  `json:"attributeSetIdentifier"`
		Blocks                 []string `json:"blocks"`
	}
	require.NoError(t, json.Unmarshal(p.Raw, &derived))
	assert.Equal(t, []string{"hero"}, derived.Blocks, "the block the capsule listed stays")
	assert.Equal(t, "ticket_template", *derived.TemplateIdentifier, "no template was listed: the name stays")
	assert.Equal(t, "tickets", *derived.AttributeSetIdentifier)
	assert.Contains(t, set.Notes, "products.json, field blocks: 1 left out, naming objects of blocks.json the capsule has no answer of (record POST /api/content/blocks)")
}

// A fixture file rewritten through DecodeOrdered and MarshalFile keeps its keys' order and
// its <, > and &; Set replaces in place and adds last, Delete removes.
func TestMarshalFileKeepsOrderAndText(t *testing.T) {
	t.Parallel()
	v, err := capsule.DecodeOrdered([]byte(`{"z":1,"a":{"y":"<p>&</p>","b":[{"k":2.50,"c":null}]},"m":true}`))
	require.NoError(t, err)
	o := v.(*capsule.Object)
	o.Set("a", o.Values[1])
	o.Set("n", "new")
	o.Delete("m")
	got, err := capsule.MarshalFile(o)
	require.NoError(t, err)
	assert.Equal(t, `{
  "z": 1,
  "a": {
    "y": "<p>&</p>",
    "b": [
      {
        "k": 2.50,
        "c": null
      }
    ]
  },
  "n": "new"
}
`, string(got))
	var decoded capsule.Object
	require.NoError(t, json.Unmarshal(got, &decoded))
	assert.Equal(t, []string{"z", "a", "n"}, decoded.Keys)
	assert.Error(t, json.Unmarshal([]byte(`[1]`), &decoded), "only an object decodes into an Object")
}
