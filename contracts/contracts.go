// Package contracts holds the OpenAPI contract of the OneEntry content API subset the mock serves,
// and the tools that check HTTP traffic against it: a Validator for single exchanges, Violations
// to turn kin-openapi's nested errors into flat findings, and a Transport that checks every
// exchange of an http.Client.
package contracts

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

var defaultValidator = sync.OnceValues(func() (*Validator, error) {
	doc, err := loadContent(context.Background())
	if err != nil {
		return nil, err
	}
	return NewValidator(doc)
})

// Default returns the Validator of the embedded contract, built once and shared: building one
// compiles every route and schema, which a server, a proxy and every scenario target need only once.
func Default(ctx context.Context) (*Validator, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return defaultValidator()
}

// ErrNoRoute is returned (wrapped) when no operation of the contract matches a request's method
// and path.
var ErrNoRoute = errors.New("no operation matches the request")

// routeError is the ErrNoRoute failure; it remembers the request for Violations.
type routeError struct {
	method, path string
	err          error // routers.ErrPathNotFound or routers.ErrMethodNotAllowed
}

func (e *routeError) Error() string {
	return fmt.Sprintf("%s %s: %v (%v)", e.method, e.path, ErrNoRoute, e.err)
}

func (e *routeError) Is(target error) bool { return target == ErrNoRoute }

func (e *routeError) Unwrap() error { return e.err }

// Validator checks requests and responses against a contract document. Routes and schemas are
// resolved once in NewValidator; a Validator is safe for concurrent use.
type Validator struct {
	doc     *openapi3.T
	router  routers.Router
	options *openapi3filter.Options
	base    string // the servers' path prefix, "/api/content"
	// unsecured holds each operation with its security requirements removed. With
	// NoopAuthenticationFunc they cannot fail, yet kin-openapi reads and copies the whole
	// request body once more for every requirement; the caller checks tokens itself.
	unsecured map[*openapi3.Operation]*openapi3.Operation
}

// NewValidator builds a Validator for doc, which must have been validated (Load does).
func NewValidator(doc *openapi3.T) (*Validator, error) {
	if doc == nil {
		return nil, errors.New("contracts: nil document")
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("contracts: build router: %w", err)
	}
	var base string
	if len(doc.Servers) > 0 {
		if u, err := url.Parse(doc.Servers[0].URL); err == nil {
			base = strings.TrimSuffix(u.Path, "/")
		}
	}
	return &Validator{
		doc:    doc,
		router: router,
		options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			MultiError:            true,
			AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
			// The contract documents defaults (limit=30, ...); without this kin-openapi would
			// write them into the caller's query string and body.
			SkipSettingDefaults: true,
		},
		base:      base,
		unsecured: unsecuredOperations(doc),
	}, nil
}

func unsecuredOperations(doc *openapi3.T) map[*openapi3.Operation]*openapi3.Operation {
	out := map[*openapi3.Operation]*openapi3.Operation{}
	none := &openapi3.SecurityRequirements{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			cp := *op
			cp.Security = none
			out[op] = &cp
		}
	}
	return out
}

// forRequest is route for request validation: the same operation without its security
// requirements.
func (v *Validator) forRequest(route *routers.Route) *routers.Route {
	op, ok := v.unsecured[route.Operation]
	if !ok {
		return route
	}
	r := *route
	r.Operation = op
	return &r
}

// route finds the operation for req. SDK 1.0.115 and older send "//api/content/..." when the
// base URL ends in a slash and the mock serves it like the single-slash path, so duplicate
// slashes are collapsed before matching.
func (v *Validator) route(req *http.Request) (*openapi3filter.RequestValidationInput, error) {
	match := req
	if p := RoutedPath(req.URL.Path); p != req.URL.Path {
		u := *req.URL
		u.Path = p
		u.RawPath = RoutedPath(u.RawPath)
		r := *req
		r.URL = &u
		match = &r
	}
	route, params, err := v.router.FindRoute(match)
	if err != nil {
		return nil, &routeError{method: req.Method, path: req.URL.Path, err: err}
	}
	return &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: params,
		Route:      route,
		Options:    v.options,
	}, nil
}

