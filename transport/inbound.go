package transport

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"
)

// Coding says how the user data of an inbound part was coded, and so what
// Inbound.Text and Inbound.Bytes hold.
type Coding string

// The codings of inbound parts.
const (
	// CodingGSM7: the GSM 03.38 default alphabet and its extension table
	// (SMPP data_coding 0 by default, and the GSM classes that use it).
	CodingGSM7 Coding = "gsm7"
	// CodingASCII: IA5, 7-bit ASCII (SMPP data_coding 1, or 0 where the
	// SMSC's default alphabet is ASCII).
	CodingASCII Coding = "ascii"
	// CodingLatin1: ISO-8859-1 (SMPP data_coding 3, or 0 where the
	// SMSC's default alphabet is Latin-1).
	CodingLatin1 Coding = "latin1"
	// CodingUCS2: UTF-16BE (SMPP data_coding 8). Bytes holds the part's
	// raw UTF-16 units, because a surrogate pair may be split across two
	// parts: join the parts with JoinText, which decodes after joining.
	CodingUCS2 Coding = "ucs2"
	// CodingBinary: 8-bit data (SMPP data_coding 2, 4, 0xF4–0xF7), or text
	// in a coding the adapter does not decode (JIS, KS C 5601, ISO-8859-5,
	// …: DataCoding names it). Bytes holds it; Text is empty.
	CodingBinary Coding = "binary"
	// CodingText: text the operator handed over already decoded (HTTP
	// APIs that post UTF-8); how it was coded on the air is not known.
	CodingText Coding = "text"
)

// Inbound is one part of a mobile-originated message (MO: a handset's SMS
// to one of the application's numbers) as an adapter received it. A
// message of several parts arrives as several Inbound values, in any
// order, each possibly more than once; the Client joins them.
//
// An Inbound is traffic data: the sender's number and the text are never
// logged by an adapter.
type Inbound struct {
	// From is the sender: an E.164 number ("+46701234567") when the
	// operator says the number is international, else as the operator
	// wrote it (a national number, a short code, an alphanumeric id).
	From string
	// To is the destination: the application's number (E.164, as From)
	// or short code the handset sent to.
	To string
	// OperatorID is the operator's id of the part or message, when it
	// gives one ("" otherwise: SMPP deliver_sm carries none).
	OperatorID string
	// At is when the operator says it received the part or, when it does
	// not say, when the adapter did. Never zero.
	At time.Time
	// DataCoding is the protocol's own coding value as received (SMPP
	// data_coding, Kannel's coding), or -1 when the protocol has none
	// (HTTP APIs that post text).
	DataCoding int
	// Coding is how Text was decoded (see the Coding constants).
	Coding Coding
	// Text is the part's text in UTF-8, for every coding but CodingBinary
	// (empty then, and when the part is Malformed). A UCS-2 part whose
	// first or last unit is half of a surrogate pair shows U+FFFD for it:
	// join parts with JoinText, never by concatenating Text.
	Text string
	// Bytes is the part's user data without its concatenation header, as
	// received: for CodingUCS2 the UTF-16BE units, for CodingBinary the
	// data; for a Malformed part everything that came, headers included.
	// nil for the other codings.
	Bytes []byte
	// Total is the number of parts of the message this part belongs to,
	// and Seq its number in it (1-based); Total 0 (and Seq 0) means the
	// part is a whole message. A part that says it is the only part of
	// its message (1 of 1) is delivered as a whole message.
	Total, Seq int
	// Ref is the concatenation reference the parts of one message share,
	// and RefWidth its width: Concat8 (a UDH with IEI 0x00) or Concat16
	// (IEI 0x08, or SMPP's SAR TLVs). Both are zero when Total is 0. The
	// parts of one message are those with the same transport, From, To,
	// Ref, RefWidth and Total.
	Ref      uint16
	RefWidth Concat
	// Malformed, when not empty, says why the part cannot be read as what
	// it claims to be (a user data header whose lengths lie, a part number
	// of 0 or above the total, odd-length UCS-2, a lone surrogate, an
	// unknown data coding, …), without quoting it. Such a part is handed
	// over rather than refused, so that nothing a handset sent is lost
	// without a record: Bytes holds everything that came, Text is empty,
	// Total, Seq and Ref are zero, and it joins no other part.
	Malformed string
	// Transport names the transport that received the part when it is not
	// the one the Client registered with (a router forwarding for one of
	// its transports); "" otherwise.
	Transport string
}

// InboundHandler receives inbound parts, one call per part. It is called
// from the adapter's goroutines, possibly concurrently and in any order,
// and the adapter acknowledges the part to the operator only once the
// handler has returned nil: the handler returns nil only when it has
// taken the part for good (stored it durably). An error asks the adapter
// to have the operator deliver the part again: SMPP answers deliver_sm
// (or data_sm) with ESME_RX_T_APPN, an HTTP endpoint answers 503. An
// operator may deliver a part again anyway (its acknowledgement was lost),
// so the handler must drop repeats. A handler must not call its
// transport's Close: Close waits for running handlers. ctx ends when the
// transport closes.
type InboundHandler func(ctx context.Context, m Inbound) error

// InboundSource is the optional interface of transports that receive
// inbound (mobile-originated) messages. The Client calls SetInboundHandler
// once, when it starts. An adapter delivers nothing while no handler is
// set: it asks the operator to deliver the part again later (SMPP
// ESME_RX_T_APPN, HTTP 503), so that messages that arrive during a
// start-up are not lost.
type InboundSource interface {
	// SetInboundHandler makes h receive every inbound part from then on;
	// nil stops delivery.
	SetInboundHandler(h InboundHandler)
}

// ErrMixedParts is returned by JoinText for parts that cannot be one
// message's: codings that differ, binary or malformed parts.
var ErrMixedParts = errors.New("transport: parts cannot be joined into one text")

// JoinText returns the text of a message from its parts, given in order.
// UCS-2 parts are joined as UTF-16 units before they are decoded, so a
// surrogate pair split across two parts is one character again; a
// surrogate still unpaired becomes U+FFFD. Parts of different codings,
// binary parts and malformed parts fail with ErrMixedParts.
func JoinText(parts []Inbound) (string, error) {
	if len(parts) == 0 {
		return "", nil
	}
	coding := parts[0].Coding
	n := 0
	for i, p := range parts {
		switch {
		case p.Malformed != "":
			return "", fmt.Errorf("%w: part %d is malformed", ErrMixedParts, i+1)
		case p.Coding != coding:
			return "", fmt.Errorf("%w: part %d is %s, part 1 %s", ErrMixedParts, i+1, p.Coding, coding)
		case p.Coding == CodingBinary:
			return "", fmt.Errorf("%w: binary parts have no text", ErrMixedParts)
		}
		n += len(p.Bytes)
	}
	if coding != CodingUCS2 {
		var b strings.Builder
		for _, p := range parts {
			b.WriteString(p.Text)
		}
		return b.String(), nil
	}
	units := make([]uint16, 0, n/2)
	for i, p := range parts {
		if len(p.Bytes)%2 != 0 {
			return "", fmt.Errorf("%w: part %d has an odd number of UCS-2 octets", ErrMixedParts, i+1)
		}
		for j := 0; j < len(p.Bytes); j += 2 {
			units = append(units, uint16(p.Bytes[j])<<8|uint16(p.Bytes[j+1]))
		}
	}
	return string(utf16.Decode(units)), nil
}
