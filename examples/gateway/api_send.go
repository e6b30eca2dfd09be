package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/azenna/advox"
	"github.com/azenna/advox/accounts"
	"github.com/azenna/advox/phone"
	"github.com/azenna/advox/transport"
)

// sendParallel bounds the sends one request runs at once.
const sendParallel = 8

// sendRequest is the body of POST /v1/messages.
type sendRequest struct {
	// From is the sender: an alphanumeric id, a short code or a number.
	From string `json:"from"`
	// To is one recipient or a list of them.
	To recipients `json:"to"`
	// Text is the message; it is never stored or logged.
	Text string `json:"text"`
	// UCS2 forces UCS-2 even when GSM-7 would do.
	UCS2 bool `json:"ucs2,omitempty"`
	// ValidFor bounds how long the operator keeps trying ("1h").
	ValidFor duration `json:"valid_for,omitempty"`
}

// recipients is a JSON string or array of strings.
type recipients []string

// UnmarshalJSON accepts "+46…" as well as ["+46…", …].
func (rs *recipients) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*rs = recipients{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("to: a number or an array of numbers")
	}
	*rs = many
	return nil
}

// sendResponse answers a send: one entry per recipient, in request order.
type sendResponse struct {
	Messages []sentMessage `json:"messages"`
	// Error is set when every message failed the same way: the error of
	// the first, so that a refused send reads like any other error answer.
	Error *apiError `json:"error,omitempty"`
}

// sentMessage is what became of the message to one recipient.
type sentMessage struct {
	// To is the recipient, masked.
	To string `json:"to"`
	// ID is the message id to query the status with ("" when nothing was
	// sent).
	ID       string             `json:"id,omitempty"`
	Status   transport.Status   `json:"status,omitempty"`
	Segments int                `json:"segments,omitempty"`
	Encoding transport.Encoding `json:"encoding,omitempty"`
	Error    *apiError          `json:"error,omitempty"`
	// Warning is set when the operator may have the message although the
	// send failed: it must not be sent again.
	Warning string `json:"warning,omitempty"`

	httpStatus int
	err        error
}

// The warnings of a message that must not be sent again: its fate is not
// known, or part of it went out and the rest could not be sent.
const (
	outcomeWarning    = "the operator may have this message: do not send it again; its status will settle"
	incompleteWarning = "part of this message went out and the rest could not be sent: do not send it again (the parts sent would arrive twice); its status says which parts went"
)

// send handles POST /v1/messages: the same text to one or many
// recipients. It answers 200 when every message was accepted, the single
// status all messages share (a message's own error status, or 202 with a
// warning when its outcome is unknown or it went out in part only), or 207
// with each message's outcome.
func (a *api) send(w http.ResponseWriter, r *http.Request, p accounts.Principal) {
	var req sendRequest
	if err := readJSON(w, r, a.cfg.MaxBody, &req); err != nil {
		a.fail(w, p.Account, err)
		return
	}
	switch {
	case len(req.To) == 0:
		a.fail(w, p.Account, badRequest("to: at least one recipient"))
		return
	case len(req.To) > a.cfg.MaxRecipients:
		a.fail(w, p.Account, badRequest("to: at most %d recipients", a.cfg.MaxRecipients))
		return
	}
	// The sends outlive the request: a customer hanging up mid-send must
	// not leave a message half-submitted with an unknown outcome.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), time.Duration(a.cfg.SendTimeout))
	defer cancel()
	out := make([]sentMessage, len(req.To))
	sem := make(chan struct{}, sendParallel)
	var wg sync.WaitGroup
	for i, to := range req.To {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			out[i] = a.sendOne(ctx, p, &req, to)
		})
	}
	wg.Wait()

	status := out[0].httpStatus
	for _, m := range out[1:] {
		if m.httpStatus != status {
			status = http.StatusMultiStatus
			break
		}
	}
	resp := sendResponse{Messages: out}
	if status >= 400 {
		resp.Error = out[0].Error
	}
	switch status {
	case http.StatusAccepted:
		warned := map[string]bool{}
		for _, m := range out {
			if m.Warning != "" && !warned[m.Warning] {
				warned[m.Warning] = true
				w.Header().Add("Warning", `199 advox "`+m.Warning+`"`)
			}
		}
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		if d, ok := retryAfter(out[0].err, a.now()); ok {
			setRetryAfter(w, d)
		}
	}
	writeJSON(w, status, resp)
}

// sendOne sends the message to one recipient.
func (a *api) sendOne(ctx context.Context, p accounts.Principal, req *sendRequest, to string) sentMessage {
	rcpt, err := a.client.Send(ctx, advox.Message{
		Account: p.Account, From: req.From, To: to, Text: req.Text,
		ForceUCS2: req.UCS2, ValidFor: time.Duration(req.ValidFor),
	})
	m := sentMessage{To: phone.Mask(to), ID: rcpt.ID, Status: rcpt.Status, Segments: rcpt.Segments,
		Encoding: rcpt.Encoding, httpStatus: http.StatusOK, err: err}
	if err == nil {
		return m
	}
	e := apiErrorOf(err)
	m.Error = &e
	m.httpStatus = statusOf(err)
	// A message with a receipt may be out, whole or in part: unless the
	// operator refused it for good and the error says so, whatever went
	// wrong (an unknown outcome, a record that could not be written), it
	// must not be sent again, so it never gets a status a client retries
	// on, whatever code the error carries.
	refused := advox.CodeOf(err) == advox.CodeRejected && rcpt.Status.Final() && rcpt.Status != transport.StatusDelivered
	if rcpt.ID != "" && !refused {
		m.httpStatus, m.Warning = http.StatusAccepted, outcomeWarning
		if advox.CodeOf(err) == advox.CodeIncomplete {
			m.Warning = incompleteWarning
		}
	}
	if m.httpStatus >= 500 {
		a.log.Error("gateway: send failed", "account", p.Account, "to", phone.Number(to), "error", err)
	}
	return m
}
