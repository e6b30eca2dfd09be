package advox_test

import (
	"context"
	"maps"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
)

// slowFind is a store whose lookups by operator id take a while once
// slow is set, so that a held report tried again is out of the held set
// for that long.
type slowFind struct {
	*memstore.Store
	slow atomic.Bool
}

func (s *slowFind) FindByOperatorID(ctx context.Context, tr, id string) (storage.Record, int, error) {
	if s.slow.Load() {
		time.Sleep(20 * time.Millisecond)
	}
	return s.Store.FindByOperatorID(ctx, tr, id)
}

// TestHeldReportStaysCountedWhileTriedAgain: ReportStats.Held counts a
// held report the whole time it waits, including while the Client is
// trying it again.
func TestHeldReportStaysCountedWhileTriedAgain(t *testing.T) {
	st := &slowFind{Store: memstore.New(nil)}
	tr := memtransport.New(nil)
	c, err := advox.NewClient(tr, st, &advox.Options{ReportHold: 400 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })

	require.True(t, tr.Report(context.Background(), transport.Report{OperatorID: "nobody", Status: transport.StatusDelivered}))
	st.slow.Store(true)
	seen := map[int64]int{}
	for end := time.Now().Add(250 * time.Millisecond); time.Now().Before(end); time.Sleep(time.Millisecond) {
		seen[c.ReportStats().Held]++
	}
	assert.Equal(t, []int64{1}, slices.Sorted(maps.Keys(seen)), "Held while the report waits")
	require.Eventually(t, func() bool { return c.ReportStats().Held == 0 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, advox.ReportStats{Unmatched: 1}, c.ReportStats())
}
