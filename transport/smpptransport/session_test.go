package smpptransport

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

// A stuck handler must not stall submits: deliver_sm is handled on a
// goroutine of its own and answered only once the handler returns, and
// beyond Config.DeliverWindow it is answered ESME_RX_T_APPN at once, for
// the SMSC to deliver again. (Before, receipts were acknowledged before
// the handler ran, so one the handler failed on was lost.)
func TestSlowHandlerDoesNotStall(t *testing.T) {
	srv := newServer(t, &smsctest.Options{Receipts: smsctest.ReceiptsAlways, RedeliveryDelay: 5 * time.Millisecond, MaxDeliveries: 10000})
	cfg := testConfig(srv) // RespTimeout 500ms
	cfg.DeliverWindow = 3
	tr := newTransport(t, cfg)
	release := make(chan struct{})
	var mu sync.Mutex
	seen := map[string]bool{}
	tr.SetReportHandler(func(_ context.Context, r transport.Report) error {
		<-release
		mu.Lock()
		seen[r.OperatorID] = true
		mu.Unlock()
		return nil
	})
	const n = 10
	var ids []string
	for range n {
		res, err := tr.Submit(ctxT(t, 5*time.Second), msg())
		require.NoError(t, err, "submits keep their answers while the handler is stuck")
		ids = append(ids, res.OperatorIDs...)
	}
	require.Eventually(t, func() bool { return tr.Stats().Busy > 0 }, 5*time.Second, time.Millisecond,
		"receipts beyond the window are answered at once")
	assert.Zero(t, srv.Stats().DeliverAcks-srv.Stats().DeliverRefusals, "nothing acknowledged while the handler is stuck")
	close(release)
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) == n
	}, 10*time.Second, time.Millisecond, "every receipt reaches the handler, redelivered by the SMSC")
	for _, id := range ids {
		assert.True(t, seen[id], id)
	}
}

// The throughput limit paces submit_sm only, never acknowledgements or
// enquire_link.
func TestRateLimitPacesSubmitsOnly(t *testing.T) {
	srv := newServer(t, &smsctest.Options{Receipts: smsctest.ReceiptsAlways})
	cfg := testConfig(srv)
	cfg.MaxRate = 0.001 // one token, then none for 1000 s
	cfg.EnquireLink = 10 * time.Millisecond
	tr := newTransport(t, cfg)
	reports := collect(tr)
	res, err := tr.Submit(ctxT(t, 5*time.Second), msg())
	require.NoError(t, err)
	require.Eventually(t, func() bool { return srv.Stats().DeliverAcks == 1 }, 5*time.Second, time.Millisecond)
	require.Eventually(t, func() bool { return reports.count(res.OperatorIDs[0]) == 1 }, 5*time.Second, time.Millisecond)
	before := srv.Stats().EnquireLinks
	require.Eventually(t, func() bool { return srv.Stats().EnquireLinks >= before+3 }, 5*time.Second, time.Millisecond,
		"enquire_link keeps going with the limiter exhausted")

	_, err = tr.Submit(ctxT(t, 50*time.Millisecond), msg())
	require.ErrorIs(t, err, transport.ErrThrottled, "the limiter refuses a wait longer than ctx allows")
	assert.Equal(t, int64(1), srv.Stats().Submits, "nothing more went out")
}

// A full window waits for a free slot instead of failing.
func TestFullWindowWaits(t *testing.T) {
	srv := newServer(t, nil)
	cfg := testConfig(srv)
	cfg.Window = 2
	tr := newTransport(t, cfg)
	const n = 10
	for range n {
		srv.InjectFault(smsctest.Fault{Delay: 10 * time.Millisecond})
	}
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := tr.Submit(ctxT(t, 5*time.Second), msg())
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Len(t, srv.Messages(), n)

	// The wait is bounded by ctx, and a submit that never got a slot was
	// not sent.
	srv.InjectFault(smsctest.Fault{NoAnswer: true})
	srv.InjectFault(smsctest.Fault{NoAnswer: true})
	for range 2 {
		go func() { _, _ = tr.Submit(ctxT(t, 5*time.Second), msg()) }()
	}
	require.Eventually(t, func() bool { return srv.Stats().Submits == n+2 }, 5*time.Second, time.Millisecond,
		"two unanswered submits hold the window")
	_, err := tr.Submit(ctxT(t, 20*time.Millisecond), msg())
	require.ErrorIs(t, err, transport.ErrNotSent)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, int64(n+2), srv.Stats().Submits)
}

