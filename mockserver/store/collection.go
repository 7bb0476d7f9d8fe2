package store

import (
	"encoding/json"
	"fmt"
	"io/fs"
)

// Collection is a fixture file as the API serves it: its objects' JSON in file order, indexed
// by id and by marker (the `identifier`, or `marker`, field). It is the only index of a file:
// the typed lookups of Fixtures go through it too.
type Collection struct {
	items []json.RawMessage
	idx   *index
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

// Len returns how many objects the collection holds.
func (c *Collection) Len() int { return len(c.items) }

// Items returns the objects' JSON in file order; the caller must not change them.
func (c *Collection) Items() []json.RawMessage { return c.items }

// ByID returns the object whose id is id.
func (c *Collection) ByID(id int) (json.RawMessage, bool) {
	i, ok := c.idx.id(id)
	if !ok {
		return nil, false
	}
	return c.items[i], true
}

// ByMarker returns the object whose marker is m.
func (c *Collection) ByMarker(m string) (json.RawMessage, bool) {
	i, ok := c.idx.marker(m)
	if !ok {
		return nil, false
	}
	return c.items[i], true
}

// Map returns the collection with every object replaced by f's answer, under the same index:
// the way to serve a file in another shape than the fixture's (mock-only fields left out,
// defaults filled in).
func (c *Collection) Map(f func(i int, item json.RawMessage) (json.RawMessage, error)) (*Collection, error) {
	out := &Collection{items: make([]json.RawMessage, len(c.items)), idx: c.idx}
	for i, item := range c.items {
		v, err := f(i, item)
		if err != nil {
			return nil, err
		}
		out.items[i] = v
	}
	return out, nil
}

// collectionKeys are the fields a served object is found by.
type collectionKeys struct {
	ID         int    `json:"id"`
	Identifier string `json:"identifier"`
	Marker     string `json:"marker"`
}

// loadCollection reads a fixture file that the store has no rules for: a JSON array of objects,
// served as they are. Ids and markers must be unique.
func loadCollection(fsys fs.FS, name string) (*Collection, error) {
	var keys []collectionKeys
	items, err := decodeList(fsys, name, &keys, func(data []byte, v any) error { return json.Unmarshal(data, v) })
	if err != nil {
		return nil, err
	}
	c := &Collection{items: items, idx: newIndex(len(items))}
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
