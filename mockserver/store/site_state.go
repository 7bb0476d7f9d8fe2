package store

import (
	"cmp"
	"slices"
)

// The site's state (collection rows, uploads, subscriptions) in documents and saved changes.

// siteDocument adds the site's state of st to doc.
func siteDocument(st *state, doc *StateDocument) {
	doc.CollectionRows = make([]CollectionRowRecord, 0, len(st.rows))
	for _, r := range st.rows {
		doc.CollectionRows = append(doc.CollectionRows, rowRecord(r))
	}
	doc.Files = make([]StoredFile, 0, len(st.files))
	for _, f := range st.files {
		doc.Files = append(doc.Files, f.clone())
	}
	doc.Subscriptions = make([]Subscription, 0, len(st.subs))
	for _, sub := range st.subs {
		doc.Subscriptions = append(doc.Subscriptions, *sub)
	}
}

func (doc *StateDocument) sortSite() {
	slices.SortFunc(doc.CollectionRows, func(a, b CollectionRowRecord) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(doc.Files, func(a, b StoredFile) int { return cmp.Compare(a.Path, b.Path) })
	slices.SortFunc(doc.Subscriptions, func(a, b Subscription) int { return cmp.Compare(a.key(), b.key()) })
}

// decodeSiteRecord adds a saved record of the site's state to doc; known is false for a kind
// that is not the site's.
func decodeSiteRecord(r Record, doc *StateDocument) (key string, known bool, err error) {
	decode, known := map[Kind]func() (string, error){
		KindCollectionRow: func() (string, error) { return decodeAppend(r.Value, &doc.CollectionRows) },
		KindFile:          func() (string, error) { return decodeAppend(r.Value, &doc.Files) },
		KindSubscription:  func() (string, error) { return decodeAppend(r.Value, &doc.Subscriptions) },
	}[r.Kind]
	if !known {
		return "", false, nil
	}
	key, err = decode()
	return key, true, err
}

// buildSite checks the site's state of doc into st; users must be built first.
func (s *Store) buildSite(st *state, doc *StateDocument) error {
	if err := buildRows(s.fx, st, doc); err != nil {
		return err
	}
	if err := buildFiles(st, doc.Files, s.uploadQuota()); err != nil {
		return err
	}
	return buildSubscriptions(s.fx, st, doc.Subscriptions)
}

// addSiteChanges adds the records of the site's state that j touched, as they are now.
func addSiteChanges(rs *recordSet, j *journal, st *state) {
	addChanges(rs, KindCollectionRow, j.rows, st.rows, rowRecord)
	addKeyedChanges(rs, KindFile, j.files, st.files)
	addKeyedChanges(rs, KindSubscription, j.subs, st.subs)
}

// addKeyedChanges is addChanges for entities keyed by a string, stored as themselves.
func addKeyedChanges[V interface{ key() string }](rs *recordSet, kind Kind, touched map[string]*V, live map[string]*V) {
	for k, before := range touched {
		if v, ok := live[k]; ok {
			rs.put(kind, k, *v)
		} else if before != nil {
			rs.del(kind, k)
		}
	}
}

// rollbackSite puts back the before images of the site's state j touched.
func rollbackSite(st *state, j *journal) {
	restore(st.rows, j.rows)
	restore(st.files, j.files)
	restore(st.subs, j.subs)
	st.fileBytes = 0
	for _, f := range st.files {
		st.fileBytes += int64(len(f.Data))
	}
}

// swap moves the budget from a state's uploads to its replacement's: a reset or an import may
// exceed it, as the state it brings is already held in memory.
func (b *ByteBudget) swap(old, next int64) {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.used = max(b.used-old+next, 0)
	b.mu.Unlock()
}
