package client_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/client"
)

func TestSessionsByOrderShapes(t *testing.T) {
	t.Parallel()
	second := `{"id":50,"createdDate":"2025-04-30T22:00:00.000Z","updatedDate":"2025-04-30T22:00:00.000Z","type":"intent","status":"waiting","paymentAccountId":1,"orderId":92,"paymentUrl":null,"amount":4061.55,"clientSecret":"pi_1_secret_2"}`
	tests := map[string]struct {
		body string
		ids  []int
	}{
		"one object (sdk-1.0.115 profile)":  {sessionAnswer, []int{49}},
		"array, newest first (live-2026)":   {`[` + second + `,` + sessionAnswer + `]`, []int{50, 49}},
		"empty array":                       {`[]`, []int{}},
		"whitespace around a single object": {"\n " + sessionAnswer + " \n", []int{49}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sessions, err := serveBody(t, tc.body).SessionsByOrder(t.Context(), 92)
			require.NoError(t, err)
			require.NotNil(t, sessions)
			ids := []int{}
			for _, s := range sessions {
				ids = append(ids, s.ID)
			}
			assert.Equal(t, tc.ids, ids)
		})
	}
}

func TestSessionFields(t *testing.T) {
	t.Parallel()
	body := `{"id":50,"createdDate":"2025-04-30T22:00:00.000Z","updatedDate":"2025-04-30T22:05:00.000Z","type":"intent","status":"completed","paymentAccountId":2,"orderId":92,` +
		`"paymentUrl":"https://checkout.stripe.com/c/pay/cs_1","amount":4061.55,"clientSecret":"pi_1_secret_2"}`
	s, err := serveBody(t, body).Session(t.Context(), 50)
	require.NoError(t, err)
	assert.Equal(t, client.SessionTypeIntent, s.Type)
	require.NotNil(t, s.PaymentURL)
	assert.Equal(t, "https://checkout.stripe.com/c/pay/cs_1", *s.PaymentURL)
	require.NotNil(t, s.Amount)
	assert.Equal(t, int64(406155), s.Amount.Cents)
	assert.Equal(t, "pi_1_secret_2", s.ClientSecret)
	assert.Equal(t, "2025-04-30T22:05:00.000Z", s.UpdatedDate)
}

func TestSessionsByOrderBadBody(t *testing.T) {
	t.Parallel()
	_, err := serveBody(t, `[{"id":"x"}]`).SessionsByOrder(t.Context(), 92)
	require.Error(t, err)
	var apiErr *client.APIError
	assert.NotErrorAs(t, err, &apiErr)
}

func TestLists(t *testing.T) {
	t.Parallel()
	sessions, err := serveBody(t, `{"items":[`+sessionAnswer+`],"total":1}`).Sessions(t.Context(), 0, 30)
	require.NoError(t, err)
	assert.Equal(t, client.Count(1), sessions.Total)
	require.Len(t, sessions.Items, 1)

	accounts, err := serveBody(t, `[{"id":1,"localizeInfos":{"en_US":{"title":"Cash"}},"identifier":"cash","type":"custom","isVisible":true,"isUsed":true,"testMode":false,"settings":{"status":"connected"},"updatedDate":"2025-02-26T10:13:16.839Z"}]`).PaymentAccounts(t.Context())
	require.NoError(t, err)
	require.Len(t, accounts, 1)
	assert.Equal(t, "Cash", accounts[0].LocalizeInfos.Value.Title)
	assert.Equal(t, "custom", accounts[0].Type)
	assert.Equal(t, "connected", accounts[0].Settings["status"])

	forms, err := serveBody(t, `[{"id":9,"identifier":"tickets_form"},{"id":10,"identifier":"reg"}]`).Forms(t.Context(), 0, 30)
	require.NoError(t, err)
	assert.Equal(t, client.Count(2), forms.Total, "a bare array (SDK 1.0.137 era) counts its items")
	assert.Len(t, forms.Items, 2)
	forms, err = serveBody(t, `{"total":5,"items":[{"id":9}]}`).Forms(t.Context(), 0, 1)
	require.NoError(t, err)
	assert.Equal(t, client.Count(5), forms.Total)

	orders, err := serveBody(t, `{"items":[{"id":92,"storageId":1,"createdDate":"2025-04-30T21:54:48.918Z","statusIdentifier":"inProgress","formIdentifier":"tickets_form",`+
		`"formData":{"en_US":[{"marker":"tickets","type":"entity","value":["p-8-10"]}]},"attributeSetIdentifier":"order_form","totalSum":"100.00","currency":"USD",`+
		`"paymentAccountIdentifier":"cash","paymentAccountLocalizeInfos":{"en_US":{"title":"Cash"}},"products":[{"id":10,"title":"Бронзовый","sku":null,"previewImage":null,"price":100,"quantity":1}],`+
		`"paymentUrl":null,"isCompleted":null}],"total":"1"}`).Orders(t.Context(), "tickets", 0, 30)
	require.NoError(t, err)
	assert.Equal(t, client.Count(1), orders.Total)
	require.Len(t, orders.Items, 1)
	o := orders.Items[0]
	assert.True(t, o.TotalSum.IsString())
	assert.Equal(t, int64(10000), o.TotalSum.Cents)
	assert.Equal(t, "inProgress", o.StatusIdentifier)
	assert.Equal(t, "Cash", o.PaymentAccountLocalizeInfos.Value.Title)
	assert.Equal(t, "tickets", o.FormData.Value[0].Marker)
	assert.Nil(t, o.PaymentURL)
	assert.Nil(t, o.IsCompleted)
	require.Len(t, o.Products, 1)
	assert.Equal(t, 10, o.Products[0].EffectiveProductID())
	require.NotNil(t, o.Products[0].Price)
	assert.Equal(t, int64(10000), o.Products[0].Price.Cents)
}
