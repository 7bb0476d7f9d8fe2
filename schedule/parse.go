package schedule

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/oneentry-mock/oneentry-mock/datetime"
)

// maxRangeDays bounds an item's date range (about a century) so that a
// malformed schedule cannot make expansion run for hours; the platform's
// admin picks ranges on a calendar.
const maxRangeDays = 36525

// FieldError reports a value that does not have the expected shape. Field
// is a path into the decoded value, e.g. "intervals[0].range[1]" or
// "value[0][1]".
type FieldError struct {
	Field   string
	Message string
}

// Error implements error.
func (e *FieldError) Error() string {
	if e.Field == "" {
		return "schedule: " + e.Message
	}
	return "schedule: " + e.Field + ": " + e.Message
}

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Parse decodes a timeInterval attribute's schedule. raw may be the
// intervals array itself, the attribute's localizeInfos object (with an
// "intervals" key), or the whole attribute (with a "localizeInfos" key).
// Unknown keys are ignored (newer instances add fullMonth, selectedYear);
// a null or missing flag is false, as in the SDK. An item without intervals
// is kept and yields no slots, as in the SDK. Any other deviation is a
// *FieldError naming the field.
func Parse(raw json.RawMessage) (Schedule, error) {
	v, err := decodeValue(raw)
	if err != nil {
		return Schedule{}, err
	}
	path := "intervals"
	if obj, ok := v.(map[string]any); ok {
		if li, ok := obj["localizeInfos"]; ok {
			if t, ok := obj["type"].(string); ok && t != "timeInterval" {
				return Schedule{}, fieldErr("type", "attribute type is %q, want \"timeInterval\"", t)
			}
			inner, ok := li.(map[string]any)
			if !ok {
				return Schedule{}, fieldErr("localizeInfos", "want an object, got %s", kindOf(li))
			}
			obj, path = inner, "localizeInfos.intervals"
		}
		iv, ok := obj["intervals"]
		if !ok {
			return Schedule{}, fieldErr(path, "missing")
		}
		v = iv
	}
	if v == nil {
		return Schedule{}, nil
	}
	items, err := parseArray(v, path, "an array of schedule items", parseItem)
	if err != nil {
		return Schedule{}, err
	}
	return Schedule{Items: items}, nil
}

// parseArray reads v as an array and each of its elements with parse, under the path
// path[i]. want describes the array in the error for a v that is not one.
func parseArray[T any](v any, path, want string, parse func(x any, path string) (T, error)) ([]T, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, fieldErr(path, "want %s, got %s", want, kindOf(v))
	}
	out := make([]T, 0, len(arr))
	for i, x := range arr {
		el, err := parse(x, fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return nil, err
		}
		out = append(out, el)
	}
	return out, nil
}

// ParseSubmitted decodes a submitted timeInterval formData value: an array
// of [startISO, endISO] pairs. Each end must be after its start. An empty
// array decodes to no slots without error; whether the field is required is
// the caller's rule. A bare pair (the common mistake of not wrapping the
// chosen slot) is rejected with a message saying so.
func ParseSubmitted(value json.RawMessage) ([]Slot, error) {
	v, err := decodeValue(value)
	if err != nil {
		return nil, err
	}
	if arr, ok := v.([]any); ok && len(arr) == 2 {
		if _, ok := arr[0].(string); ok {
			return nil, fieldErr("value", "want an array of [start, end] pairs, got a single pair: wrap it as [[start, end]]")
		}
	}
	return parseArray(v, "value", "an array of [start, end] pairs", slotFromValue)
}

// decodeValue decodes one JSON value, keeping numbers exact.
func decodeValue(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &FieldError{Message: "invalid JSON: " + err.Error()}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &FieldError{Message: "invalid JSON: trailing data after the value"}
	}
	return v, nil
}

func slotFromValue(v any, path string) (Slot, error) {
	pair, err := instantPair(v, path, false)
	if err != nil {
		return Slot{}, err
	}
	if !pair.To.After(pair.From) {
		return Slot{}, fieldErr(path, "end %s is not after start %s", pair.To.Format(datetime.Layout), pair.From.Format(datetime.Layout))
	}
	return Slot{Start: pair.From, End: pair.To}, nil
}

