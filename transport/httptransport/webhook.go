package httptransport

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/azenna/advox/transport"
)

// Webhook returns the delivery-report handler the application mounts at
// Config.CallbackURL. For every request it authenticates the caller as the
// profile says (401 otherwise), bounds the body (413), parses the
// profile's dialect (400 for anything malformed, never a panic), hands
// each new report to the report handler and answers the profile's exact
// Ack once every report of the request was taken. When the handler fails
// on one, or none is set, it answers 503 instead, so that the operator
// delivers the request again (the reports the handler took then come
// again, and are dropped as duplicates only once taken). A report whose
// operator id a submit in flight is about to learn waits for it (up to
// WebhookConfig.ParkFor) before the answer. Duplicates and regressions
// are acknowledged and dropped; reports for ids the transport does not
// know are forwarded for the Client to look up. After Close it answers
// 503 so the operator retries elsewhere or later.
func (t *Transport) Webhook() http.Handler { return http.HandlerFunc(t.serveReport) }

func (t *Transport) serveReport(w http.ResponseWriter, r *http.Request) {
	t.stats.requests.Add(1)
	if t.ctx.Err() != nil {
		http.Error(w, "closed", http.StatusServiceUnavailable)
		return
	}
	body, ok := t.readRequest(w, r, "report")
	if !ok {
		return
	}
	if !t.authenticate(r, body) {
		t.stats.unauthorized.Add(1)
		if t.p.Reports.Auth == InboundBasic {
			w.Header().Set("WWW-Authenticate", `Basic realm="advox delivery reports"`)
		}
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	query := r.URL.Query()
	reports, err := t.p.Reports.Parse(query, body)
	switch {
	case errors.Is(err, ErrOtherCallback):
		// An inbound SMS or a batch summary at the report URL: answered
		// as a report is, since a refused one the operator would retry
		// for hours, and dropped.
		t.stats.ignored.Add(1)
		writeAck(w, t.p.Reports.Ack)
		return
	case err != nil:
		t.stats.malformed.Add(1)
		http.Error(w, "malformed report", http.StatusBadRequest)
		return
	}
	bound := ""
	if t.tokenBound() {
		// The token vouches for the message the URL names, and no other.
		bound = query.Get(RefParam)
		for _, rep := range reports {
			if rep.MessageID != bound {
				t.stats.unauthorized.Add(1)
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
		}
	}
	b := &batch{}
	for _, rep := range reports {
		t.stats.reports.Add(1)
		t.accept(rep, bound, b)
	}
	b.wg.Wait()
	if b.failed() || t.isClosed() {
		// A report was not taken (the handler failed, none is set, or
		// Close ran meanwhile): the operator must send it again.
		http.Error(w, "report not taken, deliver again later", http.StatusServiceUnavailable)
		return
	}
	writeAck(w, t.p.Reports.Ack)
}

// batch is one webhook request's reports on their way to the handler: the
// request is answered once each was handled, dropped or failed.
type batch struct {
	wg  sync.WaitGroup
	mu  sync.Mutex
	bad bool
}

// done records the outcome of one report the batch waited for.
func (b *batch) done(err error) {
	if err != nil {
		b.mu.Lock()
		b.bad = true
		b.mu.Unlock()
	}
	b.wg.Done()
}

// failed reports whether a report of the batch was not taken.
func (b *batch) failed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.bad
}

// readRequest checks the method of a webhook request (GET or POST) and
// reads its body within WebhookConfig.MaxBody, answering 405, 413 or 400
// (what names the request in the answer) and reporting false when it
// cannot.
func (t *Transport) readRequest(w http.ResponseWriter, r *http.Request, what string) ([]byte, bool) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		t.stats.malformed.Add(1)
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, t.hook.MaxBody))
	if err != nil {
		t.stats.malformed.Add(1)
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, what+" too large", http.StatusRequestEntityTooLarge)
			return nil, false
		}
		http.Error(w, "cannot read "+what, http.StatusBadRequest)
		return nil, false
	}
	return body, true
}

