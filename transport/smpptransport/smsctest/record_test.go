package smsctest

import (
	"testing"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport/internal/wire"
)

// FuzzParseSubmit feeds arbitrary submit_sm bodies (what an adapter under
// test sends) through the decoder, the simulator's reading of the
// concatenation (UDH and SAR) and text, and reassembly: none may panic,
// and a part the reading accepts fits its message.
func FuzzParseSubmit(f *testing.F) {
	f.Add(byte(0), byte(1), byte(0), []byte("Hello"), []byte(nil))
	f.Add(byte(0x40), byte(0), byte(8), []byte{6, 8, 4, 0x12, 0x34, 2, 2, 0, 'a'}, []byte(nil))
	f.Add(byte(0x40), byte(0), byte(0), []byte{5, 0, 3, 9, 2, 1, 'x'}, []byte(nil))
	f.Add(byte(0x40), byte(0), byte(0), []byte{9, 0, 3, 9, 2}, []byte(nil))
	f.Add(byte(0), byte(0), byte(0), []byte("x"), []byte{0x02, 0x0C, 0, 2, 0xBE, 0xEF, 0x02, 0x0E, 0, 1, 3, 0x02, 0x0F, 0, 1, 2})
	f.Add(byte(0), byte(0), byte(3), []byte(nil), []byte{0x04, 0x24, 0, 3, 'a', 0xE5, 'b'})
	f.Add(byte(0), byte(0), byte(8), []byte{0xD8, 0x3D, 0}, []byte(nil))
	f.Fuzz(func(t *testing.T, esm, registered, coding byte, sm, tlvs []byte) {
		if len(sm) > 254 {
			sm = sm[:254]
		}
		body := append(submitBody(alpha, intl, esm, registered, coding, sm), tlvs...)
		p, err := wire.Decode(frame(pdu.SubmitSMID, 0, 1, body))
		if err != nil {
			return
		}
		sub := parseSubmit(p)
		sub.MessageID = "1"
		if sub.Total > 0 {
			assert.Contains(t, []int{8, 16}, sub.RefBits)
		}
		s := &Server{partial: make(map[concatKey]*assembly)}
		s.assemble(sub)
		s.assemble(sub) // the same part again (a retried submit)
		for _, m := range s.messages {
			assert.Len(t, m.Parts, len(m.IDs))
		}
	})
}

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

// Reset forgets the submits received, so ThrottleEvery counts afresh: a
// test that resets the simulator between cases sees the same throttling
// in each.
func TestResetRestartsThrottleEvery(t *testing.T) {
	s := newServer(t, &Options{ThrottleEvery: 3, Receipts: ReceiptsNever})
	c := dialRaw(t, s)
	c.bind(pdu.BindTransmitterID)
	submit := func(n int) []CommandStatus {
		var out []CommandStatus
		for range n {
			c.send(pdu.SubmitSMID, submitBody(alpha, intl, 0, 0, 0, []byte("x")))
			h, _ := c.read()
			out = append(out, CommandStatus(h.Status))
		}
		return out
	}
	assert.Equal(t, []CommandStatus{0, 0}, submit(2))
	s.Reset()
	assert.Equal(t, []CommandStatus{0, 0, StatusThrottled}, submit(3), "every third after the Reset")
}
