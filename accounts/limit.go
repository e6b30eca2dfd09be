package accounts

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// AuthLimit limits failed logins. Failures are counted per remote address
// (per /64 for IPv6), per user id and per (user id, allowed network): the
// user's allowed network that the address lies in. Failures may fail in a
// row, then one more attempt is allowed every Every. An attempt from an
// address over its limit is refused; so is one from an allowed network
// over its limit for that user, and one from anywhere else while the user
// is over its limit. Failures from other places therefore never lock a
// user out of its own networks: from outside them a login cannot succeed
// anyway. A refused attempt verifies no password and fails with an
// advox.ErrThrottled-class error that carries when to try again. Attempts under
// way count too: one that could exceed the limit if those under way fail
// waits for them, so concurrent guesses get no more passwords verified
// than sequential ones.
type AuthLimit struct {
	// Failures is the burst of failed attempts allowed.
	Failures int
	// Every is how often one more attempt becomes available.
	Every time.Duration
}

// DefaultAuthLimit returns the default limit: 5 failures, then one attempt a minute.
func DefaultAuthLimit() AuthLimit { return AuthLimit{Failures: 5, Every: time.Minute} }

// failureLimiter keeps one token bucket per key, spending a token per
// failure. Buckets that have refilled are swept when the map has doubled
// since the last sweep, so memory stays bounded by recent failures.
// Attempts under way are counted per key, so that they cannot together
// spend more tokens than the bucket holds.
type failureLimiter struct {
	limit AuthLimit

	mu        sync.Mutex
	buckets   map[string]*rate.Limiter
	sweepSize int
	swept     time.Time // the last sweep, see end
	inflight  map[string]int
	done      chan struct{} // closed and replaced when an attempt ends
}

func newFailureLimiter(l AuthLimit) *failureLimiter {
	return &failureLimiter{limit: l, buckets: make(map[string]*rate.Limiter), sweepSize: 1024,
		inflight: make(map[string]int), done: make(chan struct{})}
}

// begin starts an attempt on key. When key is limited (no token left) it
// returns how long until it has one again and starts nothing. When the
// tokens left would not cover the attempts already under way failing as
// well, it waits for one of those to end and looks again, so that
// concurrent attempts never spend more than the limit. Each begin that
// returns 0 and no error must be followed by end.
func (f *failureLimiter) begin(ctx context.Context, now func() time.Time, key string) (time.Duration, error) {
	for {
		f.mu.Lock()
		t := now()
		tokens := float64(f.limit.Failures)
		if b, ok := f.buckets[key]; ok {
			tokens = b.TokensAt(t)
		}
		if tokens < 1 {
			f.mu.Unlock()
			// A token comes back every Every: the time until the bucket
			// holds one again.
			return max(time.Duration((1-tokens)*float64(f.limit.Every)), 1), nil
		}
		if tokens-float64(f.inflight[key]) >= 1 {
			f.inflight[key]++
			f.mu.Unlock()
			return 0, nil
		}
		done := f.done
		f.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// end finishes an attempt on key begun with begin, spending a token of key
// when failed.
func (f *failureLimiter) end(key string, failed bool, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n := f.inflight[key] - 1; n > 0 {
		f.inflight[key] = n
	} else {
		delete(f.inflight, key)
	}
	if failed {
		f.failLocked(key, now)
	}
	f.endedLocked(now)
}

// spend spends a token of key for a failure without an attempt begun on
// it: the user's own count of a failure from one of its networks.
func (f *failureLimiter) spend(key string, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failLocked(key, now)
	f.endedLocked(now)
}

// endedLocked sweeps when it is time and wakes attempts waiting in begin;
// the caller holds mu.
func (f *failureLimiter) endedLocked(now time.Time) {
	if now.Sub(f.swept) >= f.limit.Every {
		// Counters are kept only until they have refilled (the record
		// of processing says so): at most one sweep per Every.
		f.sweep(now)
	}
	close(f.done)
	f.done = make(chan struct{})
}

// blocked reports whether key has no attempt left at now.
func (f *failureLimiter) blocked(key string, now time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.buckets[key]
	return ok && b.TokensAt(now) < 1
}

// failLocked spends one attempt of key; the caller holds mu.
func (f *failureLimiter) failLocked(key string, now time.Time) {
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

// reset forgets the failures of keys.
func (f *failureLimiter) reset(keys ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, k := range keys {
		delete(f.buckets, k)
	}
}

// resetUser forgets every failure counted for a user: its own and those
// of each of its networks (a new password, a deleted user).
func (f *failureLimiter) resetUser(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.buckets, userKey(id))
	prefix := netKeyTag + id + "\x00"
	for k := range f.buckets {
		if strings.HasPrefix(k, prefix) {
			delete(f.buckets, k)
		}
	}
}

// sweep drops buckets that are full again; the caller holds mu.
func (f *failureLimiter) sweep(now time.Time) {
	for k, b := range f.buckets {
		if b.TokensAt(now) >= float64(f.limit.Failures) {
			delete(f.buckets, k)
		}
	}
	f.sweepSize = max(1024, 2*len(f.buckets))
	f.swept = now
}

// userKey, netKey and addrKey name the buckets. IPv6 addresses are
// limited per /64, the block one subscriber typically holds.
func userKey(id string) string { return "u\x00" + id }

// netKeyTag starts every netKey.
const netKeyTag = "n\x00"

// netKey names the bucket of a user's failures from one of its allowed
// networks.
func netKey(id string, p netip.Prefix) string { return netKeyTag + id + "\x00" + p.Masked().String() }

func addrKey(a netip.Addr) string {
	if a.Is6() {
		p, _ := a.Prefix(64)
		return "a\x00" + p.String()
	}
	return "a\x00" + a.String()
}
