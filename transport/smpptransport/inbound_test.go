package smpptransport

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/internal/nodesmpp"
	"github.com/azenna/advox/transport/smpptransport/internal/wire"
)

// sarTLVs are the SAR TLVs of part seq of total, reference ref.
func sarTLVs(ref uint16, total, seq byte) map[uint16][]byte {
	return map[uint16][]byte{
		tagSarMsgRefNum: {byte(ref >> 8), byte(ref)}, tagSarTotalSegments: {total}, tagSarSegmentSeqnum: {seq},
	}
}

func cat(bs ...[]byte) []byte {
	var out []byte
	for _, b := range bs {
		out = append(out, b...)
	}
	return out
}

func TestInboundOf(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	udh8 := func(ref, total, seq byte) []byte { return []byte{5, 0x00, 3, ref, total, seq} }
	udh16 := []byte{6, 0x08, 4, 0x12, 0x34, 3, 2}
	smile := []byte{0xD8, 0x3D, 0xDE, 0x00} // 😀 as UTF-16BE
	type want struct {
		coding     transport.Coding
		text       string
		bytes      []byte
		total, seq int
		ref        uint16
		width      transport.Concat
		malformed  bool
	}
	tests := []struct {
		name  string
		frame []byte
		def   transport.Coding
		want  want
	}{
		{"GSM 7-bit", deliverFrame(0, 0, []byte{'H', 'e', 'j', ' ', 0x1B, 0x65}, nil), "",
			want{coding: transport.CodingGSM7, text: "Hej €"}},
		{"default alphabet Latin-1", deliverFrame(0, 0, []byte{'p', 0xE5}, nil), transport.CodingLatin1,
			want{coding: transport.CodingLatin1, text: "på"}},
		{"default alphabet ASCII", deliverFrame(0, 0, []byte("ok"), nil), transport.CodingASCII,
			want{coding: transport.CodingASCII, text: "ok"}},
		{"IA5", deliverFrame(0, 1, []byte("STOP"), nil), "", want{coding: transport.CodingASCII, text: "STOP"}},
		{"Latin-1", deliverFrame(0, 3, []byte{'h', 0xE4, 'j'}, nil), "", want{coding: transport.CodingLatin1, text: "häj"}},
		{"UCS-2", deliverFrame(0, 8, cat(wire.UTF16BE("ж "), smile), nil), "",
			want{coding: transport.CodingUCS2, text: "ж 😀", bytes: cat(wire.UTF16BE("ж "), smile)}},
		{"binary", deliverFrame(0, 4, []byte{0, 1, 0xFF}, nil), "", want{coding: transport.CodingBinary, bytes: []byte{0, 1, 0xFF}}},
		{"8-bit class 1", deliverFrame(0, 0xF5, []byte{7}, nil), "", want{coding: transport.CodingBinary, bytes: []byte{7}}},
		{"GSM class 1", deliverFrame(0, 0xF1, []byte("hi"), nil), "", want{coding: transport.CodingGSM7, text: "hi"}},
		{"flash UCS-2", deliverFrame(0, 0x18, wire.UTF16BE("é"), nil), "",
			want{coding: transport.CodingUCS2, text: "é", bytes: wire.UTF16BE("é")}},
		{"message waiting GSM", deliverFrame(0, 0xC0, []byte("mw"), nil), "", want{coding: transport.CodingGSM7, text: "mw"}},
		{"Cyrillic is not decoded", deliverFrame(0, 6, []byte{0xB0}, nil), "", want{coding: transport.CodingBinary, bytes: []byte{0xB0}}},
		{"UDH 8-bit", deliverFrame(0x40, 0, cat(udh8(7, 3, 2), []byte("mid")), nil), "",
			want{coding: transport.CodingGSM7, text: "mid", total: 3, seq: 2, ref: 7, width: transport.Concat8}},
		{"UDH 16-bit", deliverFrame(0x40, 8, cat(udh16, wire.UTF16BE("x")), nil), "",
			want{coding: transport.CodingUCS2, text: "x", bytes: wire.UTF16BE("x"), total: 3, seq: 2, ref: 0x1234, width: transport.Concat16}},
		{"UDH with port addressing", deliverFrame(0x40, 4, []byte{11, 0x05, 4, 0x0B, 0x84, 0x23, 0xF0, 0x00, 3, 9, 2, 1, 0xAA}, nil), "",
			want{coding: transport.CodingBinary, bytes: []byte{0xAA}, total: 2, seq: 1, ref: 9, width: transport.Concat8}},
		{"SAR", deliverFrame(0, 0, []byte("part"), sarTLVs(0x0102, 2, 2)), "",
			want{coding: transport.CodingGSM7, text: "part", total: 2, seq: 2, ref: 0x0102, width: transport.Concat16}},
		{"message_payload", deliverFrame(0, 0, nil, map[uint16][]byte{tagMessagePayload: []byte("long text")}), "",
			want{coding: transport.CodingGSM7, text: "long text"}},
		{"data_sm", dataFrame(0x40, 8, tlv{tagMessagePayload, cat(udh8(1, 2, 1), wire.UTF16BE("a"), smile[:2])}), "",
			want{coding: transport.CodingUCS2, text: "a\uFFFD", bytes: cat(wire.UTF16BE("a"), smile[:2]), total: 2, seq: 1, ref: 1, width: transport.Concat8}},
		{"part 1 of 1 is a whole message", deliverFrame(0x40, 0, cat(udh8(4, 1, 1), []byte("one")), nil), "",
			want{coding: transport.CodingGSM7, text: "one"}},
		{"surrogate half at the start of a later part", deliverFrame(0x40, 8, cat(udh8(1, 2, 2), smile[2:]), nil), "",
			want{coding: transport.CodingUCS2, text: "\uFFFD", bytes: smile[2:], total: 2, seq: 2, ref: 1, width: transport.Concat8}},

		// Malformed: handed over as octets, flagged.
		{"UDH longer than the data", deliverFrame(0x40, 0, []byte{9, 0, 3, 1}, nil), "", want{malformed: true}},
		{"UDH element past the header", deliverFrame(0x40, 0, []byte{4, 0, 3, 1, 2, 'x'}, nil), "", want{malformed: true}},
		{"UDH flag with no data", deliverFrame(0x40, 0, nil, nil), "", want{malformed: true}},
		{"concatenation element too short", deliverFrame(0x40, 0, []byte{4, 0, 2, 1, 2, 'x'}, nil), "", want{malformed: true}},
		{"two concatenation elements", deliverFrame(0x40, 0, cat([]byte{10}, udh8(1, 2, 1)[1:], udh8(2, 2, 1)[1:], []byte("x")), nil), "", want{malformed: true}},
		{"part 0", deliverFrame(0x40, 0, cat(udh8(1, 2, 0), []byte("x")), nil), "", want{malformed: true}},
		{"part above the total", deliverFrame(0x40, 0, cat(udh8(1, 2, 3), []byte("x")), nil), "", want{malformed: true}},
		{"total 0", deliverFrame(0x40, 0, cat(udh8(1, 0, 0), []byte("x")), nil), "", want{malformed: true}},
		{"part 2 of 1", deliverFrame(0x40, 0, cat(udh8(1, 1, 2), []byte("x")), nil), "", want{malformed: true}},
		{"SAR incomplete", deliverFrame(0, 0, []byte("x"), map[uint16][]byte{tagSarMsgRefNum: {0, 1}}), "", want{malformed: true}},
		{"SAR wrong length", deliverFrame(0, 0, []byte("x"), map[uint16][]byte{tagSarMsgRefNum: {1}, tagSarTotalSegments: {2}, tagSarSegmentSeqnum: {1}}), "", want{malformed: true}},
		{"odd UCS-2", deliverFrame(0, 8, []byte{0, 'a', 0}, nil), "", want{malformed: true}},
		{"lone surrogate inside", deliverFrame(0, 8, cat(smile[:2], wire.UTF16BE("a")), nil), "", want{malformed: true}},
		{"high surrogate at the end of the last part", deliverFrame(0, 8, cat(wire.UTF16BE("a"), smile[:2]), nil), "", want{malformed: true}},
		{"low surrogate at the start of the first part", deliverFrame(0x40, 8, cat(udh8(1, 2, 1), smile[2:]), nil), "", want{malformed: true}},
		{"octet above 0x7F in GSM", deliverFrame(0, 0, []byte{0x80}, nil), "", want{malformed: true}},
		{"octet above 0x7F in ASCII", deliverFrame(0, 1, []byte{0xE5}, nil), "", want{malformed: true}},
		{"reserved data coding", deliverFrame(0, 0x0B, []byte("x"), nil), "", want{malformed: true}},
		{"compressed", deliverFrame(0, 0x20, []byte("x"), nil), "", want{malformed: true}},
		{"short_message and message_payload", deliverFrame(0, 0, []byte("x"), map[uint16][]byte{tagMessagePayload: []byte("y")}), "", want{malformed: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := pdu.ID(binary.BigEndian.Uint32(tc.frame[4:]))
			s, err := parseSM(h, tc.frame[pdu.HeaderLen:])
			require.NoError(t, err)
			def := tc.def
			if def == "" {
				def = transport.CodingGSM7
			}
			got := inboundOf(s, def, at)
			assert.Equal(t, "+46", got.From)
			assert.Equal(t, "A", got.To)
			assert.Equal(t, at, got.At)
			assert.Equal(t, int(s.coding), got.DataCoding)
			if tc.want.malformed {
				assert.NotEmpty(t, got.Malformed)
				assert.NotNil(t, got.Bytes, "a malformed part keeps its octets")
				assert.Empty(t, got.Text)
				assert.Zero(t, got.Total)
				return
			}
			assert.Empty(t, got.Malformed)
			w := tc.want
			assert.Equal(t, w.coding, got.Coding)
			assert.Equal(t, w.text, got.Text)
			assert.Equal(t, w.bytes, got.Bytes)
			assert.Equal(t, []any{w.total, w.seq, w.ref, w.width}, []any{got.Total, got.Seq, got.Ref, got.RefWidth})
		})
	}
}

