package schedule

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones the tests use, even where the system has none

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seedSchedule is the schedule attribute of the recorded tickets_form.
func seedSchedule(t testing.TB) Schedule {
	t.Helper()
	raw, err := os.ReadFile("../fixtures/recorded/form-tickets_form.json")
	require.NoError(t, err)
	var form struct {
		Attributes []json.RawMessage `json:"attributes"`
	}
	require.NoError(t, json.Unmarshal(raw, &form))
	for _, a := range form.Attributes {
		var head struct{ Type string }
		require.NoError(t, json.Unmarshal(a, &head))
		if head.Type == "timeInterval" {
			s, err := Parse(a)
			require.NoError(t, err)
			return s
		}
	}
	t.Fatal("tickets_form has no timeInterval attribute")
	return Schedule{}
}

func mustParse(t testing.TB, raw string) Schedule {
	t.Helper()
	s, err := Parse(json.RawMessage(raw))
	require.NoError(t, err)
	return s
}

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

// optionsIn returns Options in the named location; "" keeps the default, UTC.
func optionsIn(t testing.TB, loc string) Options {
	t.Helper()
	if loc == "" {
		return Options{}
	}
	return Options{Location: mustLoc(t, loc)}
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err)
	return ts
}

func slotOf(t testing.TB, v [2]string) Slot {
	t.Helper()
	return Slot{Start: mustTime(t, v[0]), End: mustTime(t, v[1])}
}

func values(slots []Slot) [][2]string {
	out := make([][2]string, 0, len(slots))
	for _, s := range slots {
		out = append(out, s.Value())
	}
	return out
}

// item builds a one-item schedule: range [from, to], the given daily
// intervals as "HH:MM-HH:MM/period", the repetition flags and exclusions.
func item(from, to string, week, month bool, external string, intervals ...string) string {
	ivs := make([]string, 0, len(intervals))
	for i, iv := range intervals {
		var sh, sm, eh, em, p int
		if _, err := fmt.Sscanf(iv, "%d:%d-%d:%d/%d", &sh, &sm, &eh, &em, &p); err != nil {
			panic(err)
		}
		ivs = append(ivs, fmt.Sprintf(`{"id":"iv%d","start":{"hours":%d,"minutes":%d},"end":{"hours":%d,"minutes":%d},"period":%d}`, i, sh, sm, eh, em, p))
	}
	if external == "" {
		external = "[]"
	}
	return fmt.Sprintf(`{"id":"it","range":[%q,%q],"external":%s,"intervals":[%s],"inEveryWeek":%t,"inEveryMonth":%t}`,
		from, to, external, strings.Join(ivs, ","), week, month)
}

