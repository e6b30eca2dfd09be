package advox

import (
	"context"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// AuthLimit limits failed logins, separately per user id and per remote
// address: Failures may fail in a row, then one more attempt is allowed
// every Every. While a key is limited every attempt fails, right password
// or not, with the same generic error. Attempts under way count too: one
// that could exceed the limit if those under way fail waits for them, so
// concurrent guesses get no more passwords verified than sequential ones.
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

// begin starts an attempt on keys. It reports false when one of them is
// limited (no token left). When the tokens left would not cover the
// attempts already under way failing as well, it waits for one of those to
// end and looks again, so that concurrent attempts never spend more than
// the limit. Each successful begin must be followed by end for each key.
func (f *failureLimiter) begin(ctx context.Context, now func() time.Time, keys ...string) (bool, error) {
	for {
		f.mu.Lock()
		t := now()
		limited, full := false, false
		for _, k := range keys {
			tokens := float64(f.limit.Failures)
			if b, ok := f.buckets[k]; ok {
				tokens = b.TokensAt(t)
			}
			switch {
			case tokens < 1:
				limited = true
			case tokens-float64(f.inflight[k]) < 1:
				full = true
			}
		}
		if limited || !full {
			if !limited {
				for _, k := range keys {
					f.inflight[k]++
				}
			}
			f.mu.Unlock()
			return !limited, nil
		}
		done := f.done
		f.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return false, ctx.Err()
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
	f.swept = now
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
