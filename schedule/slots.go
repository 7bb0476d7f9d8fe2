package schedule

import (
	"math"
	"slices"
	"time"
)

// Options selects which slots to expand and how to read the schedule.
type Options struct {
	// Location is the project's time zone, in which the schedule's dates
	// and hours are read; nil means UTC, which is what the SDK does.
	Location *time.Location
	// From and To bound slot starts to [From, To); a zero value leaves that
	// side open. Repetition is finite anyway (12 months past each start
	// date, as in the SDK), but a long date range with short periods can
	// still mean millions of slots: bound To or Limit when listing.
	From, To time.Time
	// Limit caps the number of slots returned, earliest first; 0 means all.
	Limit int
}

func (o Options) loc() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

func (o Options) admits(start time.Time) bool {
	return (o.From.IsZero() || !start.Before(o.From)) && (o.To.IsZero() || start.Before(o.To))
}

// Slots returns the schedule's slots whose start lies in the window, sorted
// by start then end, without duplicates.
func (s Schedule) Slots(opts Options) []Slot {
	loc := opts.loc()
	// A slot's start is a wall-clock time before 24:00 on its date, so its
	// local calendar day is that date: the window maps to days exactly.
	lo, hi := day(math.MinInt32), day(math.MaxInt32)
	if !opts.From.IsZero() {
		lo = localDay(opts.From, loc)
	}
	if !opts.To.IsZero() {
		hi = localDay(opts.To, loc)
	}
	if lo > hi {
		return nil
	}

	items := make([]compiledItem, len(s.Items))
	onDay := map[day][]int{}
	for i := range s.Items {
		items[i] = compile(&s.Items[i], loc)
		s.Items[i].eachDay(loc, lo, hi, func(d day) {
			if l := onDay[d]; len(l) == 0 || l[len(l)-1] != i {
				onDay[d] = append(l, i)
			}
		})
	}
	days := make([]day, 0, len(onDay))
	for d := range onDay {
		days = append(days, d)
	}
	slices.Sort(days)

	var out, buf []Slot
	for _, d := range days {
		buf = buf[:0]
		for _, i := range onDay[d] {
			buf = items[i].slotsOn(d, loc, buf)
		}
		slices.SortFunc(buf, compareSlots)
		buf = slices.CompactFunc(buf, func(a, b Slot) bool { return compareSlots(a, b) == 0 })
		for _, sl := range buf {
			if !opts.admits(sl.Start) {
				continue
			}
			out = append(out, sl)
			if opts.Limit > 0 && len(out) == opts.Limit {
				return out
			}
		}
	}
	return out
}

// Contains reports whether slot is exactly one of the slots that Slots
// returns for opts (ignoring Limit): same start and same end. The store
// passes From: now to refuse slots in the past.
func (s Schedule) Contains(slot Slot, opts Options) bool {
	if !slot.End.After(slot.Start) || !opts.admits(slot.Start) {
		return false
	}
	narrow := opts
	narrow.From, narrow.To, narrow.Limit = slot.Start, slot.Start.Add(time.Nanosecond), 0
	for _, c := range s.Slots(narrow) {
		if c.Start.Equal(slot.Start) && c.End.Equal(slot.End) {
			return true
		}
	}
	return false
}

// Next returns the first slot starting strictly after now within the
// window of opts, and false when there is none.
func (s Schedule) Next(now time.Time, opts Options) (Slot, bool) {
	after := now.Add(time.Nanosecond)
	if opts.From.IsZero() || opts.From.Before(after) {
		opts.From = after
	}
	opts.Limit = 1
	got := s.Slots(opts)
	if len(got) == 0 {
		return Slot{}, false
	}
	return got[0], true
}

func compareSlots(a, b Slot) int {
	if c := a.Start.Compare(b.Start); c != 0 {
		return c
	}
	return a.End.Compare(b.End)
}

// day is a calendar date counted in days since 1970-01-01 (proleptic
// Gregorian), free of any time zone: date arithmetic happens on days and
// only wall-clock times are placed into a Location.
type day int64

