package advox_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
)

// sharedStore is a store another Client owns: closing it here does
// nothing.
type sharedStore struct{ *memstore.Store }

func (sharedStore) Close() error { return nil }

// TestHeldReportFindsRecordWrittenElsewhere: two Clients share one store
// (two instances of a service against one database) and the operator
// hands a delivery report to the instance that did not send the message,
// before the sender has written its record. The report is held, and it
// must be matched once the record is in the store — not only when this
// Client writes it — within Options.ReportHold.
func TestHeldReportFindsRecordWrittenElsewhere(t *testing.T) {
	ctx := context.Background()
	sender, st := newClient(t, memtransport.New(nil), nil)
	rtr := memtransport.New(nil)
	receiver, err := advox.NewClient(rtr, sharedStore{st}, &advox.Options{ReportHold: 5 * time.Second})
	require.NoError(t, err)
	t.Cleanup(func() { _ = receiver.Close() })

	require.True(t, rtr.Report(ctx, transport.Report{OperatorID: "mem-1", Status: transport.StatusDelivered}))
	require.EqualValues(t, 1, receiver.ReportStats().Held)

	rcpt, err := sender.Send(ctx, msg("elsewhere"))
	require.NoError(t, err)
	require.Equal(t, []string{"mem-1"}, rcpt.OperatorIDs)

	require.Eventually(t, func() bool { return receiver.ReportStats().Applied == 1 }, 4*time.Second, 5*time.Millisecond,
		"the held report is matched against the shared store")
	r, err := st.Get(ctx, rcpt.ID)
	require.NoError(t, err)
	assert.Equal(t, transport.StatusDelivered, r.Status)
	assert.Equal(t, advox.ReportStats{Applied: 1}, receiver.ReportStats())
}