// A malformed part keeps every octet of its user data, the header
// included, so that nothing the handset sent is lost.
func TestInboundMalformedKeepsOctets(t *testing.T) {
	ud := []byte{9, 0, 3, 1, 'x'}
	s, err := parseSM(pdu.DeliverSMID, deliverFrame(0x40, 0, ud, nil)[pdu.HeaderLen:])
	require.NoError(t, err)
	got := inboundOf(s, transport.CodingGSM7, time.Now())
	assert.Equal(t, ud, got.Bytes)
}

// FuzzInboundOf feeds deliver_sm and data_sm bodies through the PDU reader
// and the inbound reader: neither panics, and what comes out keeps the
// contract of transport.Inbound.
func FuzzInboundOf(f *testing.F) {
	seeds := [][]byte{
		deliverFrame(0x40, 0, []byte{5, 0, 3, 1, 2, 1, 'a'}, nil),
		deliverFrame(0x40, 8, []byte{6, 8, 4, 1, 2, 2, 2, 0xDE, 0x00}, nil),
		deliverFrame(0, 0, []byte("x"), sarTLVs(1, 2, 1)),
		deliverFrame(0, 3, nil, map[uint16][]byte{tagMessagePayload: {0xE5}}),
		deliverFrame(0x40, 0, []byte{9, 0, 3, 1}, nil),
		deliverFrame(0, 0xF5, []byte{1, 2}, nil),
		dataFrame(0x40, 8, tlv{tagMessagePayload, []byte{5, 0, 3, 1, 2, 2, 0xD8, 0x3D}}),
	}
	for _, s := range seeds {
		f.Add(uint8(0), s[pdu.HeaderLen:])
	}
	f.Add(uint8(1), dataFrame(0, 0)[pdu.HeaderLen:])
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		id := pdu.DeliverSMID
		if kind&1 == 1 {
			id = pdu.DataSMID
		}
		s, err := parseSM(id, body)
		if err != nil {
			return
		}
		in := inboundOf(s, transport.CodingGSM7, time.Unix(0, 0))
		if in.Malformed != "" {
			assert.Empty(t, in.Text)
			assert.NotNil(t, in.Bytes)
			assert.Zero(t, in.Total+in.Seq+int(in.Ref)+int(in.RefWidth))
			return
		}
		assert.True(t, utf8.ValidString(in.Text))
		if in.Total == 0 {
			assert.Zero(t, in.Seq+int(in.Ref)+int(in.RefWidth))
		} else {
			assert.GreaterOrEqual(t, in.Total, 2)
			assert.True(t, in.Seq >= 1 && in.Seq <= in.Total)
			assert.Contains(t, []transport.Concat{transport.Concat8, transport.Concat16}, in.RefWidth)
		}
		switch in.Coding {
		case transport.CodingUCS2:
			assert.Zero(t, len(in.Bytes)%2)
			text, err := transport.JoinText([]transport.Inbound{in})
			assert.NoError(t, err)
			if in.Total == 0 {
				assert.Equal(t, in.Text, text)
			}
		case transport.CodingBinary:
			assert.Empty(t, in.Text)
		default:
			assert.Nil(t, in.Bytes)
		}
	})
}

