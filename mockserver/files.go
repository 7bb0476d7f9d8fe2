package mockserver

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// maxUploadParts bounds the file parts of one upload, and maxUploadBody its body: the parts
// at the largest size the store keeps, and their multipart framing.
const (
	maxUploadParts = 10
	maxUploadBody  = 2*store.DefaultMaxUploadSize + 64<<10
)

// uploadResponse is one stored file as the upload answers it.
type uploadResponse struct {
	Filename     string `json:"filename"`
	DownloadLink string `json:"downloadLink"`
	Size         int    `json:"size"`
}

func uploadFolder(q url.Values) store.UploadFolder {
	return store.UploadFolder{Type: q.Get("type"), Entity: q.Get("entity"), ID: q.Get("id")}
}

// uploadLink is where the mock serves an upload of a sandbox.
func uploadLink(r *http.Request, sb *sandbox.Sandbox, filename string) string {
	segs := strings.Split(filename, "/")
	for i, seg := range segs {
		segs[i] = url.PathEscape(seg)
	}
	return origin(r) + "/cloud-static/" + url.PathEscape(sb.Token()) + "/" + strings.Join(segs, "/")
}

// handleUpload handles POST /files: the multipart body's file parts (any field name, as live)
// kept under the folders type, entity and id name.
func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request, sc *scope) {
	files, err := fileParts(r.Header.Get("Content-Type"), sc.body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	stored, err := sc.store.Upload(r.Context(), uploadFolder(r.URL.Query()), files)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]uploadResponse, len(stored))
	for i, f := range stored {
		out[i] = uploadResponse{Filename: f.Path, DownloadLink: uploadLink(r, sc.sandbox, f.Path), Size: f.Size()}
	}
	s.writeJSON(w, http.StatusCreated, out)
}

// fileParts reads the file parts of a multipart body.
func fileParts(contentType string, body []byte) ([]store.FileInput, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, store.Invalid("files must be sent as multipart/form-data")
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var files []store.FileInput
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, store.Invalid("the multipart body is malformed")
		}
		if p.FileName() == "" {
			continue
		}
		if len(files) == maxUploadParts {
			return nil, store.Invalid("at most 10 files may be sent at once")
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return nil, store.Invalid("the multipart body is malformed")
		}
		files = append(files, store.FileInput{Name: p.FileName(), ContentType: p.Header.Get("Content-Type"), Data: data})
	}
	return files, nil
}

// handleFileGet handles GET /files?filename=&type=&entity=&id=: the file's bytes, as a
// download (its own type is served at its download link).
func (s *Server) handleFileGet(w http.ResponseWriter, r *http.Request, sc *scope) {
	q := r.URL.Query()
	f, ok := sc.store.FindFile(uploadFolder(q), q.Get("filename"))
	if !ok {
		s.writeError(w, r, store.Errorf(store.CodeNotFound, "File %s not found", q.Get("filename")))
		return
	}
	// Whole, always: the contract gives this route a 200 only, no 206 or 304.
	sandboxedFileHeaders(w.Header(), "application/octet-stream")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.Data)
}

// handleFileDelete handles DELETE /files?filename=&type=&entity=&id=.
func (s *Server) handleFileDelete(w http.ResponseWriter, r *http.Request, sc *scope) {
	q := r.URL.Query()
	if err := sc.store.DeleteFile(r.Context(), uploadFolder(q), q.Get("filename")); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeRaw(w, http.StatusOK, []byte(`true`))
}

// handleStaticUpload handles GET /cloud-static/{token}/files/project/{type}/{entity}/{id}/{name}:
// an upload of a sandbox, at the download link its upload answered.
func (s *Server) handleStaticUpload(w http.ResponseWriter, r *http.Request) {
	sb := s.sandboxes.Lookup(mux.Vars(r)["token"])
	if sb == nil {
		s.handleNotFound(w, r, nil)
		return
	}
	v := mux.Vars(r)
	f, ok := sb.Store().File(strings.Join([]string{"files/project", v["type"], v["entity"], v["id"], v["name"]}, "/"))
	if !ok {
		s.handleNotFound(w, r, nil)
		return
	}
	s.serveStatic(w, r, f.ContentType, f.Data)
}

// serveStatic sends a file of the mock's static host, fixture media or an upload, through
// ServeContent, which answers Range (206: Safari plays a video only so), If-None-Match (304)
// and HEAD. Its ETag is a hash of its bytes and its Cache-Control no-cache, so a browser asks
// again each time and sees an edit to a watched fixture folder at once. A request ServeContent
// refuses (a range past the end, a failed If-Match) gets the API's JSON error body.
func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request, contentType string, data []byte) {
	h := w.Header()
	sandboxedFileHeaders(h, contentType)
	sum := sha256.Sum256(data)
	h.Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
	http.ServeContent(&staticRefusals{ResponseWriter: w, s: s, r: r}, r, "", time.Time{}, bytes.NewReader(data))
}

// sandboxedFileHeaders are the headers of a file of anyone's bytes on the mock's own origin,
// the origin of /__admin: it is served sandboxed, so a page or SVG among them cannot run
// script against it, and revalidated on every use.
func sandboxedFileHeaders(h http.Header, contentType string) {
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	h.Set("Content-Type", contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	h.Set("Cache-Control", "no-cache")
}

// staticRefusals answers the refusals ServeContent writes in plain text with the JSON error
// body instead.
type staticRefusals struct {
	http.ResponseWriter
	s       *Server
	r       *http.Request
	refused bool
}

func (sr *staticRefusals) WriteHeader(code int) {
	if code < http.StatusBadRequest {
		sr.ResponseWriter.WriteHeader(code)
		return
	}
	sr.refused = true
	sr.s.writeErrorStatus(sr.ResponseWriter, sr.r, code, http.StatusText(code))
}

func (sr *staticRefusals) Write(b []byte) (int, error) {
	if sr.refused {
		return len(b), nil // the plain-text message, already answered in JSON
	}
	return sr.ResponseWriter.Write(b)
}
