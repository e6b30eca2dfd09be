package gsm7

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSeptets(t *testing.T) {
	tests := []struct {
		r    rune
		want int
	}{
		{'a', 1}, {'@', 1}, {'Ä', 1}, {'\n', 1}, {'Δ', 1},
		{'€', 2}, {'^', 2}, {'{', 2}, {'}', 2}, {'\\', 2}, {'[', 2}, {'~', 2}, {']', 2}, {'|', 2}, {'\f', 2},
		{'ç', 0}, {'😀', 0}, {'\t', 0}, {'`', 0}, {'Б', 0},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Septets(tt.r), "rune %q", tt.r)
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	for _, s := range []string{"", "Hello, world!", "Pris: 10€ {ok} [x] ~y~ a|b \\ ^", "ÄÖÅ äöå Ñ Ü ß @£$¥", "line\nbreak\rform\f"} {
		b, err := Encode(s)
		require.NoError(t, err)
		assert.Equal(t, Len(s), len(b))
		got, err := Decode(b)
		require.NoError(t, err)
		assert.Equal(t, s, got)
	}
}

func TestEncodeRefusesUnencodable(t *testing.T) {
	_, err := Encode("abc😀")
	var ee *EncodeError
	require.True(t, errors.As(err, &ee))
	assert.Equal(t, 3, ee.Offset)
	assert.NotContains(t, err.Error(), "abc")
	assert.Equal(t, -1, Len("ç"))
	assert.False(t, Encodable("ç"))
}

func TestDecodeEdgeCases(t *testing.T) {
	s, err := Decode([]byte{0x41, Escape})
	require.NoError(t, err)
	assert.Equal(t, "A ", s)
	s, err = Decode([]byte{Escape, 0x41})
	require.NoError(t, err)
	assert.Equal(t, "A", s)
	_, err = Decode([]byte{0x80})
	assert.Error(t, err)
}

func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{"hello", "€[]{}", "ÄÖ\n", "😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := Encode(s)
		if !Encodable(s) {
			require.Error(t, err)
			return
		}
		require.NoError(t, err)
		got, err := Decode(b)
		require.NoError(t, err)
		require.Equal(t, s, got)
	})
}
