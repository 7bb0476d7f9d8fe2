package mockserver

import (
	"mime"
	"net/http"
	"path"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// writeMedia sends JSON whose media links (store.MediaRef) are made absolute against the
// address the request came to.
func (s *Server) writeMedia(w http.ResponseWriter, r *http.Request, status int, data []byte) {
	s.writeRaw(w, status, store.AbsoluteMedia(data, origin(r)))
}

// origin is the scheme and host the request came to.
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// handleMedia handles GET /cloud-static/content/{file}: a file of the fixture set's media
// folder, the images the site's attributes link to.
// Browsers ask for them without an app token, so they are public. A fixture folder may come
// from anyone (fixtures pull copies a project's files), so they are served as uploads are.
func (s *Server) handleMedia(w http.ResponseWriter, r *http.Request) {
	name := mux.Vars(r)["file"]
	data, err := s.site().Media(name)
	if err != nil {
		s.handleNotFound(w, r, nil)
		return
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = http.DetectContentType(data)
	}
	s.serveStatic(w, r, ctype, data)
}
