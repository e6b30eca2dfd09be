package advox_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/internal/testkit"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
	"github.com/azenna/advox/transport/smpptransport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
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

// reusingReporter gives every message the same operator id, as an
// operator that reuses its ids (an SMSC restarted mid-run counts from 1
// again). With early set, it reports each message delivered from inside
// Submit, before the Client has written the record.
type reusingReporter struct {
	*memtransport.Transport
	id    string
	early bool
	h     transport.ReportHandler
}

func (u *reusingReporter) SetReportHandler(h transport.ReportHandler) {
	u.h = h
	u.Transport.SetReportHandler(h)
}

func (u *reusingReporter) report(ctx context.Context) {
	u.h(ctx, transport.Report{OperatorID: u.id, Status: transport.StatusDelivered})
}

func (u *reusingReporter) Submit(ctx context.Context, _ *transport.Message) (transport.Result, error) {
	if u.early {
		u.report(ctx)
	}
	return transport.Result{OperatorIDs: []string{u.id}}, nil
}

// TestReportForReusedOperatorIDReachesItsRecord: when an operator gives a
// new message the id of an older one that is final already, the new
// message's report settles the new record — also when it overtakes the
// record's write. (It matched the old, final record and was counted
// applied, leaving the new message accepted for good.)
func TestReportForReusedOperatorIDReachesItsRecord(t *testing.T) {
	for _, early := range []bool{false, true} {
		t.Run(fmt.Sprintf("early=%v", early), func(t *testing.T) {
			tr := &reusingReporter{Transport: memtransport.New(nil), id: "1", early: early}
			c, _ := newClient(t, tr, nil)
			ctx := context.Background()
			var ids []string
			for range 3 {
				rcpt, err := c.Send(ctx, msg("reused id"))
				require.NoError(t, err)
				if !early {
					tr.report(ctx)
				}
				ids = append(ids, rcpt.ID)
			}
			for i, id := range ids {
				r, err := c.Status(ctx, advox.PurposeTransmit, id)
				require.NoError(t, err)
				assert.Equal(t, transport.StatusDelivered, r.Status, "message %d", i)
			}
			assert.Equal(t, advox.ReportStats{Applied: 3}, c.ReportStats())
		})
	}
}