func TestSeedSlots(t *testing.T) {
	t.Parallel()
	s := seedSchedule(t)

	t.Run("UTC", func(t *testing.T) {
		t.Parallel()
		got := s.Slots(Options{Location: time.UTC})
		require.Len(t, got, 52*3)
		for i, sl := range got {
			st := sl.Start
			assert.Equal(t, time.Saturday, st.Weekday(), "slot %d %v", i, sl)
			want := []string{"16:30", "18:00", "19:30"}[i%3]
			assert.Equal(t, want, st.Format("15:04"), "slot %d", i)
			assert.Equal(t, 90*time.Minute, sl.End.Sub(sl.Start))
		}
		assert.Equal(t, [2]string{"2025-04-05T16:30:00.000Z", "2025-04-05T18:00:00.000Z"}, got[0].Value())
		assert.Equal(t, [2]string{"2026-03-28T19:30:00.000Z", "2026-03-28T21:00:00.000Z"}, got[len(got)-1].Value())
		assert.Equal(t, got, s.Slots(Options{}), "nil Location means UTC")
	})

	t.Run("Europe/Moscow", func(t *testing.T) {
		t.Parallel()
		// range[0] 2025-04-26T21:00Z is midnight of Sunday 27 April in
		// Moscow: the admin picked a Sunday, and 16:30 means 16:30 MSK.
		msk := mustLoc(t, "Europe/Moscow")
		got := s.Slots(Options{Location: msk})
		require.Len(t, got, 52*3)
		for _, sl := range got {
			assert.Equal(t, time.Sunday, sl.Start.In(msk).Weekday())
		}
		assert.Equal(t, [2]string{"2025-04-06T13:30:00.000Z", "2025-04-06T15:00:00.000Z"}, got[0].Value())
		assert.Equal(t, [2]string{"2026-03-29T16:30:00.000Z", "2026-03-29T18:00:00.000Z"}, got[len(got)-1].Value())
	})

	t.Run("Europe/Berlin across DST", func(t *testing.T) {
		t.Parallel()
		ber := mustLoc(t, "Europe/Berlin")
		got := s.Slots(Options{Location: ber})
		require.Len(t, got, 52*3)
		for _, sl := range got {
			assert.Equal(t, time.Saturday, sl.Start.In(ber).Weekday())
			assert.Contains(t, []string{"16:30", "18:00", "19:30"}, sl.Start.In(ber).Format("15:04"))
		}
		set := map[[2]string]bool{}
		for _, v := range values(got) {
			set[v] = true
		}
		for _, v := range [][2]string{
			{"2025-04-05T14:30:00.000Z", "2025-04-05T16:00:00.000Z"}, // CEST
			{"2025-10-25T14:30:00.000Z", "2025-10-25T16:00:00.000Z"}, // last Saturday of CEST
			{"2025-11-01T15:30:00.000Z", "2025-11-01T17:00:00.000Z"}, // first Saturday of CET
			{"2026-03-28T15:30:00.000Z", "2026-03-28T17:00:00.000Z"}, // CET, the day before the change
		} {
			assert.True(t, set[v], "missing %v", v)
		}
	})

	t.Run("America/New_York across DST", func(t *testing.T) {
		t.Parallel()
		ny := mustLoc(t, "America/New_York")
		got := s.Slots(Options{Location: ny, From: mustTime(t, "2025-10-30T00:00:00Z"), To: mustTime(t, "2025-11-10T00:00:00Z")})
		assert.Equal(t, [][2]string{
			{"2025-11-01T20:30:00.000Z", "2025-11-01T22:00:00.000Z"}, // EDT
			{"2025-11-01T22:00:00.000Z", "2025-11-01T23:30:00.000Z"},
			{"2025-11-01T23:30:00.000Z", "2025-11-02T01:00:00.000Z"},
			{"2025-11-08T21:30:00.000Z", "2025-11-08T23:00:00.000Z"}, // EST
			{"2025-11-08T23:00:00.000Z", "2025-11-09T00:30:00.000Z"},
			{"2025-11-09T00:30:00.000Z", "2025-11-09T02:00:00.000Z"},
		}, values(got))
	})
}

