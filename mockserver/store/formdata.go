package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/oneentry-mock/oneentry-mock/schedule"
)

// FormDataItem is one submitted form value. Raw keeps the item exactly as sent, so responses
// echo it back unchanged (key order and extra keys included).
type FormDataItem struct {
	Marker string
	Type   string
	Value  json.RawMessage
	Raw    json.RawMessage
}

// MarshalJSON writes the item as it was submitted.
func (i FormDataItem) MarshalJSON() ([]byte, error) {
	if len(i.Raw) > 0 {
		return i.Raw, nil
	}
	return json.Marshal(struct {
		Marker string          `json:"marker"`
		Type   string          `json:"type"`
		Value  json.RawMessage `json:"value"`
	}{i.Marker, i.Type, i.Value})
}

// ParseFormDataItem decodes one submitted item. Null items (the SDK sends `[null]` when a caller
// omits formData) are reported with ok=false and no error.
func ParseFormDataItem(raw json.RawMessage) (item FormDataItem, ok bool, err error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return FormDataItem{}, false, nil
	}
	var fields struct {
		Marker *string          `json:"marker"`
		Type   *string          `json:"type"`
		Value  *json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(raw, &fields); err != nil {
		return FormDataItem{}, false, errors.New("each formData item must be an object with marker, type and value")
	}
	if fields.Marker == nil || *fields.Marker == "" {
		return FormDataItem{}, false, errors.New("formData item marker must be a non-empty string")
	}
	if fields.Type == nil || *fields.Type == "" {
		return FormDataItem{}, false, fmt.Errorf("formData item %s: type must be a non-empty string", *fields.Marker)
	}
	item = FormDataItem{Marker: *fields.Marker, Type: *fields.Type, Value: json.RawMessage("null"), Raw: slices.Clone(raw)}
	if fields.Value != nil {
		item.Value = slices.Clone(*fields.Value)
	}
	return item, true, nil
}

// decodeFormDataItems decodes a JSON array of items (fixtures use the flat form).
func decodeFormDataItems(raw json.RawMessage) ([]FormDataItem, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return []FormDataItem{}, nil
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(raw, &raws); err != nil {
		return nil, errors.New("must be an array of {marker, type, value}")
	}
	items := make([]FormDataItem, 0, len(raws))
	for _, r := range raws {
		item, ok, err := ParseFormDataItem(r)
		if err != nil {
			return nil, err
		}
		if ok {
			items = append(items, item)
		}
	}
	return items, nil
}

// requiredMessage is the live form validator's wording.
func requiredMessage(marker string) string {
	return "required values are missing or incorrect: " + marker
}

// checkFormData validates submitted items against a form: markers must exist, types must match
// the attribute, required attributes must carry a value (satisfied also counts markers whose
// value arrived elsewhere, such as sign-up credentials), and entity values must be options of
// the attribute.
func checkFormData(form *Form, items []FormDataItem, satisfied map[string]string) error {
	var msgs []string
	seen := map[string]bool{}
	for _, item := range items {
		attr, ok := form.Attribute(item.Marker)
		if !ok {
			msgs = append(msgs, fmt.Sprintf("form %s has no attribute %s", form.Identifier, item.Marker))
			continue
		}
		if seen[item.Marker] {
			msgs = append(msgs, "duplicate value for "+item.Marker)
			continue
		}
		seen[item.Marker] = true
		if attr.Type != item.Type {
			msgs = append(msgs, fmt.Sprintf("%s must have type %s, not %s", item.Marker, attr.Type, item.Type))
			continue
		}
		if msg := checkValue(attr, item.Value); msg != "" {
			msgs = append(msgs, msg)
		}
	}
	for i := range form.Attributes {
		attr := &form.Attributes[i]
		if !attr.Required() || seen[attr.Marker] {
			continue
		}
		if v, ok := satisfied[attr.Marker]; ok && v != "" {
			continue
		}
		msgs = append(msgs, requiredMessage(attr.Marker))
	}
	if len(msgs) > 0 {
		return Invalid(msgs...)
	}
	return nil
}

