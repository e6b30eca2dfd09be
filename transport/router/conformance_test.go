package router_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
	"github.com/azenna/advox/transport/router"
	"github.com/azenna/advox/transport/transporttest"
)

// harness is a router over two memtransports on one failover route: the
// far end is both of them.
type harness struct {
	r    *router.Router
	a, b *memtransport.Transport
}

func newHarness(t *testing.T) transporttest.Harness {
	cfg := func(name string) *memtransport.Config {
		return &memtransport.Config{Name: name, ReportStatus: transport.StatusDelivered, RetryAfter: time.Millisecond}
	}
	h := &harness{a: memtransport.New(cfg("mem-a")), b: memtransport.New(cfg("mem-b"))}
	r, err := router.New(router.Config{
		Name:       "router",
		Transports: []transport.Transport{h.a, h.b},
		Routes:     failover("mem-a", "mem-b"),
		Throttle:   router.ThrottlePolicy{Pause: time.Millisecond},
	})
	require.NoError(t, err)
	h.r = r
	return h
}

func (h *harness) Transport() transport.Transport { return h.r }

func (h *harness) Received() []transporttest.Received {
	var out []transporttest.Received
	for _, tr := range []*memtransport.Transport{h.a, h.b} {
		for _, s := range tr.Sent() {
			m := s.Message
			out = append(out, transporttest.Received{
				MessageID: m.ID, From: m.From.Value, To: m.To, Encoding: m.Encoding, Parts: m.Parts,
			})
		}
	}
	return out
}

// InjectFault makes the router's next submit meet f: not-sent faults hit
// both transports (the router fails over), the others the first one.
func (h *harness) InjectFault(f transporttest.Fault) {
	switch f {
	case transporttest.FaultThrottle:
		h.a.Inject(memtransport.Throttle)
	case transporttest.FaultReject:
		h.a.Inject(memtransport.Reject)
	case transporttest.FaultOutcomeUnknown:
		h.a.Inject(memtransport.OutcomeUnknown)
	case transporttest.FaultNotSent:
		h.a.Inject(memtransport.NotSent)
		h.b.Inject(memtransport.NotSent)
	}
}

func (h *harness) Close() error { return nil } // the memtransports close with the router

func TestConformance(t *testing.T) {
	transporttest.Run(t, newHarness, transporttest.Features{DeliveryReports: true, Timeout: 5 * time.Second})
}
