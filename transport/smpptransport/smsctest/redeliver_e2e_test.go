package smsctest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

// The SMPP transport answers a receipt that arrives before its report
// handler is set with ESME_RX_T_APPN; the simulator delivers it again, so
// the report reaches the handler set later.
func TestDeferredReceiptReachesLateHandler(t *testing.T) {
	smsc, err := smsctest.NewServer(&smsctest.Options{RedeliveryDelay: 5 * time.Millisecond, MaxDeliveries: 1000})
	require.NoError(t, err)
	defer smsc.Close()
	tr, err := smpptransport.New(smpptransport.Config{
		Addr: smsc.Addr(), SystemID: smsctest.DefaultSystemID, Password: smsctest.DefaultPassword,
		BindMode: smpptransport.Transceiver,
	})
	require.NoError(t, err)
	defer tr.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m := message("Hello")
	m.ReportRequested = true
	res, err := tr.Submit(ctx, m)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return tr.Stats().Deferred >= 1 }, 5*time.Second, time.Millisecond,
		"no handler yet: the receipt is refused")

	reports := make(chan transport.Report, 1)
	tr.SetReportHandler(func(_ context.Context, r transport.Report) error { reports <- r; return nil })
	select {
	case r := <-reports:
		assert.Equal(t, res.OperatorIDs[0], r.OperatorID)
		assert.Equal(t, transport.StatusDelivered, r.Status)
	case <-ctx.Done():
		t.Fatal("the refused receipt was never delivered again")
	}
	st := smsc.Stats()
	assert.GreaterOrEqual(t, st.Redeliveries, int64(1))
	assert.Equal(t, st.Delivers, st.Redeliveries+1, "one receipt, delivered until accepted")
}
