package mockserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/datetime"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// Defaults of the list endpoints (the SDK's own defaults).
const (
	defaultLimit = 30
	maxLimit     = 100
)

// decodeBody decodes a request body that the contract has already checked. A failure here means
// a value the schema allows but the handler's type cannot hold.
func decodeBody(sc *scope, v any) error {
	if len(sc.body) == 0 {
		return nil
	}
	err := json.Unmarshal(sc.body, v)
	if typeErr := (*json.UnmarshalTypeError)(nil); asTypeError(err, &typeErr) && isInteger(typeErr.Type) {
		body := sc.body
		// JavaScript reads 2.0 and 2e0 as the integer 2, and so does the live API.
		if whole, ok := wholeNumbersAsIntegers(body); ok {
			body = whole
			err = json.Unmarshal(body, v)
		}
		// It reads 1e19 as a whole number too, past the field's bound rather than not an
		// integer. Past int64 the nearest end stands in, in the integer fields alone (each
		// failure names the number's place), which bounded fields refuse as out of range and
		// no stored id equals.
		for range maxClampedNumbers {
			if !asTypeError(err, &typeErr) || !isInteger(typeErr.Type) {
				break
			}
			clamped, ok := clampNumberEndingAt(body, typeErr)
			if !ok {
				break
			}
			body = clamped
			err = json.Unmarshal(body, v)
		}
	}
	if err != nil {
		var typeErr *json.UnmarshalTypeError
		if ok := asTypeError(err, &typeErr); ok && typeErr.Field != "" {
			return store.Invalid(fmt.Sprintf("%s must be %s", typeErr.Field, jsonKind(typeErr.Type)))
		}
		return store.Invalid("request body is not valid for this endpoint")
	}
	return nil
}

// answer is the whole of most write handlers: decode the body into a T, call the store, and
// answer status with the result, or the error of either step.
func answer[T, R any](s *Server, w http.ResponseWriter, r *http.Request, sc *scope, status int, call func(T) (R, error)) {
	withBody(s, func(w http.ResponseWriter, r *http.Request, _ *scope, req T) {
		res, err := call(req)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		s.writeJSON(w, status, res)
	})(w, r, sc)
}

// isInteger reports whether t (or what it points to) decodes from a JSON integer.
func isInteger(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

// jsonKind names a Go type as the JSON value it decodes from, in the contract's words.
func jsonKind(t reflect.Type) string {
	if isInteger(t) {
		return "an integer"
	}
	switch t.Kind() {
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "an object"
}

// wholeNumbersAsIntegers rewrites the numbers of body that hold a whole value within int64 in
// fraction or exponent form ("2.0", "1e3") as integers, the same numbers to JavaScript; ok is
// false when there is none to rewrite.
func wholeNumbersAsIntegers(body []byte) (rewritten []byte, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil, false
	}
	v, ok = asIntegers(v)
	if !ok {
		return nil, false
	}
	rewritten, err := json.Marshal(v)
	return rewritten, err == nil
}

func asIntegers(v any) (any, bool) {
	changed := false
	switch t := v.(type) {
	case json.Number:
		if _, err := t.Int64(); err == nil {
			return t, false
		}
		f, err := t.Float64()
		if err != nil || f != math.Trunc(f) || f >= math.MaxInt64 || f < math.MinInt64 {
			return t, false // past int64: see clampNumberEndingAt
		}
		return json.Number(strconv.FormatInt(int64(f), 10)), true
	case map[string]any:
		for k, e := range t {
			if e, ok := asIntegers(e); ok {
				t[k], changed = e, true
			}
		}
	case []any:
		for i, e := range t {
			if e, ok := asIntegers(e); ok {
				t[i], changed = e, true
			}
		}
	}
	return v, changed
}

// maxClampedNumbers bounds the numbers past int64 one body may have brought within it.
const maxClampedNumbers = 32

// clampNumberEndingAt rewrites the number typeErr failed on, a whole one past int64, as the
// nearest end of int64; ok is false for any other failure.
func clampNumberEndingAt(body []byte, typeErr *json.UnmarshalTypeError) (clamped []byte, ok bool) {
	literal, isNumber := strings.CutPrefix(typeErr.Value, "number ")
	end := int(typeErr.Offset)
	start := end - len(literal)
	if !isNumber || start < 0 || end > len(body) || string(body[start:end]) != literal {
		return nil, false
	}
	f, err := strconv.ParseFloat(literal, 64)
	if err != nil || f != math.Trunc(f) || f < math.MaxInt64 && f >= math.MinInt64 {
		return nil, false
	}
	whole := int64(math.MinInt64)
	if f > 0 {
		whole = math.MaxInt64
	}
	return slices.Concat(body[:start], strconv.AppendInt(nil, whole, 10), body[end:]), true
}

func asTypeError(err error, target **json.UnmarshalTypeError) bool {
	te, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*target = te
	}
	return ok
}

