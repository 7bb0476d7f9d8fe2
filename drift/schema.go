package drift

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/oneentry-mock/oneentry-mock/exchange"
)

// contractIndex answers what the contract says about a response field: whether it is declared,
// required, nullable, or limited to an enumeration. The classification of differences rests on it.
type contractIndex struct {
	router routers.Router
}

func newContractIndex(doc *openapi3.T) (*contractIndex, error) {
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("drift: contract router: %w", err)
	}
	return &contractIndex{router: router}, nil
}

// responseSchema returns the schema of the JSON answer with status to method path, or nil when
// the contract has none (unknown route, undocumented status).
func (ci *contractIndex) responseSchema(method, path string, status int) *openapi3.Schema {
	if ci == nil {
		return nil
	}
	req := &http.Request{Method: method, URL: &url.URL{Path: exchange.CleanPath(path)}, Header: http.Header{}}
	route, _, err := ci.router.FindRoute(req)
	if err != nil || route.Operation == nil || route.Operation.Responses == nil {
		return nil
	}
	ref := route.Operation.Responses.Status(status)
	if ref == nil {
		ref = route.Operation.Responses.Default()
	}
	if ref == nil || ref.Value == nil {
		return nil
	}
	mt := ref.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

// fieldInfo is what the contract says about the value at a pointer.
type fieldInfo struct {
	found    bool // the pointer resolves to a schema
	declared bool // its last step is a declared property (not an additionalProperties entry)
	required bool // the parent lists it as required
	open     bool // the parent is a free-form map that accepts any key
	schemas  []*openapi3.Schema
}

func (f fieldInfo) nullable() bool {
	for _, s := range f.schemas {
		if s.Nullable || s.Type.IncludesNull() {
			return true
		}
		for _, e := range s.Enum {
			if e == nil {
				return true
			}
		}
	}
	return false
}

func (f fieldInfo) enum() []any {
	for _, s := range f.schemas {
		if len(s.Enum) > 0 {
			return s.Enum
		}
	}
	return nil
}

// expand returns s and, recursively, the alternatives and parts it is composed of.
func expand(s *openapi3.Schema) []*openapi3.Schema {
	if s == nil {
		return nil
	}
	out := []*openapi3.Schema{s}
	for _, group := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, ref := range group {
			if ref != nil && ref.Value != nil {
				out = append(out, expand(ref.Value)...)
			}
		}
	}
	return out
}

// lookup resolves a JSON pointer (already split into tokens) in schema.
func lookup(schema *openapi3.Schema, tokens []string) fieldInfo {
	if schema == nil {
		return fieldInfo{}
	}
	current := expand(schema)
	info := fieldInfo{found: true, schemas: current}
	for _, tok := range tokens {
		var next []*openapi3.Schema
		info = fieldInfo{}
		_, numErr := strconv.Atoi(tok)
		for _, s := range current {
			if p, ok := s.Properties[tok]; ok && p != nil && p.Value != nil {
				next = append(next, expand(p.Value)...)
				info.declared = true
				for _, r := range s.Required {
					if r == tok {
						info.required = true
					}
				}
				continue
			}
			if numErr == nil && s.Items != nil && s.Items.Value != nil {
				next = append(next, expand(s.Items.Value)...)
				info.declared = true
				continue
			}
			if isOpen(s) {
				info.open = true
				if ap := s.AdditionalProperties.Schema; ap != nil && ap.Value != nil {
					next = append(next, expand(ap.Value)...)
				}
			}
		}
		if len(next) == 0 {
			info.found = false
			return info
		}
		info.found = true
		info.schemas = next
		current = next
	}
	return info
}

// isOpen reports whether an object schema accepts keys it does not list: no properties at all
// (a free-form map such as localizeInfos or settings) or additionalProperties allowed.
func isOpen(s *openapi3.Schema) bool {
	if !s.Type.Permits("object") {
		return false
	}
	if has := s.AdditionalProperties.Has; has != nil {
		return *has
	}
	if s.AdditionalProperties.Schema != nil {
		return true
	}
	return len(s.Properties) == 0
}

// parentInfo is what the contract says about the object that holds the member at tokens.
func parentInfo(schema *openapi3.Schema, tokens []string) fieldInfo {
	if len(tokens) == 0 {
		return fieldInfo{found: schema != nil, schemas: expand(schema)}
	}
	return lookup(schema, tokens[:len(tokens)-1])
}

// closed reports whether every schema of f forbids keys it does not list.
func (f fieldInfo) closed() bool {
	if !f.found {
		return false
	}
	for _, s := range f.schemas {
		if isOpen(s) {
			return false
		}
	}
	return true
}
