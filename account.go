package advox

import (
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

// Unlimited is a Limit that never waits.
var Unlimited = Limit{Rate: rate.Inf}

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