func TestSlotsRepetition(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		schedule string
		loc      string
		want     [][2]string // when set, the exact result
		count    int
		first    [2]string
		last     [2]string
	}{
		"weekly only stays in the start month": {
			schedule: "[" + item("2025-04-15T00:00:00Z", "2025-04-15T00:00:00Z", true, false, "", "10:00-11:00/60") + "]",
			want: [][2]string{
				{"2025-04-15T10:00:00.000Z", "2025-04-15T11:00:00.000Z"},
				{"2025-04-22T10:00:00.000Z", "2025-04-22T11:00:00.000Z"},
				{"2025-04-29T10:00:00.000Z", "2025-04-29T11:00:00.000Z"},
			},
		},
		"weekly only in Moscow reads the Moscow date": {
			// 2025-04-14T21:00Z is Tuesday 15 April 00:00 in Moscow.
			schedule: "[" + item("2025-04-14T21:00:00Z", "2025-04-14T21:00:00Z", true, false, "", "10:00-11:00/60") + "]",
			loc:      "Europe/Moscow",
			want: [][2]string{
				{"2025-04-15T07:00:00.000Z", "2025-04-15T08:00:00.000Z"},
				{"2025-04-22T07:00:00.000Z", "2025-04-22T08:00:00.000Z"},
				{"2025-04-29T07:00:00.000Z", "2025-04-29T08:00:00.000Z"},
			},
		},
		"monthly only repeats the day of month for 12 months": {
			schedule: "[" + item("2025-03-15T00:00:00Z", "2025-03-15T00:00:00Z", false, true, "", "09:00-10:00/60") + "]",
			count:    12,
			first:    [2]string{"2025-03-15T09:00:00.000Z", "2025-03-15T10:00:00.000Z"},
			last:     [2]string{"2026-02-15T09:00:00.000Z", "2026-02-15T10:00:00.000Z"},
		},
		"monthly only skips months without the day": {
			schedule: "[" + item("2025-01-30T00:00:00Z", "2025-01-30T00:00:00Z", false, true, "", "09:00-10:00/60") + "]",
			count:    11, // no 30 February
			first:    [2]string{"2025-01-30T09:00:00.000Z", "2025-01-30T10:00:00.000Z"},
			last:     [2]string{"2025-12-30T09:00:00.000Z", "2025-12-30T10:00:00.000Z"},
		},
		"weekly and monthly covers the weekday in 12 whole months": {
			schedule: "[" + item("2025-01-31T00:00:00Z", "2025-01-31T00:00:00Z", true, true, "", "09:00-10:00/60") + "]",
			count:    52, // every Friday of 2025
			first:    [2]string{"2025-01-03T09:00:00.000Z", "2025-01-03T10:00:00.000Z"},
			last:     [2]string{"2025-12-26T09:00:00.000Z", "2025-12-26T10:00:00.000Z"},
		},
		"neither flag offers nothing": {
			schedule: "[" + item("2025-04-26T00:00:00Z", "2025-04-28T00:00:00Z", false, false, "", "09:00-12:00/60") + "]",
			want:     [][2]string{},
		},
		"no intervals offers nothing": {
			schedule: `[{"id":"x","range":["2025-04-26T00:00:00Z","2025-04-26T00:00:00Z"],"external":[],"intervals":[],"inEveryWeek":true,"inEveryMonth":true}]`,
			want:     [][2]string{},
		},
		"period not dividing the interval drops the remainder": {
			schedule: "[" + item("2025-05-26T00:00:00Z", "2025-05-26T00:00:00Z", true, false, "", "09:00-12:00/50") + "]",
			want: [][2]string{
				{"2025-05-26T09:00:00.000Z", "2025-05-26T09:50:00.000Z"},
				{"2025-05-26T09:50:00.000Z", "2025-05-26T10:40:00.000Z"},
				{"2025-05-26T10:40:00.000Z", "2025-05-26T11:30:00.000Z"},
			},
		},
		"period longer than the interval offers nothing": {
			schedule: "[" + item("2025-05-26T00:00:00Z", "2025-05-26T00:00:00Z", true, false, "", "09:00-10:00/61") + "]",
			want:     [][2]string{},
		},
		"range over several days starts from each day": {
			// Thursday to Saturday, weekly: each repeats to the end of May.
			schedule: "[" + item("2025-05-22T00:00:00Z", "2025-05-24T00:00:00Z", true, false, "", "12:00-13:00/60") + "]",
			want: [][2]string{
				{"2025-05-22T12:00:00.000Z", "2025-05-22T13:00:00.000Z"},
				{"2025-05-23T12:00:00.000Z", "2025-05-23T13:00:00.000Z"},
				{"2025-05-24T12:00:00.000Z", "2025-05-24T13:00:00.000Z"},
				{"2025-05-29T12:00:00.000Z", "2025-05-29T13:00:00.000Z"},
				{"2025-05-30T12:00:00.000Z", "2025-05-30T13:00:00.000Z"},
				{"2025-05-31T12:00:00.000Z", "2025-05-31T13:00:00.000Z"},
			},
		},
		"range end earlier in the day than its start drops the last day": {
			schedule: "[" + item("2025-05-29T12:00:00Z", "2025-05-31T06:00:00Z", true, false, "", "12:00-13:00/60") + "]",
			want: [][2]string{
				{"2025-05-29T12:00:00.000Z", "2025-05-29T13:00:00.000Z"},
				{"2025-05-30T12:00:00.000Z", "2025-05-30T13:00:00.000Z"},
			},
		},
		"range over several days in Berlin uses Berlin midnights": {
			// Midnight CEST on 29 May through midnight CEST on 30 May.
			schedule: "[" + item("2025-05-28T22:00:00Z", "2025-05-29T22:00:00Z", true, false, "", "12:00-13:00/60") + "]",
			loc:      "Europe/Berlin",
			want: [][2]string{
				{"2025-05-29T10:00:00.000Z", "2025-05-29T11:00:00.000Z"},
				{"2025-05-30T10:00:00.000Z", "2025-05-30T11:00:00.000Z"},
			},
		},
		"interval ending at 24:00 ends at the next midnight": {
			schedule: "[" + item("2025-07-31T00:00:00Z", "2025-07-31T00:00:00Z", true, false, "", "22:00-24:00/60") + "]",
			want: [][2]string{
				{"2025-07-31T22:00:00.000Z", "2025-07-31T23:00:00.000Z"},
				{"2025-07-31T23:00:00.000Z", "2025-08-01T00:00:00.000Z"},
			},
		},
		"overlapping items and intervals are deduplicated": {
			schedule: "[" +
				item("2025-05-26T00:00:00Z", "2025-05-26T00:00:00Z", true, false, "", "09:00-10:00/30", "09:30-10:30/30") + "," +
				item("2025-05-26T00:00:00Z", "2025-05-26T00:00:00Z", true, false, "", "09:00-10:00/60") + "]",
			want: [][2]string{
				{"2025-05-26T09:00:00.000Z", "2025-05-26T09:30:00.000Z"},
				{"2025-05-26T09:00:00.000Z", "2025-05-26T10:00:00.000Z"},
				{"2025-05-26T09:30:00.000Z", "2025-05-26T10:00:00.000Z"},
				{"2025-05-26T10:00:00.000Z", "2025-05-26T10:30:00.000Z"},
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			opts := optionsIn(t, tc.loc)
			got := values(mustParse(t, tc.schedule).Slots(opts))
			if tc.want != nil {
				assert.Equal(t, tc.want, got)
				return
			}
			require.Len(t, got, tc.count)
			assert.Equal(t, tc.first, got[0])
			assert.Equal(t, tc.last, got[len(got)-1])
		})
	}
}

