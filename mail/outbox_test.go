package mail

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func subjects(ms []Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Subject
	}
	return out
}

func TestOutboxAddListGet(t *testing.T) {
	t.Parallel()
	o := NewOutbox(OutboxOptions{})
	a := o.Add(testMessage(t, "Ann <Ann@Example.test>", "one"))
	b := o.Add(testMessage(t, "bob@example.test", "two"))
	c := o.Add(testMessage(t, "ann@example.test", "three"))
	assert.Equal(t, []string{"1", "2", "3"}, []string{a.ID, b.ID, c.ID})
	assert.Equal(t, 3, o.Len())

	assert.Equal(t, []string{"three", "two", "one"}, subjects(o.List(Filter{})))
	assert.Equal(t, []string{"three", "two"}, subjects(o.List(Filter{Limit: 2})))
	assert.Equal(t, []string{"three", "one"}, subjects(o.List(Filter{To: "ANN@example.test"})))
	assert.Equal(t, []string{"three", "one"}, subjects(o.List(Filter{To: "Someone <ann@example.test>"})))
	assert.Equal(t, []string{"three"}, subjects(o.List(Filter{To: "ann@example.test", Limit: 1})))
	assert.Empty(t, o.List(Filter{To: "nobody@example.test"}))
	assert.NotNil(t, o.List(Filter{To: "nobody@example.test"}), "an empty list must encode as [] in JSON")

	got, ok := o.Get("2")
	require.True(t, ok)
	assert.Equal(t, b, got)
	latest, ok := o.Get(LatestID)
	require.True(t, ok)
	assert.Equal(t, "3", latest.ID)
	for _, id := range []string{"0", "4", "02", "x", ""} {
		_, ok := o.Get(id)
		assert.False(t, ok, id)
	}
}

func TestOutboxCapDropsOldest(t *testing.T) {
	t.Parallel()
	o := NewOutbox(OutboxOptions{Max: 3})
	for i := 1; i <= 5; i++ {
		o.Add(testMessage(t, "a@example.test", strconv.Itoa(i)))
	}
	assert.Equal(t, 3, o.Len())
	assert.Equal(t, []string{"5", "4", "3"}, subjects(o.List(Filter{})))
	_, ok := o.Get("2")
	assert.False(t, ok, "dropped message is gone")
	m, ok := o.Get("3")
	require.True(t, ok)
	assert.Equal(t, "3", m.Subject)
}

func TestOutboxDefaultCap(t *testing.T) {
	t.Parallel()
	o := NewOutbox(OutboxOptions{})
	m := testMessage(t, "a@example.test", "x")
	for range DefaultMaxMessages + 10 {
		o.Add(m)
	}
	assert.Equal(t, DefaultMaxMessages, o.Len())
	oldest := o.List(Filter{})[DefaultMaxMessages-1]
	assert.Equal(t, "11", oldest.ID)
}

func TestOutboxClearKeepsNumbering(t *testing.T) {
	t.Parallel()
	o := NewOutbox(OutboxOptions{})
	o.Add(testMessage(t, "a@example.test", "x"))
	o.Clear()
	assert.Zero(t, o.Len())
	assert.Empty(t, o.List(Filter{}))
	_, ok := o.Get(LatestID)
	assert.False(t, ok)
	assert.Equal(t, "2", o.Add(testMessage(t, "a@example.test", "y")).ID)
}

func TestOutboxCopiesAreIndependent(t *testing.T) {
	t.Parallel()
	o := NewOutbox(OutboxOptions{})
	in := testMessage(t, "a@example.test", "x")
	in.Headers = map[string]string{"X-A": "1"}
	rawCopy := append([]byte(nil), in.Raw...)
	out := o.Add(in)

	in.To[0], in.Raw[0], in.Headers["X-A"] = "evil@example.test", 'Z', "2"
	out.To[0], out.Raw[1], out.Headers["X-A"] = "evil@example.test", 'Z', "3"
	listed := o.List(Filter{})[0]
	listed.Raw[2] = 'Z'

	got, ok := o.Get(out.ID)
	require.True(t, ok)
	assert.Equal(t, []string{"a@example.test"}, got.To)
	assert.Equal(t, rawCopy, got.Raw)
	assert.Equal(t, "1", got.Headers["X-A"])
}

func TestOutboxOnAdd(t *testing.T) {
	t.Parallel()
	var seen []Message
	var o *Outbox
	o = NewOutbox(OutboxOptions{OnAdd: func(m Message) {
		// Called outside the lock: reading the outbox here must not deadlock.
		assert.Equal(t, len(seen)+1, o.Len())
		m.Raw[0] = 'Z'
		seen = append(seen, m)
	}})
	a := o.Add(testMessage(t, "a@example.test", "x"))
	require.Len(t, seen, 1)
	assert.Equal(t, a.ID, seen[0].ID)
	got, _ := o.Get(a.ID)
	assert.Equal(t, byte('D'), got.Raw[0], "hook got a copy")
}

func TestOutboxConcurrent(t *testing.T) {
	t.Parallel()
	const writers, each, max = 16, 50, 100
	o := NewOutbox(OutboxOptions{Max: max})
	m := testMessage(t, "a@example.test", "x")
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for i := range each {
				o.Add(m)
				if i%10 == 0 {
					o.List(Filter{To: "a@example.test", Limit: 5})
					o.Get(LatestID)
					o.Len()
				}
			}
		})
	}
	wg.Wait()

	all := o.List(Filter{})
	require.Len(t, all, max)
	for i, got := range all {
		assert.Equal(t, strconv.Itoa(writers*each-i), got.ID, fmt.Sprintf("position %d", i))
	}
}

func TestOutboxByteCapDropsOldest(t *testing.T) {
	t.Parallel()
	o := NewOutbox(OutboxOptions{MaxBytes: 10 << 10})
	m := Message{To: []string{"a@example.com"}, Text: strings.Repeat("t", 3<<10)}
	for range 5 {
		o.Add(m)
	}
	ids := []string{}
	for _, got := range o.List(Filter{}) {
		ids = append(ids, got.ID)
	}
	assert.Equal(t, []string{"5", "4", "3"}, ids, "three 3 KB messages fit in 10 KB, four do not")

	m.Text = strings.Repeat("t", 20<<10)
	o.Add(m)
	assert.Equal(t, 1, o.Len(), "the newest message stays even alone over the cap")
	o.Clear()
	o.Add(Message{Text: "small"})
	o.Add(Message{Text: "small"})
	assert.Equal(t, 2, o.Len(), "Clear forgets the size of what it removed")
}
