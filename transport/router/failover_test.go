package router_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/router"
)

func TestFailover(t *testing.T) {
	notSent := fmt.Errorf("link down: %w", transport.ErrNotSent)
	tests := []struct {
		name      string
		first     error // what the first transport answers
		wantErr   error // nil: the second transport takes the message
		wantFirst bool  // the result names the first transport
	}{
		{"not sent fails over", notSent, nil, false},
		{"closed transport fails over", fmt.Errorf("smpp: %w", transport.ErrClosed), nil, false},
		{"accepted stays", nil, nil, true},
		{"outcome unknown never fails over", fmt.Errorf("timeout: %w", transport.ErrOutcomeUnknown), transport.ErrOutcomeUnknown, true},
		{"unclassified error never fails over", errors.New("mystery"), nil, true},
		{"rejected never fails over", fmt.Errorf("bad number: %w", transport.ErrRejected), transport.ErrRejected, true},
		{"throttled never fails over", &transport.RetryAfterError{After: 1, Err: transport.ErrThrottled}, transport.ErrThrottled, true},
		{"partial acceptance never fails over", &transport.PartialError{Accepted: []string{"p1"}, Err: notSent}, transport.ErrNotSent, true},
		{"partial without accepted parts fails over", &transport.PartialError{Err: notSent}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := &scripted{name: "a"}, &scripted{name: "b"}
			a.queue(tt.first)
			r := newRouter(t, router.Config{Routes: failover("a", "b"), Throttle: router.ThrottlePolicy{Pause: 1}}, a, b)
			m := msg()
			res, err := r.Submit(ctxT(t), m)
			assert.Equal(t, "default", res.Route)
			assert.Equal(t, 1, a.count(), "the first transport is always tried")
			if tt.wantFirst {
				assert.Equal(t, "a", res.Transport)
				assert.Zero(t, b.count(), "the second transport must receive nothing")
				if tt.first == nil {
					require.NoError(t, err)
					return
				}
				require.Error(t, err)
				if tt.wantErr != nil {
					assert.ErrorIs(t, err, tt.wantErr)
				}
				var pe *transport.PartialError
				if errors.As(tt.first, &pe) {
					require.ErrorAs(t, err, &pe, "the partial acceptance reaches the Client")
					assert.Equal(t, []string{"p1"}, pe.Accepted)
					assert.False(t, transport.SafeToRetry(err))
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "b", res.Transport)
			assert.Equal(t, []string{"b-1"}, res.OperatorIDs)
			assert.Equal(t, 1, b.count())
		})
	}
}

func TestFailoverAllNotSent(t *testing.T) {
	a, b, c := &scripted{name: "a"}, &scripted{name: "b"}, &scripted{name: "c"}
	for _, s := range []*scripted{a, b, c} {
		s.queue(fmt.Errorf("%s down: %w", s.name, transport.ErrNotSent))
	}
	r := newRouter(t, router.Config{Routes: failover("a", "b", "c")}, a, b, c)
	m := msg()
	res, err := r.Submit(ctxT(t), m)
	require.Error(t, err)
	assert.ErrorIs(t, err, transport.ErrNotSent)
	assert.True(t, transport.SafeToRetry(err), "nothing was taken: the Client may retry")
	assert.False(t, errors.Is(err, transport.ErrOutcomeUnknown))
	assert.Equal(t, "c", res.Transport, "the result names the last transport tried")
	assert.Equal(t, "default", res.Route)
	for _, s := range []*scripted{a, b, c} {
		assert.Equal(t, 1, s.count())
		assert.Contains(t, err.Error(), s.name+" down")
	}
	assert.NotContains(t, err.Error(), m.To)
}

func TestClosedSubTransportIsNotRouterClosed(t *testing.T) {
	ts := mems("a")
	r := newRouter(t, router.Config{Routes: failover("a")}, asTransports(ts)...)
	require.NoError(t, ts[0].Close())
	_, err := r.Submit(ctxT(t), msg())
	require.Error(t, err)
	assert.ErrorIs(t, err, transport.ErrNotSent)
	assert.False(t, errors.Is(err, transport.ErrClosed), "the router itself is open")
}

func TestNoFailoverAfterCallerGaveUp(t *testing.T) {
	a, b := &scripted{name: "a"}, &scripted{name: "b"}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a.queue(fmt.Errorf("%w: %w", transport.ErrNotSent, context.Canceled))
	r := newRouter(t, router.Config{Routes: failover("a", "b"), Breaker: router.BreakerPolicy{Failures: 1}}, a, b)
	_, err := r.Submit(ctx, msg())
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, transport.ErrNotSent)
	assert.Zero(t, b.count())
	assert.Equal(t, router.BreakerClosed, r.Breaker("a"), "the caller's cancellation is not the transport's failure")
}

func TestNilMessage(t *testing.T) {
	r := newRouter(t, router.Config{Routes: failover("a")}, &scripted{name: "a"})
	_, err := r.Submit(ctxT(t), nil)
	assert.ErrorIs(t, err, transport.ErrRejected)
}
