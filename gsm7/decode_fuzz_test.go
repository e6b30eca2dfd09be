package gsm7

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// FuzzDecode feeds Decode arbitrary bytes, as an SMSC or a handset may
// send them: it must never panic, must fail only on a byte above 0x7F, and
// what it returns must be valid GSM-7 text that survives Encode and Decode
// unchanged.
func FuzzDecode(f *testing.F) {
	for _, b := range [][]byte{
		nil, {0x00}, []byte("Hello"), {Escape}, {0x41, Escape}, {Escape, Escape}, {Escape, 0x41},
		{Escape, 0x65, Escape, 0x28, Escape, 0x0A}, {Escape, 0x0D}, {Escape, 0x1B, 0x41}, {0x7F, 0x80}, {Escape, 0xFF},
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Decode(b)
		high := false
		for _, c := range b {
			high = high || c > 0x7F
		}
		if err != nil {
			require.True(t, high, "refused septets only: % x", b)
			return
		}
		require.False(t, high, "accepted a byte above 0x7F: % x", b)
		require.True(t, utf8.ValidString(s))
		n := Len(s)
		require.GreaterOrEqual(t, n, 0, "decoded text is not GSM-7: %q", s)
		require.LessOrEqual(t, n, len(b))
		enc, err := Encode(s)
		require.NoError(t, err)
		again, err := Decode(enc)
		require.NoError(t, err)
		require.Equal(t, s, again)
	})
}
