package httptransport

import (
	"fmt"
	"strconv"

	"github.com/azenna/advox/transport"
)

// Error is a failed submit. It wraps the contract sentinel of its Class
// (transport.ErrThrottled, ErrNotSent, ErrOutcomeUnknown or ErrRejected)
// and, when there is one, the underlying cause. Its text never contains
// credentials, message text or a recipient number.
type Error struct {
	// Transport is the transport's Name.
	Transport string
	// Class is the classification.
	Class Class
	// StatusCode is the operator's HTTP status (0: no HTTP answer).
	StatusCode int
	// Message is the operator's message or the failure, redacted.
	Message string
	// Err is the cause, when there is one worth keeping.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	s := "httptransport: " + e.Transport + ": " + e.Class.String()
	if e.StatusCode != 0 {
		s += ": HTTP " + strconv.Itoa(e.StatusCode)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Unwrap yields the class's sentinel and the cause.
func (e *Error) Unwrap() []error {
	errs := []error{sentinelOf(e.Class)}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// sentinelOf maps a Class onto the contract's sentinel.
func sentinelOf(c Class) error {
	switch c {
	case Throttled:
		return transport.ErrThrottled
	case NotSent:
		return transport.ErrNotSent
	case Rejected:
		return transport.ErrRejected
	}
	return transport.ErrOutcomeUnknown
}

// closedError is returned by Submit after Close.
func closedError(name string) error {
	return fmt.Errorf("httptransport: %s: %w", name, transport.ErrClosed)
}
