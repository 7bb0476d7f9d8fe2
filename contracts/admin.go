package contracts

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// The operations contract lives in its own document: its paths sit at the server's root, not
// under the content API's /api/content, and nothing in it exists on a live project, so it must
// never route or excuse content-API traffic.

//go:embed admin.yaml
var adminSpec []byte

// AdminSpec returns the raw YAML of the operations contract (health, metrics, /__admin and the
// checkout page). The slice is a copy, so callers may keep or change it.
func AdminSpec() []byte {
	return bytes.Clone(adminSpec)
}

var loadAdminOnce = sync.OnceValues(func() (*openapi3.T, error) {
	// As in Load: a caller's cancelled context must not poison the shared result.
	return loadAdmin(context.Background(), adminSpec)
})

// loadAdmin is load with the operations contract's name in its errors.
func loadAdmin(ctx context.Context, data []byte) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("contracts: load admin.yaml: %w", err)
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("contracts: validate admin.yaml: %w", err)
	}
	return doc, nil
}

// LoadAdmin parses and validates the embedded operations contract. The document is loaded once
// and shared by every caller; treat it as read-only. NewValidator accepts it like the content
// contract.
func LoadAdmin(ctx context.Context) (*openapi3.T, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return loadAdminOnce()
}