func TestSlotsWindowAndLimit(t *testing.T) {
	t.Parallel()
	s := seedSchedule(t)
	all := s.Slots(Options{})

	got := s.Slots(Options{From: mustTime(t, "2025-05-03T18:00:00Z"), To: mustTime(t, "2025-05-10T18:00:00Z")})
	assert.Equal(t, [][2]string{
		{"2025-05-03T18:00:00.000Z", "2025-05-03T19:30:00.000Z"},
		{"2025-05-03T19:30:00.000Z", "2025-05-03T21:00:00.000Z"},
		{"2025-05-10T16:30:00.000Z", "2025-05-10T18:00:00.000Z"},
	}, values(got), "From inclusive, To exclusive, on slot starts")

	assert.Equal(t, all[:4], s.Slots(Options{Limit: 4}))
	assert.Equal(t, all[3:5], s.Slots(Options{From: all[3].Start, Limit: 2}))
	assert.Empty(t, s.Slots(Options{From: mustTime(t, "2026-03-29T00:00:00Z")}))
	assert.Empty(t, s.Slots(Options{From: mustTime(t, "2025-06-01T00:00:00Z"), To: mustTime(t, "2025-05-01T00:00:00Z")}))
	assert.True(t, slices.IsSortedFunc(all, compareSlots))
	assert.Empty(t, Schedule{}.Slots(Options{}))
}

