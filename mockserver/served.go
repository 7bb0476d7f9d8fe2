package mockserver

import (
	"encoding/json"
	"strconv"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
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

type accountResponse struct {
	ID            int             `json:"id"`
	LocalizeInfos json.RawMessage `json:"localizeInfos"`
	Identifier    string          `json:"identifier"`
	Type          string          `json:"type"`
	IsVisible     bool            `json:"isVisible"`
	IsUsed        bool            `json:"isUsed"`
	TestMode      bool            `json:"testMode"`
	Settings      json.RawMessage `json:"settings"`
	UpdatedDate   string          `json:"updatedDate"`
}

func orEmptyObject(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage(`{}`)
	}
	return raw
}

func newServedFixtures(fx *store.Fixtures, st *store.Store) (map[string]*store.Collection, error) {
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
		store.FilePaymentAccounts: func(i int) any {
			a := fx.PaymentAccounts[i]
			return accountResponse{
				ID: a.ID, LocalizeInfos: orEmptyObject(a.LocalizeInfos), Identifier: a.Identifier, Type: a.Type,
				IsVisible: a.IsVisible, IsUsed: a.IsUsed, TestMode: a.TestMode, Settings: orEmptyObject(a.Settings),
				UpdatedDate: a.UpdatedDate,
			}
		},
	}
	out := make(map[string]*store.Collection, len(shapes))
	for file, shape := range shapes {
		c, err := fx.Collection(file)
		if err != nil {
			return nil, err
		}
		if out[file], err = c.Map(func(i int, _ json.RawMessage) (json.RawMessage, error) { return json.Marshal(shape(i)) }); err != nil {
			return nil, err
		}
	}
	return out, nil
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
