package datetime

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseBoundaries(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in      string
		want    string // the wire form; empty when the input is refused
		inRange bool   // false: refused for the range rather than the syntax
	}{
		"first instant":                     {in: "0001-01-01T00:00:00Z", want: "0001-01-01T00:00:00.000Z", inRange: true},
		"first day, negative offset":        {in: "0001-01-01T00:00:00-05:00", want: "0001-01-01T05:00:00.000Z", inRange: true},
		"first day, positive offset":        {in: "0001-01-01T00:30:00+01:00", inRange: false},
		"first day, positive offset, later": {in: "0001-01-01T01:00:00+01:00", want: "0001-01-01T00:00:00.000Z", inRange: true},
		"last day":                          {in: "9999-12-31T00:00:00Z", want: "9999-12-31T00:00:00.000Z", inRange: true},
		"last instant":                      {in: "9999-12-31T23:59:59.999Z", want: "9999-12-31T23:59:59.999Z", inRange: true},
		"last instant, extra precision":     {in: "9999-12-31T23:59:59.9999999Z", want: "9999-12-31T23:59:59.999Z", inRange: true},
		"last day, negative offset":         {in: "9999-12-31T22:00:00-02:00", inRange: false},
		"last day, negative offset, early":  {in: "9999-12-31T21:59:59-02:00", want: "9999-12-31T23:59:59.000Z", inRange: true},
		"last day, positive offset":         {in: "9999-12-31T23:59:59+05:00", want: "9999-12-31T18:59:59.000Z", inRange: true},
		"year zero":                         {in: "0000-01-01T00:00:00Z", inRange: false},
		"year zero, the fuzz finding":       {in: "0000-01-01T0:00:00+01:00", inRange: false},
		"expanded negative year":            {in: "-0001-12-31T23:00:00.000Z"},
		"expanded five-digit year":          {in: "10000-01-01T00:00:00Z"},
		"leap second (Go refuses it)":       {in: "2016-12-31T23:59:60Z"},
		"no zone":                           {in: "2025-04-26T16:30:00"},
		"date only":                         {in: "2025-04-26"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(tc.in)
			if tc.want == "" {
				require.Error(t, err)
				assert.Equal(t, tc.inRange == false && errors.Is(err, ErrOutOfRange), errors.Is(err, ErrOutOfRange), "range or syntax: %v", err)
				assert.Contains(t, err.Error(), tc.in)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, Format(got))
			again, err := Parse(Format(got))
			require.NoError(t, err, "what is accepted must read back")
			assert.True(t, again.Equal(got))
		})
	}
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	for in, ok := range map[string]bool{"0001-01-01": true, "9999-12-31": true, "0000-12-31": false, "2025-02-29": false, "2024-02-29": true} {
		_, err := ParseDate(in)
		assert.Equal(t, ok, err == nil, "%s: %v", in, err)
	}
}

func TestAddStaysInRange(t *testing.T) {
	t.Parallel()
	const maxDuration = time.Duration(1<<63 - 1)
	got, err := Add(Min, maxDuration)
	require.NoError(t, err)
	assert.Equal(t, Min.Add(maxDuration), got)
	_, err = Add(got, maxDuration)
	require.NoError(t, err, "two maximal steps from year 1 still land in the range")
	_, err = Add(Max, time.Millisecond)
	assert.ErrorIs(t, err, ErrOutOfRange)
	_, err = Add(Min, -time.Nanosecond)
	assert.ErrorIs(t, err, ErrOutOfRange)
	_, err = Add(Max.Add(-time.Hour), maxDuration)
	assert.ErrorIs(t, err, ErrOutOfRange, "a step past the end is refused, not wrapped")
}

func TestFormatClamps(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "9999-12-31T23:59:59.999Z", Format(Max.Add(time.Hour)))
	assert.Equal(t, "0001-01-01T00:00:00.000Z", Format(Min.Add(-time.Hour)))
}

func TestSpanRoundTrip(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 5, 0, 0, 123_456_789, time.UTC)
	for _, target := range []time.Time{Min, Max, now, now.Add(-90 * time.Minute), now.Add(2 * time.Hour)} {
		s := Between(now, target)
		assert.True(t, s.From(now).Equal(target), "%s from now", target)
		back, err := ParseSpan(s.String())
		require.NoError(t, err, s.String())
		assert.Equal(t, s, back, s.String())
	}
	assert.Equal(t, "2h0m0s", SpanOf(2*time.Hour).String(), "short spans are plain Go durations")
	for _, bad := range []string{"", "h", "1h-5m", "99999999999999999h", "abc", "99999999h90m", "99999999h-1s"} {
		_, err := ParseSpan(bad)
		assert.Error(t, err, bad)
	}
}
