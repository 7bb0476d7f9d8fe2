package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// Money is an amount the API sends in two forms: order totals are a JSON number in create and
// update answers (100) and a string with two decimals in reads ("100.00"). Both decode to the
// same Cents; Raw keeps the wire form so a caller can tell which one arrived.
type Money struct {
	// Cents is the amount in hundredths of the currency unit.
	Cents int64
	// Raw is the JSON value as received (100 or "100.00"); nil for a Money made in code.
	Raw json.RawMessage
}

// decimalPattern is a JSON number; big.Rat alone would also accept fractions and hex.
var decimalPattern = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// MoneyFromCents returns the amount of cents, encoded as a JSON number.
func MoneyFromCents(cents int64) Money { return Money{Cents: cents} }

// ParseMoney parses a decimal amount such as "100", "100.00" or "4061.55". It fails for
// amounts with non-zero digits beyond the cents.
func ParseMoney(s string) (Money, error) {
	cents, err := parseCents(s)
	if err != nil {
		return Money{}, fmt.Errorf("money %q: %w", strings.TrimSpace(s), err)
	}
	return Money{Cents: cents}, nil
}

// parseCents returns the cents of a decimal amount; its error says what the text is not.
func parseCents(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if !decimalPattern.MatchString(s) {
		return 0, errors.New("not a decimal number")
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, errors.New("not a decimal number")
	}
	r.Mul(r, big.NewRat(100, 1))
	if !r.IsInt() {
		return 0, errors.New("more than two decimal places")
	}
	if !r.Num().IsInt64() {
		return 0, errors.New("out of range")
	}
	return r.Num().Int64(), nil
}

// maxValueText caps how much of a JSON value a decode error quotes.
const maxValueText = 64

// valueError reports a JSON value that is no T as encoding/json reports its own type errors,
// which json.Unmarshal completes with the field the value was in: `json: cannot unmarshal
// "n/a" (not a decimal number) into Go struct field Product.price of type client.Money`.
func valueError[T any](data []byte, why error) error {
	return &json.UnmarshalTypeError{Value: fmt.Sprintf("%s (%v)", excerpt(data, maxValueText), why), Type: reflect.TypeFor[T]()}
}

// UnmarshalJSON accepts a JSON number or a string holding one. null leaves m unchanged.
func (m *Money) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	text, null, err := numberText(data, "money")
	if err != nil || null {
		return err
	}
	cents, err := parseCents(text)
	if err != nil {
		return valueError[Money](data, err)
	}
	m.Cents = cents
	m.Raw = append(json.RawMessage(nil), data...)
	return nil
}

// MarshalJSON writes Raw when the value was decoded, so a round trip keeps the wire form, and
// a JSON number with two decimals otherwise.
func (m Money) MarshalJSON() ([]byte, error) {
	if len(m.Raw) > 0 {
		return m.Raw, nil
	}
	return []byte(m.String()), nil
}

// IsString reports whether the amount arrived as a JSON string ("100.00"), as reads send it.
func (m Money) IsString() bool { return len(m.Raw) > 0 && m.Raw[0] == '"' }

// String formats the amount with two decimals: "100.00", "-0.50".
func (m Money) String() string {
	sign, c := "", m.Cents
	if c < 0 {
		sign = "-"
	}
	units, cents := c/100, c%100
	if cents < 0 {
		units, cents = -units, -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, units, cents)
}

// Float64 returns the amount in currency units.
func (m Money) Float64() float64 { return float64(m.Cents) / 100 }

// localeKeyPattern matches the language codes OneEntry keys translations by (en_US, ru_RU).
// A flat localizeInfos object has keys such as "title", which never match.
var localeKeyPattern = regexp.MustCompile(`^[a-z]{2,3}_[A-Z]{2}$`)

