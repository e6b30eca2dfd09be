package advox_test

import (
	"context"
	"sync"
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

// closeWatchStore is a store whose first status update stalls until
// released, and which notes whether it was closed while an update was
// still running.
type closeWatchStore struct {
	*memstore.Store
	stalled          atomic.Bool
	entered, release chan struct{}
	updating         atomic.Int64
	closedMidUpdate  atomic.Bool
}

func (s *closeWatchStore) UpdateStatus(ctx context.Context, u storage.StatusUpdate) (storage.Record, error) {
	s.updating.Add(1)
	defer s.updating.Add(-1)
	if s.stalled.CompareAndSwap(false, true) {
		close(s.entered)
		<-s.release
	}
	return s.Store.UpdateStatus(ctx, u)
}

func (s *closeWatchStore) Close() error {
	if s.updating.Load() > 0 {
		s.closedMidUpdate.Store(true)
	}
	return s.Store.Close()
}

// TestCloseWaitsForReportBeingApplied: a delivery report the transport is
// handing to the Client when the Client is closed is applied in full
// before the store is closed under it.
func TestCloseWaitsForReportBeingApplied(t *testing.T) {
	tr := memtransport.New(nil)
	st := &closeWatchStore{Store: memstore.New(nil), entered: make(chan struct{}), release: make(chan struct{})}
	c, err := advox.NewClient(tr, st, nil)
	require.NoError(t, err)
	rcpt, err := c.Send(context.Background(), msg("closing"))
	require.NoError(t, err)

	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() {
		tr.Report(context.Background(), transport.Report{OperatorID: rcpt.OperatorIDs[0], Status: transport.StatusDelivered})
	})
	<-st.entered
	closed := make(chan struct{})
	var closeErr error
	wg.Go(func() {
		defer close(closed)
		closeErr = c.Close()
	})
	select {
	case <-closed:
		t.Error("Close returned while a delivery report was being applied")
	case <-time.After(50 * time.Millisecond):
	}
	close(st.release)
	<-closed
	require.NoError(t, closeErr)
	assert.False(t, st.closedMidUpdate.Load(), "the store was closed under a report being applied")
	assert.Equal(t, advox.ReportStats{Applied: 1}, c.ReportStats())
}
