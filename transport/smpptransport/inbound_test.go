package smpptransport

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport/internal/wire"
	"github.com/fiorix/go-smpp/smpp/pdu"
)

// dataFrame builds a data_sm from 46 (international) to A with the given
// esm_class, data_coding and TLVs, in order.
func dataFrame(esm, coding byte, tlvs ...tlv) []byte {
	b := make([]byte, 16)
	b = append(b, 0)                 // service_type
	b = append(b, 1, 1, '4', '6', 0) // source
	b = append(b, 5, 0, 'A', 0)      // destination
	b = append(b, esm, 0, coding)    // esm_class, registered_delivery, data_coding
	for _, t := range tlvs {
		b = binary.BigEndian.AppendUint16(b, t.tag)
		b = binary.BigEndian.AppendUint16(b, uint16(len(t.val)))
		b = append(b, t.val...)
	}
	binary.BigEndian.PutUint32(b[0:], uint32(len(b)))
	binary.BigEndian.PutUint32(b[4:], uint32(pdu.DataSMID))
	binary.BigEndian.PutUint32(b[12:], 1)
	return b
}

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

func TestParseSMRefusesUnreadable(t *testing.T) {
	good := deliverFrame(0, 0, []byte("hello"), map[uint16][]byte{0x1401: {1}})[pdu.HeaderLen:]
	for n := range len(good) - 5 {
		_, err := parseSM(pdu.DeliverSMID, good[:n])
		require.Error(t, err, "cut at %d", n)
	}
	_, err := parseSM(pdu.DeliverSMID, good[:len(good)-2])
	assert.ErrorIs(t, err, errTLVStream, "a TLV cut short")
	assert.Equal(t, statusInvalidTLVs, answerOf(err))
	_, err = parseSM(pdu.DeliverSMID, good[:10])
	assert.ErrorIs(t, err, errTruncated)
	assert.Equal(t, statusInvalidCmdLen, answerOf(err))
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

// exchange writes a whole PDU frame (its sequence number set to seq) and
// returns the header of the response to it.
func (s *rawSMSC) exchange(frame []byte, seq uint32) *pdu.Header {
	s.t.Helper()
	binary.BigEndian.PutUint32(frame[12:], seq)
	_, err := s.nc.Write(frame)
	require.NoError(s.t, err)
	for {
		h, _, err := wire.ReadFrame(s.br)
		require.NoError(s.t, err)
		if h.ID&wire.RespBit != 0 && h.Seq == seq {
			return h
		}
	}
}

// The answer to an inbound deliver_sm or data_sm waits for the handler: 0
// once it took the part, ESME_RX_T_APPN while none is set or when it
// failed, so that the SMSC delivers the part again; an unreadable PDU is
// refused for good.
func TestInboundAnswers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	tr := newTransport(t, Config{
		Addr: ln.Addr().String(), SystemID: "advox", RespTimeout: 500 * time.Millisecond,
		Backoff: fastBackoff, Logger: quiet,
	})
	smsc := acceptBound(t, ln)
	mo := func() []byte { return deliverFrame(0, 0, []byte("STOP"), nil) }

	h := smsc.exchange(mo(), 1)
	assert.Equal(t, pdu.DeliverSMRespID, h.ID)
	assert.Equal(t, pdu.Status(StatusTempAppError), h.Status, "no handler yet: deliver again later")

	var mu sync.Mutex
	var got []transport.Inbound
	fail := true
	tr.SetInboundHandler(func(_ context.Context, in transport.Inbound) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, in)
		if fail {
			return errors.New("store down")
		}
		return nil
	})
	assert.Equal(t, pdu.Status(StatusTempAppError), smsc.exchange(mo(), 2).Status, "the handler failed: deliver again")
	mu.Lock()
	fail = false
	mu.Unlock()
	assert.Equal(t, pdu.Status(0), smsc.exchange(mo(), 3).Status, "taken")

	h = smsc.exchange(dataFrame(0, 0, tlv{tagMessagePayload, []byte("START")}), 4)
	assert.Equal(t, pdu.DataSMRespID, h.ID)
	assert.Equal(t, pdu.Status(0), h.Status)

	malformedFrame := deliverFrame(0x40, 0, []byte{9, 9}, nil)
	assert.Equal(t, pdu.Status(0), smsc.exchange(malformedFrame, 5).Status, "a malformed part is handed over, and taken")

	unreadable := deliverFrame(0, 0, nil, nil)[:pdu.HeaderLen+6]
	binary.BigEndian.PutUint32(unreadable[0:], uint32(len(unreadable)))
	assert.Equal(t, pdu.Status(statusInvalidCmdLen), smsc.exchange(unreadable, 6).Status, "refused for good")

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 4)
	assert.Equal(t, "STOP", got[1].Text)
	assert.Equal(t, "START", got[2].Text)
	assert.NotEmpty(t, got[3].Malformed)
	st := tr.Stats()
	assert.Equal(t, Stats{Inbound: 4, Malformed: 1, MalformedInbound: 1, Deferred: 1, Refused: 1},
		Stats{Inbound: st.Inbound, Malformed: st.Malformed, MalformedInbound: st.MalformedInbound,
			Deferred: st.Deferred, Refused: st.Refused})
}

// A report handler's error is answered ESME_RX_T_APPN too: the SMSC keeps
// the receipt (before, the receipt was acknowledged before the handler
// ran, and lost when it failed).
func TestReportHandlerErrorAsksRedelivery(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	tr := newTransport(t, Config{
		Addr: ln.Addr().String(), SystemID: "advox", RespTimeout: 500 * time.Millisecond,
		Backoff: fastBackoff, Logger: quiet,
	})
	smsc := acceptBound(t, ln)
	calls := 0
	tr.SetReportHandler(func(context.Context, transport.Report) error {
		calls++
		if calls == 1 {
			return errors.New("store down")
		}
		return nil
	})
	assert.Equal(t, pdu.Status(StatusTempAppError), smsc.deliver(1, "1001"))
	assert.Equal(t, pdu.Status(0), smsc.deliver(2, "1001"))
	assert.Equal(t, int64(1), tr.Stats().Refused)
	assert.Equal(t, int64(2), tr.Stats().Reports)
}
