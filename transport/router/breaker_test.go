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
	"github.com/azenna/advox/transport/router"
)

func TestBreakerOpensProbesAndCloses(t *testing.T) {
	clk := newClock()
	a, b := &scripted{name: "a"}, &scripted{name: "b"}
	policy := router.BreakerPolicy{Failures: 3, Backoff: time.Second, MaxBackoff: 3 * time.Second}
	r := newRouter(t, router.Config{Routes: failover("a", "b"), Breaker: policy, Now: clk.Now}, a, b)
	down := fmt.Errorf("down: %w", transport.ErrNotSent)
	send := func() transport.Result {
		t.Helper()
		res, err := r.Submit(ctxT(t), msg())
		require.NoError(t, err)
		return res
	}

	// Three consecutive failures take a out of rotation; b takes each.
	a.queue(down, down, down)
	for i := range 3 {
		assert.Equal(t, "b", send().Transport)
		assert.Equal(t, i+1, a.count())
	}
	assert.Equal(t, router.BreakerOpen, r.Breaker("a"))

	// While open, a is skipped without being tried.
	assert.Equal(t, "b", send().Transport)
	assert.Equal(t, 3, a.count(), "an open transport receives nothing")

	// The back-off ends: one probe; it fails, and the breaker reopens for
	// twice as long.
	clk.Advance(time.Second)
	assert.Equal(t, router.BreakerHalfOpen, r.Breaker("a"))
	a.queue(down)
	assert.Equal(t, "b", send().Transport)
	assert.Equal(t, 4, a.count(), "the probe")
	assert.Equal(t, router.BreakerOpen, r.Breaker("a"))
	clk.Advance(time.Second)
	assert.Equal(t, router.BreakerOpen, r.Breaker("a"), "second opening lasts 2s")
	clk.Advance(time.Second)
	assert.Equal(t, router.BreakerHalfOpen, r.Breaker("a"))

	// The next probe succeeds: a is back in rotation and takes traffic.
	assert.Equal(t, "a", send().Transport)
	assert.Equal(t, router.BreakerClosed, r.Breaker("a"))
	assert.Equal(t, "a", send().Transport)

	// A later opening starts from the first back-off again.
	a.queue(down, down, down)
	for range 3 {
		send()
	}
	assert.Equal(t, router.BreakerOpen, r.Breaker("a"))
	clk.Advance(time.Second)
	assert.Equal(t, router.BreakerHalfOpen, r.Breaker("a"))
}

func TestBreakerBackoffIsCapped(t *testing.T) {
	clk := newClock()
	a, b := &scripted{name: "a"}, &scripted{name: "b"}
	policy := router.BreakerPolicy{Failures: 1, Backoff: time.Second, MaxBackoff: 3 * time.Second}
	r := newRouter(t, router.Config{Routes: failover("a", "b"), Breaker: policy, Now: clk.Now}, a, b)
	down := fmt.Errorf("down: %w", transport.ErrNotSent)
	for _, wait := range []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 3 * time.Second} {
		a.queue(down)
		_, err := r.Submit(ctxT(t), msg())
		require.NoError(t, err)
		require.Equal(t, router.BreakerOpen, r.Breaker("a"))
		clk.Advance(wait - time.Millisecond)
		assert.Equal(t, router.BreakerOpen, r.Breaker("a"), "open for %s", wait)
		clk.Advance(time.Millisecond)
		assert.Equal(t, router.BreakerHalfOpen, r.Breaker("a"))
	}
}

