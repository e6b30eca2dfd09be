package advox

import (
	"context"
	"encoding/json"
	"time"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

// TrafficExportFormat names the layout of ExportTraffic's JSON.
const TrafficExportFormat = "advox-traffic-export/1"

// ExportTraffic returns, for purpose p, the account's traffic created in
// [from, to) as indented JSON: every record still within its retention
// (with its recipient number and, when kept, its text, opened for the
// customer whose traffic it is) and the usage of the period, the
// aggregates of erased traffic included. It is how a customer gets its
// traffic (Accounts.Export says so): the export states its purpose like
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
