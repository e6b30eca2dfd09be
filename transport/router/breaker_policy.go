package router

import "time"

// BreakerPolicy sets when a failing transport is taken out of rotation and
// for how long.
type BreakerPolicy struct {
	// Failures is how many consecutive failures open the breaker; 0 means
	// DefaultBreakerFailures.
	Failures int
	// Backoff is how long the first opening lasts; each consecutive
	// opening doubles it. 0 means DefaultBreakerBackoff.
	Backoff time.Duration
	// MaxBackoff caps the opening; 0 means DefaultBreakerMaxBackoff.
	MaxBackoff time.Duration
}

// The breaker defaults.
const (
	DefaultBreakerFailures   = 5
	DefaultBreakerBackoff    = time.Second
	DefaultBreakerMaxBackoff = time.Minute
)

// ThrottlePolicy sets how long a throttled transport is paused.
type ThrottlePolicy struct {
	// Pause is the shortest pause after a throttled answer (the operator's
	// retry hint wins when longer); 0 means DefaultThrottlePause.
	Pause time.Duration
	// MaxPause caps the pause, whatever the hint; 0 means
	// DefaultThrottleMaxPause.
	MaxPause time.Duration
}

// The throttle defaults.
const (
	DefaultThrottlePause    = 100 * time.Millisecond
	DefaultThrottleMaxPause = 10 * time.Second
)

func (p BreakerPolicy) withDefaults() BreakerPolicy {
	if p.Failures <= 0 {
		p.Failures = DefaultBreakerFailures
	}
	if p.Backoff <= 0 {
		p.Backoff = DefaultBreakerBackoff
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = DefaultBreakerMaxBackoff
	}
	p.MaxBackoff = max(p.MaxBackoff, p.Backoff)
	return p
}

// backoff is the length of the n-th consecutive opening (n ≥ 1).
func (p BreakerPolicy) backoff(n int) time.Duration {
	d := p.Backoff
	for i := 1; i < n && d < p.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, p.MaxBackoff)
}

func (p ThrottlePolicy) withDefaults() ThrottlePolicy {
	if p.Pause <= 0 {
		p.Pause = DefaultThrottlePause
	}
	if p.MaxPause <= 0 {
		p.MaxPause = DefaultThrottleMaxPause
	}
	p.MaxPause = max(p.MaxPause, p.Pause)
	return p
}

// pause is the pause after a throttled answer carrying hint (0: none).
func (p ThrottlePolicy) pause(hint time.Duration) time.Duration {
	return min(max(hint, p.Pause), p.MaxPause)
}
