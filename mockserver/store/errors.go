package store

import (
	"fmt"
)

// Code classifies a failure the caller caused. The HTTP layer maps each code to a status.
type Code string

// The failure classes the store reports.
const (
	CodeInvalid      Code = "invalid"
	CodeUnauthorized Code = "unauthorized"
	CodeForbidden    Code = "forbidden"
	CodeNotFound     Code = "not_found"
	CodeConflict     Code = "conflict"
	CodeTooLarge     Code = "too_large"
	CodeUnsupported  Code = "unsupported"
	CodeTooMany      Code = "too_many"
	// CodeMemoryFull is the mock's own limit on the memory a process holds, and CodeIDsUsedUp
	// its bound on ids (MaxCounter): neither is an answer of the API it imitates.
	CodeMemoryFull Code = "memory_full"
	CodeIDsUsedUp  Code = "ids_used_up"
)

// Error is a failure the caller caused. Messages holds the list of validation failures when
// the live API would answer with an array of messages; Message is then their summary.
type Error struct {
	Code     Code
	Message  string
	Messages []string
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Errorf returns an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a validation error carrying one message per failed rule, as class-validator does.
func Invalid(messages ...string) *Error {
	msg := "Bad Request"
	if len(messages) > 0 {
		msg = messages[0]
	}
	return &Error{Code: CodeInvalid, Message: msg, Messages: messages}
}
