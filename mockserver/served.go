package mockserver

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// The fixture files whose API shape is not the fixture's own: the mock-only settings are left
// out, empty values filled in, and the token lifetimes the mock enforces shown. Each keeps the
// store's index of its file.
type providerResponse struct {
	ID                  int             `json:"id"`
	LocalizeInfos       json.RawMessage `json:"localizeInfos"`
	Config              map[string]any  `json:"config"`
	Version             int             `json:"version"`
	Identifier          string          `json:"identifier"`
	Type                string          `json:"type"`
	FormIdentifier      string          `json:"formIdentifier"`
	UserGroupIdentifier string          `json:"userGroupIdentifier"`
	IsActive            bool            `json:"isActive"`
	IsCheckCode         bool            `json:"isCheckCode"`
}

type storageResponse struct {
	ID                        int                       `json:"id"`
	LocalizeInfos             json.RawMessage           `json:"localizeInfos"`
	Position                  int                       `json:"position"`
	Identifier                string                    `json:"identifier"`
	FormIdentifier            string                    `json:"formIdentifier"`
	GeneralTypeID             *int                      `json:"generalTypeId"`
	PaymentAccountIdentifiers []store.AccountIdentifier `json:"paymentAccountIdentifiers"`
}

type statusResponse struct {
	ID            int             `json:"id"`
	LocalizeInfos json.RawMessage `json:"localizeInfos"`
	Identifier    string          `json:"identifier"`
	Position      int             `json:"position"`
	IsUsed        bool            `json:"isUsed"`
	IsDefault     bool            `json:"isDefault"`
}

func orEmptyObject(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage(`{}`)
	}
	return raw
}

// moduleConfigResponse is a form's module config as the API serves it.
type moduleConfigResponse struct {
	ID                  int                      `json:"id"`
	FormID              int                      `json:"formId"`
	ModuleID            int                      `json:"moduleId"`
	IsGlobal            bool                     `json:"isGlobal"`
	EntityIdentifiers   []store.EntityIdentifier `json:"entityIdentifiers"`
	IsClosed            bool                     `json:"isClosed"`
	IsModerate          bool                     `json:"isModerate"`
	ViewOnlyUserData    bool                     `json:"viewOnlyUserData"`
	CommentOnlyUserData bool                     `json:"commentOnlyUserData"`
}

// servedForm is a form's fixture bytes with, when the profile serves them, its module configs
// appended (an empty list for an unbound form).
func servedForm(f *store.Form, withConfigs bool) (json.RawMessage, error) {
	if !withConfigs {
		return f.Raw, nil
	}
	configs := make([]moduleConfigResponse, len(f.ModuleFormConfigs))
	for i, c := range f.ModuleFormConfigs {
		configs[i] = moduleConfigResponse{
			ID: c.ID, FormID: c.FormID, ModuleID: c.ModuleID, IsGlobal: c.IsGlobal, EntityIdentifiers: c.EntityIdentifiers,
			IsClosed: c.IsClosed, IsModerate: c.IsModerate, ViewOnlyUserData: c.ViewOnlyUserData, CommentOnlyUserData: c.CommentOnlyUserData,
		}
	}
	data, err := json.Marshal(configs)
	if err != nil {
		return nil, err
	}
	raw := bytes.TrimSuffix(bytes.TrimSpace(f.Raw), []byte("}"))
	return slices.Concat(raw, []byte(`,"moduleFormConfigs":`), data, []byte("}")), nil
}

