package storage

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"slices"
	"time"
)

// AccountStore keeps customer data: one Customer per account, the users
// that log in to it, its consents and its monthly segment usage.
// Implementations are safe for concurrent use, honour ctx and never share
// memory with their callers (they store and return deep copies).
//
// User ids are unique across all accounts: a call that would give two
// accounts the same user id fails with ErrExists and changes nothing. Ids
// are compared byte for byte (case-sensitive, no Unicode normalisation),
// by lookups and uniqueness alike.
//
// Every store keeps customer data exactly or refuses it: a Customer with a
// string that is not UTF-8 or holds a NUL byte, or a NaN Limits.Rate
// (which PostgreSQL or SQLite cannot keep), fails CreateAccount and
// UpdateAccount with ErrInvalid and nothing is stored. A lookup by an id
// no account can have for that reason fails with ErrNotFound.
type AccountStore interface {
	// CreateAccount stores a new account. It fails with ErrExists when the
	// account id or one of its user ids is taken, or the account id was
	// retired by DeleteAccount, and with ErrInvalid when c cannot be kept
	// exactly (see above).
	CreateAccount(ctx context.Context, c Customer) error
	// GetAccount returns the account's customer data, or ErrNotFound.
	GetAccount(ctx context.Context, account string) (Customer, error)
	// UpdateAccount reads the account, calls fn with a copy and stores what
	// fn leaves, atomically with respect to every other update of the
	// account, and returns the account as stored. When fn returns an error
	// nothing is stored and that error is returned as it is. fn must not
	// change Account; if it does the call fails and nothing is stored. fn
	// may be called more than once (stores that retry on conflict) and must
	// not call the store. If fn panics, the panic goes on to the caller,
	// nothing is stored and nothing stays locked. What fn leaves is
	// refused like CreateAccount's argument (ErrExists, ErrInvalid). It
	// fails with ErrNotFound for a missing account.
	UpdateAccount(ctx context.Context, account string, fn func(*Customer) error) (Customer, error)
	// DeleteAccount removes the account with its users, consents and usage
	// counters, or fails with ErrNotFound. It retires the account id:
	// CreateAccount with it fails with ErrExists from then on, also when
	// the two race, so that nothing kept under the id — the usage
	// aggregates of the account's erased traffic, kept for billing — ever
	// attaches to another customer. Its user ids may be reused.
	DeleteAccount(ctx context.Context, account string) error
	// FindUser returns the account that holds the user, or ErrNotFound.
	FindUser(ctx context.Context, userID string) (Customer, error)
	// ReserveSegments adds n segments to the account's usage in the billing
	// period starting at period and returns the usage afterwards. When
	// quota > 0 and the usage would exceed it, nothing is added and ok is
	// false. A negative n gives segments back (never refused; the usage
	// never drops below zero). Periods are independent counters keyed by the
	// instant period. It fails with ErrNotFound for a missing account. A
	// call that returns a context error has counted nothing, so the
	// caller neither sends nor releases those segments.
	ReserveSegments(ctx context.Context, account string, period time.Time, n, quota int) (used int, ok bool, err error)
	// Close releases the store; later calls fail with ErrClosed.
	Close() error
}

// UsageLister is an AccountStore that lists an account's segment
// counters, so that a customer's export (advox Accounts.Export) holds
// them. Both built-in stores implement it.
type UsageLister interface {
	// SegmentUsage returns the account's segment counters, one per billing
	// period it has one for, oldest first; ErrNotFound for a missing
	// account.
	SegmentUsage(ctx context.Context, account string) ([]SegmentUsage, error)
}

// SegmentUsage is the segments counted for an account in one billing
// period.
type SegmentUsage struct {
	// Period is the start of the billing period (see MonthOf).
	Period time.Time
	// Segments is how many segments were counted.
	Segments int
}

// Customer is the customer data of one account: exactly what the privacy
// policy names, nothing more. There is no field for a personal identity
// number, and the advox Accounts type refuses one in every string here.
type Customer struct {
	// Account is the opaque account id traffic is recorded on.
	Account string
	// Organisation is the customer organisation's name.
	Organisation string
	// OrgNumber is the organisation number ("556016-0680"); empty for a
	// sole trader, whose number is a personal identity number.
	OrgNumber string
	// References are the customer's own references for invoices.
	References []string
	// Reseller is the opaque id of the reseller or agent that re-invoices
	// the customer (the party of re-invoicing disclosures); "" when the
	// customer is invoiced directly.
	Reseller string
	// InvoiceAddress is where invoices go.
	InvoiceAddress Address
	// PostalAddress is the customer's postal address.
	PostalAddress Address
	// Email is the customer's e-mail address for service matters.
	Email string
	// Phone is the customer's phone number.
	Phone string
	// Users are the logins of the account.
	Users []User
	// Contacts are the people entitled to use the service or to get
	// support.
	Contacts []Contact
	// Consents record to whom the customer let its data be disclosed and
	// why, withdrawn ones included.
	Consents []Consent
	// Limits are the contract limits of the account.
	Limits ContractLimits
	// CreatedAt and UpdatedAt are when the account was created and last
	// changed.
	CreatedAt, UpdatedAt time.Time
}

