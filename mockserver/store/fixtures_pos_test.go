package store_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// A fixture error speaks JSON's words and says where the mistake is, as an editor counts
// lines and columns.
func TestFixtureErrorsGiveLineColumnAndJSONWords(t *testing.T) {
	t.Parallel()
	const products = "[\n  {\"id\": 1, \"price\": 5},\n  {\"id\": 2,\n   \"price\": \"200\"}\n]\n"
	cases := map[string]struct {
		file, content string
		want          string
	}{
		"type in a list element":    {store.FileProducts, products, "fixtures products.json:4:4: [1].price: must be a number, not a string"},
		"syntax":                    {store.FileProducts, "[\n  {\"id\": 1,}\n]", "fixtures products.json:2:12: invalid JSON"},
		"file ends early":           {store.FileProducts, "[\n  {\"id\": 1,", "fixtures products.json:2:12: invalid JSON: the file ends early"},
		"object for an array":       {store.FileProducts, "{}", "fixtures products.json:1:1: must be an array, not an object"},
		"unknown field":             {store.FileProject, "{\n  \"appToken\": \"t\",\n  \"appTokn\": 1\n}", "fixtures project.json:3:3: appTokn: unknown field"},
		"string for a whole number": {store.FileProject, "{\"appToken\": \"t\", \"firstOrderId\": \"92\"}", "fixtures project.json:1:19: firstOrderId: must be a whole number, not a string"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := store.LoadFixtures(withFile(t, tc.file, tc.content))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			var fe *store.FixtureError
			require.True(t, errors.As(err, &fe))
			assert.Positive(t, fe.Line)
		})
	}

	// A check that runs on decoded values (not the decoder) is located through its field path.
	_, err := store.LoadFixtures(replaceIn(t, store.FileOrderStorages, `"formIdentifier": "tickets_form"`, `"formIdentifier": "nope"`))
	var fe *store.FixtureError
	require.True(t, errors.As(err, &fe))
	assert.Positive(t, fe.Line)
	assert.Regexp(t, `^fixtures order-storages\.json:\d+:\d+: \[0\]\.formIdentifier: `, err.Error())
}
