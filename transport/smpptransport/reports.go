package smpptransport

import (
	"context"
	"errors"
	"sync"

	"github.com/azenna/advox/transport"
	"github.com/fiorix/go-smpp/smpp/pdu"
)

// reportQueue hands reports from the connection readers to the handler on
// a goroutine of its own. It is unbounded so that a reader never waits for
// a slow handler: deliver_sm is acknowledged at once, and reports queue.
type reportQueue struct {
	mu     sync.Mutex
	items  []transport.Report
	signal chan struct{} // one pending wake-up
}

func newReportQueue() *reportQueue {
	return &reportQueue{signal: make(chan struct{}, 1)}
}

func (q *reportQueue) push(r transport.Report) {
	q.mu.Lock()
	q.items = append(q.items, r)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

func (q *reportQueue) take() []transport.Report {
	q.mu.Lock()
	defer q.mu.Unlock()
	items := q.items
	q.items = nil
	return items
}

// receive turns a deliver_sm into a queued report, or counts and logs why
// it could not, and returns the command_status to answer it with. A
// receipt that arrives before a report handler is set is not taken: it is
// answered with ESME_RX_T_APPN, so that the SMSC keeps it and delivers it
// again later instead of it being lost during start-up. Everything else is
// acknowledged.
func (t *Transport) receive(l *link, p pdu.Body, decodeErr error) pdu.Status {
	if decodeErr != nil {
		t.stats.malformed.Add(1)
		t.cfg.Logger.Warn("smpp: undecodable deliver_sm dropped", "transport", t.name, "session", l.session)
		return 0
	}
	r, err := t.reportOf(p)
	switch {
	case errors.Is(err, errNotReceipt):
		t.stats.ignored.Add(1) // a mobile-originated message: not ours to read
		return 0
	case err != nil:
		t.stats.malformed.Add(1)
		t.cfg.Logger.Warn("smpp: delivery receipt dropped", "transport", t.name, "session", l.session,
			"id", mask(r.OperatorID), "err", err)
		return 0
	case t.handler.Load() == nil:
		t.stats.deferred.Add(1)
		t.cfg.Logger.Info("smpp: delivery receipt deferred, no handler yet", "transport", t.name,
			"session", l.session, "id", mask(r.OperatorID))
		return StatusTempAppError
	}
	t.stats.reports.Add(1)
	t.checkReceiptID(r.OperatorID)
	t.reports.push(r)
	return 0
}

// dispatch calls the report handler for every queued report until stop
// is closed, then drains the queue.
func (t *Transport) dispatch(ctx context.Context, stop <-chan struct{}) {
	defer close(t.reportDone)
	for {
		select {
		case <-t.reports.signal:
		case <-stop:
			t.deliver(ctx, t.reports.take())
			return
		}
		t.deliver(ctx, t.reports.take())
	}
}

func (t *Transport) deliver(ctx context.Context, rs []transport.Report) {
	for _, r := range rs {
		h := t.handler.Load()
		if h == nil {
			t.stats.unhandled.Add(1)
			t.cfg.Logger.Warn("smpp: delivery receipt dropped, no handler", "transport", t.name, "id", mask(r.OperatorID))
			continue
		}
		(*h)(ctx, r)
	}
}
