package store

import (
	"bytes"
	"encoding/json"
	"slices"
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
	return localize(raw, lang)
}

func localize(raw json.RawMessage, lang string) json.RawMessage {
	out, _ := rewriteKeyed(raw, func(ms []member) json.RawMessage {
		return localize(pickLanguage(ms, lang), lang)
	})
	return out
}

// Languages returns the language codes the keyed values of raw use, sorted; nil when it has
// none.
func Languages(raw json.RawMessage) []string {
	var langs []string
	rewriteKeyed(raw, func(ms []member) json.RawMessage {
		for _, m := range ms {
			langs = append(langs, m.key)
			langs = append(langs, Languages(m.val)...)
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
// order; ok is false for any other value.
func parts(v []byte) (ms []member, array, ok bool) {
	if len(v) == 0 || (v[0] != '{' && v[0] != '[') {
		return nil, false, false
	}
	array = v[0] == '['
	dec := json.NewDecoder(bytes.NewReader(v))
	if _, err := dec.Token(); err != nil {
		return nil, false, false
	}
	for dec.More() {
		var m member
		if !array {
			key, err := dec.Token()
			if err != nil {
				return nil, false, false
			}
			m.key, _ = key.(string)
		}
		if err := dec.Decode(&m.val); err != nil {
			return nil, false, false
		}
		ms = append(ms, m)
	}
	return ms, array, true
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

// isLanguageCode matches the project language codes OneEntry uses: en_US, ru_RU.
func isLanguageCode(s string) bool {
	return len(s) == 5 && s[2] == '_' &&
		'a' <= s[0] && s[0] <= 'z' && 'a' <= s[1] && s[1] <= 'z' &&
		'A' <= s[3] && s[3] <= 'Z' && 'A' <= s[4] && s[4] <= 'Z'
}
