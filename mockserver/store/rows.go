package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// RowField is one value of a collection row, as the SDK's ICollectionFormData has it.
type RowField struct {
	Marker string `json:"marker"`
	Type   string `json:"type"`
	Value  string `json:"value"`
}

// CollectionRow is a row of an integration collection. Its values are kept per language: a
// row written with ?langCode=ru_RU changes its ru_RU values only.
type CollectionRow struct {
	ID           int
	CollectionID int
	FormData     map[string][]RowField
	EntityType   *string
	EntityID     *int
	CreatedDate  time.Time
	UpdatedDate  time.Time
}

func (r *CollectionRow) clone() CollectionRow {
	c := *r
	c.FormData = make(map[string][]RowField, len(r.FormData))
	for l, fs := range r.FormData {
		c.FormData[l] = slices.Clone(fs)
	}
	c.EntityType, c.EntityID = clonePtr(r.EntityType), clonePtr(r.EntityID)
	return c
}

// Fields returns the row's values in lang ("" for defaultLang); none when the row was not
// written in lang, as no localised value falls back to another language.
func (r *CollectionRow) Fields(lang, defaultLang string) []RowField {
	if lang == "" {
		lang = defaultLang
	}
	if fs, ok := r.FormData[lang]; ok {
		return fs
	}
	return []RowField{}
}

// RowInput is the body of a row write: the SDK's ICollectionFormObject.
type RowInput struct {
	FormIdentifier string
	// Fields are the values in the request's language; ByLang, when the body keyed them by
	// language, the values of each.
	Fields []RowField
	ByLang map[string][]RowField
}

// ParseRowInput reads the body of a row write: {"formIdentifier": "...", "formData": [...]}
// or with formData keyed by language. Values are strings, as the SDK's schema has them. A
// malformed body is a CodeInvalid error in class-validator's words.
func ParseRowInput(body []byte) (RowInput, error) {
	var w struct {
		FormIdentifier *string         `json:"formIdentifier"`
		FormData       json.RawMessage `json:"formData"`
	}
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' || json.Unmarshal(body, &w) != nil {
		return RowInput{}, Invalid("formData must be an array", "formIdentifier must be a string")
	}
	var msgs []string
	in := RowInput{}
	if w.FormIdentifier == nil || *w.FormIdentifier == "" {
		msgs = append(msgs, "formIdentifier must be a string", "formIdentifier should not be empty")
	} else {
		in.FormIdentifier = *w.FormIdentifier
	}
	data := bytes.TrimSpace(w.FormData)
	switch {
	case len(data) > 0 && data[0] == '[':
		fs, err := parseRowFields(data)
		if err != nil {
			msgs = append(msgs, "formData"+err.Error())
		}
		in.Fields = fs
	case len(data) > 0 && data[0] == '{':
		byLang, err := parseRowData(data)
		if err != nil {
			msgs = append(msgs, "formData"+err.Error())
		}
		in.ByLang = byLang
	default:
		msgs = append(msgs, "formData must be an array")
	}
	if len(msgs) > 0 {
		return RowInput{}, Invalid(msgs...)
	}
	return in, nil
}

// parseRowFields reads a list of {marker, type, value} with string values; the error names
// the element from the list's position on (".0.value must be a string").
func parseRowFields(data []byte) ([]RowField, error) {
	var elems []map[string]json.RawMessage
	if err := json.Unmarshal(data, &elems); err != nil {
		return nil, fmt.Errorf(" must be an array of objects")
	}
	out := make([]RowField, len(elems))
	for i, e := range elems {
		for _, k := range []string{"marker", "type", "value"} {
			var s string
			if json.Unmarshal(e[k], &s) != nil {
				return nil, fmt.Errorf(".%d.%s must be a string", i, k)
			}
			switch k {
			case "marker":
				if s == "" {
					return nil, fmt.Errorf(".%d.marker should not be empty", i)
				}
				out[i].Marker = s
			case "type":
				out[i].Type = s
			default:
				out[i].Value = s
			}
		}
	}
	return out, nil
}

// parseRowData reads row values keyed by language.
func parseRowData(data []byte) (map[string][]RowField, error) {
	var keyed map[string]json.RawMessage
	if err := json.Unmarshal(data, &keyed); err != nil {
		return nil, fmt.Errorf(" must be an object keyed by language")
	}
	out := make(map[string][]RowField, len(keyed))
	for l, v := range keyed {
		if !isLanguageCode(l) {
			return nil, fmt.Errorf(".%s is not a language code such as en_US", l)
		}
		fs, err := parseRowFields(v)
		if err != nil {
			return nil, fmt.Errorf(".%s%v", l, err)
		}
		out[l] = fs
	}
	return out, nil
}

