package mockserver_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

// adminSiteFiles exercises the files the site links to: media and sitemaps.
func adminSiteFiles(t *testing.T, ac *adminContract) {
	ts := newTestServer(t)
	header, body := ac.do(t, ts, adminCall{method: http.MethodGet, path: "/cloud-static/content/hero.svg", status: http.StatusOK})
	assert.Equal(t, "image/svg+xml", header.Get("Content-Type"))
	assert.Contains(t, string(body), "<svg")
	ac.do(t, ts, adminCall{method: http.MethodGet, path: "/cloud-static/content/nope.png", status: http.StatusNotFound})
	_, body = ac.do(t, ts, adminCall{method: http.MethodGet, path: "/cloud-static/sitemaps/sitemap-ru_RU.xml", status: http.StatusOK})
	assert.Contains(t, string(body), "<loc>"+ts.URL+"/about/history</loc>")
	ac.do(t, ts, adminCall{method: http.MethodGet, path: "/cloud-static/sitemaps/sitemap-de_DE.xml", status: http.StatusNotFound})
}
