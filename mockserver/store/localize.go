package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"unicode/utf8"
)

// Localised fixture values. A value of a fixture object, at any depth, is either plain (the
// same in every language) or keyed by language: an object whose keys are all language codes,
// {"en_US": {...}, "ru_RU": {...}} or {"en_US": "Hello", "ru_RU": "Привет"}. The API serves
// an object in one language, the request's langCode (the project's default when the request
// names none): every keyed value becomes its value in that language. A language the value
// lacks does not fall back to another: the value is blank, the empty value of its kind ({},
// [], ""; null for numbers and booleans), as the live API serves content not written in the
// asked language.

// Localize returns raw with every value keyed by language replaced by its value in lang, blank
// where it has none. raw comes back unchanged, the same bytes, when it has no keyed value
// or is not valid JSON.
// An empty lang is defaultLang.
func Localize(raw json.RawMessage, lang, defaultLang string) json.RawMessage {
	if lang == "" {
		lang = defaultLang
	}
	if !json.Valid(raw) {
		return raw
	}
	return localize(raw, lang)
}

// localize is Localize of a value known to be valid JSON.
func localize(raw json.RawMessage, lang string) json.RawMessage {
	out, _ := rewriteKeyed(raw, func(ms []member) json.RawMessage {
		return localize(pickLanguage(ms, lang), lang)
	})
	return out
}

// Languages returns the language codes the keyed values of raw use, sorted; nil when it has
// none.
func Languages(raw json.RawMessage) []string {
	if !json.Valid(raw) {
		return nil
	}
	return languages(raw)
}

// languages is Languages of a value known to be valid JSON.
func languages(raw json.RawMessage) []string {
	var langs []string
	rewriteKeyed(raw, func(ms []member) json.RawMessage {
		for _, m := range ms {
			langs = append(langs, m.key)
			langs = append(langs, languages(m.val)...)
		}
		return nil
	})
	slices.Sort(langs)
	return slices.Compact(langs)
}

// pickLanguage returns the value of a keyed object in lang, else the blank value of the kind
// its values have.
func pickLanguage(ms []member, lang string) json.RawMessage {
	for _, m := range ms {
		if m.key == lang {
			return m.val
		}
	}
	return blank(ms[0].val)
}

// blank returns the empty value of v's JSON kind.
func blank(v json.RawMessage) json.RawMessage {
	if v = bytes.TrimSpace(v); len(v) > 0 {
		switch v[0] {
		case '{':
			return json.RawMessage(`{}`)
		case '[':
			return json.RawMessage(`[]`)
		case '"':
			return json.RawMessage(`""`)
		}
	}
	return json.RawMessage(`null`)
}

// member is one key and value of a JSON object, in the object's order.
type member struct {
	key string
	val json.RawMessage
}

// rewriteKeyed walks a JSON value and replaces every object keyed by language with f's answer
// for its members (a nil answer leaves it as it is), keeping the order of keys elsewhere. It
// reports whether anything changed; unchanged values keep their bytes.
func rewriteKeyed(v json.RawMessage, f func([]member) json.RawMessage) (json.RawMessage, bool) {
	v = bytes.TrimSpace(v)
	ms, array, ok := parts(v)
	if !ok || len(ms) == 0 {
		return v, false
	}
	if !array && keyedByLanguage(ms) {
		if out := f(ms); out != nil {
			return out, true
		}
		return v, false
	}
	changed := false
	for i := range ms {
		if nv, c := rewriteKeyed(ms[i].val, f); c {
			ms[i].val, changed = nv, true
		}
	}
	if !changed {
		return v, false
	}
	out := make([]byte, 0, len(v))
	out = append(out, v[0])
	for i, m := range ms {
		if i > 0 {
			out = append(out, ',')
		}
		if !array {
			out = appendJSONString(out, m.key)
			out = append(out, ':')
		}
		out = append(out, m.val...)
	}
	if array {
		return append(out, ']'), true
	}
	return append(out, '}'), true
}

