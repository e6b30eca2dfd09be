package storage_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

// Usage.Add counts delivered and other final statuses apart, and pending
// messages in neither.
func TestUsageAdd(t *testing.T) {
	tests := []struct {
		status            transport.Status
		segments          int
		delivered, failed int
	}{
		{transport.StatusDelivered, 2, 1, 0},
		{transport.StatusUndeliverable, 1, 0, 1},
		{transport.StatusExpired, 3, 0, 1},
		{transport.StatusEnroute, 1, 0, 0},
		{transport.StatusUnknown, 1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			u := storage.Usage{Messages: 1, Segments: 1}
			u.Add(tt.segments, tt.status)
			assert.Equal(t, 2, u.Messages)
			assert.Equal(t, 1+tt.segments, u.Segments)
			assert.Equal(t, tt.delivered, u.Delivered)
			assert.Equal(t, tt.failed, u.Failed)
		})
	}
}

// MonthOf is the calendar month in UTC, whatever t's zone.
func TestMonthOf(t *testing.T) {
	stockholm := time.FixedZone("CET", 3600)
	tests := []struct {
		name string
		t    time.Time
		want time.Time
	}{
		{"mid-month", time.Date(2026, 3, 14, 9, 26, 0, 0, time.UTC), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"first instant", time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)},
		{"local midnight is still last month in UTC", time.Date(2026, 4, 1, 0, 30, 0, 0, stockholm), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"year end", time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := storage.MonthOf(tt.t)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, time.UTC, got.Location())
		})
	}
}

// Apply never moves a part's or the record's UpdatedAt backwards: a report
// dated before them moves the status and leaves the times (a part's time
// went back to the report's).
func TestApplyTimesNeverGoBack(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		at         time.Time
		part, recd time.Time // want
	}{
		{"later", t0.Add(time.Minute), t0.Add(time.Minute), t0.Add(time.Minute)},
		{"earlier", t0.Add(-time.Minute), t0, t0},
		{"zero", time.Time{}, t0, t0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := storage.Record{Status: transport.StatusAccepted, UpdatedAt: t0,
				Parts: []storage.Part{{OperatorID: "op", Status: transport.StatusAccepted, UpdatedAt: t0}}}
			assert.True(t, storage.Apply(&r, storage.StatusUpdate{Part: storage.AllParts, Status: transport.StatusDelivered, At: tt.at}))
			assert.Equal(t, transport.StatusDelivered, r.Status)
			assert.Equal(t, tt.part, r.Parts[0].UpdatedAt, "part")
			assert.Equal(t, tt.recd, r.UpdatedAt, "record")
		})
	}
}
