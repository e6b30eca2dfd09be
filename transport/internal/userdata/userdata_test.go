package userdata

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/azenna/advox/transport"
)

func TestFill(t *testing.T) {
	for _, tc := range []struct {
		name      string
		in        transport.Inbound
		ud        []byte
		udh       bool
		text      string
		total     int
		malformed bool
	}{
		{"GSM", transport.Inbound{Coding: transport.CodingGSM7}, []byte("hi"), false, "hi", 0, false},
		{"header then GSM", transport.Inbound{Coding: transport.CodingGSM7}, []byte{5, 0, 3, 1, 2, 1, 'a'}, true, "a", 2, false},
		{"text kept, header read", transport.Inbound{Coding: transport.CodingText, Text: "ok"}, []byte{5, 0, 3, 1, 2, 2, 'o', 'k'}, true, "ok", 2, false},
		{"preset SAR data checked", transport.Inbound{Coding: transport.CodingGSM7, Total: 2, Seq: 3, RefWidth: transport.Concat16}, []byte("x"), false, "", 0, true},
		{"header past the data", transport.Inbound{Coding: transport.CodingGSM7}, []byte{7, 0, 3}, true, "", 0, true},
		{"element past the header", transport.Inbound{Coding: transport.CodingGSM7}, []byte{3, 0, 3, 1, 'x'}, true, "", 0, true},
		{"lone high surrogate", transport.Inbound{Coding: transport.CodingUCS2}, []byte{0xD8, 0x3D}, false, "", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Fill(tc.in, tc.ud, tc.udh)
			if tc.malformed {
				assert.NotEmpty(t, got.Malformed)
				assert.Equal(t, tc.ud, got.Bytes, "every octet kept")
				return
			}
			assert.Empty(t, got.Malformed)
			assert.Equal(t, tc.text, got.Text)
			assert.Equal(t, tc.total, got.Total)
		})
	}
}

// FuzzFill checks that Fill never panics and keeps the Inbound contract
// for any user data, header or not, in every coding.
func FuzzFill(f *testing.F) {
	f.Add([]byte{5, 0, 3, 1, 2, 1, 'a'}, true, uint8(0))
	f.Add([]byte{6, 8, 4, 0, 1, 2, 2, 0xDE, 0x00}, true, uint8(3))
	f.Add([]byte{0xD8, 0x3D, 0xDE, 0x00}, false, uint8(3))
	codings := []transport.Coding{transport.CodingGSM7, transport.CodingASCII, transport.CodingLatin1,
		transport.CodingUCS2, transport.CodingBinary, transport.CodingText}
	f.Fuzz(func(t *testing.T, ud []byte, udh bool, c uint8) {
		in := Fill(transport.Inbound{Coding: codings[int(c)%len(codings)]}, ud, udh)
		if in.Malformed != "" {
			assert.Equal(t, len(ud), len(in.Bytes))
			assert.Empty(t, in.Text)
			return
		}
		assert.True(t, utf8.ValidString(in.Text))
		if in.Total > 0 {
			assert.True(t, in.Total >= 2 && in.Seq >= 1 && in.Seq <= in.Total)
		}
	})
}
