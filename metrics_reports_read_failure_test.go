package advox_test

import (
	"context"
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

// flakyGet is a store whose Get fails (unavailable) while failGets is
// above zero, one call at a time; every other call works.
type flakyGet struct {
	*memstore.Store
	failGets atomic.Int64
}

func (s *flakyGet) Get(ctx context.Context, id string) (storage.Record, error) {
	if s.failGets.Add(-1) >= 0 {
		return storage.Record{}, errOutage
	}
	return s.Store.Get(ctx, id)
}

// TestReportFinalNotCountedAgainWhenReadFails: report metrics read the
// record before updating it to see whether the report moved it; when that
// read fails, a duplicate report for a message already final must not
// count it final (or measure its latency) a second time.
func TestReportFinalNotCountedAgainWhenReadFails(t *testing.T) {
	mf := newMeterFixture(t)
	tr := memtransport.New(nil)
	st := &flakyGet{Store: memstore.New(nil)}
	c, err := advox.NewClient(tr, st, &advox.Options{MeterProvider: mf.mp, ReportHold: 5 * time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	ctx := context.Background()
	rcpt, err := c.Send(ctx, msg("twice"))
	require.NoError(t, err)

	// The report echoes the message id: a repeat for a final record is
	// then applied at once rather than held (TestReportOfFinalRecordOnly).
	rep := transport.Report{OperatorID: rcpt.OperatorIDs[0], MessageID: rcpt.ID, Status: transport.StatusDelivered}
	require.True(t, tr.Report(ctx, rep))
	require.EqualValues(t, 1, c.ReportStats().Applied)

	st.failGets.Store(1)
	require.True(t, tr.Report(ctx, rep)) // a duplicate, while a read fails
	require.Eventually(t, func() bool { return c.ReportStats().Applied == 2 }, 4*time.Second, 5*time.Millisecond)

	got := mf.collect(t)
	key := "advox.status=delivered,advox.transport=mem"
	assert.Equal(t, map[string]int64{key: 1}, sums(t, got[advox.MetricReportFinal]), "counted final once")
	assert.Equal(t, map[string]uint64{key: 1}, counts(t, got[advox.MetricReportLatency]), "latency measured once")
}
