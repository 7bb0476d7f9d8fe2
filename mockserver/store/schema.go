package store

import (
	"reflect"
	"strings"
)

// APIFields returns the JSON names of the fields of a fixture type (Form, Product, OrderStorage
// ...) that the live API has too: every field the fixture format accepts, less the mock's own
// settings, which are tagged `fixture:"mock"`. A fixture set derived from live answers keeps
// exactly these, so the loader, which refuses unknown fields, accepts it.
func APIFields(v any) []string {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" || f.Tag.Get("fixture") == "mock" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	return out
}
