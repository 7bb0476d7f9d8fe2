package webhook

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxResponseExcerpt is how many bytes of a receiver's response body an attempt keeps.
const MaxResponseExcerpt = 2 << 10

// Status is the state of a delivery in the log.
type Status string

// Delivery states: pending until a receiver answers 2xx (delivered) or the dispatcher gives
// up (failed).
const (
	StatusPending   Status = "pending"
	StatusDelivered Status = "delivered"
	StatusFailed    Status = "failed"
)

// Valid reports whether s is one of the defined states.
func (s Status) Valid() bool {
	return s == StatusPending || s == StatusDelivered || s == StatusFailed
}

// Attempt is one POST of a delivery.
type Attempt struct {
	// At is when the attempt started, on the dispatcher's clock; the signature carries it.
	At time.Time `json:"at"`
	// StatusCode is the receiver's status, zero if no response arrived.
	StatusCode int `json:"statusCode,omitempty"`
	// ResponseBody is the start of the response body (at most MaxResponseExcerpt bytes,
	// invalid UTF-8 replaced).
	ResponseBody string `json:"responseBody,omitempty"`
	// ResponseTruncated reports that the body was longer than ResponseBody.
	ResponseTruncated bool `json:"responseTruncated,omitempty"`
	// Error describes a failed attempt: a non-2xx status, a network error or a timeout.
	Error string `json:"error,omitempty"`
	// Duration is the wall time from sending to the end of the excerpt. It is encoded in
	// JSON as durationMs.
	Duration time.Duration `json:"-"`
}

type attemptJSON struct {
	*attemptFields
	DurationMS float64 `json:"durationMs"`
}

type attemptFields Attempt // no methods, so encoding it does not recurse

// MarshalJSON encodes the attempt with its duration in milliseconds, the unit people read
// response times in.
func (a Attempt) MarshalJSON() ([]byte, error) {
	return json.Marshal(attemptJSON{(*attemptFields)(&a), float64(a.Duration) / float64(time.Millisecond)})
}

// UnmarshalJSON is the inverse of MarshalJSON.
func (a *Attempt) UnmarshalJSON(b []byte) error {
	v := attemptJSON{attemptFields: (*attemptFields)(a)}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	a.Duration = time.Duration(v.DurationMS * float64(time.Millisecond))
	return nil
}

// Record is a delivery as the log shows it.
type Record struct {
	ID        string `json:"id"`
	Event     string `json:"event"`
	URL       string `json:"url"`
	RequestID string `json:"requestId,omitempty"`
	Status    Status `json:"status"`
	// Error says why a failed delivery failed.
	Error    string    `json:"error,omitempty"`
	Attempts []Attempt `json:"attempts"`
	// Body is the payload sent (null when it was rejected as invalid JSON).
	Body    json.RawMessage `json:"body"`
	Created time.Time       `json:"createdAt"`
	// NextAttempt is when a pending delivery will be retried, zero while an attempt runs or
	// once it is finished.
	NextAttempt time.Time `json:"nextAttemptAt,omitzero"`

	// secret signed the delivery; kept so that Redeliver signs the copy alike.
	secret []byte
}

// size approximates the memory the record holds: its strings, payload and attempts.
func (r *Record) size() int {
	n := len(r.ID) + len(r.Event) + len(r.URL) + len(r.RequestID) + len(r.Error) + len(r.Body)
	for _, a := range r.Attempts {
		n += 64 + len(a.ResponseBody) + len(a.Error)
	}
	return n
}

func (r *Record) clone() Record {
	c := *r
	c.Attempts = append([]Attempt{}, r.Attempts...)
	c.Body = bytes.Clone(r.Body)
	return c
}

// Filter selects records for List. Zero fields match everything.
type Filter struct {
	Event  string
	Status string
	// RequestID keeps the deliveries caused by one API request.
	RequestID string
	// Limit caps the result; zero or less means no cap.
	Limit int
}

// readExcerpt reads up to MaxResponseExcerpt bytes as valid UTF-8, so the excerpt can be
// shown as JSON text whatever the receiver sent. A read error ends the excerpt early; the
// status code has already decided the attempt.
func readExcerpt(r io.Reader) (string, bool) {
	b, _ := io.ReadAll(io.LimitReader(r, MaxResponseExcerpt+1))
	truncated := len(b) > MaxResponseExcerpt
	if truncated {
		b = b[:MaxResponseExcerpt]
		// Drop a rune cut in half by the limit rather than showing it as U+FFFD.
		if i := lastRuneStart(b); !utf8.FullRune(b[i:]) {
			b = b[:i]
		}
	}
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	if len(s) > MaxResponseExcerpt {
		// Replacement characters are longer than the bytes they replace.
		cut := MaxResponseExcerpt
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s, truncated = s[:cut], true
	}
	return s, truncated
}

func lastRuneStart(b []byte) int {
	i := len(b) - 1
	for i > 0 && len(b)-i < utf8.UTFMax && !utf8.RuneStart(b[i]) {
		i--
	}
	return i
}
