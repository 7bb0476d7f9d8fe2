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

// buildSite checks the site's state of doc into st; users must be built first.
func (s *Store) buildSite(st *state, doc *StateDocument) error {
	if err := buildRows(s.fx, st, doc); err != nil {
		return err
	}
	if err := buildFiles(st, doc.Files, s.uploadQuota()); err != nil {
		return err
	}
	return buildSubscriptions(st, doc.Subscriptions)
}

// addSiteChanges adds the records of the site's state that j touched, as they are now.
func addSiteChanges(rs *recordSet, j *journal, st *state) {
	addChanges(rs, KindCollectionRow, j.rows, st.rows, recordKey, rowRecord)
	addChanges(rs, KindFile, j.files, st.files, sameKey, deref[StoredFile])
	addChanges(rs, KindSubscription, j.subs, st.subs, sameKey, deref[Subscription])
}

// sameKey is the record key of an entity keyed by a string.
func sameKey(k string) string { return k }

func deref[V any](v *V) V { return *v }

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