// RoutedPath is the path the live API routes: runs of slashes collapsed (SDK ≤ 1.0.115 sends
// "//api/content/..." when its base URL ends in "/") and one trailing slash dropped, as Express's
// routing, which is not strict, ignores it (SDK 1.0.115 sends "/attributes-sets/?langCode=…").
func RoutedPath(p string) string {
	for strings.Contains(p, "//") {
		p = strings.ReplaceAll(p, "//", "/")
	}
	if len(p) > 1 {
		p = strings.TrimSuffix(p, "/")
	}
	return p
}

// Operation is one operation of the contract, resolved ahead of time by a server that routes
// requests itself, so validating a request costs no route search.
type Operation struct {
	v     *Validator
	route *routers.Route
	// lean is route without the plain parameters, which plain checks; nil when there are none.
	lean  *routers.Route
	plain []plainParam
	query bool // whether any parameter is in the query
	// restQuery is whether any parameter left to kin-openapi is in the query: only then does
	// a request whose plain parameters are fine need its query parsed.
	restQuery bool
	// singleQuery names the query parameters of one value (not a list): kin-openapi checks
	// only the first of a repeated one, so each further value is checked too.
	singleQuery []string
	// integerPath are the path parameters of type integer, which must be written as digits.
	integerPath []*openapi3.Parameter
}

// Operation resolves the operation for method and a path template, either relative to the
// contract's servers ("/forms/marker/{marker}") or with their base ("/api/content/forms/...").
// The template's parameter names must be the contract's.
func (v *Validator) Operation(method, template string) (*Operation, error) {
	rel := strings.TrimPrefix(template, v.base)
	item := v.doc.Paths.Value(rel)
	if item == nil {
		return nil, fmt.Errorf("contracts: no path %s: %w", rel, ErrNoRoute)
	}
	op := item.GetOperation(method)
	if op == nil {
		return nil, fmt.Errorf("contracts: no %s operation on %s: %w", method, rel, ErrNoRoute)
	}
	return v.newOperation(method, rel, item, op), nil
}

// newOperation prepares op, the operation of method on the path rel, for validating requests.
func (v *Validator) newOperation(method, rel string, item *openapi3.PathItem, op *openapi3.Operation) *Operation {
	var server *openapi3.Server
	if len(v.doc.Servers) > 0 {
		server = v.doc.Servers[0]
	}
	o := &Operation{v: v, route: v.forRequest(&routers.Route{
		Spec: v.doc, Server: server, Path: rel, PathItem: item, Method: method, Operation: op,
	})}
	plain, rest := plainParams(item, op)
	for _, p := range plain {
		o.query = o.query || p.in == openapi3.ParameterInQuery
		if p.in == openapi3.ParameterInQuery {
			o.singleQuery = append(o.singleQuery, p.name)
		}
	}
	for _, ref := range rest {
		if p := ref.Value; p.In == openapi3.ParameterInQuery && p.Schema != nil && p.Schema.Value != nil &&
			!p.Schema.Value.Type.Includes(openapi3.TypeArray) && !p.Schema.Value.Type.Includes(openapi3.TypeObject) {
			o.singleQuery = append(o.singleQuery, p.Name)
		}
	}
	for _, ref := range rest {
		o.restQuery = o.restQuery || ref.Value.In == openapi3.ParameterInQuery
	}
	o.integerPath = integerPathParams(item, op)
	o.query = o.query || o.restQuery
	if len(plain) > 0 {
		o.plain, o.lean = plain, lean(o.route, rest)
	}
	return o
}

// optionalIn2025 is the extension of an operation that names the properties of its JSON
// request body that the 2025 API (profile sdk-1.0.115) did not require.
const optionalIn2025 = "x-optional-in-2025"

