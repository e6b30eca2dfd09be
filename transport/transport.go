package transport

import (
	"context"
	"time"
)

// Transport is what an operator adapter implements. Implementations must be
// safe for concurrent use, make exactly one attempt per Submit (the Client
// owns retries), honour ctx, and classify every failure by wrapping one of
// ErrNotSent, ErrThrottled, ErrOutcomeUnknown or ErrRejected.
type Transport interface {
	// Name identifies the transport in traffic records and logs, for
	// example "smpp:operator-a". It must be stable for the transport's life.
	Name() string
	// Submit hands one message, already validated, encoded and segmented by
	// the Client, to the operator. When ctx ends during the call, the error
	// must still say whether the operator may have the message: wrap both
	// ctx.Err() and ErrNotSent (nothing was written) or ErrOutcomeUnknown
	// (the request left). A bare context error is treated as
	// ErrOutcomeUnknown, the conservative reading.
	Submit(ctx context.Context, m *Message) (Result, error)
	// Close releases the transport. Submit after Close returns an error
	// wrapping ErrClosed; Close ends every goroutine the transport started.
	Close() error
}

// Encoding is the character set the parts of a message are sent in.
type Encoding string

// The encodings. GSM7 parts contain only characters of the GSM 03.38 basic
// set and extension table (see package gsm7); UCS2 parts are UTF-16.
const (
	GSM7 Encoding = "gsm7"
	UCS2 Encoding = "ucs2"
)

// Concat is the concatenation reference width a multipart message is sized
// for: an 8-bit reference leaves 153 septets (67 UTF-16 units) per part, a
// 16-bit reference 152 (66).
type Concat int

// The concatenation reference widths.
const (
	Concat8  Concat = 8
	Concat16 Concat = 16
)

// SenderKind says what kind of address a sender is, which decides e.g. the
// SMPP TON/NPI.
type SenderKind string

// The sender kinds.
const (
	// SenderAlphanumeric: 1–11 GSM-7 characters with at least one letter.
	SenderAlphanumeric SenderKind = "alphanumeric"
	// SenderShortCode: a national short code of 3–8 digits.
	SenderShortCode SenderKind = "shortcode"
	// SenderInternational: an E.164 number, "+" and digits.
	SenderInternational SenderKind = "international"
)

// Sender is a validated originating address.
type Sender struct {
	// Value is the sender id as sent: the alphanumeric name, the short
	// code, or the number in E.164 form.
	Value string
	// Kind says which of those Value is, for protocols that encode them
	// differently (SMPP TON/NPI).
	Kind SenderKind
}

// Message is one SMS as the Client hands it to a transport: validated,
// encoded and split into parts the adapter must send as they are (never
// re-split).
type Message struct {
	// Account is the sending account's opaque id, for transports that
	// route by account. Adapters that reach an operator never send it.
	Account string
	// ID is the library's own message id. Adapters that can pass a client
	// reference to the operator (SMPP has none; HTTP APIs often do) send it,
	// so delivery reports can be correlated even without an operator id.
	ID string
	// From is the sender.
	From Sender
	// To is the recipient in E.164 form ("+46701234567").
	To string
	// Encoding is the character set of every part.
	Encoding Encoding
	// Parts is the text of each segment, in order. len(Parts) > 1 means a
	// concatenated message sized for Concat.
	Parts []string
	// Concat is the concatenation reference width Parts were sized for.
	Concat Concat
	// ReportRequested asks the operator for delivery reports.
	ReportRequested bool
	// ValidFor, when positive, bounds how long the operator keeps trying.
	ValidFor time.Duration
}

// Text is the whole message text: the parts joined.
func (m *Message) Text() string {
	n := 0
	for _, p := range m.Parts {
		n += len(p)
	}
	b := make([]byte, 0, n)
	for _, p := range m.Parts {
		b = append(b, p...)
	}
	return string(b)
}

// Result is what the operator answered to an accepted Submit.
type Result struct {
	// OperatorIDs holds the operator's message id of each part, in order
	// (len(Parts) entries), or a single id when the operator answers with
	// one id for the whole message. It may be empty when the operator
	// returns no id at all; reports are then correlated by Message.ID.
	OperatorIDs []string
	// Parts is the segment count the operator says it billed (0: it did
	// not say). The Client compares it with its own count.
	Parts int
	// Price is the operator's price for the message, verbatim ("0.35",
	// "0.35 SEK"; "" when it did not say).
	Price string
	// Transport names the transport that took (or last tried) the message
	// when it is not the one the Client called — a router answering for
	// one of its transports; "" otherwise. Set also alongside an error.
	Transport string
	// Route names the route a router chose ("" when none).
	Route string
}