func TestContains(t *testing.T) {
	t.Parallel()
	s := seedSchedule(t)
	msk := mustLoc(t, "Europe/Moscow")
	tests := map[string]struct {
		slot [2]string
		opts Options
		want bool
	}{
		"a generated slot":             {[2]string{"2025-04-26T16:30:00.000Z", "2025-04-26T18:00:00.000Z"}, Options{}, true},
		"the first slot":               {[2]string{"2025-04-05T16:30:00.000Z", "2025-04-05T18:00:00.000Z"}, Options{}, true},
		"the last slot":                {[2]string{"2026-03-28T19:30:00.000Z", "2026-03-28T21:00:00.000Z"}, Options{}, true},
		"another offset, same instant": {[2]string{"2025-04-26T19:30:00+03:00", "2025-04-26T21:00:00+03:00"}, Options{}, true},
		"start a minute off":           {[2]string{"2025-04-26T16:31:00.000Z", "2025-04-26T18:00:00.000Z"}, Options{}, false},
		"end differs":                  {[2]string{"2025-04-26T16:30:00.000Z", "2025-04-26T19:30:00.000Z"}, Options{}, false},
		"two slots merged":             {[2]string{"2025-04-26T16:30:00.000Z", "2025-04-26T19:30:00.000Z"}, Options{}, false},
		"not a Saturday":               {[2]string{"2025-04-27T16:30:00.000Z", "2025-04-27T18:00:00.000Z"}, Options{}, false},
		"after the 12 months":          {[2]string{"2026-04-04T16:30:00.000Z", "2026-04-04T18:00:00.000Z"}, Options{}, false},
		"empty slot":                   {[2]string{"2025-04-26T16:30:00.000Z", "2025-04-26T16:30:00.000Z"}, Options{}, false},
		"before From":                  {[2]string{"2025-04-26T16:30:00.000Z", "2025-04-26T18:00:00.000Z"}, Options{From: mustTime(t, "2025-04-30T21:54:48.918Z")}, false},
		"after From":                   {[2]string{"2025-05-03T16:30:00.000Z", "2025-05-03T18:00:00.000Z"}, Options{From: mustTime(t, "2025-04-30T21:54:48.918Z")}, true},
		"UTC slot under Moscow":        {[2]string{"2025-04-26T16:30:00.000Z", "2025-04-26T18:00:00.000Z"}, Options{Location: msk}, false},
		"Moscow slot under Moscow":     {[2]string{"2025-04-27T13:30:00.000Z", "2025-04-27T15:00:00.000Z"}, Options{Location: msk}, true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, s.Contains(slotOf(t, tc.slot), tc.opts))
		})
	}
}

func TestNext(t *testing.T) {
	t.Parallel()
	s := seedSchedule(t)
	tests := map[string]struct {
		now    string
		opts   Options
		want   [2]string
		wantOK bool
	}{
		"after the recorded order": {
			now: "2025-04-30T21:54:48.918Z", wantOK: true,
			want: [2]string{"2025-05-03T16:30:00.000Z", "2025-05-03T18:00:00.000Z"},
		},
		"strictly after a slot start": {
			now: "2025-05-03T16:30:00Z", wantOK: true,
			want: [2]string{"2025-05-03T18:00:00.000Z", "2025-05-03T19:30:00.000Z"},
		},
		"before the first slot": {
			now: "2024-01-01T00:00:00Z", wantOK: true,
			want: [2]string{"2025-04-05T16:30:00.000Z", "2025-04-05T18:00:00.000Z"},
		},
		"a later From wins over now": {
			now: "2024-01-01T00:00:00Z", opts: Options{From: mustTime(t, "2025-06-01T00:00:00Z")}, wantOK: true,
			want: [2]string{"2025-06-07T16:30:00.000Z", "2025-06-07T18:00:00.000Z"},
		},
		"after the last slot": {now: "2026-03-28T19:30:00Z"},
		"nothing before To":   {now: "2025-04-30T00:00:00Z", opts: Options{To: mustTime(t, "2025-05-03T16:30:00Z")}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, ok := s.Next(mustTime(t, tc.now), tc.opts)
			require.Equal(t, tc.wantOK, ok)
			if ok {
				assert.Equal(t, tc.want, got.Value())
				assert.True(t, s.Contains(got, tc.opts))
			}
		})
	}
}

func BenchmarkSlotsOneYear(b *testing.B) {
	ber := mustLoc(b, "Europe/Berlin")
	from := mustTime(b, "2025-04-01T00:00:00Z")
	opts := Options{Location: ber, From: from, To: from.AddDate(1, 0, 0)}
	b.Run("seed", func(b *testing.B) {
		s := seedSchedule(b)
		for b.Loop() {
			if len(s.Slots(opts)) == 0 {
				b.Fatal("no slots")
			}
		}
	})
	b.Run("every day half-hourly", func(b *testing.B) {
		// A week-long range repeating weekly and monthly opens every day of
		// the year, 24 slots a day.
		s := mustParse(b, "["+item("2025-03-31T22:00:00Z", "2025-04-06T22:00:00Z", true, true,
			`[{"date":"2025-12-25T00:00:00Z","inEveryYear":true}]`, "09:00-21:00/30")+"]")
		for b.Loop() {
			if len(s.Slots(opts)) < 300*24 {
				b.Fatal("too few slots")
			}
		}
	})
}
