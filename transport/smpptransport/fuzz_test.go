package smpptransport

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/azenna/advox/transport/smpptransport/internal/wire"
	"github.com/fiorix/go-smpp/smpp/pdu"
)

// FuzzParseReceiptText checks that the receipt parser never panics and
// that nothing after "text:" (message text) ever reaches a field.
func FuzzParseReceiptText(f *testing.F) {
	f.Add("id:1234567890 sub:001 dlvrd:001 submit date:2401021504 done date:2401021505 stat:DELIVRD err:000", "Hello")
	f.Add("ID:ab12 SUB:001 DONE DATE:240102150406 STAT:undeliv ERR:005", "id:9 stat:DELIVRD")
	f.Add("id: sub: stat:", "")
	f.Add("submit_date:1 done_date:2", "\x00\xff")
	f.Add("", "text:text:")
	f.Fuzz(func(t *testing.T, prefix, body string) {
		want := parseReceiptText(prefix)
		got := parseReceiptText(prefix + " text:" + body)
		assert.Equal(t, want, got, "the text field must not change what is parsed")
		for _, v := range []string{got.id, got.stat, got.err, got.done} {
			for i := 0; i < len(v); i++ {
				assert.False(t, isSpace(v[i]), "field values hold no whitespace")
			}
		}
	})
}

// FuzzReportOf feeds deliver_sm PDUs with arbitrary contents through the
// PDU reader and the receipt reader.
func FuzzReportOf(f *testing.F) {
	f.Add(byte(0x04), byte(0), []byte("id:1 stat:DELIVRD err:000 text:x"), []byte(nil))
	f.Add(byte(0x04), byte(8), wire.UTF16BE("id:2 stat:UNDELIV"), []byte{0x00, 0x1E, 0x00, 0x02, '7', 0})
	f.Add(byte(0x44), byte(0), []byte{5, 0, 3, 1, 2, 1, 'a'}, []byte{0x04, 0x27, 0x00, 0x01, 2})
	f.Add(byte(0x20), byte(0), []byte(nil), []byte{0x04, 0x24, 0x00, 0x04, 'i', 'd', ':', '3'})
	tr := &Transport{cfg: Config{ReceiptLocation: time.UTC, SubmitIDBase: 16, ReceiptIDBase: 10}}
	f.Fuzz(func(t *testing.T, esm, coding byte, sm, tlvs []byte) {
		if len(sm) > 254 {
			sm = sm[:254]
		}
		frame := deliverFrame(esm, coding, sm, nil)
		frame = append(frame, tlvs...)
		frame[0], frame[1], frame[2], frame[3] = byte(len(frame)>>24), byte(len(frame)>>16), byte(len(frame)>>8), byte(len(frame))
		s, err := parseSM(pdu.DeliverSMID, frame[pdu.HeaderLen:])
		if err != nil {
			return
		}
		r, err := tr.reportOf(s)
		if err != nil {
			return
		}
		assert.NotEmpty(t, r.OperatorID)
		assert.True(t, r.Status.Valid())
	})
}
