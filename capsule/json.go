package capsule

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// node is a parsed JSON value that keeps the order of object keys. Recorded bodies are
// rewritten (redaction, re-issued tokens) and written back, and a front end reading the replay
// should see the keys in the order the live API sent them.
type node struct {
	kind  nodeKind
	b     bool
	keys  []string // object
	vals  []*node  // object values, parallel to keys
	items []*node  // array
	str   string   // a string, or a number's text as the JSON has it
}

type nodeKind uint8

const (
	kindNull nodeKind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

func (k nodeKind) String() string {
	switch k {
	case kindBool:
		return "boolean"
	case kindNumber:
		return "number"
	case kindString:
		return "string"
	case kindArray:
		return "array"
	case kindObject:
		return "object"
	default:
		return "null"
	}
}

// maxDepth is how deep parseJSON follows nested arrays and objects, encoding/json's own limit:
// a body of a few megabytes of "[" would otherwise grow the stack until the process dies.
const maxDepth = 10000

// errTooDeep refuses a value nested deeper than maxDepth.
var errTooDeep = fmt.Errorf("JSON nested deeper than %d levels", maxDepth)

// errTooManyValues refuses data holding more JSON values than a parse was allowed to build.
var errTooManyValues = errors.New("too many JSON values")

// parseJSON parses one JSON value; anything after it is an error.
func parseJSON(data []byte) (*node, error) {
	n, _, err := parseJSONWithin(data, math.MaxInt)
	return n, err
}

// parseJSONWithin parses like parseJSON but stops with errTooManyValues at the value after
// limit, before building it: a node costs some fifty times the two bytes of a "0," in an
// array, so the count, not the size of the data, is what bounds the memory a parse takes.
// It returns how many values it built.
func parseJSONWithin(data []byte, limit int) (*node, int, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	p := parser{dec: dec, left: limit}
	n, err := p.value(0)
	if err != nil {
		return nil, 0, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, 0, errors.New("unexpected data after the JSON value")
	}
	return n, limit - p.left, nil
}

type parser struct {
	dec  *json.Decoder
	left int // values still allowed
}

func (p *parser) value(depth int) (*node, error) {
	tok, err := p.dec.Token()
	if err != nil {
		return nil, err
	}
	if p.left == 0 {
		return nil, errTooManyValues
	}
	p.left--
	if _, nests := tok.(json.Delim); nests && depth >= maxDepth {
		return nil, errTooDeep
	}
	switch t := tok.(type) {
	case nil:
		return &node{kind: kindNull}, nil
	case bool:
		return &node{kind: kindBool, b: t}, nil
	case json.Number:
		return &node{kind: kindNumber, str: string(t)}, nil
	case string:
		return &node{kind: kindString, str: t}, nil
	case json.Delim:
		switch t {
		case '[':
			n := &node{kind: kindArray, items: []*node{}}
			for p.dec.More() {
				item, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, item)
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, err
			}
			return n, nil
		case '{':
			n := &node{kind: kindObject}
			for p.dec.More() {
				kt, err := p.dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("object key is %T", kt)
				}
				val, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, key)
				n.vals = append(n.vals, val)
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, err
			}
			return n, nil
		}
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}

// get returns the value of key in an object node.
func (n *node) get(key string) (*node, bool) {
	if n == nil || n.kind != kindObject {
		return nil, false
	}
	for i, k := range n.keys {
		if k == key {
			return n.vals[i], true
		}
	}
	return nil, false
}

// marshal writes n as compact JSON without HTML escaping, so placeholders such as
// <access-token-1> stay readable and greppable in capsule files.
func (n *node) marshal() []byte {
	var b bytes.Buffer
	n.write(&b)
	return b.Bytes()
}

func (n *node) write(b *bytes.Buffer) {
	switch n.kind {
	case kindNull:
		b.WriteString("null")
	case kindBool:
		b.WriteString(strconv.FormatBool(n.b))
	case kindNumber:
		b.WriteString(n.str)
	case kindString:
		writeString(b, n.str)
	case kindArray:
		b.WriteByte('[')
		for i, item := range n.items {
			if i > 0 {
				b.WriteByte(',')
			}
			item.write(b)
		}
		b.WriteByte(']')
	case kindObject:
		b.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			n.vals[i].write(b)
		}
		b.WriteByte('}')
	}
}

