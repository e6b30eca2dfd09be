package storage

import (
	"time"

	"github.com/azenna/advox/transport"
)

// InvoiceState is where an invoice stands. Paid, credited, written off and
// time-barred are final; open and partially paid are not (a partial payment
// ends nothing).
type InvoiceState string

// The invoice states.
const (
	InvoiceOpen          InvoiceState = "open"
	InvoicePartiallyPaid InvoiceState = "partially_paid"
	InvoicePaid          InvoiceState = "paid"
	InvoiceCredited      InvoiceState = "credited"
	InvoiceWrittenOff    InvoiceState = "written_off"
	InvoiceTimeBarred    InvoiceState = "time_barred"
)

// Valid reports whether s is one of the states.
func (s InvoiceState) Valid() bool {
	switch s {
	case InvoiceOpen, InvoicePartiallyPaid, InvoicePaid, InvoiceCredited, InvoiceWrittenOff, InvoiceTimeBarred:
		return true
	}
	return false
}

// Final reports whether the invoice is settled one way or another.
func (s InvoiceState) Final() bool {
	switch s {
	case InvoicePaid, InvoiceCredited, InvoiceWrittenOff, InvoiceTimeBarred:
		return true
	}
	return false
}

// Invoice bills an account's traffic of a period. While it is not final it
// holds its records past their retention deadline, never past TimeBar.
type Invoice struct {
	// ID is the invoice's id in the application's billing system.
	ID string
	// Account is the billed account's id.
	Account string
	// PeriodStart and PeriodEnd bound the billed records' CreatedAt:
	// [PeriodStart, PeriodEnd).
	PeriodStart, PeriodEnd time.Time
	// State is where the invoice stands; a final state ends the hold.
	State InvoiceState
	// IssuedAt is when the invoice was issued.
	IssuedAt time.Time
	// TimeBar is when the claim is time-barred: the hold ends then at the
	// latest, whatever the state.
	TimeBar time.Time
	// FinalAt is when the invoice reached a final state (zero while open).
	FinalAt time.Time
}

// Holds reports whether the invoice still holds its records at now: it is
// not final and not yet time-barred.
func (inv Invoice) Holds(now time.Time) bool {
	return !inv.State.Final() && now.Before(inv.TimeBar)
}

// Visible reports whether a record may still be read at now: before its
// Deadline, or — only when it is billed on an invoice that still holds it
// (inv is that invoice; nil when the record has none) and its message has
// not failed — until the invoice is final or time-barred. A message that
// failed after it was billed keeps the hard cap, as every failed record
// does. Every store enforces exactly this on read and purge.
func Visible(r *Record, inv *Invoice, now time.Time) bool {
	if now.Before(r.Deadline) {
		return true
	}
	return r.InvoiceID != "" && !r.Failed() && inv != nil && inv.ID == r.InvoiceID && inv.Holds(now)
}

// Failed reports whether a record's message failed (a final status other
// than delivered): failed records are not billed, so no invoice holds them.
func (r *Record) Failed() bool {
	return r.Status.Final() && r.Status != transport.StatusDelivered
}
