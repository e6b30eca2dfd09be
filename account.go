package advox

import (
	"context"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/time/rate"

	"github.com/azenna/advox/internal/errs"
	"github.com/azenna/advox/pii"
)

// Limit is a send rate: Rate messages per second with bursts of Burst.
type Limit struct {
	// Rate is the sustained rate in messages per second; rate.Inf never
	// waits. Zero means "not set": the next limit in line applies (see
	// Options.AccountLimits).
	Rate rate.Limit
	// Burst is how many messages may go at once before Rate paces them;
	// 0 means 1.
	Burst int
}

// Unlimited returns a Limit that never waits.
func Unlimited() Limit { return Limit{Rate: rate.Inf} }

// Account is an account traffic is sent and recorded on. Its ID is opaque:
// it never carries a person's name, number or identity number.
type Account struct {
	// ID identifies the account in traffic records.
	ID string
	// Limit, when its Rate is non-zero, overrides the Client's default
	// per-account send rate.
	Limit Limit
	// MonthlySegments is the contract's monthly segment quota (0: none).
	MonthlySegments int
}

// AccountSource is what a Client needs of customer accounts
// (Options.Accounts): each account's contract rate and monthly quota, and
// the segments it uses. Package accounts implements it; so can a billing
// system of your own.
type AccountSource interface {
	// Account returns the account the Client is to send on, or an error:
	// one of CodeNotFound refuses the message as sent on an unknown
	// account. Send calls it before it waits on the rate limit.
	Account(ctx context.Context, id string) (Account, error)
	// ReserveSegments counts n segments against acct's monthly quota (the
	// calendar month of at, UTC) before they are sent, or refuses them:
	// CodeQuotaExceeded when they would exceed it, CodeNotFound for an
	// account closed meanwhile. Send calls it under the account's send
	// lock, which an erase of the account takes too (EraseAccountTraffic):
	// an account closed before its erase begins is refused by every send
	// the erase does not wait for.
	ReserveSegments(ctx context.Context, acct Account, n int, at time.Time) error
	// ReleaseSegments gives back n segments reserved at at that were not
	// sent.
	ReleaseSegments(ctx context.Context, acct Account, n int, at time.Time) error
}

// ClientAttacher is an optional interface of an AccountSource that
// deletes accounts together with their traffic (package accounts does):
// NewClient attaches the Client, so that deleting an account erases its
// traffic here too (with EraseAccountClosed), and Close detaches it.
type ClientAttacher interface {
	Attach(c *Client) (detach func())
}

// MaxAccountIDLen bounds account ids.
const MaxAccountIDLen = 64

// CanonicalID returns id in Unicode normal form C, the one form ids are
// kept in: a login typed in another form ("A" and a combining ring for
// "Å") finds its user. Input much longer than an id is returned as it is,
// for ValidateAccountID to refuse.
func CanonicalID(id string) string {
	if len(id) > 4*MaxAccountIDLen {
		return id
	}
	return norm.NFC.String(id)
}

// ValidateAccountID checks that id is usable as an account id (user ids
// follow the same rules): 1–64 printable characters without spaces, in
// Unicode normal form C (see CanonicalID), and an opaque id — no personal
// identity number (refused with CodePersonalNumber) and no e-mail address,
// phone number or IP address, since account ids go into every audit event
// and log line. The error never holds the id.
func ValidateAccountID(id string) error {
	if id == "" {
		return newError("account", CodeInvalidArgument, "account: empty")
	}
	if len(id) > MaxAccountIDLen || !utf8.ValidString(id) {
		return newError("account", CodeInvalidArgument, "account: longer than %d bytes or not UTF-8", MaxAccountIDLen)
	}
	for _, r := range id {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return newError("account", CodeInvalidArgument, "account: contains spaces or control characters")
		}
	}
	if !norm.NFC.IsNormalString(id) {
		// Ids compare byte for byte: two spellings of one name would be
		// two look-alike accounts or logins.
		return newError("account", CodeInvalidArgument, "account: not in Unicode normal form C")
	}
	if pii.ContainsPersonalNumber(id) {
		return errs.PersonalNumber("account", "account")
	}
	if pii.ContainsContactData(id) {
		return newError("account", CodeInvalidArgument, "account: an e-mail address, phone number or IP address, not an opaque id")
	}
	return nil
}