func TestBreakerCountsOnlyConsecutiveFailures(t *testing.T) {
	type effect int
	const (
		resets  effect = iota // the operator answered
		counts                // one more failure
		nothing               // nothing learnt
	)
	unknown := fmt.Errorf("x: %w", transport.ErrOutcomeUnknown)
	tests := []struct {
		name    string
		between error // answered after two failures
		effect  effect
	}{
		{"accepted resets", nil, resets},
		{"rejected resets: the operator answered", fmt.Errorf("x: %w", transport.ErrRejected), resets},
		{"throttled resets: the operator answered", fmt.Errorf("x: %w", transport.ErrThrottled), resets},
		{"outcome unknown counts", unknown, counts},
		{"caller's cancellation is nothing", fmt.Errorf("x: %w: %w", transport.ErrOutcomeUnknown, context.Canceled), nothing},
		// A timeout after accepted parts left the breaker closed: it is
		// evidence about the transport whatever the part count.
		{"multipart timeout counts", &transport.PartialError{Accepted: []string{"p1"}, Err: unknown}, counts},
		{"multipart link lost counts", &transport.PartialError{Accepted: []string{"p1"}, Err: fmt.Errorf("x: %w", transport.ErrNotSent)}, counts},
		{"multipart throttled resets", &transport.PartialError{Accepted: []string{"p1"}, Err: fmt.Errorf("x: %w", transport.ErrThrottled)}, resets},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := &scripted{name: "a"}, &scripted{name: "b"}
			r := newRouter(t, router.Config{Routes: failover("a", "b"), Breaker: router.BreakerPolicy{Failures: 3},
				Throttle: router.ThrottlePolicy{Pause: time.Nanosecond}}, a, b)
			down := fmt.Errorf("down: %w", transport.ErrNotSent)
			a.queue(down, down, tt.between, down)
			for range 2 {
				_, _ = r.Submit(ctxT(t), msg())
			}
			ctx := ctxT(t)
			if errors.Is(tt.between, context.Canceled) {
				c, cancel := context.WithCancel(ctx)
				cancel()
				ctx = c
			}
			_, _ = r.Submit(ctx, msg())
			if tt.effect == counts {
				assert.Equal(t, router.BreakerOpen, r.Breaker("a"), "the third failure opens")
				return
			}
			assert.Equal(t, router.BreakerClosed, r.Breaker("a"))
			_, _ = r.Submit(ctxT(t), msg())
			want := map[effect]router.BreakerState{resets: router.BreakerClosed, nothing: router.BreakerOpen}[tt.effect]
			assert.Equal(t, want, r.Breaker("a"), "a failure after it")
		})
	}
}

func TestEveryTransportOutOfRotation(t *testing.T) {
	clk := newClock()
	a, b := &scripted{name: "a"}, &scripted{name: "b"}
	policy := router.BreakerPolicy{Failures: 1, Backoff: 2 * time.Second}
	r := newRouter(t, router.Config{Routes: failover("a", "b"), Breaker: policy, Now: clk.Now}, a, b)
	a.queue(fmt.Errorf("a: %w", transport.ErrNotSent))
	b.queue(fmt.Errorf("b: %w", transport.ErrNotSent))
	_, err := r.Submit(ctxT(t), msg())
	require.ErrorIs(t, err, transport.ErrNotSent)
	clk.Advance(500 * time.Millisecond)

	res, err := r.Submit(ctxT(t), msg())
	require.Error(t, err)
	assert.ErrorIs(t, err, transport.ErrNotSent)
	assert.Contains(t, err.Error(), "out of rotation")
	hint, ok := transport.RetryAfter(err)
	require.True(t, ok, "the Client is told when a probe is due")
	assert.Equal(t, 1500*time.Millisecond, hint)
	assert.Equal(t, "", res.Transport, "no transport was tried")
	assert.Equal(t, 1, a.count(), "nothing more was submitted")
	assert.Equal(t, 1, b.count(), "nothing more was submitted")
}