func parseItem(v any, path string) (Item, error) {
	f, err := object(v, path, "a schedule item object")
	if err != nil {
		return Item{}, err
	}
	it := Item{ID: f.id("id"), InEveryWeek: f.flag("inEveryWeek"), InEveryMonth: f.flag("inEveryMonth")}
	if f.err != nil {
		return Item{}, f.err
	}
	if it.Intervals, err = intervalsField(f.obj, path, true); err != nil {
		return Item{}, err
	}
	// The SDK skips an item without an intervals array before it reads the
	// range, so the range is only required when there is something to cut.
	if rv := f.obj["range"]; rv != nil || it.Intervals != nil {
		if it.Range, err = dateRange(rv, path+".range"); err != nil {
			return Item{}, err
		}
	}
	if ev := f.obj["external"]; ev != nil {
		if it.External, err = parseArray(ev, path+".external", "an array", parseExclusion); err != nil {
			return Item{}, err
		}
	}
	return it, nil
}

// dateRange reads an item's [from, to] range; to may not precede from.
func dateRange(v any, path string) (Range, error) {
	if v == nil {
		return Range{}, fieldErr(path, "missing")
	}
	r, err := instantPair(v, path, true)
	if err != nil {
		return Range{}, err
	}
	if r.To.Before(r.From) {
		return Range{}, fieldErr(path, "end %s is before start %s", r.To.Format(datetime.Layout), r.From.Format(datetime.Layout))
	}
	if r.To.Sub(r.From) > maxRangeDays*24*time.Hour {
		return Range{}, fieldErr(path, "spans more than %d days", maxRangeDays)
	}
	return r, nil
}

func intervalsField(obj map[string]any, path string, withPeriod bool) ([]Interval, error) {
	v := obj["intervals"]
	if v == nil {
		return nil, nil
	}
	return parseArray(v, path+".intervals", "an array", func(x any, p string) (Interval, error) {
		f, err := object(x, p, "an object")
		if err != nil {
			return Interval{}, err
		}
		iv := Interval{ID: f.id("id"), Start: f.clock("start"), End: f.clock("end")}
		if withPeriod {
			// A period of 0 would loop forever in the SDK; a negative one
			// walks backwards. Neither describes a bookable slot.
			iv.Period = f.int("period", 1, 24*60)
		}
		if f.err != nil {
			return Interval{}, f.err
		}
		return iv, nil
	})
}

// fields reads the members of one object under path. It stops at the first error and keeps
// it, so a parser reads the members it wants in order, checks once, and reports what reading
// them one by one would have.
type fields struct {
	obj  map[string]any
	path string
	err  error
}

// object reads v as an object; want describes it in the error for a v that is not one.
func object(v any, path, want string) (*fields, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fieldErr(path, "want %s, got %s", want, kindOf(v))
	}
	return &fields{obj: obj, path: path}, nil
}

// member reads key with read unless an earlier member failed.
func member[T any](f *fields, key string, read func(obj map[string]any, key, path string) (T, error)) T {
	var v T
	if f.err == nil {
		v, f.err = read(f.obj, key, f.path)
	}
	return v
}

func (f *fields) id(key string) string   { return member(f, key, idField) }
func (f *fields) flag(key string) bool   { return member(f, key, boolField) }
func (f *fields) clock(key string) Clock { return member(f, key, clockField) }
func (f *fields) int(key string, lo, hi int) int {
	return member(f, key, func(obj map[string]any, key, path string) (int, error) {
		return intField(obj, key, path, lo, hi)
	})
}

func clockField(obj map[string]any, key, path string) (Clock, error) {
	p := path + "." + key
	v, ok := obj[key]
	if !ok || v == nil {
		return Clock{}, fieldErr(p, "missing")
	}
	f, err := object(v, p, "{hours, minutes}")
	if err != nil {
		return Clock{}, err
	}
	c := Clock{Hours: f.int("hours", 0, 24), Minutes: f.int("minutes", 0, 59)}
	if f.err != nil {
		return Clock{}, f.err
	}
	if c.minutes() > 24*60 {
		return Clock{}, fieldErr(p, "%02d:%02d is past the end of the day", c.Hours, c.Minutes)
	}
	return c, nil
}

func intField(obj map[string]any, key, path string, lo, hi int) (int, error) {
	p := path + "." + key
	v, ok := obj[key]
	if !ok || v == nil {
		return 0, fieldErr(p, "missing")
	}
	n, ok := v.(json.Number)
	if !ok {
		return 0, fieldErr(p, "want an integer, got %s", kindOf(v))
	}
	f, err := strconv.ParseFloat(n.String(), 64)
	if err != nil || f != math.Trunc(f) {
		return 0, fieldErr(p, "want an integer, got %s", n)
	}
	if f < float64(lo) || f > float64(hi) {
		return 0, fieldErr(p, "%s is outside %d…%d", n, lo, hi)
	}
	return int(f), nil
}

