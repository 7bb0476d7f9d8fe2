package store_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

func TestEntityValuesMustBeSelectableOptions(t *testing.T) {
	t.Parallel()
	st := newStore(t, store.Options{})
	order := func(value string) error {
		_, err := st.CreateOrder(context.Background(), 16, "tickets", store.OrderInput{
			FormIdentifier: "tickets_form", PaymentAccountIdentifier: "cash",
			FormData: []store.FormDataItem{{Marker: "tickets", Type: "entity", Value: json.RawMessage(value)}},
			Products: []store.OrderLine{{ProductID: 10, Quantity: 1}},
		})
		return err
	}
	for value, ok := range map[string]bool{
		`["p-8-10"]`:                         true,
		`["p-8-10","p-8-12"]`:                true,
		`[{"id":"p-8-11","title":"Silver"}]`: true,
		`[8]`:                                false, // the catalogue page is listed but not selectable
		`["p-8-99"]`:                         false,
		`[{"id":{"id":"p-8-10"}}]`:           false,
		`[{"title":"Gold"}]`:                 false,
		`"p-8-10"`:                           false, // not wrapped in an array
	} {
		err := order(value)
		if ok {
			assert.NoError(t, err, value)
		} else {
			assert.Equal(t, store.CodeInvalid, codeOf(err), value)
		}
	}
}
