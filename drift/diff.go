package drift

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oneentry-mock/oneentry-mock/exchange"
)

// compareExchange compares one paired exchange: status, the headers that matter and the body.
func (c *comparer) compareExchange(add func(Item), idx int, me, oe *exchange.Exchange) {
	base := Item{Side: SideMockOther, Exchange: idx, Request: request(me)}
	item := func(ptr, kind string, sev Severity, mv, ov, format string, args ...any) {
		it := base
		it.Pointer, it.Kind, it.Severity, it.Mock, it.Other, it.Message = ptr, kind, sev, mv, ov, fmt.Sprintf(format, args...)
		add(it)
	}
	if me.Error != "" || oe.Error != "" {
		if (me.Error == "") != (oe.Error == "") {
			item("status", KindStatusClass, SeverityBreaking, firstNonEmpty(me.Error, strconv.Itoa(me.Status)), firstNonEmpty(oe.Error, strconv.Itoa(oe.Status)),
				"one side answered, the other failed to")
		}
		return
	}
	ms, os := strconv.Itoa(me.Status), strconv.Itoa(oe.Status)
	if me.Status/100 != oe.Status/100 {
		item("status", KindStatusClass, SeverityBreaking, ms, os, "status %d on the mock, %d on the other side", me.Status, oe.Status)
		return
	}
	if me.Status != oe.Status {
		item("status", KindStatus, SeverityWarning, ms, os, "status %d on the mock, %d on the other side", me.Status, oe.Status)
	}
	c.compareHeaders(item, me.ResponseHeaders, oe.ResponseHeaders)

	mb, mText := c.decode(me.ResponseBody, me.ResponseText+string(me.ResponseBytes))
	ob, oText := c.decode(oe.ResponseBody, oe.ResponseText+string(oe.ResponseBytes))
	switch {
	case mText != nil && oText != nil:
		if *mText != *oText && !me.Truncated && !oe.Truncated {
			item("", KindValue, SeverityInfo, cut(*mText), cut(*oText), "the text bodies differ")
		}
		return
	case mText != nil || oText != nil:
		item("", KindType, SeverityBreaking, describeBody(mb, mText), describeBody(ob, oText), "the body is JSON on one side and not on the other")
		return
	}
	if mb == nil && ob == nil {
		return
	}
	schema := c.index.responseSchema(me.Method, me.Path, me.Status)
	d := &differ{c: c, schema: schema, emit: func(it Item) {
		full := base
		full.Pointer, full.Kind, full.Severity, full.Mock, full.Other, full.Message = it.Pointer, it.Kind, it.Severity, it.Mock, it.Other, it.Message
		add(full)
	}}
	d.diff(nil, UnwrapLocale(mb, c.opts.Language), UnwrapLocale(ob, c.opts.Language))
}

func (c *comparer) compareHeaders(item func(ptr, kind string, sev Severity, mv, ov, format string, args ...any), mh, oh map[string]string) {
	// A side that kept no headers (the seed capsule recorded bodies only) has nothing to compare.
	if len(mh) == 0 || len(oh) == 0 {
		return
	}
	mt, ot := mediaType(mh["content-type"]), mediaType(oh["content-type"])
	if mt != ot {
		item("header/content-type", KindHeader, SeverityWarning, mh["content-type"], oh["content-type"], "content type %q on the mock, %q on the other side", mt, ot)
	}
	for _, name := range []string{"access-control-allow-origin", "access-control-allow-credentials"} {
		if mh[name] != oh[name] {
			item("header/"+name, KindHeader, SeverityWarning, mh[name], oh[name], "%s %q on the mock, %q on the other side", name, mh[name], oh[name])
		}
	}
}

func mediaType(v string) string {
	if v == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(v)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(v))
	}
	return mt
}

// decodeBody returns a JSON body decoded (numbers kept as written), or a text body. An empty
// body is text: a JSON client cannot read it, while a literal null it reads as null.
func decodeBody(js json.RawMessage, text string) (any, *string) {
	if len(js) > 0 {
		dec := json.NewDecoder(bytes.NewReader(js))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err == nil {
			return v, nil
		}
		s := string(js)
		return nil, &s
	}
	return nil, &text
}

