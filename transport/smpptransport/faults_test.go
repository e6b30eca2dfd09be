package smpptransport

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

func TestStatusClassification(t *testing.T) {
	tests := []struct {
		status CommandStatus
		want   error
		name   string
		hint   bool
	}{
		{0x58, transport.ErrThrottled, "ESME_RTHROTTLED", true},
		{0x14, transport.ErrThrottled, "ESME_RMSGQFUL", true},
		{0x08, transport.ErrNotSent, "ESME_RSYSERR", false},
		{0x64, transport.ErrNotSent, "ESME_RX_T_APPN", false},
		{0x0B, transport.ErrRejected, "ESME_RINVDSTADR", false},
		{0x45, transport.ErrRejected, "ESME_RSUBMITFAIL", false},
		{0x65, transport.ErrRejected, "ESME_RX_P_APPN", false},
		{0x0401, transport.ErrRejected, "vendor-specific 0x00000401", false},
	}
	srv := newServer(t, nil)
	tr := newTransport(t, testConfig(srv))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv.InjectFault(smsctest.Fault{Status: smsctest.CommandStatus(tc.status)})
			m := msg()
			_, err := tr.Submit(ctxT(t, 5*time.Second), m)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.want)
			for _, other := range []error{transport.ErrThrottled, transport.ErrNotSent, transport.ErrRejected, transport.ErrOutcomeUnknown} {
				if other != tc.want {
					assert.NotErrorIs(t, err, other, "exactly one classification")
				}
			}
			var se *StatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.status, se.Status)
			assert.Contains(t, err.Error(), tc.name, "the error names the status")
			assert.NotContains(t, err.Error(), strings.TrimPrefix(m.To, "+"))
			_, hint := transport.RetryAfter(err)
			assert.Equal(t, tc.hint, hint)
		})
	}
}

func TestPartialFailure(t *testing.T) {
	srv := newServer(t, nil)
	tr := newTransport(t, testConfig(srv))
	srv.InjectFault(smsctest.Fault{})
	srv.InjectFault(smsctest.Fault{Status: smsctest.StatusQueueFull})
	_, err := tr.Submit(ctxT(t, 5*time.Second), msg("part one", "part two", "part three"))
	var pe *transport.PartialError
	require.ErrorAs(t, err, &pe)
	require.Len(t, pe.Accepted, 1)
	assert.ErrorIs(t, err, transport.ErrThrottled)
	subs := srv.Submits()
	require.Len(t, subs, 2, "nothing is sent after the failed part")
	assert.Equal(t, normalizeID(subs[0].MessageID, 0), pe.Accepted[0])
	assert.Empty(t, srv.Messages(), "the far end never got the whole message")

	// A failure on the first part is a plain error.
	srv.InjectFault(smsctest.Fault{Status: smsctest.StatusInvalidDest})
	_, err = tr.Submit(ctxT(t, 5*time.Second), msg("a", "b"))
	require.ErrorIs(t, err, transport.ErrRejected)
	assert.False(t, errors.As(err, &pe))
}