// checkValue validates the value of one item by attribute type; "" means it is acceptable.
func checkValue(attr *FormAttribute, value json.RawMessage) string {
	empty := isEmptyValue(value)
	if empty {
		if attr.Required() {
			return requiredMessage(attr.Marker)
		}
		return ""
	}
	switch attr.Type {
	case "entity", "list", "radioButton":
		var values []json.RawMessage
		if err := json.Unmarshal(value, &values); err != nil {
			return attr.Marker + " must be an array of option ids"
		}
		if attr.Type == "radioButton" && len(values) > 1 {
			return attr.Marker + ": a radioButton value is one chosen option, such as [\"red\"]"
		}
		if len(attr.ListTitles) == 0 {
			return ""
		}
		for _, v := range values {
			if !hasOption(attr, v) {
				return fmt.Sprintf("%s: %s is not an option of this field", attr.Marker, string(v))
			}
		}
	case "timeInterval":
		// The format only, with the words orders' booking uses: whether a slot is one of the
		// schedule's and still to come is a booking's question (bookedSlots), not a form's.
		if _, err := schedule.ParseSubmitted(value); err != nil {
			return fmt.Sprintf("%s: %v", attr.Marker, err)
		}
	case "textWithHeader":
		return checkTextWithHeader(attr.Marker, value)
	case "integer", "float", "real":
		n, ok := numberOf(value, true)
		if !ok {
			return attr.Marker + " must be a number"
		}
		if attr.Type == "integer" && n != math.Trunc(n) {
			return attr.Marker + " must be an integer"
		}
	case "string":
		var s string
		if json.Unmarshal(value, &s) != nil {
			return attr.Marker + " must be a string"
		}
	}
	return ""
}

// checkTextWithHeader accepts a list of heading-and-text pairs, as OneEntry's notes write a
// textWithHeader value: each an object with a header and at least one of plainValue, htmlValue
// or mdValue, all strings, and editor params beside them.
func checkTextWithHeader(marker string, value json.RawMessage) string {
	msg := marker + `: a textWithHeader value must be a list of objects with a header and its text, such as [{"header": "Title", "htmlValue": "<p>Body</p>"}]`
	var list []map[string]json.RawMessage
	if json.Unmarshal(value, &list) != nil || len(list) == 0 {
		return msg
	}
	// A JSON null reads into a Go string without error: the text keys are checked for strings.
	isString := func(v json.RawMessage) bool {
		v = bytes.TrimSpace(v)
		return len(v) > 0 && v[0] == '"' && json.Valid(v)
	}
	for _, pair := range list {
		texts := 0
		if !isString(pair["header"]) {
			return msg
		}
		for k, v := range pair {
			switch {
			case k == "header":
			case k == "params":
				var params map[string]json.RawMessage
				if json.Unmarshal(v, &params) != nil || params == nil {
					return msg
				}
			case slices.Contains(textKeys, k) && isString(v):
				texts++
			default:
				return msg
			}
		}
		if texts == 0 {
			return msg
		}
	}
	return ""
}

// numberOf reads a number, or a string holding exactly one as JSON writes it (what a form's
// input sends; "12abc", "Inf", "NaN" and one beyond float64 are not), with the white space
// around it when trim is set.
func numberOf(value json.RawMessage, trim bool) (float64, bool) {
	var n float64
	if json.Unmarshal(value, &n) == nil {
		return n, true
	}
	var s string
	if json.Unmarshal(value, &s) != nil {
		return 0, false
	}
	if trim {
		s = strings.TrimSpace(s)
	}
	if !jsonNumber.MatchString(s) {
		return 0, false
	}
	n, err := strconv.ParseFloat(s, 64)
	return n, err == nil
}

// jsonNumber is a number as JSON writes it.
var jsonNumber = regexp.MustCompile(`^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$`)

func hasOption(attr *FormAttribute, v json.RawMessage) bool {
	v = bytes.TrimSpace(v)
	var want string
	switch {
	case len(v) > 0 && v[0] == '"':
		if json.Unmarshal(v, &want) != nil {
			return false
		}
	case len(v) > 0 && v[0] == '{':
		// Demos send whole option objects: {"id": …, "title": …}.
		var obj struct {
			ID json.RawMessage `json:"id"`
		}
		if json.Unmarshal(v, &obj) != nil || len(bytes.TrimSpace(obj.ID)) == 0 || bytes.TrimSpace(obj.ID)[0] == '{' {
			return false
		}
		return hasOption(attr, obj.ID)
	default:
		want = string(v)
	}
	_, ok := attr.options[want]
	return ok
}

func isEmptyValue(v json.RawMessage) bool {
	switch string(bytes.TrimSpace(v)) {
	case "", "null", `""`, "[]", "{}":
		return true
	}
	return false
}
