package mockserver_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/exchange"
	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/mocktest"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// exchange masks a path that reached no route (a 404, the recording proxy, a replay) by its own
// list of the routes whose variables hold a credential. Every such route routes.go registers,
// under any profile, must be on it and masked alike, and the list must name no other: a route
// added or renamed here would otherwise show its credential in every unrouted log line.
func TestExchangeListsEveryRouteWithACredential(t *testing.T) {
	t.Parallel()
	var withCredential []string
	for _, profile := range []sandbox.Profile{sandbox.ProfileSDK115, sandbox.ProfileLive} {
		srv, err := mockserver.New(mockserver.Options{Sandbox: sandbox.Options{Fixtures: mocktest.DefaultFixtures(t), Profile: profile}, Contract: mocktest.Contract(t)})
		require.NoError(t, err)
		t.Cleanup(func() { _ = srv.Close(context.Background()) })
		for _, template := range srv.RouteTemplates() {
			path := samplePath(template)
			masked := exchange.MaskPath(template, path)
			if masked == path {
				continue
			}
			if !slices.Contains(withCredential, template) {
				withCredential = append(withCredential, template)
			}
			assert.Equal(t, masked, exchange.MaskUnroutedPath(path), "%s: a path of it that reaches no route is masked as the route masks it", template)
		}
	}
	assert.ElementsMatch(t, withCredential, exchange.CredentialRoutes())
}

// samplePath fills each variable of a route template with a value of its own.
func samplePath(template string) string {
	segs := strings.Split(template, "/")
	for i, seg := range segs {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			segs[i] = "v" + strconv.Itoa(i)
		}
	}
	return strings.Join(segs, "/")
}
