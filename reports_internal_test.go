package advox

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/storage"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
)

// lookupCounter counts the lookups a report makes.
type lookupCounter struct {
	*memstore.Store
	n atomic.Int64
}

func (s *lookupCounter) FindByOperatorID(ctx context.Context, tr, id string) (storage.Record, int, error) {
	s.n.Add(1)
	return s.Store.FindByOperatorID(ctx, tr, id)
}

// A held report whose record never comes (another system's message on a
// shared account) is tried again at doubling gaps, not on every tick of
// its hold: a few lookups each, not one a second for ReportHold.
func TestHeldReportRetriesBackOff(t *testing.T) {
	st := &lookupCounter{Store: memstore.New(nil)}
	tr := memtransport.New(nil)
	c, err := NewClient(tr, st, &Options{ReportHold: time.Hour})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })

	require.True(t, tr.Report(context.Background(), transport.Report{OperatorID: "foreign-1", Status: transport.StatusDelivered}))
	require.EqualValues(t, 1, c.ReportStats().Held)
	before := st.n.Load()
	const ticks = 60 // a minute of the expiry loop
	for range ticks {
		c.reports.retry(context.Background())
	}
	tries := st.n.Load() - before
	assert.Positive(t, tries, "it is still tried")
	assert.LessOrEqual(t, tries, int64(8), "tried at doubling gaps over %d ticks", ticks)
	assert.EqualValues(t, 1, c.ReportStats().Held)
}
