package smsctest

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport/internal/wire"
	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newServer(t *testing.T, cfg *Options) *Server {
	s, err := NewServer(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestBindCredentials(t *testing.T) {
	s := newServer(t, &Options{SystemID: "acme", Password: "pw"})
	tests := []struct {
		name       string
		kind       pdu.ID
		id, pw     string
		wantStatus CommandStatus
	}{
		{"transmitter", pdu.BindTransmitterID, "acme", "pw", 0},
		{"receiver", pdu.BindReceiverID, "acme", "pw", 0},
		{"transceiver", pdu.BindTransceiverID, "acme", "pw", 0},
		{"wrong password", pdu.BindTransceiverID, "acme", "nope", StatusInvalidPass},
		{"wrong system id", pdu.BindTransmitterID, "other", "pw", StatusInvalidSysID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, s)
			seq := c.send(tc.kind, bindBody(tc.id, tc.pw))
			h, p := c.read()
			assert.Equal(t, tc.kind|wire.RespBit, h.ID)
			assert.Equal(t, seq, h.Seq)
			assert.Equal(t, tc.wantStatus, CommandStatus(h.Status))
			assert.Equal(t, "smsctest", p.Fields()[pdufield.SystemID].String())
			if tc.wantStatus != 0 {
				assert.True(t, c.closed(), "a refused bind ends the connection")
				return
			}
			c.send(tc.kind, bindBody(tc.id, tc.pw))
			h, _ = c.read()
			assert.Equal(t, CommandStatus(0x05), CommandStatus(h.Status), "ESME_RALYBND")
		})
	}
	st := s.Stats()
	assert.Equal(t, Stats{Transmitters: 1, Receivers: 1, Transceivers: 1, BindsRefused: 2}, st)
}

func TestCommandsNeedTheRightBind(t *testing.T) {
	s := newServer(t, nil)
	c := dialRaw(t, s)
	c.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, 0, 0, []byte("x")))
	h, _ := c.read()
	assert.Equal(t, pdu.SubmitSMRespID, h.ID)
	assert.Equal(t, StatusInvalidBind, CommandStatus(h.Status), "no submit before a bind")

	c.bind(pdu.BindReceiverID)
	c.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, 0, 0, []byte("x")))
	h, _ = c.read()
	assert.Equal(t, StatusInvalidBind, CommandStatus(h.Status), "a receiver cannot submit")

	c.send(pdu.ID(0x00000777), nil)
	h, _ = c.read()
	assert.Equal(t, pdu.GenericNACKID, h.ID)
	assert.Equal(t, CommandStatus(0x03), CommandStatus(h.Status))

	seq := c.send(pdu.EnquireLinkID, nil)
	h, _ = c.read()
	assert.Equal(t, pdu.EnquireLinkRespID, h.ID)
	assert.Equal(t, seq, h.Seq)

	seq = c.send(pdu.UnbindID, nil)
	h, _ = c.read()
	assert.Equal(t, pdu.UnbindRespID, h.ID)
	assert.Equal(t, seq, h.Seq)
	assert.True(t, c.closed())
	assert.Equal(t, int64(1), s.Stats().EnquireLinks)
	assert.Equal(t, int64(1), s.Stats().Unbinds)
	assert.Empty(t, s.Submits(), "refused commands are not submits")
}

