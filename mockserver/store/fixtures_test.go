package store_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

func TestEmbeddedFixturesLoad(t *testing.T) {
	t.Parallel()
	fx, err := store.LoadFixtures(fixtures.FS)
	require.NoError(t, err)
	assert.Equal(t, "your-app-token", fx.Project.AppToken)
	form, ok := fx.Form("tickets_form")
	require.True(t, ok)
	assert.Equal(t, 9, form.ID)
	tickets, ok := form.Attribute("tickets")
	require.True(t, ok)
	assert.True(t, tickets.Required())
	schedule, ok := form.Attribute("schedule")
	require.True(t, ok)
	assert.False(t, schedule.Required())
	for id, cents := range map[int]int64{10: 10000, 11: 20000, 12: 30000} {
		p, ok := fx.Product(id)
		require.True(t, ok)
		assert.Equal(t, cents, *p.PriceCents)
	}
	assert.Equal(t, "Бронзовый", mustProduct(t, fx, 10).Title)
	st, ok := fx.OrderStorage("tickets")
	require.True(t, ok)
	assert.Equal(t, "inProgress", st.DefaultStatus())
	assert.Len(t, fx.Users, 2)
}

func mustProduct(t *testing.T, fx *store.Fixtures, id int) *store.Product {
	t.Helper()
	p, ok := fx.Product(id)
	require.True(t, ok)
	return p
}

// withFile returns the default fixtures with one file replaced (or removed when content is "").
func withFile(t *testing.T, name, content string) fs.FS {
	t.Helper()
	m := fixtures.Copy()
	if content == "" {
		delete(m, name)
	} else {
		m[name] = &fstest.MapFile{Data: []byte(content)}
	}
	return m
}

func replaceIn(t *testing.T, name, old, new string) fs.FS {
	t.Helper()
	data, err := fs.ReadFile(fixtures.FS, name)
	require.NoError(t, err)
	require.Contains(t, string(data), old)
	return withFile(t, name, strings.Replace(string(data), old, new, 1))
}

// A fixture file nested deeper than JSON decoding follows is refused by the decoding, and the
// scan for repeated keys that runs before it stops at the same depth: following the whole
// nesting it held a frame per byte, some 500 MB for these 4 MiB. Not parallel, so that the
// process's allocations are this load's.
func TestDeeplyNestedFixtureIsRefusedWithinBoundedMemory(t *testing.T) {
	fsys := withFile(t, store.FileProducts, strings.Repeat("[", 4<<20))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := store.LoadFixtures(fsys)
	runtime.ReadMemStats(&after)
	require.Error(t, err)
	assert.Contains(t, err.Error(), store.FileProducts)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(64<<20), "bytes allocated by the load")
}

// A storage with no default status gives new orders its first.
func TestAStorageWithoutADefaultStatusStartsOrdersAtItsFirst(t *testing.T) {
	t.Parallel()
	fx, err := store.LoadFixtures(replaceIn(t, store.FileOrderStorages, `"isUsed": true, "isDefault": true },`, `"isUsed": true, "isDefault": false },`))
	require.NoError(t, err)
	storage, ok := fx.OrderStorage("tickets")
	require.True(t, ok)
	assert.Equal(t, "inProgress", storage.DefaultStatus())
}

// A file that starts with a UTF-8 byte order mark, as editors on Windows save it, loads.
func TestFixturesWithAByteOrderMarkLoad(t *testing.T) {
	t.Parallel()
	data, err := fs.ReadFile(fixtures.FS, store.FileProducts)
	require.NoError(t, err)
	fx, err := store.LoadFixtures(withFile(t, store.FileProducts, "\ufeff"+string(data)))
	require.NoError(t, err)
	_, ok := fx.Product(10)
	assert.True(t, ok)
}

