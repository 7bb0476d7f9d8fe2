package store

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
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
