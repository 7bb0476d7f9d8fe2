package client_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/client"
)

func TestMoneyUnmarshal(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		json     string
		cents    int64
		isString bool
		text     string
	}{
		"number from create":   {`100`, 10000, false, "100.00"},
		"string from read":     {`"100.00"`, 10000, true, "100.00"},
		"two decimals":         {`4061.55`, 406155, false, "4061.55"},
		"string three zeros":   {`"300.000"`, 30000, true, "300.00"},
		"one decimal":          {`"0.5"`, 50, true, "0.50"},
		"exponent":             {`1e2`, 10000, false, "100.00"},
		"negative":             {`"-1.5"`, -150, true, "-1.50"},
		"negative below units": {`-0.05`, -5, false, "-0.05"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var m client.Money
			require.NoError(t, json.Unmarshal([]byte(tc.json), &m))
			assert.Equal(t, tc.cents, m.Cents)
			assert.Equal(t, tc.isString, m.IsString())
			assert.Equal(t, tc.text, m.String())
			assert.Equal(t, tc.json, string(m.Raw))
			out, err := json.Marshal(m)
			require.NoError(t, err)
			assert.Equal(t, tc.json, string(out), "a round trip keeps the wire form")
		})
	}
}

func TestMoneyUnmarshalRejects(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`"12.345"`, `0.001`, `"abc"`, `""`, `true`, `{}`, `"0x10"`, `"1/2"`, `"1e400"`, `"99999999999999999999"`} {
		var m client.Money
		assert.Error(t, json.Unmarshal([]byte(in), &m), in)
	}
}

func TestMoneyBothFormsCompareEqual(t *testing.T) {
	t.Parallel()
	var created, read struct {
		TotalSum client.Money `json:"totalSum"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"totalSum":100}`), &created))
	require.NoError(t, json.Unmarshal([]byte(`{"totalSum":"100.00"}`), &read))
	assert.Equal(t, created.TotalSum.Cents, read.TotalSum.Cents)
	assert.False(t, created.TotalSum.IsString())
	assert.True(t, read.TotalSum.IsString())
	assert.InDelta(t, 100.0, read.TotalSum.Float64(), 0)
}

func TestMoneyNullAndConstructors(t *testing.T) {
	t.Parallel()
	var s struct {
		Amount *client.Money `json:"amount"`
		Total  client.Money  `json:"total"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"amount":null,"total":null}`), &s))
	assert.Nil(t, s.Amount)
	assert.Equal(t, client.Money{}, s.Total)

	m := client.MoneyFromCents(12345)
	out, err := json.Marshal(m)
	require.NoError(t, err)
	assert.Equal(t, `123.45`, string(out))
	assert.False(t, m.IsString())

	p, err := client.ParseMoney("300.00")
	require.NoError(t, err)
	assert.Equal(t, int64(30000), p.Cents)
	_, err = client.ParseMoney("3.001")
	assert.Error(t, err)
}

func TestCount(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]client.Count{`1`: 1, `"1"`: 1, `" 42 "`: 42, `0`: 0} {
		var n client.Count
		require.NoError(t, json.Unmarshal([]byte(in), &n), in)
		assert.Equal(t, want, n, in)
	}
	for _, in := range []string{`"x"`, `1.5`, `true`} {
		var n client.Count
		assert.Error(t, json.Unmarshal([]byte(in), &n), in)
	}
}

func TestLocalizedFormDataBothForms(t *testing.T) {
	t.Parallel()
	flat := `{"id":92,"formData":[{"type":"entity","marker":"tickets","value":["p-8-10"]}],"totalSum":100}`
	keyed := `{"id":92,"formData":{"en_US":[{"type":"entity","marker":"tickets","value":["p-8-10"]}]},"totalSum":100}`

	var a, b client.Order
	require.NoError(t, json.Unmarshal([]byte(flat), &a))
	require.NoError(t, json.Unmarshal([]byte(keyed), &b))

	want := []client.FormDataItem{{Marker: "tickets", Type: "entity", Value: []any{"p-8-10"}}}
	assert.Equal(t, want, a.FormData.Value)
	assert.Equal(t, want, b.FormData.Value)
	assert.False(t, a.FormData.Keyed())
	assert.Empty(t, a.FormData.Lang)
	assert.True(t, b.FormData.Keyed())
	assert.Equal(t, "en_US", b.FormData.Lang)

	item, ok := b.FormValue("tickets")
	require.True(t, ok)
	assert.Equal(t, "entity", item.Type)
	_, ok = b.FormValue("schedule")
	assert.False(t, ok)

	out, err := json.Marshal(b.FormData)
	require.NoError(t, err)
	assert.JSONEq(t, `{"en_US":[{"type":"entity","marker":"tickets","value":["p-8-10"]}]}`, string(out), "keeps the wire form")
}

func TestLocalizedLocalizeInfosBothForms(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		json  string
		title string
		lang  string
	}{
		"flat":                  {`{"paymentAccountLocalizeInfos":{"title":"Cash"}}`, "Cash", ""},
		"keyed":                 {`{"paymentAccountLocalizeInfos":{"en_US":{"title":"Cash"}}}`, "Cash", "en_US"},
		"single other language": {`{"paymentAccountLocalizeInfos":{"ru_RU":{"title":"Наличные"}}}`, "Наличные", "ru_RU"},
		"several with en_US":    {`{"paymentAccountLocalizeInfos":{"ru_RU":{"title":"Наличные"},"en_US":{"title":"Cash"}}}`, "Cash", "en_US"},
		"several without en_US": {`{"paymentAccountLocalizeInfos":{"ru_RU":{"title":"Наличные"},"de_DE":{"title":"Bargeld"}}}`, "", ""},
		"empty object is flat":  {`{"paymentAccountLocalizeInfos":{}}`, "", ""},
		"null":                  {`{"paymentAccountLocalizeInfos":null}`, "", ""},
		"absent":                {`{}`, "", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var o client.Order
			require.NoError(t, json.Unmarshal([]byte(tc.json), &o))
			assert.Equal(t, tc.title, o.PaymentAccountLocalizeInfos.Value.Title)
			assert.Equal(t, tc.lang, o.PaymentAccountLocalizeInfos.Lang)
		})
	}
}

// An empty object is form data with no locale, which the contract allows: an empty locale map.
func TestLocalizedFormDataEmptyObject(t *testing.T) {
	t.Parallel()
	var o client.Order
	require.NoError(t, json.Unmarshal([]byte(`{"id":92,"formData":{},"totalSum":0}`), &o))
	assert.True(t, o.FormData.Keyed())
	assert.Empty(t, o.FormData.Value)
	_, ok := o.FormValue("tickets")
	assert.False(t, ok)
}

func TestLocalizedRejectsWrongShape(t *testing.T) {
	t.Parallel()
	var o client.Order
	assert.Error(t, json.Unmarshal([]byte(`{"formData":"tickets"}`), &o))
	assert.Error(t, json.Unmarshal([]byte(`{"formData":{"marker":"tickets"}}`), &o), "an object that is no locale map is not form data")
}