// What a project file leaves out takes the documented defaults (docs/fixtures.md): UTC, en_US,
// first order and session ids 1, and a payment session waits 30 minutes.
func TestFixtureDefaults(t *testing.T) {
	t.Parallel()
	fsys := withFile(t, store.FileProject, `{"appToken":"your-app-token"}`)
	data, err := fs.ReadFile(fsys, store.FilePaymentAccounts)
	require.NoError(t, err)
	const stripeTimeout = `,
    "sessionTimeoutMinutes": 30`
	require.Contains(t, string(data), stripeTimeout)
	fsys.(fstest.MapFS)[store.FilePaymentAccounts] = &fstest.MapFile{Data: []byte(strings.Replace(string(data), stripeTimeout, "", 1))}
	fx, err := store.LoadFixtures(fsys)
	require.NoError(t, err)
	assert.Equal(t, "UTC", fx.Project.TimeZone)
	assert.Equal(t, time.UTC.String(), fx.Project.Location.String())
	assert.Equal(t, "en_US", fx.Project.DefaultLanguage)
	assert.Equal(t, 1, fx.Project.FirstOrderID)
	assert.Equal(t, 1, fx.Project.FirstPaymentSessionID)
	for _, a := range fx.PaymentAccounts {
		if a.Identifier == "stripe" {
			assert.Equal(t, 30*time.Minute, a.SessionTimeout(), "stripe, its timeout left out")
		}
	}
}

