package client_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/client"
)

const productAnswer = `{"id":10,"localizeInfos":{"en_US":{"title":"Бронзовый"}},"statusIdentifier":null,"statusLocalizeInfos":{},"attributeSetIdentifier":"tickets",
"position":1,"templateIdentifier":null,"shortDescTemplateIdentifier":null,"price":100,"additional":{"prices":{"min":100,"max":300}},"sku":null,"isSync":true,"isVisible":true,
"categories":["tickets"],"attributeValues":{"en_US":{"price":{"type":"integer","value":100,"isIcon":false,"position":0,"additionalFields":[],"isProductPreview":false},
"currency_products":{"type":"string","value":"usd","isIcon":false,"position":1,"additionalFields":[],"isProductPreview":false}}},
"productPages":[{"id":31,"pageId":8,"productId":10,"positionId":120,"categoryPath":"tickets"}],"blocks":[],"moduleFormConfigs":[],"rating":{},"paymentStages":null}`

func TestProduct(t *testing.T) {
	t.Parallel()
	p, err := serveBody(t, productAnswer).Product(t.Context(), 10)
	require.NoError(t, err)
	assert.Equal(t, 10, p.ID)
	assert.Equal(t, "Бронзовый", p.LocalizeInfos.Value.Title)
	require.NotNil(t, p.Price)
	assert.Equal(t, int64(10000), p.Price.Cents)
	assert.Equal(t, int64(30000), p.Additional.Prices.Max.Cents)
	assert.Nil(t, p.StatusIdentifier)
	assert.Nil(t, p.SKU)
	require.NotNil(t, p.AttributeSetIdentifier)
	assert.Equal(t, "tickets", *p.AttributeSetIdentifier)
	assert.Equal(t, []string{"tickets"}, p.Categories)
	assert.True(t, p.AttributeValues.Keyed(), "locale-keyed attributeValues are unwrapped")
	assert.Equal(t, "usd", p.AttributeValues.Value["currency_products"].Value)
	assert.InDelta(t, 100.0, p.AttributeValues.Value["price"].Value, 0)
	require.Len(t, p.ProductPages, 1)
	assert.Equal(t, 8, p.ProductPages[0].PageID)
	assert.Equal(t, "p-8-10", client.ProductEntityID(p.ProductPages[0].PageID, p.ID))

	p, err = serveBody(t, `{"id":11,"price":null,"attributeValues":{"price":{"type":"integer","value":"120"}}}`).Product(t.Context(), 11)
	require.NoError(t, err)
	assert.Nil(t, p.Price, "null price is not 0")
	assert.False(t, p.AttributeValues.Keyed())
	assert.Equal(t, "120", p.AttributeValues.Value["price"].Value)
}

// A value that is no amount or count names the field it was in, what it was and why it fails.
func TestProductWithABadValueNamesItsField(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ from, to, want string }{
		"money": {`"max":300`, `"max":"n/a"`, `decode response: json: cannot unmarshal "n/a" (not a decimal number) into Go struct field PriceRange.additional.prices.max of type client.Money`},
		"cents": {`"price":100`, `"price":1.005`, `cannot unmarshal 1.005 (more than two decimal places) into Go struct field Product.price of type client.Money`},
		"long":  {`"max":300`, `"max":"` + strings.Repeat("x", 100) + `"`, `cannot unmarshal "` + strings.Repeat("x", 63) + ` (not a decimal number) into`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := serveBody(t, strings.Replace(productAnswer, tc.from, tc.to, 1)).Product(t.Context(), 10)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			var typeErr *json.UnmarshalTypeError
			assert.ErrorAs(t, err, &typeErr)
		})
	}
	var list client.OrderList
	err := json.Unmarshal([]byte(`{"items":[],"total":"n/a"}`), &list)
	assert.EqualError(t, err, `json: cannot unmarshal "n/a" (not an integer) into Go struct field OrderList.total of type client.Count`)
}

func TestProductsByIDs(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, answer("["+productAnswer+"]"))
	products, err := api.client(t).ProductsByIDs(t.Context(), 10, 11)
	require.NoError(t, err)
	require.Len(t, products, 1)
	assert.Equal(t, 10, products[0].ID)
	req := api.requests()[0]
	assert.Equal(t, "/api/content/products/ids", req.Path)
	assert.Equal(t, "ids=10%2C11&langCode=en_US", req.RawQuery)
}

// Asking for no ids finds none without a request, which the API would refuse.
func TestProductsByNoIDs(t *testing.T) {
	t.Parallel()
	api := newFakeAPI(t, answer("[]"))
	products, err := api.client(t).ProductsByIDs(t.Context())
	require.NoError(t, err)
	assert.Empty(t, products)
	assert.NotNil(t, products)
	assert.Empty(t, api.requests())
}
