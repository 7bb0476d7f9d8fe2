package contracts

import (
	"bytes"
	"context"
	_ "embed"

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

var loadAdmin = loadEmbedded("admin.yaml", adminSpec)

// LoadAdmin parses the embedded operations contract. The document is loaded once
// and shared by every caller; treat it as read-only. NewValidator accepts it like the content
// contract.
func LoadAdmin(ctx context.Context) (*openapi3.T, error) {
	return loadAdmin(ctx)
}