func TestBadFixturesNameFileAndField(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		fsys      fs.FS
		file      string
		field     string
		errSubstr string
	}{
		{"missing file", withFile(t, store.FileUsers, ""), store.FileUsers, "", "missing"},
		{"broken JSON", withFile(t, store.FileProducts, `[{"id": 10,`), store.FileProducts, "", "invalid JSON"},
		{"a FIFO", func() fs.FS {
			m := fixtures.Copy()
			m[store.FileProducts] = &fstest.MapFile{Mode: fs.ModeNamedPipe}
			return m
		}(), store.FileProducts, "", "not a regular file"},
		{"unknown field", replaceIn(t, store.FileUsers, `"password": "123456"`, `"password": "123456", "pasword": "x"`), store.FileUsers, "pasword", "unknown field"},
		{"wrong type", replaceIn(t, store.FileProducts, `"price": 200`, `"price": "200"`), store.FileProducts, "[1].price", "must be a number, not a string"},
		{"negative price", replaceIn(t, store.FileProducts, `"price": 200`, `"price": -1`), store.FileProducts, "[1].price", "non-negative"},
		{"unknown form of storage", replaceIn(t, store.FileOrderStorages, `"formIdentifier": "tickets_form"`, `"formIdentifier": "nope"`), store.FileOrderStorages, "[0].formIdentifier", "nope"},
		{"unknown account of storage", replaceIn(t, store.FileOrderStorages, `{ "identifier": "cash" }`, `{ "identifier": "venmo" }`), store.FileOrderStorages, "[0].paymentAccountIdentifiers[0].identifier", "venmo"},
		{"user of unknown provider", replaceIn(t, store.FileUsers, `"authProviderIdentifier": "email"`, `"authProviderIdentifier": "phone"`), store.FileUsers, "[0].authProviderIdentifier", "phone"},
		{"duplicate login", replaceIn(t, store.FileUsers, `"identifier": "second-user@email.com"`, `"identifier": "YOUR-USER@email.com"`), store.FileUsers, "[1].identifier", "duplicate"},
		{"empty password", replaceIn(t, store.FileUsers, `"password": "654321"`, `"password": ""`), store.FileUsers, "[1].password", "empty"},
		{"bad time zone", replaceIn(t, store.FileProject, `"Europe/Moscow"`, `"Mars/Olympus"`), store.FileProject, "timeZone", "Mars"},
		{"short secret", replaceIn(t, store.FileProject, `"appToken":`, `"tokenSecret": "short", "appToken":`), store.FileProject, "tokenSecret", "16"},
		{"duplicate form", replaceIn(t, store.FileForms, `"identifier": "reg"`, `"identifier": "tickets_form"`), store.FileForms, "[1].identifier", "duplicate"},
		{"validators not an object", replaceIn(t, store.FileForms, `"validators": {}`, `"validators": 5`), store.FileForms, "[0].attributes[0].validators", "object"},
		{"bad account date", replaceIn(t, store.FilePaymentAccounts, `"2025-02-26T10:13:16.839Z"`, `"yesterday"`), store.FilePaymentAccounts, "[0].updatedDate", "date"},
		{"first order id past the bound", replaceIn(t, store.FileProject, `"firstOrderId": 92`, `"firstOrderId": 9223372036854775807`), store.FileProject, "firstOrderId", "must be from 0 to"},
		{"session timeout past a year", replaceIn(t, store.FilePaymentAccounts, `"sessionTimeoutMinutes": 30`, `"sessionTimeoutMinutes": 200000000`), store.FilePaymentAccounts, "sessionTimeoutMinutes", "a year"},
		{"test session timeout past a year", replaceIn(t, store.FilePaymentAccounts, `"sessionTimeout": 30`, `"sessionTimeout": 200000000`), store.FilePaymentAccounts, "settings", "a year"},
		{"payment URL delay past a day", replaceIn(t, store.FilePaymentAccounts, `"paymentUrlDelaySeconds": 3`, `"paymentUrlDelaySeconds": 9223372036854775807`), store.FilePaymentAccounts, "paymentUrlDelaySeconds", "a day"},
		{"webhook URL port out of range", replaceIn(t, store.FilePaymentAccounts, `"sessionTimeoutMinutes": 30`, `"sessionTimeoutMinutes": 30, "webhookUrl": "http://127.0.0.1:99999/hook"`), store.FilePaymentAccounts, "webhookUrl", "http(s) URL"},
		{"webhook URL over 2 KiB", replaceIn(t, store.FilePaymentAccounts, `"sessionTimeoutMinutes": 30`, `"sessionTimeoutMinutes": 30, "webhookUrl": "http://127.0.0.1:9/`+strings.Repeat("a", 2048)+`"`), store.FilePaymentAccounts, "webhookUrl", "2048 bytes"},
		{"product details twice", duplicateFirst(t, store.FileProductDetails), store.FileProductDetails, ".id", "duplicate product id"},
		{"not UTF-8", replaceIn(t, store.FileLocales, `"en_US"`, "\"en_US\xff\""), store.FileLocales, "", "invalid UTF-8"},
		{"trailing data", withFile(t, store.FileProject, `{"appToken":"a","tokenSecret":"0123456789abcdef"} {}`), store.FileProject, "", "after the JSON value"},
		{"user id of the wrong type", replaceIn(t, store.FileUsers, `"id": 17`, `"id": "17"`), store.FileUsers, "[1].id", "must be"},
		{"duplicate form id", replaceIn(t, store.FileForms, `"id": 3,`, `"id": 9,`), store.FileForms, "[1].id", "duplicate form id 9"},
		{"duplicate attribute", replaceIn(t, store.FileForms, `"marker": "email",`, `"marker": "name",`), store.FileForms, "[2].attributes[1].marker", `duplicate attribute "name" in form "contact_us"`},
		{"option of a missing product", replaceIn(t, store.FileForms, `"id": "p-8-10"`, `"id": "p-8-99"`), store.FileForms, "[0].attributes[1].listTitles[1].id", "names product 99"},
		{"option in the SDK's shape of a missing product", replaceIn(t, store.FileForms, `"listTitles": []`, `"listTitles": [{"title": "X", "value": "p-8-99"}]`), store.FileForms, "listTitles[0].value", "names product 99"},
		{"duplicate provider id", replaceIn(t, store.FileAuthProviders, `"id": 2,`, `"id": 1,`), store.FileAuthProviders, "[1].id", "duplicate provider id 1"},
		{"paid is the default", replaceIn(t, store.FileOrderStorages, `"paidStatus": "paid"`, `"paidStatus": "inProgress"`), store.FileOrderStorages, "[0].statuses", `new orders would get "inProgress", the paidStatus`},
		{"two default statuses", replaceIn(t, store.FileOrderStorages, `"isUsed": true, "isDefault": false },`, `"isUsed": true, "isDefault": true },`), store.FileOrderStorages, "[0].statuses", "at most one status may be isDefault"},
		{"two seat caps of one product", replaceIn(t, store.FileOrderStorages, `"paidStatus": "paid"`, `"paidStatus": "paid", "seats": {"perTicketType": {"p-8-10": 1, "p-99-10": 5}}`), store.FileOrderStorages, "[0].seats.perTicketType", "a second cap of product 10"},
		{"duplicate status", replaceIn(t, store.FileOrderStorages, `"identifier": "completed"`, `"identifier": "paid"`), store.FileOrderStorages, "[0].statuses[2].identifier", `duplicate status "paid"`},
		{"user of a missing form", replaceIn(t, store.FileUsers, `"formIdentifier": "reg"`, `"formIdentifier": "nope"`), store.FileUsers, "[0].formIdentifier", `no form "nope"`},
		{"duplicate locale", replaceIn(t, store.FileLocales, `"code": "ru_RU"`, `"code": "en_US"`), store.FileLocales, "[1].code", `duplicate locale "en_US"`},
		{"locale active as text", replaceIn(t, store.FileLocales, `"isActive": true,`, `"isActive": "yes",`), store.FileLocales, "[0].isActive", `locales.json:8:5: [0].isActive: must be true or false, not "yes"`},
		{"locale active as a number", replaceIn(t, store.FileLocales, `"isActive": true,`, `"isActive": 1,`), store.FileLocales, "[0].isActive", "must be true or false, not 1"},
		{"locale code a word", replaceIn(t, store.FileLocales, `"code": "ru_RU"`, `"code": "german"`), store.FileLocales, "[1].code", `locales.json:15:5: [1].code: must be a language code such as en_US, not "german"`},
		{"locale code with a hyphen", replaceIn(t, store.FileLocales, `"code": "ru_RU"`, `"code": "de-DE"`), store.FileLocales, "[1].code", `not "de-DE"`},
		{"default language no locale", replaceIn(t, store.FileProject, `"defaultLanguage": "en_US"`, `"defaultLanguage": "fr_FR"`), store.FileProject, "defaultLanguage", `project.json:4:3: defaultLanguage: "fr_FR" is not an active locale of locales.json (en_US, ru_RU)`},
		{"default language a word", replaceIn(t, store.FileProject, `"defaultLanguage": "en_US"`, `"defaultLanguage": "klingon"`), store.FileProject, "defaultLanguage", `must be a language code such as en_US, not "klingon"`},
		{"duplicate key", replaceIn(t, store.FileProducts, `"price": 200,`, `"price": 200, "price": 5,`), store.FileProducts, "[1].price", `products.json:69:19: [1].price: duplicate key "price" in one object`},
		{"duplicate key at the top", replaceIn(t, store.FileProject, `"appToken": "your-app-token",`, `"appToken": "your-app-token", "appToken": "x",`), store.FileProject, "appToken", `project.json:2:33: appToken: duplicate key "appToken"`},
		{"duplicate key in another case", replaceIn(t, store.FileProducts, `"price": 200,`, `"price": 200, "Price": 5,`), store.FileProducts, "[1].Price", `products.json:69:19: [1].Price: key "Price" repeats "price" of the same object`},
		{"duplicate key spelt with an escape", replaceIn(t, store.FileOrderStorages, `"isUsed": true, "isDefault": true },`, `"isUsed": true, "isDefault": true, "is\u0044efault": false },`), store.FileOrderStorages, "[0].statuses[0].isDefault", `duplicate key "isDefault"`},
		{"product of a missing status", replaceIn(t, store.FileProducts, `"statusIdentifier": null,`, `"statusIdentifier": "nostatus",`), store.FileProducts, "[0].statusIdentifier", `products.json:7:5: [0].statusIdentifier: names "nostatus", which does not exist`},
		{"product of a missing template", replaceIn(t, store.FileProducts, `"templateIdentifier": null,`, `"templateIdentifier": "notpl",`), store.FileProducts, "[0].templateIdentifier", `products.json:11:5: [0].templateIdentifier: names "notpl"`},
		{"product of a missing preview template", replaceIn(t, store.FileProducts, `"shortDescTemplateIdentifier": null,`, `"shortDescTemplateIdentifier": "notpl",`), store.FileProducts, "[0].shortDescTemplateIdentifier", `names "notpl"`},
		{"product of a missing attribute set", replaceIn(t, store.FileProducts, `"attributeSetIdentifier": "tickets",`, `"attributeSetIdentifier": "noset",`), store.FileProducts, "[0].attributeSetIdentifier", `products.json:9:5: [0].attributeSetIdentifier: names "noset"`},
		{"product details of a missing block", replaceIn(t, store.FileProductDetails, `"relatedIds": [`, `"blocks": ["noblock"], "relatedIds": [`), store.FileProductDetails, "[0].blocks", `names block "noblock", which does not exist`},
		{"product of a missing block", replaceIn(t, store.FileProducts, `"blocks": [],`, `"blocks": ["noblock"],`), store.FileProducts, "[0].blocks", `products.json:53:5: [0].blocks: names block "noblock", which does not exist`},
		{"product page id as text", replaceIn(t, store.FileProducts, `"pageId": 8,`, `"pageId": "8",`), store.FileProducts, "[0].productPages[0].pageId", "products.json:47:9: [0].productPages[0].pageId: must be a whole number, not a string"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := store.LoadFixtures(tc.fsys)
			require.Error(t, err)
			var fe *store.FixtureError
			require.True(t, errors.As(err, &fe), "want a *FixtureError, got %T: %v", err, err)
			assert.Equal(t, tc.file, fe.File)
			if tc.field != "" {
				assert.Contains(t, fe.Field, tc.field)
			}
			assert.Contains(t, err.Error(), tc.errSubstr)
			assert.Contains(t, err.Error(), tc.file)
		})
	}
}

