package advox_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
)

// unknownOutcomeReporter accepts every message but loses the answer
// (ErrOutcomeUnknown), so the Client never learns the operator's id; the
// operator's delivery report then carries its own id and echoes the
// client reference. With early set, the report arrives from inside Submit,
// before the Client has written the record.
type unknownOutcomeReporter struct {
	*memtransport.Transport
	early bool
	h     transport.ReportHandler
	n     int
}

func (u *unknownOutcomeReporter) SetReportHandler(h transport.ReportHandler) {
	u.h = h
	u.Transport.SetReportHandler(h)
}

func (u *unknownOutcomeReporter) report(ctx context.Context, id string) {
	u.h(ctx, transport.Report{OperatorID: fmt.Sprintf("op-%d", u.n), MessageID: id, Status: transport.StatusDelivered})
}

func (u *unknownOutcomeReporter) Submit(ctx context.Context, m *transport.Message) (transport.Result, error) {
	u.n++
	if u.early {
		u.report(ctx, m.ID)
	}
	return transport.Result{}, fmt.Errorf("no answer: %w", transport.ErrOutcomeUnknown)
}

// TestReportWithUnknownOperatorIDSettlesByClientReference: a message whose
// submit answer was lost has no operator id on record; the operator's
// report names its own id and echoes the message id, and the echo must
// settle the record — whether the report comes before or after the record
// is written.
func TestReportWithUnknownOperatorIDSettlesByClientReference(t *testing.T) {
	for _, early := range []bool{false, true} {
		t.Run(fmt.Sprintf("early=%v", early), func(t *testing.T) {
			tr := &unknownOutcomeReporter{Transport: memtransport.New(nil), early: early}
			c, _ := newClient(t, tr, nil)
			rcpt, err := c.Send(context.Background(), msg("lost answer"))
			require.ErrorIs(t, err, advox.ErrOutcomeUnknown)
			if !early {
				tr.report(context.Background(), rcpt.ID)
			}
			r, err := c.Status(context.Background(), advox.PurposeTransmit, rcpt.ID)
			require.NoError(t, err)
			assert.Equal(t, transport.StatusDelivered, r.Status, "the echoed client reference settles the record")
			st := c.ReportStats()
			assert.Equal(t, int64(1), st.Applied)
			assert.Zero(t, st.Held)
		})
	}
}

// failingTransport answers every submit with a fixed error.
type failingTransport struct {
	*memtransport.Transport
	err error
}

func (f *failingTransport) Submit(context.Context, *transport.Message) (transport.Result, error) {
	return transport.Result{}, f.err
}

// TestSendCodeFollowsWhatWasRecorded: when the operator took (or may have
// taken) the message, Send's code must never be one that says nothing was
// sent (Throttled, Unavailable) — a caller retrying on those would send the
// accepted parts again — nor an unclassified one.
func TestSendCodeFollowsWhatWasRecorded(t *testing.T) {
	partial := func(err error) error { return &transport.PartialError{Accepted: []string{"op-1"}, Err: err} }
	tests := []struct {
		name   string
		err    error
		code   advox.Code
		status transport.Status
	}{
		// A message some of whose parts never went out is incomplete, never plainly rejected.
		{"partial, rest not sent", partial(fmt.Errorf("conn lost: %w", transport.ErrNotSent)), advox.CodeIncomplete, transport.StatusRejected},
		{"partial, rest throttled", partial(&transport.RetryAfterError{After: 1, Err: transport.ErrThrottled}), advox.CodeIncomplete, transport.StatusRejected},
		{"partial, rest rejected", partial(transport.ErrRejected), advox.CodeIncomplete, transport.StatusRejected},
		{"partial, rest unknown", partial(transport.ErrOutcomeUnknown), advox.CodeOutcomeUnknown, transport.StatusUnknown},
		{"partial, rest unclassified", partial(fmt.Errorf("mystery")), advox.CodeOutcomeUnknown, transport.StatusUnknown},
		{"unclassified failure", fmt.Errorf("mystery"), advox.CodeOutcomeUnknown, transport.StatusUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newClient(t, &failingTransport{Transport: memtransport.New(nil), err: tt.err}, nil)
			rcpt, err := c.Send(context.Background(), msg(strings.Repeat("p", 300)))
			require.Error(t, err)
			assert.Equal(t, tt.code, advox.CodeOf(err))
			assert.Equal(t, tt.status, rcpt.Status)
			assert.NotErrorIs(t, err, advox.ErrUnavailable)
			assert.NotErrorIs(t, err, advox.ErrThrottled)
			r, err := c.Status(context.Background(), advox.PurposeTransmit, rcpt.ID)
			require.NoError(t, err)
			assert.Equal(t, tt.status, r.Status)
		})
	}
}

