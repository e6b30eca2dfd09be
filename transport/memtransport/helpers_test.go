package memtransport_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
	"github.com/azenna/advox/transport/transporttest"
	"github.com/stretchr/testify/assert"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// harness adapts memtransport to the conformance suite: the "far end" is
// the transport's own record of what it took, multipart messages joined
// by reference as a handset joins them.
type harness struct {
	tr    *memtransport.Transport
	whole bool // hand the suite the transport without its SubmitParts

	senders sync.WaitGroup // InjectInbound's
	closed  chan struct{}
}

func (h *harness) Transport() transport.Transport {
	if h.whole {
		return wholeOnly{h.tr}
	}
	return h.tr
}

func (h *harness) Close() error {
	close(h.closed)
	h.senders.Wait()
	return nil
}

// InjectInbound implements transporttest.InboundInjector: the far end is
// a goroutine that hands each part to Receive, again every few
// milliseconds while the handler refuses it (or none is set), as an
// operator delivers again.
func (h *harness) InjectInbound(m transporttest.MO) error {
	in := transport.Inbound{From: m.From, To: m.To, Text: m.Text, Coding: transport.CodingGSM7}
	if m.UCS2 {
		in.Coding = transport.CodingUCS2
	}
	parts := memtransport.Split(in, max(1, m.Parts), m.Ref)
	order := m.Order
	if len(order) == 0 {
		for i := range parts {
			order = append(order, i+1)
		}
	}
	h.senders.Add(1)
	go func() {
		defer h.senders.Done()
		for _, n := range order {
			for try := 0; h.tr.Receive(context.Background(), parts[n-1]) != nil && try < 1000; try++ {
				select {
				case <-h.closed:
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		}
	}()
	return nil
}

func (h *harness) Received() []transporttest.Received {
	var out []transporttest.Received
	for _, m := range h.tr.Joined() {
		out = append(out, transporttest.Received{MessageID: m.ID, From: m.From.Value, To: m.To, Encoding: m.Encoding, Parts: m.Parts})
	}
	return out
}

func (h *harness) ReceivedParts() []transporttest.ReceivedPart {
	var out []transporttest.ReceivedPart
	for _, s := range h.tr.Sent() {
		if len(s.Message.Parts) < 2 {
			continue
		}
		for _, n := range s.Parts {
			out = append(out, transporttest.ReceivedPart{To: s.Message.To, Ref: int(s.Ref), Number: n, Total: len(s.Message.Parts)})
		}
	}
	return out
}

var faults = map[transporttest.Fault]memtransport.Fault{
	transporttest.FaultThrottle:       memtransport.Throttle,
	transporttest.FaultReject:         memtransport.Reject,
	transporttest.FaultNotSent:        memtransport.NotSent,
	transporttest.FaultOutcomeUnknown: memtransport.OutcomeUnknown,
}

func (h *harness) InjectFault(f transporttest.Fault) { h.tr.Inject(faults[f]) }

func (h *harness) InjectPartFault(part int, f transporttest.Fault) {
	h.tr.InjectPart(part+1, faults[f])
}

// wholeOnly is memtransport without SubmitParts: an adapter that cannot
// send some parts of a message.
type wholeOnly struct{ tr *memtransport.Transport }

func (w wholeOnly) Name() string { return w.tr.Name() }

func (w wholeOnly) Local() bool { return true }

func (w wholeOnly) Close() error { return w.tr.Close() }

func (w wholeOnly) SetReportHandler(h transport.ReportHandler) { w.tr.SetReportHandler(h) }

func (w wholeOnly) SetInboundHandler(h transport.InboundHandler) {
	w.tr.SetInboundHandler(h)
}

func (w wholeOnly) Submit(ctx context.Context, m *transport.Message) (transport.Result, error) {
	return w.tr.Submit(ctx, m)
}

func msg(parts ...string) *transport.Message {
	return &transport.Message{ID: "m", To: "+46701234567", Encoding: transport.GSM7, Parts: parts, ReportRequested: true}
}

// signalCtx closes done the first time Done is called, i.e. when Submit
// starts waiting out Latency.
type signalCtx struct {
	context.Context
	once sync.Once
	done chan struct{}
}

func (c *signalCtx) Done() <-chan struct{} {
	c.once.Do(func() { close(c.done) })
	return c.Context.Done()
}

// closeWaitsFor closes tr while a handler (what) blocks until release is
// closed, and checks that Close returns only after the handler has.
func closeWaitsFor(t *testing.T, tr *memtransport.Transport, release chan struct{}, what string) {
	t.Helper()
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		assert.NoError(t, tr.Close())
	}()
	select {
	case <-closed:
		t.Errorf("Close returned while %s was still running", what)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	<-closed
}
