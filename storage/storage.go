package storage

import (
	"context"
	"errors"
	"iter"
	"time"

	"github.com/azenna/advox/transport"
)

// TrafficStore keeps traffic records. Implementations are safe for
// concurrent use and honour ctx. Reads never return a record whose Deadline
// is at or before the store's clock, even if Purge has not run yet.
type TrafficStore interface {
	// Record stores new records, all or none. A record whose ID exists
	// already fails the call with ErrExists; one without ID or Deadline
	// with ErrInvalid.
	Record(ctx context.Context, recs ...Record) error
	// UpdateStatus applies a delivery report to one record and returns the
	// record as it is afterwards. An update that would move a part out of a
	// final status or backwards (see transport.Status.CanBecome) changes
	// nothing and is not an error.
	UpdateStatus(ctx context.Context, u StatusUpdate) (Record, error)
	// Get returns the record with the given message id, or ErrNotFound.
	Get(ctx context.Context, id string) (Record, error)
	// FindByOperatorID returns a record one of whose parts the named
	// transport gave operatorID, and that part's index, or ErrNotFound.
	// Operators reuse ids, so several records may hold one: the store
	// returns the newest (latest CreatedAt, ties to the greater ID) among
	// those whose part with the id is not final, and only when every one
	// is final the newest of all — the choice ByOperatorID makes.
	FindByOperatorID(ctx context.Context, transportName, operatorID string) (Record, int, error)
	// Query yields an account's records created in [q.From, q.To), oldest
	// first (ties broken by ID). An error ends the sequence.
	Query(ctx context.Context, q Query) iter.Seq2[Record, error]
	// Usage aggregates an account's records created in [from, to), plus
	// the aggregates EraseAccount kept of erased records whose period
	// (calendar month, UTC) starts in [from, to).
	Usage(ctx context.Context, account string, from, to time.Time) (Usage, error)
	// Purge deletes every record that is no longer visible at now (see
	// Visible), drops sealed bodies whose BodyUntil has passed, and reports
	// what it did. It is idempotent and safe to run from several instances
	// at once.
	Purge(ctx context.Context, now time.Time) (PurgeResult, error)
	// EraseAccount deletes every record of the account at once, keeping
	// only their aggregate usage per calendar month (counts; no ids, no
	// numbers, no finer timestamps), and returns how many it deleted.
	EraseAccount(ctx context.Context, account string) (int, error)

	// CreateInvoice stores an invoice in state InvoiceOpen and links to it
	// the account's records created in its period that are not failed and
	// not yet linked; it returns how many it linked. An existing id fails
	// with ErrExists; an invoice without id, account, period or time-bar
	// with ErrInvalid.
	CreateInvoice(ctx context.Context, inv Invoice) (int, error)
	// SetInvoiceState moves an invoice to state at time at and returns it.
	// A final state never changes again (ErrInvoiceFinal).
	SetInvoiceState(ctx context.Context, id string, state InvoiceState, at time.Time) (Invoice, error)
	// Invoice returns an invoice, or ErrNotFound.
	Invoice(ctx context.Context, id string) (Invoice, error)

	// Close releases the store; later calls fail with ErrClosed. Close is
	// idempotent.
	Close() error
}

// PurgeResult reports a purge: counts and a time, never a number or id.
type PurgeResult struct {
	// Deleted is how many records the purge deleted.
	Deleted int
	// BodiesDropped is how many sealed bodies it dropped.
	BodiesDropped int
	// OldestDeadline is the earliest Deadline among the records that
	// remain (zero when none remain); records held by an open invoice may
	// be past it.
	OldestDeadline time.Time
}

// The errors stores return (wrapped, so the driver's own error stays
// reachable with errors.As).
var (
	ErrNotFound    = errors.New("storage: not found")
	ErrExists      = errors.New("storage: record exists")
	ErrClosed      = errors.New("storage: closed")
	ErrUnavailable = errors.New("storage: unavailable")
	// ErrInvalid: the caller passed something incomplete (a record without
	// id or deadline, an invoice without period, a key without account)
	// or customer data a store cannot keep exactly (see AccountStore), so
	// nothing was written.
	ErrInvalid = errors.New("storage: invalid argument")
	// ErrInvoiceFinal: the invoice is in a final state and cannot change.
	ErrInvoiceFinal = errors.New("storage: invoice is final")
)

// AllParts as StatusUpdate.Part applies the update to every part.
const AllParts = -1

// Record is the traffic record of one message. It holds no message body.
type Record struct {
	// ID is the library's message id.
	ID string
	// Account is the sending account's id.
	Account string
	// Transport is the Name of the transport that took the message.
	Transport string
	// Route is the route the message took ("" when unrouted).
	Route string
	// From is the sender as sent.
	From string
	// Recipient is the recipient number, sealed under the account's data
	// key by the Client: stores never see the number itself. A store that
	// is also the KeyStore refuses a record whose key was destroyed
	// (ErrErased), so nothing can be recorded under an erased key.
	Recipient Sealed
	// RecipientIndex is a keyed blind index of the number (an HMAC, never
	// an unkeyed hash), for lookups by number (Query.RecipientIndex).
	RecipientIndex []byte
	// Body is the message text, sealed, only when the application opts in
	// to keeping bodies for troubleshooting; zero otherwise. It is dropped
	// when the message reaches a final status or BodyUntil passes.
	Body Sealed
	// BodyUntil is when Body must be gone at the latest.
	BodyUntil time.Time
	// Encoding is the character set the message was sent in.
	Encoding transport.Encoding
	// Segments is the number of SMS segments billed.
	Segments int
	// Parts holds one entry per operator id (one per segment, or a single
	// entry when the operator gave one id for the message or none).
	Parts []Part
	// Status is the message status, derived from Parts by
	// transport.Overall (the store keeps it consistent on update).
	Status transport.Status
	// ErrorCode is the classification or operator code of a failure.
	ErrorCode string
	// CreatedAt is when the message was submitted.
	CreatedAt time.Time
	// UpdatedAt is when the record last changed.
	UpdatedAt time.Time
	// Deadline is when the record must be gone under the retention policy
	// (unless an open invoice holds it, see Visible). A zero Deadline is
	// refused by Record.
	Deadline time.Time
	// InvoiceID is the invoice the record is billed on ("" unbilled); set
	// by CreateInvoice, never by Record.
	InvoiceID string
}

