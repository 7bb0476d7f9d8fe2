package contracts

import (
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
)

// plainParam is a parameter whose schema only asks for a string, or for an integer within
// bounds: checking its value needs no decoding machinery. kin-openapi still checks it whenever
// the value is not plainly fine (see Operation.ValidateRequest).
type plainParam struct {
	in       string
	name     string // canonical for headers, so that reading it costs no canonicalisation
	required bool
	integer  bool
	min, max *float64
}

// plainParams splits the parameters of an operation (those of its path item included, as
// kin-openapi resolves overrides) into the plain ones and the rest, keeping their order.
func plainParams(item *openapi3.PathItem, op *openapi3.Operation) (plain []plainParam, rest openapi3.Parameters) {
	var all openapi3.Parameters
	for _, ref := range item.Parameters {
		if op.Parameters == nil || op.Parameters.GetByInAndName(ref.Value.In, ref.Value.Name) == nil {
			all = append(all, ref)
		}
	}
	all = append(all, op.Parameters...)
	for _, ref := range all {
		if p, ok := asPlain(ref.Value); ok {
			plain = append(plain, p)
		} else {
			rest = append(rest, ref)
		}
	}
	return plain, rest
}

// asPlain says whether p is plain: in the path, the query or a header, in its default style,
// with a schema of type string or integer whose other keywords only document it (an integer
// may have bounds).
func asPlain(p *openapi3.Parameter) (plainParam, bool) {
	if p == nil || p.Content != nil || p.Schema == nil || p.Schema.Value == nil || p.AllowEmptyValue {
		return plainParam{}, false
	}
	pp := plainParam{in: p.In, name: p.Name, required: p.Required}
	switch p.In {
	case openapi3.ParameterInPath:
		if p.Style != "" && p.Style != openapi3.SerializationSimple {
			return plainParam{}, false
		}
	case openapi3.ParameterInHeader:
		if p.Style != "" && p.Style != openapi3.SerializationSimple {
			return plainParam{}, false
		}
		pp.name = http.CanonicalHeaderKey(p.Name)
	case openapi3.ParameterInQuery:
		if p.Style != "" && p.Style != openapi3.SerializationForm {
			return plainParam{}, false
		}
	default:
		return plainParam{}, false
	}
	s := *p.Schema.Value
	switch {
	case s.Type.Is(openapi3.TypeString):
	case s.Type.Is(openapi3.TypeInteger):
		pp.integer, pp.min, pp.max = true, s.Min, s.Max
		s.Min, s.Max = nil, nil
	default:
		return plainParam{}, false
	}
	// Whatever else the schema says must be documentation; any keyword that constrains the
	// value (or one this list does not know) leaves the parameter to kin-openapi.
	s.Type, s.Extensions, s.Origin = nil, nil, nil
	s.Title, s.Description, s.Default, s.Example, s.Examples, s.ExternalDocs = "", "", nil, nil, nil, nil
	s.Deprecated, s.ReadOnly, s.WriteOnly, s.XML = false, false, false, nil
	if !reflect.DeepEqual(s, openapi3.Schema{}) {
		return plainParam{}, false
	}
	return pp, true
}

// ok says whether the request's value of the parameter is plainly valid: absent when optional,
// or sent once, not empty, and (for an integer) a decimal within the bounds. Anything else,
// valid or not, is for kin-openapi to judge.
func (p *plainParam) ok(req *http.Request, path map[string]string, query *queryValues) bool {
	var v string
	switch p.in {
	case openapi3.ParameterInPath:
		v = path[p.name]
		if v == "" {
			return false
		}
	case openapi3.ParameterInQuery:
		first, n := query.get(p.name)
		if n == 0 {
			return !p.required
		}
		if n != 1 {
			return false
		}
		v = first
	case openapi3.ParameterInHeader:
		vs := req.Header[p.name]
		if len(vs) == 0 {
			return !p.required
		}
		if len(vs) != 1 {
			return false
		}
		v = vs[0]
	}
	if v == "" {
		return false
	}
	if !p.integer {
		return true
	}
	// Digits only, without a leading zero, and short enough to be exact as a float64.
	if len(v) > 9 || (len(v) > 1 && v[0] == '0') {
		return false
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || v[0] == '+' {
		return false
	}
	f := float64(n)
	return (p.min == nil || f >= *p.min) && (p.max == nil || f <= *p.max)
}

// lean is route with the parameters of plain moved out: kin-openapi checks only the rest.
func lean(route *routers.Route, rest openapi3.Parameters) *routers.Route {
	op := *route.Operation
	op.Parameters = rest
	item := *route.PathItem
	item.Parameters = nil
	r := *route
	r.Operation, r.PathItem = &op, &item
	return &r
}

// queryValues reads the parameters of a query string: from parsed, url.ParseQuery's reading of
// raw, when the caller parsed it, else from raw itself, which plain must allow.
type queryValues struct {
	raw    string
	parsed url.Values
}

// maxPlainQueryParams bounds the parameters of a query read as it is: url.ParseQuery refuses
// queries with more than a limit that GODEBUG can lower (urlmaxqueryparams), so longer ones are
// parsed, and the limit is checked to be at least this once.
const maxPlainQueryParams = 16

var queryLimitAllowsPlain = sync.OnceValue(func() bool {
	_, err := url.ParseQuery(strings.Repeat("a&", maxPlainQueryParams-1) + "a")
	return err == nil
})

// plain says whether raw can be read without url.ParseQuery to the same effect: it has nothing
// to unescape, no ";" (which ParseQuery refuses) and few parameters.
func (q *queryValues) plain() bool {
	return !strings.ContainsAny(q.raw, "%+;") && strings.Count(q.raw, "&") < maxPlainQueryParams &&
		queryLimitAllowsPlain()
}

// get returns the first value of the parameter name and how many values it has.
func (q *queryValues) get(name string) (first string, n int) {
	if q.parsed != nil {
		vs := q.parsed[name]
		if len(vs) == 0 {
			return "", 0
		}
		return vs[0], len(vs)
	}
	for rest := q.raw; rest != ""; {
		var pair string
		pair, rest, _ = strings.Cut(rest, "&")
		if key, value, _ := strings.Cut(pair, "="); key == name {
			if n == 0 {
				first = value
			}
			n++
		}
	}
	return first, n
}