// Address is a postal or invoice address.
type Address struct {
	// Lines are the street lines (c/o, street and number, box).
	Lines []string
	// PostalCode, City and Country (ISO 3166-1 alpha-2) complete it.
	PostalCode, City, Country string
}

// User is one login of an account.
type User struct {
	// ID is the login name, unique across all accounts.
	ID string
	// PasswordHash is the encoded password hash ("" while no password is
	// set). It redacts itself when printed, logged or JSON-encoded.
	PasswordHash PasswordHash
	// Allowed are the networks the user may log in from; none means the
	// user cannot log in.
	Allowed []netip.Prefix
}

// Contact is a person entitled to use the service or to get support.
type Contact struct {
	// Name is the person's name.
	Name string
	// Email is the person's e-mail address.
	Email string
	// Role says what the person is entitled to: "service" or "support"
	// (the advox Accounts type refuses any other).
	Role string
}

// Consent records that the customer let a party receive its data for a
// purpose, from GrantedAt until WithdrawnAt (zero while in force). The
// consents of an account are kept in the order they were given: that
// order, not the times, says which is in force.
type Consent struct {
	// Party is the opaque id of who may receive the data (a reseller, a
	// support partner).
	Party string
	// Purpose is what for ("reseller-reinvoicing", "technical-support").
	Purpose string
	// GrantedAt is when the customer gave the consent.
	GrantedAt time.Time
	// WithdrawnAt is when the customer withdrew it; zero while in force.
	WithdrawnAt time.Time
}

// Active reports whether the consent was in force at t by its times: for
// history only. Whether a consent is in force now is InForce: a clock
// that steps back must not revive a withdrawn consent.
func (c Consent) Active(t time.Time) bool {
	return !c.GrantedAt.After(t) && (c.WithdrawnAt.IsZero() || c.WithdrawnAt.After(t))
}

// InForce reports whether the consent is in force: granted and not
// withdrawn, whatever the times say.
func (c Consent) InForce() bool { return c.WithdrawnAt.IsZero() }

// ContractLimits are the limits of the customer's contract.
type ContractLimits struct {
	// Rate is the send rate in messages per second; 0 leaves the Client's
	// default.
	Rate float64
	// Burst is how many messages may go at once at that rate; 0 means 1.
	Burst int
	// MonthlySegments caps the segments sent per calendar month (UTC); 0
	// means no cap.
	MonthlySegments int
}

// Clone returns a deep copy of c: no slice is shared.
func (c Customer) Clone() Customer {
	c.References = slices.Clone(c.References)
	c.InvoiceAddress.Lines = slices.Clone(c.InvoiceAddress.Lines)
	c.PostalAddress.Lines = slices.Clone(c.PostalAddress.Lines)
	c.Users = slices.Clone(c.Users)
	for i := range c.Users {
		c.Users[i].Allowed = slices.Clone(c.Users[i].Allowed)
	}
	c.Contacts = slices.Clone(c.Contacts)
	c.Consents = slices.Clone(c.Consents)
	return c
}

// PasswordHash is an encoded password hash (PHC string format, e.g.
// "$argon2id$v=19$m=…"). It never shows itself: fmt verbs, slog and JSON
// all print "[redacted]". Stores persist string(h).
type PasswordHash string

const redacted = "[redacted]"

// String implements fmt.Stringer and redacts.
func (PasswordHash) String() string { return redacted }

// GoString implements fmt.GoStringer and redacts.
func (PasswordHash) GoString() string { return redacted }

// Format implements fmt.Formatter so that every verb redacts.
func (PasswordHash) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

// LogValue implements slog.LogValuer and redacts.
func (PasswordHash) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON implements json.Marshaler and redacts: customer data is
// exported and disclosed as JSON, password hashes never are.
func (PasswordHash) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText implements encoding.TextMarshaler and redacts.
func (PasswordHash) MarshalText() ([]byte, error) { return []byte(redacted), nil }
