package advox_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/internal/testkit"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage"
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
	srv, err := smsctest.NewServer(&smsctest.Options{Receipts: smsctest.ReceiptsNever})
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

func TestUnknownOutcomeSettledByLaterReport(t *testing.T) {
	tr := memtransport.New(nil)
	tr.Inject(memtransport.OutcomeUnknown)
	c, _ := newClient(t, tr, nil)
	rcpt, err := c.Send(context.Background(), msg("unknown"))
	require.ErrorIs(t, err, advox.ErrOutcomeUnknown)
	require.True(t, tr.Report(context.Background(), transport.Report{MessageID: rcpt.ID, Status: transport.StatusDelivered}))
	r, err := c.Status(context.Background(), advox.PurposeTransmit, rcpt.ID)
	require.NoError(t, err)
	assert.Equal(t, transport.StatusDelivered, r.Status)
}

// earlyReporter reports delivery from inside Submit, before the Client has
// even seen the operator ids: the report overtakes the submit response.
type earlyReporter struct {
	*memtransport.Transport
	mu sync.Mutex
	h  transport.ReportHandler
}

func (e *earlyReporter) SetReportHandler(h transport.ReportHandler) {
	e.mu.Lock()
	e.h = h
	e.mu.Unlock()
	e.Transport.SetReportHandler(h)
}

func TestReportBeforeSubmitResponseIsHeld(t *testing.T) {
	tr := &earlyReporter{Transport: memtransport.New(nil)}
	c, _ := newClient(t, tr, nil)
	rcpt, err := c.Send(context.Background(), msg(strings.Repeat("z", 170)))
	require.NoError(t, err)
	r, err := c.Status(context.Background(), advox.PurposeTransmit, rcpt.ID)
	require.NoError(t, err)
	assert.Equal(t, transport.StatusDelivered, r.Status, "held reports are applied as soon as the record exists")
	st := c.ReportStats()
	assert.Equal(t, int64(2), st.Applied)
	assert.Zero(t, st.Held)
}

func TestUnmatchedReportsExpire(t *testing.T) {
	tr := memtransport.New(nil)
	c, _ := newClient(t, tr, &advox.Options{ReportHold: 30 * time.Millisecond})
	tr.Report(context.Background(), transport.Report{OperatorID: "nobody", Status: transport.StatusDelivered})
	tr.Report(context.Background(), transport.Report{OperatorID: "x", Status: "bogus"})
	assert.Equal(t, int64(1), c.ReportStats().Held)
	require.Eventually(t, func() bool { return c.ReportStats().Unmatched == 2 }, 5*time.Second, 5*time.Millisecond)
	assert.Zero(t, c.ReportStats().Held)
}

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

// slowFind is a store whose lookups by operator id take a while once
// slow is set, so that a held report tried again is out of the held set
// for that long.
type slowFind struct {
	*memstore.Store
	slow atomic.Bool
}

func (s *slowFind) FindByOperatorID(ctx context.Context, tr, id string) (storage.Record, int, error) {
	if s.slow.Load() {
		time.Sleep(20 * time.Millisecond)
	}
	return s.Store.FindByOperatorID(ctx, tr, id)
}

// TestHeldReportStaysCountedWhileTriedAgain: ReportStats.Held counts a
// held report the whole time it waits, including while the Client is
// trying it again.
func TestHeldReportStaysCountedWhileTriedAgain(t *testing.T) {
	st := &slowFind{Store: memstore.New(nil)}
	tr := memtransport.New(nil)
	c, err := advox.NewClient(tr, st, &advox.Options{ReportHold: 400 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })

	require.True(t, tr.Report(context.Background(), transport.Report{OperatorID: "nobody", Status: transport.StatusDelivered}))
	st.slow.Store(true)
	seen := map[int64]int{}
	for end := time.Now().Add(250 * time.Millisecond); time.Now().Before(end); time.Sleep(time.Millisecond) {
		seen[c.ReportStats().Held]++
	}
	assert.Equal(t, []int64{1}, slices.Sorted(maps.Keys(seen)), "Held while the report waits")
	require.Eventually(t, func() bool { return c.ReportStats().Held == 0 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, advox.ReportStats{Unmatched: 1}, c.ReportStats())
}

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

// Delivery reports from the transport update the traffic record; a message
// is delivered when every part is.
func ExampleClient_Status() {
	tr := memtransport.New(nil)
	client, err := advox.NewClient(tr, memstore.New(nil), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	rcpt, err := client.Send(context.Background(), advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: "hi"})
	if err != nil {
		log.Fatal(err)
	}
	tr.Report(context.Background(), transport.Report{OperatorID: rcpt.OperatorIDs[0], Status: transport.StatusDelivered})
	rec, err := client.Status(context.Background(), advox.PurposeTransmit, rcpt.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rec.Status)
	// Output: delivered
}
