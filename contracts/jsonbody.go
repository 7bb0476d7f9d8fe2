package contracts

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// kin-openapi decodes every JSON body into generic values (maps, slices, json.Number) before it
// walks the schema, with encoding/json: a syntax pass, then a second pass that copies every
// string and grows every map and slice as it goes. That was an eighth of the CPU of an order
// create. jsonBody builds the very same values in one pass over one copy of the body: strings
// and numbers are slices of that copy, and each object and array is made at its final size.
func init() {
	openapi3filter.RegisterBodyDecoder("application/json", jsonBody)
}

// jsonBody is openapi3filter.JSONBodyDecoder, faster. Whatever it does not handle exactly as
// encoding/json would (invalid or unusual JSON, deep nesting, something after the value) goes
// to JSONBodyDecoder itself, so values and errors are kin-openapi's own, with one difference:
// a body with anything after its value is refused, as the API's body parser (JSON.parse)
// refuses it, where JSONBodyDecoder reads the first value and stops.
func jsonBody(body io.Reader, header http.Header, schema *openapi3.SchemaRef, encFn openapi3filter.EncodingFn) (any, error) {
	var text strings.Builder
	if sized, ok := body.(interface{ Len() int }); ok {
		text.Grow(sized.Len())
	}
	if _, err := io.Copy(&text, body); err != nil {
		return nil, &openapi3filter.ParseError{Kind: openapi3filter.KindInvalidFormat, Cause: err}
	}
	s := text.String()
	if v, ok := decodeJSON(s); ok {
		return v, nil
	}
	v, err := openapi3filter.JSONBodyDecoder(strings.NewReader(s), header, schema, encFn)
	if err == nil && !json.Valid([]byte(s)) {
		return nil, &openapi3filter.ParseError{Kind: openapi3filter.KindInvalidFormat, Cause: errAfterValue}
	}
	return v, err
}

var errAfterValue = errors.New("the JSON body has more after its value")

// decodeJSON decodes s as a json.Decoder with UseNumber decodes its first value into an any,
// when s is that one value between optional white space and encoding/json would take it as
// is; ok is false otherwise, and the caller asks encoding/json.
func decodeJSON(s string) (v any, ok bool) {
	d := decoders.Get().(*jsonDecoder)
	defer d.release()
	d.s, d.i = s, 0
	d.space()
	v, ok = d.value(0)
	if !ok {
		return nil, false
	}
	d.space()
	return v, d.i == len(d.s)
}

// decoders keep their stacks from one body to the next.
var decoders = sync.Pool{New: func() any { return new(jsonDecoder) }}

func (d *jsonDecoder) release() {
	// The stacks are empty again, but their arrays still point at the last body's values.
	// Stacks grown large by a large body are dropped rather than cleared on every release.
	if cap(d.members) > maxPooledStack || cap(d.elems) > maxPooledStack {
		d.members, d.elems = nil, nil
	}
	clear(d.members[:cap(d.members)])
	clear(d.elems[:cap(d.elems)])
	d.s = ""
	decoders.Put(d)
}

const maxPooledStack = 256

// maxJSONDepth bounds the nesting jsonDecoder follows; deeper documents (encoding/json allows
// 10000 levels) go to encoding/json.
const maxJSONDepth = 200

type jsonDecoder struct {
	s string
	i int
	// members and elems are stacks shared by every object and array being decoded, so that
	// each is made once at its size instead of grown.
	members []jsonMember
	elems   []any
}

type jsonMember struct {
	key   string
	value any
}

func (d *jsonDecoder) space() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *jsonDecoder) value(depth int) (any, bool) {
	if d.i >= len(d.s) || depth > maxJSONDepth {
		return nil, false
	}
	switch c := d.s[d.i]; {
	case c == '{':
		return d.object(depth + 1)
	case c == '[':
		return d.array(depth + 1)
	case c == '"':
		if s, ok := d.string(); ok {
			return s, true
		}
		return nil, false
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	case strings.HasPrefix(d.s[d.i:], "true"):
		d.i += len("true")
		return true, true
	case strings.HasPrefix(d.s[d.i:], "false"):
		d.i += len("false")
		return false, true
	case strings.HasPrefix(d.s[d.i:], "null"):
		d.i += len("null")
		return nil, true
	}
	return nil, false
}

