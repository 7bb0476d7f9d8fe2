package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// jsonKind names the JSON value a Go type decodes from, in the words a fixture's author uses
// ("a number", not "float64").
func jsonKind(t reflect.Type) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return "a value"
	}
	if t == reflect.TypeFor[json.RawMessage]() {
		return "a JSON value"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	default:
		return "a value"
	}
}

// jsonValueWord turns encoding/json's description of a value it met ("string", "number 1.5",
// "bool") into the same words.
func jsonValueWord(v string) string {
	switch v {
	case "string":
		return "a string"
	case "number":
		return "a number"
	case "bool":
		return "true or false"
	case "object":
		return "an object"
	case "array":
		return "an array"
	default:
		return v
	}
}

// locateFixtureError adds the line and column of the field a *FixtureError names, reading
// the file again, within the same size bound: errors are rare, and the checks that find most
// of them see decoded values only.
func locateFixtureError(fsys fs.FS, err error) error {
	var fe *FixtureError
	if !errors.As(err, &fe) || fe.Line > 0 || fsys == nil {
		return err
	}
	data, rerr := readFixture(fsys, fe.File)
	if rerr != nil {
		return err
	}
	off := -1
	if fe.elemAt > 0 {
		if start := fieldOffset(data, fe.elem); start >= 0 {
			off = start + fe.elemAt - 1
		}
	} else if fe.at > 0 {
		off = valueStart(data, int64(fe.at-1))
		if fe.at == math.MaxInt {
			off = len(data)
		}
	} else if fe.unknownKey != "" {
		off = keyOffset(data, fe.unknownKey)
	}
	if off < 0 && fe.Field != "" {
		off = fieldOffset(data, fe.Field)
	}
	if off < 0 {
		return err
	}
	fe.Line, fe.Column = lineColumn(data, off)
	return err
}

// lineColumn converts a byte offset into a 1-based line and column (in characters).
func lineColumn(data []byte, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	return line, utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
}

// elementFixtureErr is jsonFixtureErr for element elem ("[3]") of a file's array, whose JSON
// is raw: encoding/json names a nested field without its array indexes ("statuses.isDefault")
// and an unknown one without any path, so the value or key is found in raw and named by its
// whole path ("[3].statuses[2].isDefault").
func elementFixtureErr(file, elem string, raw []byte, typ reflect.Type, err error) error {
	fe, ok := jsonFixtureErr(file, elem, err).(*FixtureError)
	if !ok {
		return err
	}
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		// Offset is just past what the decoder read of the value: its last byte lies in it.
		if path, start, found := pathAt(raw, max(int(typeErr.Offset)-1, 0)); found {
			fe.Field, fe.elem, fe.elemAt = elem+path, elem, start+1
		}
	case fe.unknownKey != "":
		dec := json.NewDecoder(bytes.NewReader(raw))
		if path, at, found := unknownKey(dec, raw, typ, ""); found {
			fe.Field, fe.elem, fe.elemAt = elem+path, elem, at+1
		}
	}
	return fe
}