// In2025 is the operation as the 2025 API validated it: the request-body properties its
// x-optional-in-2025 extension names are not required. Without the extension it is op itself.
func (op *Operation) In2025() (*Operation, error) {
	raw, ok := op.route.Operation.Extensions[optionalIn2025]
	if !ok {
		return op, nil
	}
	names, ok := raw.([]any)
	body := op.route.Operation.RequestBody
	var media *openapi3.MediaType
	if body != nil && body.Value != nil {
		media = body.Value.Content.Get("application/json")
	}
	if !ok || media == nil || media.Schema == nil || media.Schema.Value == nil {
		return nil, fmt.Errorf("contracts: %s of %s %s must list properties of a JSON request body", optionalIn2025, op.route.Method, op.route.Path)
	}
	schema := *media.Schema.Value
	schema.Required = slices.DeleteFunc(slices.Clone(schema.Required), func(name string) bool {
		return slices.Contains(names, any(name))
	})
	if len(schema.Required) != len(media.Schema.Value.Required)-len(names) {
		return nil, fmt.Errorf("contracts: %s of %s %s names a property the body does not require", optionalIn2025, op.route.Method, op.route.Path)
	}
	relaxedMedia := *media
	relaxedMedia.Schema = &openapi3.SchemaRef{Value: &schema}
	relaxedBody := *body.Value
	relaxedBody.Content = maps.Clone(body.Value.Content)
	relaxedBody.Content["application/json"] = &relaxedMedia
	relaxed := *op.route.Operation
	relaxed.RequestBody = &openapi3.RequestBodyRef{Value: &relaxedBody}
	return op.v.newOperation(op.route.Method, op.route.Path, op.route.PathItem, &relaxed), nil
}

// ValidateRequest checks req against the operation; pathParams are the values of the
// template's parameters, as the caller's router extracted them.
//
// Decoding parameters through kin-openapi costs more than the rest of a request, so plain
// parameters (a string, or an integer within bounds) whose values are plainly fine are checked
// here and only the others go to kin-openapi. Whenever that shortcut does not end in success,
// the whole operation is validated by kin-openapi, so failures read exactly as they always did.
func (op *Operation) ValidateRequest(ctx context.Context, req *http.Request, pathParams map[string]string) error {
	in := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: pathParams,
		Route:      op.route,
		Options:    op.v.options,
	}
	if err := explicitlySigned(in, op.integerPath); err != nil {
		return err
	}
	// Parsed once for both passes, and not at all when only plain parameters are in the
	// query and it is plain enough to read as it is.
	query := queryValues{raw: req.URL.RawQuery}
	if op.restQuery || op.query && !query.plain() {
		query.parsed = req.URL.Query()
		in.QueryParams = query.parsed
	}
	if op.lean != nil && op.plainOK(req, pathParams, &query) {
		in.Route = op.lean
		if openapi3filter.ValidateRequest(ctx, in) == nil {
			return op.validateRepeated(ctx, in)
		}
		// The same input for the full pass: kin-openapi changes no more of it than the query
		// it parses (and only of the parameters in the route, which are parsed already).
		in.Route = op.route
	}
	if op.query && in.QueryParams == nil {
		in.QueryParams = req.URL.Query()
	}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
		return err
	}
	return op.validateRepeated(ctx, in)
}

// validateRepeated checks every further value of a repeated single-value query parameter, as
// the live API's validation (of the list Express makes of it) refuses a bad one wherever it
// stands. Only the query differs between the passes.
func (op *Operation) validateRepeated(ctx context.Context, in *openapi3filter.RequestValidationInput) error {
	// A query of one parameter repeats none, and costs the common request nothing more.
	if len(op.singleQuery) == 0 || !strings.Contains(in.Request.URL.RawQuery, "&") {
		return nil
	}
	query := in.QueryParams
	if query == nil {
		query = in.Request.URL.Query()
	}
	for _, name := range op.singleQuery {
		values := query[name]
		for _, v := range values[min(1, len(values)):] {
			one := maps.Clone(query)
			one[name] = []string{v}
			again := *in
			again.QueryParams, again.Route = one, op.route
			if err := openapi3filter.ValidateRequest(ctx, &again); err != nil {
				return err
			}
		}
	}
	return nil
}

