package mockserver_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// A fixture the SDK's strict schemas would reject (product without additional.prices) is
// served as is normally, and refused loudly with CheckResponses on.
func TestCheckResponsesCatchesOffContractFixtures(t *testing.T) {
	t.Parallel()
	m := fstest.MapFS{}
	entries, err := fs.ReadDir(fixtures.FS, ".")
	require.NoError(t, err)
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := fs.ReadFile(fixtures.FS, e.Name())
		require.NoError(t, err)
		if e.Name() == store.FileProducts {
			data = bytes.Replace(data, []byte(`"additional": {`), []byte(`"rating2": {`), 1)
		}
		m[e.Name()] = &fstest.MapFile{Data: data}
	}
	_, err = store.LoadFixtures(m)
	require.Error(t, err, "unknown fixture fields are refused at load")

	data, err := fs.ReadFile(fixtures.FS, store.FileProducts)
	require.NoError(t, err)
	var products []map[string]any
	require.NoError(t, json.Unmarshal(data, &products))
	delete(products[0], "additional")
	data, err = json.Marshal(products)
	require.NoError(t, err)
	m[store.FileProducts] = &fstest.MapFile{Data: data}
	fx, err := store.LoadFixtures(m)
	require.NoError(t, err)

	for _, check := range []bool{false, true} {
		srv, err := mockserver.New(mockserver.Options{Store: store.New(store.Options{Fixtures: fx}), Contract: contractValidator(t), CheckResponses: check})
		require.NoError(t, err)
		req := httptest.NewRequest(http.MethodGet, "/api/content/products/10", nil)
		req.Header.Set("x-app-token", appToken)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if !check {
			assert.Equal(t, http.StatusOK, rec.Code)
			continue
		}
		require.Equal(t, http.StatusInternalServerError, rec.Code)
		assert.Contains(t, rec.Body.String(), "additional")
	}
}
