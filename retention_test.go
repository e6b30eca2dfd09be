package advox

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestAddMonthsClamped(t *testing.T) {
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 13, 45, 0, 0, time.UTC) }
	tests := []struct {
		name string
		in   time.Time
		n    int
		want time.Time
	}{
		{"31 Oct + 5 is 31 Mar", d(2025, 10, 31), 5, d(2026, 3, 31)},
		{"30 Sep + 5 is 28 Feb", d(2025, 9, 30), 5, d(2026, 2, 28)},
		{"30 Sep + 5 in a leap year is 29 Feb", d(2027, 9, 30), 5, d(2028, 2, 29)},
		{"29 Sep + 5 in a leap year is 29 Feb", d(2027, 9, 29), 5, d(2028, 2, 29)},
		{"31 Aug + 1 is 30 Sep", d(2026, 8, 31), 1, d(2026, 9, 30)},
		{"15 Nov + 5 crosses the year", d(2026, 11, 15), 5, d(2027, 4, 15)},
		{"1 Jan + 5", d(2026, 1, 1), 5, d(2026, 6, 1)},
		{"29 Feb + 12 is 28 Feb", d(2028, 2, 29), 12, d(2029, 2, 28)},
		{"zero months", d(2026, 5, 31), 0, d(2026, 5, 31)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, AddMonthsClamped(tt.in, tt.n))
		})
	}
}

func TestRetentionPolicy(t *testing.T) {
	at := time.Date(2025, 10, 31, 8, 0, 0, 0, time.UTC)
	assert.Equal(t, time.Date(2026, 3, 31, 8, 0, 0, 0, time.UTC), DefaultRetentionPolicy().Deadline(at))
	assert.Equal(t, DefaultRetentionPolicy().Deadline(at), RetentionPolicy{}.Deadline(at), "zero value is the default")
	assert.Equal(t, time.Date(2025, 11, 30, 8, 0, 0, 0, time.UTC), RetentionPolicy{Months: 1}.Deadline(at))

	assert.NoError(t, RetentionPolicy{Months: 3}.Validate(), "lower is always allowed")
	assert.ErrorIs(t, RetentionPolicy{Months: 6}.Validate(), ErrInvalidArgument, "higher needs an explicit option")
	assert.NoError(t, RetentionPolicy{Months: 6, AllowBeyondPolicy: true}.Validate())
	assert.ErrorIs(t, RetentionPolicy{Months: -1}.Validate(), ErrInvalidArgument)
}
