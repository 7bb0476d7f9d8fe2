package store

import (
	"bytes"
	"encoding/json"
	"slices"
)

// RawField is where a top-level field of a JSON object stands in its bytes: from Start, its
// key or, when it is not the first field, the comma before it, through its value, which runs
// from ValueStart to End.
type RawField struct {
	Start, ValueStart, End int
	// First is whether the field is the object's first.
	First bool
}

// FindRawField finds the top-level field name of the JSON object obj; ok is false when obj is
// not an object or has no such field.
func FindRawField(obj []byte, name string) (f RawField, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return RawField{}, false
	}
	for first := true; dec.More(); first = false {
		start := int(dec.InputOffset())
		key, err := dec.Token()
		if err != nil {
			return RawField{}, false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return RawField{}, false
		}
		if key == name {
			end := int(dec.InputOffset())
			return RawField{Start: start, ValueStart: end - len(v), End: end, First: first}, true
		}
	}
	return RawField{}, false
}

// withoutField returns a compact JSON object without its top-level field name, the other
// bytes untouched.
func withoutField(obj []byte, name string) []byte {
	f, ok := FindRawField(obj, name)
	if !ok {
		return obj
	}
	end := f.End
	if f.First && end < len(obj) && obj[end] == ',' {
		end++ // drop the comma after a leading field instead of the one before it
	}
	return slices.Concat(obj[:f.Start], obj[end:])
}

// WithRawField returns the JSON object obj with its top-level field name set to value: in
// place when obj has the field, last otherwise; the other bytes untouched.
func WithRawField(obj []byte, name string, value []byte) []byte {
	if f, ok := FindRawField(obj, name); ok {
		return slices.Concat(obj[:f.ValueStart], value, obj[f.End:])
	}
	end := bytes.LastIndexByte(obj, '}')
	if end < 0 {
		return obj
	}
	sep := []byte(",")
	if len(bytes.TrimSpace(obj[:end])) == 1 { // "{": no field before it
		sep = nil
	}
	return slices.Concat(obj[:end], sep, appendJSONString(nil, name), []byte(":"), value, obj[end:])
}