// TestHeldReportWithBothIDsCountsOnce: a report held under its operator id
// and its message id is one held report, and expires as one.
func TestHeldReportWithBothIDsCountsOnce(t *testing.T) {
	tr := memtransport.New(nil)
	c, _ := newClient(t, tr, &advox.Options{ReportHold: 30 * time.Millisecond})
	tr.Report(context.Background(), transport.Report{OperatorID: "nobody", MessageID: "nothing", Status: transport.StatusDelivered})
	assert.Equal(t, int64(1), c.ReportStats().Held)
	require.Eventually(t, func() bool { return c.ReportStats().Held == 0 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, int64(1), c.ReportStats().Unmatched)
}

// TestReportByClientReferenceSettlesOnlyUnnamedParts: in a two-part
// message whose first part the operator accepted (its id is on record) and
// whose second part's answer was lost, a report naming an unknown operator
// id and echoing the message id settles the second part only; a record
// whose every part has an operator id is not settled by such a report.
func TestReportByClientReferenceSettlesOnlyUnnamedParts(t *testing.T) {
	tr := &failingTransport{Transport: memtransport.New(nil),
		err: &transport.PartialError{Accepted: []string{"op-1"}, Err: transport.ErrOutcomeUnknown}}
	c, _ := newClient(t, tr, nil)
	ctx := context.Background()
	rcpt, err := c.Send(ctx, msg(strings.Repeat("p", 300)))
	require.ErrorIs(t, err, advox.ErrOutcomeUnknown)
	require.Equal(t, 2, rcpt.Segments)

	tr.Report(ctx, transport.Report{OperatorID: "op-lost", MessageID: rcpt.ID, Status: transport.StatusUndeliverable})
	r, err := c.Status(ctx, advox.PurposeTransmit, rcpt.ID)
	require.NoError(t, err)
	require.Len(t, r.Parts, 2)
	assert.Equal(t, "op-1", r.Parts[0].OperatorID)
	assert.NotEqual(t, transport.StatusUndeliverable, r.Parts[0].Status, "the named part is not the report's")
	assert.Equal(t, transport.StatusUndeliverable, r.Parts[1].Status)

	tr.Report(ctx, transport.Report{OperatorID: "op-1", Status: transport.StatusDelivered})
	r, err = c.Status(ctx, advox.PurposeTransmit, rcpt.ID)
	require.NoError(t, err)
	assert.Equal(t, transport.StatusDelivered, r.Parts[0].Status)

	// Every part named: a report with another operator id is unmatched.
	ok := memtransport.New(nil)
	c2, _ := newClient(t, ok, nil)
	rcpt2, err := c2.Send(ctx, msg("named"))
	require.NoError(t, err)
	ok.Report(ctx, transport.Report{OperatorID: "someone-else", MessageID: rcpt2.ID, Status: transport.StatusUndeliverable})
	r2, err := c2.Status(ctx, advox.PurposeTransmit, rcpt2.ID)
	require.NoError(t, err)
	assert.NotEqual(t, transport.StatusUndeliverable, r2.Status)
	assert.Equal(t, int64(1), c2.ReportStats().Held, "held for the hold time, then counted unmatched")
}
