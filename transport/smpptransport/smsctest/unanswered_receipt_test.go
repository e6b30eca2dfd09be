package smsctest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
)

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
