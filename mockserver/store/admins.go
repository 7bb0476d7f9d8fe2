package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// AttributeFilter is one condition of a filtered listing (the SDK's IFilterParams): the
// attribute of attributeMarker compared by conditionMarker with conditionValue.
type AttributeFilter struct {
	AttributeMarker string          `json:"attributeMarker"`
	ConditionMarker string          `json:"conditionMarker"`
	ConditionValue  json.RawMessage `json:"conditionValue"`
}

// filterConditions are the condition markers a filter may use.
var filterConditions = map[string]bool{
	"eq": true, "neq": true, "mth": true, "lth": true, "in": true, "nin": true, "exs": true, "nexs": true, "pat": true,
}

// Validate checks a filter's attribute and condition.
func (f AttributeFilter) Validate() error {
	if f.AttributeMarker == "" {
		return Invalid("attributeMarker should not be empty")
	}
	if !filterConditions[f.ConditionMarker] {
		return Invalid(fmt.Sprintf("conditionMarker must be one of the following values: eq, neq, mth, lth, in, nin, exs, nexs, pat (got %q)", f.ConditionMarker))
	}
	return nil
}

// Admins returns the indexes in admins.json of the admins whose attribute values in lang pass
// every filter.
func (f *Fixtures) Admins(filters []AttributeFilter, lang string) ([]int, error) {
	for _, flt := range filters {
		if err := flt.Validate(); err != nil {
			return nil, err
		}
	}
	admins := f.site(FileAdmins)
	var out []int
	for i := range admins.Len() {
		var values map[string]struct {
			Value json.RawMessage `json:"value"`
		}
		_ = json.Unmarshal(Localize(admins.Field(i, "attributeValues"), lang, f.Project.DefaultLanguage), &values) // none: no values
		ok := true
		for _, flt := range filters {
			v, has := values[flt.AttributeMarker]
			if !flt.matches(v.Value, has) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, i)
		}
	}
	return out, nil
}

// matches compares an attribute value with the filter: numbers as numbers, anything else as
// its text; `pat` is a case-insensitive substring.
func (f AttributeFilter) matches(value json.RawMessage, has bool) bool {
	has = has && len(value) > 0 && string(value) != "null"
	switch f.ConditionMarker {
	case "exs":
		return has
	case "nexs":
		return !has
	}
	if !has {
		return f.ConditionMarker == "neq" || f.ConditionMarker == "nin"
	}
	got, want := jsonText(value), jsonText(f.ConditionValue)
	switch f.ConditionMarker {
	case "eq":
		return equalValues(got, want)
	case "neq":
		return !equalValues(got, want)
	case "mth", "lth":
		g, err1 := strconv.ParseFloat(got, 64)
		w, err2 := strconv.ParseFloat(want, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		return (f.ConditionMarker == "mth" && g > w) || (f.ConditionMarker == "lth" && g < w)
	case "in", "nin":
		in := slices.ContainsFunc(askedSet(f.ConditionValue), func(s string) bool { return equalValues(got, s) })
		return in == (f.ConditionMarker == "in")
	case "pat":
		return strings.Contains(strings.ToLower(got), strings.ToLower(want))
	}
	return false
}

func equalValues(a, b string) bool {
	if x, err := strconv.ParseFloat(a, 64); err == nil {
		if y, err := strconv.ParseFloat(b, 64); err == nil {
			return x == y
		}
	}
	return a == b
}
