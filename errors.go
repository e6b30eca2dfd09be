package advox

import (
	"errors"

	"github.com/azenna/advox/internal/errs"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

// Code classifies every error the library returns, from the Client and
// from the packages beside it (phone, pii, keyring, processing,
// accounts).
type Code = errs.Code

// The error codes. Each has a sentinel (ErrInvalidArgument, …) that
// errors.Is matches on any *Error of that code.
const (
	// CodeUnknown is an error the library could not classify.
	CodeUnknown Code = errs.CodeUnknown
	// CodeInvalidArgument: bad number, bad sender, empty text, too many
	// segments, a malformed option.
	CodeInvalidArgument Code = errs.CodeInvalidArgument
	// CodePersonalNumber: a Swedish personal identity number was offered.
	CodePersonalNumber Code = errs.CodePersonalNumber
	// CodeNoConsent: customer data asked for without the customer's consent.
	CodeNoConsent Code = errs.CodeNoConsent
	// CodeNotFound: no such message, account or record.
	CodeNotFound Code = errs.CodeNotFound
	// CodeErased: the data was erased on the customer's request.
	CodeErased Code = errs.CodeErased
	// CodeThrottled: the operator or a rate limit refused for load; nothing
	// was sent, retry later.
	CodeThrottled Code = errs.CodeThrottled
	// CodeUnavailable: the operator or store could not be reached; nothing
	// was sent.
	CodeUnavailable Code = errs.CodeUnavailable
	// CodeRejected: the operator permanently refused the message.
	CodeRejected Code = errs.CodeRejected
	// CodeOutcomeUnknown: the operator may have accepted the message. It is
	// never retried blindly; a delivery report settles it.
	CodeOutcomeUnknown Code = errs.CodeOutcomeUnknown
	// CodeUnimplemented: the adapter lacks the ability asked for.
	CodeUnimplemented Code = errs.CodeUnimplemented
	// CodeClosed: the Client (or an adapter) was closed.
	CodeClosed Code = errs.CodeClosed
	// CodeUnauthenticated: a login failed. Which part failed is never said.
	CodeUnauthenticated Code = errs.CodeUnauthenticated
	// CodeQuotaExceeded: the account's monthly segment quota is used up;
	// the cause is an *accounts.QuotaError with the reset time. Never
	// retried.
	CodeQuotaExceeded Code = errs.CodeQuotaExceeded
	// CodeIncomplete: a multipart message went out in part only — the
	// parts sent are with the operator and billed, the others could not
	// be sent in time or were refused. The cause is an *IncompleteError
	// naming the parts. Never retried: sending the message again would
	// send those parts twice.
	CodeIncomplete Code = errs.CodeIncomplete
)

// The sentinels, one per code. Match them with errors.Is.
var (
	ErrUnknown         = errs.ErrUnknown
	ErrInvalidArgument = errs.ErrInvalidArgument
	ErrPersonalNumber  = errs.ErrPersonalNumber
	ErrNoConsent       = errs.ErrNoConsent
	ErrNotFound        = errs.ErrNotFound
	ErrErased          = errs.ErrErased
	ErrThrottled       = errs.ErrThrottled
	ErrUnavailable     = errs.ErrUnavailable
	ErrRejected        = errs.ErrRejected
	ErrOutcomeUnknown  = errs.ErrOutcomeUnknown
	ErrUnimplemented   = errs.ErrUnimplemented
	ErrClosed          = errs.ErrClosed
	// ErrAuthFailed is the one error of a failed login, whatever failed.
	ErrAuthFailed = errs.ErrAuthFailed
	// ErrQuotaExceeded matches a send refused by the monthly segment
	// quota; errors.As with *accounts.QuotaError gives the reset time.
	ErrQuotaExceeded = errs.ErrQuotaExceeded
	// ErrIncomplete matches a multipart message that went out in part
	// only; errors.As with *IncompleteError says which parts went.
	ErrIncomplete = errs.ErrIncomplete
)

// Error is the error type of every operation of the library. Op names the
// operation ("send", "status", …), Code classifies, Err is the underlying
// cause (an adapter's own error stays reachable with errors.As). Its
// Unwrap yields the cause and the sentinel of the code, so that both
// errors.Is(err, advox.ErrThrottled) and errors.As(err, &adapterErr)
// work. Its text never contains a recipient number or a personal identity
// number: causes are built so they carry neither.
type Error = errs.Error

// FieldError is the cause of a validation failure: it names the offending
// field and why, never echoing its value, so that it can be logged and
// returned to callers as it is ("to: not a mobile number").
type FieldError = errs.FieldError

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
	return errs.OfSentinel(err)
}

// wrap wraps err exactly once: context errors and errors that are already
// an *Error are returned as they are.
func wrap(op string, err error) error { return errs.Wrap(op, err, classify) }

// newError builds an *Error from a code and a message.
func newError(op string, code Code, format string, args ...any) error {
	return errs.New(op, code, format, args...)
}

// invalidField is the *Error of a validation failure of field.
func invalidField(op, field, reason string) error { return errs.Field(op, field, reason) }