func dayOf(y int, m time.Month, d int) day {
	return day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func localDay(t time.Time, loc *time.Location) day {
	return dayOf(t.In(loc).Date())
}

func (d day) date() (int, time.Month, int) {
	return time.Unix(int64(d)*86400, 0).UTC().Date()
}

func (d day) weekday() time.Weekday {
	return time.Weekday(((int64(d)+4)%7 + 7) % 7) // 1970-01-01 was a Thursday
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// monthsAfter returns the year and month n months after y-m.
func monthsAfter(y int, m time.Month, n int) (int, time.Month) {
	t := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	return t.Year(), t.Month()
}

// sinceMidnight returns t's wall-clock time of day in loc.
func sinceMidnight(t time.Time, loc *time.Location) time.Duration {
	h, m, s := t.In(loc).Clock()
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
		time.Duration(s)*time.Second + time.Duration(t.Nanosecond())
}

// eachDay calls fn for every date in [lo, hi] on which the item has slots
// (before exclusions), possibly more than once for the same date.
func (it *Item) eachDay(loc *time.Location, lo, hi day, fn func(day)) {
	if len(it.Intervals) == 0 || !it.InEveryWeek && !it.InEveryMonth {
		return
	}
	first := localDay(it.Range.From, loc)
	last := localDay(it.Range.To, loc)
	// The SDK's day loop keeps range[0]'s time of day and stops once that
	// passes range[1]; compared on the wall clock so a DST change between
	// the two cannot drop or add a day.
	if sinceMidnight(it.Range.From, loc) > sinceMidnight(it.Range.To, loc) {
		last--
	}
	// A start date's repetitions stay within its month and the 11 after it
	// (and, for weekday repetition, start at its month's first day), so
	// start dates far outside the window cannot contribute.
	first = max(first, lo-12*31)
	last = min(last, hi+31)
	emit := func(d day) {
		if d >= lo && d <= hi {
			fn(d)
		}
	}
	for r := first; r <= last; r++ {
		y, m, dom := r.date()
		switch {
		case it.InEveryWeek && !it.InEveryMonth:
			end := r + day(daysIn(y, m)-dom)
			for d := r; d <= end; d += 7 {
				emit(d)
			}
		case it.InEveryMonth && !it.InEveryWeek:
			for i := range 12 {
				yy, mm := monthsAfter(y, m, i)
				if dom <= daysIn(yy, mm) {
					emit(dayOf(yy, mm, dom))
				}
			}
		default: // both
			wd := r.weekday()
			for i := range 12 {
				yy, mm := monthsAfter(y, m, i)
				start := dayOf(yy, mm, 1)
				end := start + day(daysIn(yy, mm)-1)
				if end < lo || start > hi {
					continue
				}
				for d := start + day((int(wd)-int(start.weekday())+7)%7); d <= end; d += 7 {
					emit(d)
				}
			}
		}
	}
}

// wallToInstant places the wall-clock time minute minutes after midnight of d
// into loc. ok is false when that wall-clock time does not exist (a DST
// gap); t is then read with the offset in force before the gap. A time that
// occurs twice resolves to its first occurrence.
func wallToInstant(d day, minute int, loc *time.Location) (t time.Time, ok bool) {
	naive := int64(d)*86400 + int64(minute)*60
	if loc == time.UTC {
		return time.Unix(naive, 0).UTC(), true
	}
	var best int64
	found := false
	minOff := math.MaxInt
	for _, probe := range [...]int64{naive - 86400, naive, naive + 86400} {
		_, off := time.Unix(probe, 0).In(loc).Zone()
		minOff = min(minOff, off)
		cand := naive - int64(off)
		if _, got := time.Unix(cand, 0).In(loc).Zone(); got == off && (!found || cand < best) {
			best, found = cand, true
		}
	}
	if found {
		return time.Unix(best, 0).UTC(), true
	}
	// Offsets only jump forward across a gap, so the smallest one seen is
	// the one before it.
	return time.Unix(naive-int64(minOff), 0).UTC(), false
}

// compiledItem is an Item with its exclusions read in one Location.
type compiledItem struct {
	item *Item
	excl []compiledExclusion
}

// window is a span of wall-clock time of day, [from, to).
type window struct{ from, to time.Duration }

type compiledExclusion struct {
	kind ExclusionKind

	// ExclusionDate: the date's fields in loc and which of them may vary.
	year                           int
	month                          time.Month
	dom                            int
	weekday                        time.Weekday
	everyWeek, everyMonth, everyYr bool
	// ExclusionRange: the days covered.
	lo, hi day
	// ExclusionDate, ExclusionRange: nil means the whole day.
	windows []window
	// ExclusionSpan.
	from, to time.Time
}

func compile(it *Item, loc *time.Location) compiledItem {
	c := compiledItem{item: it, excl: make([]compiledExclusion, 0, len(it.External))}
	for _, e := range it.External {
		ce := compiledExclusion{kind: e.Kind}
		switch e.Kind {
		case ExclusionDate:
			d := e.Date.In(loc)
			ce.year, ce.month, ce.dom = d.Date()
			ce.weekday = d.Weekday()
			ce.everyWeek, ce.everyMonth, ce.everyYr = e.InEveryWeek, e.InEveryMonth, e.InEveryYear
			if e.Times != nil {
				ce.windows = make([]window, 0, len(e.Times))
				for _, t := range e.Times {
					from := sinceMidnight(t.From, loc)
					ce.windows = append(ce.windows, window{from, from + t.To.Sub(t.From)})
				}
			}
		case ExclusionRange:
			ce.lo, ce.hi = localDay(e.Range.From, loc), localDay(e.Range.To, loc)
			for _, iv := range e.Intervals {
				ce.windows = append(ce.windows, window{
					time.Duration(iv.Start.minutes()) * time.Minute,
					time.Duration(iv.End.minutes()) * time.Minute,
				})
			}
		case ExclusionSpan:
			ce.from, ce.to = e.Range.From, e.Range.To
			ce.lo = localDay(e.Range.From, loc)
		}
		c.excl = append(c.excl, ce)
	}
	return c
}

// matchesDay reports whether a date exclusion names day d, with the rules
// of OneEntry's demo app: year and month must match unless the exclusion
// repeats every year or month, then the weekday (weekly) or the day of the
// month must match.
func (e *compiledExclusion) matchesDay(d day) bool {
	y, m, dom := d.date()
	switch {
	case !e.everyYr && y != e.year, !e.everyMonth && m != e.month:
		return false
	case e.everyWeek:
		return d.weekday() == e.weekday
	default:
		return dom == e.dom
	}
}

// excludes reports whether the exclusion removes the slot on day d whose
// wall-clock span is [a, b) and whose instants are sl.
func (e *compiledExclusion) excludes(d day, a, b time.Duration, sl Slot) bool {
	switch e.kind {
	case ExclusionDate:
		if !e.matchesDay(d) {
			return false
		}
	case ExclusionRange:
		if d < e.lo || d > e.hi {
			return false
		}
		if len(e.windows) == 0 {
			return true
		}
	case ExclusionSpan:
		if e.from.Equal(e.to) {
			return d == e.lo
		}
		return sl.Start.Before(e.to) && e.from.Before(sl.End)
	}
	if e.windows == nil {
		return true
	}
	for _, w := range e.windows {
		if a < w.to && w.from < b {
			return true
		}
	}
	return false
}

// slotsOn appends the item's slots on day d to out, exclusions applied.
func (c *compiledItem) slotsOn(d day, loc *time.Location, out []Slot) []Slot {
	for _, iv := range c.item.Intervals {
		end := iv.End.minutes()
		for a := iv.Start.minutes(); a+iv.Period <= end; a += iv.Period {
			b := a + iv.Period
			start, ok := wallToInstant(d, a, loc)
			if !ok {
				continue // the wall clock skips this start on a spring-forward day
			}
			stop, _ := wallToInstant(d, b, loc)
			if !stop.After(start) {
				continue
			}
			sl := Slot{Start: start, End: stop}
			if c.excluded(d, time.Duration(a)*time.Minute, time.Duration(b)*time.Minute, sl) {
				continue
			}
			out = append(out, sl)
		}
	}
	return out
}

func (c *compiledItem) excluded(d day, a, b time.Duration, sl Slot) bool {
	for i := range c.excl {
		if c.excl[i].excludes(d, a, b, sl) {
			return true
		}
	}
	return false
}
