package smsctest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fiorix/go-smpp/smpp/pdu"
)

// Parts concatenated with the SAR TLVs (sar_msg_ref_num,
// sar_total_segments, sar_segment_seqnum) instead of a UDH are
// reassembled too, as SMSCs do for ESMEs that use them.
func TestReassemblySARTLVs(t *testing.T) {
	s := newServer(t, &Options{Receipts: ReceiptsNever})
	c := dialRaw(t, s)
	c.bind(pdu.BindTransmitterID)
	sar := func(ref uint16, total, index byte) []byte {
		b := tlv(nil, 0x020C, []byte{byte(ref >> 8), byte(ref)})
		b = tlv(b, 0x020E, []byte{total})
		return tlv(b, 0x020F, []byte{index})
	}
	parts := []struct {
		index byte
		text  string
	}{{2, " world"}, {1, "Hello,"}, {3, "!"}}
	for _, p := range parts {
		c.send(pdu.SubmitSMID, append(submitBody(alpha, intl, 0, 0, 0, []byte(p.text)), sar(0xBEEF, 3, p.index)...))
		h, _ := c.read()
		require.Zero(t, h.Status)
	}
	msgs := s.Messages()
	require.Len(t, msgs, 1, "one message of three parts")
	assert.Equal(t, []string{"Hello,", " world", "!"}, msgs[0].Parts)
	assert.Len(t, msgs[0].IDs, 3)
	subs := s.Submits()
	require.Len(t, subs, 3)
	assert.Equal(t, 0xBEEF, subs[0].Ref)
	assert.Equal(t, 3, subs[0].Total)
	assert.Equal(t, 2, subs[0].Index)
	assert.Equal(t, 16, subs[0].RefBits)
	assert.Equal(t, " world", subs[0].Text)
}
