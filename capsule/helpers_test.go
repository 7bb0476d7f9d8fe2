package capsule_test

import (
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/exchange"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/mocktest"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

const (
	seedAppToken = "your-app-token"
	seedLogin    = "your-user@email.com"
	seedPassword = "123456"
)

// newMock serves the fixture set fsys (the default one when nil) through mocktest.
func newMock(t testing.TB, fsys fs.FS) *httptest.Server {
	t.Helper()
	mo := mockserver.Options{Sandbox: sandbox.Options{Profile: sandbox.ProfileSDK115}}
	if fsys != nil {
		fx, err := store.LoadFixtures(fsys)
		require.NoError(t, err)
		mo.Sandbox.Fixtures = fx
	}
	ts, _ := mocktest.Start(t, mo)
	return ts
}

// captured is one exchange as the client saw it, secrets included.
type captured struct {
	raw capsule.RawExchange
}

// capture is an http.RoundTripper that keeps a copy of every exchange.
type capture struct {
	mu   sync.Mutex
	list []captured
}

func (c *capture) RoundTrip(req *http.Request) (*http.Response, error) {
	reqBody, err := exchange.ReadRequestBody(req)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultTransport.RoundTrip(exchange.WithBody(req.Context(), req, reqBody))
	if err != nil {
		return nil, err
	}
	body, complete, err := exchange.BufferResponse(resp, 1<<20)
	if err != nil || !complete {
		return nil, errors.Join(err, errors.New("capture: an answer over 1 MiB"))
	}
	c.mu.Lock()
	c.list = append(c.list, captured{raw: capsule.RawExchange{
		Method: req.Method, Path: req.URL.Path, RawQuery: req.URL.RawQuery, RequestHeader: req.Header.Clone(), RequestBody: reqBody,
		Status: resp.StatusCode, ResponseHeader: resp.Header.Clone(), ResponseBody: body,
	}})
	c.mu.Unlock()
	return resp, nil
}

func (c *capture) exchanges() []captured {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]captured(nil), c.list...)
}
