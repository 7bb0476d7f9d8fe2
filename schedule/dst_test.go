package schedule

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSlotsDSTDays(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		loc      string
		schedule string
		until    string // bounds the window where weekly repetition goes on
		want     [][2]string
	}{
		"Europe/Berlin spring forward": {
			// Sunday 30 March 2025: 02:00 CET jumps to 03:00 CEST. Slots
			// starting in the gap are skipped; 01:30–02:00 ends when the
			// clock jumps. 02:10–03:40 starts in the gap too: read with
			// either offset it would be a 30-minute slot, so it is dropped.
			loc:      "Europe/Berlin",
			schedule: "[" + item("2025-03-29T23:00:00Z", "2025-03-29T23:00:00Z", true, false, "", "01:00-04:00/30", "02:10-03:40/90") + "]",
			want: [][2]string{
				{"2025-03-30T00:00:00.000Z", "2025-03-30T00:30:00.000Z"}, // 01:00 CET
				{"2025-03-30T00:30:00.000Z", "2025-03-30T01:00:00.000Z"}, // 01:30 CET
				{"2025-03-30T01:00:00.000Z", "2025-03-30T01:30:00.000Z"}, // 03:00 CEST
				{"2025-03-30T01:30:00.000Z", "2025-03-30T02:00:00.000Z"}, // 03:30 CEST
			},
		},
		"Europe/Berlin fall back": {
			// Sunday 26 October 2025: 03:00 CEST goes back to 02:00 CET;
			// 02:00–03:00 happens twice and is taken once, the first time.
			loc:      "Europe/Berlin",
			schedule: "[" + item("2025-10-25T22:00:00Z", "2025-10-25T22:00:00Z", true, false, "", "01:00-04:00/60") + "]",
			want: [][2]string{
				{"2025-10-25T23:00:00.000Z", "2025-10-26T00:00:00.000Z"}, // 01:00 CEST
				{"2025-10-26T00:00:00.000Z", "2025-10-26T02:00:00.000Z"}, // 02:00 CEST to 03:00 CET
				{"2025-10-26T02:00:00.000Z", "2025-10-26T03:00:00.000Z"}, // 03:00 CET
			},
		},
		"Europe/Berlin 16:30 on both change days": {
			loc: "Europe/Berlin",
			schedule: "[" + item("2025-03-29T23:00:00Z", "2025-03-29T23:00:00Z", true, false, "", "16:30-18:00/90") + "," +
				item("2025-10-25T22:00:00Z", "2025-10-25T22:00:00Z", true, false, "", "16:30-18:00/90") + "]",
			want: [][2]string{
				{"2025-03-30T14:30:00.000Z", "2025-03-30T16:00:00.000Z"},
				{"2025-10-26T15:30:00.000Z", "2025-10-26T17:00:00.000Z"},
			},
		},
		"America/New_York spring forward": {
			// Sunday 9 March 2025: 02:00 EST jumps to 03:00 EDT.
			loc:      "America/New_York",
			schedule: "[" + item("2025-03-09T05:00:00Z", "2025-03-09T05:00:00Z", true, false, "", "01:30-03:30/30") + "]",
			until:    "2025-03-10T00:00:00Z",
			want: [][2]string{
				{"2025-03-09T06:30:00.000Z", "2025-03-09T07:00:00.000Z"}, // 01:30 EST
				{"2025-03-09T07:00:00.000Z", "2025-03-09T07:30:00.000Z"}, // 03:00 EDT
			},
		},
		"America/New_York fall back": {
			// Sunday 2 November 2025: 02:00 EDT goes back to 01:00 EST.
			loc:      "America/New_York",
			schedule: "[" + item("2025-11-02T04:00:00Z", "2025-11-02T04:00:00Z", true, false, "", "00:30-02:30/30") + "]",
			until:    "2025-11-03T00:00:00Z",
			want: [][2]string{
				{"2025-11-02T04:30:00.000Z", "2025-11-02T05:00:00.000Z"}, // 00:30 EDT
				{"2025-11-02T05:00:00.000Z", "2025-11-02T05:30:00.000Z"}, // 01:00 EDT, first time
				{"2025-11-02T05:30:00.000Z", "2025-11-02T07:00:00.000Z"}, // 01:30 EDT to 02:00 EST
				{"2025-11-02T07:00:00.000Z", "2025-11-02T07:30:00.000Z"}, // 02:00 EST
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := mustParse(t, tc.schedule)
			opts := optionsIn(t, tc.loc)
			if tc.until != "" {
				opts.To = mustTime(t, tc.until)
			}
			assert.Equal(t, tc.want, values(s.Slots(opts)))
			for _, v := range tc.want {
				assert.True(t, s.Contains(slotOf(t, v), opts), "Contains(%v)", v)
			}
		})
	}
}

func TestWallToInstantAgreesWithTimeDate(t *testing.T) {
	t.Parallel()
	// Away from DST changes a wall-clock time has exactly one instant, and
	// time.Date finds it too.
	for _, name := range []string{"UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham"} {
		loc := mustLoc(t, name)
		for _, ymd := range [][3]int{{2025, 1, 15}, {2025, 7, 4}, {2024, 2, 29}, {1999, 12, 31}} {
			for _, minute := range []int{0, 1, 90, 16*60 + 30, 23*60 + 59} {
				d := dayOf(ymd[0], time.Month(ymd[1]), ymd[2])
				got, ok := wallToInstant(d, minute, loc)
				want := time.Date(ymd[0], time.Month(ymd[1]), ymd[2], 0, minute, 0, 0, loc)
				assert.True(t, ok, "%s %v %d", name, ymd, minute)
				assert.True(t, want.Equal(got), "%s %v %d: got %v want %v", name, ymd, minute, got, want)
			}
		}
	}
}