// A product names templates, attribute sets, blocks and statuses that are checked only when the
// set has their file: a set without it (one derived from a capsule of products alone) keeps
// the names its recorded products carry.
func TestProductReferencesWithoutTheirFilesLoad(t *testing.T) {
	t.Parallel()
	fsys := replaceIn(t, store.FileProducts, `"statusIdentifier": null,`, `"statusIdentifier": "recorded_status", "shortDescTemplateIdentifier": "recorded_preview",`).(fstest.MapFS)
	data := strings.Replace(string(fsys[store.FileProducts].Data), `"shortDescTemplateIdentifier": null,`, "", 1)
	data = strings.Replace(data, `"blocks": [],`, `"blocks": ["recorded_block"],`, 1)
	fsys[store.FileProducts] = &fstest.MapFile{Data: []byte(data)}
	for _, f := range []string{store.FileProductStatuses, store.FileProductDetails, store.FileTemplates, store.FileBlocks, store.FilePages, store.FileMenus} {
		delete(fsys, f)
	}
	_, err := store.LoadFixtures(fsys)
	require.NoError(t, err)
}

// FuzzLoadFixtures feeds arbitrary bytes as each fixture file: loading may fail, never panic.
func FuzzLoadFixtures(f *testing.F) {
	names := []string{store.FileProject, store.FileAuthProviders, store.FileUsers, store.FileForms, store.FileProducts, store.FileOrderStorages, store.FilePaymentAccounts, store.FileDiscounts}
	for i, n := range names {
		data, err := fs.ReadFile(fixtures.FS, n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), data)
	}
	f.Add(uint8(3), []byte(`[{"id":1,"identifier":"x","attributes":[{"type":"entity","marker":"m","validators":{"requiredValidator":null},"listTitles":[{"id":null}]}]}]`))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		m := fstest.MapFS{}
		for _, n := range names {
			orig, _ := fs.ReadFile(fixtures.FS, n)
			m[n] = &fstest.MapFile{Data: orig}
		}
		m[names[int(which)%len(names)]] = &fstest.MapFile{Data: data}
		fx, err := store.LoadFixtures(m)
		if err != nil {
			var fe *store.FixtureError
			if !errors.As(err, &fe) {
				t.Fatalf("error is not a *FixtureError: %v", err)
			}
			return
		}
		// A set that loads must seed a store.
		_ = store.New(store.Options{Fixtures: fx})
	})
}

