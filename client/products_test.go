package client_test

import (
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
	assert.NotEmpty(t, p.Raw)

	p, err = serveBody(t, `{"id":11,"price":null,"attributeValues":{"price":{"type":"integer","value":"120"}}}`).Product(t.Context(), 11)
	require.NoError(t, err)
	assert.Nil(t, p.Price, "null price is not 0")
	assert.False(t, p.AttributeValues.Keyed())
	assert.Equal(t, "120", p.AttributeValues.Value["price"].Value)
}

func TestMe(t *testing.T) {
	t.Parallel()
	u, err := serveBody(t, `{"id":16,"identifier":"your-user@email.com","authProviderIdentifier":"email","formData":{"en_US":[{"marker":"name_reg","type":"string","value":"Ivan"}]},`+
		`"formIdentifier":"reg","total":"1","groups":[1],"state":{},"moduleFormConfigs":[],"rating":{}}`).Me(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 16, u.ID)
	assert.Equal(t, "email", u.AuthProviderIdentifier)
	assert.Equal(t, client.Count(1), u.Total)
	assert.Equal(t, []any{float64(1)}, u.Groups)
	assert.Equal(t, []client.FormDataItem{{Marker: "name_reg", Type: "string", Value: "Ivan"}}, u.FormData.Value)
	assert.NotEmpty(t, u.Raw)
}

func TestSignUpAnswer(t *testing.T) {
	t.Parallel()
	res, err := serveBody(t, `{"id":16,"updatedDate":"2025-04-30T21:54:48.918Z","version":0,"identifier":"new@example.com","isActive":false,`+
		`"formData":[{"marker":"name_reg","type":"string","value":"Ivan"}],"notificationData":{"email":"new@example.com","phonePush":[]},"locale":"en_US","createdDate":"2025-04-30T21:54:48.918Z","state":{}}`).
		SignUp(t.Context(), "email", client.SignUpRequest{AuthData: []client.AuthData{{Marker: "email_reg", Value: "new@example.com"}}})
	require.NoError(t, err)
	assert.Equal(t, 16, res.ID)
	assert.False(t, res.IsActive)
	assert.Equal(t, "Ivan", res.FormData.Value[0].Value)
	require.NotNil(t, res.NotificationData)
	assert.Equal(t, "new@example.com", res.NotificationData.Email)
	assert.Empty(t, res.NotificationData.PhoneSMS)
}

func TestAuthProviders(t *testing.T) {
	t.Parallel()
	providers, err := serveBody(t, `[{"id":1,"localizeInfos":{"en_US":{"title":"Email"}},"config":{"accessTokenTtlSec":"36000","refreshTokenTtlMc":"604800",`+
		`"deleteNoneActiveUsersAfterDays":"2","systemCodeTlsSec":"120","systemCodeLength":"6","oauthAuthUrl":null,"systemCodeOnlyNumbers":null},`+
		`"version":0,"identifier":"email","type":"email","formIdentifier":"reg","userGroupIdentifier":"guest","isActive":true,"isCheckCode":false}]`).AuthProviders(t.Context(), 0, 30)
	require.NoError(t, err)
	require.Len(t, providers, 1)
	p := providers[0]
	assert.Equal(t, "Email", p.LocalizeInfos.Value.Title)
	assert.Equal(t, "36000", p.Config.AccessTokenTTLSec)
	assert.Nil(t, p.Config.OAuthAuthURL)
	assert.Equal(t, "reg", p.FormIdentifier)
	assert.True(t, p.IsActive)
	assert.NotEmpty(t, p.Raw)
}