func (d *jsonDecoder) object(depth int) (any, bool) {
	base := len(d.members)
	defer func() { d.members = d.members[:base] }()
	if d.open('}') {
		return map[string]any{}, true
	}
	for more := true; more; {
		if d.i >= len(d.s) || d.s[d.i] != '"' {
			return nil, false
		}
		key, ok := d.string()
		if !ok {
			return nil, false
		}
		d.space()
		if d.i >= len(d.s) || d.s[d.i] != ':' {
			return nil, false
		}
		d.i++
		d.space()
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		d.members = append(d.members, jsonMember{key, v})
		if more, ok = d.separator('}'); !ok {
			return nil, false
		}
	}
	m := make(map[string]any, len(d.members)-base)
	// In order, so that of repeated names the last one wins, as in encoding/json.
	for _, kv := range d.members[base:] {
		m[kv.key] = kv.value
	}
	return m, true
}

func (d *jsonDecoder) array(depth int) (any, bool) {
	base := len(d.elems)
	defer func() { d.elems = d.elems[:base] }()
	if d.open(']') {
		return []any{}, true
	}
	for more := true; more; {
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		d.elems = append(d.elems, v)
		if more, ok = d.separator(']'); !ok {
			return nil, false
		}
	}
	return append([]any(nil), d.elems[base:]...), true
}

// open steps over the opening bracket at d.i and the space after it, and says whether the
// closing one, end, follows at once (and steps over it too).
func (d *jsonDecoder) open(end byte) (empty bool) {
	d.i++
	d.space()
	if d.i < len(d.s) && d.s[d.i] == end {
		d.i++
		return true
	}
	return false
}

// separator reads what follows a member or an element: a comma, after which more follow, or
// the closing bracket end.
func (d *jsonDecoder) separator(end byte) (more, ok bool) {
	d.space()
	if d.i >= len(d.s) {
		return false, false
	}
	switch d.s[d.i] {
	case ',':
		d.i++
		d.space()
		return true, true
	case end:
		d.i++
		return false, true
	}
	return false, false
}

// string decodes a string whose opening quote is at d.i. A string without escapes is a slice
// of s; one with escapes is unquoted by encoding/json. Raw bytes that are not valid UTF-8
// (which encoding/json replaces) are left to encoding/json with the rest.
func (d *jsonDecoder) string() (string, bool) {
	start := d.i
	d.i++
	escaped, ascii := false, true
	for d.i < len(d.s) {
		switch c := d.s[d.i]; {
		case c == '"':
			d.i++
			raw := d.s[start+1 : d.i-1]
			if !ascii && !utf8.ValidString(raw) {
				return "", false
			}
			if !escaped {
				return raw, true
			}
			var out string
			if json.Unmarshal([]byte(d.s[start:d.i]), &out) != nil {
				return "", false
			}
			return out, true
		case c == '\\':
			escaped = true
			d.i += 2 // an escaped quote does not end the string; encoding/json checks the escape
		case c < 0x20:
			return "", false
		default:
			ascii = ascii && c < utf8.RuneSelf
			d.i++
		}
	}
	return "", false
}

// number decodes a number as json.Number, its text as sent, after checking it against JSON's
// grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *jsonDecoder) number() (any, bool) {
	start := d.i
	if d.s[d.i] == '-' {
		d.i++
	}
	switch {
	case d.i < len(d.s) && d.s[d.i] == '0':
		d.i++
	case d.digits() == 0:
		return nil, false
	}
	if d.i < len(d.s) && d.s[d.i] == '.' {
		d.i++
		if d.digits() == 0 {
			return nil, false
		}
	}
	if d.i < len(d.s) && (d.s[d.i] == 'e' || d.s[d.i] == 'E') {
		d.i++
		if d.i < len(d.s) && (d.s[d.i] == '+' || d.s[d.i] == '-') {
			d.i++
		}
		if d.digits() == 0 {
			return nil, false
		}
	}
	return json.Number(d.s[start:d.i]), true
}

func (d *jsonDecoder) digits() int {
	n := 0
	for d.i < len(d.s) && d.s[d.i] >= '0' && d.s[d.i] <= '9' {
		d.i++
		n++
	}
	return n
}
