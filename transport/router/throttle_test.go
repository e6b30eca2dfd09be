package router_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/router"
)

func throttled(hint time.Duration) error {
	return &transport.RetryAfterError{After: hint, Err: fmt.Errorf("slow down: %w", transport.ErrThrottled)}
}

// shortCtx is a context that ends long before any pause in these tests.
func shortCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	t.Cleanup(cancel)
	return ctx
}

func TestThrottlePausesWithoutFailingOver(t *testing.T) {
	tests := []struct {
		name  string
		hint  time.Duration
		pause time.Duration // how long the transport stays paused
	}{
		{"operator hint", 10 * time.Second, 10 * time.Second},
		{"no hint: ThrottlePolicy.Pause", 0, 3 * time.Second},
		{"short hint: at least Pause", time.Millisecond, 3 * time.Second},
		{"long hint capped at MaxPause", time.Hour, 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			a, b := &scripted{name: "a"}, &scripted{name: "b"}
			policy := router.ThrottlePolicy{Pause: 3 * time.Second, MaxPause: 30 * time.Second}
			r := newRouter(t, router.Config{Routes: failover("a", "b"), Throttle: policy, Now: clk.Now}, a, b)
			a.queue(throttled(tt.hint))

			res, err := r.Submit(ctxT(t), msg())
			require.Error(t, err)
			assert.ErrorIs(t, err, transport.ErrThrottled)
			assert.True(t, transport.SafeToRetry(err))
			hint, _ := transport.RetryAfter(err)
			assert.Equal(t, tt.hint, hint, "the operator's hint reaches the Client unchanged")
			assert.Equal(t, "a", res.Transport)
			assert.Zero(t, b.count(), "throttling never fails over")

			// Paused: a submit waits for a rather than switching to b.
			clk.Advance(tt.pause / 2)
			_, err = r.Submit(shortCtx(t), msg())
			require.Error(t, err)
			assert.ErrorIs(t, err, transport.ErrNotSent, "a wait cut short sent nothing")
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Equal(t, 1, a.count())
			assert.Zero(t, b.count())

			// The pause over, a takes the next message at once.
			clk.Advance(tt.pause - tt.pause/2)
			res, err = r.Submit(shortCtx(t), msg())
			require.NoError(t, err)
			assert.Equal(t, "a", res.Transport)
			assert.Zero(t, b.count())
		})
	}
}

func TestThrottleWaitEndsOnClose(t *testing.T) {
	a := &scripted{name: "a"}
	clk := newClock()
	calls := make(chan struct{}, 16)
	now := func() time.Time {
		calls <- struct{}{}
		return clk.Now()
	}
	r, err := router.New(router.Config{Transports: []transport.Transport{a}, Routes: failover("a"),
		Throttle: router.ThrottlePolicy{Pause: time.Minute}, Now: now})
	require.NoError(t, err)
	a.queue(throttled(0))
	_, err = r.Submit(ctxT(t), msg())
	require.ErrorIs(t, err, transport.ErrThrottled)
	for len(calls) > 0 {
		<-calls
	}

	errc := make(chan error)
	go func() {
		_, err := r.Submit(ctxT(t), msg())
		errc <- err
	}()
	<-calls // admitted, about to wait out the pause
	require.NoError(t, r.Close())
	err = <-errc
	assert.ErrorIs(t, err, transport.ErrClosed)
	assert.ErrorIs(t, err, transport.ErrNotSent)
	assert.Equal(t, 1, a.count(), "the waiting submit never reached the transport")
}

func TestThrottleRealPause(t *testing.T) {
	a, b := &scripted{name: "a"}, &scripted{name: "b"}
	r := newRouter(t, router.Config{Routes: failover("a", "b"), Throttle: router.ThrottlePolicy{Pause: 5 * time.Millisecond}}, a, b)
	a.queue(throttled(0))
	_, err := r.Submit(ctxT(t), msg())
	require.ErrorIs(t, err, transport.ErrThrottled)
	res, err := r.Submit(ctxT(t), msg())
	require.NoError(t, err, "the submit waits out the pause and goes through")
	assert.Equal(t, "a", res.Transport)
	assert.Zero(t, b.count())
}

// spilling is a router on a fake clock over a and b on a route that
// spills, pausing throttled transports for a second.
func spilling(t *testing.T) (*clock, *scripted, *scripted, *router.Router) {
	clk := newClock()
	a, b := &scripted{name: "a"}, &scripted{name: "b"}
	rt := failover("a", "b")
	rt[0].SpillThrottled = true
	r := newRouter(t, router.Config{Routes: rt, Now: clk.Now, Throttle: router.ThrottlePolicy{Pause: time.Second}}, a, b)
	return clk, a, b, r
}

// On a route that spills, a throttled answer (nothing taken) moves the
// message on, and a paused transport is passed over instead of waited
// for: against a throttling SMSC, messages waited out 1 s pauses or
// failed as throttled while the second transport sat idle.
func TestSpillThrottled(t *testing.T) {
	clk, a, b, r := spilling(t)

	a.queue(throttled(0))
	res, err := r.Submit(ctxT(t), msg())
	require.NoError(t, err)
	assert.Equal(t, "b", res.Transport, "the throttled message spilled over")

	res, err = r.Submit(shortCtx(t), msg())
	require.NoError(t, err, "no wait for the paused transport")
	assert.Equal(t, "b", res.Transport)
	assert.Equal(t, 1, a.count())

	clk.Advance(time.Second)
	res, err = r.Submit(ctxT(t), msg())
	require.NoError(t, err)
	assert.Equal(t, "a", res.Transport, "the pause over, a takes messages again")
	assert.Equal(t, router.BreakerClosed, r.Breaker("a"), "throttling is no failure")

	// A message partly taken never spills: that could duplicate it.
	a.queue(&transport.PartialError{Accepted: []string{"p1"}, Err: throttled(0)})
	_, err = r.Submit(ctxT(t), msg())
	require.ErrorIs(t, err, transport.ErrThrottled)
	assert.Equal(t, 2, b.count())
}

// When every transport of a spilling route is throttled, the error is
// throttled — one classification, with the earliest retry hint — so the
// Client backs off as for one throttled transport.
func TestSpillAllThrottled(t *testing.T) {
	clk, a, b, r := spilling(t)
	a.queue(throttled(3 * time.Second))
	b.queue(throttled(0))
	_, err := r.Submit(ctxT(t), msg())
	require.ErrorIs(t, err, transport.ErrThrottled)
	assert.NotErrorIs(t, err, transport.ErrNotSent)
	assert.True(t, transport.SafeToRetry(err))
	hint, ok := transport.RetryAfter(err)
	require.True(t, ok)
	assert.Equal(t, time.Second, hint, "b's pause ends first")

	// Both paused: passed over without a submit, still throttled.
	clk.Advance(500 * time.Millisecond)
	_, err = r.Submit(ctxT(t), msg())
	require.ErrorIs(t, err, transport.ErrThrottled)
	hint, _ = transport.RetryAfter(err)
	assert.Equal(t, 500*time.Millisecond, hint)
	assert.Equal(t, 1, a.count())
	assert.Equal(t, 1, b.count())

	// One paused, the other down: not sent, and only that.
	clk.Advance(500 * time.Millisecond)
	b.queue(fmt.Errorf("b: %w", transport.ErrNotSent))
	_, err = r.Submit(ctxT(t), msg())
	require.ErrorIs(t, err, transport.ErrNotSent)
	assert.NotErrorIs(t, err, transport.ErrThrottled, "exactly one classification")
	assert.Contains(t, err.Error(), "a: paused after throttling")
}
