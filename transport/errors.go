package transport

import (
	"errors"
	"fmt"
	"time"
)

// The classification sentinels. An adapter wraps exactly one of them (with
// fmt.Errorf("...: %w", ErrX) or by returning a type whose Unwrap yields it)
// so that the Client knows whether a retry can duplicate an SMS.
var (
	// ErrNotSent: the operator certainly never received the message (not
	// connected before the write, refused before reading it, a "temporary
	// failure, not accepted" answer). Safe to retry, and safe to fail over.
	ErrNotSent = errors.New("transport: message not sent")
	// ErrThrottled: the operator refused the message because of load or
	// rate (SMPP throttled or queue full, HTTP 429). Nothing was accepted;
	// safe to retry after a backoff, see RetryAfter.
	ErrThrottled = errors.New("transport: throttled")
	// ErrOutcomeUnknown: the request may have reached the operator and been
	// accepted (a timeout after the write, a reset after sending). Never
	// retried blindly: a later delivery report settles it.
	ErrOutcomeUnknown = errors.New("transport: outcome unknown")
	// ErrRejected: the operator permanently refused the message.
	ErrRejected = errors.New("transport: rejected")
	// ErrClosed: Submit was called after Close.
	ErrClosed = errors.New("transport: closed")
)

// SafeToRetry reports whether err says the operator never accepted any of
// the message, so that submitting it again cannot produce a duplicate. A
// PartialError with accepted parts is never safe, whatever it wraps, and
// neither is an error that also wraps ErrOutcomeUnknown: "may be out"
// wins over "not sent".
func SafeToRetry(err error) bool {
	var pe *PartialError
	if errors.As(err, &pe) && len(pe.Accepted) > 0 || errors.Is(err, ErrOutcomeUnknown) {
		return false
	}
	return errors.Is(err, ErrNotSent) || errors.Is(err, ErrThrottled)
}

// RetryAfterError carries an operator's hint of how long to wait before the
// next attempt (an HTTP Retry-After, an SMPP throttling pause). Adapters
// return it wrapping a classification sentinel.
type RetryAfterError struct {
	// After is how long the operator asked to wait; zero or less gives no
	// hint.
	After time.Duration
	// Err is the failure, wrapping its classification sentinel.
	Err error
}

// Error implements error.
func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("%v (retry after %s)", e.Err, e.After)
}

// Unwrap returns the wrapped error.
func (e *RetryAfterError) Unwrap() error { return e.Err }

// RetryAfter returns the retry hint carried by err, if any.
func RetryAfter(err error) (time.Duration, bool) {
	var ra *RetryAfterError
	if errors.As(err, &ra) && ra.After > 0 {
		return ra.After, true
	}
	return 0, false
}

// PartialError reports a multipart message (or, from SubmitParts, a run of
// parts) of which the first parts were accepted before a later part
// failed. Parts are sent in order, each once the previous one was
// accepted: Accepted holds the operator ids of the parts accepted, Err
// classifies the part that failed after them, and the parts after that
// one were not sent. The Client records the accepted parts and never
// sends them again.
type PartialError struct {
	// Accepted are the operator ids of the accepted parts, in order.
	Accepted []string
	// Err is the failure of the next part, wrapping its classification.
	Err error
	// Resumable is set only by a PartSubmitter: the parts after the
	// accepted ones can be sent with SubmitParts under reference Ref, as
	// parts of the same message. The Client resumes a message only when
	// both hold (see PartSubmitter).
	Resumable bool
	// Ref is the concatenation reference the accepted parts carry (with
	// Concat8, below 256); meaningful only when Resumable.
	Ref uint16
}

// Error implements error.
func (e *PartialError) Error() string {
	return fmt.Sprintf("%d part(s) accepted before failure: %v", len(e.Accepted), e.Err)
}

// Unwrap returns the failure.
func (e *PartialError) Unwrap() error { return e.Err }