// moSMSCScript is an SMSC on node-smpp that delivers messages from
// handsets on command: each stdin line is a JSON deliver_sm (hex for the
// octet fields), sent on the bound session; it prints the command_status
// of the answer. It prints "listening PORT" once up and "bound" once a
// session bound.
const moSMSCScript = `
const smpp = require('smpp');
const readline = require('readline');
let session = null;
const server = smpp.createServer(s => {
	s.on('error', () => {});
	s.on('bind_transceiver', pdu => { s.send(pdu.response({system_id: 'node-smpp'})); session = s; console.log('bound'); });
	s.on('enquire_link', pdu => s.send(pdu.response()));
	s.on('unbind', pdu => { s.send(pdu.response()); s.close(); });
});
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
readline.createInterface({input: process.stdin}).on('line', line => {
	const m = JSON.parse(line);
	const pdu = {source_addr_ton: 1, source_addr_npi: 1, source_addr: m.from,
		dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: m.to,
		esm_class: m.esm, data_coding: m.coding};
	if (m.short) pdu.short_message = Buffer.from(m.short, 'hex');
	if (m.payload) pdu.message_payload = Buffer.from(m.payload, 'hex');
	if (m.sar) { pdu.sar_msg_ref_num = m.sar[0]; pdu.sar_total_segments = m.sar[1]; pdu.sar_segment_seqnum = m.sar[2]; }
	session.deliver_sm(pdu, resp => console.log('status ' + resp.command_status));
}).on('close', () => process.exit(0));
`

