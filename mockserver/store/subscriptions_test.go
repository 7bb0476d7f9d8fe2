package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// A user's subscriptions are bounded; subscribing again to one held is no new one.
func TestSubscriptionsPerUserAreBounded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newStore(t, store.Options{})
	for i := range store.MaxSubscriptionsPerUser {
		require.NoError(t, st.Subscribe(ctx, 16, fmt.Sprintf("event_%d", i), 10, "en_US"))
	}
	before := st.Export(ctx)
	err := st.Subscribe(ctx, 16, "one_more", 10, "en_US")
	assert.Equal(t, store.CodeInvalid, codeOf(err))
	assert.Contains(t, err.Error(), "at most 1000 subscriptions")
	assert.Equal(t, before, st.Export(ctx), "the refused one changed nothing")
	require.NoError(t, st.Subscribe(ctx, 16, "event_0", 10, "ru_RU"), "a held one changes its locale")
	assert.NoError(t, st.Subscribe(ctx, 17, "one_more", 10, "en_US"), "another user has room")
}

// A state document's subscriptions are held to what Subscribe takes.
func TestStateImportChecksSubscriptions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newStore(t, store.Options{})
	require.NoError(t, st.Subscribe(ctx, 16, "price_change", 10, "en_US"))
	for name, c := range map[string]struct {
		edit  func(*store.Subscription)
		field string
	}{
		"locale no language code": {func(s *store.Subscription) { s.Locale = strings.Repeat("x", 1000) }, "subscriptions[0].locale"},
		"marker too long":         {func(s *store.Subscription) { s.EventMarker = strings.Repeat("m", 129) }, "subscriptions[0].eventMarker"},
		"marker empty":            {func(s *store.Subscription) { s.EventMarker = "" }, "subscriptions[0].eventMarker"},
	} {
		doc := st.Export(ctx)
		c.edit(&doc.Subscriptions[0])
		err := st.Import(ctx, doc)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), c.field, name)
	}
	assert.Equal(t, "en_US", st.Export(ctx).Subscriptions[0].Locale, "nothing changed")
}
