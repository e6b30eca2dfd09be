package advox

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"time"

	"github.com/azenna/advox/transport"
)

// Message is an SMS to send.
type Message struct {
	// Account is the id of the account the message is sent and recorded
	// on. Required.
	Account string
	// From is the sender: an alphanumeric id (1–11 characters, at least
	// one letter), a short code or an E.164 number.
	From string
	// To is the recipient: E.164, or national in Options.Region.
	To string
	// Text is the message body. It is never stored or logged.
	Text string
	// ForceUCS2 sends the text as UCS-2 even when GSM-7 would do.
	ForceUCS2 bool
	// ValidFor, when positive, bounds how long the operator keeps trying.
	// Send refuses it (ErrInvalidArgument) when the transport says its
	// operator takes no validity (transport.ValidityAware).
	ValidFor time.Duration
}

// Receipt tells what became of a sent message.
type Receipt struct {
	// ID is the library's message id: the key of its traffic record.
	ID string
	// Segments is the number of SMS segments sent (and billed).
	Segments int
	// Encoding is the character set used.
	Encoding transport.Encoding
	// Status is the message status when Send returned.
	Status transport.Status
	// OperatorIDs are the operator's ids, one per part or one in all.
	OperatorIDs []string
	// Attempts is how many submits were made (retries included).
	Attempts int
	// OperatorParts is the segment count the operator reported (0: not
	// said). A difference from Segments is logged as a billing drift.
	OperatorParts int
	// Price is the operator's price, verbatim, when it gave one.
	Price string
}

// newMessageID returns a 32-character hex id: 48 bits of milliseconds, so
// ids sort by creation time and index well, and 80 random bits.
func newMessageID(now time.Time) string {
	var b [16]byte
	ms := uint64(now.UnixMilli())
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], ms)
	copy(b[:6], ts[2:])
	_, _ = rand.Read(b[6:])
	return hex.EncodeToString(b[:])
}