// Sequence numbers wrap within 1..0x7FFFFFFF on a live session.
func TestSequenceWrapOnTheWire(t *testing.T) {
	srv := newServer(t, nil)
	tr := newTransport(t, testConfig(srv))
	waitBound(t, tr)
	c, _ := tr.tx[0].state()
	c.seq.last.Store(maxSeq - 2)
	for range 4 {
		_, err := tr.Submit(ctxT(t, 5*time.Second), msg())
		require.NoError(t, err)
	}
	var seqs []uint32
	for _, s := range srv.Submits() {
		seqs = append(seqs, s.Seq)
	}
	assert.Equal(t, []uint32{maxSeq - 1, maxSeq, 1, 2}, seqs)
}

func TestPartsOnTheWire(t *testing.T) {
	srv := newServer(t, nil)
	tr := newTransport(t, testConfig(srv))
	m1 := msg("first part {", "€ second")
	m2 := msg("again", "and again")
	m2.Concat = transport.Concat16
	m3 := msg("Grüße ж")
	m3.Encoding = transport.UCS2
	for _, m := range []*transport.Message{m1, m2, m3} {
		_, err := tr.Submit(ctxT(t, 5*time.Second), m)
		require.NoError(t, err)
	}
	subs := srv.Submits()
	require.Len(t, subs, 5)
	for i, s := range subs[:4] {
		assert.Equal(t, uint8(0x40), s.ESMClass)
		assert.Equal(t, uint8(0), s.DataCoding)
		assert.Equal(t, 2, s.Total)
		assert.Equal(t, i%2+1, s.Index)
	}
	assert.Equal(t, 8, subs[0].RefBits)
	assert.Equal(t, 16, subs[2].RefBits)
	assert.Equal(t, subs[0].Ref, subs[1].Ref, "one reference per message")
	assert.NotEqual(t, subs[0].Ref&0xFF, subs[2].Ref&0xFF, "references rotate")
	assert.Equal(t, []string{"first part {", "€ second"}, []string{subs[0].Text, subs[1].Text})
	assert.Equal(t, uint8(8), subs[4].DataCoding)
	assert.Equal(t, uint8(0), subs[4].ESMClass)
	assert.Equal(t, "Grüße ж", subs[4].Text)
	assert.Equal(t, smsctest.Addr{TON: 5, NPI: 0, Value: "Advox"}, subs[4].Source)
	assert.Equal(t, smsctest.Addr{TON: 1, NPI: 1, Value: m3.To[1:]}, subs[4].Dest)
	assert.Equal(t, uint8(1), subs[4].RegisteredDelivery)
}

func TestUnencodableNeverSent(t *testing.T) {
	srv := newServer(t, nil)
	tr := newTransport(t, testConfig(srv))
	_, err := tr.Submit(ctxT(t, 5*time.Second), msg("fine", "not GSM-7: ж"))
	require.ErrorIs(t, err, transport.ErrRejected)
	assert.Zero(t, srv.Stats().Submits, "no part goes out when one cannot be encoded")
}

