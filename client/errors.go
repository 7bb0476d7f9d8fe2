package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// maxMessageText caps how much of an error body the client shows: a non-JSON body in
// APIError.Message, a JSON one without a message in Error().
const maxMessageText = 512

// APIError is a non-2xx answer from the API. The server's error body is
// {"statusCode":N,"message":…,"error":"<reason>","pageData":null,"timestamp":…}, where
// message is a string, or an array of strings for request validation failures.
//
// Branch on it with errors.As:
//
//	var apiErr *client.APIError
//	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound { … }
type APIError struct {
	// StatusCode is the HTTP status of the answer (not the body's statusCode field).
	StatusCode int
	// Message is the body's message; an array of messages is joined with "; ". For a body
	// that is not a JSON object it is the body's text, trimmed and cut to 512 bytes. For a
	// JSON object without a message it is empty, and Error() shows the body instead.
	Message string
	// Messages holds message when the body sent it as an array of strings.
	Messages []string
	// Reason is the body's "error" field, the HTTP reason phrase on NestJS servers
	// ("Bad Request", "Unauthorized").
	Reason string
	// Timestamp is the body's timestamp field as sent, e.g. "2025-04-30T21:54:48.918Z".
	Timestamp string
	// Body is the raw answer body.
	Body []byte
	// Method and Path identify the request; Path starts at /api/content and has no query.
	Method, Path string
	// RefreshErr is set when the error is a 401 that an automatic refresh could not cure:
	// it is the refresh's own error, or wraps ErrRefreshDiscarded when the tokens were dropped
	// (a logout) while the refresh ran. Unwrap returns it.
	RefreshErr error
}

// Error describes the failed call, its status and the server's message.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "oneentry: %s %s: %d", e.Method, e.Path, e.StatusCode)
	if text := http.StatusText(e.StatusCode); text != "" {
		b.WriteString(" " + text)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	} else if body := bodyExcerpt(e.Body); body != "" {
		// A body with no message the client knows ({"errors":[…]} from a proxy or another
		// framework) still says what went wrong.
		b.WriteString(": " + body)
	}
	if e.RefreshErr != nil {
		b.WriteString(" (token refresh failed: " + e.RefreshErr.Error() + ")")
	}
	return b.String()
}

// Unwrap returns the error of the failed automatic refresh, if any.
func (e *APIError) Unwrap() error { return e.RefreshErr }

// newAPIError decodes an error body leniently: every field is optional, and a body that is
// not a JSON object (an HTML page from a proxy, plain text) still yields an APIError.
func newAPIError(method, path string, status int, body []byte) *APIError {
	e := &APIError{StatusCode: status, Body: body, Method: method, Path: path}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		e.Message = excerpt(body, maxMessageText)
		return e
	}
	if raw, ok := fields["message"]; ok {
		var one string
		var many []string
		switch {
		case json.Unmarshal(raw, &one) == nil:
			e.Message = one
		case json.Unmarshal(raw, &many) == nil && many != nil:
			e.Messages = many
			e.Message = strings.Join(many, "; ")
		default:
			e.Message = string(raw)
		}
	}
	// Wrongly typed optional fields are left empty rather than hiding the error itself.
	_ = json.Unmarshal(fields["error"], &e.Reason)
	_ = json.Unmarshal(fields["timestamp"], &e.Timestamp)
	return e
}

// bodyExcerpt is the start of an error body on one line: JSON compacted, cut to
// maxMessageText bytes.
func bodyExcerpt(body []byte) string {
	var compact bytes.Buffer
	if json.Compact(&compact, body) == nil {
		body = compact.Bytes()
	}
	return excerpt(body, maxMessageText)
}

// excerpt is text of at most max bytes from b, trimmed, cut on a rune boundary.
func excerpt(b []byte, max int) string {
	// Bytes that are not UTF-8 (a body in ISO 8859-1, say) keep their place as U+FFFD, so
	// that the cut below drops only a rune it splits.
	s := strings.ToValidUTF8(strings.TrimSpace(string(b)), "\uFFFD")
	if len(s) > max {
		s = s[:max]
		for len(s) > 0 && !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}