// withDiscounts is the default fixture set with discounts.json replaced.
func withDiscounts(discounts string) fstest.MapFS {
	m := fixtures.Copy()
	m[store.FileDiscounts] = &fstest.MapFile{Data: []byte(discounts)}
	return m
}

// Automatic discounts apply where their conditions hold: a per-item fixed price on the products
// a PRODUCT condition names, an OR of conditions, a threshold on the cart before discounts.
func TestAutomaticDiscountConditions(t *testing.T) {
	t.Parallel()
	fx, err := store.LoadFixtures(withDiscounts(`[
	  {"id":1,"identifier":"gold_at_250","type":"DISCOUNT","localizeInfos":{},"version":0,"position":1,
	   "discountValue":{"applicability":"TO_PRODUCT","discountType":"FIXED_PRICE","value":250,"maxAmount":null},
	   "conditions":[{"type":"PRODUCT","value":"12"}],"exclusions":null,"gifts":[],"giftsReplaceCartItems":false,"userGroups":null,"userExclusions":null},
	  {"id":2,"identifier":"silver_or_vip","type":"DISCOUNT","localizeInfos":{},"version":0,"position":2,"conditionLogic":"OR",
	   "discountValue":{"applicability":"TO_ORDER","discountType":"FIXED_AMOUNT","value":10,"maxAmount":null},
	   "conditions":[{"type":"PRODUCT_IN_CART","value":"11"},{"type":"CATEGORY","value":"vip"}],"exclusions":null,"gifts":[],"giftsReplaceCartItems":false,"userGroups":null,"userExclusions":null},
	  {"id":3,"identifier":"bulk","type":"DISCOUNT","localizeInfos":{},"version":0,"position":3,"conditionLogic":"AND",
	   "discountValue":{"applicability":"TO_ORDER","discountType":"PERCENTAGE","value":5,"maxAmount":20},
	   "conditions":[{"type":"MIN_CART_AMOUNT","value":"500"},{"type":"CATEGORY","value":"tickets"}],"exclusions":null,"gifts":[],"giftsReplaceCartItems":false,"userGroups":null,"userExclusions":null}
	]`))
	require.NoError(t, err)
	st := store.New(store.Options{Fixtures: fx, Clock: frozenClock()})
	for name, tc := range map[string]struct {
		lines     []store.OrderLine
		total     int64
		discounts []int
	}{
		"nothing applies":        {[]store.OrderLine{{ProductID: 10, Quantity: 1}}, 100_00, nil},
		"fixed price on gold":    {[]store.OrderLine{{ProductID: 10, Quantity: 1}, {ProductID: 12, Quantity: 1}}, 350_00, []int{1}},
		"OR: silver in the cart": {[]store.OrderLine{{ProductID: 11, Quantity: 1}}, 190_00, []int{2}},
		// 2 gold at 250 and a silver: 700; less 10; 5 % of 690 is 34.50, capped at 20.
		"all three, capped": {[]store.OrderLine{{ProductID: 12, Quantity: 2}, {ProductID: 11, Quantity: 1}}, 670_00, []int{1, 2, 3}},
	} {
		t.Run(name, func(t *testing.T) {
			q, err := st.PreviewOrder(t.Context(), 16, tc.lines, store.DiscountRequest{})
			require.NoError(t, err)
			assert.Equal(t, tc.total, q.TotalCents)
			assert.Equal(t, tc.discounts, q.Discounts.DiscountIDs)
		})
	}
}

