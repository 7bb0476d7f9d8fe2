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
