package store_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

func TestFindRawField(t *testing.T) {
	t.Parallel()
	const obj = `{"id":1, "type" : "product_block","nested":{"type":"x"},"last":[1,2]}`
	for name, want := range map[string]string{"id": `1`, "type": `"product_block"`, "nested": `{"type":"x"}`, "last": `[1,2]`} {
		f, ok := store.FindRawField([]byte(obj), name)
		if assert.True(t, ok, name) {
			assert.Equal(t, want, obj[f.ValueStart:f.End], name)
			assert.Equal(t, name == "id", f.First, name)
			field := strings.TrimSpace(strings.TrimPrefix(obj[f.Start:f.End], ","))
			assert.True(t, strings.HasPrefix(field, `"`+name+`"`), "%s starts at its key, after the comma: %q", name, obj[f.Start:f.End])
		}
	}
	for _, bad := range []string{`{"nested":{"missing":1}}`, `[{"missing":1}]`, `"missing"`, `{"missing"`, ``} {
		_, ok := store.FindRawField([]byte(bad), "missing")
		assert.False(t, ok, "a top-level field only: %s", bad)
	}
}
