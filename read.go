package advox

import (
	"context"
	"errors"
	"iter"
	"time"

	"github.com/azenna/advox/audit"
	"github.com/azenna/advox/phone"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage"
)

// Purpose is why traffic data is read. The privacy policy allows exactly
// three; every read of traffic data takes one and refuses others. It is
// processing.Purpose, the purposes the record of processing lists.
type Purpose = processing.Purpose

// The purposes traffic data may be processed for.
const (
	// PurposeTransmit: sending the message and tracking its delivery.
	PurposeTransmit = processing.PurposeTransmit
	// PurposeTroubleshoot: support investigating a customer's traffic.
	PurposeTroubleshoot = processing.PurposeTroubleshoot
	// PurposeBill: invoicing and bookkeeping.
	PurposeBill = processing.PurposeBill
)

// checkPurpose refuses a read that states no purpose the policy allows.
func checkPurpose(op string, p Purpose) error {
	if !p.Valid() {
		return newError(op, CodeInvalidArgument, "purpose: must be transmit, troubleshoot or bill")
	}
	return nil
}

// Record is a traffic record as the Client returns it: the stored record
// with its sealed fields opened.
type Record struct {
	storage.Record
	// To is the recipient. It logs masked.
	To phone.Number
	// Body is the kept message text ("" unless Options.KeepBodies and the
	// body is still within its time).
	Body string
}

// open unseals a stored record. A record whose key was destroyed is
// storage.ErrErased.
func (c *Client) open(ctx context.Context, r storage.Record) (Record, error) {
	out := Record{Record: r}
	if !r.Recipient.IsZero() {
		to, err := c.keys.Open(ctx, r.Recipient.KeyID, r.ID, fieldRecipient, r.Recipient.Data)
		if err != nil {
			return Record{}, err
		}
		out.To = phone.Number(to)
	}
	if !r.Body.IsZero() {
		body, err := c.keys.Open(ctx, r.Body.KeyID, r.ID, fieldBody, r.Body.Data)
		if err != nil {
			return Record{}, err
		}
		out.Body = string(body)
	}
	return out, nil
}

// auditRead records a read of traffic data.
func (c *Client) auditRead(ctx context.Context, action string, p Purpose, account, id string, n int) {
	c.audit.Audit(ctx, audit.Event{Time: c.now(), Action: action, Purpose: p, Actor: audit.ActorFrom(ctx), Account: account, MessageID: id, Count: n})
}

// readErr maps a read failure: data under a destroyed key is erased.
func readErr(op string, err error) error {
	if errors.Is(err, storage.ErrErased) {
		return &Error{Op: op, Code: CodeErased, Err: err}
	}
	return wrap(op, err)
}

// Status returns message id's record — its overall status and each part's
// — read for purpose p.
func (c *Client) Status(ctx context.Context, p Purpose, id string) (Record, error) {
	return c.status(ctx, "status", p, "", id)
}

// AccountStatus is Status for a caller that acts for one account, such as
// a customer-facing API: another account's message is ErrNotFound, exactly
// like a missing one, and is neither opened nor audited as read.
func (c *Client) AccountStatus(ctx context.Context, p Purpose, account, id string) (Record, error) {
	const op = "account status"
	if err := ValidateAccountID(account); err != nil {
		return Record{}, err
	}
	return c.status(ctx, op, p, account, id)
}

// readable reports whether r may still be read at the Client's clock, and
// withholds a body past its time. Stores hide what is past its retention
// by their own clock; the Client, which owns the policy, holds it by its
// own too (a store clock that lags, a store that does not hide): a record
// is readable before its Deadline, or while the invoice it was billed on
// before that deadline holds it (storage.Visible) — never when its message
// failed, since failed records keep the hard cap, nor when the invoice came
// only after the deadline. invs caches the invoices looked up, by id.
func (c *Client) readable(ctx context.Context, r *storage.Record, invs map[string]*storage.Invoice) (bool, error) {
	now := c.now()
	if !r.BodyUntil.IsZero() && !now.Before(r.BodyUntil) {
		r.Body, r.BodyUntil = storage.Sealed{}, time.Time{}
	}
	if now.Before(r.Deadline) {
		return true, nil
	}
	if r.InvoiceID == "" || r.Failed() {
		return false, nil
	}
	inv, ok := invs[r.InvoiceID]
	if !ok {
		got, err := c.store.Invoice(ctx, r.InvoiceID)
		switch {
		case err == nil:
			inv = &got
		case !errors.Is(err, storage.ErrNotFound):
			return false, err
		}
		if invs != nil {
			invs[r.InvoiceID] = inv
		}
	}
	if inv != nil && !inv.IssuedAt.Before(r.Deadline) {
		return false, nil // unbilled at its deadline: the hard cap applied
	}
	return storage.Visible(r, inv, now), nil
}

