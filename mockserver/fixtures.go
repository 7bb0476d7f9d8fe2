package mockserver

import (
	"encoding/json"
	"strconv"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// encodedFixtures holds the immutable parts of a project already encoded, so reads of forms,
// products, providers, storages and accounts cost a map lookup and a write.
type encodedFixtures struct {
	forms        map[string][]byte
	formList     [][]byte
	products     map[int][]byte
	providers    map[string][]byte
	providerList [][]byte
	storages     map[string][]byte
	storageList  [][]byte
	statuses     map[string][]json.RawMessage
	accounts     map[int][]byte
	accountList  [][]byte
}

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

func encodeFixtures(st *store.Store) (*encodedFixtures, error) {
	fx := st.Fixtures()
	e := &encodedFixtures{
		forms:     map[string][]byte{},
		products:  map[int][]byte{},
		providers: map[string][]byte{},
		storages:  map[string][]byte{},
		statuses:  map[string][]json.RawMessage{},
		accounts:  map[int][]byte{},
	}
	for _, f := range fx.Forms {
		e.forms[f.Identifier] = f.Raw
		e.formList = append(e.formList, f.Raw)
	}
	for _, p := range fx.Products {
		e.products[p.ID] = p.Raw
	}
	for _, p := range fx.AuthProviders {
		cfg := map[string]any{}
		if len(p.Config) > 0 {
			if err := json.Unmarshal(p.Config, &cfg); err != nil {
				return nil, err
			}
		}
		// The served lifetimes are the ones the mock enforces, so a front end that reads them
		// sees the truth. Both are in seconds (the live "Mc" suffix notwithstanding, see README).
		cfg["accessTokenTtlSec"] = strconv.FormatInt(int64(st.AccessTokenTTL().Seconds()), 10)
		cfg["refreshTokenTtlMc"] = strconv.FormatInt(int64(st.RefreshTokenTTL().Seconds()), 10)
		data, err := json.Marshal(providerResponse{
			ID: p.ID, LocalizeInfos: orEmptyObject(p.LocalizeInfos), Config: cfg, Version: p.Version,
			Identifier: p.Identifier, Type: p.Type, FormIdentifier: p.FormIdentifier,
			UserGroupIdentifier: p.UserGroupIdentifier, IsActive: p.IsActive, IsCheckCode: p.IsCheckCode,
		})
		if err != nil {
			return nil, err
		}
		e.providers[p.Identifier] = data
		e.providerList = append(e.providerList, data)
	}
	for _, s := range fx.OrderStorages {
		ids := s.PaymentAccountIdentifiers
		if ids == nil {
			ids = []store.AccountIdentifier{}
		}
		data, err := json.Marshal(storageResponse{
			ID: s.ID, LocalizeInfos: orEmptyObject(s.LocalizeInfos), Position: s.Position, Identifier: s.Identifier,
			FormIdentifier: s.FormIdentifier, GeneralTypeID: s.GeneralTypeID, PaymentAccountIdentifiers: ids,
		})
		if err != nil {
			return nil, err
		}
		e.storages[s.Identifier] = data
		e.storageList = append(e.storageList, data)
		statuses := make([]json.RawMessage, 0, len(s.Statuses))
		for _, st := range s.Statuses {
			data, err := json.Marshal(statusResponse{
				ID: st.ID, LocalizeInfos: orEmptyObject(st.LocalizeInfos), Identifier: st.Identifier,
				Position: st.Position, IsUsed: st.IsUsed, IsDefault: st.IsDefault,
			})
			if err != nil {
				return nil, err
			}
			statuses = append(statuses, data)
		}
		e.statuses[s.Identifier] = statuses
	}
	for _, a := range fx.PaymentAccounts {
		data, err := json.Marshal(accountResponse{
			ID: a.ID, LocalizeInfos: orEmptyObject(a.LocalizeInfos), Identifier: a.Identifier, Type: a.Type,
			IsVisible: a.IsVisible, IsUsed: a.IsUsed, TestMode: a.TestMode, Settings: orEmptyObject(a.Settings),
			UpdatedDate: a.UpdatedDate,
		})
		if err != nil {
			return nil, err
		}
		e.accounts[a.ID] = data
		e.accountList = append(e.accountList, data)
	}
	return e, nil
}

// jsonArray joins encoded items into a JSON array, windowed by p.
func jsonArray(items [][]byte, p store.Page) []byte {
	start := min(p.Offset, len(items))
	end := len(items)
	if p.Limit > 0 {
		end = min(start+p.Limit, end)
	}
	n := 2
	for _, it := range items[start:end] {
		n += len(it) + 1
	}
	out := make([]byte, 0, n)
	out = append(out, '[')
	for i, it := range items[start:end] {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, it...)
	}
	return append(out, ']')
}
