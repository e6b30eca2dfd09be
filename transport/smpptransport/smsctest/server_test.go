package smsctest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport/smpptransport/internal/wire"
	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
)

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
