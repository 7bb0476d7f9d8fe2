package store

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// duplicateKey finds the first key of a JSON object in data that an earlier key of the same
// object already has, and returns where it starts, its path ("[1].price") and the earlier key;
// at is -1 when no key repeats. encoding/json takes the last of two keys, and takes keys that
// differ only in case for one field ("Price" sets price), while the served bytes keep both and
// the SDK reads each as written: what the mock checks and what a site shows would differ.
// data need not be valid JSON: a scan that loses its way stops, and decoding names the error.
// Every fixture file is scanned at every start, so the scan allocates little: keys are slices
// of data, compared in a list while an object has few and through a map once it has many.
func duplicateKey(data []byte) (at int, path, key, earlier string) {
	var stack []keyFrame
	var names [][]byte
	pathOf := func(last []byte) string {
		var b []byte
		for _, f := range stack[:len(stack)-1] {
			if f.object {
				b = append(append(b, '.'), f.key...)
			} else {
				b = append(strconv.AppendInt(append(b, '['), int64(f.index), 10), ']')
			}
		}
		return strings.TrimPrefix(string(append(append(b, '.'), last...)), ".")
	}
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '{', '[':
			if len(stack) == maxScanDepth {
				return -1, "", "", "" // decoding refuses such nesting, naming where
			}
			stack = append(stack, keyFrame{object: c == '{', wantKey: c == '{', first: len(names)})
		case '}', ']':
			if len(stack) == 0 {
				return -1, "", "", ""
			}
			names = names[:stack[len(stack)-1].first]
			stack = stack[:len(stack)-1]
		case ',':
			if len(stack) == 0 {
				return -1, "", "", ""
			}
			top := &stack[len(stack)-1]
			top.wantKey, top.index = top.object, top.index+1
		case '"':
			end := skipValue(data, i) // the string's end
			if end < 0 {
				return -1, "", "", ""
			}
			if n := len(stack); n > 0 && stack[n-1].wantKey {
				top := &stack[n-1]
				name := keyText(data[i:end])
				if first, dup := top.seen(names[top.first:], name); dup {
					return i, pathOf(name), string(name), string(first)
				}
				names = append(names, name)
				top.key, top.wantKey = name, false
			}
			i = end - 1
		}
	}
	return -1, "", "", ""
}

// maxScanDepth is the nesting the scan follows, encoding/json's own bound: a fixture file of
// 16 MiB of "[" would otherwise hold a frame per byte, about a gigabyte.
const maxScanDepth = 10000

// manyKeys is how many keys an object may have before they are looked up in a map.
const manyKeys = 32

// keyFrame is an object or an array duplicateKey is in.
type keyFrame struct {
	object, wantKey bool
	index           int               // of the array's element
	key             []byte            // of the object's member
	first           int               // where the object's keys start in the list of names
	many            map[string][]byte // by the key in lower case
}

// seen returns the key among keys, the object's earlier keys, that name repeats, ignoring case,
// and, past manyKeys, keeps name in the frame's map.
func (f *keyFrame) seen(keys [][]byte, name []byte) ([]byte, bool) {
	if f.many == nil && len(keys) < manyKeys {
		for _, k := range keys {
			if bytes.EqualFold(k, name) {
				return k, true
			}
		}
		return nil, false
	}
	if f.many == nil {
		f.many = make(map[string][]byte, 2*len(keys))
		for _, k := range keys {
			f.many[strings.ToLower(string(k))] = k
		}
	}
	folded := strings.ToLower(string(name))
	if k, dup := f.many[folded]; dup {
		return k, true
	}
	f.many[folded] = name
	return nil, false
}

// keyText is the text of a quoted JSON key, its escapes decoded ("\u0061" and "a" are one key).
func keyText(quoted []byte) []byte {
	if bytes.IndexByte(quoted, '\\') < 0 {
		return quoted[1 : len(quoted)-1]
	}
	var s string
	if json.Unmarshal(quoted, &s) != nil {
		return quoted
	}
	return []byte(s)
}
