package mockserver

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// sitemapPath is where the mock serves the sitemap of each language.
const sitemapPath = "/cloud-static/sitemaps/"

// sitemapRequest is the body of POST /api/content/sitemap/.
type sitemapRequest struct {
	BaseURLs map[string]string `json:"baseUrls"`
}

// sitemapURLs returns the address of the sitemap of each language, on this request's host.
func sitemapURLs(r *http.Request, langs []string) []string {
	out := make([]string, len(langs))
	for i, l := range langs {
		out[i] = origin(r) + sitemapPath + "sitemap-" + l + ".xml"
	}
	return out
}

// handleSitemap handles GET /api/content/sitemap (the SDK sends /sitemap/): the addresses of the sitemaps, one per
// active language.
func (s *Server) handleSitemap(w http.ResponseWriter, r *http.Request, sc *scope) {
	s.writeJSON(w, http.StatusOK, sitemapURLs(r, s.site().Languages()))
}

// handleSitemapUpdate handles POST /api/content/sitemap: (re)generates the sitemaps of the
// languages baseUrls names and answers their addresses. A language the project does not have
// is refused.
func (s *Server) handleSitemapUpdate(w http.ResponseWriter, r *http.Request, sc *scope, req sitemapRequest) {
	active := s.site().Languages()
	var langs []string
	for _, l := range active {
		if _, ok := req.BaseURLs[l]; ok {
			langs = append(langs, l)
		}
	}
	for l := range req.BaseURLs {
		if !slices.Contains(active, l) {
			s.writeError(w, r, store.Invalid("baseUrls: "+l+" is not an active language of the project"))
			return
		}
	}
	s.writeJSON(w, http.StatusCreated, sitemapURLs(r, langs))
}

type sitemapURLSet struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	URLs    []sitemapLoc `xml:"url"`
}

type sitemapLoc struct {
	Loc string `xml:"loc"`
}

// handleSitemapFile handles GET /cloud-static/sitemaps/sitemap-{lang}.xml: the visible pages,
// at their paths on the host the request came to.
func (s *Server) handleSitemapFile(w http.ResponseWriter, r *http.Request) {
	lang, prefixed := strings.CutPrefix(mux.Vars(r)["file"], "sitemap-")
	lang, suffixed := strings.CutSuffix(lang, ".xml")
	if !prefixed || !suffixed || !slices.Contains(s.site().Languages(), lang) {
		s.handleNotFound(w, r, nil)
		return
	}
	set := sitemapURLSet{NS: "http://www.sitemaps.org/schemas/sitemap/0.9"}
	for _, p := range s.site().PagePaths() {
		// A sitemap's URLs are escaped (sitemaps.org): a page url may hold spaces or any script.
		segs := strings.Split(p, "/")
		for i, seg := range segs {
			segs[i] = url.PathEscape(seg)
		}
		set.URLs = append(set.URLs, sitemapLoc{Loc: origin(r) + "/" + strings.Join(segs, "/")})
	}
	data, err := xml.MarshalIndent(set, "", "  ")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	_, _ = w.Write(append([]byte(xml.Header), data...))
}