// nextKey reads the next key of the object dec is in, and where it starts in data.
func nextKey(dec *json.Decoder, data []byte) (name string, at int, ok bool) {
	at = valueStart(data, dec.InputOffset())
	key, err := dec.Token()
	name, ok = key.(string)
	return name, at, ok && err == nil
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// unknownKey walks the JSON value dec reads next along typ, the Go type it decodes into, and
// returns the path and offset of the first object key no field of typ takes, as
// encoding/json matches them (the exact name, else any case).
func unknownKey(dec *json.Decoder, data []byte, typ reflect.Type, path string) (string, int, bool) {
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	opaque := reflect.PointerTo(typ).Implements(unmarshalerType) || typ.Kind() == reflect.Interface
	if !opaque && (typ.Kind() == reflect.Struct || typ.Kind() == reflect.Map || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Array) {
		tok, err := dec.Token()
		if err != nil {
			return "", 0, false
		}
		switch {
		case tok == json.Delim('{') && typ.Kind() != reflect.Slice && typ.Kind() != reflect.Array:
			for dec.More() {
				name, at, ok := nextKey(dec, data)
				if !ok {
					return "", 0, false
				}
				var inner reflect.Type
				if typ.Kind() == reflect.Struct {
					field, known := jsonField(typ, name)
					if !known {
						return path + "." + name, at, true
					}
					inner = field
				} else {
					inner = typ.Elem() // a map's values
				}
				if p, a, found := unknownKey(dec, data, inner, path+"."+name); found {
					return p, a, true
				}
			}
		case tok == json.Delim('[') && (typ.Kind() == reflect.Slice || typ.Kind() == reflect.Array):
			for i := 0; dec.More(); i++ {
				if p, a, found := unknownKey(dec, data, typ.Elem(), path+"["+strconv.Itoa(i)+"]"); found {
					return p, a, true
				}
			}
		default:
			return "", 0, false // of another kind: a type error, reported as one
		}
		_, _ = dec.Token()
		return "", 0, false
	}
	var skip json.RawMessage
	_ = dec.Decode(&skip)
	return "", 0, false
}

// jsonField returns the type of the field of struct typ that encoding/json decodes name into.
func jsonField(typ reflect.Type, name string) (reflect.Type, bool) {
	var folded reflect.Type
	for _, f := range reflect.VisibleFields(typ) {
		if !f.IsExported() || f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("json") == "" {
			continue
		}
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" {
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		if tag == name {
			return f.Type, true
		}
		if folded == nil && strings.EqualFold(tag, name) {
			folded = f.Type
		}
	}
	return folded, folded != nil
}

// pathAt returns the path (".key", "[i]", joined) from the top of data to the innermost value
// that holds byte off, and where it starts: its key for a member of an object, as the errors
// of the other checks point at the field.
func pathAt(data []byte, off int) (path string, start int, found bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var walk func(path string, at int) (string, int, bool)
	walk = func(path string, at int) (string, int, bool) {
		begin := valueStart(data, dec.InputOffset())
		if at < 0 {
			at = begin
		}
		tok, err := dec.Token()
		if err != nil {
			return "", 0, false
		}
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				name, keyAt, isKey := nextKey(dec, data)
				if !isKey {
					return "", 0, false
				}
				if p, s, ok := walk(path+"."+name, keyAt); ok {
					return p, s, true
				}
			}
			_, _ = dec.Token()
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				if p, s, ok := walk(path+"["+strconv.Itoa(i)+"]", -1); ok {
					return p, s, true
				}
			}
			_, _ = dec.Token()
		}
		if begin <= off && off < int(dec.InputOffset()) {
			return path, at, true
		}
		return "", 0, false
	}
	return walk("", -1)
}

// keyOffset finds the first object key named key.
func keyOffset(data []byte, key string) int {
	quoted, _ := json.Marshal(key)
	re := regexp.MustCompile(regexp.QuoteMeta(string(quoted)) + `\s*:`)
	if loc := re.FindIndex(data); loc != nil {
		return loc[0]
	}
	return -1
}

var fieldSegment = regexp.MustCompile(`\[(\d+)\]|\.?([^.\[]+)`)

// fieldOffset walks data along a field path such as "[1].price" or
// "[0].paymentAccountIdentifiers[0].identifier" and returns where the deepest part it finds
// starts: the key for a name, the value for an index. It returns -1 when not even the first
// part is there.
func fieldOffset(data []byte, path string) int {
	dec := json.NewDecoder(bytes.NewReader(data))
	found := -1
	for _, m := range fieldSegment.FindAllStringSubmatch(path, -1) {
		tok, err := dec.Token()
		if err != nil {
			return found
		}
		if m[1] != "" {
			n, _ := strconv.Atoi(m[1])
			if tok != json.Delim('[') || !skipValues(dec, n) || !dec.More() {
				return found
			}
			found = valueStart(data, dec.InputOffset())
			continue
		}
		if tok != json.Delim('{') {
			return found
		}
		for {
			if !dec.More() {
				return found
			}
			start := valueStart(data, dec.InputOffset())
			k, err := dec.Token()
			if err != nil {
				return found
			}
			if k == m[2] {
				found = start
				break
			}
			if !skipValues(dec, 1) {
				return found
			}
		}
	}
	return found
}

// skipValues reads n whole values.
func skipValues(dec *json.Decoder, n int) bool {
	for range n {
		var skip json.RawMessage
		if !dec.More() || dec.Decode(&skip) != nil {
			return false
		}
	}
	return true
}

// valueStart skips the white space and separators a decoder's offset may still be in front of.
func valueStart(data []byte, off int64) int {
	i := int(off)
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\r', '\n', ',', ':':
			i++
			continue
		}
		break
	}
	return i
}
