package weir

import (
	"errors"
	"fmt"
)

// ErrorType is the machine-readable kind of an application error. Each value
// equals the "type" string Losant's API returns in that situation.
type ErrorType string

// The application error types. Anything else is an internal error.
const (
	Validation       ErrorType = "Validation"
	Unauthorized     ErrorType = "Unauthorized"
	Forbidden        ErrorType = "Forbidden"
	NotFound         ErrorType = "NotFound"
	MethodNotAllowed ErrorType = "MethodNotAllowed"
	TooManyRequests  ErrorType = "TooManyRequests"
	PayloadTooLarge  ErrorType = "PayloadTooLarge"
	// RequestTimeout: the client did not send its request in time.
	RequestTimeout ErrorType = "RequestTimeout"
	Unavailable    ErrorType = "ServiceUnavailable"
	// InsufficientStorage: the store has no room left (a full disk); the
	// write changed nothing and can be retried once space is freed.
	InsufficientStorage ErrorType = "InsufficientStorage"
	Internal            ErrorType = "Error"
)

// Error is an error a client may see: a type plus a human message in Losant's
// wording. All other errors are internal and never reach a client.
type Error struct {
	Type    ErrorType
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Type, e.Message) }

// Errorf returns an application error of type t with a formatted message.
func Errorf(t ErrorType, format string, args ...any) *Error {
	return &Error{Type: t, Message: fmt.Sprintf(format, args...)}
}

// ErrorTypeOf returns the type of the first *Error in err's chain, or Internal
// when there is none. A nil error has no type and yields "".
func ErrorTypeOf(err error) ErrorType {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Type
	}
	return Internal
}

// ErrorMessage returns the client-facing message of err: the message of its
// *Error, or "Internal error" for anything else.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error"
}
