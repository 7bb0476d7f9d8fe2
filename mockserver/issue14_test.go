package mockserver_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 14: hostile input must not exhaust the sandbox.

// TestIssue14LongPathsDoNotStallOthers sends paths of ~900 KB, which once made the nearest-route
// hint of a 404 cost seconds under one lock shared by every request, while a plain 404 must
// still answer within the issue's bound of a second.
func TestIssue14LongPathsDoNotStallOthers(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	long := "/api/content/" + strings.Repeat("ab/", 300_000)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	started := make(chan struct{}, 4)
	for range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				req, err := http.NewRequest(http.MethodGet, ts.URL+long, nil)
				if !assert.NoError(t, err) {
					return
				}
				req.Header.Set("x-app-token", appToken)
				if i == 0 {
					started <- struct{}{}
				}
				resp, err := ts.Client().Do(req)
				if !assert.NoError(t, err) {
					return
				}
				assert.Empty(t, resp.Header.Get("X-Mock-Nearest-Route"), "a path this long is no typo")
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
	for range 4 {
		<-started
	}
	for range 3 {
		begin := time.Now()
		status, _ := ts.call(t, http.MethodGet, "/api/content/froms/marker/tickets_form", "", nil)
		elapsed := time.Since(begin)
		assert.Equal(t, http.StatusNotFound, status)
		assert.Less(t, elapsed, time.Second, "a plain 404 waited for the long paths")
	}
	close(stop)
	wg.Wait()
}

// TestIssue14MadeUpMethodsKeepMetricsSmall sends thousands of made-up methods, each of which
// once became a label value of its own (46k of them made a 75 MB /metrics).
func TestIssue14MadeUpMethodsKeepMetricsSmall(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for i := range 5000 {
		req, err := http.NewRequest(fmt.Sprintf("M%05d", i), ts.URL+"/api/content/pages", nil)
		require.NoError(t, err)
		resp, err := ts.Client().Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	status, body := ts.call(t, http.MethodGet, "/metrics", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Less(t, len(body), 64<<10, "/metrics grew with the methods sent")
	assert.True(t, strings.Contains(string(body), `method="OTHER"`), "made-up methods are counted as OTHER")
	assert.False(t, strings.Contains(string(body), `method="M00001"`), "a made-up method became a label")
}

// TestIssue14TrailingDataAfterJSONRefused sends bodies with data after the JSON value, which
// admin endpoints once read as their first value.
func TestIssue14TrailingDataAfterJSONRefused(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for _, c := range []struct{ method, path, body string }{
		{http.MethodPost, "/__admin/clock", `{"advance":"1h"} {"advance":"1h"}`},
		{http.MethodPost, "/__admin/clock", `{"advance":"1h"}garbage`},
		{http.MethodPost, "/__admin/faults", `{"path":"/api/content/pages","status":503}]`},
		{http.MethodPut, "/__admin/state", emptyState + `{}`},
		{http.MethodPost, authPath, `{"authData":[{"marker":"email_reg","value":"your-user@email.com"},{"marker":"password_reg","value":"123456"}]} x`},
	} {
		status, body := ts.call(t, c.method, c.path, "", c.body)
		assert.Equal(t, http.StatusBadRequest, status, "%s %s %s: %s", c.method, c.path, c.body, body)
		decodeError(t, http.StatusBadRequest, body)
	}
	assert.WithinDuration(t, time.Now(), ts.clock.Now(), 30*time.Minute, "a refused body moved the clock")
	status, body := ts.call(t, http.MethodGet, "/__admin/faults", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.NotContains(t, string(body), "/api/content/pages", "a refused body added a fault rule")
}
