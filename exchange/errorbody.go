package exchange

import (
	"net/http"
	"time"

	"github.com/oneentry-mock/oneentry-mock/datetime"
)

// ErrorBody is the live API's error body, as fixtures/recorded/ shows it: what the mock, the
// recording proxy and the replay answer a failure with. Message is a string, or a list of
// strings for request validation failures, as NestJS's ValidationPipe answers.
type ErrorBody struct {
	StatusCode int       `json:"statusCode"`
	Message    any       `json:"message"`
	Error      string    `json:"error"`
	PageData   *struct{} `json:"pageData"`
	Timestamp  string    `json:"timestamp"`
}

// NewErrorBody is the error body of status with message, stamped now.
func NewErrorBody(status int, message any, now time.Time) ErrorBody {
	return ErrorBody{StatusCode: status, Message: message, Error: ReasonPhrase(status), Timestamp: now.UTC().Format(datetime.Layout)}
}

// ReasonPhrase is the error member of a body answering status: NestJS's name for the status,
// which differs from Go's for a few codes.
func ReasonPhrase(status int) string {
	switch status {
	case http.StatusRequestEntityTooLarge:
		return "Payload Too Large"
	default:
		return http.StatusText(status)
	}
}
