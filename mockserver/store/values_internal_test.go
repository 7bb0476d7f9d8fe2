package store

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// The shapes every form check shares (submissions, orders, sign-up): a real is a number, a
// textWithHeader a list of heading-and-text pairs, a radioButton one chosen option.
func TestValueShapes(t *testing.T) {
	t.Parallel()
	pairs := "f: a textWithHeader value must be a list of objects with a header and its text, such as [{\"header\": \"Title\", \"htmlValue\": \"<p>Body</p>\"}]"
	for _, tc := range []struct {
		typ, value, want string
	}{
		{"real", `2.5`, ""},
		{"real", `"2.5"`, ""},
		{"real", `"abc"`, "f must be a number"},
		{"real", `[1]`, "f must be a number"},
		{"textWithHeader", `[{"header": "How", "htmlValue": "<p>Rinse</p>"}]`, ""},
		{"textWithHeader", `[{"header": "How", "htmlValue": "<p>Rinse</p>", "mdValue": "", "plainValue": "", "params": {"editorMode": "html"}}, {"header": "Why", "plainValue": "Clean"}]`, ""},
		{"textWithHeader", `"How to use"`, pairs},
		{"textWithHeader", `{"header": "How", "htmlValue": "<p>Rinse</p>"}`, pairs},
		{"textWithHeader", `["How"]`, pairs},
		{"textWithHeader", `[{"htmlValue": "<p>Rinse</p>"}]`, pairs},
		{"textWithHeader", `[{"header": "How"}]`, pairs},
		{"textWithHeader", `[{"header": 1, "plainValue": "Rinse"}]`, pairs},
		{"textWithHeader", `[{"header": "How", "plainValue": 1}]`, pairs},
		{"textWithHeader", `[{"header": "How", "plainValue": "Rinse", "value": "x"}]`, pairs},
		{"textWithHeader", `[{"header": "How", "plainValue": "Rinse", "params": "html"}]`, pairs},
		{"radioButton", `["red"]`, ""},
		{"radioButton", `["red", "blue"]`, `f: a radioButton value is one chosen option, such as ["red"]`},
		{"radioButton", `"red"`, "f must be an array of option ids"},
		{"list", `["red", "blue"]`, ""},
	} {
		attr := &FormAttribute{Type: tc.typ, Marker: "f"}
		assert.Equal(t, tc.want, checkValue(attr, json.RawMessage(tc.value)), "%s %s", tc.typ, tc.value)
	}
}

// A retired store gives its uploads back to the shared budget, and what it stores afterwards
// (a request that still held it) takes nothing from it.
func TestRetiredStoresLeaveTheUploadBudget(t *testing.T) {
	t.Parallel()
	fx, err := LoadFixtures(fixtures.FS)
	require.NoError(t, err)
	budget := NewByteBudget(10)
	retired := New(Options{Fixtures: fx, UploadBudget: budget})
	other := New(Options{Fixtures: fx, UploadBudget: budget})
	ctx := context.Background()
	_, err = retired.Upload(ctx, UploadFolder{}, []FileInput{{Name: "a.txt", Data: []byte("12345678")}})
	require.NoError(t, err)
	retired.Retire()
	_, err = retired.Upload(ctx, UploadFolder{}, []FileInput{{Name: "b.txt", Data: []byte("12345678")}})
	require.NoError(t, err)
	_, err = other.Upload(ctx, UploadFolder{}, []FileInput{{Name: "c.txt", Data: []byte("1234567890")}})
	assert.NoError(t, err, "the whole budget is free again")
}
