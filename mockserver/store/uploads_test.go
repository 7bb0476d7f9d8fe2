package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// Whatever name an upload is stored under, the export imports back: the name is cleaned once,
// and cleaning it again changes nothing.
func TestUploadedNamesSurviveExportAndImport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newStore(t, store.Options{})
	folder := store.UploadFolder{Type: "page", Entity: "editor", ID: "3"}
	for _, name := range []string{strings.Repeat("a", 127) + ".txt", "a..b.txt", " .hidden. ", "снимок экрана.png"} {
		stored, err := st.Upload(ctx, folder, []store.FileInput{{Name: name, Data: []byte("x")}})
		require.NoError(t, err, name)
		require.Len(t, stored, 1)
	}
	doc := st.Export(ctx)
	// "null" is what JavaScript sends for a missing name, however it is dressed.
	for _, name := range []string{"null", "null.", "undefined.."} {
		_, err := st.Upload(ctx, folder, []store.FileInput{{Name: name, Data: []byte("x")}})
		assert.Equal(t, store.CodeInvalid, codeOf(err), name)
	}
	assert.Equal(t, doc, st.Export(ctx))
	require.NoError(t, st.Import(ctx, doc))
	assert.Equal(t, doc, st.Export(ctx))
}

// Paths of earlier versions load (dots ending a long name, "null" for "null."); paths that
// could leave their folder do not.
func TestStoredFilePathsAreCheckedBySegment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newStore(t, store.Options{})
	file := func(p string) store.StoredFile {
		return store.StoredFile{Path: p, ContentType: "text/plain", Data: []byte("x"), Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	}
	for _, p := range []string{"files/project/page/editor/3/" + strings.Repeat("a", 127) + ".", "files/project/page/editor/3/null", "files/project/-/-/-/a..b"} {
		doc := st.Export(ctx)
		doc.Files = []store.StoredFile{file(p)}
		assert.NoError(t, st.Import(ctx, doc), p)
	}
	for _, p := range []string{"files/project/page/editor/3/..", "files/project/page/../3/a", "files/project/page/editor/3/a/b", "files/project/page/editor/a", "files/other/page/editor/3/a", "files/project/page/editor/3/a b", "files/project/page/editor/3/" + strings.Repeat("a", 129)} {
		doc := st.Export(ctx)
		doc.Files = []store.StoredFile{file(p)}
		err := st.Import(ctx, doc)
		require.Error(t, err, p)
		assert.Contains(t, err.Error(), "files[0].path", p)
	}
}
