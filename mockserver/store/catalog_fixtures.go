package store

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"time"

	"github.com/oneentry-mock/oneentry-mock/datetime"
)

// IntegrationCollection is an integration collection: a table of rows a site keeps through the
// content API (the `faq` of the default project). Rows are its first rows; the API serves
// them through the rows routes, never with the collection.
type IntegrationCollection struct {
	CollectionInfo
	Rows []FixtureRow `json:"rows" fixture:"mock"`
}

// CollectionInfo is a collection as the API serves it.
type CollectionInfo struct {
	ID            int             `json:"id"`
	Identifier    string          `json:"identifier"`
	LocalizeInfos json.RawMessage `json:"localizeInfos"`
	collectionRefs
}

// collectionRefs are what a collection's rows are made with: a form and an attribute set
// (either may be absent) and the markers of the attributes the rows show.
type collectionRefs struct {
	FormID                   *int    `json:"formId"`
	AttributeSetID           *int    `json:"attributeSetId"`
	SelectedAttributeMarkers *string `json:"selectedAttributeMarkers"`
}

// FixtureRow is a row a collection starts with. FormData is keyed by language:
// {"en_US": [{"marker", "type", "value"}], ...}.
type FixtureRow struct {
	ID          int             `json:"id"`
	CreatedDate string          `json:"createdDate"`
	FormData    json.RawMessage `json:"formData"`
	EntityType  *string         `json:"entityType"`
	EntityID    *int            `json:"entityId"`

	created time.Time
}

// IntegrationCollection returns the collection with the given identifier.
func (f *Fixtures) IntegrationCollection(marker string) (*IntegrationCollection, bool) {
	return pick(f.IntegrationCollections)(f.index(FileIntegrationCollections).marker(marker))
}

// IntegrationCollectionByID returns the collection with the given id.
func (f *Fixtures) IntegrationCollectionByID(id int) (*IntegrationCollection, bool) {
	return pick(f.IntegrationCollections)(f.index(FileIntegrationCollections).id(id))
}

// Catalog returns the product catalogue as served: with the site's details (site) or as the
// seed recorded it.
func (f *Fixtures) Catalog(site bool) *Catalog {
	if site {
		return f.siteCatalog
	}
	return f.seedCatalog
}

// loadCatalog loads the files of the catalogue around the seed. Each is optional, so that a fixture
// set written before them still loads: without it there are no statuses, no collections, and
// the products are the seed's under every profile.
func (f *Fixtures) loadCatalog(fsys fs.FS) error {
	statuses, withStatuses, err := optional(fsys, FileProductStatuses, func() (*Collection, error) {
		return loadCollection(fsys, FileProductStatuses, f.Project.DefaultLanguage)
	})
	if err != nil {
		return err
	}
	f.collections[FileProductStatuses] = statuses
	if err := f.checkProductRefs(withStatuses); err != nil {
		return err
	}
	colls, _, err := optional(fsys, FileIntegrationCollections, func() (*Collection, error) {
		raws, err := listOf(&f.IntegrationCollections)(fsys, FileIntegrationCollections)
		if err != nil {
			return nil, err
		}
		idx := newIndex(len(raws))
		if err := f.checkCollections(idx); err != nil {
			return nil, err
		}
		items := make([]json.RawMessage, len(raws))
		for i, c := range f.IntegrationCollections {
			info := c.CollectionInfo
			info.LocalizeInfos = orEmpty(info.LocalizeInfos)
			items[i], _ = json.Marshal(info)
		}
		return newCollection(items, idx, f.Project.DefaultLanguage), nil
	})
	if err != nil {
		return err
	}
	f.collections[FileIntegrationCollections] = colls
	if err := f.placeProducts(); err != nil {
		return err
	}
	if f.seedCatalog, err = f.buildCatalog(false); err != nil {
		return err
	}
	f.siteCatalog, err = f.buildCatalog(true)
	return err
}

// optional loads a file with load, or, when the file is not there, answers an empty collection.
func optional(fsys fs.FS, name string, load func() (*Collection, error)) (coll *Collection, present bool, err error) {
	if ok, err := hasFixture(fsys, name); err != nil || !ok {
		return newCollection(nil, newIndex(0), ""), false, err
	}
	coll, err = load()
	return coll, true, err
}

// checkCollections validates the collections and their rows and indexes them.
func (f *Fixtures) checkCollections(idx *index) error {
	seen := map[int]bool{} // row ids are unique across collections: they share one sequence
	for i := range f.IntegrationCollections {
		c := &f.IntegrationCollections[i]
		at := fmt.Sprintf("[%d]", i)
		if err := checkKeys(idx, FileIntegrationCollections, at, "collection", key{id: c.ID, useID: true, marker: c.Identifier, useMarker: true}); err != nil {
			return err
		}
		for j, r := range c.Rows {
			rat := fmt.Sprintf("%s.rows[%d]", at, j)
			if r.ID < 1 || seen[r.ID] {
				return fixtureErr(FileIntegrationCollections, rat+".id", "must be a positive integer not used by another row")
			}
			seen[r.ID] = true
			t, err := datetime.Parse(r.CreatedDate)
			if err != nil {
				return fixtureErr(FileIntegrationCollections, rat+".createdDate", "%v", err)
			}
			c.Rows[j].created = t
			if _, err := parseRowData(r.FormData); err != nil {
				return fixtureErr(FileIntegrationCollections, rat+".formData", "%v", err)
			}
		}
		idx.add(i, c.ID, c.Identifier)
	}
	return nil
}
