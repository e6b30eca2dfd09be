package wire

import "unicode/utf16"

// UTF16BE encodes s as UTF-16BE, the octets of data_coding 0x08 (UCS-2):
// characters outside the BMP become surrogate pairs, invalid UTF-8 U+FFFD.
func UTF16BE(s string) []byte {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	b := make([]byte, 0, 2*n)
	var u [2]uint16
	for _, r := range s {
		for _, c := range utf16.AppendRune(u[:0], r) {
			b = append(b, byte(c>>8), byte(c))
		}
	}
	return b
}

// FromUTF16BE decodes UTF-16BE octets: an odd last octet is ignored and
// unpaired surrogates become U+FFFD.
func FromUTF16BE(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(u))
}
