package contracts

import (
	"errors"
	"fmt"
	"maps"
	"mime"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Phases of a Violation.
const (
	PhaseRequest  = "request"
	PhaseResponse = "response"
)

// Kinds of a Violation, for classifying findings.
const (
	KindRequired        = "required"         // a required property, parameter or body is missing
	KindType            = "type"             // a value of the wrong JSON type, or not JSON at all
	KindUnknownProperty = "unknown-property" // a property the schema does not list
	KindEnum            = "enum"             // a value outside an enumeration
	KindFormat          = "format"           // a string breaking a format or pattern
	KindStatus          = "status"           // a response status the operation does not document
	KindRoute           = "route"            // no operation matches the method and path
	KindOther           = "other"            // ranges, lengths, content types and the rest
)

// Violation is one contract breach, flattened from kin-openapi's (multi)errors.
type Violation struct {
	Phase  string // PhaseRequest or PhaseResponse
	Method string
	Path   string
	Status int // response status (0 for request phase)
	// Pointer locates the offending value: a JSON pointer into the body ("/products/0/quantity",
	// "" for the body itself), or "query/limit", "header/x-device-metadata", "path/id", "status".
	Pointer string
	// Field is the last meaningful name for messages: "quantity", "limit", "x-device-metadata",
	// or the unknown property's name.
	Field string
	// Reason reads well after Field ("must be an integer", "is required"); for unknown properties,
	// statuses and routes it is the whole message ("property foo should not exist").
	Reason string
	Kind   string // one of the Kind constants
}

// Message returns the final human-readable text, worded like the class-validator messages of the
// live API: "quantity must be an integer", "property langCode should not exist".
func (v Violation) Message() string {
	switch v.Kind {
	case KindUnknownProperty, KindStatus, KindRoute:
		return v.Reason
	}
	if v.Field == "" {
		return v.Reason
	}
	return v.Field + " " + v.Reason
}

// String describes the violation with its exchange, for test and log output.
func (v Violation) String() string {
	var b strings.Builder
	b.WriteString(v.Phase)
	b.WriteByte(' ')
	b.WriteString(v.Method)
	b.WriteByte(' ')
	b.WriteString(v.Path)
	if v.Status != 0 {
		fmt.Fprintf(&b, " -> %d", v.Status)
	}
	if v.Pointer != "" {
		fmt.Fprintf(&b, " at %s", v.Pointer)
	}
	fmt.Fprintf(&b, ": %s (%s)", v.Message(), v.Kind)
	return b.String()
}

// Violations flattens an error returned by a Validator (or by openapi3filter directly) into one
// Violation per breach. It understands openapi3filter.RequestError, ResponseError and
// SecurityRequirementsError, openapi3.MultiError and SchemaError (including the branches of
// oneOf and allOf), ErrNoRoute, and anything wrapping those. It returns nil for a nil error.
func Violations(err error) []Violation {
	var out []Violation
	flatten(&out, err, site{})
	return out
}

// site is what is known about where an error happened while walking down to it.
type site struct {
	phase, method, path string
	status              int
	param               *openapi3.Parameter // nil for the body
}

func (s site) violation(pointer, field, reason, kind string) Violation {
	return Violation{
		Phase: s.phase, Method: s.method, Path: s.path, Status: s.status,
		Pointer: pointer, Field: field, Reason: reason, Kind: kind,
	}
}

// root is the pointer of the value a schema error is relative to.
func (s site) root() string {
	if s.param != nil {
		return s.param.In + "/" + paramName(s.param)
	}
	return ""
}

// rootField names the value a schema error is relative to when no property name is closer.
func (s site) rootField() string {
	if s.param != nil {
		return paramName(s.param)
	}
	return "body"
}

func paramName(p *openapi3.Parameter) string {
	if p.In == openapi3.ParameterInHeader {
		return strings.ToLower(p.Name)
	}
	return p.Name
}

func flatten(out *[]Violation, err error, s site) {
	switch e := err.(type) {
	case nil:
	case openapi3.MultiError:
		for _, err := range e {
			flatten(out, err, s)
		}
	case *routeError:
		s.phase, s.method, s.path = PhaseRequest, e.method, e.path
		reason := fmt.Sprintf("%s %s matches no operation of the contract", e.method, e.path)
		if errors.Is(e.err, routers.ErrMethodNotAllowed) {
			reason = fmt.Sprintf("method %s is not documented for %s", e.method, e.path)
		}
		*out = append(*out, s.violation("", "", reason, KindRoute))
	case *openapi3filter.RequestError:
		requestError(out, e, s)
	case *openapi3filter.ResponseError:
		responseError(out, e, s)
	case *openapi3filter.SecurityRequirementsError:
		*out = append(*out, s.violation("header/authorization", "authorization", "is not accepted: "+e.Error(), KindOther))
	case *openapi3.SchemaError:
		schemaError(out, e, s)
	case interface{ Unwrap() []error }:
		for _, err := range e.Unwrap() {
			flatten(out, err, s)
		}
	case interface{ Unwrap() error }:
		if inner := e.Unwrap(); inner != nil {
			flatten(out, inner, s)
			return
		}
		*out = append(*out, s.violation(s.root(), "", err.Error(), KindOther))
	default:
		*out = append(*out, s.violation(s.root(), "", err.Error(), KindOther))
	}
}

func requestError(out *[]Violation, e *openapi3filter.RequestError, s site) {
	s.phase, s.status = PhaseRequest, 0
	if e.Input != nil && e.Input.Request != nil {
		s.method, s.path = e.Input.Request.Method, e.Input.Request.URL.Path
	}
	var perr *openapi3filter.ParseError
	switch {
	case e.Parameter != nil:
		s.param = e.Parameter
		ptr, name := s.root(), paramName(e.Parameter)
		switch {
		case errors.Is(e.Err, openapi3filter.ErrInvalidRequired):
			*out = append(*out, s.violation(ptr, name, "is required", KindRequired))
		case errors.Is(e.Err, openapi3filter.ErrInvalidEmptyValue):
			*out = append(*out, s.violation(ptr, name, "should not be empty", KindRequired))
		case errors.As(e.Err, &perr):
			// A query or path value that does not even parse as the schema's type ("limit=abc").
			reason := "has an invalid value"
			if e.Parameter.Schema != nil && e.Parameter.Schema.Value != nil {
				reason = typeReason(e.Parameter.Schema.Value)
			}
			*out = append(*out, s.violation(ptr, name, reason, KindType))
		case e.Err != nil:
			flatten(out, e.Err, s)
		default:
			*out = append(*out, s.violation(ptr, name, e.Error(), KindOther))
		}
	case e.RequestBody != nil:
		switch {
		case errors.Is(e.Err, openapi3filter.ErrInvalidRequired):
			*out = append(*out, s.violation("", "body", "is required", KindRequired))
		case e.Err == nil:
			// The only body failure without a cause is a Content-Type the operation does not accept.
			accepted := slices.Sorted(maps.Keys(e.RequestBody.Content))
			*out = append(*out, s.violation("header/content-type", "content-type", "must be "+strings.Join(accepted, " or "), KindOther))
		case errors.As(e.Err, &perr):
			*out = append(*out, bodyParseViolation(s, perr))
		case isMultipart(e.Input) && !errors.As(e.Err, new(*openapi3.SchemaError)):
			// kin-openapi passes on the multipart reader's own error ("EOF"), which says nothing
			// to the client.
			*out = append(*out, s.violation("", "body", "must be a well-formed multipart/form-data body", KindType))
		default:
			flatten(out, e.Err, s)
		}
	default:
		*out = append(*out, s.violation("", "", e.Error(), KindOther))
	}
}

func responseError(out *[]Violation, e *openapi3filter.ResponseError, s site) {
	s.phase, s.param = PhaseResponse, nil
	var route *routers.Route
	if in := e.Input; in != nil {
		s.status = in.Status
		if rin := in.RequestValidationInput; rin != nil {
			route = rin.Route
			if rin.Request != nil {
				s.method, s.path = rin.Request.Method, rin.Request.URL.Path
			}
		}
	}
	var perr *openapi3filter.ParseError
	switch {
	case e.Err == nil && route != nil && route.Operation != nil &&
		route.Operation.Responses.Status(s.status) == nil && route.Operation.Responses.Default() == nil:
		reason := fmt.Sprintf("status %d is not documented", s.status)
		*out = append(*out, s.violation("status", "status", reason, KindStatus))
	case e.Err == nil:
		// Documented status, but a Content-Type that it does not list.
		ct := ""
		if e.Input != nil {
			ct = e.Input.Header.Get("Content-Type")
		}
		reason := fmt.Sprintf("%q is not a documented content type", ct)
		*out = append(*out, s.violation("header/content-type", "", reason, KindOther))
	case errors.As(e.Err, &perr):
		*out = append(*out, bodyParseViolation(s, perr))
	default:
		flatten(out, e.Err, s)
	}
}

func isMultipart(in *openapi3filter.RequestValidationInput) bool {
	if in == nil || in.Request == nil {
		return false
	}
	mt, _, _ := mime.ParseMediaType(in.Request.Header.Get("Content-Type"))
	return strings.HasPrefix(mt, "multipart/")
}

func bodyParseViolation(s site, perr *openapi3filter.ParseError) Violation {
	if perr.Kind == openapi3filter.KindInvalidFormat {
		return s.violation("", "body", "must be valid JSON", KindType)
	}
	return s.violation("", "body", "cannot be decoded: "+perr.Error(), KindOther)
}

func schemaError(out *[]Violation, e *openapi3.SchemaError, s site) {
	path := e.JSONPointer()
	schema := e.Schema
	if schema == nil {
		schema = &openapi3.Schema{}
	}
	add := func(path []string, reason, kind string) {
		*out = append(*out, s.violation(pointer(s.root(), path), field(path, s.rootField()), reason, kind))
	}
	switch e.SchemaField {
	case "oneOf":
		if errors.Is(e.Origin, openapi3.ErrOneOfConflict) {
			add(path, "matches more than one allowed shape", KindOther)
			return
		}
		if branch := oneOfBranch(e, len(path)); branch != nil {
			flatten(out, branch, s)
			return
		}
		add(path, oneOfReason(schema), KindType)
	case "allOf":
		var me openapi3.MultiError
		if errors.As(e.Origin, &me) && len(me) > 0 {
			flatten(out, me, s)
			return
		}
		add(path, "does not match the schema", KindOther)
	case "anyOf":
		add(path, "does not match any allowed shape", KindType)
	case "properties":
		name, ok := unsupportedProperty(e)
		if !ok {
			add(path, e.Reason, KindUnknownProperty)
			return
		}
		p := append(path[:len(path):len(path)], name)
		*out = append(*out, s.violation(pointer(s.root(), p), name, "property "+name+" should not exist", KindUnknownProperty))
	case "required":
		add(path, "is required", KindRequired)
	case "type", "nullable":
		reason := "must not be null"
		if schema.Type != nil && len(*schema.Type) > 0 {
			reason = typeReason(schema)
		}
		add(path, reason, KindType)
	case "enum":
		add(path, enumReason(schema.Enum), KindEnum)
	case "format":
		add(path, formatReason(schema.Format), KindFormat)
	case "pattern":
		add(path, "must match "+schema.Pattern+" regular expression", KindFormat)
	case "minimum":
		add(path, "must not be less than "+number(schema.Min), KindOther)
	case "maximum":
		add(path, "must not be greater than "+number(schema.Max), KindOther)
	case "exclusiveMinimum":
		add(path, "must be greater than "+number(schema.Min), KindOther)
	case "exclusiveMaximum":
		add(path, "must be less than "+number(schema.Max), KindOther)
	case "minLength":
		add(path, fmt.Sprintf("must be longer than or equal to %d characters", schema.MinLength), KindOther)
	case "maxLength":
		add(path, fmt.Sprintf("must be shorter than or equal to %d characters", deref(schema.MaxLength)), KindOther)
	case "minItems":
		add(path, fmt.Sprintf("must contain at least %d elements", schema.MinItems), KindOther)
	case "maxItems":
		add(path, fmt.Sprintf("must contain no more than %d elements", deref(schema.MaxItems)), KindOther)
	case "uniqueItems":
		add(path, "must not contain duplicate elements", KindOther)
	default:
		reason := e.Reason
		if reason == "" {
			reason = "does not match the schema (" + e.SchemaField + ")"
		}
		add(path, reason, KindOther)
	}
}

// oneOfBranch picks the branch of a failed oneOf that the value was evidently meant for: the only
// one that did not fail on the value's type itself. The contract's unions (string or string[],
// a locale map or a flat list, one session or an array) differ by type, so a body with a wrong
// nested field is reported at that field rather than as "matches no shape".
func oneOfBranch(e *openapi3.SchemaError, depth int) error {
	var branches openapi3.MultiError
	if !errors.As(e.Origin, &branches) || e.Schema == nil || len(branches) != len(e.Schema.OneOf) {
		return nil
	}
	var chosen error
	for _, b := range branches {
		if isTypeMismatchAt(b, depth) {
			continue
		}
		if chosen != nil {
			return nil
		}
		chosen = b
	}
	return chosen
}

// isTypeMismatchAt reports whether err is only a type error on the value at depth itself.
func isTypeMismatchAt(err error, depth int) bool {
	if me, ok := err.(openapi3.MultiError); ok {
		if len(me) != 1 {
			return false
		}
		err = me[0]
	}
	se, ok := err.(*openapi3.SchemaError)
	if !ok || len(se.JSONPointer()) != depth {
		return false
	}
	switch se.SchemaField {
	case "type", "nullable":
		return true
	case "oneOf", "anyOf":
		// A nested union that failed on its own branches' types is a type mismatch too.
		return se.Schema != nil && len(se.Schema.Type.Slice()) == 0 && oneOfBranch(se, depth) == nil
	}
	return false
}

func oneOfReason(s *openapi3.Schema) string {
	var kinds []string
	for _, ref := range s.OneOf {
		if ref == nil || ref.Value == nil || ref.Value.Type == nil || len(*ref.Value.Type) != 1 {
			return "does not match any allowed shape"
		}
		kinds = append(kinds, article((*ref.Value.Type)[0]))
	}
	return "must be " + strings.Join(kinds, " or ")
}

// unsupportedProperty returns the name of the property a "properties" SchemaError is about.
// kin-openapi only carries it in the reason (`property "foo" is unsupported`); when that cannot
// be read, the name is recovered from the value if exactly one of its keys is unknown.
func unsupportedProperty(e *openapi3.SchemaError) (string, bool) {
	if rest, ok := strings.CutPrefix(e.Reason, "property "); ok {
		if q, err := strconv.QuotedPrefix(rest); err == nil {
			if name, err := strconv.Unquote(q); err == nil {
				return name, true
			}
		}
	}
	obj, ok := e.Value.(map[string]any)
	if !ok || e.Schema == nil {
		return "", false
	}
	var unknown []string
	for k := range obj {
		if _, ok := e.Schema.Properties[k]; !ok {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) != 1 {
		return "", false
	}
	return unknown[0], true
}

func typeReason(s *openapi3.Schema) string {
	types := s.Type.Slice()
	if len(types) == 0 {
		return "has an invalid type"
	}
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = article(t)
	}
	return "must be " + strings.Join(parts, " or ")
}

func article(t string) string {
	switch t {
	case openapi3.TypeInteger, openapi3.TypeArray, openapi3.TypeObject:
		return "an " + t
	default:
		return "a " + t
	}
}

func enumReason(values []any) string {
	parts := make([]string, len(values))
	for i, v := range values {
		if v == nil {
			parts[i] = "null"
		} else {
			parts[i] = fmt.Sprint(v)
		}
	}
	return "must be one of the following values: " + strings.Join(parts, ", ")
}

func formatReason(format string) string {
	switch format {
	case "date-time", "date":
		return "must be a valid ISO 8601 date string"
	default:
		return "must be a valid " + format
	}
}

func number(p *float64) string {
	if p == nil {
		return "?"
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

func deref(p *uint64) uint64 {
	if p == nil {
		return 0
	}
	return *p
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// pointer builds a JSON pointer (RFC 6901) below root.
func pointer(root string, path []string) string {
	var b strings.Builder
	b.WriteString(root)
	for _, p := range path {
		b.WriteByte('/')
		b.WriteString(pointerEscaper.Replace(p))
	}
	return b.String()
}

// field is the last path element that is a name rather than an array index.
func field(path []string, fallback string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if _, err := strconv.Atoi(path[i]); err != nil {
			return path[i]
		}
	}
	return fallback
}

// Messages returns the Message of every violation of the given phase, in order and without
// duplicates: the strings a server puts in a 400 body's message array.
func Messages(vs []Violation, phase string) []string {
	seen := make(map[string]bool, len(vs))
	var out []string
	for _, v := range vs {
		if v.Phase != phase || seen[v.Message()] {
			continue
		}
		seen[v.Message()] = true
		out = append(out, v.Message())
	}
	return out
}