func TestSubmitRecordAndReceipt(t *testing.T) {
	s := newServer(t, &Options{IDBase: 16, ReceiptIDBase: 10, ReceiptTLVs: true})
	c := dialRaw(t, s)
	c.bind(pdu.BindTransceiverID)
	seq := c.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, 1, 0, []byte("Hello, this is a long message body")))
	h, p := c.read()
	assert.Equal(t, pdu.SubmitSMRespID, h.ID)
	assert.Equal(t, seq, h.Seq)
	id := p.Fields()[pdufield.MessageID].String()
	assert.Equal(t, "A0000001", id, "upper-case hex")

	h, p = c.read()
	require.Equal(t, pdu.DeliverSMID, h.ID)
	f := p.Fields()
	assert.Equal(t, "46701234567", f[pdufield.SourceAddr].String(), "the receipt comes from the recipient")
	assert.Equal(t, "Advox", f[pdufield.DestinationAddr].String())
	assert.Equal(t, "4", f[pdufield.ESMClass].String())
	text := f[pdufield.ShortMessage].String()
	assert.True(t, strings.HasPrefix(text, "id:2684354561 sub:001 dlvrd:001 submit date:"), text)
	assert.Contains(t, text, " stat:DELIVRD err:000 text:Hello, this is a lon")
	assert.True(t, strings.HasSuffix(text, "text:Hello, this is a lon"), "20 characters of text")
	tlv := p.TLVFields()
	assert.Equal(t, []byte("A0000001\x00"), tlv[0x001E].Bytes())
	assert.Equal(t, []byte{2}, tlv[0x0427].Bytes())
	c.sendSeq(pdu.DeliverSMRespID, 0, h.Seq, []byte{0})
	require.Eventually(t, func() bool { return s.Stats().DeliverAcks == 1 }, time.Second, time.Millisecond)

	subs := s.Submits()
	require.Len(t, subs, 1)
	assert.Equal(t, Submit{
		SystemID: DefaultSystemID, Seq: seq, MessageID: "A0000001", Answered: true,
		Source: alpha, Dest: intl, RegisteredDelivery: 1, Text: "Hello, this is a long message body",
	}, subs[0])
	assert.Equal(t, []Message{{IDs: []string{"A0000001"}, From: "Advox", To: "+46701234567",
		Encoding: transport.GSM7, Parts: []string{"Hello, this is a long message body"}}}, s.Messages())

	s.Reset()
	assert.Empty(t, s.Submits())
	assert.Empty(t, s.Messages())
}

func TestReassembly(t *testing.T) {
	s := newServer(t, &Options{Receipts: ReceiptsNever})
	c := dialRaw(t, s)
	c.bind(pdu.BindTransmitterID)
	ucs2 := func(s string) []byte {
		var b []byte
		for _, r := range s {
			b = append(b, byte(r>>8), byte(r))
		}
		return b
	}
	// Parts out of order, 16-bit reference, UCS-2; and an 8-bit one.
	c.send(pdu.SubmitSMID, submitBody(alpha, intl, 0x40, 0, 8, append([]byte{6, 8, 4, 0x12, 0x34, 2, 2}, ucs2("двa")...)))
	c.send(pdu.SubmitSMID, submitBody(alpha, intl, 0x40, 0, 0, append([]byte{5, 0, 3, 9, 2, 1}, 'x')))
	assert.Empty(t, s.Messages(), "nothing is complete yet")
	c.send(pdu.SubmitSMID, submitBody(alpha, intl, 0x40, 0, 8, append([]byte{6, 8, 4, 0x12, 0x34, 2, 1}, ucs2("од")...)))
	for range 3 {
		h, _ := c.read()
		require.Zero(t, h.Status)
	}
	msgs := s.Messages()
	require.Len(t, msgs, 1)
	assert.Equal(t, transport.UCS2, msgs[0].Encoding)
	assert.Equal(t, []string{"од", "двa"}, msgs[0].Parts)
	assert.Len(t, msgs[0].IDs, 2)
	subs := s.Submits()
	assert.Equal(t, 0x1234, subs[0].Ref)
	assert.Equal(t, 16, subs[0].RefBits)
	assert.Equal(t, 8, subs[1].RefBits)
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

func TestCloseCancelsPendingWork(t *testing.T) {
	s, err := NewServer(&Options{ReceiptDelay: time.Hour})
	require.NoError(t, err)
	c := dialRaw(t, s)
	c.bind(pdu.BindTransceiverID)
	s.InjectFault(Fault{Delay: time.Hour})
	c.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, 1, 0, []byte("x")))
	c.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, 1, 0, []byte("y")))
	_, _ = c.read()
	require.NoError(t, s.Close(), "neither the hour-long answer nor the receipt keeps Close waiting")
	assert.NoError(t, s.Close(), "Close twice")
}
