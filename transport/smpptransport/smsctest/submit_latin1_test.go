package smsctest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fiorix/go-smpp/smpp/pdu"
)

// The recorded text is decoded by data_coding: an adapter that sends
// Latin-1 (0x03), as many SMPP clients do for Western text, is recorded
// with its real text, not with invalid UTF-8.
func TestSubmitTextByDataCoding(t *testing.T) {
	tests := []struct {
		name   string
		coding byte
		sm     []byte
		want   string
	}{
		{"GSM 7-bit", 0x00, []byte{'H', 'e', 'j', ' ', 'd', 0x0F}, "Hej då"},
		{"IA5", 0x01, []byte("Hej"), "Hej"},
		{"Latin-1", 0x03, []byte("Hej d\xe5 \xc4ngelholm"), "Hej då Ängelholm"},
		{"UCS-2", 0x08, []byte{0, 'H', 0, 0xE5}, "Hå"},
	}
	s := newServer(t, &Options{Receipts: ReceiptsNever})
	c := dialRaw(t, s)
	c.bind(pdu.BindTransmitterID)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s.Reset()
			c.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, 0, tc.coding, tc.sm))
			h, _ := c.read()
			require.Zero(t, h.Status)
			subs := s.Submits()
			require.Len(t, subs, 1)
			assert.Equal(t, tc.want, subs[0].Text)
		})
	}
}
