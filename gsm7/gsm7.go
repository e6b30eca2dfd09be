// Package gsm7 is the GSM 03.38 default alphabet and its extension table:
// which characters an SMS can carry in 7-bit encoding, how many septets each
// costs, and the unpacked septet codec SMPP uses (data_coding 0).
//
// Unlike some SMPP libraries' encoders, Encode never passes unencodable text
// through silently: it fails, naming the offending position.
package gsm7

import (
	"fmt"
	"strings"
)

// Escape is the septet that introduces an extension-table character.
const Escape = 0x1B

// basic is the default alphabet, indexed by septet value. 0x1B (escape) is
// not a character of its own.
var basic = [128]rune{
	'@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å',
	'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', -1, 'Æ', 'æ', 'ß', 'É',
	' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
	'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?',
	'¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O',
	'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§',
	'¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o',
	'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à',
}

// extension maps the extension-table characters to the septet that follows
// Escape.
var extension = map[rune]byte{
	'\f': 0x0A, '^': 0x14, '{': 0x28, '}': 0x29, '\\': 0x2F,
	'[': 0x3C, '~': 0x3D, ']': 0x3E, '|': 0x40, '€': 0x65,
}

var (
	basicIndex = map[rune]byte{}
	extDecode  = map[byte]rune{}
)

func init() {
	for i, r := range basic {
		if r >= 0 {
			basicIndex[r] = byte(i)
		}
	}
	for r, b := range extension {
		extDecode[b] = r
	}
}

// Septets returns how many septets r costs in GSM-7: 1 for the basic set, 2
// for the extension table (escape + character), 0 when r cannot be encoded.
func Septets(r rune) int {
	if _, ok := basicIndex[r]; ok {
		return 1
	}
	if _, ok := extension[r]; ok {
		return 2
	}
	return 0
}

// InBasicSet reports whether r is in the default alphabet itself (not the
// extension table).
func InBasicSet(r rune) bool {
	_, ok := basicIndex[r]
	return ok
}

// Encodable reports whether every character of s can be sent in GSM-7.
func Encodable(s string) bool {
	for _, r := range s {
		if Septets(r) == 0 {
			return false
		}
	}
	return true
}

// Len returns the number of septets s costs, or -1 if s is not encodable.
func Len(s string) int {
	n := 0
	for _, r := range s {
		k := Septets(r)
		if k == 0 {
			return -1
		}
		n += k
	}
	return n
}

// EncodeError reports the first character that GSM-7 cannot carry. It
// gives the byte offset only, never the text.
type EncodeError struct{ Offset int }

// Error implements error.
func (e *EncodeError) Error() string {
	return fmt.Sprintf("gsm7: character at byte %d is not in the GSM 03.38 alphabet", e.Offset)
}

// Encode returns s as unpacked septets, one per byte, extension characters
// as Escape followed by their code. It fails on any character outside the
// alphabet instead of passing it through.
func Encode(s string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for i, r := range s {
		if b, ok := basicIndex[r]; ok {
			out = append(out, b)
			continue
		}
		if b, ok := extension[r]; ok {
			out = append(out, Escape, b)
			continue
		}
		return nil, &EncodeError{Offset: i}
	}
	return out, nil
}

// DecodeError reports a byte that is not a septet.
type DecodeError struct{ Offset int }

// Error implements error.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("gsm7: byte %d is not a valid unpacked septet", e.Offset)
}

// Decode turns unpacked septets back into text. An escape followed by a
// code the extension table does not define decodes as the basic character
// of that code, as GSM 03.38 asks of receivers; a trailing escape decodes
// as a space.
func Decode(b []byte) (string, error) {
	var sb strings.Builder
	sb.Grow(len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c > 0x7F {
			return "", &DecodeError{Offset: i}
		}
		if c != Escape {
			sb.WriteRune(basic[c])
			continue
		}
		if i+1 == len(b) {
			sb.WriteByte(' ')
			break
		}
		i++
		n := b[i]
		if n > 0x7F {
			return "", &DecodeError{Offset: i}
		}
		if r, ok := extDecode[n]; ok {
			sb.WriteRune(r)
		} else if n == Escape {
			sb.WriteByte(' ')
		} else {
			sb.WriteRune(basic[n])
		}
	}
	return sb.String(), nil
}
