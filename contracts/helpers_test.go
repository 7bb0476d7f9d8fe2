package contracts

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"
)

// appToken is any non-empty value: the contract only requires the header to be present.
const appToken = "test-app-token"

var jsonHeader = http.Header{"Content-Type": {"application/json; charset=utf-8"}}

// testValidator returns one Validator of the content contract shared by all tests, which also
// exercises its safety for concurrent use under -race.
var testValidator = sharedValidator(Load)

// sharedValidator returns a test helper that builds one Validator of the document load returns,
// on first use, and hands the same one to every test.
func sharedValidator(load func(context.Context) (*openapi3.T, error)) func(testing.TB) *Validator {
	build := sync.OnceValues(func() (*Validator, error) {
		doc, err := load(context.Background())
		if err != nil {
			return nil, err
		}
		return NewValidator(doc)
	})
	return func(t testing.TB) *Validator {
		t.Helper()
		v, err := build()
		require.NoError(t, err)
		return v
	}
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
	if strings.HasPrefix(body, "--"+boundary) {
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
	}
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
