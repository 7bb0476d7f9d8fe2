package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
)

// ModuleFormConfig is a form's binding to entities of a module; its ID is the
// formModuleConfigId a submission names.
type ModuleFormConfig struct {
	ID                int `json:"id"`
	FormID            int `json:"formId"`
	ModuleID          int `json:"moduleId"`
	EntityIdentifiers []struct {
		ID        json.RawMessage `json:"id"`
		IsNumeric bool            `json:"isNumeric"`
	} `json:"entityIdentifiers"`
	IsModerate bool `json:"isModerate"`
}

// Configs decodes the form's module configs.
func (f *Form) Configs() ([]ModuleFormConfig, error) {
	out := make([]ModuleFormConfig, 0, len(f.ModuleFormConfigs))
	for _, raw := range f.ModuleFormConfigs {
		var c ModuleFormConfig
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// FormDataInput is a submission before the client wraps Values by language, as the SDK does.
type FormDataInput struct {
	FormIdentifier   string
	ConfigID         int
	EntityIdentifier string
	Values           []FormDataItem
}

type formDataBody struct {
	FormIdentifier         string                    `json:"formIdentifier"`
	FormModuleConfigID     int                       `json:"formModuleConfigId"`
	ModuleEntityIdentifier string                    `json:"moduleEntityIdentifier"`
	ReplayTo               *string                   `json:"replayTo"`
	Status                 string                    `json:"status"`
	FormData               map[string][]FormDataItem `json:"formData"`
}

// FormDataPosted is the answer to a submission.
type FormDataPosted struct {
	ActionMessage json.RawMessage `json:"actionMessage"`
	FormData      FormDataEntry   `json:"formData"`
}

// FormDataEntry is one stored submission.
type FormDataEntry struct {
	ID             int    `json:"id"`
	FormIdentifier string `json:"formIdentifier"`
	// Time is when it was submitted.
	Time string `json:"time"`
	// Status is the moderation status of a submission read back (sent, approved, …).
	Status string `json:"status,omitempty"`
	// UserIdentifier is the submitter's login, null for a visitor.
	UserIdentifier         *string         `json:"userIdentifier"`
	IsUserAdmin            bool            `json:"isUserAdmin"`
	EntityIdentifier       string          `json:"entityIdentifier"`
	ModuleIdentifier       string          `json:"moduleIdentifier,omitempty"`
	FormModuleConfigID     *int            `json:"formModuleConfigId,omitempty"`
	AttributeSetIdentifier *string         `json:"attributeSetIdentifier,omitempty"`
	FormData               json.RawMessage `json:"formData"`
	// The submission's answer (FormDataPosted) carries these too.
	FormModuleID *int    `json:"formModuleId,omitempty"`
	ParentID     *int    `json:"parentId,omitempty"`
	Fingerprint  *string `json:"fingerprint,omitempty"`
}

// FormDataList is a page of a form's submissions.
type FormDataList struct {
	Items []FormDataEntry `json:"items"`
	Total int             `json:"total"`
}

// FormDataFilter narrows FormDataByMarker; empty fields are not sent.
type FormDataFilter struct {
	EntityIdentifier string   `json:"entityIdentifier,omitempty"`
	UserIdentifier   string   `json:"userIdentifier,omitempty"`
	Status           []string `json:"status,omitempty"`
}

// SubmitFormData stores values against a form through one of its module configs (FD1,
// POST /form-data?langCode=).
func (c *Client) SubmitFormData(ctx context.Context, in FormDataInput) (*FormDataPosted, error) {
	values := in.Values
	if values == nil {
		values = []FormDataItem{}
	}
	body := formDataBody{
		FormIdentifier: in.FormIdentifier, FormModuleConfigID: in.ConfigID, ModuleEntityIdentifier: in.EntityIdentifier,
		Status: "sent", FormData: map[string][]FormDataItem{c.lang: values},
	}
	return call[FormDataPosted](ctx, c, http.MethodPost, "/form-data", c.langQuery(), body)
}

// FormDataByMarker reads a page of a form's submissions (FD2, POST /form-data/marker/{marker}).
func (c *Client) FormDataByMarker(ctx context.Context, marker string, configID int, filter FormDataFilter, offset, limit int) (*FormDataList, error) {
	q := c.pageQuery(offset, limit)
	q.Set("formModuleConfigId", itoa(configID))
	q.Set("isExtended", "0")
	return call[FormDataList](ctx, c, http.MethodPost, "/form-data/marker/"+seg(marker), q, filter)
}

// DeleteFormData deletes one of the signed-in user's submissions (FD5).
func (c *Client) DeleteFormData(ctx context.Context, id int) (bool, error) {
	res, err := call[bool](ctx, c, http.MethodDelete, "/form-data/"+itoa(id), url.Values(nil), nil)
	if err != nil {
		return false, err
	}
	return *res, nil
}
