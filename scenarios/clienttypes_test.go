package scenarios_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/client"
	"github.com/oneentry-mock/oneentry-mock/contracts"
)

// The reference client keeps every field the contract requires of the answers it reads: a
// team reading a page's content, a submission's time or a menu item's attributes through it
// finds them, and a field the contract comes to require shows here first.
func TestClientTypesHoldEveryRequiredField(t *testing.T) {
	t.Parallel()
	doc, err := contracts.Load(t.Context())
	require.NoError(t, err)
	for schema, typ := range map[string]reflect.Type{
		"AuthTokens":     reflect.TypeFor[client.AuthResult](),
		"AuthProvider":   reflect.TypeFor[client.AuthProvider](),
		"ActiveSession":  reflect.TypeFor[client.ActiveSession](),
		"Form":           reflect.TypeFor[client.Form](),
		"FormAttribute":  reflect.TypeFor[client.FormAttribute](),
		"FormDataPosted": reflect.TypeFor[client.FormDataPosted](),
		"FormDataEntry":  reflect.TypeFor[client.FormDataEntry](),
		"OrderRead":      reflect.TypeFor[client.Order](),
		"OrderStorage":   reflect.TypeFor[client.OrderStorage](),
		"OrderStatus":    reflect.TypeFor[client.OrderStatus](),
		"PaymentSession": reflect.TypeFor[client.PaymentSession](),
		"PaymentAccount": reflect.TypeFor[client.PaymentAccount](),
		"Product":        reflect.TypeFor[client.Product](),
		"ProductPage":    reflect.TypeFor[client.ProductPage](),
		"User":           reflect.TypeFor[client.User](),
		"Page":           reflect.TypeFor[client.Page](),
		"Menu":           reflect.TypeFor[client.Menu](),
		"MenuItem":       reflect.TypeFor[client.MenuPage](),
		"Cart":           reflect.TypeFor[client.Cart](),
		"CartItem":       reflect.TypeFor[client.CartItem](),
	} {
		ref, ok := doc.Components.Schemas[schema]
		require.True(t, ok, "the contract has no schema %s", schema)
		held := jsonFields(typ)
		for _, name := range ref.Value.Required {
			assert.Contains(t, held, name, "client.%s lacks %s, which the contract's %s requires", typ.Name(), name, schema)
		}
	}
}

// jsonFields are the JSON names of a struct type's fields, embedded structs' included.
func jsonFields(typ reflect.Type) map[string]bool {
	out := map[string]bool{}
	for f := range typ.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-":
		case f.Anonymous && name == "":
			for k := range jsonFields(f.Type) {
				out[k] = true
			}
		case name == "":
			out[f.Name] = true
		default:
			out[name] = true
		}
	}
	return out
}
