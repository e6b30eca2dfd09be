package router

import (
	"sync"
	"time"

	"github.com/azenna/advox/transport"
)

// BreakerState is the state of a transport's circuit breaker.
type BreakerState string

// The breaker states.
const (
	// BreakerClosed: the transport is in rotation.
	BreakerClosed BreakerState = "closed"
	// BreakerOpen: the transport is out of rotation until its back-off
	// ends.
	BreakerOpen BreakerState = "open"
	// BreakerHalfOpen: the back-off ended; the next submit probes the
	// transport.
	BreakerHalfOpen BreakerState = "half-open"
)

// outcome is what a submit told the breaker about a transport's health.
type outcome int

const (
	// healthy: the operator answered (accepted, rejected, throttled).
	healthy outcome = iota
	// failed: not sent, unavailable, or no answer in time.
	failed
	// neutral: nothing learnt (the caller gave up, or parts were taken).
	neutral
)

// breaker is one transport's circuit breaker and throttle pause. It is
// safe for concurrent use.
type breaker struct {
	policy BreakerPolicy
	link   transport.Linker            // nil: the transport tells nothing of its link
	notify func(from, to BreakerState) // called on every state change, outside mu
	failed func()                      // called on every failure counted

	mu       sync.Mutex
	state    BreakerState
	failures int             // consecutive failures while closed
	opens    int             // consecutive openings, for the back-off
	until    time.Time       // open: when the back-off ends
	seen     <-chan struct{} // open: the link's change channel at the opening
	probing  bool            // half-open: the probe is out
	paused   time.Time       // throttled: no submit before this
}

func newBreaker(p BreakerPolicy, link transport.Linker, notify func(from, to BreakerState), failed func()) *breaker {
	return &breaker{policy: p, link: link, notify: notify, failed: failed, state: BreakerClosed}
}

// admit reports whether a submit may use the transport at now, and
// whether it is the half-open probe (which the caller must settle with
// done). When refused, retry says when the transport may be
// probed again (zero: a probe is already out).
func (b *breaker) admit(now time.Time) (ok, probe bool, retry time.Time) {
	b.mu.Lock()
	from := b.state
	ok, probe, retry = b.admitLocked(now)
	to := b.state
	b.mu.Unlock()
	b.changed(from, to)
	return ok, probe, retry
}

func (b *breaker) admitLocked(now time.Time) (ok, probe bool, retry time.Time) {
	switch b.state {
	case BreakerClosed:
		return true, false, time.Time{}
	case BreakerOpen:
		if now.Before(b.until) && !b.recovered() {
			return false, false, b.until
		}
		b.state = BreakerHalfOpen
	}
	if b.probing {
		return false, false, time.Time{}
	}
	b.probing = true
	return true, true, time.Time{}
}

// recovered reports whether the transport's link changed since the
// breaker opened and is up: the transport has (re)connected and is worth
// a probe before the back-off ends. Call with b.mu held (the transport's
// own lock is never held while it calls the router).
func (b *breaker) recovered() bool {
	if b.seen == nil {
		return false
	}
	select {
	case <-b.seen:
		up, _ := b.link.Link()
		return up
	default:
		return false
	}
}

// available reports, without claiming anything, whether a submit at now
// would be admitted.
func (b *breaker) available(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case BreakerClosed:
		return true
	case BreakerOpen:
		return !now.Before(b.until) || b.recovered()
	}
	return !b.probing
}

// done records the outcome of an admitted submit; now matters only for a
// failure.
func (b *breaker) done(probe bool, o outcome, now time.Time) {
	var seen <-chan struct{}
	if o == failed && b.link != nil {
		_, seen = b.link.Link() // before mu: the transport's lock is its own
	}
	b.mu.Lock()
	from := b.state
	if probe {
		b.probing = false
	}
	switch o {
	case healthy:
		b.failures = 0
		if probe {
			b.state, b.opens = BreakerClosed, 0
		}
	case failed:
		switch {
		case probe:
			b.open(now, seen)
		case b.state == BreakerClosed:
			b.failures++
			if b.failures >= b.policy.Failures {
				b.open(now, seen)
			}
		}
	}
	to := b.state
	b.mu.Unlock()
	if o == failed && b.failed != nil {
		b.failed()
	}
	b.changed(from, to)
}

// open takes the transport out of rotation; seen is its link's change
// channel now (nil: no link). Call with b.mu held.
func (b *breaker) open(now time.Time, seen <-chan struct{}) {
	b.opens++
	b.failures = 0
	b.state = BreakerOpen
	b.until = now.Add(b.policy.backoff(b.opens))
	b.seen = seen
}

// changed reports a state change to notify.
func (b *breaker) changed(from, to BreakerState) {
	if from != to && b.notify != nil {
		b.notify(from, to)
	}
}

// current returns the state at now (an open breaker whose back-off ended,
// or whose link came back, reads half-open).
func (b *breaker) current(now time.Time) BreakerState {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == BreakerOpen && (!now.Before(b.until) || b.recovered()) {
		return BreakerHalfOpen
	}
	return b.state
}

// throttled pauses the transport until at least until.
func (b *breaker) throttled(until time.Time) {
	b.mu.Lock()
	if until.After(b.paused) {
		b.paused = until
	}
	b.mu.Unlock()
}

// pausedFor returns how long submits must still wait at now.
func (b *breaker) pausedFor(now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return max(b.paused.Sub(now), 0)
}
