package smsctest

import (
	"testing"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// MaxRate is a rate per second, not a minimum gap between two submits: a
// client within the rate is not throttled for sending a few submits
// together (a window), only for going above MaxRate in a second.
func TestMaxRateIsPerSecond(t *testing.T) {
	tests := []struct {
		name          string
		rate          float64
		burst         int
		wantThrottled int
	}{
		{"within the rate", 10, 5, 0},
		{"a second's worth", 10, 10, 0},
		{"above the rate", 10, 25, 15},
		{"below one per second", 0.001, 3, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, &Options{MaxRate: tc.rate, Receipts: ReceiptsNever})
			c := dialRaw(t, s)
			c.bind(pdu.BindTransmitterID)
			var burst []byte
			for i := range tc.burst {
				burst = append(burst, frame(pdu.SubmitSMID, 0, uint32(10+i), submitBody(alpha, intl, 0, 0, 0, []byte("x")))...)
			}
			_, err := c.nc.Write(burst)
			require.NoError(t, err)
			throttled := 0
			for range tc.burst {
				h, _ := c.read()
				require.Equal(t, pdu.SubmitSMRespID, h.ID)
				if CommandStatus(h.Status) == StatusThrottled {
					throttled++
				}
			}
			// The bucket refills while the burst is handled: allow one.
			assert.InDelta(t, tc.wantThrottled, throttled, 1)
		})
	}
}

func TestStandingThrottles(t *testing.T) {
	s := newServer(t, &Options{MaxRate: 0.001, Receipts: ReceiptsNever})
	c := dialRaw(t, s)
	c.bind(pdu.BindTransmitterID)
	var statuses []CommandStatus
	for range 3 {
		c.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, 0, 0, []byte("x")))
		h, _ := c.read()
		statuses = append(statuses, CommandStatus(h.Status))
	}
	assert.Equal(t, []CommandStatus{0, StatusThrottled, StatusThrottled}, statuses, "above the rate")
}

func TestFaults(t *testing.T) {
	s := newServer(t, nil)
	c := dialRaw(t, s)
	c.bind(pdu.BindTransceiverID)
	submit := func() uint32 { return c.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, 1, 0, []byte("x"))) }

	s.InjectFault(Fault{Status: StatusQueueFull})
	seq := submit()
	h, _ := c.read()
	assert.Equal(t, seq, h.Seq)
	assert.Equal(t, StatusQueueFull, CommandStatus(h.Status))

	s.InjectFault(Fault{CollidingDeliver: true})
	seq = submit()
	h, _ = c.read()
	assert.Equal(t, pdu.DeliverSMID, h.ID, "the receipt comes first…")
	assert.Equal(t, seq, h.Seq, "…with the submit's own sequence number")
	h, _ = c.read()
	assert.Equal(t, pdu.SubmitSMRespID, h.ID)
	assert.Equal(t, seq, h.Seq)
	h, _ = c.read()
	assert.Equal(t, pdu.DeliverSMID, h.ID, "then the normal receipt")

	s.InjectFault(Fault{ReceiptFirst: true})
	seq = submit()
	h, _ = c.read()
	assert.Equal(t, pdu.DeliverSMID, h.ID)
	assert.NotEqual(t, seq, h.Seq)
	h, _ = c.read()
	assert.Equal(t, pdu.SubmitSMRespID, h.ID)
	_, _ = c.read()

	s.InjectFault(Fault{DuplicateReceipt: true})
	submit()
	_, _ = c.read()
	h1, p1 := c.read()
	h2, p2 := c.read()
	assert.Equal(t, pdu.DeliverSMID, h1.ID)
	assert.Equal(t, pdu.DeliverSMID, h2.ID)
	assert.Equal(t, p1.Fields()[pdufield.ShortMessage].String()[:14], p2.Fields()[pdufield.ShortMessage].String()[:14])

	s.InjectFault(Fault{NoAnswer: true})
	submit()
	s.InjectFault(Fault{Delay: 20 * time.Millisecond, ReceiptStat: "EXPIRED"})
	seq = submit()
	h, _ = c.read()
	assert.Equal(t, seq, h.Seq, "the unanswered submit never gets an answer; the delayed one does")
	_, p := c.read()
	assert.Contains(t, p.Fields()[pdufield.ShortMessage].String(), "stat:EXPIRED")

	s.InjectFault(Fault{Drop: true})
	submit()
	assert.True(t, c.closed())
	subs := s.Submits()
	assert.False(t, subs[len(subs)-1].Answered)
	assert.Empty(t, subs[len(subs)-1].MessageID)

	// DropAfter: the answer arrives, then the link is gone (a link lost
	// between two parts), accepted or refused.
	for _, f := range []Fault{{DropAfter: true}, {Status: StatusThrottled, DropAfter: true}, {Delay: 5 * time.Millisecond, DropAfter: true}} {
		c = dialRaw(t, s)
		c.bind(pdu.BindTransceiverID)
		s.InjectFault(f)
		seq = c.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, 0, 0, []byte("x"))) // no receipt
		h, _ = c.read()
		assert.Equal(t, pdu.SubmitSMRespID, h.ID)
		assert.Equal(t, seq, h.Seq)
		assert.Equal(t, f.Status, CommandStatus(h.Status))
		assert.True(t, c.closed(), "%+v: the link is dropped after the answer", f)
		subs = s.Submits()
		assert.True(t, subs[len(subs)-1].Answered)
		assert.Equal(t, f.Status == 0, subs[len(subs)-1].MessageID != "")
	}
}