func TestOutageFailFast(t *testing.T) {
	srv := newServer(t, nil)
	cfg := testConfig(srv)
	cfg.Outage = OutageFailFast
	cfg.Backoff = func(int) time.Duration { return time.Hour }
	tr := newTransport(t, cfg)
	waitBound(t, tr)
	srv.DropConnections()
	waitUnbound(t, tr)
	start := time.Now()
	_, err := tr.Submit(ctxT(t, 5*time.Second), msg())
	require.ErrorIs(t, err, transport.ErrNotSent)
	assert.Less(t, time.Since(start), time.Second, "fails at once")
	assert.ErrorIs(t, tr.Ping(ctxT(t, time.Second)), transport.ErrNotSent)
}

func TestOutageWaitsForRebind(t *testing.T) {
	srv := newServer(t, nil)
	cfg := testConfig(srv)
	gate := make(chan struct{})
	var open sync.Once
	cfg.Backoff = func(int) time.Duration {
		<-gate // the test decides when the rebind happens
		return time.Millisecond
	}
	tr := newTransport(t, cfg)
	t.Cleanup(func() { open.Do(func() { close(gate) }) }) // runs before Close
	waitBound(t, tr)
	srv.DropConnections()
	waitUnbound(t, tr)

	_, err := tr.Submit(ctxT(t, 20*time.Millisecond), msg())
	require.ErrorIs(t, err, transport.ErrNotSent, "the wait is bounded by ctx")
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	done := make(chan error, 1)
	go func() {
		_, err := tr.Submit(ctxT(t, 5*time.Second), msg())
		done <- err
	}()
	open.Do(func() { close(gate) })
	require.NoError(t, <-done, "the submit waited for the rebind")
	assert.Equal(t, int64(2), tr.Stats().Binds)
}

func TestSMSCUnbindRebinds(t *testing.T) {
	srv := newServer(t, nil)
	tr := newTransport(t, testConfig(srv))
	waitBound(t, tr)
	srv.UnbindAll()
	require.Eventually(t, func() bool { return tr.Stats().Binds == 2 }, 5*time.Second, time.Millisecond)
	_, err := tr.Submit(ctxT(t, 5*time.Second), msg())
	require.NoError(t, err)
}

func TestBindModesAndClose(t *testing.T) {
	srv := newServer(t, nil)
	cfg := testConfig(srv)
	cfg.BindMode, cfg.Sessions = TransmitterReceiver, 2
	tr, err := New(cfg)
	require.NoError(t, err)
	waitBound(t, tr)
	st := srv.Stats()
	assert.Equal(t, int64(2), st.Transmitters)
	assert.Equal(t, int64(2), st.Receivers)
	assert.Zero(t, st.Transceivers)
	require.NoError(t, tr.Ping(ctxT(t, time.Second)))
	require.NoError(t, tr.Close())
	assert.Equal(t, int64(4), srv.Stats().Unbinds, "every bind is unbound on Close")
	_, err = tr.Submit(ctxT(t, time.Second), msg())
	assert.ErrorIs(t, err, transport.ErrClosed)
	assert.ErrorIs(t, tr.Ping(ctxT(t, time.Second)), transport.ErrClosed)
}

func TestCloseWaitsForSubmitsInFlight(t *testing.T) {
	srv := newServer(t, nil)
	tr, err := New(testConfig(srv))
	require.NoError(t, err)
	srv.InjectFault(smsctest.Fault{Delay: 50 * time.Millisecond})
	done := make(chan error, 1)
	go func() {
		_, err := tr.Submit(ctxT(t, 5*time.Second), msg())
		done <- err
	}()
	require.Eventually(t, func() bool { return srv.Stats().Submits == 1 }, 5*time.Second, time.Millisecond)
	require.NoError(t, tr.Close())
	require.NoError(t, <-done, "the submit in flight got its answer")
}

func TestBindRefused(t *testing.T) {
	srv := newServer(t, nil)
	cfg := testConfig(srv)
	cfg.Password = "wrong-password"
	tr := newTransport(t, cfg)
	_, err := tr.Submit(ctxT(t, 100*time.Millisecond), msg())
	require.ErrorIs(t, err, transport.ErrNotSent)
	assert.Contains(t, err.Error(), "ESME_RINVPASWD")
	assert.NotContains(t, err.Error(), "wrong-password")
	assert.Positive(t, srv.Stats().BindsRefused)
}

