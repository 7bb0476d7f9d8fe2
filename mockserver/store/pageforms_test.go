package store_test

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// pageForms loads the default fixtures with contact_us's entity identifier replaced by
// binding, and returns the identifiers of the forms on each page.
func pageForms(t *testing.T, binding string) map[string][]string {
	t.Helper()
	files := fstest.MapFS{}
	require.NoError(t, fs.WalkDir(fixtures.FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fixtures.FS, name)
		files[name] = &fstest.MapFile{Data: data}
		return err
	}))
	const contacts = `"isGlobal": false,
        "entityIdentifiers": [
          {
            "id": "contacts",
            "isNumeric": false,
            "childrenOn": false
          }
        ]`
	forms := string(files[store.FileForms].Data)
	require.Contains(t, forms, contacts, "the default binding of contact_us")
	files[store.FileForms] = &fstest.MapFile{Data: []byte(strings.Replace(forms, contacts, binding, 1))}
	fx, err := store.LoadFixtures(files)
	require.NoError(t, err)
	out := map[string][]string{}
	for _, url := range []string{"home", "about", "history", "contacts", "tickets"} {
		i, err := fx.Page(url)
		require.NoError(t, err)
		for _, f := range fx.PageForms(i) {
			out[url] = append(out[url], f.Identifier)
		}
	}
	return out
}

func TestPageForms(t *testing.T) {
	t.Parallel()
	assert.Equal(t, map[string][]string{"tickets": {"tickets_form"}, "contacts": {"contact_us"}},
		pageForms(t, `"isGlobal": false, "entityIdentifiers": [{"id": "contacts", "isNumeric": false, "childrenOn": false}]`),
		"by url; tickets_form names page 8 by id")
	assert.Equal(t, map[string][]string{"tickets": {"tickets_form"}, "about": {"contact_us"}, "history": {"contact_us"}},
		pageForms(t, `"isGlobal": false, "entityIdentifiers": [{"id": 2, "isNumeric": true, "childrenOn": true}]`),
		"about (id 2) and, with childrenOn, its child history")
	assert.Equal(t, map[string][]string{"tickets": {"tickets_form"}, "about": {"contact_us"}},
		pageForms(t, `"isGlobal": false, "entityIdentifiers": [{"id": 2, "isNumeric": true, "childrenOn": false}]`),
		"without childrenOn, not its child")
	assert.Equal(t, map[string][]string{"tickets": {"tickets_form"}},
		pageForms(t, `"isGlobal": false, "entityIdentifiers": [{"id": "2", "isNumeric": false, "childrenOn": false}]`),
		"a text identifier names a url, not an id")
	all := []string{"contact_us"}
	assert.Equal(t, map[string][]string{"home": all, "about": all, "history": all, "contacts": all, "tickets": {"tickets_form", "contact_us"}},
		pageForms(t, `"isGlobal": true, "entityIdentifiers": []`), "a global config is on every page")
}
