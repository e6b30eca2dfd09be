package accounts

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// A failed-login counter is kept only until it has refilled, as the record
// of processing says: the first attempt after that (any user's) drops it,
// without waiting for the map to fill up.
func TestFailureCountersForgottenOnceRefilled(t *testing.T) {
	l := AuthLimit{Failures: 2, Every: time.Minute}
	f := newFailureLimiter(l)
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	f.end(userKey("a"), true, now) // two attempts begun and failed: no token left
	f.end(userKey("a"), true, now)
	f.inflight[userKey("b")]++ // what begin does
	assert.Contains(t, f.buckets, userKey("a"))

	f.end(userKey("b"), false, now.Add(time.Minute)) // not yet refilled
	assert.Contains(t, f.buckets, userKey("a"))

	f.inflight[userKey("b")]++
	f.end(userKey("b"), false, now.Add(2*time.Minute+time.Second))
	assert.NotContains(t, f.buckets, userKey("a"), "refilled: forgotten")
}
