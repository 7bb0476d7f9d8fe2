package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oneentry-mock/oneentry-mock/datetime"
)

var timeType = reflect.TypeFor[time.Time]()

// checkTimes reports the first date-time of v, a decoded state document or a part of it,
// outside 0001–9999, naming its field as the document writes it ("orders[3].createdDate").
// Every date-time the store keeps must stay in that range, or it could not be written back.
func checkTimes(v reflect.Value, path string) error {
	if !holdsTime(v.Type()) {
		return nil
	}
	switch {
	case v.Type() == timeType:
		if err := datetime.Check(v.Interface().(time.Time).UTC()); err != nil {
			return invalidf(path, "%v", err)
		}
	case v.Kind() == reflect.Pointer:
		if !v.IsNil() {
			return checkTimes(v.Elem(), path)
		}
	case v.Kind() == reflect.Slice || v.Kind() == reflect.Array:
		for i := range v.Len() {
			if err := checkTimes(v.Index(i), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			field := v.Type().Field(i)
			name, _, _ := strings.Cut(field.Tag.Get("json"), ",")
			if !field.IsExported() || name == "-" {
				continue
			}
			if err := checkTimes(v.Field(i), joinPath(path, name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// holdsTime reports whether a value of type t can hold a time.Time, so that checkTimes skips the
// rest (form data, raw JSON) without walking it.
func holdsTime(t reflect.Type) bool {
	timeTypes.Lock()
	defer timeTypes.Unlock()
	return holdsTimeLocked(t)
}

var timeTypes = struct {
	sync.Mutex
	known map[reflect.Type]bool
}{known: map[reflect.Type]bool{}}

func holdsTimeLocked(t reflect.Type) bool {
	if known, ok := timeTypes.known[t]; ok {
		return known
	}
	timeTypes.known[t] = false // a type that contains itself holds a time only through another field
	holds := t == timeType
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		holds = holdsTimeLocked(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if t.Field(i).IsExported() && holdsTimeLocked(t.Field(i).Type) {
				holds = true
			}
		}
	}
	timeTypes.known[t] = holds
	return holds
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// fieldOfValue returns the path of the first string member or element of the JSON document
// data whose value is s, "" when there is none: where a value the decoder refused stands.
func fieldOfValue(data []byte, s string) string {
	type level struct {
		object bool
		key    string
		index  int
		keyed  bool // in an object, the next string is a key
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var stack []level
	path := func() string {
		var b strings.Builder
		for _, l := range stack {
			if l.object {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(l.key)
			} else {
				b.WriteString("[" + strconv.Itoa(l.index) + "]")
			}
		}
		return b.String()
	}
	// valueDone moves the enclosing container on past a value.
	valueDone := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].object {
				stack[n-1].keyed = true
			} else {
				stack[n-1].index++
			}
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, level{object: true, keyed: true})
			case '[':
				stack = append(stack, level{})
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].keyed {
				stack[n-1].key, stack[n-1].keyed = t, false
				continue
			}
			if t == s {
				return path()
			}
			valueDone()
		default:
			valueDone()
		}
	}
}

// describeDecodeError words an error decoding a state document, naming the field of a
// date-time the decoder could not read.
func describeDecodeError(data []byte, err error) *Error {
	var perr *time.ParseError
	if errors.As(err, &perr) {
		if field := fieldOfValue(data, perr.Value); field != "" {
			return invalidf(field, "%q is not a date-time in 0001–9999 (%v)", perr.Value, err)
		}
	}
	return Invalid("state document: " + err.Error())
}