func TestNoAnswerIsOutcomeUnknown(t *testing.T) {
	srv := newServer(t, nil)
	cfg := testConfig(srv)
	cfg.RespTimeout = 50 * time.Millisecond
	// Only the response timeout is under test: a session retired as hung
	// in between made the second submit "not sent" on a loaded machine.
	cfg.HangTimeout = time.Minute
	tr := newTransport(t, cfg)
	srv.InjectFault(smsctest.Fault{NoAnswer: true})
	_, err := tr.Submit(ctxT(t, 5*time.Second), msg())
	require.ErrorIs(t, err, transport.ErrOutcomeUnknown)
	assert.False(t, transport.SafeToRetry(err))

	// A caller giving up after the write has an unknown outcome too.
	srv.InjectFault(smsctest.Fault{Delay: time.Second})
	_, err = tr.Submit(ctxT(t, 20*time.Millisecond), msg())
	assert.ErrorIs(t, err, transport.ErrOutcomeUnknown)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestDelayedAnswer(t *testing.T) {
	srv := newServer(t, nil)
	tr := newTransport(t, testConfig(srv))
	srv.InjectFault(smsctest.Fault{Delay: 30 * time.Millisecond})
	res, err := tr.Submit(ctxT(t, 5*time.Second), msg())
	require.NoError(t, err)
	assert.Len(t, res.OperatorIDs, 1)
}

func TestDroppedConnection(t *testing.T) {
	srv := newServer(t, nil)
	tr := newTransport(t, testConfig(srv))
	srv.InjectFault(smsctest.Fault{Drop: true})
	_, err := tr.Submit(ctxT(t, 5*time.Second), msg())
	require.ErrorIs(t, err, transport.ErrOutcomeUnknown, "the connection died after the write")

	// The session rebinds and the next submit goes through.
	_, err = tr.Submit(ctxT(t, 5*time.Second), msg())
	require.NoError(t, err)
	assert.GreaterOrEqual(t, tr.Stats().Binds, int64(2))
}

// TestCollidingDeliverSM is go-smpp issue 87: a deliver_sm whose sequence
// number equals a pending submit_sm's. Neither the submit nor the receipt
// may be lost.
func TestCollidingDeliverSM(t *testing.T) {
	srv := newServer(t, &smsctest.Options{Receipts: smsctest.ReceiptsNever})
	tr := newTransport(t, testConfig(srv))
	reports := collect(tr)
	const n = 20
	for range n {
		srv.InjectFault(smsctest.Fault{CollidingDeliver: true})
	}
	var wg sync.WaitGroup
	ids := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := tr.Submit(ctxT(t, 5*time.Second), msg())
			if assert.NoError(t, err) && assert.Len(t, res.OperatorIDs, 1) {
				ids[i] = res.OperatorIDs[0]
			}
		}()
	}
	wg.Wait()
	for _, id := range ids {
		require.Eventually(t, func() bool { return reports.count(id) == 1 }, 5*time.Second, time.Millisecond,
			"the receipt of %s is delivered", id)
	}
	for _, s := range srv.Submits() {
		assert.True(t, s.Answered)
	}
	assert.Equal(t, int64(n), srv.Stats().Delivers)
	require.Eventually(t, func() bool { return srv.Stats().DeliverAcks == n }, 5*time.Second, time.Millisecond)
	assert.Zero(t, tr.Stats().Late, "no response went astray")
}

func TestDuplicateAndEarlyReceipts(t *testing.T) {
	srv := newServer(t, nil)
	tr := newTransport(t, testConfig(srv))
	reports := collect(tr)
	srv.InjectFault(smsctest.Fault{DuplicateReceipt: true})
	srv.InjectFault(smsctest.Fault{ReceiptFirst: true, ReceiptStat: "UNDELIV"})
	dup, err := tr.Submit(ctxT(t, 5*time.Second), msg())
	require.NoError(t, err)
	early, err := tr.Submit(ctxT(t, 5*time.Second), msg())
	require.NoError(t, err)
	require.Eventually(t, func() bool { return reports.count(dup.OperatorIDs[0]) == 2 }, 5*time.Second, time.Millisecond,
		"both copies are handed on; the store's no-regression rule makes the second a no-op")
	// ReceiptFirst also sends the normal receipt: two reports, the early
	// one UNDELIV.
	require.Eventually(t, func() bool { return reports.count(early.OperatorIDs[0]) == 2 }, 5*time.Second, time.Millisecond)
	var statuses []transport.Status
	for _, r := range reports.all() {
		if r.OperatorID == early.OperatorIDs[0] {
			statuses = append(statuses, r.Status)
		}
	}
	assert.Equal(t, []transport.Status{transport.StatusUndeliverable, transport.StatusUndeliverable}, statuses)
}

func TestThrottleStanding(t *testing.T) {
	srv := newServer(t, &smsctest.Options{ThrottleEvery: 3})
	tr := newTransport(t, testConfig(srv))
	var throttled int
	for range 9 {
		_, err := tr.Submit(ctxT(t, 5*time.Second), msg())
		if err != nil {
			require.ErrorIs(t, err, transport.ErrThrottled)
			throttled++
		}
	}
	assert.Equal(t, 3, throttled)
}
