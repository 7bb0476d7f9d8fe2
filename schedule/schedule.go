// Package schedule turns the schedule of a form's timeInterval attribute into
// concrete bookable slots and checks slots that a client submits.
//
// A form serves its schedule raw, in the attribute's localizeInfos.intervals;
// the OneEntry JS SDK (1.0.137 and later) computes the slots on the client
// (syncModules._addTimeIntervalsToFormSchedules), and an order or form-data
// submission carries the chosen slot as [[startISO, endISO]]. This package
// reproduces that computation so the mock can validate submissions and
// scenarios can pick a real slot.
//
// # Expansion
//
// For each [Item], the start dates are the calendar days from range[0]
// through range[1] (range[0] alone when both are equal); a day is included
// while its wall-clock instant at range[0]'s time of day is not after
// range[1], as the SDK's day loop does. Each start date then repeats as the
// SDK repeats it:
//
//   - inEveryWeek only: that date and every 7 days after it, to the end of
//     its calendar month;
//   - inEveryMonth only: the same day of the month in that month and the 11
//     following ones, skipping months without that day (no 31 February);
//   - both: every date with the same weekday in that month and the 11
//     following ones, including the ones before the start date (hence the
//     seed's first slot on 2025-04-05 for a range starting 2025-04-26);
//   - neither: nothing at all. The SDK offers no slot for such an item, so
//     the mock accepts none either.
//
// On each resulting date, every daily interval {start, end, period} yields
// slots of period minutes from start for as long as a slot's end is not
// after end; a remainder shorter than period is dropped. An end of 24:00 is
// midnight of the next day. Slots are deduplicated across items and sorted.
//
// Two SDK 1.0.149 quirks are deliberately not reproduced, so the mock's set
// is a superset of what the SDK offers and every SDK-offered slot is
// accepted: the weekly-only branch stops at local midnight starting the
// month's last day (that day is lost whenever range[0] is later in the day
// than midnight in the browser's zone), and the weekly-and-monthly branch
// skips a whole month when range[0]'s day of month does not exist in it
// (setUTCMonth overflows, e.g. from the 31st into a 30-day month).
//
// # Time zone
//
// The SDK reads dates and hours/minutes in UTC. The mock reads them in the
// project's zone ([Options.Location], UTC when nil): the calendar date of
// range[0], weekdays and months are those of that zone, and a 16:30 slot is
// 16:30 on the wall clock there on both sides of a DST change. With UTC the
// result equals the SDK's but for the two quirks above (testdata/sdk_slots.json
// holds the SDK's own output, and the tests compare). On a DST change day:
// a slot whose start does not exist on the wall clock (spring forward) is
// skipped; a slot end that does not exist is read with the offset in force
// before the change, so the slot keeps its length; a wall-clock time that
// occurs twice (fall back) is taken once, at its first occurrence.
//
// # Exclusions
//
// The SDK ignores an item's external list. OneEntry's React Native demo
// (reactnative-shop-demo, hooks useGetSchedule) reads its entries as
// {date, inEveryWeek, inEveryMonth, inEveryYear, externalTimes}; this package
// honours that shape and two simpler ones, see [Exclusion]. Exclusions apply
// to the slots of the item that lists them.
package schedule

import (
	"encoding/json"
	"time"

	"github.com/oneentry-mock/oneentry-mock/datetime"
)

// Schedule is the decoded schedule of one timeInterval attribute: the
// entries of its localizeInfos.intervals, in order.
type Schedule struct {
	Items []Item
}

// Item is one entry of localizeInfos.intervals: a date range, the daily
// intervals cut into slots on each date, how the dates repeat, and the
// exclusions. Field names and JSON tags are those of the wire.
type Item struct {
	ID           string      `json:"id"`
	Range        Range       `json:"range"`
	External     []Exclusion `json:"external"`
	Intervals    []Interval  `json:"intervals"`
	InEveryWeek  bool        `json:"inEveryWeek"`
	InEveryMonth bool        `json:"inEveryMonth"`
}

// MarshalJSON writes the item in the wire's shape; an empty exclusion list
// is written as [] as the platform does.
func (it Item) MarshalJSON() ([]byte, error) {
	type wire Item // drops the method, keeps the tags
	w := wire(it)
	if w.External == nil {
		w.External = []Exclusion{}
	}
	return json.Marshal(w)
}

// Interval is one daily window of an Item, cut into slots of Period minutes.
type Interval struct {
	ID     string `json:"id"`
	Start  Clock  `json:"start"`
	End    Clock  `json:"end"`
	Period int    `json:"period"`
}

// Clock is a wall-clock time of day. Hours run 0–24; 24:00 is the end of the
// day (the SDK's setUTCHours(24, 0) rolls over to the next midnight).
type Clock struct {
	Hours   int `json:"hours"`
	Minutes int `json:"minutes"`
}

