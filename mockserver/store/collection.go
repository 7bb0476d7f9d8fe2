package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"sync"
)

// Collection is a fixture file as the API serves it: its objects' JSON in file order, indexed
// by id and by marker (the `identifier`, or `marker`, field). It is the only index of a file:
// the typed lookups of Fixtures go through it too.
//
// An object with values keyed by language ({"en_US": {...}, "ru_RU": {...}}, at any depth) is
// served in one language, as the live API answers for ?langCode= (see Localize): the
// requested one (the project's default when none is), blank where it has no translation.
// Objects without keyed values are served as they are.
type Collection struct {
	items []json.RawMessage
	idx   *index
	// fields holds each object's top-level fields, parsed on first use (see Field).
	fieldsOnce sync.Once
	fields     []map[string]json.RawMessage
	// byLang holds, for an object with keyed values, its JSON in each language it has and
	// the default one; "" holds it in any other language. An object in more languages than
	// maxPrerenderedLanguages holds only the default and "", and is localized when asked.
	byLang      []map[string]json.RawMessage
	defaultLang string
	// linksMedia says whether any object holds a MediaRef, so that answers from a file
	// without one need not be searched for them.
	linksMedia bool
	// found indexes, per field name Find was asked for, the first object holding each value:
	// checking a site's references with a scan each was quadratic in its pages.
	foundMu sync.Mutex
	found   map[string]map[string]int
}

type index struct {
	byID     map[int]int
	byMarker map[string]int
}

func newIndex(n int) *index {
	return &index{byID: make(map[int]int, n), byMarker: make(map[string]int, n)}
}

// add indexes item i under its id (when positive) and marker (when not empty); it reports
// which of them another item already holds.
func (x *index) add(i, id int, marker string) (dupID, dupMarker bool) {
	if id > 0 {
		if _, dupID = x.byID[id]; !dupID {
			x.byID[id] = i
		}
	}
	if marker != "" {
		if _, dupMarker = x.byMarker[marker]; !dupMarker {
			x.byMarker[marker] = i
		}
	}
	return dupID, dupMarker
}

func (x *index) id(id int) (int, bool) {
	i, ok := x.byID[id]
	return i, ok
}

func (x *index) marker(m string) (int, bool) {
	i, ok := x.byMarker[m]
	return i, ok
}

// newCollection serves items under idx, working out the languages of the objects with values
// keyed by language.
func newCollection(items []json.RawMessage, idx *index, defaultLang string) *Collection {
	c := &Collection{items: items, idx: idx, defaultLang: defaultLang}
	for i, item := range items {
		c.linksMedia = c.linksMedia || bytes.Contains(item, MediaRef)
		if langs := localizations(item, defaultLang); langs != nil {
			if c.byLang == nil {
				c.byLang = make([]map[string]json.RawMessage, len(items))
			}
			c.byLang[i] = langs
		}
	}
	return c
}

// LinksMedia reports whether any object links to a file of the media folder (MediaRef).
func (c *Collection) LinksMedia() bool { return c.linksMedia }

// Len returns how many objects the collection holds.
func (c *Collection) Len() int { return len(c.items) }

// At returns object i in lang ("" for the default language); the caller must not change it.
func (c *Collection) At(i int, lang string) json.RawMessage { return c.item(i, lang) }

// Raw returns object i as the fixture holds it, its values in every language.
func (c *Collection) Raw(i int) json.RawMessage { return c.items[i] }

// Field returns a top-level field of object i as the fixture holds it; nil when it has none.
func (c *Collection) Field(i int, name string) json.RawMessage {
	c.fieldsOnce.Do(func() {
		c.fields = make([]map[string]json.RawMessage, len(c.items))
		for j, item := range c.items {
			_ = json.Unmarshal(item, &c.fields[j]) // every item is a JSON object, checked at load
		}
	})
	return c.fields[i][name]
}

// FieldText returns a top-level field of object i as text: a string's value, any other
// value's JSON ("null", "8", "true"), "" when the object has no such field.
func (c *Collection) FieldText(i int, name string) string {
	return jsonText(c.Field(i, name))
}

// Find returns the first object whose field name reads as value (see FieldText).
func (c *Collection) Find(name, value string) (int, bool) {
	c.foundMu.Lock()
	byValue, ok := c.found[name]
	if !ok {
		byValue = make(map[string]int, len(c.items))
		for i := range c.items {
			if c.Field(i, name) == nil {
				continue
			}
			if text := c.FieldText(i, name); !hasKey(byValue, text) {
				byValue[text] = i
			}
		}
		if c.found == nil {
			c.found = map[string]map[string]int{}
		}
		c.found[name] = byValue
	}
	c.foundMu.Unlock()
	i, ok := byValue[value]
	return i, ok
}

func hasKey(m map[string]int, k string) bool { _, ok := m[k]; return ok }

