package advox_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
)

// lateReporter keeps the Client's report handler so that a test can call
// it after Close, as a third-party adapter that does not wait for its
// report goroutines would.
type lateReporter struct {
	*memtransport.Transport
	h transport.ReportHandler
}

func (l *lateReporter) SetReportHandler(h transport.ReportHandler) { l.h = h }

// TestReportAfterCloseIsNotHeld: a report that reaches a closed Client is
// counted unmatched at once; nothing is held that no expiry loop will
// ever drop. The handler's error asks the transport to have the operator
// deliver it again (before, it answered nothing and the report was lost).
func TestReportAfterCloseIsNotHeld(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    func(rcpt advox.Receipt) transport.Report
	}{
		{"known operator id", func(rcpt advox.Receipt) transport.Report {
			return transport.Report{OperatorID: rcpt.OperatorIDs[0], Status: transport.StatusDelivered}
		}},
		{"unknown operator id", func(advox.Receipt) transport.Report {
			return transport.Report{OperatorID: "nobody", Status: transport.StatusDelivered}
		}},
		{"message id", func(rcpt advox.Receipt) transport.Report {
			return transport.Report{MessageID: rcpt.ID, Status: transport.StatusDelivered}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := &lateReporter{Transport: memtransport.New(nil)}
			c, _ := newClient(t, tr, nil)
			rcpt, err := c.Send(context.Background(), msg("late"))
			require.NoError(t, err)
			require.NoError(t, c.Close())

			err = tr.h(context.Background(), tc.r(rcpt))
			assert.Error(t, err, "not taken: the operator must deliver it again")
			assert.Equal(t, advox.ReportStats{Unmatched: 1}, c.ReportStats())
		})
	}
}
