// Package budget writes the figures and verdicts of the performance tables, so the bench
// harness and the scale tests report a budget the same way.
package budget

import (
	"strconv"
	"strings"
	"time"
)

// Verdict says whether a figure keeps its budget: "met (< 50 ms)" or "**missed** (< 50 ms)".
func Verdict(ok bool, budget string) string {
	if ok {
		return "met (" + budget + ")"
	}
	return "**missed** (" + budget + ")"
}

// Micros writes d in microseconds with one decimal: "29.3 µs".
func Micros(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Microsecond), 'f', 1, 64) + " µs"
}

// Thousands writes n with comma thousands separators: 1,000,000.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	digits := strings.TrimPrefix(s, "-")
	var b strings.Builder
	b.WriteString(s[:len(s)-len(digits)])
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
