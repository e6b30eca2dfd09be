package smsctest

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/azenna/advox/transport/smpptransport/internal/wire"
	"github.com/fiorix/go-smpp/smpp/pdu"
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
