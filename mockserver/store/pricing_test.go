package store_test

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

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

func TestImportRefusesRefundsThatCannotBe(t *testing.T) {
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
	for name, tc := range map[string]struct {
		orders []store.OrderRecord
		field  string
	}{
		"refund id of another order": {[]store.OrderRecord{order(92, refund(1, 10, "pending")), order(93, refund(1, 10, "approved"))}, "orders[1].refunds[0].id"},
		"product not in the order":   {[]store.OrderRecord{order(92, refund(1, 11, "pending"))}, "orders[0].refunds[0].products[0]"},
		"unknown status":             {[]store.OrderRecord{order(92, refund(1, 10, "refunded"))}, "orders[0].refunds[0].status"},
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