// Select returns f's answer for every object whose field name reads as value, in file order.
func (c *Collection) Select(name, value string, f func(i int) string) []string {
	var out []string
	for i := range c.items {
		if c.FieldText(i, name) == value {
			out = append(out, f(i))
		}
	}
	return out
}

// Index returns the position of the object with the given id.
func (c *Collection) Index(id int) (int, bool) { return c.idx.id(id) }

// MarkerIndex returns the position of the object whose identifier (or marker) is m.
func (c *Collection) MarkerIndex(m string) (int, bool) { return c.idx.marker(m) }

func jsonText(v json.RawMessage) string {
	var s string
	if len(v) > 0 && v[0] == '"' && json.Unmarshal(v, &s) == nil {
		return s
	}
	return string(v)
}

// AllLanguages, asked as a language, answers objects with their values keyed by language as
// the fixture holds them.
const AllLanguages = "*"

// item returns object i in lang ("" for the default language).
func (c *Collection) item(i int, lang string) json.RawMessage {
	if c.byLang == nil || c.byLang[i] == nil || lang == AllLanguages {
		return c.items[i]
	}
	if lang == "" {
		lang = c.defaultLang
	}
	if v, ok := c.byLang[i][lang]; ok {
		return v
	}
	if _, some := c.byLang[i][onRequest]; some {
		return localize(c.items[i], lang)
	}
	return c.byLang[i][""]
}

// Items returns the objects' JSON in file order, in lang ("" for the default language); the
// caller must not change them.
func (c *Collection) Items(lang string) []json.RawMessage {
	if c.byLang == nil {
		return c.items
	}
	out := make([]json.RawMessage, len(c.items))
	for i := range c.items {
		out[i] = c.item(i, lang)
	}
	return out
}

// ByID returns the object whose id is id, in lang.
func (c *Collection) ByID(id int, lang string) (json.RawMessage, bool) {
	i, ok := c.idx.id(id)
	if !ok {
		return nil, false
	}
	return c.item(i, lang), true
}

// ByMarker returns the object whose marker is m, in lang.
func (c *Collection) ByMarker(m, lang string) (json.RawMessage, bool) {
	i, ok := c.idx.marker(m)
	if !ok {
		return nil, false
	}
	return c.item(i, lang), true
}

// localizations returns an object's JSON in each language its keyed values use and in the
// default language (see Localize), or nil when it has none. "" holds it in any other
// language: every keyed value blank.
func localizations(item json.RawMessage, defaultLang string) map[string]json.RawMessage {
	langs := Languages(item)
	if langs == nil {
		return nil
	}
	out := make(map[string]json.RawMessage, min(len(langs), maxPrerenderedLanguages)+3)
	if len(langs) > maxPrerenderedLanguages {
		// A copy per language would make the fixtures' memory, and the time to load them,
		// grow with the square of the languages one object holds.
		langs, out[onRequest] = nil, nil
	}
	for _, lang := range append(langs, defaultLang) {
		out[lang] = localize(item, lang)
	}
	out[""] = localize(item, "")
	return out
}

// maxPrerenderedLanguages is how many languages of one object are rendered when the fixtures
// load; a project has a few, and an object in more is rendered per request instead.
const maxPrerenderedLanguages = 32

// onRequest marks, among an object's localizations, one rendered per request in the
// languages besides the default: no language code has a NUL byte.
const onRequest = "\x00"

// Map returns the collection with every object replaced by f's answer, under the same index:
// the way to serve a file in another shape than the fixture's (mock-only fields left out,
// defaults filled in).
func (c *Collection) Map(f func(i int, item json.RawMessage) (json.RawMessage, error)) (*Collection, error) {
	items := make([]json.RawMessage, len(c.items))
	for i, item := range c.items {
		v, err := f(i, item)
		if err != nil {
			return nil, err
		}
		items[i] = v
	}
	return newCollection(items, c.idx, c.defaultLang), nil
}

// collectionKeys are the fields a served object is found by.
type collectionKeys struct {
	ID         int    `json:"id"`
	Identifier string `json:"identifier"`
	Marker     string `json:"marker"`
}

// loadCollection reads a fixture file that the store has no rules for: a JSON array of objects,
// served as they are. Ids and markers must be unique.
func loadCollection(fsys fs.FS, name, defaultLang string) (*Collection, error) {
	var keys []collectionKeys
	items, err := decodeList(fsys, name, &keys, func(data []byte, v any) error { return json.Unmarshal(data, v) })
	if err != nil {
		return nil, err
	}
	c := newCollection(items, newIndex(len(items)), defaultLang)
	for i, k := range keys {
		at := fmt.Sprintf("[%d]", i)
		marker := k.Identifier
		if marker == "" {
			marker = k.Marker
		}
		dupID, dupMarker := c.idx.add(i, k.ID, marker)
		if dupID {
			return nil, fixtureErr(name, at+".id", "duplicate id %d", k.ID)
		}
		if dupMarker {
			return nil, fixtureErr(name, at+".identifier", "duplicate marker %q", marker)
		}
	}
	return c, nil
}
