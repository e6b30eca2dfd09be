package smpptransport

import (
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// The rate adaptation's constants (see rateControl).
const (
	// rateDecrease is what a throttled answer multiplies the rate by.
	rateDecrease = 0.8
	// rateIncrease is how much the rate grows per second while submits
	// are accepted, as a share of the rate it was cut from; rateRecover
	// is the faster growth while the rate is below recoverBelow of it.
	rateIncrease = 0.02
	rateRecover  = 0.2
	recoverBelow = 0.95
	// minRate is the lowest rate throttling brings the transport to.
	minRate = 1.0
	// slot is the resolution of the accepted-rate measure, which spans
	// len(rateControl.slots) slots.
	slot = 100 * time.Millisecond
)

// rateControl converges on the SMSC's real submit rate (AIMD): each
// throttled answer to a submit paced since the last cut lowers the rate
// to rateDecrease of what it was — of the rate accepted over the last
// second when that is lower, as it is while the SMSC refuses all it
// cannot take —, and accepted submits raise it again, by rateRecover of
// the rate before the cut per second up to recoverBelow of it, then by
// rateIncrease per second, probing beyond, up to the ceiling
// (Config.MaxRate, the contract rate; none when zero). Without a ceiling nothing is paced
// until the first throttled answer. It is safe for concurrent use; time
// is passed in.
type rateControl struct {
	ceiling float64
	burst   int
	lim     atomic.Pointer[rate.Limiter] // nil: no limit

	mu    sync.Mutex
	cur   float64   // the limiter's rate, when there is one
	peak  float64   // the rate at the last cut
	cut   time.Time // when the rate was last cut
	grown time.Time // when the rate was last raised
	start time.Time // the first accepted submit
	slots [10]struct {
		at int64 // slot number: unix time / slot
		n  int   // submits accepted in it
	}
}

func newRateControl(ceiling float64, burst int) *rateControl {
	rc := &rateControl{ceiling: ceiling, burst: burst}
	if ceiling > 0 {
		rc.cur = ceiling
		rc.lim.Store(rate.NewLimiter(rate.Limit(ceiling), burst))
	}
	return rc
}

// limiter returns the limiter submits wait for, nil when none.
func (rc *rateControl) limiter() *rate.Limiter { return rc.lim.Load() }

// rate returns the rate submits are held to, 0 when none.
func (rc *rateControl) rate() float64 {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.lim.Load() == nil {
		return 0
	}
	return rc.cur
}

// accepted records a submit accepted at now: it counts it for the
// accepted rate and raises the limit additively.
func (rc *rateControl) accepted(now time.Time) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.start.IsZero() {
		rc.start = now
	}
	n := now.UnixNano() / int64(slot)
	s := &rc.slots[n%int64(len(rc.slots))]
	if s.at != n {
		s.at, s.n = n, 0
	}
	s.n++
	lim := rc.lim.Load()
	if lim == nil || rc.peak == 0 || (rc.ceiling > 0 && rc.cur >= rc.ceiling) {
		return
	}
	if d := now.Sub(rc.grown); d > 0 {
		step := rateIncrease
		if rc.cur < recoverBelow*rc.peak {
			step = rateRecover
		}
		rc.cur += max(minRate, step*rc.peak) * d.Seconds()
		if rc.ceiling > 0 {
			rc.cur = min(rc.cur, rc.ceiling)
		}
		rc.grown = now
		lim.SetLimitAt(now, rate.Limit(rc.cur))
	}
}

// acceptedRate returns the rate of accepted submits over the last second
// (less when the first was accepted since), and false when none was.
// Call with rc.mu held.
func (rc *rateControl) acceptedRate(now time.Time) (float64, bool) {
	n := now.UnixNano() / int64(slot)
	total := 0
	for _, s := range rc.slots {
		if s.at > n-int64(len(rc.slots)) && s.at <= n {
			total += s.n
		}
	}
	span := min(now.Sub(rc.start), time.Duration(len(rc.slots)-1)*slot+time.Duration(now.UnixNano()%int64(slot)))
	if total == 0 || span <= 0 {
		return 0, false
	}
	return float64(total) / span.Seconds(), true
}

// throttled records a throttled answer at now to a submit paced from
// sent on, and returns the interval of one submit at the rate it leaves.
// Answers to submits paced before the last cut say nothing of the new
// rate (the limiter spaced them at the old one) and are not cut for
// again.
func (rc *rateControl) throttled(now, sent time.Time) time.Duration {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	lim := rc.lim.Load()
	if lim == nil || !sent.Before(rc.cut) {
		from, known := rc.cur, lim != nil
		if r, ok := rc.acceptedRate(now); ok && (!known || r < from) {
			from, known = r, true
		}
		if !known { // nothing measured yet: no rate to cut from
			return slot
		}
		rc.peak = max(from, minRate)
		rc.cur = max(rc.peak*rateDecrease, minRate)
		rc.cut, rc.grown = now, now
		if lim == nil {
			rc.lim.Store(rate.NewLimiter(rate.Limit(rc.cur), rc.burst))
		} else {
			lim.SetLimitAt(now, rate.Limit(rc.cur))
		}
	}
	return time.Duration(float64(time.Second) / rc.cur)
}
