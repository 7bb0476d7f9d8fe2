package store_test

import (
	"errors"
	"io/fs"
	"strings"
	"sync/atomic"
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
		"type in a nested list": {store.FileOrderStorages, "[{\"id\": 1,\n  \"statuses\": [{\"identifier\": \"a\", \"isDefault\": true},\n    {\"identifier\": \"b\", \"isDefault\": \"yes\"}]}]",
			"fixtures order-storages.json:3:25: [0].statuses[1].isDefault: must be true or false, not a string"},
		"unknown key found elsewhere too": {store.FileProducts, "[\n  {\"id\": 1, \"attributeValues\": {\"a\": {\"value\": 1}}},\n  {\"id\": 2,\n   \"value\": 1}\n]\n",
			"fixtures products.json:4:4: [1].value: unknown field"},
		"unknown key that a nested object has": {store.FileUsers, "[{\"id\": 16, \"formData\": [{\"marker\": \"a\", \"type\": \"string\", \"value\": \"x\"}],\n  \"type\": 1}]",
			"fixtures users.json:2:3: [0].type: unknown field"},
		"unknown key in a nested list": {store.FileOrderStorages, "[{\"id\": 1,\n  \"statuses\": [{\"identifier\": \"a\"},\n    {\"identifier\": \"b\", \"bogus\": 1}]}]",
			"fixtures order-storages.json:3:25: [0].statuses[1].bogus: unknown field"},
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

// countingFS counts the bytes read from its files; it has no ReadFile, so every read goes
// through Open and Read.
type countingFS struct {
	fs.FS
	read *atomic.Int64
}

func (c countingFS) Open(name string) (fs.File, error) {
	f, err := c.FS.Open(name)
	return countingFile{f, c.read}, err
}

type countingFile struct {
	fs.File
	read *atomic.Int64
}

func (c countingFile) Read(p []byte) (int, error) {
	n, err := c.File.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// An oversized fixture file is refused after reading just past the bound, also when the
// error is located: a wrong mount (a device, a huge file) must fail fast.
func TestOversizedFixtureIsNotReadWhole(t *testing.T) {
	t.Parallel()
	big := strings.Repeat(" ", 3*store.MaxFixtureFileSize)
	read := new(atomic.Int64)
	_, err := store.LoadFixtures(countingFS{withFile(t, store.FileProducts, "["+big+"]"), read})
	require.ErrorContains(t, err, "products.json: file is larger than")
	assert.LessOrEqual(t, read.Load(), int64(3*(store.MaxFixtureFileSize+1)), "bytes read in all")
}
