package memtransport_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
	"github.com/azenna/advox/transport/transporttest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// harness adapts memtransport to the conformance suite: the "far end" is
// the transport's own record of what it took.
type harness struct{ tr *memtransport.Transport }

func (h *harness) Transport() transport.Transport { return h.tr }
func (h *harness) Close() error                   { return nil }

func (h *harness) Received() []transporttest.Received {
	var out []transporttest.Received
	for _, s := range h.tr.Sent() {
		out = append(out, transporttest.Received{
			MessageID: s.Message.ID, From: s.Message.From.Value, To: s.Message.To,
			Encoding: s.Message.Encoding, Parts: s.Message.Parts,
		})
	}
	return out
}

func (h *harness) InjectFault(f transporttest.Fault) {
	h.tr.Inject(map[transporttest.Fault]memtransport.Fault{
		transporttest.FaultThrottle:       memtransport.Throttle,
		transporttest.FaultReject:         memtransport.Reject,
		transporttest.FaultNotSent:        memtransport.NotSent,
		transporttest.FaultOutcomeUnknown: memtransport.OutcomeUnknown,
	}[f])
}

func TestConformance(t *testing.T) {
	transporttest.Run(t, func(t *testing.T) transporttest.Harness {
		return &harness{tr: memtransport.New(&memtransport.Config{ReportStatus: transport.StatusDelivered})}
	}, transporttest.Features{DeliveryReports: true})
}

func TestFaultsInOrder(t *testing.T) {
	tr := memtransport.New(&memtransport.Config{RetryAfter: 3 * time.Second})
	defer tr.Close()
	tr.Inject(memtransport.Throttle, memtransport.Reject)
	m := &transport.Message{ID: "m1", To: "+46701234567", Encoding: transport.GSM7, Parts: []string{"hi"}}

	_, err := tr.Submit(context.Background(), m)
	require.ErrorIs(t, err, transport.ErrThrottled)
	after, ok := transport.RetryAfter(err)
	assert.True(t, ok)
	assert.Equal(t, 3*time.Second, after)

	_, err = tr.Submit(context.Background(), m)
	require.ErrorIs(t, err, transport.ErrRejected)

	res, err := tr.Submit(context.Background(), m)
	require.NoError(t, err)
	assert.Len(t, res.OperatorIDs, 1)
	assert.Len(t, tr.Sent(), 1, "refused submits are not taken")
}

func TestReportsStopOnClose(t *testing.T) {
	tr := memtransport.New(&memtransport.Config{ReportStatus: transport.StatusDelivered, ReportDelay: time.Hour})
	got := make(chan transport.Report, 1)
	tr.SetReportHandler(func(_ context.Context, r transport.Report) { got <- r })
	_, err := tr.Submit(context.Background(), &transport.Message{ID: "m", To: "+46701234567", Parts: []string{"x"}, ReportRequested: true})
	require.NoError(t, err)
	require.NoError(t, tr.Close()) // must not wait an hour, nor leak the timer goroutine
	assert.Empty(t, got)
	assert.False(t, tr.Report(context.Background(), transport.Report{OperatorID: "x", Status: transport.StatusDelivered}))
}
