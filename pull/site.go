package pull

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"sort"

	"github.com/oneentry-mock/oneentry-mock/capsule"
	"github.com/oneentry-mock/oneentry-mock/exchange"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// pullSite adds the product statuses and the integration collections, with their rows, to a
// set. Statuses and collections are read without a langCode, which answers every language
// keyed, the fixtures' own form; rows are read in each language and kept per language.
func (w *walker) pullSite(ctx context.Context, set *capsule.FixtureSet) error {
	statuses, err := w.optionalList(ctx, "product statuses", "/api/content/product-statuses")
	if err != nil {
		return err
	}
	colls, err := w.optionalList(ctx, "integration collections", "/api/content/integration-collections")
	if err != nil {
		return err
	}
	out := make([]*capsule.Object, 0, len(colls))
	for _, raw := range colls {
		var c capsule.Object
		if err := json.Unmarshal(raw, &c); err != nil {
			return err
		}
		identifier, _ := c.Get("identifier")
		marker, _ := identifier.(string)
		rows, err := w.rows(ctx, marker)
		if err != nil {
			return err
		}
		c.Set("rows", rows)
		out = append(out, &c)
	}
	for name, v := range map[string]any{store.FileProductStatuses: statuses, store.FileIntegrationCollections: out} {
		data, err := capsule.MarshalFile(v)
		if err != nil {
			return err
		}
		set.Files[name] = data
	}
	return nil
}

// optionalList reads a list without a langCode; a project that answers 404 (one without the
// module) has none.
func (w *walker) optionalList(ctx context.Context, step, path string) ([]json.RawMessage, error) {
	items, err := w.list(ctx, step, path, url.Values{}, func(exchange.Exchange) {})
	if errors.Is(err, ErrNotFound) {
		return []json.RawMessage{}, nil
	}
	return items, err
}

// pulledRow is a row as the fixtures keep it: its values per language.
type pulledRow struct {
	ID          int                         `json:"id"`
	CreatedDate string                      `json:"createdDate"`
	FormData    map[string]*json.RawMessage `json:"formData"`
	EntityType  *string                     `json:"entityType"`
	EntityID    *int                        `json:"entityId"`
}

// rows reads a collection's rows in every language of the pull.
func (w *walker) rows(ctx context.Context, marker string) ([]*pulledRow, error) {
	byID := map[int]*pulledRow{}
	if marker == "" {
		return []*pulledRow{}, nil
	}
	for _, lang := range w.langs {
		items, err := w.list(ctx, "rows of "+marker, "/api/content/integration-collections/marker/"+url.PathEscape(marker)+"/rows",
			url.Values{"langCode": {lang}}, func(exchange.Exchange) {})
		if err != nil {
			return nil, err
		}
		for _, raw := range items {
			var r struct {
				pulledRow
				FormData json.RawMessage `json:"formData"`
			}
			if err := json.Unmarshal(raw, &r); err != nil {
				return nil, err
			}
			row, ok := byID[r.ID]
			if !ok {
				row = &r.pulledRow
				row.FormData = map[string]*json.RawMessage{}
				byID[r.ID] = row
			}
			row.FormData[lang] = &r.FormData
		}
	}
	out := make([]*pulledRow, 0, len(byID))
	for _, r := range byID {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}
