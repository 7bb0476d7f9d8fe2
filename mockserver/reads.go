package mockserver

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// Read declares a read-only endpoint whose answer is fixture data. GET (or Method) Path serves
// the object of File that the path's variable names ({id}: by id, {marker}: by identifier or
// marker, any other: by the field By names), or, when Path has no variable, the file's objects
// as a JSON array windowed by ?offset= and ?limit=. Values keyed by language come in the
// ?langCode= one (store.Localize). Adding such an endpoint takes its contract entry, its Read
// line in routes.go and its fixture file; a handler only when it has behaviour of its own.
type Read struct {
	// Path is the route template, under APIPrefix.
	Path string
	// Method is the HTTP method; GET when empty.
	Method string
	// File is the fixture file served: a JSON array of objects.
	File string
	// User makes the route need a user's bearer token, as the live API's user routes do.
	User bool
	// Noun names the object in the 404 of an unknown id or marker: "<Noun> with id 7 not found".
	Noun string
	// NotFound, when set, is the whole message of that 404 instead.
	NotFound string
	// By is the field the path's variable is matched against when it is neither {id}, {marker}
	// nor {idOrMarker} (an id when it is a number, a marker otherwise): "pageUrl" for {url}.
	By string
	// Hidden are objects the read does not find, by a field's text: {"type": "external_page"}.
	Hidden map[string]string
	// Children serves, instead of the object found, the list of objects whose Children field
	// holds its id: "parentId".
	Children string
	// Field serves one field of the object found, Default when it has none.
	Field   string
	Default string
	// Where keeps the objects of a list whose field reads as the given text (a string's value,
	// other values' JSON): {"parentId": "null"}.
	Where map[string]string
	// Query keeps the objects of a list whose field reads as a query parameter's value, when
	// the request sends it not empty: {"type": "generalTypeName"}.
	Query map[string]string
	// GroupBy serves a list as an object of lists keyed by the field's text, in file order.
	GroupBy string
	// Total wraps a list as {"total": n, "items": [...]}; a bare array otherwise.
	Total bool
	// Unpaged serves the whole list whatever ?offset= and ?limit= say.
	Unpaged bool
	// WholeUnlessPaged serves the whole list when the request sends neither ?offset= nor
	// ?limit= (the SDK's page lists send neither), a window otherwise.
	WholeUnlessPaged bool
	// AllLanguages answers a request without ?langCode= with the values keyed by language, as
	// the live API answers the routes the SDK calls without one (it picks the language itself).
	AllLanguages bool
}

// lang is the language a read answers in: the request's langCode; without one, the default
// language, or every language when the read says so.
func (rd Read) lang(q url.Values) string {
	l := q.Get("langCode")
	if l == "" && rd.AllLanguages {
		return store.AllLanguages
	}
	return l
}

// handleRead registers a declared read, resolving its contract operation and its fixture file
// at start-up, so a missing one fails there.
func (s *Server) handleRead(r *mux.Router, rd Read) {
	method := cmp.Or(rd.Method, http.MethodGet)
	_, err := s.served(rd.File)
	if err == nil && (rd.Field != "" || rd.Children != "") && pathVariable(rd.Path) == "" {
		err = errors.New("a Field or Children read needs a path variable naming its object")
	}
	if err != nil {
		s.routeErrs = append(s.routeErrs, fmt.Errorf("%s %s: %w", method, rd.Path, err))
		return
	}
	s.readFiles = append(s.readFiles, rd.File)
	level := public
	if rd.User {
		level = user
	}
	s.handleAPI(r, method, rd.Path, level, func(w http.ResponseWriter, r *http.Request, _ *scope) {
		q := r.URL.Query()
		lang := rd.lang(q)
		// The content of the last reload, looked up once so one answer comes from one file.
		// serveContent loads every declared file before it serves a reload, so this cannot fail
		// after start-up.
		items, err := s.content.Load().collection(rd.File)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		found := -1
		if name := pathVariable(rd.Path); name != "" {
			i, err := rd.find(items, name, r)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			found = i
		}
		var body []byte
		switch {
		case rd.Field != "":
			body = items.At(found, lang)
			if v := fieldOf(body, rd.Field); v != nil {
				body = v
			} else {
				body = []byte(rd.Default)
			}
		case found >= 0 && rd.Children == "":
			body = items.At(found, lang)
		default:
			body = rd.list(items, found, q)
		}
		status := http.StatusOK
		if method == http.MethodPost {
			status = http.StatusCreated
		}
		if items.LinksMedia() {
			s.writeMedia(w, r, status, body)
		} else {
			s.writeRaw(w, status, body)
		}
	})
}

// idOrMarker is the path variable that names an object by id when it is a number, by marker
// otherwise.
const idOrMarker = "idOrMarker"