func newServedFixtures(fx *store.Fixtures, st *store.Store, profile sandbox.Profile) (map[string]*store.Collection, error) {
	shapes := map[string]func(int) any{
		store.FileAuthProviders: func(i int) any {
			p := fx.AuthProviders[i]
			cfg := map[string]any{}
			if len(p.Config) > 0 {
				_ = json.Unmarshal(p.Config, &cfg) // checked at load
			}
			// The served lifetimes are the ones the mock enforces, so a front end that reads
			// them sees the truth. Both are in seconds (the live "Mc" suffix notwithstanding,
			// see docs/api.md).
			cfg["accessTokenTtlSec"] = strconv.FormatInt(int64(st.AccessTokenTTL().Seconds()), 10)
			cfg["refreshTokenTtlMc"] = strconv.FormatInt(int64(st.RefreshTokenTTL().Seconds()), 10)
			return providerResponse{
				ID: p.ID, LocalizeInfos: orEmptyObject(p.LocalizeInfos), Config: cfg, Version: p.Version,
				Identifier: p.Identifier, Type: p.Type, FormIdentifier: p.FormIdentifier,
				UserGroupIdentifier: p.UserGroupIdentifier, IsActive: p.IsActive, IsCheckCode: p.IsCheckCode,
			}
		},
		store.FileOrderStorages: func(i int) any {
			s := fx.OrderStorages[i]
			ids := s.PaymentAccountIdentifiers
			if ids == nil {
				ids = []store.AccountIdentifier{}
			}
			return storageResponse{
				ID: s.ID, LocalizeInfos: orEmptyObject(s.LocalizeInfos), Position: s.Position, Identifier: s.Identifier,
				FormIdentifier: s.FormIdentifier, GeneralTypeID: s.GeneralTypeID, PaymentAccountIdentifiers: ids,
			}
		},
		store.FileDiscounts: func(i int) any { return fx.Discounts[i].Served() },
	}
	out := make(map[string]*store.Collection, len(shapes)+1)
	forms, err := fx.Collection(store.FileForms)
	if err != nil {
		return nil, err
	}
	if out[store.FileForms], err = forms.Map(func(i int, _ json.RawMessage) (json.RawMessage, error) {
		return servedForm(&fx.Forms[i], profile.FormModuleConfigs)
	}); err != nil {
		return nil, err
	}
	for file, shape := range shapes {
		c, err := fx.Collection(file)
		if err != nil {
			return nil, err
		}
		if out[file], err = c.Map(func(i int, _ json.RawMessage) (json.RawMessage, error) { return json.Marshal(shape(i)) }); err != nil {
			return nil, err
		}
	}
	// The profile's shapes: each item of a fixture file served as edit makes it.
	for _, r := range []struct {
		on   bool
		file string
		edit func(i int, item json.RawMessage) (json.RawMessage, error)
	}{
		{profile.FormModuleConfigs, store.FilePages, func(i int, page json.RawMessage) (json.RawMessage, error) {
			configs, err := json.Marshal(fx.PageFormConfigs(i))
			return store.WithRawField(page, "moduleFormConfigs", configs), err
		}},
		{profile.FlatMenus, store.FileMenus, func(_ int, menu json.RawMessage) (json.RawMessage, error) {
			return store.FlatMenu(menu), nil
		}},
		{profile.ListMultiselect, store.FileAttributeSets, func(_ int, set json.RawMessage) (json.RawMessage, error) {
			return store.WithListMultiselect(set), nil
		}},
		{profile.PreviewWeights, store.FileTemplatePreviews, func(_ int, preview json.RawMessage) (json.RawMessage, error) {
			return store.WithPreviewWeights(preview), nil
		}},
	} {
		if !r.on {
			continue
		}
		c, err := fx.Collection(r.file)
		if err != nil {
			return nil, err
		}
		if out[r.file], err = c.Map(r.edit); err != nil {
			return nil, err
		}
	}
	if profile.TypeNames2025 {
		types, err := fx.Collection(store.FileGeneralTypes)
		if err != nil {
			return nil, err
		}
		sets, ok := out[store.FileAttributeSets]
		if !ok {
			if sets, err = fx.Collection(store.FileAttributeSets); err != nil {
				return nil, err
			}
		}
		if out[store.FileAttributeSets], err = sets.Map(func(_ int, set json.RawMessage) (json.RawMessage, error) {
			return setGeneralType(set, types), nil
		}); err != nil {
			return nil, err
		}
		for file, path := range typedFields {
			c, ok := out[file]
			if !ok {
				if c, err = fx.Collection(file); err != nil {
					return nil, err
				}
			}
			if out[file], err = c.Map(func(_ int, item json.RawMessage) (json.RawMessage, error) { return renamedType(item, path...), nil }); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// typedFields are the site files whose objects name a general type, and the path of the field
// that does.
var typedFields = map[string][]string{
	store.FileGeneralTypes:  {"type"},
	store.FilePages:         {"type"},
	store.FileBlocks:        {"type"},
	store.FileTemplates:     {"generalTypeName"},
	store.FileAttributeSets: {"type", "type"},
}

// typeNames2025 are the names the 2025 API gave today's general types, as SDK 1.0.115's Types
// lists them. Types without a 2025 name (external_page, discount) and those whose name did not
// change (service, none) keep theirs.
var typeNames2025 = map[string]string{
	"product":                  "forProductPage",
	"product_preview":          "forProductPreview",
	"catalog_page":             "forCatalogPages",
	"error_page":               "forErrorPage",
	"common_page":              "forUsualPage",
	"common_block":             "forTextBlock",
	"product_block":            "forProductBlock",
	"similar_products_block":   "forSimilarProductBlock",
	"frequently_ordered_block": "forStatisticProductBlock",
	"form":                     "forForm",
	"order":                    "forOrder",
}

// setTypeGeneral2025 names, for today's attribute set types, the general type the 2025 API
// gave a set of that kind in its typeId and type, as the seed's sets answer: a product set
// product, a page set common_page, a block set common_block, a template's (system) none.
var setTypeGeneral2025 = map[string]string{
	"forProducts":  "product",
	"forPages":     "common_page",
	"forBlocks":    "common_block",
	"forForms":     "form",
	"forOrders":    "order",
	"forDiscounts": "discount",
	"system":       "none",
}

// setGeneralType returns an attribute set with the general type of its set type
// (setTypeGeneral2025) in its typeId and type, found by name among types; the set as it is
// when its set type has none there.
func setGeneralType(set json.RawMessage, types *store.Collection) json.RawMessage {
	var s struct {
		Type struct {
			Type string `json:"type"`
		} `json:"type"`
	}
	if json.Unmarshal(set, &s) != nil {
		return set
	}
	name, ok := setTypeGeneral2025[s.Type.Type]
	if !ok {
		return set
	}
	i, ok := types.Find("type", name)
	if !ok {
		return set
	}
	id := []byte(types.FieldText(i, "id"))
	ref := slices.Concat([]byte(`{"id":`), id, []byte(`,"type":`), strconv.AppendQuote(nil, name), []byte("}"))
	return store.WithRawField(store.WithRawField(set, "typeId", id), "type", ref)
}

// renamedType returns the object with the general type the field at path names by its 2025
// name, the other bytes untouched.
func renamedType(obj json.RawMessage, path ...string) json.RawMessage {
	f, ok := store.FindRawField(obj, path[0])
	if !ok {
		return obj
	}
	value := json.RawMessage(obj[f.ValueStart:f.End])
	if len(path) > 1 {
		value = renamedType(value, path[1:]...)
	} else {
		var name string
		if json.Unmarshal(value, &name) != nil || typeNames2025[name] == "" {
			return obj
		}
		value = strconv.AppendQuote(nil, typeNames2025[name])
	}
	return slices.Concat(obj[:f.ValueStart], value, obj[f.End:])
}

func newStatusResponses(s *store.OrderStorage) []statusResponse {
	out := make([]statusResponse, len(s.Statuses))
	for i, st := range s.Statuses {
		out[i] = statusResponse{
			ID: st.ID, LocalizeInfos: orEmptyObject(st.LocalizeInfos), Identifier: st.Identifier,
			Position: st.Position, IsUsed: st.IsUsed, IsDefault: st.IsDefault,
		}
	}
	return out
}
