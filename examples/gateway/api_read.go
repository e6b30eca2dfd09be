package main

import (
	"net/http"
	"time"

	"github.com/azenna/advox"
	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

// maxIDLen bounds message ids in paths: longer ones are not ids.
const maxIDLen = 64

// messageStatus answers GET /v1/messages/{id}.
type messageStatus struct {
	ID string `json:"id"`
	// To is the recipient, masked.
	To        string             `json:"to"`
	From      string             `json:"from"`
	Status    transport.Status   `json:"status"`
	Segments  int                `json:"segments"`
	Encoding  transport.Encoding `json:"encoding"`
	Transport string             `json:"transport"`
	Route     string             `json:"route,omitempty"`
	ErrorCode string             `json:"error_code,omitempty"`
	Parts     []partStatus       `json:"parts"`
	CreatedAt time.Time          `json:"created_at"`
	UpdatedAt time.Time          `json:"updated_at"`
	// KeptUntil is when the record is deleted under the retention policy.
	KeptUntil time.Time `json:"kept_until"`
}

// partStatus is one part's delivery state.
type partStatus struct {
	OperatorID string           `json:"operator_id,omitempty"`
	Status     transport.Status `json:"status"`
	ErrorCode  string           `json:"error_code,omitempty"`
	UpdatedAt  time.Time        `json:"updated_at"`
}

// status handles GET /v1/messages/{id}: the message's record, read for
// troubleshooting. Another account's message is not found, exactly like a
// missing one.
func (a *api) status(w http.ResponseWriter, r *http.Request, p accounts.Principal) {
	id := r.PathValue("id")
	if id == "" || len(id) > maxIDLen {
		a.fail(w, p.Account, advox.ErrNotFound)
		return
	}
	rec, err := a.client.AccountStatus(r.Context(), advox.PurposeTroubleshoot, p.Account, id)
	if err != nil {
		a.fail(w, p.Account, err)
		return
	}
	out := messageStatus{
		ID: rec.ID, To: rec.To.Masked(), From: rec.From, Status: rec.Status, Segments: rec.Segments,
		Encoding: rec.Encoding, Transport: rec.Transport, Route: rec.Route, ErrorCode: rec.ErrorCode,
		Parts: make([]partStatus, len(rec.Parts)), CreatedAt: rec.CreatedAt.UTC(), UpdatedAt: rec.UpdatedAt.UTC(),
		KeptUntil: rec.Deadline.UTC(),
	}
	for i, pt := range rec.Parts {
		out.Parts[i] = partStatus{OperatorID: pt.OperatorID, Status: pt.Status, ErrorCode: pt.ErrorCode, UpdatedAt: pt.UpdatedAt.UTC()}
	}
	writeJSON(w, http.StatusOK, out)
}

// usageResponse answers GET /v1/usage.
type usageResponse struct {
	Account   string    `json:"account"`
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	Messages  int       `json:"messages"`
	Segments  int       `json:"segments"`
	Delivered int       `json:"delivered"`
	Failed    int       `json:"failed"`
}

// usage handles GET /v1/usage?from=&to=: the account's traffic in [from,
// to), counts only, read for billing. Bounds are RFC 3339 times or
// YYYY-MM-DD dates (midnight UTC); they default to the current calendar
// month.
func (a *api) usage(w http.ResponseWriter, r *http.Request, p accounts.Principal) {
	from, to, err := parsePeriod(r.URL.Query().Get("from"), r.URL.Query().Get("to"), a.now())
	if err != nil {
		a.fail(w, p.Account, err)
		return
	}
	u, err := a.client.Usage(r.Context(), advox.PurposeBill, p.Account, from, to)
	if err != nil {
		a.fail(w, p.Account, err)
		return
	}
	writeJSON(w, http.StatusOK, usageResponse{Account: p.Account, From: from, To: to,
		Messages: u.Messages, Segments: u.Segments, Delivered: u.Delivered, Failed: u.Failed})
}

// parsePeriod reads a usage period. Empty bounds default to the calendar
// month (UTC) of now.
func parsePeriod(fromS, toS string, now time.Time) (from, to time.Time, err error) {
	from = storage.MonthOf(now)
	to = from.AddDate(0, 1, 0)
	if fromS != "" {
		if from, err = parseBound("from", fromS); err != nil {
			return
		}
	}
	if toS != "" {
		if to, err = parseBound("to", toS); err != nil {
			return
		}
	}
	if !from.Before(to) {
		err = badRequest("from must be before to")
	}
	return from, to, err
}

// parseBound reads an RFC 3339 time or a YYYY-MM-DD date.
func parseBound(name, s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, badRequest("%s: an RFC 3339 time or a YYYY-MM-DD date", name)
}

// export handles GET /v1/export: all of the account's customer data, for
// the customer's right of access and portability.
func (a *api) export(w http.ResponseWriter, r *http.Request, p accounts.Principal) {
	doc, err := a.accounts.Export(r.Context(), p.Account)
	if err != nil {
		a.fail(w, p.Account, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", `attachment; filename="advox-export-`+p.Account+`.json"`)
	_, _ = w.Write(doc)
}

// eraseResponse answers POST /v1/erase.
type eraseResponse struct {
	Account string `json:"account"`
	// Records is how many per-message records were deleted.
	Records int `json:"records"`
	// KeysDestroyed is how many data keys were destroyed: from then on
	// every copy of the sealed traffic, backups included, is unreadable.
	KeysDestroyed int `json:"keys_destroyed"`
	// UnreadableAfterMS is how long it took until the keys were gone.
	UnreadableAfterMS float64 `json:"unreadable_after_ms"`
}

// erase handles POST /v1/erase: every per-message record of the account
// is erased at once, on the customer's request; only aggregate usage per
// month stays, for billing.
func (a *api) erase(w http.ResponseWriter, r *http.Request, p accounts.Principal) {
	rep, err := a.client.EraseAccountTraffic(r.Context(), p.Account, advox.EraseOnRequest)
	if err != nil {
		a.fail(w, p.Account, err)
		return
	}
	writeJSON(w, http.StatusOK, eraseResponse{Account: rep.Account, Records: rep.Records, KeysDestroyed: rep.KeysDestroyed,
		UnreadableAfterMS: float64(rep.UnreadableAfter.Microseconds()) / 1000})
}
