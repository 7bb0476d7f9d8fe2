package schedule

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSlotsExclusions(t *testing.T) {
	t.Parallel()
	seedWith := func(external string) string {
		return "[" + item("2025-04-26T21:00:00.000Z", "2025-04-26T21:00:00.000Z", true, true, external, "16:30-21:30/90") + "]"
	}
	onDay := func(day string, starts ...string) [][2]string {
		out := [][2]string{}
		for _, st := range starts {
			s := mustTime(t, day+"T"+st+":00Z")
			out = append(out, Slot{Start: s, End: s.Add(90 * time.Minute)}.Value())
		}
		return out
	}
	all := []string{"16:30", "18:00", "19:30"}
	tests := map[string]struct {
		external string
		loc      string
		from, to string
		want     [][2]string
		count    int
	}{
		"date excludes the whole day": {
			external: `[{"date":"2025-05-03T00:00:00.000Z"}]`,
			from:     "2025-05-01", to: "2025-05-18",
			want: append(onDay("2025-05-10", all...), onDay("2025-05-17", all...)...),
		},
		"date with externalTimes excludes those times only": {
			external: `[{"date":"2025-05-03T00:00:00.000Z","externalTimes":[["2025-05-03T18:00:00.000Z","2025-05-03T19:30:00.000Z"]]}]`,
			from:     "2025-05-01", to: "2025-05-04",
			want: onDay("2025-05-03", "16:30", "19:30"),
		},
		"empty externalTimes excludes nothing": {
			external: `[{"date":"2025-05-03T00:00:00.000Z","externalTimes":[]}]`,
			from:     "2025-05-01", to: "2025-05-04",
			want: onDay("2025-05-03", all...),
		},
		"date repeating every week and month excludes the weekday in its year": {
			external: `[{"date":"2025-05-03T00:00:00.000Z","inEveryWeek":true,"inEveryMonth":true}]`,
			count:    13 * 3, // only the Saturdays of January–March 2026 remain
		},
		"date repeating every year excludes that day each year": {
			external: `[{"date":"2019-12-27T00:00:00.000Z","inEveryYear":true}]`,
			from:     "2025-12-20", to: "2026-01-04",
			want: append(onDay("2025-12-20", all...), onDay("2026-01-03", all...)...),
		},
		"date is read in the project zone": {
			// 2025-05-03T21:00Z is Sunday 4 May in Moscow.
			external: `[{"date":"2025-05-03T21:00:00.000Z"}]`,
			loc:      "Europe/Moscow",
			from:     "2025-05-01", to: "2025-05-12",
			want: onDay("2025-05-11", "13:30", "15:00", "16:30"),
		},
		"range excludes whole days": {
			external: `[{"range":["2025-05-10T00:00:00.000Z","2025-05-17T00:00:00.000Z"]}]`,
			from:     "2025-05-01", to: "2025-05-25",
			want: append(onDay("2025-05-03", all...), onDay("2025-05-24", all...)...),
		},
		"range with intervals excludes overlapping slots": {
			external: `[{"range":["2025-05-10T00:00:00.000Z","2025-05-10T00:00:00.000Z"],"intervals":[{"start":{"hours":17,"minutes":0},"end":{"hours":18,"minutes":0}}]}]`,
			from:     "2025-05-10", to: "2025-05-11",
			want: onDay("2025-05-10", "18:00", "19:30"),
		},
		"bare pair excludes overlapping slots": {
			external: `[["2025-05-10T17:00:00.000Z","2025-05-10T18:30:00.000Z"]]`,
			from:     "2025-05-10", to: "2025-05-11",
			want: onDay("2025-05-10", "19:30"),
		},
		"bare pair touching a slot does not exclude it": {
			external: `[["2025-05-10T18:00:00.000Z","2025-05-10T19:30:00.000Z"]]`,
			from:     "2025-05-10", to: "2025-05-11",
			want: onDay("2025-05-10", "16:30", "19:30"),
		},
		"bare pair of equal instants excludes that day": {
			external: `[["2025-05-10T00:00:00.000Z","2025-05-10T00:00:00.000Z"]]`,
			from:     "2025-05-09", to: "2025-05-18",
			want: onDay("2025-05-17", all...),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			opts := optionsIn(t, tc.loc)
			if tc.from != "" {
				opts.From, opts.To = mustTime(t, tc.from+"T00:00:00Z"), mustTime(t, tc.to+"T00:00:00Z")
			}
			s := mustParse(t, seedWith(tc.external))
			got := values(s.Slots(opts))
			if tc.want == nil {
				assert.Len(t, got, tc.count)
				return
			}
			assert.Equal(t, tc.want, got)
		})
	}

	t.Run("exclusions belong to their item", func(t *testing.T) {
		t.Parallel()
		s := mustParse(t, "["+
			item("2025-05-05T00:00:00Z", "2025-05-05T00:00:00Z", true, false, `[{"date":"2025-05-12T00:00:00Z"}]`, "09:00-10:00/60")+","+
			item("2025-05-12T00:00:00Z", "2025-05-12T00:00:00Z", true, false, "", "09:00-10:00/60", "11:00-12:00/60")+"]")
		got := values(s.Slots(Options{From: mustTime(t, "2025-05-12T00:00:00Z"), To: mustTime(t, "2025-05-13T00:00:00Z")}))
		assert.Equal(t, [][2]string{
			{"2025-05-12T09:00:00.000Z", "2025-05-12T10:00:00.000Z"},
			{"2025-05-12T11:00:00.000Z", "2025-05-12T12:00:00.000Z"},
		}, got)
	})
}