// status reads message id's record for purpose p; account, unless "",
// must be the record's.
func (c *Client) status(ctx context.Context, op string, p Purpose, account, id string) (Record, error) {
	if err := checkPurpose(op, p); err != nil {
		return Record{}, err
	}
	if err := c.begin(op); err != nil {
		return Record{}, err
	}
	defer c.sends.Done()
	r, err := c.store.Get(ctx, id)
	if err == nil && account != "" && r.Account != account {
		err = storage.ErrNotFound
	}
	if err == nil {
		var ok bool
		if ok, err = c.readable(ctx, &r, nil); err == nil && !ok {
			err = storage.ErrNotFound
		}
	}
	if err != nil {
		return Record{}, readErr(op, err)
	}
	c.auditRead(ctx, "read", p, r.Account, r.ID, 1)
	out, err := c.open(ctx, r)
	return out, readErr(op, err)
}

// Records yields, for purpose p, the account's traffic records created in
// [q.From, q.To), oldest first; none past its retention by the Client's
// clock. q.Account must be an account id (see ValidateAccountID).
func (c *Client) Records(ctx context.Context, p Purpose, q storage.Query) iter.Seq2[Record, error] {
	return c.records(ctx, "records", p, q)
}

// FindByRecipient yields, for purpose p (support looking into a customer's
// report of a message), the account's records to the given number created
// in [from, to). The lookup goes through a keyed blind index: the number
// itself is never stored or compared in the clear.
func (c *Client) FindByRecipient(ctx context.Context, p Purpose, account, number string, from, to time.Time) iter.Seq2[Record, error] {
	const op = "find by recipient"
	n, err := phone.ValidateRecipient("number", number, c.opts.Region)
	if err == nil {
		err = ValidateAccountID(account)
	}
	if err != nil {
		return func(yield func(Record, error) bool) { yield(Record{}, err) }
	}
	q := storage.Query{Account: account, From: from, To: to, RecipientIndex: c.index.Of(account, string(n))}
	return c.records(ctx, op, p, q)
}

func (c *Client) records(ctx context.Context, op string, p Purpose, q storage.Query) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		if err := checkPurpose(op, p); err != nil {
			yield(Record{}, err)
			return
		}
		if err := ValidateAccountID(q.Account); err != nil {
			yield(Record{}, err)
			return
		}
		if err := c.begin(op); err != nil {
			yield(Record{}, err)
			return
		}
		defer c.sends.Done()
		n := 0
		defer func() { c.auditRead(ctx, op, p, q.Account, "", n) }()
		invs := make(map[string]*storage.Invoice)
		for r, err := range c.store.Query(ctx, q) {
			if err == nil {
				var ok bool
				if ok, err = c.readable(ctx, &r, invs); err == nil && !ok {
					continue
				}
			}
			if err != nil {
				yield(Record{}, readErr(op, err))
				return
			}
			n++
			out, err := c.open(ctx, r)
			if !yield(out, readErr(op, err)) || err != nil {
				return
			}
		}
	}
}

// Usage aggregates, for purpose p, the account's traffic created in
// [from, to): counts only, erased traffic included. account must be an
// account id (see ValidateAccountID).
func (c *Client) Usage(ctx context.Context, p Purpose, account string, from, to time.Time) (storage.Usage, error) {
	const op = "usage"
	if err := checkPurpose(op, p); err != nil {
		return storage.Usage{}, err
	}
	if err := ValidateAccountID(account); err != nil {
		return storage.Usage{}, err
	}
	if err := c.begin(op); err != nil {
		return storage.Usage{}, err
	}
	defer c.sends.Done()
	u, err := c.store.Usage(ctx, account, from, to)
	if err == nil {
		c.auditRead(ctx, "usage", p, account, "", u.Messages)
	}
	return u, wrap(op, err)
}