// integerPathParams lists the path parameters of the operation whose schema is an integer.
func integerPathParams(item *openapi3.PathItem, op *openapi3.Operation) []*openapi3.Parameter {
	var out []*openapi3.Parameter
	for _, params := range []openapi3.Parameters{item.Parameters, op.Parameters} {
		for _, ref := range params {
			if p := ref.Value; p != nil && p.In == openapi3.ParameterInPath && p.Schema != nil &&
				p.Schema.Value != nil && p.Schema.Value.Type.Is(openapi3.TypeInteger) {
				out = append(out, p)
			}
		}
	}
	return out
}

// explicitlySigned refuses a path integer written with a plus sign ("/products/+1"), which
// kin-openapi reads as Go's strconv.ParseInt does while the live API's ParseIntPipe wants
// /^-?\d+$/; the error is the one kin-openapi gives any other value that is not an integer.
func explicitlySigned(in *openapi3filter.RequestValidationInput, params []*openapi3.Parameter) error {
	for _, p := range params {
		if v := in.PathParams[p.Name]; strings.HasPrefix(v, "+") {
			return &openapi3filter.RequestError{Input: in, Parameter: p, Err: &openapi3filter.ParseError{
				Kind: openapi3filter.KindInvalidFormat, Value: v, Reason: "an invalid integer", Cause: strconv.ErrSyntax,
			}}
		}
	}
	return nil
}

func (op *Operation) plainOK(req *http.Request, path map[string]string, query *queryValues) bool {
	for i := range op.plain {
		if !op.plain[i].ok(req, path, query) {
			return false
		}
	}
	return true
}

// ValidateRequest checks the method, path, query, headers and body of req against the contract.
// It reads req.Body and puts an equivalent reader back, so the caller can read the body again.
// It returns an error wrapping ErrNoRoute when no operation matches; other failures are
// kin-openapi errors that Violations flattens.
func (v *Validator) ValidateRequest(ctx context.Context, req *http.Request) error {
	in, err := v.route(req)
	if err != nil {
		return err
	}
	return v.validateRequest(ctx, in)
}

func (v *Validator) validateRequest(ctx context.Context, in *openapi3filter.RequestValidationInput) error {
	if err := explicitlySigned(in, integerPathParams(in.Route.PathItem, in.Route.Operation)); err != nil {
		return err
	}
	// Without security checks (see unsecured), kin-openapi reads the body only of an operation
	// that has one, and puts the same bytes back; the body of any other request is not touched.
	unsecured := *in
	unsecured.Route = v.forRequest(in.Route)
	return openapi3filter.ValidateRequest(ctx, &unsecured)
}

// ValidateResponse checks a response produced for req: its status must be documented for the
// operation and its body must match that status's schema. req's body is not read.
func (v *Validator) ValidateResponse(ctx context.Context, req *http.Request, status int, header http.Header, body []byte) error {
	in, err := v.route(req)
	if err != nil {
		return err
	}
	return v.validateResponse(ctx, in, status, header, body)
}

// ValidateResponse checks a response produced for req against the operation, the one the
// caller's router chose (pathParams are its values), which for a path that fits two templates
// may not be the one the contract's own router would pick.
func (op *Operation) ValidateResponse(ctx context.Context, req *http.Request, pathParams map[string]string, status int, header http.Header, body []byte) error {
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: pathParams, Route: op.route, Options: op.v.options}
	return op.v.validateResponse(ctx, in, status, header, body)
}

func (v *Validator) validateResponse(ctx context.Context, in *openapi3filter.RequestValidationInput, status int, header http.Header, body []byte) error {
	if header == nil {
		header = http.Header{}
	}
	return openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                v.options,
	})
}

// ValidateExchange routes req once and checks both the request and the response. Request and
// response failures come back together in one openapi3.MultiError.
func (v *Validator) ValidateExchange(ctx context.Context, req *http.Request, status int, header http.Header, body []byte) error {
	in, err := v.route(req)
	if err != nil {
		return err
	}
	var all openapi3.MultiError
	add := func(err error) {
		// Only a MultiError itself is spliced in; anything wrapping one keeps its context.
		if me, ok := err.(openapi3.MultiError); ok {
			all = append(all, me...)
		} else if err != nil {
			all = append(all, err)
		}
	}
	add(v.validateRequest(ctx, in))
	add(v.validateResponse(ctx, in, status, header, body))
	if len(all) == 0 {
		return nil
	}
	return all
}
