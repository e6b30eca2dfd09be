package sqlstore

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTimeCodec(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		enc  int64
		out  time.Time
	}{
		{"zero", time.Time{}, math.MinInt64, time.Time{}},
		{"epoch", time.Unix(0, 0), 0, time.Unix(0, 0).UTC()},
		{"nanoseconds", time.Unix(1_780_000_000, 123_456_789), 1_780_000_000_123_456_789, time.Unix(1_780_000_000, 123_456_789).UTC()},
		{"before 1678 clamps", time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC), math.MinInt64 + 1, time.Unix(0, math.MinInt64+1).UTC()},
		{"after 2262 clamps", time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), math.MaxInt64, time.Unix(0, math.MaxInt64).UTC()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.enc, encodeTime(tt.in))
			assert.Equal(t, tt.out, decodeTime(tt.enc))
		})
	}
}

// FuzzTimeCodec checks, for any two instants, that the stored form keeps
// their order (the database compares the integers) and that an instant in
// range round-trips exactly.
func FuzzTimeCodec(f *testing.F) {
	f.Add(int64(0), int64(0), int64(1), int64(0))
	f.Add(int64(1_780_000_000), int64(999_999_999), int64(1_780_000_001), int64(0))
	f.Add(int64(-9_300_000_000), int64(5), int64(9_300_000_000), int64(-5))
	f.Add(int64(math.MinInt64), int64(0), int64(math.MaxInt64), int64(0))
	f.Add(int64(-62_135_596_800), int64(0), int64(0), int64(1))
	f.Fuzz(func(t *testing.T, s1, n1, s2, n2 int64) {
		a, b := time.Unix(s1, n1), time.Unix(s2, n2)
		if b.Before(a) {
			a, b = b, a
		}
		if encodeTime(a) > encodeTime(b) {
			t.Fatalf("order lost: %v < %v but %d > %d", a, b, encodeTime(a), encodeTime(b))
		}
		if !a.IsZero() && a.After(minTime) && a.Before(maxTime) {
			if got := decodeTime(encodeTime(a)); !got.Equal(a) {
				t.Fatalf("round trip: %v became %v", a, got)
			}
		}
	})
}

// TestTimesRoundTrip: instants survive exactly, whatever their location.
func TestTimesRoundTrip(t *testing.T) {
	dialects(t, func(t *testing.T, open func(*testing.T, *Options) *Store) {
		s := open(t, nil)
		ctx := testCtx(t)
		stockholm := time.FixedZone("CET", 3600)
		created := time.Date(2026, 5, 6, 7, 8, 9, 123456789, stockholm)
		r := testRecord("times", "acct", created, "op")
		r.Parts[0].UpdatedAt = time.Time{}
		require.NoError(t, s.Record(ctx, r))
		got, err := s.Get(ctx, "times")
		require.NoError(t, err)
		assert.True(t, got.CreatedAt.Equal(created))
		assert.Equal(t, time.UTC, got.CreatedAt.Location())
		assert.True(t, got.Parts[0].UpdatedAt.IsZero(), "a zero time stays zero")
	})
}
