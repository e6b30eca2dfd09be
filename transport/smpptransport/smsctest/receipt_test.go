package smsctest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport"
)

// A receipt answered with a non-zero command_status (ESME_RX_T_APPN: the
// client cannot take it yet) is delivered again, up to MaxDeliveries times
// in all; one answered with 0 is done.
func TestRefusedReceiptIsRedelivered(t *testing.T) {
	tests := []struct {
		name    string
		answers []CommandStatus // the deliver_sm_resp status for each delivery
		want    Stats           // the receipt counters
	}{
		{"accepted at once", []CommandStatus{0},
			Stats{Delivers: 1, DeliverAcks: 1}},
		{"refused once, then accepted", []CommandStatus{StatusTempAppError, 0},
			Stats{Delivers: 2, DeliverAcks: 2, DeliverRefusals: 1, Redeliveries: 1}},
		{"refused until the bound", []CommandStatus{StatusTempAppError, StatusSystemError, StatusTempAppError},
			Stats{Delivers: 3, DeliverAcks: 3, DeliverRefusals: 3, Redeliveries: 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, &Options{RedeliveryDelay: time.Millisecond, MaxDeliveries: 3})
			c := dialRaw(t, s)
			c.bind(pdu.BindTransceiverID)
			c.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, 1, 0, []byte("hi")))
			h, _ := c.read()
			require.Equal(t, pdu.SubmitSMRespID, h.ID)

			var texts []string
			for i, st := range tc.answers {
				h, p := c.read()
				require.Equal(t, pdu.DeliverSMID, h.ID, "delivery %d", i+1)
				texts = append(texts, p.Fields()[pdufield.ShortMessage].String())
				c.sendSeq(pdu.DeliverSMRespID, st, h.Seq, []byte{0})
			}
			n := int64(len(tc.answers))
			require.Eventually(t, func() bool { return s.Stats().DeliverAcks == n }, time.Second, time.Millisecond)
			assert.Zero(t, s.pendingTimers(), "no further delivery is scheduled")
			for _, text := range texts {
				assert.Equal(t, texts[0], text, "the same receipt every time")
			}
			st := s.Stats()
			assert.Equal(t, tc.want, Stats{Delivers: st.Delivers, DeliverAcks: st.DeliverAcks,
				DeliverRefusals: st.DeliverRefusals, Redeliveries: st.Redeliveries})
		})
	}
}

// A refused receipt whose receiver is gone by the time it is due waits
// for the next receiver bind, as a first delivery does.
func TestRedeliveryWaitsForAReceiver(t *testing.T) {
	// The delay only has to outlast the unbind that follows the refusal in
	// the same write.
	s := newServer(t, &Options{RedeliveryDelay: 100 * time.Millisecond})
	a := dialRaw(t, s)
	a.bind(pdu.BindTransceiverID)
	a.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, 1, 0, []byte("hi")))
	_, _ = a.read()
	h, _ := a.read()
	require.Equal(t, pdu.DeliverSMID, h.ID)
	_, err := a.nc.Write(append(frame(pdu.GenericNACKID, StatusTempAppError, h.Seq, nil), frame(pdu.UnbindID, 0, 99, nil)...))
	require.NoError(t, err)
	h, _ = a.read()
	require.Equal(t, pdu.UnbindRespID, h.ID)
	require.Eventually(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.waiting) == 1
	}, time.Second, time.Millisecond)

	b := dialRaw(t, s)
	b.bind(pdu.BindReceiverID)
	h, p := b.read()
	require.Equal(t, pdu.DeliverSMID, h.ID)
	assert.Contains(t, p.Fields()[pdufield.ShortMessage].String(), "stat:DELIVRD")
	b.sendSeq(pdu.DeliverSMRespID, 0, h.Seq, []byte{0})
	require.Eventually(t, func() bool { return s.Stats().DeliverAcks == 1 }, time.Second, time.Millisecond)
	assert.Equal(t, int64(1), s.Stats().Redeliveries)
	assert.Zero(t, s.pendingTimers())
}

