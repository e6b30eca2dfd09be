package smpptransport

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fiorix/go-smpp/smpp"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
	"github.com/azenna/advox/transport/smpptransport/smsctest/smscconformance"
	"github.com/azenna/advox/transport/transporttest"
)

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

func TestConformance(t *testing.T) {
	modes := []struct {
		name   string
		srv    *smsctest.Options
		mutate func(*Config)
	}{
		{"Transceiver", nil, nil},
		{"TransmitterReceiver", nil, func(c *Config) { c.BindMode = TransmitterReceiver }},
		{"TwoSessionsHexIDs", &smsctest.Options{IDBase: 16, ReceiptIDBase: 10},
			func(c *Config) { c.Sessions, c.SubmitIDBase, c.ReceiptIDBase = 2, 16, 10 }},
		{"ReceiptTLVs", &smsctest.Options{IDBase: 16, ReceiptIDBase: 10, ReceiptTLVs: true},
			func(c *Config) { c.SubmitIDBase, c.ReceiptIDBase = 16, 10 }},
		{"Payload", nil, func(c *Config) { c.Payload = true }},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			transporttest.Run(t, func(t *testing.T) transporttest.Harness {
				return smscconformance.NewHarness(t, m.srv, func(addr string) (transport.Transport, error) {
					cfg := Config{
						Addr: addr, SystemID: smsctest.DefaultSystemID, Password: smsctest.DefaultPassword,
						RespTimeout: 200 * time.Millisecond, Backoff: fastBackoff, Logger: quiet,
						ThrottleRetryAfter: time.Millisecond,
					}
					if m.mutate != nil {
						m.mutate(&cfg)
					}
					return New(cfg)
				})
			}, transporttest.Features{DeliveryReports: true, Inbound: true})
		})
	}
}

// A Client's Close during an SMSC outage does not wait for the outage to
// end: a Send waiting for the rebind (OutageWait, no deadline of its own)
// is cancelled after the Client's CloseGrace and ends as not sent.
func TestClientCloseDuringOutage(t *testing.T) {
	srv := newServer(t, nil)
	cfg := testConfig(srv)
	cfg.Backoff = func(int) time.Duration { return time.Hour } // no rebind while the test runs
	tr := newTransport(t, cfg)
	waitBound(t, tr)
	srv.DropConnections()
	waitUnbound(t, tr)

	procs, err := processing.NewRegister(processing.OperatorProcessor(tr.Name(), "SE", time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)))
	require.NoError(t, err)
	c, err := advox.NewClient(tr, memstore.New(nil), &advox.Options{
		Region: "SE", Processors: procs, CloseGrace: 100 * time.Millisecond, Logger: quiet})
	require.NoError(t, err)
	sent := make(chan error, 1)
	go func() {
		_, err := c.Send(context.Background(), advox.Message{Account: "acct-1", From: "Advox", To: "+46701234567", Text: "during the outage"})
		sent <- err
	}()
	time.Sleep(50 * time.Millisecond) // the Send is waiting for the rebind

	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	select {
	case err := <-closed:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for the outage to end")
	}
	err = <-sent
	assert.Equal(t, advox.CodeClosed, advox.CodeOf(err), "%v", err)
}

const benchText = "Your verification code is 123456. It expires in ten minutes."

