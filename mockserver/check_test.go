package mockserver_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// A fixture the SDK's strict schemas would reject (product without additional.prices) is
// served as is normally, and refused loudly with CheckResponses on.
func TestCheckResponsesCatchesOffContractFixtures(t *testing.T) {
	t.Parallel()
	fx := editFixtures(t, map[string]func(any) any{
		store.FileProducts: func(v any) any {
			delete(v.([]any)[0].(map[string]any), "additional")
			return v
		},
	})
	for _, check := range []bool{false, true} {
		srv, err := mockserver.New(mockserver.Options{Sandbox: sandbox.Options{Fixtures: fx}, Contract: contractValidator(t), CheckResponses: check})
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