// emptyBody stands for an empty body in reports, which would otherwise show nothing at all.
const emptyBody = "(empty body)"

func describeBody(v any, text *string) string {
	if text != nil {
		if *text == "" {
			return emptyBody
		}
		return cut(*text)
	}
	return compact(v)
}

// UnwrapLocale replaces every object that has a key equal to lang by that key's value, at any
// depth, as the SDK does with every answer it post-processes. Comparing
// after the unwrap compares what a client sees: {"en_US":[…]} and […] are the same to it.
func UnwrapLocale(v any, lang string) any {
	switch t := v.(type) {
	case map[string]any:
		if inner, ok := t[lang]; ok {
			return UnwrapLocale(inner, lang)
		}
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = UnwrapLocale(x, lang)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = UnwrapLocale(x, lang)
		}
		return out
	}
	return v
}

// differ walks two decoded bodies and emits classified differences.
type differ struct {
	c      *comparer
	schema *openapi3.Schema
	emit   func(Item)
}

func (d *differ) out(tokens []string, kind string, sev Severity, m, o any, format string, args ...any) {
	d.emit(Item{Pointer: joinPointer(tokens), Kind: kind, Severity: sev, Mock: compact(m), Other: compact(o), Message: fmt.Sprintf(format, args...)})
}

func (d *differ) diff(tokens []string, m, o any) {
	if d.c.stopped() || d.c.ignored(tokens) {
		return
	}
	tm, to := jsonType(m), jsonType(o)
	if tm != to {
		d.typeChange(tokens, m, o, tm, to)
		return
	}
	switch mv := m.(type) {
	case map[string]any:
		ov := o.(map[string]any)
		keys := make([]string, 0, len(mv)+len(ov))
		for k := range mv {
			keys = append(keys, k)
		}
		for k := range ov {
			if _, ok := mv[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			sub := appendToken(tokens, k)
			mx, inM := mv[k]
			ox, inO := ov[k]
			switch {
			case inM && inO:
				d.diff(sub, mx, ox)
			case inM:
				d.onlyOneSide(sub, "mock", mx, absent)
			default:
				d.onlyOneSide(sub, "other", absent, ox)
			}
		}
	case []any:
		d.diffArray(tokens, mv, o.([]any))
	default:
		d.scalar(tokens, m, o)
	}
}

func (d *differ) typeChange(tokens []string, m, o any, tm, to string) {
	field := lookup(d.schema, tokens)
	switch {
	case tm == "null" || to == "null":
		side := "other side"
		if tm == "null" {
			side = "mock"
		}
		if field.found && !field.nullable() {
			d.out(tokens, KindBecameNull, SeverityBreaking, m, o, "%s is null on the %s; the contract does not allow null", fieldName(tokens), side)
		} else {
			d.out(tokens, KindNullability, SeverityWarning, m, o, "%s is null on the %s only", fieldName(tokens), side)
		}
	case (tm == "object" && to == "array") || (tm == "array" && to == "object"):
		d.out(tokens, KindObjectArray, SeverityBreaking, m, o, "%s is an %s on the mock and an %s on the other side", fieldName(tokens), tm, to)
	default:
		d.out(tokens, KindType, SeverityBreaking, m, o, "%s is a %s on the mock and a %s on the other side", fieldName(tokens), tm, to)
	}
}

// onlyOneSide classifies a member present on one side only.
func (d *differ) onlyOneSide(tokens []string, side string, m, o any) {
	if d.c.ignored(tokens) {
		return
	}
	missing := "other side"
	if side == "other" {
		missing = "mock"
	}
	field := lookup(d.schema, tokens)
	parent := parentInfo(d.schema, tokens)
	switch {
	case field.declared && field.required:
		d.out(tokens, KindFieldMissing, SeverityBreaking, m, o, "%s is missing on the %s; the contract requires it", fieldName(tokens), missing)
	case field.declared:
		d.out(tokens, KindFieldMissing, SeverityWarning, m, o, "%s is missing on the %s (optional in the contract)", fieldName(tokens), missing)
	case parent.found && !parent.closed():
		d.out(tokens, KindValue, SeverityInfo, m, o, "%s is on the %s only, in a free-form object", fieldName(tokens), side)
	default:
		d.out(tokens, KindNewField, SeverityWarning, m, o, "%s is on the %s only and not in the contract", fieldName(tokens), sideName(side))
	}
}

func sideName(side string) string {
	if side == "other" {
		return "other side"
	}
	return side
}

// identityKeys name the members that identify an array element across runs. Ids are not among
// them: they are volatile.
var identityKeys = []string{"marker", "identifier"}

func (d *differ) diffArray(tokens []string, m, o []any) {
	if key := commonIdentity(m, o); key != "" {
		oIndex := map[string]int{}
		for i, x := range o {
			oIndex[identity(x, key)] = i
		}
		used := map[int]bool{}
		for i, x := range m {
			id := identity(x, key)
			j, ok := oIndex[id]
			if !ok || used[j] {
				d.out(appendToken(tokens, strconv.Itoa(i)), KindValue, SeverityInfo, x, absent, "the element with %s %q is on the mock only", key, id)
				continue
			}
			used[j] = true
			d.diff(appendToken(tokens, strconv.Itoa(i)), x, o[j])
		}
		for j, x := range o {
			if !used[j] {
				d.out(appendToken(tokens, strconv.Itoa(j)), KindValue, SeverityInfo, absent, x, "the element with %s %q is on the other side only", key, identity(x, key))
			}
		}
		return
	}
	n := min(len(m), len(o))
	for i := range n {
		d.diff(appendToken(tokens, strconv.Itoa(i)), m[i], o[i])
	}
	if len(m) != len(o) && !d.c.ignored(tokens) {
		d.out(tokens, KindValue, SeverityInfo, len(m), len(o), "%d elements on the mock, %d on the other side", len(m), len(o))
	}
}

// commonIdentity returns the identity key every object element of both arrays carries, with no
// value repeated on either side.
func commonIdentity(m, o []any) string {
	if len(m) == 0 || len(o) == 0 {
		return ""
	}
	for _, key := range identityKeys {
		if unique(m, key) && unique(o, key) {
			return key
		}
	}
	return ""
}

func unique(list []any, key string) bool {
	seen := map[string]bool{}
	for _, x := range list {
		obj, ok := x.(map[string]any)
		if !ok {
			return false
		}
		v, ok := obj[key].(string)
		if !ok || seen[v] {
			return false
		}
		seen[v] = true
	}
	return true
}

func identity(x any, key string) string {
	v, _ := x.(map[string]any)[key].(string)
	return v
}

func (d *differ) scalar(tokens []string, m, o any) {
	if scalarEqual(m, o) {
		return
	}
	if len(tokens) > 0 && volatileKey(tokens[len(tokens)-1]) || volatileValue(m) || volatileValue(o) {
		return
	}
	field := lookup(d.schema, tokens)
	if ms, ok := m.(string); ok && enumLike(tokens, field) {
		os, _ := o.(string)
		if enum := field.enum(); len(enum) > 0 && inEnum(enum, ms) && inEnum(enum, os) {
			d.out(tokens, KindValue, SeverityInfo, m, o, "%s is %q on the mock and %q on the other side", fieldName(tokens), ms, os)
			return
		}
		d.out(tokens, KindEnum, SeverityWarning, m, o, "%s is %q on the mock and %q on the other side, a value the other has not shown", fieldName(tokens), ms, os)
		return
	}
	d.out(tokens, KindValue, SeverityInfo, m, o, "%s differs", fieldName(tokens))
}

func scalarEqual(m, o any) bool {
	if mn, ok := m.(json.Number); ok {
		on, ok := o.(json.Number)
		if !ok {
			return false
		}
		if mn == on {
			return true
		}
		mf, err1 := mn.Float64()
		of, err2 := on.Float64()
		return err1 == nil && err2 == nil && mf == of
	}
	return m == o
}

func inEnum(enum []any, v string) bool {
	for _, e := range enum {
		if s, ok := e.(string); ok && s == v {
			return true
		}
	}
	return false
}

// enumLike reports whether a string field holds one of a small set of values: the contract lists
// them, or its name says so (status, type, currency, …).
func enumLike(tokens []string, field fieldInfo) bool {
	if len(field.enum()) > 0 {
		return true
	}
	if len(tokens) == 0 {
		return false
	}
	k := strings.ToLower(tokens[len(tokens)-1])
	return strings.Contains(k, "status") || strings.HasSuffix(k, "type") || k == "currency" || k == "kind" || k == "locale"
}

// volatileKey reports whether a member's value changes from run to run by nature: ids, dates,
// times, tokens, fingerprints, secrets, and the links of stored files (downloadLink,
// previewLink), which name the host of the target that stores them. Other names ending in link
// (an attribute marked cta_link) hold what the project wrote and are compared.
func volatileKey(key string) bool {
	k := strings.ToLower(key)
	switch {
	case key == "downloadLink" || key == "previewLink":
		return true
	case k == "id" || strings.HasSuffix(key, "Id") || strings.HasSuffix(key, "ID") || strings.HasSuffix(k, "_id"):
		return true
	case strings.HasSuffix(key, "Date") || strings.HasSuffix(key, "At") || k == "timestamp" || k == "time" || k == "iat" || k == "exp":
		return true
	case strings.Contains(k, "token") || strings.Contains(k, "fingerprint") || strings.Contains(k, "secret"):
		return true
	}
	return false
}

var (
	timestampValue = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$`)
	jwtValue       = regexp.MustCompile(`^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$`)
	// placeholderValue matches what redaction puts in place of a secret: the capsule's
	// "<kind-N>" (always numbered) and "<password>", the recorder's "[redacted]" and
	// "[present]", and the capsule's example.test addresses. An HTML tag such as <p> is none
	// of them: text that holds markup is content and is compared.
	placeholderValue = regexp.MustCompile(`<[a-z]+(?:-[a-z]+)*-\d+>|<password>|\[redacted\]|\[present\]|[^\s@<>"]+@example\.test\b`)
)

// volatileValue reports whether a value is one that differs between runs whatever its key:
// an instant, a token, or a value with a redacted part (whose real value is unknowable: a
// placeholder, or a payment URL with the token in its path).
func volatileValue(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	return timestampValue.MatchString(s) || jwtValue.MatchString(s) || placeholderValue.MatchString(s)
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number, float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// ignored reports whether tokens is at or under a configured ignore pointer.
func (c *comparer) ignored(tokens []string) bool {
	for _, pat := range c.ignore {
		if len(pat) > len(tokens) {
			continue
		}
		ok := true
		for i, p := range pat {
			if m, err := path.Match(p, tokens[i]); err != nil || !m {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func appendToken(tokens []string, t string) []string {
	out := make([]string, len(tokens)+1)
	copy(out, tokens)
	out[len(tokens)] = t
	return out
}

// pointerEscaper and pointerUnescaper turn a member name into a pointer token and back. Built
// once: a report can hold a pointer for every element of a long array.
var (
	pointerEscaper   = strings.NewReplacer("~", "~0", "/", "~1")
	pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")
)

// joinPointer builds an RFC 6901 pointer; "" is the whole body.
func joinPointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(pointerEscaper.Replace(t))
	}
	return b.String()
}

// splitPointer parses an RFC 6901 pointer into tokens. Only "" is the whole body: "/" is the
// member whose key is empty, and "/a/" the empty key under a, so neither may widen to the
// subtree above it.
func splitPointer(p string) []string {
	if p == "" {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, t := range parts {
		parts[i] = pointerUnescaper.Replace(t)
	}
	return parts
}

func fieldName(tokens []string) string {
	if len(tokens) == 0 {
		return "the body"
	}
	return joinPointer(tokens)
}

// absent stands for a value one side does not have, which reports leave empty.
var absent = &struct{ absent bool }{}

// compact renders a value as short JSON for reports.
func compact(v any) string {
	if v == absent {
		return ""
	}
	if v == nil {
		return "null"
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return cut(strings.TrimSpace(b.String()))
}

const maxValueLen = 120

func cut(s string) string {
	if len(s) <= maxValueLen {
		return s
	}
	r := []rune(s)
	if len(r) > maxValueLen {
		r = r[:maxValueLen]
	}
	return string(r) + "…"
}