// tokenBound reports whether the webhook's requests are authenticated by
// a per-message token, which vouches for one message only.
func (t *Transport) tokenBound() bool {
	a := t.p.Reports.Auth
	return a == InboundMessageToken || a == InboundBasic && t.hook.Secret != ""
}

// writeAck writes the profile's acknowledgement verbatim.
func writeAck(w http.ResponseWriter, a Ack) {
	status := a.Status
	if status == 0 {
		status = http.StatusOK
	}
	if a.Body != "" {
		ct := a.ContentType
		if ct == "" {
			ct = "text/plain; charset=utf-8"
		}
		w.Header().Set("Content-Type", ct)
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, a.Body) // the operator hung up: nothing left to tell it
}

// accept correlates one report and forwards it, or parks it when its
// operator id may be about to be learnt by a submit in flight. bound is
// the message a per-message token vouched for ("" when none): an operator
// id the report names is kept only once it is known to be that message's
// (it could name another message's record, which the token does not vouch
// for); until then the report goes by bound alone. b is the request, which
// waits for the report's outcome.
func (t *Transport) accept(r transport.Report, bound string, b *batch) {
	b.wg.Add(1)
	if bound != "" && r.OperatorID != "" && !isPartOf(r.OperatorID, bound) {
		began := t.inflight.Load() > 0 && t.begin()
		wait := time.Duration(0)
		if began {
			wait = t.hook.ParkFor
		}
		if t.corr.settle(&r, bound, wait, b, func(r transport.Report) {
			defer t.wg.Done()
			b.done(t.forward(r))
		}) {
			t.stats.parked.Add(1)
			return
		}
		if began {
			t.wg.Done()
		}
	}
	if t.corr.enrich(&r) {
		b.done(t.forward(r))
		return
	}
	if r.MessageID == "" && t.inflight.Load() > 0 && t.begin() {
		t.stats.parked.Add(1)
		t.corr.park(r, t.hook.ParkFor, b, func(r transport.Report) {
			defer t.wg.Done()
			t.stats.uncorrelated.Add(1)
			b.done(t.forward(r))
		})
		return
	}
	t.stats.uncorrelated.Add(1)
	b.done(t.forward(r))
}

// unparked forwards reports released from parking, each of which holds a
// unit of t.wg, on goroutines of their own (the caller may be a submit),
// and tells each one's request the outcome.
func (t *Transport) unparked(rs []released, matched bool) {
	for _, p := range rs {
		if !matched {
			t.stats.uncorrelated.Add(1)
		}
		go func() {
			defer t.wg.Done()
			p.b.done(t.forward(p.r))
		}()
	}
}

// Errors of forward: the report was not taken, and its request is
// answered 503 for the operator to deliver it again.
var (
	errNoReportHandler = errors.New("httptransport: no report handler set")
	errClosing         = errors.New("httptransport: closed")
)

// forward drops duplicates and regressions and runs the report handler,
// returning why the report was not taken, if it was not. A report not
// taken is forgotten by the duplicate filter, so that its redelivery is
// news again.
func (t *Transport) forward(r transport.Report) error {
	prev, fresh := t.corr.admitted(r)
	if !fresh {
		t.stats.duplicates.Add(1)
		return nil
	}
	h := t.handler.Load()
	var err error
	switch {
	case h == nil:
		err = errNoReportHandler
	case !t.begin():
		err = errClosing
	default:
		t.stats.forwarded.Add(1)
		err = (*h)(t.ctx, r)
		t.wg.Done()
		if err != nil {
			t.stats.refused.Add(1)
		}
	}
	if err != nil {
		if !errors.Is(err, errNoReportHandler) && !errors.Is(err, errClosing) {
			err = fmt.Errorf("httptransport: report handler: %w", err)
		} else {
			t.stats.dropped.Add(1)
		}
		t.corr.unadmit(r, prev)
	}
	return err
}
