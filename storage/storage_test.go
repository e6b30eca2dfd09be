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