// Localized is a value the API may send either as is or wrapped in a map keyed by language:
// formData as [ … ] or {"en_US":[ … ]}, localizeInfos as {"title":…} or {"en_US":{"title":…}}.
// Both forms decode into Value; the client then picks its own language, as the JS SDK does
// when it unwraps any object that has a key equal to the requested langCode.
type Localized[T any] struct {
	// Value is the flat value, or the entry for the client's language. When a map arrives
	// with several languages and none is the client's, Value is the en_US entry if present
	// and the zero value otherwise.
	Value T
	// Lang is the language key Value was taken from; "" when the value arrived flat.
	Lang string
	// Locales holds every language of a locale map; nil when the value arrived flat.
	Locales map[string]T
}

// Keyed reports whether the value arrived as a locale map.
func (l Localized[T]) Keyed() bool { return l.Locales != nil }

// UnmarshalJSON accepts the flat and the locale-keyed form. An object counts as a locale map
// when it is non-empty and every key looks like a language code.
func (l *Localized[T]) UnmarshalJSON(data []byte) error {
	if string(bytes.TrimSpace(data)) == "null" {
		return nil
	}
	if isLocaleMap(data) {
		var m map[string]T
		if err := json.Unmarshal(data, &m); err == nil {
			*l = Localized[T]{Locales: m}
			if len(m) == 1 {
				for lang := range m {
					l.pickLocale(lang)
				}
			} else {
				l.pickLocale(DefaultLanguage)
			}
			return nil
		}
	}
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		// {} is an empty locale map where T is no object: form data with no locale, which the
		// contract allows.
		var empty map[string]json.RawMessage
		if json.Unmarshal(data, &empty) == nil && empty != nil && len(empty) == 0 {
			*l = Localized[T]{Locales: map[string]T{}}
			return nil
		}
		return err
	}
	*l = Localized[T]{Value: v}
	return nil
}

// MarshalJSON writes the form the value arrived in.
func (l Localized[T]) MarshalJSON() ([]byte, error) {
	if l.Locales != nil {
		return json.Marshal(l.Locales)
	}
	return json.Marshal(l.Value)
}

func (l *Localized[T]) pickLocale(lang string) {
	if v, ok := l.Locales[lang]; ok {
		l.Value, l.Lang = v, lang
	}
}

func isLocaleMap(data []byte) bool {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil || len(fields) == 0 {
		return false
	}
	for k := range fields {
		if !localeKeyPattern.MatchString(k) {
			return false
		}
	}
	return true
}

// localePicker is implemented by *Localized; the client calls it after decoding because
// UnmarshalJSON cannot know which language the request asked for.
type localePicker interface{ pickLocale(lang string) }

// pickLocales walks a decoded response and selects lang in every Localized value in it.
func pickLocales(v reflect.Value, lang string) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			pickLocales(v.Elem(), lang)
		}
	case reflect.Struct:
		if v.CanAddr() {
			if p, ok := v.Addr().Interface().(localePicker); ok {
				p.pickLocale(lang)
				return
			}
		}
		t := v.Type()
		for i := range v.NumField() {
			if t.Field(i).IsExported() {
				pickLocales(v.Field(i), lang)
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		for i := range v.Len() {
			pickLocales(v.Index(i), lang)
		}
	}
}

// numberText returns the text of a JSON number, or of a JSON string holding one; null is
// reported as such. what names the value in errors.
func numberText(data []byte, what string) (text string, null bool, err error) {
	if string(data) == "null" {
		return "", true, nil
	}
	text = string(data)
	if len(data) > 0 && data[0] == '"' {
		if err := json.Unmarshal(data, &text); err != nil {
			return "", false, fmt.Errorf("%s: %w", what, err)
		}
	}
	return text, false, nil
}

// Count is a total the API sends as a number in some answers and as a numeric string in
// others ("total": 1 in lists, "total": "1" in users/me).
type Count int

// UnmarshalJSON accepts a JSON number or a string holding an integer. null leaves n unchanged.
func (n *Count) UnmarshalJSON(data []byte) error {
	text, null, err := numberText(bytes.TrimSpace(data), "count")
	if err != nil || null {
		return err
	}
	v, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil {
		return valueError[Count](data, errors.New("not an integer"))
	}
	*n = Count(v)
	return nil
}
