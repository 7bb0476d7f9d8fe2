package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/fixtures"
)

func TestLocalize(t *testing.T) {
	t.Parallel()
	const page = `{"id":1,"localizeInfos":{"en_US":{"title":"Home"},"ru_RU":{"title":"Главная"}},` +
		`"attributeValues":{"en_US":{"hero":{"type":"string","value":"Hi"}},"ru_RU":{"hero":{"type":"string","value":"Привет"}}},` +
		`"blocks":[{"id":5,"title":{"en_US":"Hero","ru_RU":"Баннер"},"plain":{"a":"<b>&"}}],"url":"home"}`
	for _, c := range []struct {
		name, in, lang, want string
	}{
		{"en", page, "en_US", `{"id":1,"localizeInfos":{"title":"Home"},"attributeValues":{"hero":{"type":"string","value":"Hi"}},"blocks":[{"id":5,"title":"Hero","plain":{"a":"<b>&"}}],"url":"home"}`},
		{"ru", page, "ru_RU", `{"id":1,"localizeInfos":{"title":"Главная"},"attributeValues":{"hero":{"type":"string","value":"Привет"}},"blocks":[{"id":5,"title":"Баннер","plain":{"a":"<b>&"}}],"url":"home"}`},
		{"no language is the default", page, "", `{"id":1,"localizeInfos":{"title":"Home"},"attributeValues":{"hero":{"type":"string","value":"Hi"}},"blocks":[{"id":5,"title":"Hero","plain":{"a":"<b>&"}}],"url":"home"}`},
		{"a language without translations is blank", page, "de_DE", `{"id":1,"localizeInfos":{},"attributeValues":{},"blocks":[{"id":5,"title":"","plain":{"a":"<b>&"}}],"url":"home"}`},
		{"a missing translation is blank of its kind", `{"t":{"en_US":"a","ru_RU":"б"},"u":{"en_US":"only"},"o":{"en_US":{"x":1}},"l":{"en_US":[1]},"n":{"en_US":2}}`, "ru_RU", `{"t":"б","u":"","o":{},"l":[],"n":null}`},
		{"nested keyed values", `{"u":{"en_US":{"v":{"en_US":1,"ru_RU":2}},"ru_RU":{"v":{"ru_RU":3}}}}`, "en_US", `{"u":{"v":1}}`},
		{"plain object stays", `{"localizeInfos":{"title":"Same"}}`, "ru_RU", `{"localizeInfos":{"title":"Same"}}`},
		{"empty object stays", `{"a":{}}`, "ru_RU", `{"a":{}}`},
		{"mixed keys are not keyed", `{"a":{"en_US":1,"title":2}}`, "en_US", `{"a":{"en_US":1,"title":2}}`},
		{"not JSON stays", `{"a":`, "en_US", `{"a":`},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, c.want, string(Localize(json.RawMessage(c.in), c.lang, "en_US")))
		})
	}
	assert.Equal(t, []string{"en_US", "ru_RU"}, Languages(json.RawMessage(page)))
	assert.Nil(t, Languages(json.RawMessage(`{"a":[1,{"b":"c"}]}`)))
	same := json.RawMessage(`{"a": [1, {"b": "c"}]}`)
	assert.Equal(t, string(same), string(Localize(same, "ru_RU", "en_US")), "an object without keyed values keeps its bytes")
}

// partsByDecoder is parts as encoding/json reads a value: the reference parts must agree with.
func partsByDecoder(v []byte) (ms []member, array, ok bool) {
	v = bytes.TrimSpace(v)
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

// checkPartsAgree walks v as parts does and requires every level to read as encoding/json
// reads it.
func checkPartsAgree(t *testing.T, v []byte) {
	t.Helper()
	want, wantArray, wantOK := partsByDecoder(v)
	got, gotArray, gotOK := parts(bytes.TrimSpace(v))
	require.Equal(t, wantOK, gotOK, "%s", v)
	require.Equal(t, wantArray, gotArray, "%s", v)
	require.Equal(t, len(want), len(got), "%s", v)
	for i := range want {
		require.Equal(t, want[i].key, got[i].key, "%s", v)
		require.Equal(t, string(want[i].val), string(got[i].val), "%s", v)
		checkPartsAgree(t, got[i].val)
	}
}

var partsCases = []string{
	`{}`, `[]`, ` { } `, `[1, 2 ,3]`, `{"a":1}`, `{"a" : { "b" : [ "x" , {"c":null} ] } , "d":true}`,
	`{"k\"ey":"va\\\"l}]","\u00e9t\u00e9":"{[","en_US":{"t":"]"}}`, `[[[]],[{}],"\\\\",-1.5e3,false]`,
	`{"a":"\ud83d\ude00","b":"\/"}`,
}

// parts reads every level of every default fixture file, and the cases above, as encoding/json
// does.
func TestPartsReadsAsEncodingJSON(t *testing.T) {
	t.Parallel()
	files, err := fs.Glob(fixtures.FS, "*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, name := range files {
		data, err := fs.ReadFile(fixtures.FS, name)
		require.NoError(t, err)
		checkPartsAgree(t, data)
	}
	for _, c := range partsCases {
		checkPartsAgree(t, []byte(c))
	}
}

// FuzzParts: on any valid JSON, parts reads as encoding/json does.
func FuzzParts(f *testing.F) {
	for _, c := range partsCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		checkPartsAgree(t, data)
	})
}

// An object in more languages than are rendered at load is served in each of them all the
// same, and loading it keeps a few copies of it, not one per language.
func TestAnObjectInManyLanguages(t *testing.T) {
	const langs = 2000
	var b bytes.Buffer
	b.WriteString(`{"id":1,"plain":"` + string(bytes.Repeat([]byte("x"), 20000)) + `","localizeInfos":{`)
	for i := range langs {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"l%c_%c%c":{"title":"t%d"}`, 'a'+i%26, 'A'+i/26%26, 'A'+i/676, i)
	}
	b.WriteString(`}}`)
	item := json.RawMessage(b.Bytes())

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	c := newCollection([]json.RawMessage{item}, newIndex(1), "la_AA")
	runtime.GC()
	runtime.ReadMemStats(&after)
	assert.Less(t, after.HeapAlloc-min(after.HeapAlloc, before.HeapAlloc), uint64(10*len(item)), "a few copies, not one per language")

	for _, i := range []int{0, 1, 999, langs - 1} {
		lang := fmt.Sprintf("l%c_%c%c", 'a'+i%26, 'A'+i/26%26, 'A'+i/676)
		var got struct {
			LocalizeInfos struct{ Title string } `json:"localizeInfos"`
		}
		require.NoError(t, json.Unmarshal(c.At(0, lang), &got), lang)
		assert.Equal(t, fmt.Sprintf("t%d", i), got.LocalizeInfos.Title, lang)
	}
	assert.Equal(t, localize(item, "zz_ZZ"), c.At(0, "zz_ZZ"), "a language it lacks is blank")
	assert.Equal(t, localize(item, "la_AA"), c.At(0, ""), "no language is the default")
}
