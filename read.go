package advox

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"time"

	"github.com/azenna/advox/audit"
	"github.com/azenna/advox/phone"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
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

// TrafficExportFormat names the layout of ExportTraffic's JSON.
const TrafficExportFormat = "advox-traffic-export/1"

// ExportTraffic returns, for purpose p, the account's traffic created in
// [from, to) as indented JSON: every record still within its retention
// (with its recipient number and, when kept, its text, opened for the
// customer whose traffic it is) and the usage of the period, the
// aggregates of erased traffic included. It is how a customer gets its
// traffic (accounts.Accounts.Export says so): the export states its purpose like
// every read of traffic data and is audited as "export traffic" with the
// number of records. A zero bound is open.
func (c *Client) ExportTraffic(ctx context.Context, p Purpose, account string, from, to time.Time) ([]byte, error) {
	const op = "export traffic"
	doc := trafficExport{
		Format: TrafficExportFormat, ExportedAt: c.now().UTC(), Account: account, Purpose: p,
		From: timeOrNil(from), To: timeOrNil(to), Records: []exportRecord{},
	}
	for r, err := range c.records(ctx, op, p, storage.Query{Account: account, From: from, To: to}) {
		if err != nil {
			return nil, err
		}
		doc.Records = append(doc.Records, exportRecordOf(r))
	}
	if err := c.begin(op); err != nil {
		return nil, err
	}
	defer c.sends.Done()
	u, err := c.store.Usage(ctx, account, from, to)
	if err != nil {
		return nil, wrap(op, err)
	}
	doc.Usage = exportUsage{Messages: u.Messages, Segments: u.Segments, Delivered: u.Delivered, Failed: u.Failed}
	b, err := json.MarshalIndent(doc, "", "  ")
	return b, wrap(op, err)
}

type trafficExport struct {
	Format     string         `json:"format"`
	ExportedAt time.Time      `json:"exported_at"`
	Account    string         `json:"account"`
	Purpose    Purpose        `json:"purpose"`
	From       *time.Time     `json:"from,omitempty"`
	To         *time.Time     `json:"to,omitempty"`
	Records    []exportRecord `json:"records"`
	Usage      exportUsage    `json:"usage"`
}

// exportUsage is the usage of the period, erased traffic included.
type exportUsage struct {
	Messages  int `json:"messages"`
	Segments  int `json:"segments"`
	Delivered int `json:"delivered"`
	Failed    int `json:"failed"`
}

type exportRecord struct {
	ID        string             `json:"id"`
	CreatedAt time.Time          `json:"created_at"`
	From      string             `json:"from"`
	To        string             `json:"to"`
	Text      string             `json:"text,omitempty"`
	Encoding  transport.Encoding `json:"encoding"`
	Segments  int                `json:"segments"`
	Status    transport.Status   `json:"status"`
	ErrorCode string             `json:"error_code,omitempty"`
	Parts     []exportPart       `json:"parts"`
	Transport string             `json:"transport"`
	Route     string             `json:"route,omitempty"`
	InvoiceID string             `json:"invoice_id,omitempty"`
	Deadline  time.Time          `json:"deleted_by"`
}

type exportPart struct {
	OperatorID string           `json:"operator_id,omitempty"`
	Status     transport.Status `json:"status"`
	ErrorCode  string           `json:"error_code,omitempty"`
	UpdatedAt  time.Time        `json:"updated_at"`
}

func exportRecordOf(r Record) exportRecord {
	out := exportRecord{
		ID: r.ID, CreatedAt: r.CreatedAt.UTC(), From: r.From, To: r.To.String(), Text: r.Body,
		Encoding: r.Encoding, Segments: r.Segments, Status: r.Status, ErrorCode: r.ErrorCode,
		Parts: make([]exportPart, len(r.Parts)), Transport: r.Transport, Route: r.Route,
		InvoiceID: r.InvoiceID, Deadline: r.Deadline.UTC(),
	}
	for i, p := range r.Parts {
		out.Parts[i] = exportPart{OperatorID: p.OperatorID, Status: p.Status, ErrorCode: p.ErrorCode, UpdatedAt: p.UpdatedAt.UTC()}
	}
	return out
}

// timeOrNil is t in UTC, or nil for the zero time (an open bound).
func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}
