package store

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A number field takes a number, or a string holding exactly one; an integer field a whole one.
func TestNumberValues(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		typ, value, want string
	}{
		{"float", `12.5`, ""},
		{"float", `"12.5"`, ""},
		{"float", `" -3e2 "`, ""},
		{"float", `"12abc"`, "age must be a number"},
		{"float", `"3 apples"`, "age must be a number"},
		{"float", `"Inf"`, "age must be a number"},
		{"float", `"NaN"`, "age must be a number"},
		{"float", `"0x10"`, "age must be a number"},
		{"float", `"abc"`, "age must be a number"},
		{"float", `true`, "age must be a number"},
		{"integer", `12`, ""},
		{"integer", `"12"`, ""},
		{"integer", `12.0`, ""},
		{"integer", `1.5`, "age must be an integer"},
		{"integer", `"1.5"`, "age must be an integer"},
		{"integer", `"1e400"`, "age must be a number"},
		{"float", `1e400`, "age must be a number"},
	} {
		attr := &FormAttribute{Type: tc.typ, Marker: "age"}
		assert.Equal(t, tc.want, checkValue(attr, json.RawMessage(tc.value)), "%s %s", tc.typ, tc.value)
	}
}
