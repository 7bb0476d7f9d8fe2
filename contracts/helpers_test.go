package contracts

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// appToken is any non-empty value: the contract only requires the header to be present.
const appToken = "test-app-token"

var jsonHeader = http.Header{"Content-Type": {"application/json; charset=utf-8"}}

var (
	sharedOnce      sync.Once
	sharedValidator *Validator
	sharedErr       error
)

// testValidator returns one Validator shared by all tests, which also exercises its safety for
// concurrent use under -race.
func testValidator(t testing.TB) *Validator {
	t.Helper()
	sharedOnce.Do(func() {
		doc, err := Load(t.Context())
		if err != nil {
			sharedErr = err
			return
		}
		sharedValidator, sharedErr = NewValidator(doc)
	})
	require.NoError(t, sharedErr)
	return sharedValidator
}

// newRequest builds a request the way the SDK sends it: JSON content type on every request and
// the app token header.
func newRequest(method, target, body string) *http.Request {
	var req *http.Request
	if body == "" {
		req = httptest.NewRequest(method, target, nil)
	} else {
		req = httptest.NewRequest(method, target, strings.NewReader(body))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-app-token", appToken)
	return req
}

func recorded(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "fixtures", "recorded", name))
	require.NoError(t, err)
	return data
}

// messages renders violations for failure output.
func messages(vs []Violation) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.String()
	}
	return out
}