// Close ends redeliveries that are still due.
func TestCloseCancelsRedelivery(t *testing.T) {
	s, err := NewServer(&Options{RedeliveryDelay: time.Hour})
	require.NoError(t, err)
	c := dialRaw(t, s)
	c.bind(pdu.BindTransceiverID)
	c.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, 1, 0, []byte("x")))
	_, _ = c.read()
	h, _ := c.read()
	c.sendSeq(pdu.DeliverSMRespID, StatusTempAppError, h.Seq, []byte{0})
	require.Eventually(t, func() bool { return s.pendingTimers() == 1 }, time.Second, time.Millisecond)
	require.NoError(t, s.Close(), "the hour-long redelivery does not keep Close waiting")
}

func TestReceiptWaitsForAReceiver(t *testing.T) {
	s := newServer(t, nil)
	tx := dialRaw(t, s)
	tx.bind(pdu.BindTransmitterID)
	tx.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, 1, 0, []byte("hi")))
	h, _ := tx.read()
	require.Zero(t, h.Status)
	rx := dialRaw(t, s)
	rx.bind(pdu.BindReceiverID)
	h, p := rx.read()
	require.Equal(t, pdu.DeliverSMID, h.ID, "the receipt waited for the receiver bind")
	assert.Contains(t, p.Fields()[pdufield.ShortMessage].String(), "stat:DELIVRD")
}

// A receipt text longer than short_message can hold (254 octets) goes in
// the message_payload TLV with sm_length 0, as SMPP 3.4 says, instead of
// a wrapped-around sm_length that corrupts the PDU.
func TestLongReceiptTextUsesMessagePayload(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		payload bool
	}{
		{"fits", strings.Repeat("a", 254), false},
		{"too long", "id:1 stat:DELIVRD err:000 " + strings.Repeat("b", 300), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, &Options{ReceiptTLVs: true, ReceiptText: func(Receipt) string { return tc.text }})
			c := dialRaw(t, s)
			c.bind(pdu.BindTransceiverID)
			c.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, 1, 0, []byte("hi")))
			_, _ = c.read()
			h, p := c.read()
			require.Equal(t, pdu.DeliverSMID, h.ID)
			sm := p.Fields()[pdufield.ShortMessage].Bytes()
			tlv := p.TLVFields()
			require.NotNil(t, tlv[0x0427], "the TLVs after the text are intact")
			assert.Equal(t, []byte{2}, tlv[0x0427].Bytes())
			if tc.payload {
				assert.Empty(t, sm)
				require.NotNil(t, tlv[0x0424])
				assert.Equal(t, tc.text, string(tlv[0x0424].Bytes()))
				return
			}
			assert.Equal(t, tc.text, string(sm))
			assert.Nil(t, tlv[0x0424])
		})
	}
}

// A receipt whose connection ends before its deliver_sm_resp is not lost:
// like a real SMSC the simulator delivers it again to the next receiver,
// up to MaxDeliveries times in all.
func TestUnansweredReceiptSurvivesTheConnection(t *testing.T) {
	tests := []struct {
		name string
		end  func(s *Server, c *rawClient)
	}{
		{"DropConnections", func(s *Server, _ *rawClient) { s.DropConnections() }},
		{"client unbinds", func(_ *Server, c *rawClient) {
			c.send(pdu.UnbindID, nil)
			h, _ := c.read()
			require.Equal(t, pdu.UnbindRespID, h.ID)
		}},
		{"client goes away", func(_ *Server, c *rawClient) { require.NoError(t, c.nc.Close()) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, &Options{RedeliveryDelay: time.Millisecond})
			a := dialRaw(t, s)
			a.bind(pdu.BindTransceiverID)
			a.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, 1, 0, []byte("hi")))
			h, _ := a.read()
			require.Equal(t, pdu.SubmitSMRespID, h.ID)
			h, p := a.read()
			require.Equal(t, pdu.DeliverSMID, h.ID)
			first := p.Fields()[pdufield.ShortMessage].String()
			tc.end(s, a) // the receipt is never answered

			b := dialRaw(t, s)
			b.bind(pdu.BindReceiverID)
			h, p = b.read()
			require.Equal(t, pdu.DeliverSMID, h.ID, "the unanswered receipt comes again")
			assert.Equal(t, first, p.Fields()[pdufield.ShortMessage].String())
			b.sendSeq(pdu.DeliverSMRespID, 0, h.Seq, []byte{0})
			require.Eventually(t, func() bool { return s.Stats().DeliverAcks == 1 }, time.Second, time.Millisecond)
			st := s.Stats()
			assert.Equal(t, int64(2), st.Delivers)
			assert.Equal(t, int64(1), st.Redeliveries)
			assert.Zero(t, st.DeliverRefusals)
		})
	}
}

