package mockserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// handlePageBlocks handles GET /api/content/pages/{url}/blocks: the blocks attached to the
// page, in the page's order, as the block reads serve them.
func (s *Server) handlePageBlocks(w http.ResponseWriter, r *http.Request, sc *scope) {
	s.writePageObjects(w, r, sc, store.FileBlocks, (*store.Fixtures).PageBlocks, positionBlock)
}

// positionBlock is a block as a page lists it, the SDK's IPositionBlock: beside the block
// reads' fields it has attributeSetIdentifier (the attributesSetIdentifier the SDK drops from
// this answer) and isSync. Fields the fixture already has stay as they are.
func positionBlock(block json.RawMessage) json.RawMessage {
	end := bytes.LastIndexByte(block, '}')
	if end < 0 {
		return block
	}
	var added []byte
	if _, ok := store.FindRawField(block, "attributeSetIdentifier"); !ok {
		set := []byte("null")
		if f, ok := store.FindRawField(block, "attributesSetIdentifier"); ok {
			set = block[f.ValueStart:f.End]
		}
		added = append(append(added, `,"attributeSetIdentifier":`...), set...)
	}
	if _, ok := store.FindRawField(block, "isSync"); !ok {
		added = append(added, `,"isSync":false`...)
	}
	if added == nil {
		return block
	}
	return slices.Concat(block[:end], added, block[end:])
}

// handlePageForms handles GET /api/content/pages/{url}/forms (SDK 1.0.115's getFormsByPageUrl):
// the forms that take submissions on the page, as the form reads serve them.
func (s *Server) handlePageForms(w http.ResponseWriter, r *http.Request, sc *scope) {
	s.writePageObjects(w, r, sc, store.FileForms, (*store.Fixtures).PageForms, nil)
}

// writePageObjects answers the objects of file that markers names for the page of the path, in
// that order, in the request's language, each as served makes it when it is not nil.
func (s *Server) writePageObjects(w http.ResponseWriter, r *http.Request, sc *scope, file string, markers func(*store.Fixtures, int) []string, served func(json.RawMessage) json.RawMessage) {
	fx := s.site()
	i, err := fx.Page(mux.Vars(r)["url"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	objects := s.collection(file)
	lang := r.URL.Query().Get("langCode")
	var out [][]byte
	for _, marker := range markers(fx, i) {
		if j, ok := objects.MarkerIndex(marker); ok {
			obj := objects.At(j, lang)
			if served != nil {
				obj = served(obj)
			}
			out = append(out, obj)
		}
	}
	s.writeMedia(w, r, http.StatusOK, listBody(out, store.Page{}, false))
}

// handlePageSearch handles GET /api/content/pages/quick/search?name=&url=&lang=: the pages
// whose title in the language contains name, within the page url and its children when given.
// The SDK names the language `lang` here; `langCode` is read too.
func (s *Server) handlePageSearch(w http.ResponseWriter, r *http.Request, sc *scope) {
	q := r.URL.Query()
	lang := q.Get("lang")
	if lang == "" {
		lang = q.Get("langCode")
	}
	url := q.Get("url")
	if url == "undefined" { // the SDK's query when searchPage is called without a url
		url = ""
	}
	hits, err := s.site().SearchPages(q.Get("name"), url, lang)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, hits)
}
