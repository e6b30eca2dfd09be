// Package errs holds the implementation of advox's error type: the codes,
// their sentinels, *Error and *FieldError. The packages beneath the root
// (phone, pii, keyring, processing) and those above it (accounts) return
// these very values, and package advox re-exports them under its own
// names, so that errors.Is(err, advox.ErrInvalidArgument) matches an error
// of any of them. It does not classify adapter errors: that is the
// Client's policy, in package advox. Not for users: match errors through
// package advox.
package errs

import (
	"context"
	"errors"
	"fmt"
)

// Code classifies every error the library returns.
type Code int

// The error codes. Each has a sentinel (ErrInvalidArgument, …) that
// errors.Is matches on any *Error of that code. The documentation of each
// is on its advox alias.
const (
	CodeUnknown Code = iota
	CodeInvalidArgument
	CodePersonalNumber
	CodeNoConsent
	CodeNotFound
	CodeErased
	CodeThrottled
	CodeUnavailable
	CodeRejected
	CodeOutcomeUnknown
	CodeUnimplemented
	CodeClosed
	CodeUnauthenticated
	CodeQuotaExceeded
	CodeIncomplete
)

var codeNames = [...]string{
	CodeUnknown:         "unknown",
	CodeInvalidArgument: "invalid argument",
	CodePersonalNumber:  "personal identity number refused",
	CodeNoConsent:       "no consent",
	CodeNotFound:        "not found",
	CodeErased:          "erased",
	CodeThrottled:       "throttled",
	CodeUnavailable:     "unavailable",
	CodeRejected:        "rejected",
	CodeOutcomeUnknown:  "outcome unknown",
	CodeUnimplemented:   "unimplemented",
	CodeClosed:          "closed",
	CodeUnauthenticated: "authentication failed",
	CodeQuotaExceeded:   "quota exceeded",
	CodeIncomplete:      "incomplete",
}

// String returns the code's name.
func (c Code) String() string {
	if c >= 0 && int(c) < len(codeNames) {
		return codeNames[c]
	}
	return fmt.Sprintf("Code(%d)", int(c))
}

// The sentinels, one per code.
var (
	ErrUnknown         = &sentinel{CodeUnknown}
	ErrInvalidArgument = &sentinel{CodeInvalidArgument}
	ErrPersonalNumber  = &sentinel{CodePersonalNumber}
	ErrNoConsent       = &sentinel{CodeNoConsent}
	ErrNotFound        = &sentinel{CodeNotFound}
	ErrErased          = &sentinel{CodeErased}
	ErrThrottled       = &sentinel{CodeThrottled}
	ErrUnavailable     = &sentinel{CodeUnavailable}
	ErrRejected        = &sentinel{CodeRejected}
	ErrOutcomeUnknown  = &sentinel{CodeOutcomeUnknown}
	ErrUnimplemented   = &sentinel{CodeUnimplemented}
	ErrClosed          = &sentinel{CodeClosed}
	ErrAuthFailed      = &sentinel{CodeUnauthenticated}
	ErrQuotaExceeded   = &sentinel{CodeQuotaExceeded}
	ErrIncomplete      = &sentinel{CodeIncomplete}
)

var sentinels = [...]*sentinel{
	ErrUnknown, ErrInvalidArgument, ErrPersonalNumber, ErrNoConsent, ErrNotFound,
	ErrErased, ErrThrottled, ErrUnavailable, ErrRejected, ErrOutcomeUnknown,
	ErrUnimplemented, ErrClosed, ErrAuthFailed, ErrQuotaExceeded, ErrIncomplete,
}

type sentinel struct{ code Code }

func (s *sentinel) Error() string { return "advox: " + s.code.String() }

// Sentinel returns the sentinel of code c (ErrUnknown for a code without
// one).
func Sentinel(c Code) error {
	if c >= 0 && int(c) < len(sentinels) {
		return sentinels[c]
	}
	return ErrUnknown
}

// OfSentinel returns the code of the first sentinel err matches, or
// CodeUnknown.
func OfSentinel(err error) Code {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return s.code
		}
	}
	return CodeUnknown
}

// Error is advox.Error: Op names the operation ("send", "status", …),
// Code classifies, Err is the underlying cause (an adapter's own error
// stays reachable with errors.As).
type Error struct {
	Op   string
	Code Code
	Err  error
}

// Error implements error. It never contains a recipient number or a
// personal identity number: causes are built so they carry neither.
func (e *Error) Error() string {
	if e.Err == nil {
		return "advox: " + e.Op + ": " + e.Code.String()
	}
	return "advox: " + e.Op + ": " + e.Code.String() + ": " + e.Err.Error()
}

// Unwrap yields the cause and the sentinel of the code, so that both
// errors.Is(err, advox.ErrThrottled) and errors.As(err, &adapterErr) work.
func (e *Error) Unwrap() []error {
	s := Sentinel(e.Code)
	if e.Err == nil {
		return []error{s}
	}
	return []error{e.Err, s}
}

// FieldError names the offending field and why, never echoing its value,
// so that it can be logged and returned to callers as it is.
type FieldError struct{ Field, Reason string }

// Error implements error: "to: not a mobile number".
func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// New builds an *Error from a code and a message.
func New(op string, code Code, format string, args ...any) error {
	return &Error{Op: op, Code: code, Err: fmt.Errorf(format, args...)}
}

// Field is the *Error of a validation failure: CodeInvalidArgument with a
// *FieldError.
func Field(op, field, reason string) error {
	return &Error{Op: op, Code: CodeInvalidArgument, Err: &FieldError{Field: field, Reason: reason}}
}

// PersonalNumber is the error for a personal identity number found in a
// field: CodePersonalNumber with a *FieldError whose reason never
// contains the value.
func PersonalNumber(op, field string) error {
	return &Error{Op: op, Code: CodePersonalNumber, Err: &FieldError{
		Field:  field,
		Reason: "contains a Swedish personal identity number, which is never collected (write phone numbers in international form, +46 …)",
	}}
}

// Wrap wraps err exactly once, with the code classify gives it: context
// errors and errors that are already an *Error are returned as they are.
func Wrap(op string, err error, classify func(error) Code) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Op: op, Code: classify(err), Err: err}
}