// MaxDeliveries bounds the deliveries of a receipt nobody answers, too.
func TestUnansweredReceiptIsBounded(t *testing.T) {
	s := newServer(t, &Options{RedeliveryDelay: time.Millisecond, MaxDeliveries: 2})
	a := dialRaw(t, s)
	a.bind(pdu.BindTransceiverID)
	a.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, 1, 0, []byte("hi")))
	for _, id := range []pdu.ID{pdu.SubmitSMRespID, pdu.DeliverSMID} {
		h, _ := a.read()
		require.Equal(t, id, h.ID)
	}
	s.DropConnections()
	b := dialRaw(t, s)
	b.bind(pdu.BindReceiverID)
	h, _ := b.read()
	require.Equal(t, pdu.DeliverSMID, h.ID, "the second delivery")
	s.DropConnections()
	require.Eventually(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.conns) == 0 && len(s.timers) == 0
	}, time.Second, time.Millisecond)
	s.mu.Lock()
	waiting := len(s.waiting)
	s.mu.Unlock()
	assert.Zero(t, waiting, "delivered MaxDeliveries times: dropped")
	assert.Equal(t, int64(2), s.Stats().Delivers)
}

// Faults that are about receipts send theirs whatever the receipt policy
// says (ReceiptsNever: "faults that need a receipt still send it"), and
// on top of the normal receipt when the policy sends one.
func TestReceiptFaultsAndPolicy(t *testing.T) {
	tests := []struct {
		name         string
		policy       ReceiptPolicy
		registered   byte
		fault        Fault
		wantDelivers int64
	}{
		{"duplicate, policy never", ReceiptsNever, 1, Fault{DuplicateReceipt: true}, 2},
		{"duplicate, not requested", ReceiptsWhenRequested, 0, Fault{DuplicateReceipt: true}, 2},
		{"duplicate, requested", ReceiptsWhenRequested, 1, Fault{DuplicateReceipt: true}, 2},
		{"first, policy never", ReceiptsNever, 1, Fault{ReceiptFirst: true}, 1},
		{"first, requested", ReceiptsWhenRequested, 1, Fault{ReceiptFirst: true}, 2},
		{"colliding, policy never", ReceiptsNever, 1, Fault{CollidingDeliver: true}, 1},
		{"colliding, requested", ReceiptsAlways, 0, Fault{CollidingDeliver: true}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, &Options{Receipts: tc.policy})
			c := dialRaw(t, s)
			c.bind(pdu.BindTransceiverID)
			s.InjectFault(tc.fault)
			c.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, tc.registered, 0, []byte("x")))
			delivers, answered := int64(0), false
			for !answered || delivers < tc.wantDelivers {
				h, _ := c.read()
				switch h.ID {
				case pdu.DeliverSMID:
					delivers++
					c.sendSeq(pdu.DeliverSMRespID, 0, h.Seq, []byte{0})
				case pdu.SubmitSMRespID:
					answered = true
				}
			}
			require.Eventually(t, func() bool { return s.Stats().DeliverAcks == tc.wantDelivers }, time.Second, time.Millisecond)
			assert.Equal(t, tc.wantDelivers, s.Stats().Delivers)
		})
	}
}

// The SMPP transport answers a receipt that arrives before its report
// handler is set with ESME_RX_T_APPN; the simulator delivers it again, so
// the report reaches the handler set later.
func TestDeferredReceiptReachesLateHandler(t *testing.T) {
	smsc, err := NewServer(&Options{RedeliveryDelay: 5 * time.Millisecond, MaxDeliveries: 1000})
	require.NoError(t, err)
	defer smsc.Close()
	tr, err := smpptransport.New(smpptransport.Config{
		Addr: smsc.Addr(), SystemID: DefaultSystemID, Password: DefaultPassword,
		BindMode: smpptransport.Transceiver,
	})
	require.NoError(t, err)
	defer tr.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m := &transport.Message{
		From: transport.Sender{Value: "Advox", Kind: transport.SenderAlphanumeric}, To: "+46701234567",
		Encoding: transport.GSM7, Parts: []string{"Hello"}, ReportRequested: true,
	}
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