// BenchmarkSend compares, against one simulator in one run, raw go-smpp
// Transmitter.Submit with Client.Send over this transport and memstore
// (validation, segmentation, recording included), at 1 and 64 concurrent
// senders. Two more cases separate the costs: Transport.Submit alone, and
// Client.Send over memtransport (the Client's own work). Record the msg/s
// ratios in BENCHMARKS.md.
func BenchmarkSend(b *testing.B) {
	smsc, err := smsctest.NewServer(&smsctest.Options{Receipts: smsctest.ReceiptsNever})
	require.NoError(b, err)
	defer smsc.Close()

	raw := &smpp.Transmitter{
		Addr: smsc.Addr(), User: smsctest.DefaultSystemID, Passwd: smsctest.DefaultPassword,
		RespTimeout: 10 * time.Second, WindowSize: 0,
	}
	require.Equal(b, smpp.Connected, (<-raw.Bind()).Status())
	defer raw.Close()

	tr, err := New(Config{
		Addr: smsc.Addr(), SystemID: smsctest.DefaultSystemID, Password: smsctest.DefaultPassword,
		Window: 64,
	})
	require.NoError(b, err)
	procs, err := processing.NewRegister(processing.OperatorProcessor(tr.Name(), "SE", time.Now()))
	require.NoError(b, err)
	client, err := advox.NewClient(tr, memstore.New(nil), &advox.Options{Processors: procs})
	require.NoError(b, err)
	defer client.Close()
	// The Client's own cost, with a transport that does nothing.
	memClient, err := advox.NewClient(memtransport.New(nil), memstore.New(nil), nil)
	require.NoError(b, err)
	defer memClient.Close()

	var n atomic.Int64
	gosmpp := func(context.Context) error {
		_, err := raw.Submit(&smpp.ShortMessage{
			Src: "Advox", Dst: fmt.Sprintf("4670%07d", n.Add(1)%10_000_000),
			Text: pdutext.Raw(benchText), Register: pdufield.FinalDeliveryReceipt,
			SourceAddrTON: 5, DestAddrTON: 1, DestAddrNPI: 1,
		})
		return err
	}
	ours := func(ctx context.Context) error {
		_, err := client.Send(ctx, advox.Message{
			Account: "bench", From: "Advox", To: fmt.Sprintf("+4670%07d", n.Add(1)%10_000_000), Text: benchText,
		})
		return err
	}
	memOnly := func(ctx context.Context) error {
		_, err := memClient.Send(ctx, advox.Message{
			Account: "bench", From: "Advox", To: fmt.Sprintf("+4670%07d", n.Add(1)%10_000_000), Text: benchText,
		})
		return err
	}
	direct := func(ctx context.Context) error {
		_, err := tr.Submit(ctx, &transport.Message{
			From: transport.Sender{Value: "Advox", Kind: transport.SenderAlphanumeric},
			To:   fmt.Sprintf("+4670%07d", n.Add(1)%10_000_000), Encoding: transport.GSM7, Parts: []string{benchText},
			ReportRequested: true,
		})
		return err
	}
	for _, conc := range []int{1, 64} {
		b.Run(fmt.Sprintf("transport/c%d", conc), func(b *testing.B) { runConcurrent(b, conc, direct) })
		b.Run(fmt.Sprintf("gosmpp/c%d", conc), func(b *testing.B) { runConcurrent(b, conc, gosmpp) })
		b.Run(fmt.Sprintf("advox/c%d", conc), func(b *testing.B) { runConcurrent(b, conc, ours) })
		b.Run(fmt.Sprintf("memtransport/c%d", conc), func(b *testing.B) { runConcurrent(b, conc, memOnly) })
	}
}

// runConcurrent calls send b.N times from conc goroutines.
func runConcurrent(b *testing.B, conc int, send func(context.Context) error) {
	ctx := context.Background()
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	b.ResetTimer()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				if err := send(ctx); err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
}

// A submit whose ctx ends while it waits for the throughput limiter was
// never written: ErrNotSent and the context's error.
func TestCanceledWhilePacedIsNotSent(t *testing.T) {
	srv := newServer(t, nil)
	cfg := testConfig(srv)
	cfg.MaxRate = 0.001 // one token, then none for 1000 s
	tr := newTransport(t, cfg)
	_, err := tr.Submit(ctxT(t, 5*time.Second), msg())
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background()) // no deadline: the limiter waits
	errs := make(chan error, 1)
	go func() {
		_, err := tr.Submit(ctx, msg())
		errs <- err
	}()
	require.Eventually(t, func() bool { return len(tr.tx[0].window) == 1 }, 5*time.Second, time.Millisecond)
	cancel()
	err = <-errs
	assertOnlyClass(t, err, transport.ErrNotSent)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, int64(1), srv.Stats().Submits)
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
