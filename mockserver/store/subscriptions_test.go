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

// A state document's subscriptions load as earlier versions wrote them (markers past 128
// bytes, locales of any shape); only what no subscription could be is refused.
func TestStateImportChecksSubscriptions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newStore(t, store.Options{})
	require.NoError(t, st.Subscribe(ctx, 16, "price_change", 10, "en_US"))
	doc := st.Export(ctx)
	doc.Subscriptions[0].EventMarker = strings.Repeat("m", 200)
	doc.Subscriptions[0].Locale = "en-US"
	require.NoError(t, st.Import(ctx, doc))
	assert.Equal(t, doc, st.Export(ctx))

	for name, c := range map[string]struct {
		edit  func(*store.Subscription)
		field string
	}{
		"marker empty": {func(s *store.Subscription) { s.EventMarker = "" }, "subscriptions[0].eventMarker"},
		"user unknown": {func(s *store.Subscription) { s.UserID = 999 }, "subscriptions[0].userId"},
		"product gone": {func(s *store.Subscription) { s.ProductID = 999 }, "subscriptions[0].productId"},
	} {
		bad := st.Export(ctx)
		c.edit(&bad.Subscriptions[0])
		err := st.Import(ctx, bad)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), c.field, name)
	}
	assert.Equal(t, doc, st.Export(ctx), "nothing changed")
}
