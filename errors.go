package advox

import (
	"context"
	"errors"
	"fmt"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

// Code classifies every error the Client returns.
type Code int

// The error codes. Each has a sentinel (ErrInvalidArgument, …) that
// errors.Is matches on any *Error of that code.
const (
	// CodeUnknown is an error the library could not classify.
	CodeUnknown Code = iota
	// CodeInvalidArgument: bad number, bad sender, empty text, too many
	// segments, a malformed option.
	CodeInvalidArgument
	// CodePersonalNumber: a Swedish personal identity number was offered.
	CodePersonalNumber
	// CodeNoConsent: customer data asked for without the customer's consent.
	CodeNoConsent
	// CodeNotFound: no such message, account or record.
	CodeNotFound
	// CodeErased: the data was erased on the customer's request.
	CodeErased
	// CodeThrottled: the operator or a rate limit refused for load; nothing
	// was sent, retry later.
	CodeThrottled
	// CodeUnavailable: the operator or store could not be reached; nothing
	// was sent.
	CodeUnavailable
	// CodeRejected: the operator permanently refused the message.
	CodeRejected
	// CodeOutcomeUnknown: the operator may have accepted the message. It is
	// never retried blindly; a delivery report settles it.
	CodeOutcomeUnknown
	// CodeUnimplemented: the adapter lacks the ability asked for.
	CodeUnimplemented
	// CodeClosed: the Client (or an adapter) was closed.
	CodeClosed
	// CodeUnauthenticated: a login failed. Which part failed is never said.
	CodeUnauthenticated
	// CodeQuotaExceeded: the account's monthly segment quota is used up;
	// the cause is a *QuotaError with the reset time. Never retried.
	CodeQuotaExceeded
	// CodeIncomplete: a multipart message went out in part only — the
	// parts sent are with the operator and billed, the others could not
	// be sent in time or were refused. The cause is an *IncompleteError
	// naming the parts. Never retried: sending the message again would
	// send those parts twice.
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

// The sentinels, one per code. Match them with errors.Is.
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
	// ErrAuthFailed is the one error of a failed login, whatever failed.
	ErrAuthFailed = &sentinel{CodeUnauthenticated}
	// ErrQuotaExceeded matches a send refused by the monthly segment
	// quota; errors.As with *QuotaError gives the reset time.
	ErrQuotaExceeded = &sentinel{CodeQuotaExceeded}
	// ErrIncomplete matches a multipart message that went out in part
	// only; errors.As with *IncompleteError says which parts went.
	ErrIncomplete = &sentinel{CodeIncomplete}
)

var sentinels = [...]*sentinel{
	ErrUnknown, ErrInvalidArgument, ErrPersonalNumber, ErrNoConsent, ErrNotFound,
	ErrErased, ErrThrottled, ErrUnavailable, ErrRejected, ErrOutcomeUnknown,
	ErrUnimplemented, ErrClosed, ErrAuthFailed, ErrQuotaExceeded, ErrIncomplete,
}

type sentinel struct{ code Code }

func (s *sentinel) Error() string { return "advox: " + s.code.String() }

// Error is the error type of every Client operation. Op names the operation
// ("send", "status", …), Code classifies, Err is the underlying cause (an
// adapter's own error stays reachable with errors.As).
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
	s := sentinelOf(e.Code)
	if e.Err == nil {
		return []error{s}
	}
	return []error{e.Err, s}
}

func sentinelOf(c Code) error {
	if c >= 0 && int(c) < len(sentinels) {
		return sentinels[c]
	}
	return ErrUnknown
}

// CodeOf returns the code of err: the Code of the *Error it wraps, or the
// classification of an adapter sentinel, or CodeUnknown.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return classify(err)
}

// classify maps contract sentinels to codes.
func classify(err error) Code {
	var ie *IncompleteError
	switch {
	case err == nil:
		return CodeUnknown
	case errors.As(err, &ie): // whatever stopped the rest, some parts went
		return CodeIncomplete
	case errors.Is(err, transport.ErrClosed), errors.Is(err, storage.ErrClosed):
		return CodeClosed
	case errors.Is(err, transport.ErrThrottled):
		return CodeThrottled
	case errors.Is(err, transport.ErrNotSent), errors.Is(err, storage.ErrUnavailable):
		return CodeUnavailable
	case errors.Is(err, transport.ErrRejected):
		return CodeRejected
	case errors.Is(err, transport.ErrOutcomeUnknown):
		return CodeOutcomeUnknown
	case errors.Is(err, storage.ErrNotFound):
		return CodeNotFound
	case errors.Is(err, storage.ErrExists), errors.Is(err, storage.ErrInvoiceFinal), errors.Is(err, storage.ErrInvalid):
		return CodeInvalidArgument
	case errors.Is(err, storage.ErrErased):
		return CodeErased
	}
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return s.code
		}
	}
	return CodeUnknown
}

// wrap wraps err exactly once: context errors and errors that are already
// an *Error are returned as they are.
func wrap(op string, err error) error {
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

// newError builds an *Error from a code and a message.
func newError(op string, code Code, format string, args ...any) error {
	return &Error{Op: op, Code: code, Err: fmt.Errorf(format, args...)}
}
