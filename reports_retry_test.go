package advox_test

import (
	"context"
	"fmt"
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

// outageStore is a traffic store that is unavailable for reads and status
// updates while down is set; with downAfterRecord set, it goes down as soon
// as a record has been written.
type outageStore struct {
	*memstore.Store
	down, downAfterRecord atomic.Bool
	finds                 atomic.Int64 // FindByOperatorID calls answered
}

var errOutage = fmt.Errorf("database restarting: %w", storage.ErrUnavailable)

func (s *outageStore) Record(ctx context.Context, recs ...storage.Record) error {
	err := s.Store.Record(ctx, recs...)
	if err == nil && s.downAfterRecord.Load() {
		s.down.Store(true)
	}
	return err
}

func (s *outageStore) UpdateStatus(ctx context.Context, u storage.StatusUpdate) (storage.Record, error) {
	if s.down.Load() {
		return storage.Record{}, errOutage
	}
	return s.Store.UpdateStatus(ctx, u)
}

func (s *outageStore) Get(ctx context.Context, id string) (storage.Record, error) {
	if s.down.Load() {
		return storage.Record{}, errOutage
	}
	return s.Store.Get(ctx, id)
}

func (s *outageStore) FindByOperatorID(ctx context.Context, tr, id string) (storage.Record, int, error) {
	if s.down.Load() {
		return storage.Record{}, 0, errOutage
	}
	defer s.finds.Add(1)
	return s.Store.FindByOperatorID(ctx, tr, id)
}

// TestReportSurvivesAShortStoreOutage: a delivery report that cannot be
// applied because the store is briefly unavailable — when it arrives, or
// when the record it waited for is written — is tried again within the
// hold time and applied once, not held until it expires.
func TestReportSurvivesAShortStoreOutage(t *testing.T) {
	for _, early := range []bool{false, true} {
		t.Run(fmt.Sprintf("early=%v", early), func(t *testing.T) {
			st := &outageStore{Store: memstore.New(nil)}
			var tr transport.Transport = memtransport.New(nil)
			if early {
				tr = &earlyReporter{Transport: memtransport.New(nil)}
				st.downAfterRecord.Store(true)
			}
			c, err := advox.NewClient(tr, st, &advox.Options{ReportHold: time.Second})
			require.NoError(t, err)
			t.Cleanup(func() { _ = c.Close() })
			ctx := context.Background()

			rcpt, err := c.Send(ctx, msg("outage"))
			require.NoError(t, err)
			require.Len(t, rcpt.OperatorIDs, 1)
			if !early {
				st.down.Store(true)
				tr.(*memtransport.Transport).Report(ctx,
					transport.Report{OperatorID: rcpt.OperatorIDs[0], Status: transport.StatusDelivered})
			}
			require.True(t, st.down.Load())
			assert.Zero(t, c.ReportStats().Applied, "not applied during the outage")
			st.down.Store(false)

			require.Eventually(t, func() bool { return c.ReportStats().Applied == 1 }, 5*time.Second, 5*time.Millisecond,
				"the report is applied once the store is back")
			r, err := c.Status(ctx, advox.PurposeTransmit, rcpt.ID)
			require.NoError(t, err)
			assert.Equal(t, transport.StatusDelivered, r.Status)
			require.NoError(t, c.Close())
			assert.Equal(t, advox.ReportStats{Applied: 1}, c.ReportStats(), "applied once, nothing held or unmatched")
		})
	}
}

// outageReporter reports delivery from inside Submit during a store
// outage, then, with the store back, holds the submit answer until the
// Client has tried the report again and found no record yet.
type outageReporter struct {
	*memtransport.Transport
	st *outageStore
	c  atomic.Pointer[advox.Client]
	h  transport.ReportHandler
}

func (o *outageReporter) SetReportHandler(h transport.ReportHandler) {
	o.h = h
	o.Transport.SetReportHandler(h)
}

func (o *outageReporter) Submit(ctx context.Context, m *transport.Message) (transport.Result, error) {
	res, err := o.Transport.Submit(ctx, m)
	o.st.down.Store(true)
	o.h(ctx, transport.Report{OperatorID: res.OperatorIDs[0], Status: transport.StatusDelivered})
	o.st.down.Store(false)
	finds := o.st.finds.Load()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if o.st.finds.Load() > finds && o.c.Load().ReportStats().Held == 1 {
			break
		}
	}
	return res, err
}

// TestRetriedReportWaitsForItsRecord: a report tried again after a store
// outage that still finds no record (the submit answer is not in yet) is
// held on, and applied once the record is written.
func TestRetriedReportWaitsForItsRecord(t *testing.T) {
	st := &outageStore{Store: memstore.New(nil)}
	tr := &outageReporter{Transport: memtransport.New(nil), st: st}
	c, err := advox.NewClient(tr, st, &advox.Options{ReportHold: 2 * time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	tr.c.Store(c)

	rcpt, err := c.Send(context.Background(), msg("outage"))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return c.ReportStats().Applied == 1 }, 5*time.Second, 5*time.Millisecond)
	r, err := c.Status(context.Background(), advox.PurposeTransmit, rcpt.ID)
	require.NoError(t, err)
	assert.Equal(t, transport.StatusDelivered, r.Status)
	require.NoError(t, c.Close())
	assert.Equal(t, advox.ReportStats{Applied: 1}, c.ReportStats())
}