func boolField(obj map[string]any, key, path string) (bool, error) {
	switch v := obj[key].(type) {
	case nil:
		return false, nil
	case bool:
		return v, nil
	default:
		return false, fieldErr(path+"."+key, "want a boolean, got %s", kindOf(v))
	}
}

// idField reads an identifier; the platform sends UUID strings, but an id
// is never interpreted, so a number is kept as its text.
func idField(obj map[string]any, key, path string) (string, error) {
	switch v := obj[key].(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	default:
		return "", fieldErr(path+"."+key, "want a string, got %s", kindOf(v))
	}
}

func parseExclusion(v any, path string) (Exclusion, error) {
	switch x := v.(type) {
	case []any:
		r, err := instantPair(x, path, true)
		if err != nil {
			return Exclusion{}, err
		}
		if r.To.Before(r.From) {
			return Exclusion{}, fieldErr(path, "end is before start")
		}
		return Exclusion{Kind: ExclusionSpan, Range: r}, nil
	case map[string]any:
		if dv, ok := x["date"]; ok {
			return parseDateExclusion(x, dv, path)
		}
		if rv, ok := x["range"]; ok {
			r, err := dateRange(rv, path+".range")
			if err != nil {
				return Exclusion{}, err
			}
			ivs, err := intervalsField(x, path, false)
			if err != nil {
				return Exclusion{}, err
			}
			return Exclusion{Kind: ExclusionRange, Range: r, Intervals: ivs}, nil
		}
		return Exclusion{}, fieldErr(path, "want {date, …}, {range, …} or [from, to]; found neither date nor range")
	default:
		return Exclusion{}, fieldErr(path, "want {date, …}, {range, …} or [from, to], got %s", kindOf(v))
	}
}

func parseDateExclusion(obj map[string]any, dv any, path string) (Exclusion, error) {
	s, ok := dv.(string)
	if !ok {
		return Exclusion{}, fieldErr(path+".date", "want an ISO date string, got %s", kindOf(dv))
	}
	d, err := parseInstant(s, true)
	if err != nil {
		return Exclusion{}, fieldErr(path+".date", "%v", err)
	}
	f := &fields{obj: obj, path: path}
	e := Exclusion{Kind: ExclusionDate, Date: d, InEveryWeek: f.flag("inEveryWeek"), InEveryMonth: f.flag("inEveryMonth"), InEveryYear: f.flag("inEveryYear")}
	if f.err != nil {
		return Exclusion{}, f.err
	}
	if tv := obj["externalTimes"]; tv != nil {
		e.Times, err = parseArray(tv, path+".externalTimes", "an array of [from, to] pairs", func(x any, p string) (Range, error) {
			r, err := instantPair(x, p, true)
			if err != nil {
				return Range{}, err
			}
			if !r.To.After(r.From) {
				return Range{}, fieldErr(p, "end is not after start")
			}
			return r, nil
		})
		if err != nil {
			return Exclusion{}, err
		}
	}
	return e, nil
}

// instantPair reads a two-element array of ISO strings.
func instantPair(v any, path string, dateOnlyOK bool) (Range, error) {
	arr, ok := v.([]any)
	if !ok {
		return Range{}, fieldErr(path, "want a [start, end] pair of ISO strings, got %s", kindOf(v))
	}
	if len(arr) != 2 {
		return Range{}, fieldErr(path, "want a [start, end] pair of ISO strings, got %d elements", len(arr))
	}
	var ts [2]time.Time
	for i, x := range arr {
		s, ok := x.(string)
		if !ok {
			return Range{}, fieldErr(fmt.Sprintf("%s[%d]", path, i), "want an ISO string, got %s", kindOf(x))
		}
		t, err := parseInstant(s, dateOnlyOK)
		if err != nil {
			return Range{}, fieldErr(fmt.Sprintf("%s[%d]", path, i), "%v", err)
		}
		ts[i] = t
	}
	return Range{From: ts[0], To: ts[1]}, nil
}

// parseInstant reads an ISO 8601 instant with a zone designator, as the
// platform and JavaScript's toISOString write it, within the range package
// datetime accepts; dateOnlyOK also accepts "2006-01-02", which Date reads as
// UTC midnight.
func parseInstant(s string, dateOnlyOK bool) (time.Time, error) {
	t, err := datetime.Parse(s)
	if err == nil || !dateOnlyOK {
		return t, err
	}
	d, derr := datetime.ParseDate(s)
	if derr == nil || errors.Is(derr, datetime.ErrOutOfRange) {
		return d, derr
	}
	return time.Time{}, err
}

func kindOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "the number " + x.String()
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	default:
		return fmt.Sprintf("%T", v)
	}
}
