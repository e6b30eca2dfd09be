package advox

import (
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// AuthLimit limits failed logins, separately per user id and per remote
// address: Failures may fail in a row, then one more attempt is allowed
// every Every. While a key is limited every attempt fails, right password
// or not, with the same generic error.
type AuthLimit struct {
	// Failures is the burst of failed attempts allowed.
	Failures int
	// Every is how often one more attempt becomes available.
	Every time.Duration
}

// DefaultAuthLimit allows 5 failures, then one attempt a minute.
var DefaultAuthLimit = AuthLimit{Failures: 5, Every: time.Minute}

// failureLimiter keeps one token bucket per key, spending a token per
// failure. Buckets that have refilled are swept when the map has doubled
// since the last sweep, so memory stays bounded by recent failures.
type failureLimiter struct {
	limit AuthLimit

	mu        sync.Mutex
	buckets   map[string]*rate.Limiter
	sweepSize int
}

func newFailureLimiter(l AuthLimit) *failureLimiter {
	return &failureLimiter{limit: l, buckets: make(map[string]*rate.Limiter), sweepSize: 1024}
}

// blocked reports whether key has no attempt left at now.
func (f *failureLimiter) blocked(key string, now time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.buckets[key]
	return ok && b.TokensAt(now) < 1
}

// fail spends one attempt of key.
func (f *failureLimiter) fail(key string, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.buckets[key]
	if !ok {
		if len(f.buckets) >= f.sweepSize {
			f.sweep(now)
		}
		b = rate.NewLimiter(rate.Every(f.limit.Every), f.limit.Failures)
		b.SetBurstAt(now, f.limit.Failures) // start full at the injected clock's now
		f.buckets[key] = b
	}
	b.AllowN(now, 1)
}

// reset forgets key's failures.
func (f *failureLimiter) reset(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.buckets, key)
}

// sweep drops buckets that are full again; the caller holds mu.
func (f *failureLimiter) sweep(now time.Time) {
	for k, b := range f.buckets {
		if b.TokensAt(now) >= float64(f.limit.Failures) {
			delete(f.buckets, k)
		}
	}
	f.sweepSize = max(1024, 2*len(f.buckets))
}

// userKey and addrKey name the buckets. IPv6 addresses are limited per /64,
// the block one subscriber typically holds.
func userKey(id string) string { return "u\x00" + id }

func addrKey(a netip.Addr) string {
	if a.Is6() {
		p, _ := a.Prefix(64)
		return "a\x00" + p.String()
	}
	return "a\x00" + a.String()
}
