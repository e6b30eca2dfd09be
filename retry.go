package advox

import (
	"math/rand/v2"
	"time"

	"github.com/azenna/advox/transport"
)

// RetryPolicy decides whether a failed submit is tried again. attempt is the
// number of attempts made so far (1 after the first). The Client consults it
// only for errors the adapter marks safe to retry (transport.SafeToRetry):
// a policy can restrict retries, never make an unsafe one happen.
type RetryPolicy func(attempt int, err error) bool

// DefaultMaxAttempts is how many attempts DefaultRetryPolicy allows.
const DefaultMaxAttempts = 4

// DefaultRetryPolicy retries safe failures up to DefaultMaxAttempts
// attempts in all.
func DefaultRetryPolicy(attempt int, err error) bool {
	return attempt < DefaultMaxAttempts && transport.SafeToRetry(err)
}

// NoRetry never retries.
func NoRetry(int, error) bool { return false }

// Backoff returns how long to wait before attempt number attempt+1. hint is
// the operator's retry-after hint (zero when it gave none).
type Backoff func(attempt int, hint time.Duration) time.Duration

// Backoff bounds used by DefaultBackoff.
const (
	DefaultBackoffMin = 100 * time.Millisecond
	DefaultBackoffMax = 10 * time.Second
)

// DefaultBackoff waits exponentially (100 ms, 200 ms, 400 ms, … up to 10 s)
// with full jitter in the upper half, and at least as long as the
// operator's hint (capped at one minute).
func DefaultBackoff(attempt int, hint time.Duration) time.Duration {
	d := DefaultBackoffMin << min(max(attempt-1, 0), 16)
	if d > DefaultBackoffMax {
		d = DefaultBackoffMax
	}
	d = d/2 + rand.N(d/2+1)
	if hint > time.Minute {
		hint = time.Minute
	}
	return max(d, hint)
}
