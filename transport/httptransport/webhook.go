package httptransport

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/azenna/advox/transport"
)

// Webhook returns the delivery-report handler the application mounts at
// Config.CallbackURL. For every request it authenticates the caller as the
// profile says (401 otherwise), bounds the body (413), parses the
// profile's dialect (400 for anything malformed, never a panic), answers
// the profile's exact Ack at once, and then hands each new report to the
// report handler on its own goroutine. Duplicates and regressions are
// acknowledged and dropped; reports for ids the transport does not know
// are acknowledged, counted and forwarded for the Client to look up. After
// Close it answers 503 so the operator retries elsewhere or later.
func (t *Transport) Webhook() http.Handler { return http.HandlerFunc(t.serveReport) }

func (t *Transport) serveReport(w http.ResponseWriter, r *http.Request) {
	t.stats.requests.Add(1)
	if t.ctx.Err() != nil {
		http.Error(w, "closed", http.StatusServiceUnavailable)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		t.stats.malformed.Add(1)
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, t.hook.MaxBody))
	if err != nil {
		t.stats.malformed.Add(1)
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, "report too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read report", http.StatusBadRequest)
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
	for _, rep := range reports {
		t.stats.reports.Add(1)
		t.accept(rep, bound)
	}
	if t.isClosed() {
		// Close ran while this request was read: its reports may have
		// been dropped, so the operator must send them again.
		http.Error(w, "closed", http.StatusServiceUnavailable)
		return
	}
	writeAck(w, t.p.Reports.Ack)
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
	io.WriteString(w, a.Body)
}

// accept correlates one report and forwards it, or parks it when its
// operator id may be about to be learnt by a submit in flight. bound is
// the message a per-message token vouched for ("" when none): an operator
// id the report names is kept only once it is known to be that message's
// (it could name another message's record, which the token does not vouch
// for); until then the report goes by bound alone.
func (t *Transport) accept(r transport.Report, bound string) {
	if bound != "" && r.OperatorID != "" && !isPartOf(r.OperatorID, bound) {
		began := t.inflight.Load() > 0 && t.begin()
		wait := time.Duration(0)
		if began {
			wait = t.hook.ParkFor
		}
		if t.corr.settle(&r, bound, wait, func(r transport.Report) {
			defer t.wg.Done()
			t.forward(r)
		}) {
			t.stats.parked.Add(1)
			return
		}
		if began {
			t.wg.Done()
		}
	}
	if t.corr.enrich(&r) {
		t.forward(r)
		return
	}
	if r.MessageID == "" && t.inflight.Load() > 0 && t.begin() {
		t.stats.parked.Add(1)
		t.corr.park(r, t.hook.ParkFor, func(r transport.Report) {
			defer t.wg.Done()
			t.stats.uncorrelated.Add(1)
			t.forward(r)
		})
		return
	}
	t.stats.uncorrelated.Add(1)
	t.forward(r)
}

// unparked forwards reports released from parking, each of which holds a
// unit of t.wg.
func (t *Transport) unparked(rs []transport.Report, matched bool) {
	for _, r := range rs {
		if !matched {
			t.stats.uncorrelated.Add(1)
		}
		t.forward(r)
		t.wg.Done()
	}
}

// forward drops duplicates and regressions and runs the report handler on
// its own goroutine, so the operator's acknowledgement never waits for it.
func (t *Transport) forward(r transport.Report) {
	if !t.corr.admit(r) {
		t.stats.duplicates.Add(1)
		return
	}
	h := t.handler.Load()
	if h == nil || !t.begin() {
		t.stats.dropped.Add(1)
		return
	}
	t.stats.forwarded.Add(1)
	go func() {
		defer t.wg.Done()
		(*h)(t.ctx, r)
	}()
}