// RowQuery selects a window of a collection's rows, optionally only those bound to an entity.
type RowQuery struct {
	EntityType string
	EntityID   int
	Page       Page
}

func (s *Store) collection(marker string, id int) (*IntegrationCollection, error) {
	if marker != "" {
		if c, ok := s.fx.IntegrationCollection(marker); ok {
			return c, nil
		}
		return nil, Errorf(CodeNotFound, "Collection with marker %q not found", marker)
	}
	if c, ok := s.fx.IntegrationCollectionByID(id); ok {
		return c, nil
	}
	return nil, Errorf(CodeNotFound, "Collection with id %d not found", id)
}

// CollectionRows returns a window of the rows of the collection named by marker (or, when
// marker is empty, by id), oldest first, and how many rows q selects in all.
func (s *Store) CollectionRows(ctx context.Context, marker string, id int, q RowQuery) ([]CollectionRow, int, error) {
	c, err := s.collection(marker, id)
	if err != nil {
		return nil, 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var ids []int
	for rid, r := range s.state.rows {
		if r.CollectionID != c.ID {
			continue
		}
		if q.EntityType != "" && (r.EntityType == nil || *r.EntityType != q.EntityType) {
			continue
		}
		if q.EntityID > 0 && (r.EntityID == nil || *r.EntityID != q.EntityID) {
			continue
		}
		ids = append(ids, rid)
	}
	slices.Sort(ids)
	start, end := q.Page.window(len(ids))
	out := make([]CollectionRow, 0, end-start)
	for _, rid := range ids[start:end] {
		out = append(out, s.state.rows[rid].clone())
	}
	return out, len(ids), nil
}

// CollectionRowByID returns one row of the collection named by marker.
func (s *Store) CollectionRowByID(ctx context.Context, marker string, id int) (CollectionRow, error) {
	c, err := s.collection(marker, 0)
	if err != nil {
		return CollectionRow{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, err := s.rowLocked(c, id)
	if err != nil {
		return CollectionRow{}, err
	}
	return r.clone(), nil
}

func (s *Store) rowLocked(c *IntegrationCollection, id int) (*CollectionRow, error) {
	r, ok := s.state.rows[id]
	if !ok || r.CollectionID != c.ID {
		return nil, Errorf(CodeNotFound, "Collection row with id %d not found", id)
	}
	return r, nil
}

// rowWriteTarget checks a row write's language and returns the collection marker names.
func (s *Store) rowWriteTarget(marker, lang string, in RowInput) (*IntegrationCollection, error) {
	if err := in.checkLanguage(s.fx, lang); err != nil {
		return nil, err
	}
	return s.collection(marker, 0)
}

// CreateCollectionRow adds a row to the collection named by marker, its values in lang.
func (s *Store) CreateCollectionRow(ctx context.Context, marker, lang string, in RowInput) (CollectionRow, error) {
	c, err := s.rowWriteTarget(marker, lang, in)
	if err != nil {
		return CollectionRow{}, err
	}
	return updated(ctx, s, func() (CollectionRow, error) {
		if err := checkIDLeft(s.state.nextRowID, "collection row"); err != nil {
			return CollectionRow{}, err
		}
		now := s.clock.Now()
		r := &CollectionRow{ID: s.state.nextRowID, CollectionID: c.ID, FormData: map[string][]RowField{}, CreatedDate: now, UpdatedDate: now}
		r.apply(in, lang)
		s.touchRow(r.ID)
		s.state.rows[r.ID] = r
		s.state.nextRowID++
		return r.clone(), nil
	})
}

// UpdateCollectionRow replaces a row's values in lang (or, for a body keyed by language, in
// each language it names).
func (s *Store) UpdateCollectionRow(ctx context.Context, marker string, id int, lang string, in RowInput) (CollectionRow, error) {
	c, err := s.rowWriteTarget(marker, lang, in)
	if err != nil {
		return CollectionRow{}, err
	}
	return updated(ctx, s, func() (CollectionRow, error) {
		r, err := s.rowLocked(c, id)
		if err != nil {
			return CollectionRow{}, err
		}
		s.touchRow(id)
		r.apply(in, lang)
		r.UpdatedDate = s.clock.Now()
		return r.clone(), nil
	})
}

// DeleteCollectionRow removes a row of the collection named by marker.
func (s *Store) DeleteCollectionRow(ctx context.Context, marker string, id int) error {
	c, err := s.collection(marker, 0)
	if err != nil {
		return err
	}
	return s.remove(ctx, func() ([]Event, error) {
		if _, err := s.rowLocked(c, id); err != nil {
			return nil, err
		}
		s.touchRow(id)
		delete(s.state.rows, id)
		return nil, nil
	})
}

// checkLanguage refuses a write of values in lang that is no language code, or in a language
// the project has not activated: the live API neither writes nor returns an inactive locale's
// values, and a state holding another key could not be loaded again.
func (in RowInput) checkLanguage(fx *Fixtures, lang string) error {
	if in.ByLang == nil {
		return fx.CheckLocale("langCode", lang)
	}
	active := fx.Languages()
	var inactive []string
	for l := range in.ByLang {
		if !slices.Contains(active, l) {
			inactive = append(inactive, fmt.Sprintf("formData: %s is not an active locale of the project", l))
		}
	}
	if len(inactive) > 0 {
		slices.Sort(inactive)
		return Invalid(inactive...)
	}
	return nil
}

func (r *CollectionRow) apply(in RowInput, lang string) {
	if in.ByLang != nil {
		for l, fs := range in.ByLang {
			r.FormData[l] = slices.Clone(fs)
		}
		return
	}
	r.FormData[lang] = slices.Clone(in.Fields)
}

func (s *Store) touchRow(id int) {
	if s.tx != nil {
		remember(&s.tx.rows, s.state.rows, id, (*CollectionRow).clone)
	}
}

// seedRows returns the rows the fixtures' collections start with, and the next row id.
func seedRows(fx *Fixtures) (map[int]*CollectionRow, int) {
	rows := map[int]*CollectionRow{}
	next := 1
	for _, c := range fx.IntegrationCollections {
		for _, fr := range c.Rows {
			data, _ := parseRowData(fr.FormData) // checked at load
			rows[fr.ID] = &CollectionRow{ID: fr.ID, CollectionID: c.ID, FormData: data, EntityType: clonePtr(fr.EntityType), EntityID: clonePtr(fr.EntityID),
				CreatedDate: fr.created, UpdatedDate: fr.created}
			next = max(next, fr.ID+1)
		}
	}
	return rows, next
}

// CollectionRowRecord is a collection row in a state document.
type CollectionRowRecord struct {
	ID           int                   `json:"id"`
	CollectionID int                   `json:"collectionId"`
	FormData     map[string][]RowField `json:"formData"`
	EntityType   *string               `json:"entityType"`
	EntityID     *int                  `json:"entityId"`
	CreatedDate  time.Time             `json:"createdDate"`
	UpdatedDate  time.Time             `json:"updatedDate"`
}

func (r CollectionRowRecord) key() string { return recordKey(r.ID) }

func rowRecord(r *CollectionRow) CollectionRowRecord { return CollectionRowRecord(r.clone()) }

// buildRows checks the rows of a document. A document written before rows were kept (its
// nextCollectionRowId is 0) gets the fixtures' rows.
func buildRows(fx *Fixtures, st *state, doc *StateDocument) error {
	if doc.Counters.NextCollectionRowID == 0 && len(doc.CollectionRows) == 0 {
		st.rows, doc.Counters.NextCollectionRowID = seedRows(fx)
		return nil
	}
	st.rows = make(map[int]*CollectionRow, len(doc.CollectionRows))
	for i, r := range doc.CollectionRows {
		at := fmt.Sprintf("collectionRows[%d]", i)
		if err := checkID(at, r.ID, st.rows, "collection row"); err != nil {
			return err
		}
		if _, ok := fx.IntegrationCollectionByID(r.CollectionID); !ok {
			return invalidf(at+".collectionId", "no integration collection %d in the fixtures", r.CollectionID)
		}
		row := CollectionRow(r)
		if row.FormData == nil {
			row.FormData = map[string][]RowField{}
		}
		for l := range row.FormData {
			// Looser than a write's langCode, so that the rows of earlier versions, which took
			// "en", load.
			if l == "" || len(l) > MaxLocaleBytes || !printable(l) {
				return invalidf(at+".formData", "%q is not a language tag", l)
			}
		}
		c := row.clone()
		st.rows[r.ID] = &c
	}
	return nil
}
