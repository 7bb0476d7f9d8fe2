package contracts

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// The mock has two contracts. openapi.yaml is the content API under /api/content. admin.yaml
// is the mock's own operations surface (health, metrics, /__admin and the checkout page): its
// paths sit at the server's root and none of them exists on a live project, so it lives in a
// document of its own that can never route or excuse content-API traffic.
var (
	//go:embed openapi.yaml
	spec []byte
	//go:embed admin.yaml
	adminSpec []byte

	loadContent = loadEmbedded("openapi.yaml", spec)
	loadAdmin   = loadEmbedded("admin.yaml", adminSpec)
)

// Spec returns the raw YAML of the content contract. The slice is a copy, so callers may keep
// or change it.
func Spec() []byte { return bytes.Clone(spec) }

// AdminSpec returns the raw YAML of the operations contract, a copy like Spec's.
func AdminSpec() []byte { return bytes.Clone(adminSpec) }

// Load parses the embedded content contract. The document is loaded once and shared by every
// caller; treat it as read-only.
func Load(ctx context.Context) (*openapi3.T, error) { return loadContent(ctx) }

// LoadAdmin parses the embedded operations contract, once and shared like Load's; NewValidator
// accepts it like the content contract.
func LoadAdmin(ctx context.Context) (*openapi3.T, error) { return loadAdmin(ctx) }

// loadEmbedded returns the loader of an embedded document: it parses the document once, on
// first use, and hands every caller the same result. An embedded document is fixed when the
// binary is built, so it is validated by TestEmbeddedContractsAreValid rather than at every
// start, where validation was a tenth of the time to the first answer.
func loadEmbedded(name string, data []byte) func(context.Context) (*openapi3.T, error) {
	once := sync.OnceValues(func() (*openapi3.T, error) { return parse(name, data) })
	return func(ctx context.Context) (*openapi3.T, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return once()
	}
}

// parse reads one embedded contract document and resolves its references; name is its file,
// for errors.
func parse(name string, data []byte) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("contracts: load %s: %w", name, err)
	}
	return doc, nil
}

// CheckAdminSchema checks a decoded JSON value against the schema of that name in the
// operations contract and returns every breach of it (nil when it fits): a value the mock takes
// outside a route, such as an imported state document, holds to the contract its export does.
func CheckAdminSchema(ctx context.Context, name string, value any) ([]Violation, error) {
	doc, err := loadAdmin(ctx)
	if err != nil {
		return nil, err
	}
	ref, ok := doc.Components.Schemas[name]
	if !ok || ref.Value == nil {
		return nil, fmt.Errorf("contracts: admin.yaml has no schema %q", name)
	}
	return Violations(ref.Value.VisitJSON(value, openapi3.MultiErrors())), nil
}
