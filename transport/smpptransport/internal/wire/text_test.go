package wire

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestUTF16BE(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []byte
	}{
		{"empty", "", []byte{}},
		{"ASCII", "Hi", []byte{0, 'H', 0, 'i'}},
		{"BMP", "дa", []byte{0x04, 0x34, 0, 'a'}},
		{"surrogate pair", "😀", []byte{0xD8, 0x3D, 0xDE, 0x00}},
		{"invalid UTF-8", "\xff", []byte{0xFF, 0xFD}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := UTF16BE(c.in)
			assert.Equal(t, c.want, got)
			assert.Equal(t, len(got), cap(got), "sized exactly")
			if c.name != "invalid UTF-8" {
				assert.Equal(t, c.in, FromUTF16BE(got), "round trip")
			}
		})
	}
}

func TestFromUTF16BE(t *testing.T) {
	assert.Equal(t, "H", FromUTF16BE([]byte{0, 'H', 0}), "an odd last octet is ignored")
	assert.Equal(t, "\uFFFDa", FromUTF16BE([]byte{0xD8, 0x3D, 0, 'a'}), "an unpaired surrogate is U+FFFD")
}
