package sqlstore

import (
	"math"
	"time"
)

// Times are stored as int64 nanoseconds since the Unix epoch, UTC: exact,
// ordered the same way in every dialect, and cheap to index. The zero
// time.Time is stored as math.MinInt64 so that it sorts before every real
// time. Times outside the int64 range (before 1678, after 2262) are
// clamped to its ends.

const (
	zeroNanos = math.MinInt64
	minNanos  = math.MinInt64 + 1
	maxNanos  = math.MaxInt64
)

var (
	minTime = time.Unix(0, minNanos)
	maxTime = time.Unix(0, maxNanos)
)

// encodeTime maps t onto the stored int64, preserving order.
func encodeTime(t time.Time) int64 {
	switch {
	case t.IsZero():
		return zeroNanos
	case !t.After(minTime):
		return minNanos
	case !t.Before(maxTime):
		return maxNanos
	}
	return t.UnixNano()
}

// decodeTime is the inverse of encodeTime for times in range; it returns
// UTC times (SQL keeps no location).
func decodeTime(n int64) time.Time {
	if n == zeroNanos {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
