package smpptransport

import (
	"context"
	"encoding/binary"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/fiorix/go-smpp/smpp"
	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

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

// A receipt that arrives before a report handler is set must not be lost:
// it is answered with ESME_RX_T_APPN so that the SMSC keeps it and
// delivers it again; once a handler is set, receipts are acknowledged and
// handed on.
func TestReceiptBeforeHandlerIsDeferred(t *testing.T) {
	tr, smsc, _ := rawBound(t, nil) // its Cleanup runs before Close: Close does not wait for unbind_resp

	assert.Equal(t, pdu.Status(StatusTempAppError), smsc.deliver(1, "1001"), "no handler yet: retry later")
	assert.Equal(t, int64(1), tr.Stats().Deferred)
	assert.Zero(t, tr.Stats().Reports)

	reports := collect(tr)
	assert.Equal(t, pdu.Status(0), smsc.deliver(2, "1001"), "the SMSC's retry is acknowledged")
	require.Eventually(t, func() bool { return reports.count("1001") == 1 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, transport.StatusDelivered, reports.all()[0].Status)
	assert.Equal(t, int64(1), tr.Stats().Deferred)
	assert.Equal(t, int64(1), tr.Stats().Reports)
}

// The answer to an inbound deliver_sm or data_sm waits for the handler: 0
// once it took the part, ESME_RX_T_APPN while none is set or when it
// failed, so that the SMSC delivers the part again; an unreadable PDU is
// refused for good.
func TestInboundAnswers(t *testing.T) {
	tr, smsc, _ := rawBound(t, nil)
	mo := func() []byte { return deliverFrame(0, 0, []byte("STOP"), nil) }

	h := smsc.exchange(mo(), 1)
	assert.Equal(t, pdu.DeliverSMRespID, h.ID)
	assert.Equal(t, pdu.Status(StatusTempAppError), h.Status, "no handler yet: deliver again later")

	var mu sync.Mutex
	var got []transport.Inbound
	fail := true
	tr.SetInboundHandler(func(_ context.Context, in transport.Inbound) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, in)
		if fail {
			return errors.New("store down")
		}
		return nil
	})
	assert.Equal(t, pdu.Status(StatusTempAppError), smsc.exchange(mo(), 2).Status, "the handler failed: deliver again")
	mu.Lock()
	fail = false
	mu.Unlock()
	assert.Equal(t, pdu.Status(0), smsc.exchange(mo(), 3).Status, "taken")

	h = smsc.exchange(dataFrame(0, 0, tlv{tagMessagePayload, []byte("START")}), 4)
	assert.Equal(t, pdu.DataSMRespID, h.ID)
	assert.Equal(t, pdu.Status(0), h.Status)

	malformedFrame := deliverFrame(0x40, 0, []byte{9, 9}, nil)
	assert.Equal(t, pdu.Status(0), smsc.exchange(malformedFrame, 5).Status, "a malformed part is handed over, and taken")

	unreadable := deliverFrame(0, 0, nil, nil)[:pdu.HeaderLen+6]
	binary.BigEndian.PutUint32(unreadable[0:], uint32(len(unreadable)))
	assert.Equal(t, pdu.Status(statusInvalidCmdLen), smsc.exchange(unreadable, 6).Status, "refused for good")

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 4)
	assert.Equal(t, "STOP", got[1].Text)
	assert.Equal(t, "START", got[2].Text)
	assert.NotEmpty(t, got[3].Malformed)
	st := tr.Stats()
	assert.Equal(t, Stats{Inbound: 4, Malformed: 1, MalformedInbound: 1, Deferred: 1, Refused: 1},
		Stats{Inbound: st.Inbound, Malformed: st.Malformed, MalformedInbound: st.MalformedInbound,
			Deferred: st.Deferred, Refused: st.Refused})
}

// A report handler's error is answered ESME_RX_T_APPN too: the SMSC keeps
// the receipt (before, the receipt was acknowledged before the handler
// ran, and lost when it failed).
func TestReportHandlerErrorAsksRedelivery(t *testing.T) {
	tr, smsc, _ := rawBound(t, nil)
	calls := 0
	tr.SetReportHandler(func(context.Context, transport.Report) error {
		calls++
		if calls == 1 {
			return errors.New("store down")
		}
		return nil
	})
	assert.Equal(t, pdu.Status(StatusTempAppError), smsc.deliver(1, "1001"))
	assert.Equal(t, pdu.Status(0), smsc.deliver(2, "1001"))
	assert.Equal(t, int64(1), tr.Stats().Refused)
	assert.Equal(t, int64(2), tr.Stats().Reports)
}

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

// TestGoSMPPTransceiverLosesCollidingReceipt shows that the simulator's
// CollidingDeliver fault reproduces go-smpp issue 87 against the pinned
// go-smpp Transceiver: the submit fails and the receipt never reaches the
// handler. TestCollidingDeliverSM runs the same fault against this package.
func TestGoSMPPTransceiverLosesCollidingReceipt(t *testing.T) {
	srv := newServer(t, &smsctest.Options{Receipts: smsctest.ReceiptsNever})
	var mu sync.Mutex
	var delivered int
	tc := &smpp.Transceiver{
		Addr: srv.Addr(), User: smsctest.DefaultSystemID, Passwd: smsctest.DefaultPassword,
		RespTimeout: time.Second,
		Handler: func(p pdu.Body) {
			if p.Header().ID == pdu.DeliverSMID {
				mu.Lock()
				delivered++
				mu.Unlock()
			}
		},
	}
	status := tc.Bind()
	require.Equal(t, smpp.Connected, (<-status).Status())
	defer tc.Close()

	srv.InjectFault(smsctest.Fault{CollidingDeliver: true})
	_, err := tc.Submit(&smpp.ShortMessage{
		Src: "Advox", Dst: "46701234567", Text: pdutext.Raw("hello"), Register: pdufield.FinalDeliveryReceipt,
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unexpected PDU ID")
	require.Eventually(t, func() bool { return srv.Stats().DeliverAcks == 1 }, 5*time.Second, time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	assert.Zero(t, delivered, "the receipt was taken for the submit's answer and lost")
	assert.Len(t, srv.Messages(), 1, "yet the SMSC accepted the message")
}