// TestNodeSMPPInbound has node-smpp, an SMPP implementation the project
// did not write, deliver messages from handsets — parts with 8- and
// 16-bit headers, SAR TLVs, message_payload, UCS-2 with a surrogate pair
// split across parts, Latin-1 — to the transport, and checks both what
// the inbound handler got and the command_status node-smpp read in each
// deliver_sm_resp (ESME_RX_T_APPN when the handler failed). It runs only
// with ADVOX_NODE_SMPP=1, node and npm on PATH (npm installs node-smpp
// outside the repository).
func TestNodeSMPPInbound(t *testing.T) {
	if os.Getenv("ADVOX_NODE_SMPP") != "1" {
		t.Skip("set ADVOX_NODE_SMPP=1 to run against node-smpp (needs node and npm)")
	}
	node := nodesmpp.Start(t, nodesmpp.Modules(t), moSMSCScript)
	stdin, out := node.In, node.Out

	tr := newTransport(t, Config{Addr: node.Addr, SystemID: "advox", Password: "x", Backoff: fastBackoff, Logger: quiet})
	var mu sync.Mutex
	var got []transport.Inbound
	fail := false
	tr.SetInboundHandler(func(_ context.Context, m transport.Inbound) error {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			return errors.New("store down")
		}
		got = append(got, m)
		return nil
	})
	require.True(t, out.Scan(), "never bound")
	require.Equal(t, "bound", out.Text())
	waitBound(t, tr)

	type mo struct {
		From    string `json:"from"`
		To      string `json:"to"`
		ESM     int    `json:"esm"`
		Coding  int    `json:"coding"`
		Short   string `json:"short,omitempty"`
		Payload string `json:"payload,omitempty"`
		SAR     []int  `json:"sar,omitempty"`
	}
	deliver := func(m mo) string {
		m.From, m.To = "46701234567", "46766860000"
		b, err := json.Marshal(m)
		require.NoError(t, err)
		_, err = fmt.Fprintln(stdin, string(b))
		require.NoError(t, err)
		require.True(t, out.Scan(), "node-smpp gone")
		return out.Text()
	}
	take := func() []transport.Inbound {
		mu.Lock()
		defer mu.Unlock()
		g := got
		got = nil
		return g
	}
	hexOf := func(b ...[]byte) string {
		var all []byte
		for _, x := range b {
			all = append(all, x...)
		}
		return hex.EncodeToString(all)
	}
	ucs := wire.UTF16BE("a😀b") // a, D83D | DE00, b

	cases := []struct {
		name  string
		mos   []mo
		want  string
		width transport.Concat
	}{
		{"UDH 8-bit, out of order", []mo{
			{ESM: 0x40, Short: hexOf([]byte{5, 0, 3, 7, 2, 2}, []byte("world"))},
			{ESM: 0x40, Short: hexOf([]byte{5, 0, 3, 7, 2, 1}, []byte("hello "))},
		}, "hello world", transport.Concat8},
		{"UDH 16-bit, UCS-2 pair split", []mo{
			{ESM: 0x40, Coding: 8, Short: hexOf([]byte{6, 8, 4, 1, 2, 2, 1}, ucs[:4])},
			{ESM: 0x40, Coding: 8, Short: hexOf([]byte{6, 8, 4, 1, 2, 2, 2}, ucs[4:])},
		}, "a😀b", transport.Concat16},
		{"SAR", []mo{
			{Short: hexOf([]byte("sar ")), SAR: []int{300, 2, 1}},
			{Short: hexOf([]byte("parts")), SAR: []int{300, 2, 2}},
		}, "sar parts", transport.Concat16},
		{"message_payload, Latin-1", []mo{{Coding: 3, Payload: hexOf([]byte{'p', 0xE5, ' ', 'l', 0xE5, 'n', 'g'})}}, "på lång", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, m := range c.mos {
				assert.Equal(t, "status 0", deliver(m), "taken")
			}
			parts := take()
			require.Len(t, parts, len(c.mos))
			byseq := make([]transport.Inbound, len(parts))
			for _, p := range parts {
				assert.Empty(t, p.Malformed)
				assert.Equal(t, "+46701234567", p.From)
				assert.Equal(t, "+46766860000", p.To)
				assert.Equal(t, c.width, p.RefWidth)
				i := max(p.Seq, 1) - 1
				byseq[i] = p
			}
			text, err := transport.JoinText(byseq)
			require.NoError(t, err)
			assert.Equal(t, c.want, text)
		})
	}
	t.Run("handler error", func(t *testing.T) {
		mu.Lock()
		fail = true
		mu.Unlock()
		assert.Equal(t, fmt.Sprintf("status %d", StatusTempAppError), deliver(mo{Short: hexOf([]byte("STOP"))}),
			"node-smpp reads ESME_RX_T_APPN")
		mu.Lock()
		fail = false
		mu.Unlock()
		assert.Equal(t, "status 0", deliver(mo{Short: hexOf([]byte("STOP"))}))
		require.Eventually(t, func() bool { return len(take()) == 1 }, 5*time.Second, time.Millisecond)
	})
}
