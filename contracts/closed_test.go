package contracts

import (
	"strconv"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
)

// closedSchemas returns a walk that asserts every object schema it reaches with properties is
// closed (additionalProperties: false), but for the component schemas open names. Maps have no
// properties and stay open on purpose; their values are walked.
func closedSchemas(t *testing.T, open map[string]string) func(where string, ref *openapi3.SchemaRef) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(where string, ref *openapi3.SchemaRef)
	walk = func(where string, ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] || open[ref.Ref] != "" {
			return
		}
		s := ref.Value
		seen[s] = true
		if len(s.Properties) > 0 {
			assert.True(t, s.AdditionalProperties.Has != nil && !*s.AdditionalProperties.Has, "%s: additionalProperties: false", where)
		}
		for name, p := range s.Properties {
			walk(where+"."+name, p)
		}
		walk(where+"[]", s.Items)
		walk(where+"{}", s.AdditionalProperties.Schema)
		for i, sub := range s.AllOf {
			walk(where+".allOf"+strconv.Itoa(i), sub)
		}
		// anyOf branches only add constraints to properties their parent declares.
	}
	return walk
}

// Every object a JSON request body of the content API declares properties for refuses the ones
// it does not declare, as the live API's validation pipe does ("property x should not exist").
func TestRequestBodiesAreClosed(t *testing.T) {
	t.Parallel()
	walk := closedSchemas(t, map[string]string{
		// The SDK types the admins filter as the products' IFilterParams, whose other keys
		// (pageUrls, statusMarker, …) a site may pass along.
		"#/components/schemas/AttributeFilter": "the products' filter type",
	})
	for _, o := range operations(t) {
		if o.op.RequestBody == nil {
			continue
		}
		if mt := o.op.RequestBody.Value.Content.Get("application/json"); mt != nil {
			walk(o.method+" "+o.path, mt.Schema)
		}
	}
}

// Every object schema of the admin API with properties is closed, so a field the server adds
// (or drops from required) is reported.
func TestAdminSchemasAreClosed(t *testing.T) {
	t.Parallel()
	walk := closedSchemas(t, nil)
	doc := adminDoc(t)
	for name, s := range doc.Components.Schemas {
		walk(name, s)
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			for code, r := range op.Responses.Map() {
				for mime, mt := range r.Value.Content {
					walk(method+" "+path+" "+code+" "+mime, mt.Schema)
				}
			}
			if op.RequestBody != nil {
				for mime, mt := range op.RequestBody.Value.Content {
					walk(method+" "+path+" request "+mime, mt.Schema)
				}
			}
		}
	}
}