// withBody adapts a handler that takes its decoded request body.
func withBody[T any](s *Server, h func(http.ResponseWriter, *http.Request, *scope, T)) func(http.ResponseWriter, *http.Request, *scope) {
	return func(w http.ResponseWriter, r *http.Request, sc *scope) {
		var req T
		if err := decodeBody(sc, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
		h(w, r, sc, req)
	}
}

// withID adapts a handler of a route with an {id} that takes the id; a bad id is answered
// before the handler runs. C is what the route passes on: a *scope for the content API, the
// *sandbox.Sandbox for an admin route.
func withID[C any](s *Server, h func(http.ResponseWriter, *http.Request, C, int)) func(http.ResponseWriter, *http.Request, C) {
	return func(w http.ResponseWriter, r *http.Request, c C) {
		id, err := pathID(r, "id")
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		h(w, r, c, id)
	}
}

// withIDBody adapts a handler of a route with an {id} that takes the id and its decoded body.
func withIDBody[T any](s *Server, h func(http.ResponseWriter, *http.Request, *scope, int, T)) func(http.ResponseWriter, *http.Request, *scope) {
	return withID(s, func(w http.ResponseWriter, r *http.Request, sc *scope, id int) {
		withBody(s, func(w http.ResponseWriter, r *http.Request, sc *scope, req T) { h(w, r, sc, id, req) })(w, r, sc)
	})
}

// pathID reads a positive integer path variable.
func pathID(r *http.Request, name string) (int, error) {
	return positiveInt(name, mux.Vars(r)[name])
}

// positiveInt reads the value of the path variable name as a positive integer.
func positiveInt(name, v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || v[0] == '+' {
		return 0, store.Invalid(name + " must be a positive integer")
	}
	return n, nil
}

// page reads offset and limit (already range-checked by the contract).
func page(q url.Values) store.Page {
	p := store.Page{Offset: 0, Limit: defaultLimit}
	if v, err := strconv.Atoi(q.Get("offset")); err == nil && v >= 0 {
		p.Offset = v
	}
	if v, err := strconv.Atoi(q.Get("limit")); err == nil && v >= 1 {
		p.Limit = min(v, maxLimit)
	}
	return p
}

// language is the request's langCode, or the project's default.
func language(r *http.Request, st *store.Store) string {
	if l := r.URL.Query().Get("langCode"); l != "" {
		return l
	}
	return st.Fixtures().Project.DefaultLanguage
}

// timestamp formats a time as the live API does.
func timestamp(t interface{ Format(string) string }) string { return t.Format(datetime.Layout) }

// moneyNumber is a total as a JSON number ("100", "150.5"), as create and update answer it.
type moneyNumber int64

func (m moneyNumber) MarshalJSON() ([]byte, error) {
	cents := int64(m)
	if cents%100 == 0 {
		return strconv.AppendInt(nil, cents/100, 10), nil
	}
	return strconv.AppendFloat(nil, float64(cents)/100, 'f', -1, 64), nil
}

// localeMap wraps form data under its language key, the raw shape of order and user formData.
func localeMap(lang string, items []store.FormDataItem) map[string][]store.FormDataItem {
	if items == nil {
		items = []store.FormDataItem{}
	}
	return map[string][]store.FormDataItem{lang: items}
}

func formDataShapeError() error {
	return store.Invalid("formData must be an object keyed by language, holding an array of {marker, type, value}")
}

// formDataReader reads a submitted formData: `{"<lang>": [items]}` as the SDK sends it, one
// active locale of the project, or a flat array in fallbackLang.
type formDataReader struct {
	fx           *store.Fixtures
	fallbackLang string
	// dropNull tolerates null items, dropping them: SDK 1.0.115 sends `{"en_US": [null]}` for
	// an order it was given no formData for. Elsewhere a null item is refused, as sign-up's is.
	dropNull bool
}

// read returns the items and their language; an absent or null formData is none.
func (fr formDataReader) read(raw json.RawMessage) ([]store.FormDataItem, string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return []store.FormDataItem{}, fr.fallbackLang, nil
	}
	var list []json.RawMessage
	lang, field := fr.fallbackLang, "formData"
	// The first byte tells the two shapes apart, so a body is decoded once, not tried as a list
	// first: the SDK sends the keyed shape.
	if bytes.HasPrefix(bytes.TrimLeft(raw, " \t\r\n"), []byte("[")) {
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, "", formDataShapeError()
		}
	} else {
		// A pointer tells a null list from an empty one.
		var byLang map[string]*[]json.RawMessage
		if err := json.Unmarshal(raw, &byLang); err != nil {
			return nil, "", formDataShapeError()
		}
		if len(byLang) > 1 {
			return nil, "", store.Invalid("formData must hold the values of exactly one locale")
		}
		for k, v := range byLang {
			lang, field = k, "formData."+k
			if err := fr.fx.CheckLocale("formData", k); err != nil {
				return nil, "", err
			}
			if v == nil {
				return nil, "", store.Invalid(field + " must be an array of {marker, type, value}")
			}
			list = *v
		}
	}
	items := make([]store.FormDataItem, 0, len(list))
	for i, r := range list {
		item, ok, err := store.ParseFormDataItem(r)
		switch {
		case err != nil:
			return nil, "", store.Invalid(err.Error())
		case ok:
			items = append(items, item)
		case !fr.dropNull:
			return nil, "", store.Invalid(fmt.Sprintf("%s[%d] must be an object with marker, type and value", field, i))
		}
	}
	return items, lang, nil
}
