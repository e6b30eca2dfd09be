package advox_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
)

// TestDeadlineAtDaylightSavingChanges: a deadline is the first instant at
// which the record's local clock shows its date and time of day. When a
// daylight-saving change repeats that hour, the record must not live
// through the repeat (an hour past five months); when the change skips it,
// the deadline is the change itself, not the skipped time pushed forward.
func TestDeadlineAtDaylightSavingChanges(t *testing.T) {
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		require.NoError(t, err)
		return loc
	}
	sthlm, ny, lordHowe := zone("Europe/Stockholm"), zone("America/New_York"), zone("Australia/Lord_Howe")
	tests := []struct {
		name    string
		in      time.Time
		wantUTC time.Time
	}{
		{"Stockholm: 02:30 repeated on 25 Oct 2026, the first one (CEST)",
			time.Date(2026, 5, 25, 2, 30, 0, 0, sthlm), time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)},
		{"Stockholm: recorded in the repeated hour, second time (CET)",
			time.Date(2025, 10, 26, 1, 30, 0, 0, time.UTC).In(sthlm), time.Date(2026, 3, 26, 1, 30, 0, 0, time.UTC)},
		{"Stockholm: 02:30 skipped on 29 Mar 2026, gone at the change (03:00 CEST)",
			time.Date(2025, 10, 29, 2, 30, 0, 0, sthlm), time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC)},
		{"New York: 01:30 repeated on 1 Nov 2026, the first one (EDT)",
			time.Date(2026, 6, 1, 1, 30, 0, 0, ny), time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC)},
		{"New York: 02:30 skipped on 8 Mar 2026",
			time.Date(2025, 10, 8, 2, 30, 0, 0, ny), time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC)},
		{"Lord Howe: half-hour change, 01:45 repeated on 5 Apr 2026, the first one",
			time.Date(2025, 11, 5, 1, 45, 0, 0, lordHowe), time.Date(2026, 4, 4, 14, 45, 0, 0, time.UTC)},
		{"no change nearby", time.Date(2025, 10, 31, 12, 0, 0, 0, sthlm), time.Date(2026, 3, 31, 10, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := advox.DefaultRetentionPolicy().Deadline(tt.in)
			assert.True(t, tt.wantUTC.Equal(got), "want %v, got %v (%v)", tt.wantUTC, got.UTC(), got)
			assert.Equal(t, tt.in.Location(), got.Location(), "the deadline is in the record's zone")
			// The first instant showing the target wall clock or later.
			y, m, d := got.Date()
			_, _, want := tt.in.Date()
			assert.LessOrEqual(t, d, want, "day clamped, never moved on")
			before := got.Add(-time.Nanosecond)
			assert.False(t, before.Year() == y && before.Month() == m && before.Day() == d &&
				before.Hour()*60+before.Minute() >= tt.in.Hour()*60+tt.in.Minute(),
				"an instant earlier already showed %v", before)
		})
	}
}
