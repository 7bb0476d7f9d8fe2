package exchange

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// Exchange is one request and its response. Header names are lower case and only the headers
// that matter are kept. A JSON body is kept as JSON in RequestBody/ResponseBody; any other body
// as text in RequestText/ResponseText.
type Exchange struct {
	Method string `json:"method"`
	// Path is the URL path as sent, e.g. /api/content/orders-storage/marker/tickets/orders/92.
	Path string `json:"path"`
	// Query is the raw query string without "?".
	Query          string            `json:"query,omitempty"`
	RequestHeaders map[string]string `json:"requestHeaders,omitempty"`
	RequestBody    json.RawMessage   `json:"requestBody,omitempty"`
	RequestText    string            `json:"requestText,omitempty"`
	// RequestBytes holds a body that is not valid UTF-8 (a file), which text would alter;
	// JSON writes it in base64.
	RequestBytes []byte `json:"requestBytes,omitempty"`
	// Status is the response status; 0 when the exchange failed (see Error).
	Status          int               `json:"status"`
	ResponseHeaders map[string]string `json:"responseHeaders,omitempty"`
	ResponseBody    json.RawMessage   `json:"responseBody,omitempty"`
	ResponseText    string            `json:"responseText,omitempty"`
	ResponseBytes   []byte            `json:"responseBytes,omitempty"`
	// Truncated is set when a body was longer than the recorder keeps.
	Truncated bool `json:"truncated,omitempty"`
	// Error is the transport error when no response arrived.
	Error string `json:"error,omitempty"`
	// StartedAt is when the request was sent (RFC 3339 with milliseconds, UTC).
	StartedAt string `json:"startedAt,omitempty"`
	// DurationMs is the time from sending the request to reading the whole answer.
	DurationMs float64 `json:"durationMs,omitempty"`
}

// Millis converts d to the fractional milliseconds of DurationMs, to the microsecond.
func Millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Body returns the response body as bytes, whichever way it is held.
func (e *Exchange) Body() []byte { return payload(e.ResponseBody, e.ResponseBytes, e.ResponseText) }

// RequestPayload returns the request body as bytes, whichever way it is held.
func (e *Exchange) RequestPayload() []byte {
	return payload(e.RequestBody, e.RequestBytes, e.RequestText)
}

// payload is a body held as JSON, as bytes or as text, whichever is set.
func payload(js json.RawMessage, raw []byte, text string) []byte {
	switch {
	case len(js) > 0:
		return js
	case len(raw) > 0:
		return raw
	}
	return []byte(text)
}

// Header returns the recorded response headers as an http.Header.
func (e *Exchange) Header() http.Header {
	h := http.Header{}
	for k, v := range e.ResponseHeaders {
		h.Set(k, v)
	}
	return h
}

// String names the exchange for messages: "POST /api/content/payments/sessions → 201".
func (e *Exchange) String() string {
	target := e.Path
	if e.Query != "" {
		target += "?" + e.Query
	}
	return fmt.Sprintf("%s %s → %d", e.Method, target, e.Status)
}

// CleanPath collapses runs of slashes. SDK 1.0.115 and older send "//api/content/..." when the
// base URL ends in a slash, and the API serves it like the single-slash path.
func CleanPath(p string) string {
	if !strings.Contains(p, "//") {
		return p
	}
	b := make([]byte, 0, len(p))
	for i := 0; i < len(p); i++ {
		if p[i] == '/' && i > 0 && p[i-1] == '/' {
			continue
		}
		b = append(b, p[i])
	}
	return string(b)
}

var numericSegment = regexp.MustCompile(`/\d+(/|$)`)

// Route is the clean path with numeric segments replaced by {n}, so /orders/92 on the mock and
// /orders/7 on a live project are the same request.
func Route(p string) string {
	p = CleanPath(p)
	for {
		q := numericSegment.ReplaceAllString(p, "/{n}$1")
		if q == p {
			return p
		}
		p = q
	}
}
