package transporttest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"testing"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
	"github.com/azenna/advox/transport/transporttest"
)

// memHarness connects the adapter under test to a far end the suite can
// observe. Here the adapter is memtransport and its far end is its own
// record of what it took; an adapter for a real protocol starts the
// operator's simulator (as smsctest and operatortest do) and reports what
// the simulator received.
type memHarness struct{ tr *memtransport.Transport }

func newMemHarness() *memHarness {
	return &memHarness{tr: memtransport.New(&memtransport.Options{ReportStatus: transport.StatusDelivered})}
}

// Transport returns the adapter under test; the suite closes it.
func (h *memHarness) Transport() transport.Transport { return h.tr }

// Received is what the far end received, in arrival order.
func (h *memHarness) Received() []transporttest.Received {
	var out []transporttest.Received
	for _, s := range h.tr.Sent() {
		out = append(out, transporttest.Received{
			MessageID: s.Message.ID, From: s.Message.From.Value, To: s.Message.To,
			Encoding: s.Message.Encoding, Parts: s.Message.Parts,
		})
	}
	return out
}

// Close stops the far end.
func (h *memHarness) Close() error { return nil }

// InjectFault makes the far end misbehave on the next submit, which adds
// the classification cases to the suite.
func (h *memHarness) InjectFault(f transporttest.Fault) {
	h.tr.Inject(map[transporttest.Fault]memtransport.Fault{
		transporttest.FaultThrottle:       memtransport.Throttle,
		transporttest.FaultReject:         memtransport.Reject,
		transporttest.FaultNotSent:        memtransport.NotSent,
		transporttest.FaultOutcomeUnknown: memtransport.OutcomeUnknown,
	}[f])
}

// newHarness is what the adapter's own tests hand to the suite, a fresh
// harness per case:
//
//	func TestConformance(t *testing.T) {
//		transporttest.Run(t, newHarness, transporttest.Features{DeliveryReports: true})
//	}
func newHarness(*testing.T) transporttest.Harness { return newMemHarness() }

// An adapter proves itself by running the suite through a Harness (see
// newHarness above for the test that runs it). The suite submits through
// the adapter, directly and through a real advox.Client, and checks what
// the far end received and how every failure is classified.
func Example() {
	h := newMemHarness()
	defer h.Close()
	tr := h.Transport()
	defer tr.Close()
	ctx := context.Background()

	m := &transport.Message{
		ID: "m-1", From: transport.Sender{Value: "Advox", Kind: transport.SenderAlphanumeric},
		To: "+46701234567", Encoding: transport.GSM7, Parts: []string{"Hello, ", "world"},
	}
	if _, err := tr.Submit(ctx, m); err != nil {
		log.Fatal(err)
	}
	for _, r := range h.Received() {
		fmt.Printf("%s from %s: %q in %d part(s)\n", r.MessageID, r.From, r.Text(), len(r.Parts))
	}

	h.InjectFault(transporttest.FaultThrottle)
	_, err := tr.Submit(ctx, m)
	fmt.Println(errors.Is(err, transport.ErrThrottled), transport.SafeToRetry(err))
	// Output:
	// m-1 from Advox: "Hello, world" in 2 part(s)
	// true true
}

// The harness the package example documents passes the suite, so the code
// an adapter author copies from it is known to work.
func TestExampleHarnessConformance(t *testing.T) {
	transporttest.Run(t, newHarness, transporttest.Features{DeliveryReports: true})
}