// Sealed is an encrypted field: the ciphertext and the id of the data key
// it is sealed under. Stores keep it as it is.
type Sealed struct {
	// KeyID is the id of the data key (a storage.DataKey) that sealed
	// Data: once the key is destroyed, Data can never be opened.
	KeyID string
	// Data is the ciphertext, nonce included.
	Data []byte
}

// IsZero reports whether nothing is sealed.
func (s Sealed) IsZero() bool { return s.KeyID == "" && len(s.Data) == 0 }

// Part is the delivery state of one part of a message.
type Part struct {
	// OperatorID is the operator's id of the part ("" when none was given).
	OperatorID string
	// Status is the part's status.
	Status transport.Status
	// ErrorCode is the operator's error code from the last report, if any.
	ErrorCode string
	// UpdatedAt is when the status was reached; it never moves backwards
	// (see Apply).
	UpdatedAt time.Time
}

// StatusUpdate is a delivery report addressed to a stored record.
type StatusUpdate struct {
	// ID is the message id.
	ID string
	// Part is the index into Record.Parts, or AllParts.
	Part int
	// Status is the new status.
	Status transport.Status
	// ErrorCode is the operator's error code, if any.
	ErrorCode string
	// At is when the status was reached.
	At time.Time
}

// Query selects an account's records by creation time.
type Query struct {
	// Account is the account whose records are read; a query never spans
	// accounts.
	Account string
	// RecipientIndex, when set, keeps only records with this blind index.
	RecipientIndex []byte
	// From and To bound CreatedAt to [From, To); a zero bound is open.
	From, To time.Time
	// Limit caps the number of records yielded; 0 means no cap.
	Limit int
}

// Usage is the aggregate of an account's traffic in a period: counts only,
// nothing that identifies a message or a recipient.
type Usage struct {
	// Account is the account the counts are of.
	Account string
	// From and To are the period asked for, [From, To); a zero bound is
	// open.
	From, To time.Time
	// Messages and Segments count every record in the period.
	Messages int
	Segments int
	// Delivered and Failed count messages by final outcome (Failed: any
	// final status other than delivered).
	Delivered int
	Failed    int
}

// Add counts one message of the given segments and status in u, the way
// every store counts it: a delivered message in Delivered, any other final
// status in Failed.
func (u *Usage) Add(segments int, st transport.Status) {
	u.Messages++
	u.Segments += segments
	switch {
	case st == transport.StatusDelivered:
		u.Delivered++
	case st.Final():
		u.Failed++
	}
}

// MonthOf is the billing period t falls in: the start of its calendar
// month, UTC. EraseAccount keeps its aggregates per such period.
func MonthOf(t time.Time) time.Time {
	y, m, _ := t.UTC().Date()
	return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
}

// Apply applies u to r in place following the no-regression rule and
// reports whether anything changed. Times never move backwards either: a
// report dated before a part's or the record's UpdatedAt moves the status
// and leaves that time. Stores use it so that every store means the same
// thing by an update.
func Apply(r *Record, u StatusUpdate) bool {
	changed := false
	for i := range r.Parts {
		if u.Part != AllParts && u.Part != i {
			continue
		}
		p := &r.Parts[i]
		if !p.Status.CanBecome(u.Status) {
			continue
		}
		p.Status, p.ErrorCode = u.Status, u.ErrorCode
		if u.At.After(p.UpdatedAt) {
			p.UpdatedAt = u.At
		}
		changed = true
	}
	if !changed {
		return false
	}
	// A message that has failed stays as it failed: later reports of its
	// other parts move those parts, not the message's status or the code
	// that made it fail; a delivered part's code is no failure's.
	// Final before this update means failed: a delivered message has no
	// part left to change.
	wasFinal := r.Status.Final()
	if !wasFinal {
		r.Status = OverallOf(r.Parts)
	}
	if r.Status.Final() {
		r.Body, r.BodyUntil = Sealed{}, time.Time{}
	}
	if u.ErrorCode != "" && !wasFinal && u.Status != transport.StatusDelivered {
		r.ErrorCode = u.ErrorCode
	}
	if u.At.After(r.UpdatedAt) {
		r.UpdatedAt = u.At
	}
	return true
}

// OverallOf derives the message status from its parts.
func OverallOf(parts []Part) transport.Status {
	s := make([]transport.Status, len(parts))
	for i, p := range parts {
		s[i] = p.Status
	}
	return transport.Overall(s)
}

// Clone returns a deep copy of r (no slice is shared).
func (r Record) Clone() Record {
	r.Parts = append([]Part(nil), r.Parts...)
	r.Recipient.Data = append([]byte(nil), r.Recipient.Data...)
	r.Body.Data = append([]byte(nil), r.Body.Data...)
	r.RecipientIndex = append([]byte(nil), r.RecipientIndex...)
	return r
}