// find returns the object the path's variable name names.
func (rd Read) find(items *store.Collection, name string, r *http.Request) (int, error) {
	value := mux.Vars(r)[name]
	var i, id int
	var ok bool
	if name == idOrMarker {
		// SDK 1.0.115 reads a template by id and by marker at the same path.
		name = "marker"
		if _, err := strconv.Atoi(value); err == nil {
			name = "id"
		}
	}
	switch {
	case name == "id":
		var err error
		if id, err = positiveInt("id", value); err != nil {
			return 0, err
		}
		i, ok = items.Index(id)
	case rd.By != "":
		i, ok = items.Find(rd.By, value)
	default:
		i, ok = items.MarkerIndex(value)
	}
	for field, text := range rd.Hidden {
		ok = ok && items.FieldText(i, field) != text
	}
	switch {
	case ok:
		return i, nil
	case rd.NotFound != "":
		return 0, store.Errorf(store.CodeNotFound, "%s", rd.NotFound)
	case name == "id":
		return 0, store.Errorf(store.CodeNotFound, "%s with id %d not found", rd.Noun, id)
	}
	return 0, store.Errorf(store.CodeNotFound, "%s with %s %q not found", rd.Noun, name, value)
}

// list returns the answer of a list read: the objects Where, Query and Children keep, grouped
// or windowed; q is the request's query.
func (rd Read) list(items *store.Collection, parent int, q url.Values) []byte {
	lang := rd.lang(q)
	parentID := ""
	if rd.Children != "" {
		parentID = items.FieldText(parent, "id")
	}
	keep := func(i int) bool {
		if rd.Children != "" && items.FieldText(i, rd.Children) != parentID {
			return false
		}
		for field, want := range rd.Where {
			if items.FieldText(i, field) != want {
				return false
			}
		}
		for param, field := range rd.Query {
			if v := q.Get(param); v != "" && items.FieldText(i, field) != v {
				return false
			}
		}
		return true
	}
	var kept []json.RawMessage
	var groups []string
	byGroup := map[string][]json.RawMessage{}
	for i := range items.Len() {
		if !keep(i) {
			continue
		}
		if rd.GroupBy != "" {
			g := items.FieldText(i, rd.GroupBy)
			if _, ok := byGroup[g]; !ok {
				groups = append(groups, g)
			}
			byGroup[g] = append(byGroup[g], items.At(i, lang))
			continue
		}
		kept = append(kept, items.At(i, lang))
	}
	if rd.GroupBy != "" {
		out := []byte{'{'}
		for n, g := range groups {
			if n > 0 {
				out = append(out, ',')
			}
			out = strconv.AppendQuote(out, g)
			out = append(out, ':')
			out = append(out, listBody(byGroup[g], store.Page{}, false)...)
		}
		return append(out, '}')
	}
	p := store.Page{}
	if !rd.Unpaged && (!rd.WholeUnlessPaged || q.Has("offset") || q.Has("limit")) {
		p = page(q)
	}
	return listBody(kept, p, rd.Total)
}

// pathVariable returns the name of the last {variable} of a route template, "" when it has none.
func pathVariable(path string) string {
	open := strings.LastIndexByte(path, '{')
	if open < 0 {
		return ""
	}
	name, _, _ := strings.Cut(path[open+1:], "}")
	name, _, _ = strings.Cut(name, ":")
	return name
}

// fieldOf returns a top-level field of a JSON object; nil when it has none or it is null.
func fieldOf(obj []byte, name string) json.RawMessage {
	var fields map[string]json.RawMessage
	if json.Unmarshal(obj, &fields) != nil {
		return nil
	}
	if v := fields[name]; v != nil && string(v) != "null" {
		return v
	}
	return nil
}

// served returns a fixture file as the API serves it now.
func (s *Server) served(file string) (*store.Collection, error) {
	return s.content.Load().collection(file)
}

// collection returns a file every fixture set has as the API serves it: a fixed file, or a
// site file (empty when the set has none).
func (s *Server) collection(file string) *store.Collection {
	c, err := s.served(file)
	if err != nil {
		panic(fmt.Sprintf("fixture file %s is always loaded: %v", file, err))
	}
	return c
}

// listBody joins encoded items into a JSON array windowed by p, wrapped with the total count
// when total is set.
func listBody[T ~[]byte](items []T, p store.Page, total bool) []byte {
	start := min(p.Offset, len(items))
	end := len(items)
	if p.Limit > 0 {
		end = min(start+p.Limit, end)
	}
	n := 2 + 32
	for _, it := range items[start:end] {
		n += len(it) + 1
	}
	out := make([]byte, 0, n)
	if total {
		out = append(out, `{"total":`...)
		out = strconv.AppendInt(out, int64(len(items)), 10)
		out = append(out, `,"items":`...)
	}
	out = append(out, '[')
	for i, it := range items[start:end] {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, it...)
	}
	out = append(out, ']')
	if total {
		out = append(out, '}')
	}
	return out
}