func TestDiscountFixturesAreChecked(t *testing.T) {
	t.Parallel()
	const rest = `"localizeInfos":{},"version":0,"position":1,"exclusions":null,"gifts":[],"giftsReplaceCartItems":false,"userGroups":null,"userExclusions":null`
	value := `"discountValue":{"applicability":"TO_ORDER","discountType":"PERCENT","value":10,"maxAmount":null}`
	for name, tc := range map[string]struct{ file, field string }{
		"condition not simulated": {`[{"id":1,"identifier":"a","type":"DISCOUNT",` + value + `,"conditions":[{"type":"USER_LTV","value":"1"}],` + rest + `}]`, "[0].conditions[0].type"},
		"unknown product":         {`[{"id":1,"identifier":"a","type":"DISCOUNT",` + value + `,"conditions":[{"type":"PRODUCT","value":"99"}],` + rest + `}]`, "[0].conditions[0].value"},
		"percent over 100":        {`[{"id":1,"identifier":"a","type":"DISCOUNT","discountValue":{"applicability":"TO_ORDER","discountType":"PERCENT","value":101,"maxAmount":null},"conditions":[],` + rest + `}]`, "[0].discountValue.value"},
		"duplicate coupon code": {`[{"id":1,"identifier":"a","type":"DISCOUNT",` + value + `,"conditions":[],"coupons":[{"id":1,"code":"X","isReusable":true,"isUsed":false,"orderId":null,"usedAt":null},{"id":2,"code":"X","isReusable":true,"isUsed":false,"orderId":null,"usedAt":null}],` + rest + `}]`,
			"[0].coupons[1].code"},
		"accrual for a stranger": {`[{"id":1,"identifier":"b","type":"BONUS","conditions":[],"accruals":[{"userId":99,"amount":5,"date":"2025-01-01T00:00:00.000Z"}],` + rest + `}]`, "[0].accruals[0].userId"},
		"discount without value": {`[{"id":1,"identifier":"a","type":"DISCOUNT","conditions":[],` + rest + `}]`, "[0].discountValue"},
		"unknown field":          {`[{"id":1,"identifier":"a","type":"DISCOUNT",` + value + `,"conditions":[],"auto":true,` + rest + `}]`, "[0].auto"},
		"exclusions":             {`[{"id":1,"identifier":"a","type":"DISCOUNT",` + value + `,"conditions":[],` + strings.Replace(rest, `"exclusions":null`, `"exclusions":[{"type":"PRODUCT","value":"10"}]`, 1) + `}]`, "[0].exclusions"},
		"user groups":            {`[{"id":1,"identifier":"a","type":"DISCOUNT",` + value + `,"conditions":[],` + strings.Replace(rest, `"userGroups":null`, `"userGroups":[999]`, 1) + `}]`, "[0].userGroups"},
		"gifts":                  {`[{"id":1,"identifier":"a","type":"DISCOUNT",` + value + `,"conditions":[],` + strings.Replace(rest, `"gifts":[]`, `"gifts":[{"productId":999}]`, 1) + `}]`, "[0].gifts"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := store.LoadFixtures(withDiscounts(tc.file))
			var fe *store.FixtureError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, store.FileDiscounts, fe.File)
			assert.Equal(t, tc.field, fe.Field)
		})
	}
	m := fixtures.Copy()
	delete(m, store.FileDiscounts)
	fx, err := store.LoadFixtures(m)
	require.NoError(t, err, "the file is optional")
	assert.Empty(t, fx.Discounts)
}

