package smsctest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
)

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
