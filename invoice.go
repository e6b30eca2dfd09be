package advox

import (
	"context"
	"time"

	"github.com/azenna/advox/audit"
	"github.com/azenna/advox/storage"
)

// InvoiceRequest asks for an account's traffic of a period to be billed.
type InvoiceRequest struct {
	// ID is the invoice's id in the application's billing system.
	ID string
	// Account is the billed account's id.
	Account string
	// PeriodStart and PeriodEnd bound the billed traffic: [start, end).
	PeriodStart, PeriodEnd time.Time
	// Consumer selects the consumer time-bar (3 years by default) over the
	// business one (10 years).
	Consumer bool
}

// CreateInvoice records an invoice and links the period's billable records
// to it. Until the invoice is paid, credited, written off or time-barred
// those records are held past their retention deadline — and only those:
// unbilled and failed records keep the hard cap. It returns the invoice
// and how many records it holds.
func (c *Client) CreateInvoice(ctx context.Context, req InvoiceRequest) (storage.Invoice, int, error) {
	const op = "create invoice"
	if err := ValidateAccountID(req.Account); err != nil {
		return storage.Invoice{}, 0, err
	}
	if req.ID == "" || !req.PeriodStart.Before(req.PeriodEnd) {
		return storage.Invoice{}, 0, newError(op, CodeInvalidArgument, "an invoice needs an id and a period that ends after it starts")
	}
	if err := c.begin(op); err != nil {
		return storage.Invoice{}, 0, err
	}
	defer c.sends.Done()
	now := c.now()
	inv := storage.Invoice{
		ID: req.ID, Account: req.Account, PeriodStart: req.PeriodStart, PeriodEnd: req.PeriodEnd,
		State: storage.InvoiceOpen, IssuedAt: now, TimeBar: c.opts.Retention.TimeBar(now, req.Consumer),
	}
	n, err := c.store.CreateInvoice(ctx, inv)
	if err != nil {
		return storage.Invoice{}, 0, wrap(op, err)
	}
	c.audit.Audit(ctx, audit.Event{Time: now, Action: "invoice", Purpose: PurposeBill, Actor: audit.ActorFrom(ctx), Account: req.Account, Count: n})
	return inv, n, nil
}

// SetInvoiceState records a payment event: partially paid (which ends
// nothing), paid, credited, written off or time-barred (which end the
// hold). A final state never changes.
func (c *Client) SetInvoiceState(ctx context.Context, id string, state storage.InvoiceState) (storage.Invoice, error) {
	const op = "set invoice state"
	if !state.Valid() || state == storage.InvoiceOpen {
		return storage.Invoice{}, newError(op, CodeInvalidArgument, "state: must be a payment event, not %q", state)
	}
	if err := c.begin(op); err != nil {
		return storage.Invoice{}, err
	}
	defer c.sends.Done()
	inv, err := c.store.SetInvoiceState(ctx, id, state, c.now())
	if err != nil {
		return inv, wrap(op, err)
	}
	return inv, nil
}

// Invoice returns an invoice with the usage of its period, for billing.
func (c *Client) Invoice(ctx context.Context, id string) (storage.Invoice, storage.Usage, error) {
	const op = "invoice"
	if err := c.begin(op); err != nil {
		return storage.Invoice{}, storage.Usage{}, err
	}
	defer c.sends.Done()
	inv, err := c.store.Invoice(ctx, id)
	if err != nil {
		return inv, storage.Usage{}, wrap(op, err)
	}
	u, err := c.store.Usage(ctx, inv.Account, inv.PeriodStart, inv.PeriodEnd)
	if err == nil {
		c.auditRead(ctx, "usage", PurposeBill, inv.Account, "", u.Messages)
	}
	return inv, u, wrap(op, err)
}