// keyedByLanguage reports whether every key of an object is a language code.
func keyedByLanguage(ms []member) bool {
	for _, m := range ms {
		if !isLanguageCode(m.key) {
			return false
		}
	}
	return true
}

// parts returns the members of an object, or the elements of an array (with empty keys), in
// order, as slices of v; ok is false for any other value. v must be valid JSON: fixture files
// are checked whole as they load, and Localize and Languages check what they are given. Each
// level is read once, skipping over what it holds: the values of keyed objects nest, and
// decoding every level whole again made loading the fixtures quadratic in their depth.
func parts(v []byte) (ms []member, array, ok bool) {
	if len(v) == 0 || (v[0] != '{' && v[0] != '[') {
		return nil, false, false
	}
	array = v[0] == '['
	i := skipSpace(v, 1)
	if i < len(v) && (v[i] == '}' || v[i] == ']') {
		return nil, array, true
	}
	for i < len(v) {
		var m member
		if !array {
			end := skipValue(v, i)
			if end < 0 || v[i] != '"' {
				return nil, false, false
			}
			m.key = jsonKey(v[i:end])
			if i = skipSpace(v, end); i >= len(v) || v[i] != ':' {
				return nil, false, false
			}
			i = skipSpace(v, i+1)
		}
		end := skipValue(v, i)
		if end < 0 {
			return nil, false, false
		}
		m.val = v[i:end]
		ms = append(ms, m)
		if i = skipSpace(v, end); i >= len(v) {
			return nil, false, false
		}
		switch v[i] {
		case ',':
			i = skipSpace(v, i+1)
		case '}', ']':
			return ms, array, true
		default:
			return nil, false, false
		}
	}
	return nil, false, false
}

// skipValue returns where the JSON value that starts at v[i] ends, or -1 when v ends first.
func skipValue(v []byte, i int) int {
	if i >= len(v) {
		return -1
	}
	switch v[i] {
	case '"':
		for j := i + 1; j < len(v); j++ {
			switch v[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
		return -1
	case '{', '[':
		depth := 0
		for j := i; j < len(v); j++ {
			switch v[j] {
			case '"':
				end := skipValue(v, j)
				if end < 0 {
					return -1
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	// A number, true, false or null runs to the next delimiter.
	for j := i; j < len(v); j++ {
		switch v[j] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return j
		}
	}
	return len(v)
}

func skipSpace(v []byte, i int) int {
	for i < len(v) && (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' || v[i] == '\n') {
		i++
	}
	return i
}

// jsonKey returns the text of a JSON string as encoding/json decodes it, which takes work only
// for an escape or bytes that are not UTF-8 (each becomes U+FFFD).
func jsonKey(quoted []byte) string {
	if bytes.IndexByte(quoted, '\\') < 0 && utf8.Valid(quoted) {
		return string(quoted[1 : len(quoted)-1])
	}
	var key string
	_ = json.Unmarshal(quoted, &key) // valid JSON: the string decodes
	return key
}

// appendJSONString appends s as a JSON string, leaving <, > and & as they are (as the fixture
// has them).
func appendJSONString(out []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return append(out, bytes.TrimRight(buf.Bytes(), "\n")...)
}

// CheckLocale refuses lang, the locale a write names in field, unless it is a language code the
// project has activated: the live API neither writes nor returns an inactive locale's values,
// and a state holding another could not be loaded again.
func (f *Fixtures) CheckLocale(field, lang string) error {
	if !isLanguageCode(lang) {
		return Invalid(fmt.Sprintf("%s: %s is not a locale", field, lang))
	}
	if !slices.Contains(f.Languages(), lang) {
		return Invalid(fmt.Sprintf("%s: %s is not an active locale of the project", field, lang))
	}
	return nil
}

// isLanguageCode matches the project language codes OneEntry uses: en_US, ru_RU.
func isLanguageCode(s string) bool {
	return len(s) == 5 && s[2] == '_' &&
		'a' <= s[0] && s[0] <= 'z' && 'a' <= s[1] && s[1] <= 'z' &&
		'A' <= s[3] && s[3] <= 'Z' && 'A' <= s[4] && s[4] <= 'Z'
}
