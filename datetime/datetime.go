// Package datetime is the one place that decides which date-times the project accepts and how it
// writes them. The live API writes instants as JavaScript's toISOString does: UTC, milliseconds,
// a four-digit year. Years outside 0001–9999 would need ISO 8601's expanded form ("+010000",
// "-000001"), which neither the live API nor this project reads back, so an instant is accepted
// only when its UTC reading falls in that range: whatever is accepted can be written and read
// again unchanged.
package datetime

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Layout is the wire form of an instant: ISO 8601 in UTC with milliseconds.
const Layout = "2006-01-02T15:04:05.000Z"

// Min and Max bound every accepted instant, in UTC.
var (
	Min = time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC)
	Max = time.Date(9999, time.December, 31, 23, 59, 59, int(999*time.Millisecond), time.UTC)
)

// ErrOutOfRange reports an instant outside Min..Max.
var ErrOutOfRange = errors.New("is outside the supported range 0001-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z")

// Check reports whether t, read in UTC, lies in Min..Max.
func Check(t time.Time) error {
	if t.Before(Min) || t.After(Max) {
		return ErrOutOfRange
	}
	return nil
}

// Parse reads an ISO 8601 date-time with a zone designator ("Z" or ±hh:mm), as Go's RFC 3339
// parser accepts it (so a leap second, which Go refuses, is refused here too), and returns it in
// UTC truncated to milliseconds, as JavaScript's Date keeps it.
func Parse(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an ISO 8601 date-time with a zone, like \"2025-04-26T16:30:00.000Z\"", s)
	}
	t = t.UTC().Truncate(time.Millisecond)
	if err := Check(t); err != nil {
		return time.Time{}, fmt.Errorf("%q %w", s, err)
	}
	return t, nil
}

// ParseDate reads a calendar date ("2006-01-02") as UTC midnight, as JavaScript's Date does.
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an ISO 8601 date like \"2025-04-26\"", s)
	}
	if err := Check(t); err != nil {
		return time.Time{}, fmt.Errorf("%q %w", s, err)
	}
	return t, nil
}

// Format writes t in the wire form. Instants past the range are written as Max and instants
// before it as Min, so that nothing this project writes fails to parse.
func Format(t time.Time) string {
	return Clamp(t).Format(Layout)
}

// Clamp returns t in UTC, saturated to Min..Max.
func Clamp(t time.Time) time.Time {
	t = t.UTC()
	switch {
	case t.Before(Min):
		return Min
	case t.After(Max):
		return Max
	}
	return t
}

// Add returns t+d, or ErrOutOfRange when the sum leaves Min..Max. t must be in range; a d of any
// size is safe (time.Time.Add cannot overflow within this range, since Max-Min is far below the
// span time.Time represents).
func Add(t time.Time, d time.Duration) (time.Time, error) {
	if err := Check(t); err != nil {
		return time.Time{}, err
	}
	sum := t.Add(d)
	if err := Check(sum); err != nil {
		return time.Time{}, err
	}
	return sum.UTC(), nil
}

// Span is a signed distance between two instants of the supported range. Unlike time.Duration,
// which stops at about 292 years, it covers the whole range, so a clock can be set anywhere in it.
type Span struct {
	seconds int64
	nanos   int64 // 0 <= nanos < 1e9
}

// Between returns b-a.
func Between(a, b time.Time) Span {
	return newSpan(b.Unix()-a.Unix(), int64(b.Nanosecond())-int64(a.Nanosecond()))
}

// SpanOf returns d as a Span.
func SpanOf(d time.Duration) Span {
	return newSpan(int64(d/time.Second), int64(d%time.Second))
}

func newSpan(sec, nsec int64) Span {
	sec += nsec / 1e9
	nsec %= 1e9
	if nsec < 0 {
		sec--
		nsec += 1e9
	}
	return Span{seconds: sec, nanos: nsec}
}

// Plus returns s+o. Sums stay far from overflow for spans between instants of the range.
func (s Span) Plus(o Span) Span { return newSpan(s.seconds+o.seconds, s.nanos+o.nanos) }

// From returns t moved by s.
func (s Span) From(t time.Time) time.Time {
	return time.Unix(t.Unix()+s.seconds, int64(t.Nanosecond())+s.nanos).UTC()
}

// IsZero reports whether s is no distance at all.
func (s Span) IsZero() bool { return s.seconds == 0 && s.nanos == 0 }

// maxSpanSeconds bounds a parsed span to twice the range, which no clock setting needs to exceed.
const maxSpanSeconds = 2 * 10000 * 366 * 24 * 3600

// String writes s as a Go duration ("1h30m0s", "-2h0m0s"); beyond what time.Duration holds,
// the hours are written whole before the rest ("69842160h1m2.5s"). ParseSpan reads both.
func (s Span) String() string {
	if d, ok := s.duration(); ok {
		return d.String()
	}
	neg := s.seconds < 0
	a := s
	if neg {
		a = newSpan(-s.seconds, -s.nanos)
	}
	hours := a.seconds / 3600
	rest := time.Duration(a.seconds%3600)*time.Second + time.Duration(a.nanos)
	sign := ""
	if neg {
		sign = "-"
	}
	return fmt.Sprintf("%s%dh%s", sign, hours, rest)
}

func (s Span) duration() (time.Duration, bool) {
	const limit = math.MaxInt64/int64(time.Second) - 1
	if s.seconds > limit || s.seconds < -limit {
		return 0, false
	}
	return time.Duration(s.seconds)*time.Second + time.Duration(s.nanos), true
}

// ParseSpan reads what Span.String writes: a Go duration, or whole hours of any size followed by
// a Go duration of less than an hour.
func ParseSpan(v string) (Span, error) {
	if d, err := time.ParseDuration(v); err == nil {
		return SpanOf(d), nil
	}
	body, neg := v, false
	if len(body) > 0 && (body[0] == '-' || body[0] == '+') {
		neg, body = body[0] == '-', body[1:]
	}
	var hours int64
	i := 0
	for ; i < len(body) && body[i] >= '0' && body[i] <= '9'; i++ {
		hours = hours*10 + int64(body[i]-'0')
		if hours > maxSpanSeconds/3600 {
			return Span{}, fmt.Errorf("%q is longer than any clock setting", v)
		}
	}
	if i == 0 || i >= len(body) || body[i] != 'h' {
		return Span{}, fmt.Errorf("%q is not a duration such as 0s, 90m or 2h30m", v)
	}
	rest := time.Duration(0)
	if tail := body[i+1:]; tail != "" {
		d, err := time.ParseDuration(tail)
		if err != nil || d < 0 || d >= time.Hour || tail[0] == '-' || tail[0] == '+' {
			return Span{}, fmt.Errorf("%q is not a duration such as 0s, 90m or 2h30m", v)
		}
		rest = d
	}
	s := newSpan(hours*3600, 0).Plus(SpanOf(rest))
	if neg {
		s = newSpan(-s.seconds, -s.nanos)
	}
	return s, nil
}
