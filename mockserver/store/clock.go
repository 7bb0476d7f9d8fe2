package store

import (
	"sync"
	"time"
)

// Clock is the mock's notion of now. Every time-dependent rule (token expiry, createdDate, error
// timestamps) reads it, so tests and users can freeze or advance time instead of waiting.
// The zero value is not usable; use NewClock.
type Clock struct {
	mu     sync.Mutex
	base   func() time.Time
	offset time.Duration
	frozen *time.Time
}

// NewClock returns a clock that follows base (time.Now when nil).
func NewClock(base func() time.Time) *Clock {
	if base == nil {
		base = time.Now
	}
	return &Clock{base: base}
}

// Now returns the current mock time in UTC.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen != nil {
		return *c.frozen
	}
	return c.base().Add(c.offset).UTC()
}

// Advance moves the clock forward by d (backwards when d is negative), frozen or not.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen != nil {
		t := c.frozen.Add(d)
		c.frozen = &t
		return t
	}
	c.offset += d
	return c.base().Add(c.offset).UTC()
}

// Freeze stops the clock at its current reading.
func (c *Clock) Freeze() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen == nil {
		t := c.base().Add(c.offset).UTC()
		c.frozen = &t
	}
	return *c.frozen
}

// Unfreeze lets a frozen clock run again from the time it shows.
func (c *Clock) Unfreeze() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen != nil {
		c.offset = c.frozen.Sub(c.base())
		c.frozen = nil
	}
}

// Set makes the clock show t; a frozen clock stays frozen at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen != nil {
		t := t.UTC()
		c.frozen = &t
		return
	}
	c.offset = t.Sub(c.base())
}

// Reset returns the clock to real time, running.
func (c *Clock) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = 0
	c.frozen = nil
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
	offset time.Duration
	frozen *time.Time
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
	st := clockSetting{offset: c.offset}
	if c.frozen != nil {
		t := *c.frozen
		st.frozen = &t
	}
	return st
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
