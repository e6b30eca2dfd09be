package storage_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/transport"
)

// ByOperatorID prefers the newest record whose part with the id is still
// open, then the newest of all; within a record, the open part.
func TestByOperatorID(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	rec := func(id string, age time.Duration, parts ...storage.Part) *storage.Record {
		return &storage.Record{ID: id, CreatedAt: t0.Add(-age), Parts: parts}
	}
	open := func(op string) storage.Part { return storage.Part{OperatorID: op, Status: transport.StatusAccepted} }
	done := func(op string) storage.Part { return storage.Part{OperatorID: op, Status: transport.StatusDelivered} }
	tests := []struct {
		name     string
		recs     []*storage.Record
		wantID   string
		wantPart int
	}{
		{"none", []*storage.Record{rec("a", 0, open("x"))}, "", 0},
		{"newest open", []*storage.Record{rec("old", time.Hour, open("op")), rec("new", 0, open("op"))}, "new", 0},
		{"open beats newer final", []*storage.Record{rec("old", time.Hour, open("op")), rec("new", 0, done("op"))}, "old", 0},
		{"all final: newest", []*storage.Record{rec("new", 0, done("op")), rec("old", time.Hour, done("op"))}, "new", 0},
		{"tie: greater id", []*storage.Record{rec("b", 0, open("op")), rec("a", 0, open("op"))}, "b", 0},
		{"later part", []*storage.Record{rec("m", 0, open("x"), open("op"))}, "m", 1},
		{"open part of two with the id", []*storage.Record{rec("m", 0, done("op"), open("op"))}, "m", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, part := storage.ByOperatorID("op", slices.Values(tt.recs))
			if tt.wantID == "" {
				assert.Nil(t, got)
				return
			}
			if assert.NotNil(t, got) {
				assert.Equal(t, tt.wantID, got.ID)
				assert.Equal(t, tt.wantPart, part)
			}
		})
	}
}

// A store's FindByOperatorID picks among the records holding an operator
// id: the one still waiting for its report, not its older namesake.
func ExampleByOperatorID() {
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	recs := []*storage.Record{
		{ID: "before-restart", CreatedAt: t0, Parts: []storage.Part{{OperatorID: "1", Status: transport.StatusDelivered}}},
		{ID: "after-restart", CreatedAt: t0.Add(time.Minute), Parts: []storage.Part{{OperatorID: "1", Status: transport.StatusAccepted}}},
	}
	r, part := storage.ByOperatorID("1", slices.Values(recs))
	fmt.Println(r.ID, part)
	// Output: after-restart 0
}
