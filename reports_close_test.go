package advox_test

import (
	"bytes"
	"context"
	"log/slog"
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

// stallFindStore holds FindByOperatorID, once stall is set, until the
// caller's context ends, and says when one is held.
type stallFindStore struct {
	*memstore.Store
	stall   atomic.Bool
	entered chan struct{}
	once    sync.Once
}

func (s *stallFindStore) FindByOperatorID(ctx context.Context, tr, id string) (storage.Record, int, error) {
	if s.stall.Load() {
		s.once.Do(func() { close(s.entered) })
		<-ctx.Done()
		return storage.Record{}, 0, ctx.Err()
	}
	return s.Store.FindByOperatorID(ctx, tr, id)
}

// Regression: Close cancelling the retry of a held delivery report logged
// an ERROR ("context canceled"); being closed is no error.
func TestCloseCancellingReportRetryLogsNoError(t *testing.T) {
	var logs bytes.Buffer
	st := &stallFindStore{Store: memstore.New(nil), entered: make(chan struct{})}
	tr := memtransport.New(nil)
	c, err := advox.NewClient(tr, st, &advox.Options{ReportHold: time.Second, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)

	// A report for no record yet is held, and tried again on the expiry
	// loop's ticks; the next try stalls in the store until Close.
	tr.Report(context.Background(), transport.Report{OperatorID: "not-yet", Status: transport.StatusDelivered})
	require.Equal(t, int64(1), c.ReportStats().Held)
	st.stall.Store(true)
	select {
	case <-st.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the held report was never tried again")
	}
	require.NoError(t, c.Close())
	assert.NotContains(t, logs.String(), "level=ERROR")
}
