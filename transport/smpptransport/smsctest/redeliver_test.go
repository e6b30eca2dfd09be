package smsctest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
)

// pendingTimers is the number of answers and receipts scheduled.
func (s *Server) pendingTimers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.timers)
}

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