// newClockedClient is a Client whose clock, and its memstore's, is clk.
func newClockedClient(t *testing.T, tr transport.Transport, clk *testkit.Clock, opts *advox.Options) *advox.Client {
	t.Helper()
	opts.Now = clk.Now
	c, err := advox.NewClient(tr, memstore.New(&memstore.Options{Now: clk.Now}), opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// TestReportOfFinalRecordOnly: a report whose operator id is only on a
// final record is held, as it may be the report of a newer message given
// the same id whose record is not written yet. Unclaimed, it counts as a
// repeat (applied) when that record is younger than the id reuse horizon
// (Options.OperatorIDReuse), and as unmatched when it is older; it never
// changes the old record. A report that echoes the final record's own
// message id is its repeat, applied at once.
func TestReportOfFinalRecordOnly(t *testing.T) {
	tests := []struct {
		name string
		age  time.Duration // of the final record when the report comes
		echo bool          // the report echoes the record's message id
		held bool
		want advox.ReportStats // after the hold
	}{
		{"repeat within the horizon", time.Hour, false, true, advox.ReportStats{Applied: 2}},
		{"past the horizon", advox.DefaultOperatorIDReuse + time.Hour, false, true, advox.ReportStats{Applied: 1, Unmatched: 1}},
		{"echoed message id", advox.DefaultOperatorIDReuse + time.Hour, true, false, advox.ReportStats{Applied: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := testkit.NewClock(time.Now())
			tr := &reusingReporter{Transport: memtransport.New(nil), id: "1"}
			const hold = 30 * time.Millisecond
			c := newClockedClient(t, tr, clk, &advox.Options{ReportHold: hold})
			ctx := context.Background()
			rcpt, err := c.Send(ctx, msg("once"))
			require.NoError(t, err)
			tr.report(ctx)
			before, err := c.Status(ctx, advox.PurposeTransmit, rcpt.ID)
			require.NoError(t, err)
			require.Equal(t, transport.StatusDelivered, before.Status)

			clk.Advance(tt.age)
			rep := transport.Report{OperatorID: "1", Status: transport.StatusUndeliverable, ErrorCode: "99", At: clk.Now()}
			if tt.echo {
				rep.MessageID = rcpt.ID
			}
			tr.h(ctx, rep)
			assert.Equal(t, tt.held, c.ReportStats().Held == 1, "held")
			clk.Advance(hold)
			require.Eventually(t, func() bool { return c.ReportStats().Held == 0 }, 5*time.Second, time.Millisecond)
			assert.Equal(t, tt.want, c.ReportStats())
			after, err := c.Status(ctx, advox.PurposeTransmit, rcpt.ID)
			require.NoError(t, err)
			assert.Equal(t, before.Record, after.Record, "the final record is left as it was")
		})
	}
}

// TestSMSCRestartReceiptsReachTheirRecords: an SMSC restarted mid-run
// gives its message ids from the first again. Every receipt must settle
// its own message, also when it overtakes the submit response: it matched
// the older, final record of the same id, and the new message stayed
// accepted.
func TestSMSCRestartReceiptsReachTheirRecords(t *testing.T) {
	srv, err := smsctest.NewServer(&smsctest.Config{Receipts: smsctest.ReceiptsNever})
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	tr, err := smpptransport.New(smpptransport.Config{Addr: srv.Addr(), SystemID: smsctest.DefaultSystemID,
		Password: smsctest.DefaultPassword, Backoff: func(int) time.Duration { return 5 * time.Millisecond }})
	require.NoError(t, err)
	procs, err := processing.NewRegister(processing.OperatorProcessor(tr.Name(), "SE", time.Now()))
	require.NoError(t, err)
	c, err := advox.NewClient(tr, memstore.New(nil), &advox.Options{Processors: procs})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	const n = 20
	delivered := func(ids []string) bool {
		for _, id := range ids {
			r, err := c.Status(ctx, advox.PurposeTransmit, id)
			if err != nil || r.Status != transport.StatusDelivered {
				return false
			}
		}
		return true
	}
	run := func() (ids, opIDs []string) {
		for range n {
			srv.InjectFault(smsctest.Fault{ReceiptFirst: true}) // the receipt overtakes the answer
			rcpt, err := c.Send(ctx, msg("after a restart"))
			require.NoError(t, err)
			ids, opIDs = append(ids, rcpt.ID), append(opIDs, rcpt.OperatorIDs...)
		}
		require.Eventually(t, func() bool { return delivered(ids) }, 10*time.Second, 5*time.Millisecond)
		return ids, opIDs
	}
	_, before := run()
	// Every receipt acknowledged (none comes again), then the restart
	// and the rebind.
	require.Eventually(t, func() bool { return srv.Stats().DeliverAcks == n }, 10*time.Second, time.Millisecond)
	srv.Restart()
	require.Eventually(t, func() bool { return tr.Stats().Binds == 2 }, 10*time.Second, time.Millisecond)
	ids, after := run()
	require.Equal(t, before, after, "the restarted SMSC gave the same ids again")
	assert.True(t, delivered(ids))
	assert.Equal(t, advox.ReportStats{Applied: 2 * n}, c.ReportStats())
}

// TestReportTimeOutOfRange: a report's time outside [submit −
// ReportClockSkew, arrival + ReportClockSkew] is replaced by its arrival
// time (dates of 9999-12-31 and 1970 were stored as given), and no report
// moves a record's or a part's time backwards.
func TestReportTimeOutOfRange(t *testing.T) {
	sent := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	const late = time.Minute // the report arrives a minute after the submit
	arrival := sent.Add(late)
	skew := advox.DefaultReportClockSkew
	tests := []struct {
		name string
		at   time.Time
		want time.Time
	}{
		{"year 9999", time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), arrival},
		{"1970", time.Unix(0, 0), arrival},
		{"beyond the skew after arrival", arrival.Add(skew + time.Second), arrival},
		{"beyond the skew before the submit", sent.Add(-skew - time.Second), arrival},
		{"within the skew after arrival", arrival.Add(skew), arrival.Add(skew)},
		{"between submit and arrival", sent.Add(10 * time.Second), sent.Add(10 * time.Second)},
		{"none", time.Time{}, arrival},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := testkit.NewClock(sent)
			tr := memtransport.New(nil)
			var logs testkit.Buffer
			c := newClockedClient(t, tr, clk, &advox.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			ctx := context.Background()
			rcpt, err := c.Send(ctx, msg("when"))
			require.NoError(t, err)
			clk.Advance(late)
			tr.Report(ctx, transport.Report{OperatorID: rcpt.OperatorIDs[0], Status: transport.StatusEnroute, At: tt.at})
			r, err := c.Status(ctx, advox.PurposeTransmit, rcpt.ID)
			require.NoError(t, err)
			require.Equal(t, transport.StatusEnroute, r.Status)
			assert.Equal(t, tt.want, r.Parts[0].UpdatedAt.UTC(), "part")
			assert.Equal(t, later(tt.want, sent), r.UpdatedAt.UTC(), "record")
			// The second, out of range too, is not logged again.
			tr.Report(ctx, transport.Report{OperatorID: rcpt.OperatorIDs[0], Status: transport.StatusEnroute, At: tt.at})
			logged := strings.Count(logs.String(), "delivery report time out of range")
			if !tt.at.IsZero() && tt.want.Equal(arrival) {
				assert.Equal(t, 1, logged, "an out-of-range time is logged once")
			} else {
				assert.Zero(t, logged)
			}

			// A later report dated before the first moves nothing back.
			prev := r.Record
			tr.Report(ctx, transport.Report{OperatorID: rcpt.OperatorIDs[0], Status: transport.StatusDelivered, At: sent})
			r, err = c.Status(ctx, advox.PurposeTransmit, rcpt.ID)
			require.NoError(t, err)
			require.Equal(t, transport.StatusDelivered, r.Status)
			assert.False(t, r.UpdatedAt.Before(prev.UpdatedAt), "record time went backwards")
			assert.False(t, r.Parts[0].UpdatedAt.Before(prev.Parts[0].UpdatedAt), "part time went backwards")
		})
	}
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// TestReportHandlerTakesWhatItHolds: the handler returns nil for every
// report it applied, held (no record yet) or refused as malformed, so the
// transport acknowledges them; only a report it could not take is an
// error (see TestReportAfterCloseIsNotHeld).
func TestReportHandlerTakesWhatItHolds(t *testing.T) {
	tr := &lateReporter{Transport: memtransport.New(nil)}
	c, _ := newClient(t, tr, nil)
	rcpt, err := c.Send(context.Background(), msg("taken"))
	require.NoError(t, err)
	ctx := context.Background()
	assert.NoError(t, tr.h(ctx, transport.Report{OperatorID: rcpt.OperatorIDs[0], Status: transport.StatusDelivered}), "applied")
	assert.NoError(t, tr.h(ctx, transport.Report{OperatorID: "not-yet", Status: transport.StatusDelivered}), "held")
	assert.NoError(t, tr.h(ctx, transport.Report{Status: transport.StatusDelivered}), "malformed: dropped for good")
	assert.Equal(t, advox.ReportStats{Applied: 1, Held: 1, Unmatched: 1}, c.ReportStats())
}
