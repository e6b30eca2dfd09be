package router_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
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
	cfg := func(name string) *memtransport.Options {
		return &memtransport.Options{Name: name, ReportStatus: transport.StatusDelivered, RetryAfter: time.Millisecond}
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

// Received is what the handsets got: a multipart message counts once its
// parts are all in, joined by reference on the transport that took them,
// as a handset joins them (parts of one message on two operators never
// join).
func (h *harness) Received() []transporttest.Received {
	var out []transporttest.Received
	for _, tr := range []*memtransport.Transport{h.a, h.b} {
		for _, m := range tr.Joined() {
			out = append(out, transporttest.Received{MessageID: m.ID, From: m.From.Value, To: m.To, Encoding: m.Encoding, Parts: m.Parts})
		}
	}
	return out
}

// ReceivedParts lists every part of a multipart message either transport
// took.
func (h *harness) ReceivedParts() []transporttest.ReceivedPart {
	var out []transporttest.ReceivedPart
	for _, tr := range []*memtransport.Transport{h.a, h.b} {
		for _, s := range tr.Sent() {
			if len(s.Message.Parts) < 2 {
				continue
			}
			for _, n := range s.Parts {
				out = append(out, transporttest.ReceivedPart{To: s.Message.To, Ref: int(s.Ref), Number: n, Total: len(s.Message.Parts)})
			}
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

// InjectPartFault makes the first transport, which the route tries
// first, accept the parts before part (0-based) of the next message and
// answer that one with f.
func (h *harness) InjectPartFault(part int, f transporttest.Fault) {
	h.a.InjectPart(part+1, map[transporttest.Fault]memtransport.Fault{
		transporttest.FaultThrottle:       memtransport.Throttle,
		transporttest.FaultReject:         memtransport.Reject,
		transporttest.FaultNotSent:        memtransport.NotSent,
		transporttest.FaultOutcomeUnknown: memtransport.OutcomeUnknown,
	}[f])
}

func (h *harness) Close() error { return nil } // the memtransports close with the router

func TestConformance(t *testing.T) {
	transporttest.Run(t, newHarness, transporttest.Features{DeliveryReports: true, Timeout: 5 * time.Second})
}

func TestCloseClosesEveryTransport(t *testing.T) {
	ts := mems("a", "b")
	r, err := router.New(router.Config{Transports: asTransports(ts), Routes: failover("a", "b")})
	require.NoError(t, err)
	require.NoError(t, r.Close())
	require.NoError(t, r.Close(), "Close twice")
	for _, tr := range ts {
		_, err := tr.Submit(ctxT(t), msg())
		assert.ErrorIs(t, err, transport.ErrClosed, tr.Name())
	}
	_, err = r.Submit(ctxT(t), msg())
	assert.ErrorIs(t, err, transport.ErrClosed)
	assert.ErrorIs(t, r.Ping(ctxT(t)), transport.ErrClosed)
}

func TestPing(t *testing.T) {
	a := memtransport.New(&memtransport.Options{Name: "a"})
	b := memtransport.New(&memtransport.Options{Name: "b"})
	r := newRouter(t, router.Config{Routes: failover("a", "b")}, a, b)
	require.NoError(t, r.Ping(ctxT(t)))
	require.NoError(t, a.Close())
	require.NoError(t, r.Ping(ctxT(t)), "one transport answering is enough")
	require.NoError(t, b.Close())
	err := r.Ping(ctxT(t))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no transport answers")
}

// closing is a transport whose Submit closes the router first, as a Close
// racing the submit would, and then answers as a closed transport does.
type closing struct {
	name  string
	close func()
}

func (c *closing) Name() string { return c.name }

func (c *closing) Close() error { return nil }

func (c *closing) Submit(context.Context, *transport.Message) (transport.Result, error) {
	c.close()
	return transport.Result{}, fmt.Errorf("%s: %w", c.name, transport.ErrClosed)
}

// TestCloseDuringSubmitIsClosed checks that a submit cut short by the
// router's own Close says so (ErrClosed, not only "no transport took it"
// which the Client would retry) and hands the message to no other member.
func TestCloseDuringSubmitIsClosed(t *testing.T) {
	a := &closing{name: "a"}
	b := &scripted{name: "b"}
	r := newRouter(t, router.Config{Routes: failover("a", "b")}, a, b)
	a.close = func() { _ = r.Close() }

	_, err := r.Submit(ctxT(t), msg())
	require.Error(t, err)
	assert.ErrorIs(t, err, transport.ErrClosed)
	assert.ErrorIs(t, err, transport.ErrNotSent, "nothing was taken")
	assert.False(t, errors.Is(err, transport.ErrOutcomeUnknown))
	assert.Zero(t, b.count(), "a closed router hands nothing to its other transports")
}
