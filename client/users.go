package client

import (
	"context"
	"encoding/json"
	"net/http"
)

// User is the logged-in user (U1).
type User struct {
	ID                     int                       `json:"id"`
	Identifier             string                    `json:"identifier"`
	AuthProviderIdentifier string                    `json:"authProviderIdentifier"`
	FormData               Localized[[]FormDataItem] `json:"formData"`
	FormIdentifier         string                    `json:"formIdentifier"`
	// Total arrives as a string ("1").
	Total Count `json:"total"`
	// Groups holds group ids or identifiers (numbers or strings).
	Groups            []any           `json:"groups"`
	State             map[string]any  `json:"state"`
	ModuleFormConfigs json.RawMessage `json:"moduleFormConfigs,omitempty"`
	Rating            json.RawMessage `json:"rating,omitempty"`
}

// Me returns the user the access token belongs to (U1, GET /users/me?langCode=).
func (c *Client) Me(ctx context.Context) (*User, error) {
	return call[User](ctx, c, http.MethodGet, "/users/me", c.langQuery(), nil)
}
