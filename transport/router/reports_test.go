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