func writeString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)       // a string always encodes
	b.Truncate(b.Len() - 1) // Encode appends a newline
}

// walkStrings calls fn for every string value (not keys) under n, with the key of the object
// member holding it ("" inside arrays), and replaces the value with fn's result.
func (n *node) walkStrings(key string, fn func(key, s string) string) {
	switch n.kind {
	case kindString:
		n.str = fn(key, n.str)
	case kindArray:
		for _, item := range n.items {
			item.walkStrings("", fn)
		}
	case kindObject:
		for i, k := range n.keys {
			n.vals[i].walkStrings(k, fn)
		}
	}
}

// pointerToken escapes a key for a JSON pointer (RFC 6901).
func pointerToken(key string) string {
	if !strings.ContainsAny(key, "~/") {
		return key
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(key)
}

// MarshalFile writes v as capsule and fixture files are written: indented by two spaces, with
// <, > and & as they are (placeholders read as <access-token-1>, HTML texts as the project wrote
// them), an *Object's keys in their order, and a final newline.
func MarshalFile(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Object is a JSON object that keeps its members in the order they were written. It is for
// code outside this package that rewrites JSON a front end reads (the fixture files a pull
// merges): decoded into a Go map, the keys would come out sorted, and a site walking an
// object's entries would list them in another order than the project sends.
type Object struct {
	Keys   []string
	Values []any // parallel to Keys, as DecodeOrdered gives them
}

// DecodeOrdered decodes one JSON value as encoding/json decodes it into an any with UseNumber,
// except that an object is an *Object, which keeps the order of its keys.
func DecodeOrdered(data []byte) (any, error) {
	n, err := parseJSON(data)
	if err != nil {
		return nil, err
	}
	return n.ordered(), nil
}

func (n *node) ordered() any {
	switch n.kind {
	case kindBool:
		return n.b
	case kindNumber:
		return json.Number(n.str)
	case kindString:
		return n.str
	case kindArray:
		out := make([]any, len(n.items))
		for i, item := range n.items {
			out[i] = item.ordered()
		}
		return out
	case kindObject:
		o := &Object{Keys: make([]string, len(n.keys)), Values: make([]any, len(n.vals))}
		copy(o.Keys, n.keys)
		for i, v := range n.vals {
			o.Values[i] = v.ordered()
		}
		return o
	}
	return nil
}

// Get returns the value of key.
func (o *Object) Get(key string) (any, bool) {
	for i, k := range o.Keys {
		if k == key {
			return o.Values[i], true
		}
	}
	return nil, false
}

// Set replaces the value of key, or adds key last.
func (o *Object) Set(key string, v any) {
	for i, k := range o.Keys {
		if k == key {
			o.Values[i] = v
			return
		}
	}
	o.Keys = append(o.Keys, key)
	o.Values = append(o.Values, v)
}

// Delete removes key.
func (o *Object) Delete(key string) {
	for i, k := range o.Keys {
		if k == key {
			o.Keys = append(o.Keys[:i:i], o.Keys[i+1:]...)
			o.Values = append(o.Values[:i:i], o.Values[i+1:]...)
			return
		}
	}
}

// MarshalJSON writes the members in order, leaving <, > and & as they are, as fixture files
// and the API write them.
func (o *Object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	b.WriteByte('{')
	for i, k := range o.Keys {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(&b, k)
		b.WriteByte(':')
		if err := enc.Encode(o.Values[i]); err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		b.Truncate(b.Len() - 1) // Encode appends a newline
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON decodes an object keeping the order of its keys.
func (o *Object) UnmarshalJSON(data []byte) error {
	n, err := parseJSON(data)
	if err != nil {
		return err
	}
	if n.kind != kindObject {
		return fmt.Errorf("a JSON object was expected, not %s", n.kind)
	}
	*o = *n.ordered().(*Object)
	return nil
}
