package router_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
	"github.com/azenna/advox/transport/router"
)

// reports collects the reports a handler receives.
type reports struct {
	mu   sync.Mutex
	list []transport.Report
}

func (c *reports) handle(_ context.Context, r transport.Report) error {
	c.mu.Lock()
	c.list = append(c.list, r)
	c.mu.Unlock()
	return nil
}

func (c *reports) all() []transport.Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]transport.Report(nil), c.list...)
}

func TestReportsNameTheirTransport(t *testing.T) {
	a := memtransport.New(&memtransport.Options{Name: "a"})
	b := memtransport.New(&memtransport.Options{Name: "b"})
	r := newRouter(t, router.Config{Routes: failover("a", "b")}, a, b)

	assert.False(t, a.Report(ctxT(t), transport.Report{OperatorID: "early", Status: transport.StatusDelivered}),
		"until SetReportHandler the transports have no handler (SMPP leaves receipts with the SMSC)")
	got := &reports{}
	r.SetReportHandler(got.handle)
	assert.Empty(t, got.all(), "a report before SetReportHandler is not delivered")

	for _, tc := range []struct {
		tr *memtransport.Transport
		id string
	}{{a, "a-7"}, {b, "b-7"}} {
		require.True(t, tc.tr.Report(ctxT(t), transport.Report{OperatorID: tc.id, Status: transport.StatusDelivered}))
	}
	list := got.all()
	require.Len(t, list, 2)
	assert.Equal(t, transport.Report{OperatorID: "a-7", Status: transport.StatusDelivered, Transport: "a"}, list[0])
	assert.Equal(t, transport.Report{OperatorID: "b-7", Status: transport.StatusDelivered, Transport: "b"}, list[1])
}

func TestReportsAfterFailover(t *testing.T) {
	a := memtransport.New(&memtransport.Options{Name: "a", ReportStatus: transport.StatusDelivered})
	b := memtransport.New(&memtransport.Options{Name: "b", ReportStatus: transport.StatusDelivered})
	r := newRouter(t, router.Config{Routes: failover("a", "b")}, a, b)
	got := &reports{}
	r.SetReportHandler(got.handle)
	a.Inject(memtransport.NotSent)
	res, err := r.Submit(ctxT(t), msg())
	require.NoError(t, err)
	require.Equal(t, "b", res.Transport)
	require.Eventually(t, func() bool { return len(got.all()) == 1 }, 5*time.Second, time.Millisecond)
	rep := got.all()[0]
	assert.Equal(t, "b", rep.Transport)
	assert.Equal(t, res.OperatorIDs[0], rep.OperatorID)
}

func TestNestedRouterKeepsTheLeafName(t *testing.T) {
	leaf := memtransport.New(&memtransport.Options{Name: "leaf"})
	inner := newRouter(t, router.Config{Name: "inner", Routes: failover("leaf")}, leaf)
	outer := newRouter(t, router.Config{Name: "outer", Routes: failover("inner")}, inner)
	got := &reports{}
	outer.SetReportHandler(got.handle)

	res, err := outer.Submit(ctxT(t), msg())
	require.NoError(t, err)
	assert.Equal(t, "leaf", res.Transport, "operator ids are scoped by the transport that took the message")
	require.True(t, leaf.Report(ctxT(t), transport.Report{OperatorID: res.OperatorIDs[0], Status: transport.StatusDelivered}))
	require.Len(t, got.all(), 1)
	assert.Equal(t, "leaf", got.all()[0].Transport)
}

// TestMembersHaveNoHandlerUntilRouterHasOne checks that the router does
// not claim reports on its transports' behalf before (or after) the Client
// set a handler: a member that knows no handler is set leaves its reports
// with the operator (SMPP answers ESME_RX_T_APPN) instead of acknowledging
// them for the router to drop.
func TestMembersHaveNoHandlerUntilRouterHasOne(t *testing.T) {
	a := memtransport.New(&memtransport.Options{Name: "a"})
	b := memtransport.New(&memtransport.Options{Name: "b"})
	r := newRouter(t, router.Config{Routes: failover("a", "b")}, a, b)
	early := transport.Report{OperatorID: "early", Status: transport.StatusDelivered}

	for _, tr := range []*memtransport.Transport{a, b} {
		assert.False(t, tr.Report(ctxT(t), early), "%s: no handler before the router has one", tr.Name())
	}

	got := &reports{}
	r.SetReportHandler(got.handle)
	require.True(t, a.Report(ctxT(t), transport.Report{OperatorID: "a-1", Status: transport.StatusDelivered}))
	require.Len(t, got.all(), 1)
	assert.Equal(t, "a", got.all()[0].Transport)

	r.SetReportHandler(nil)
	for _, tr := range []*memtransport.Transport{a, b} {
		assert.False(t, tr.Report(ctxT(t), early), "%s: the handler was removed", tr.Name())
	}
	assert.Len(t, got.all(), 1)
}

// TestConcurrentSetReportHandlerAgrees checks that racing SetReportHandler
// calls leave the members consistent with the router's last handler.
func TestConcurrentSetReportHandlerAgrees(t *testing.T) {
	a := memtransport.New(&memtransport.Options{Name: "a"})
	r := newRouter(t, router.Config{Routes: failover("a")}, a)
	got := &reports{}
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				r.SetReportHandler(nil)
			} else {
				r.SetReportHandler(got.handle)
			}
		}()
	}
	wg.Wait()
	r.SetReportHandler(got.handle)
	require.True(t, a.Report(ctxT(t), transport.Report{OperatorID: "x", Status: transport.StatusDelivered}))
	assert.Len(t, got.all(), 1)
}
