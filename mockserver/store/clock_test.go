package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/datetime"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// A running clock set near the end of the range keeps running until it reaches the last instant,
// and stays there instead of showing a year it could not write back.
func TestRunningClockStopsAtTheLastInstant(t *testing.T) {
	t.Parallel()
	host := time.Date(2026, 12, 3, 5, 0, 0, 0, time.UTC)
	clock := store.NewClock(func() time.Time { return host })
	require.NoError(t, clock.Set(datetime.Max.Add(-time.Minute)))
	assert.Equal(t, datetime.Max.Add(-time.Minute), clock.Now())

	host = host.Add(30 * time.Second)
	assert.Equal(t, datetime.Max.Add(-30*time.Second), clock.Now(), "the clock runs with its host")
	host = host.Add(time.Hour)
	assert.Equal(t, datetime.Max, clock.Now(), "past the end, the last instant")
	assert.Equal(t, datetime.Max, clock.Freeze(), "freezing keeps what it shows")
}

// Every way of changing a clock refuses to leave the range and then changes nothing.
func TestClockChangesStayInRange(t *testing.T) {
	t.Parallel()
	clock := store.NewClock(nil)
	at := time.Date(2025, 4, 26, 12, 0, 0, 0, time.UTC)
	require.NoError(t, clock.Set(at))
	clock.Freeze()
	assert.Error(t, clock.Set(datetime.Min.Add(-time.Millisecond)))
	const longest = time.Duration(1<<63 - 1) // about 292 years
	_, err := clock.Advance(longest)
	require.NoError(t, err, "292 years from 2025 is in range")
	before := clock.Now()
	for range 30 {
		if _, err = clock.Advance(longest); err != nil {
			break
		}
		before = clock.Now()
	}
	require.Error(t, err, "advancing must end in a refusal, never wrap")
	assert.Equal(t, before, clock.Now(), "the refused advance changed nothing")
}

func TestClock(t *testing.T) {
	t.Parallel()
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	now := base
	c := store.NewClock(func() time.Time { return now })
	assert.Equal(t, base, c.Now())
	c.Advance(time.Hour)
	assert.Equal(t, base.Add(time.Hour), c.Now())
	frozen := c.Freeze()
	now = now.Add(time.Minute)
	assert.Equal(t, frozen, c.Now(), "a frozen clock does not move")
	c.Advance(time.Second)
	assert.Equal(t, frozen.Add(time.Second), c.Now())
	c.Unfreeze()
	assert.Equal(t, frozen.Add(time.Second), c.Now(), "unfreezing resumes from the shown time")
	now = now.Add(time.Minute)
	assert.Equal(t, frozen.Add(time.Second+time.Minute), c.Now())
	c.Set(base)
	assert.Equal(t, base, c.Now())
	c.Reset()
	assert.Equal(t, now, c.Now())
	assert.False(t, c.Frozen())
}

// A running clock that reached the last instant moves back from the time it shows, not from
// the time it would show were there no end.
func TestAdvanceFromTheLastInstant(t *testing.T) {
	t.Parallel()
	host := time.Date(2026, 12, 3, 5, 0, 0, 0, time.UTC)
	clock := store.NewClock(func() time.Time { return host })
	require.NoError(t, clock.Set(datetime.Max))
	host = host.Add(time.Minute)
	require.Equal(t, datetime.Max, clock.Now())
	got, err := clock.Advance(-time.Second)
	require.NoError(t, err)
	assert.Equal(t, datetime.Max.Add(-time.Second), got)
	assert.Equal(t, datetime.Max.Add(-time.Second), clock.Now())
}

// Every clock setting the admin clock can leave survives a restart on the saved state and an
// export read back, whatever the host's clock reads by then.
func TestClockSettingsNearTheEndRestore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := time.Date(2026, 12, 3, 5, 0, 0, 0, time.UTC)
	spring := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	yes, no := true, false
	tests := map[string]struct {
		changes []store.ClockChange
		want    time.Time // what the clock shows an hour later
		frozen  bool
	}{
		"running, reached the end": {
			changes: []store.ClockChange{{Set: &datetime.Max}},
			want:    datetime.Max,
		},
		"frozen near the end, then set while frozen": {
			changes: []store.ClockChange{{Set: ptr(datetime.Max.Add(-999 * time.Millisecond)), Freeze: &yes}, {Set: &spring}},
			want:    spring,
			frozen:  true,
		},
		"frozen at the end": {
			changes: []store.ClockChange{{Set: &datetime.Max}, {Freeze: &yes}},
			want:    datetime.Max,
			frozen:  true,
		},
		"unfrozen at the end": {
			changes: []store.ClockChange{{Set: &datetime.Max, Freeze: &yes}, {Freeze: &no}},
			want:    datetime.Max,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			host := start
			p := newMemPersister()
			st := openPersisted(t, p, store.NewClock(func() time.Time { return host }))
			for _, c := range tc.changes {
				_, err := st.Clock().Apply(c)
				require.NoError(t, err)
				host = host.Add(time.Second)
			}
			require.NoError(t, st.SweepExpired(ctx), "saves the clock")
			doc := st.Export(ctx)

			later := host.Add(time.Hour)
			again, err := store.Open(ctx, store.Options{Fixtures: seatFixtures(t), Clock: store.NewClock(func() time.Time { return later }), Persist: p})
			require.NoError(t, err, "a restart on the saved state")
			assert.Equal(t, tc.want, again.Now())
			assert.Equal(t, tc.frozen, again.Clock().Frozen())

			other := store.New(store.Options{Fixtures: seatFixtures(t), Clock: store.NewClock(func() time.Time { return later })})
			require.NoError(t, other.Import(ctx, doc), "an import of the export")
			assert.Equal(t, tc.want, other.Now())
		})
	}
}

func ptr[T any](v T) *T { return &v }
