package router_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
	"github.com/azenna/advox/transport/router"
)

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