func TestImportRefusesOrdersRequestsCouldNotMake(t *testing.T) {
	t.Parallel()
	fx, err := store.LoadFixtures(fixtures.FS)
	require.NoError(t, err)
	st := store.New(store.Options{Fixtures: fx, Clock: frozenClock()})
	order := func(id int, refunds ...store.RefundRequest) store.OrderRecord {
		return store.OrderRecord{
			ID: id, StorageID: 1, StorageMarker: "tickets", UserID: 16, FormIdentifier: "tickets_form",
			PaymentAccountIdentifier: "cash", StatusIdentifier: "inProgress", Language: "en_US",
			Products: []store.OrderLineRecord{{ProductID: 10, Quantity: 1}}, Currency: "USD", TotalCents: 100_00,
			Refunds: refunds,
		}
	}
	refund := func(id, product int, status string) store.RefundRequest {
		return store.RefundRequest{ID: id, Status: status, Products: []store.RefundLine{{ProductID: product, Quantity: 1}}}
	}
	withCoupon := func(o store.OrderRecord, code string) store.OrderRecord {
		o.Discounts = &store.OrderDiscounts{RawCents: o.TotalCents, CouponCode: code}
		return o
	}
	withAmount := func(r store.RefundRequest, cents int64) store.RefundRequest { r.AmountCents = cents; return r }
	withQuantity := func(r store.RefundRequest, n int) store.RefundRequest { r.Products = r.Products[:n]; return r }
	for name, tc := range map[string]struct {
		orders []store.OrderRecord
		field  string
	}{
		"refund id of another order": {[]store.OrderRecord{order(92, refund(1, 10, "pending")), order(93, refund(1, 10, "approved"))}, "orders[1].refunds[0].id"},
		"product not in the order":   {[]store.OrderRecord{order(92, refund(1, 11, "pending"))}, "orders[0].refunds[0].products[0]"},
		"unknown status":             {[]store.OrderRecord{order(92, refund(1, 10, "refunded"))}, "orders[0].refunds[0].status"},
		"id past the bound":          {[]store.OrderRecord{order(92, refund(store.MaxCounter, 10, "pending"))}, "orders[0].refunds[0].id"},
		"returned twice":             {[]store.OrderRecord{order(92, refund(1, 10, "approved"), refund(2, 10, "pending"))}, "orders[0].refunds[1].products[0]"},
		"two pending":                {[]store.OrderRecord{order(92, refund(1, 10, "declined"), refund(2, 10, "pending"), refund(3, 10, "canceled"), withQuantity(refund(4, 10, "pending"), 0))}, "orders[0].refunds[3]"},
		"more money than was due":    {[]store.OrderRecord{order(92, withAmount(refund(1, 10, "approved"), 100_01))}, "orders[0].refunds[0].amountCents"},
		"a single-use coupon twice":  {[]store.OrderRecord{withCoupon(order(92), "FIRST-K4M9"), withCoupon(order(93), "FIRST-K4M9")}, "orders[1].discounts.couponCode"},
	} {
		t.Run(name, func(t *testing.T) {
			doc := st.Export(t.Context())
			doc.Orders = tc.orders
			doc.Counters.NextOrderID = 94
			err := st.Import(t.Context(), doc)
			var e *store.Error
			require.ErrorAs(t, err, &e)
			assert.Contains(t, e.Message, tc.field)
		})
	}
}

