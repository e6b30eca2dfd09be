package advox

import (
	"context"
	"errors"
	"iter"
	"time"

	"github.com/azenna/advox/storage"
)

// Record is a traffic record as the Client returns it: the stored record
// with its sealed fields opened.
type Record struct {
	storage.Record
	// To is the recipient. It logs masked.
	To Number
	// Body is the kept message text ("" unless Options.KeepBodies and the
	// body is still within its time).
	Body string
}

// open unseals a stored record. A record whose key was destroyed is
// storage.ErrErased.
func (c *Client) open(ctx context.Context, r storage.Record) (Record, error) {
	out := Record{Record: r}
	if !r.Recipient.IsZero() {
		to, err := c.keys.open(ctx, r.Recipient.KeyID, r.ID, fieldRecipient, r.Recipient.Data)
		if err != nil {
			return Record{}, err
		}
		out.To = Number(to)
	}
	if !r.Body.IsZero() {
		body, err := c.keys.open(ctx, r.Body.KeyID, r.ID, fieldBody, r.Body.Data)
		if err != nil {
			return Record{}, err
		}
		out.Body = string(body)
	}
	return out, nil
}

// auditRead records a read of traffic data.
func (c *Client) auditRead(ctx context.Context, action string, p Purpose, account, id string, n int) {
	c.audit.Audit(ctx, AuditEvent{Time: c.now(), Action: action, Purpose: p, Actor: ActorFrom(ctx), Account: account, MessageID: id, Count: n})
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
	if account == "" {
		return Record{}, newError(op, CodeInvalidArgument, "account is empty")
	}
	return c.status(ctx, op, p, account, id)
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
	if err != nil {
		return Record{}, readErr(op, err)
	}
	c.auditRead(ctx, "read", p, r.Account, r.ID, 1)
	out, err := c.open(ctx, r)
	return out, readErr(op, err)
}

// Records yields, for purpose p, the account's traffic records created in
// [q.From, q.To), oldest first.
func (c *Client) Records(ctx context.Context, p Purpose, q storage.Query) iter.Seq2[Record, error] {
	return c.records(ctx, "records", p, q)
}

// FindByRecipient yields, for purpose p (support looking into a customer's
// report of a message), the account's records to the given number created
// in [from, to). The lookup goes through a keyed blind index: the number
// itself is never stored or compared in the clear.
func (c *Client) FindByRecipient(ctx context.Context, p Purpose, account, number string, from, to time.Time) iter.Seq2[Record, error] {
	const op = "find by recipient"
	n, err := ValidateRecipient("number", number, c.opts.Region)
	if err != nil {
		return func(yield func(Record, error) bool) { yield(Record{}, err) }
	}
	q := storage.Query{Account: account, From: from, To: to, RecipientIndex: c.index.of(account, string(n))}
	return c.records(ctx, op, p, q)
}

func (c *Client) records(ctx context.Context, op string, p Purpose, q storage.Query) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		if err := checkPurpose(op, p); err != nil {
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
		for r, err := range c.store.Query(ctx, q) {
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
// [from, to): counts only, erased traffic included.
func (c *Client) Usage(ctx context.Context, p Purpose, account string, from, to time.Time) (storage.Usage, error) {
	const op = "usage"
	if err := checkPurpose(op, p); err != nil {
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
