package store

import (
	"sync"
	"time"

	"github.com/oneentry-mock/oneentry-mock/datetime"
)

// Clock is the mock's notion of now. Every time-dependent rule (token expiry, createdDate, error
// timestamps) reads it, so tests and users can freeze or advance time instead of waiting.
// The zero value is not usable; use NewClock.
type Clock struct {
	mu     sync.Mutex
	base   func() time.Time
	offset datetime.Span
	frozen *time.Time
}

// NewClock returns a clock that follows base (time.Now when nil).
func NewClock(base func() time.Time) *Clock {
	if base == nil {
		base = time.Now
	}
	return &Clock{base: base}
}

// Now returns the current mock time in UTC. A running clock that passes the end of the supported
// range (see package datetime) stays at its last instant rather than writing a year it could not
// read back.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *Clock) nowLocked() time.Time {
	return clockSetting{offset: c.offset, frozen: c.frozen}.shows(c.base())
}

// Advance moves the clock forward by d (backwards when d is negative), frozen or not, and returns
// the time it then shows. A move that would leave the supported range changes nothing.
func (c *Clock) Advance(d time.Duration) (time.Time, error) {
	return c.Apply(ClockChange{Advance: d})
}

// Freeze stops the clock at its current reading.
func (c *Clock) Freeze() time.Time {
	frozen := true
	t, _ := c.Apply(ClockChange{Freeze: &frozen}) // freezing alone cannot leave the range
	return t
}

// Unfreeze lets a frozen clock run again from the time it shows.
func (c *Clock) Unfreeze() {
	frozen := false
	_, _ = c.Apply(ClockChange{Freeze: &frozen}) // unfreezing alone cannot leave the range
}

// Set makes the clock show t; a frozen clock stays frozen at t. A t outside the supported range
// changes nothing.
func (c *Clock) Set(t time.Time) error {
	_, err := c.Apply(ClockChange{Set: &t})
	return err
}

// Reset returns the clock to real time, running.
func (c *Clock) Reset() {
	_, _ = c.Apply(ClockChange{Reset: true}) // real time is always in range
}

// Frozen reports whether the clock is stopped.
func (c *Clock) Frozen() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.frozen != nil
}

// clockSetting is everything that decides what a Clock shows, relative to its base: what a
// state document and the data dir keep of it.
type clockSetting struct {
	offset datetime.Span
	frozen *time.Time
}

// shows is the time a clock with this setting shows when its base reads base.
func (st clockSetting) shows(base time.Time) time.Time {
	if st.frozen != nil {
		return *st.frozen
	}
	return datetime.Clamp(st.offset.From(base))
}

func (a clockSetting) equal(b clockSetting) bool {
	if a.offset != b.offset || (a.frozen == nil) != (b.frozen == nil) {
		return false
	}
	return a.frozen == nil || a.frozen.Equal(*b.frozen)
}

// setting returns the clock's offset and frozen reading.
func (c *Clock) setting() clockSetting {
	c.mu.Lock()
	defer c.mu.Unlock()
	return clockSetting{offset: c.offset, frozen: clonePtr(c.frozen)}
}

// restore puts the clock back to a setting taken by setting.
func (c *Clock) restore(st clockSetting) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = st.offset
	c.frozen = nil
	if st.frozen != nil {
		t := st.frozen.UTC()
		c.frozen = &t
	}
}

// ClockChange is one request to change a clock. Its parts apply in this order: Reset, Set,
// Advance, then Freeze (true stops the clock, false lets it run).
type ClockChange struct {
	Reset   bool
	Set     *time.Time
	Advance time.Duration
	Freeze  *bool
}

// Apply makes change as one step and returns the time the clock then shows: when any part would
// take the clock out of the supported range, nothing changes and the error names that part
// ("set" or "advance"). Every other way of changing a clock goes through it.
//
// The setting it keeps is always one a state document can carry back: a frozen clock keeps no
// offset (unfreezing runs on from the frozen time, so an old offset would only be a stale number
// that may point past year 9999), and a running clock's offset is taken from the time it shows,
// never from one that ran past the last instant, so advancing from the end moves from the end.
func (c *Clock) Apply(change ClockChange) (time.Time, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	base := c.base() // read once, so that every part of the change sees the same instant
	next := clockSetting{offset: c.offset, frozen: c.frozen}
	show := func(t time.Time) {
		if next.frozen != nil {
			next.frozen = &t
		} else {
			next.offset = datetime.Between(base, t)
		}
	}
	if change.Reset {
		next = clockSetting{}
	}
	if change.Set != nil {
		t := change.Set.UTC()
		if err := datetime.Check(t); err != nil {
			return time.Time{}, invalidf("set", "%s %v", t.Format(time.RFC3339Nano), err)
		}
		show(t)
	}
	if change.Advance != 0 {
		t, err := datetime.Add(next.shows(base), change.Advance)
		if err != nil {
			return time.Time{}, invalidf("advance", "%s would take the clock to a time that %v", change.Advance, err)
		}
		show(t)
	}
	if change.Freeze != nil {
		switch {
		case *change.Freeze && next.frozen == nil:
			t := next.shows(base)
			next.frozen = &t
		case !*change.Freeze && next.frozen != nil:
			next.offset = datetime.Between(base, *next.frozen)
			next.frozen = nil
		}
	}
	if next.frozen != nil {
		next.offset = datetime.Span{}
	} else {
		show(next.shows(base))
	}
	c.offset, c.frozen = next.offset, next.frozen
	return next.shows(base), nil
}

// after is t moved on by d, at most the last instant a date-time can show (datetime.Max):
// a lifetime that would run past it ends there, as the clock itself does, so every stored time
// stays one the state document can write.
func after(t time.Time, d time.Duration) time.Time {
	if u := t.Add(d); u.Before(datetime.Max) {
		return u
	}
	return datetime.Max
}
