package transport_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
)

// ucs2 is a UCS-2 part of the given UTF-16BE octets.
func ucs2(b ...byte) transport.Inbound {
	return transport.Inbound{Coding: transport.CodingUCS2, Bytes: b}
}

func TestJoinText(t *testing.T) {
	// 😀 is U+1F600: the surrogate pair D83D DE00.
	for _, tc := range []struct {
		name  string
		parts []transport.Inbound
		want  string
		err   bool
	}{
		{"none", nil, "", false},
		{"gsm7 texts", []transport.Inbound{{Coding: transport.CodingGSM7, Text: "Hej "}, {Coding: transport.CodingGSM7, Text: "då"}}, "Hej då", false},
		{"ucs2 whole", []transport.Inbound{ucs2(0x00, 'h', 0xD8, 0x3D, 0xDE, 0x00)}, "h😀", false},
		{"ucs2 pair split across parts", []transport.Inbound{ucs2(0x00, 'a', 0xD8, 0x3D), ucs2(0xDE, 0x00, 0x00, 'b')}, "a😀b", false},
		{"ucs2 lone surrogate", []transport.Inbound{ucs2(0xD8, 0x3D), ucs2(0x00, 'b')}, "\uFFFDb", false},
		{"ucs2 odd length", []transport.Inbound{ucs2(0x00)}, "", true},
		{"codings differ", []transport.Inbound{{Coding: transport.CodingGSM7, Text: "a"}, ucs2(0x00, 'b')}, "", true},
		{"binary", []transport.Inbound{{Coding: transport.CodingBinary, Bytes: []byte{1}}}, "", true},
		{"malformed", []transport.Inbound{{Coding: transport.CodingGSM7, Malformed: "bad header", Bytes: []byte{5}}}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := transport.JoinText(tc.parts)
			if tc.err {
				require.ErrorIs(t, err, transport.ErrMixedParts)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