func TestHalfOpenAllowsOneProbe(t *testing.T) {
	clk := newClock()
	slow := &blocking{name: "a", release: make(chan struct{}), entered: make(chan struct{}, 1)}
	b := &scripted{name: "b"}
	r := newRouter(t, router.Config{Routes: failover("a", "b"), Breaker: router.BreakerPolicy{Failures: 1}, Now: clk.Now}, slow, b)
	slow.fail.Store(true)
	_, err := r.Submit(ctxT(t), msg())
	require.NoError(t, err)
	require.Equal(t, router.BreakerOpen, r.Breaker("a"))
	clk.Advance(router.DefaultBreakerBackoff)

	slow.fail.Store(false)
	slow.block.Store(true)
	done := make(chan transport.Result)
	go func() {
		res, _ := r.Submit(ctxT(t), msg())
		done <- res
	}()
	<-slow.entered // the probe is out
	res, err := r.Submit(ctxT(t), msg())
	require.NoError(t, err)
	assert.Equal(t, "b", res.Transport, "while the probe is out, a stays out of rotation")
	close(slow.release)
	assert.Equal(t, "a", (<-done).Transport)
	assert.Equal(t, router.BreakerClosed, r.Breaker("a"))
}

// A transport whose link is down is passed over at once, without a
// submit and without counting against its breaker: waiting for its link
// held messages until the caller's deadline while another transport was
// free (every message of an outage ended not sent).
func TestLinkDownIsPassedOver(t *testing.T) {
	a, b := newLinked("a"), &scripted{name: "b"}
	r := newRouter(t, router.Config{Routes: failover("a", "b"), Breaker: router.BreakerPolicy{Failures: 1}}, a, b)
	a.lmu.Lock()
	assert.True(t, a.failFast, "the router makes its members fail fast")
	a.lmu.Unlock()

	a.set(false)
	for range 3 {
		res, err := r.Submit(ctxT(t), msg())
		require.NoError(t, err)
		assert.Equal(t, "b", res.Transport)
	}
	assert.Zero(t, a.count(), "nothing was handed to a")
	assert.Equal(t, router.BreakerClosed, r.Breaker("a"), "a link down is not a failure")

	b.queue(fmt.Errorf("b: %w", transport.ErrNotSent))
	_, err := r.Submit(ctxT(t), msg())
	require.ErrorIs(t, err, transport.ErrNotSent)
	assert.Contains(t, err.Error(), "a: link down")

	a.set(true)
	res, err := r.Submit(ctxT(t), msg())
	require.NoError(t, err)
	assert.Equal(t, "a", res.Transport)
}

// An open breaker probes its transport as soon as the transport's link
// comes back, not when its (possibly long) back-off ends: a probe that
// raced the rebind used to fail and double the back-off, keeping the
// transport out for many seconds after it was back.
func TestBreakerProbesWhenLinkReturns(t *testing.T) {
	down := fmt.Errorf("down: %w", transport.ErrNotSent)
	tests := []struct {
		name  string
		drop  bool            // the failing submit loses the link
		flap  func(a *linked) // what the link does while the breaker is open
		probe bool
	}{
		{"link lost and back: probe at once", false, func(a *linked) { a.set(false); a.set(true) }, true},
		{"link lost with the failure, then back", true, func(a *linked) { a.set(true) }, true},
		{"link unchanged: wait out the back-off", false, func(*linked) {}, false},
		{"link still down: no probe", false, func(a *linked) { a.set(false) }, false},
		{"link lost with the failure, still down", true, func(*linked) {}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			a, b := newLinked("a"), &scripted{name: "b"}
			r := newRouter(t, router.Config{Routes: failover("a", "b"), Now: clk.Now,
				Breaker: router.BreakerPolicy{Failures: 1, Backoff: time.Minute}}, a, b)
			a.drop = tt.drop
			a.queue(down)
			res, err := r.Submit(ctxT(t), msg())
			require.NoError(t, err)
			require.Equal(t, "b", res.Transport)
			require.Equal(t, router.BreakerOpen, r.Breaker("a"))

			tt.flap(a)
			clk.Advance(time.Second) // far from the minute of back-off
			res, err = r.Submit(ctxT(t), msg())
			require.NoError(t, err)
			if !tt.probe {
				assert.Equal(t, "b", res.Transport)
				assert.NotEqual(t, router.BreakerClosed, r.Breaker("a"))
				return
			}
			assert.Equal(t, "a", res.Transport, "the probe went to a")
			assert.Equal(t, router.BreakerClosed, r.Breaker("a"))
		})
	}
}