// minutes returns the time of day in minutes since midnight.
func (c Clock) minutes() int { return c.Hours*60 + c.Minutes }

// Range is a pair of instants, [From, To], written on the wire as a
// two-element array of ISO strings.
type Range struct {
	From, To time.Time
}

// MarshalJSON writes the range as ["fromISO","toISO"] in UTC with milliseconds.
func (r Range) MarshalJSON() ([]byte, error) {
	return json.Marshal([2]string{r.From.UTC().Format(datetime.Layout), r.To.UTC().Format(datetime.Layout)})
}

// ExclusionKind tells which of the accepted shapes an [Exclusion] came in.
type ExclusionKind int

const (
	// ExclusionDate is {"date": ISO, "inEveryWeek"?, "inEveryMonth"?,
	// "inEveryYear"?, "externalTimes"?: [[fromISO, toISO], …]}, the shape
	// OneEntry's own demo app reads. The date matches a day when the year
	// matches (or inEveryYear), the month matches (or inEveryMonth), and the
	// weekday matches (inEveryWeek) or else the day of the month matches.
	// Without externalTimes (absent or null) the whole matching day is
	// excluded; with it, only slots overlapping the time of day of one of
	// its pairs (an empty list excludes nothing, as in the demo).
	ExclusionDate ExclusionKind = iota + 1
	// ExclusionRange is an item-shaped {"range": [fromISO, toISO],
	// "intervals"?: [{start, end}, …]}: no slots on the calendar days from
	// range[0] through range[1] or, with intervals, none overlapping those
	// daily windows on those days. Repetition flags are ignored.
	ExclusionRange
	// ExclusionSpan is a bare [fromISO, toISO] pair, the shape of a slot: no
	// slot overlapping that span of time; when both instants are equal, no
	// slot on that calendar day.
	ExclusionSpan
)

// Exclusion is one entry of an Item's external list. Kind says which fields
// are meaningful; the others are zero.
type Exclusion struct {
	Kind ExclusionKind

	// ExclusionDate.
	Date         time.Time
	InEveryWeek  bool
	InEveryMonth bool
	InEveryYear  bool
	// Times are the externalTimes pairs; nil means the whole day.
	Times []Range

	// ExclusionRange (Range, Intervals) and ExclusionSpan (Range).
	Range     Range
	Intervals []Interval
}

// MarshalJSON writes the exclusion in the shape it was parsed from.
func (e Exclusion) MarshalJSON() ([]byte, error) {
	switch e.Kind {
	case ExclusionDate:
		return json.Marshal(struct {
			Date          string  `json:"date"`
			InEveryWeek   bool    `json:"inEveryWeek"`
			InEveryMonth  bool    `json:"inEveryMonth"`
			InEveryYear   bool    `json:"inEveryYear"`
			ExternalTimes []Range `json:"externalTimes,omitzero"`
		}{e.Date.UTC().Format(datetime.Layout), e.InEveryWeek, e.InEveryMonth, e.InEveryYear, e.Times})
	case ExclusionRange:
		return json.Marshal(struct {
			Range     Range      `json:"range"`
			Intervals []Interval `json:"intervals,omitempty"`
		}{e.Range, e.Intervals})
	default:
		return json.Marshal(e.Range)
	}
}

// MarshalJSON writes the schedule as the wire's intervals array.
func (s Schedule) MarshalJSON() ([]byte, error) {
	if s.Items == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(s.Items)
}

// Slot is one bookable slot, in UTC.
type Slot struct {
	Start, End time.Time
}

// Value returns the slot as the wire writes it: ISO strings in UTC with
// milliseconds, e.g. "2025-04-26T16:30:00.000Z". A submission wraps it once
// more: formData value [[start, end]].
func (s Slot) Value() [2]string {
	return [2]string{s.Start.UTC().Format(datetime.Layout), s.End.UTC().Format(datetime.Layout)}
}

// Same reports whether o is the same slot: the same start and end instants.
func (s Slot) Same(o Slot) bool { return s.Start.Equal(o.Start) && s.End.Equal(o.End) }

// String returns the slot as "start/end" (ISO 8601 interval notation).
func (s Slot) String() string {
	v := s.Value()
	return v[0] + "/" + v[1]
}

// MarshalJSON writes the slot as its [start, end] pair.
func (s Slot) MarshalJSON() ([]byte, error) {
	return json.Marshal(s.Value())
}

// UnmarshalJSON reads a [start, end] pair of ISO strings with end after start.
func (s *Slot) UnmarshalJSON(data []byte) error {
	v, err := decodeValue(data)
	if err != nil {
		return err
	}
	slot, err := slotFromValue(v, "slot")
	if err != nil {
		return err
	}
	*s = slot
	return nil
}
