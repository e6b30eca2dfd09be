package smsctest

import (
	"strings"
	"testing"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
)

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