// BenchmarkLoadDeepSite loads the default fixtures with a chain of 1000 pages, each the child
// of the one before: checking the site looks every parent up, which was a scan each.
func BenchmarkLoadDeepSite(b *testing.B) {
	m := fixtures.Copy()
	var pages []map[string]any
	require.NoError(b, json.Unmarshal(m[store.FilePages].Data, &pages))
	base := pages[len(pages)-1]
	for d := range 1000 {
		p := maps.Clone(base)
		p["id"], p["pageUrl"], p["depth"], p["parentId"] = 1000+d, fmt.Sprintf("chain-%d", d), d, nil
		if d > 0 {
			p["parentId"] = 999 + d
		}
		pages = append(pages, p)
	}
	data, err := json.Marshal(pages)
	require.NoError(b, err)
	m[store.FilePages] = &fstest.MapFile{Data: data}
	for b.Loop() {
		if _, err := store.LoadFixtures(m); err != nil {
			b.Fatal(err)
		}
	}
}

// duplicateFirst is the default fixture file name, a JSON list, with its first element again
// at the end.
func duplicateFirst(t *testing.T, name string) fs.FS {
	t.Helper()
	data, err := fs.ReadFile(fixtures.FS, name)
	require.NoError(t, err)
	var list []json.RawMessage
	require.NoError(t, json.Unmarshal(data, &list))
	again, err := json.Marshal(append(list, list[0]))
	require.NoError(t, err)
	return withFile(t, name, string(again))
}

// An account's sessionTimeout is read from testSettings for a test-mode account, and from
// settings otherwise or when testSettings has none (docs/api/payments.md).
func TestSessionTimeoutFromSettingsAndTestSettings(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, old, new, account string
		want                    time.Duration
	}{
		{"settings of a live account", `"testMode": false,
    "settings": {
      "status": "connected"`, `"testMode": false,
    "settings": {
      "sessionTimeout": 5, "status": "connected"`, "cash", 5 * time.Minute},
		{"settings of a test-mode account without its own", `"settings": {
      "status": "connected"
    },
    "testSettings": {
      "status": "connected",
      "sessionTimeout": 30`, `"settings": {
      "status": "connected", "sessionTimeout": 7
    },
    "testSettings": {
      "status": "connected"`, "paypal", 7 * time.Minute},
		{"testSettings first", `"testSettings": {
      "status": "connected",
      "sessionTimeout": 30`, `"testSettings": {
      "status": "connected",
      "sessionTimeout": 2`, "paypal", 2 * time.Minute},
	} {
		fx, err := store.LoadFixtures(replaceIn(t, store.FilePaymentAccounts, c.old, c.new))
		require.NoError(t, err, c.name)
		acc, ok := fx.PaymentAccount(c.account)
		require.True(t, ok)
		assert.Equal(t, c.want, acc.SessionTimeout(), c.name)
	}
}

// BenchmarkLoadEmbeddedFixtures loads the default fixtures, as every start-up does.
func BenchmarkLoadEmbeddedFixtures(b *testing.B) {
	for b.Loop() {
		if _, err := store.LoadFixtures(fixtures.FS); err != nil {
			b.Fatal(err)
		}
	}
}