func TestDropAndUnbindAll(t *testing.T) {
	s := newServer(t, nil)
	a, b := dialRaw(t, s), dialRaw(t, s)
	a.bind(pdu.BindTransceiverID)
	b.bind(pdu.BindReceiverID)
	s.UnbindAll()
	for _, c := range []*rawClient{a, b} {
		h, _ := c.read()
		assert.Equal(t, pdu.UnbindID, h.ID)
		c.sendSeq(pdu.UnbindRespID, 0, h.Seq, nil)
		assert.True(t, c.closed())
	}
	d := dialRaw(t, s)
	d.bind(pdu.BindTransmitterID)
	s.DropConnections()
	assert.True(t, d.closed())
}

// TestRestartReissuesIDs: a restart drops the clients and gives the
// message ids given before again, from the first one.
func TestRestartReissuesIDs(t *testing.T) {
	s := newServer(t, &Options{Receipts: ReceiptsNever})
	submit := func(c *rawClient) string {
		c.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, 0, 0, []byte("x")))
		h, p := c.read()
		require.Equal(t, pdu.SubmitSMRespID, h.ID)
		return p.Fields()[pdufield.MessageID].String()
	}
	c := dialRaw(t, s)
	c.bind(pdu.BindTransceiverID)
	before := []string{submit(c), submit(c)}
	s.Restart()
	assert.True(t, c.closed(), "a restart drops the clients")
	c = dialRaw(t, s)
	c.bind(pdu.BindTransceiverID)
	assert.Equal(t, before, []string{submit(c), submit(c)}, "ids start again from the first")
	assert.Len(t, s.Submits(), 4, "what was recorded is kept")
}

// A connection the simulator drops handles nothing more, not even the
// PDUs that arrived in the same read as the one that dropped it: they were
// never received by an SMSC whose connection died.
func TestDropIgnoresPipelinedPDUs(t *testing.T) {
	s := newServer(t, &Options{Receipts: ReceiptsAlways})
	rx := dialRaw(t, s)
	rx.bind(pdu.BindReceiverID)
	c := dialRaw(t, s)
	c.bind(pdu.BindTransmitterID)
	s.InjectFault(Fault{Drop: true})
	var burst []byte
	for i := range 3 {
		burst = append(burst, frame(pdu.SubmitSMID, 0, uint32(10+i), submitBody(alpha, intl, 0, 1, 0, []byte("x")))...)
	}
	_, err := c.nc.Write(burst)
	require.NoError(t, err)
	require.True(t, c.closed())
	assert.Len(t, s.Submits(), 1, "the PDUs behind the dropping one died with the connection")
	assert.Empty(t, s.Messages())
	assert.Zero(t, s.Stats().Delivers, "no receipt for a submit the SMSC never took")
}