func TestNoHandlerCountsReports(t *testing.T) {
	srv := newServer(t, &smsctest.Options{ReceiptText: func(r smsctest.Receipt) string {
		if r.Stat == "BOGUS" {
			return "id:" + r.ID + " stat:WHATEVER"
		}
		return "id:" + r.ID + " stat:" + r.Stat
	}})
	tr := newTransport(t, testConfig(srv))
	_, err := tr.Submit(ctxT(t, 5*time.Second), msg())
	require.NoError(t, err)
	require.Eventually(t, func() bool { return tr.Stats().Deferred == 1 }, 5*time.Second, time.Millisecond,
		"a receipt before the handler is left to the SMSC, not dropped")
	srv.InjectFault(smsctest.Fault{ReceiptStat: "BOGUS"})
	_, err = tr.Submit(ctxT(t, 5*time.Second), msg())
	require.NoError(t, err)
	require.Eventually(t, func() bool { return tr.Stats().Malformed == 1 }, 5*time.Second, time.Millisecond)
}

func TestReceiptVariantsEndToEnd(t *testing.T) {
	variants := map[string]*smsctest.Options{
		"hex resp, decimal receipt": {IDBase: 16, ReceiptIDBase: 10},
		"decimal resp, hex receipt": {IDBase: 10, ReceiptIDBase: 16},
		"TLVs":                      {IDBase: 16, ReceiptIDBase: 10, ReceiptTLVs: true},
		"upper-case keys, 12-digit dates": {IDBase: 16, ReceiptIDBase: 10, ReceiptText: func(r smsctest.Receipt) string {
			return "ID:" + r.ID + " SUB:001 DLVRD:001 SUBMIT DATE:" + r.Submitted.UTC().Format("060102150405") +
				" DONE DATE:" + r.Done.UTC().Format("060102150405") + " STAT:" + r.Stat + " ERR:" + r.Err + " Text:" + r.Text
		}},
	}
	for name, srvCfg := range variants {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, srvCfg)
			cfg := testConfig(srv)
			cfg.SubmitIDBase, cfg.ReceiptIDBase = srvCfg.IDBase, srvCfg.ReceiptIDBase
			tr := newTransport(t, cfg)
			reports := collect(tr)
			res, err := tr.Submit(ctxT(t, 5*time.Second), msg("part one", "part two"))
			require.NoError(t, err)
			require.Len(t, res.OperatorIDs, 2)
			for _, id := range res.OperatorIDs {
				require.Eventually(t, func() bool { return reports.count(id) == 1 }, 5*time.Second, time.Millisecond)
			}
			for _, r := range reports.all() {
				assert.Equal(t, transport.StatusDelivered, r.Status)
				assert.Empty(t, r.ErrorCode)
				assert.WithinDuration(t, time.Now(), r.At, 2*time.Minute)
			}
		})
	}
}

func TestCloseInterruptsWaits(t *testing.T) {
	srv := newServer(t, nil)
	cfg := testConfig(srv)
	cfg.MaxRate, cfg.Window = 0.001, 1
	tr, err := New(cfg)
	require.NoError(t, err)
	_, err = tr.Submit(ctxT(t, 5*time.Second), msg()) // spends the only token
	require.NoError(t, err)
	errs := make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background()) // no deadline: the limiter waits
	defer cancel()
	go func() {
		_, err := tr.Submit(ctx, msg())
		errs <- err
	}()
	require.Eventually(t, func() bool { return len(tr.tx[0].window) == 1 }, 5*time.Second, time.Millisecond,
		"the second submit waits for the limiter")
	require.NoError(t, tr.Close())
	assert.ErrorIs(t, <-errs, transport.ErrClosed)
	assert.Equal(t, int64(1), srv.Stats().Submits)
}
