package main

import (
	"unicode/utf8"

	"github.com/azenna/advox"
)

// errInvalidUTF8 refuses a request body with text that is not valid
// UTF-8: encoding/json would replace it with U+FFFD, and the message would
// go out with characters its sender never wrote.
var errInvalidUTF8 = &advox.Error{Op: "read request", Code: advox.CodeInvalidArgument,
	Err: &advox.FieldError{Field: "body", Reason: "not valid UTF-8 (or a \\u escape of a lone surrogate)"}}

// validUTF8JSON reports whether the JSON document b is valid UTF-8 and
// escapes no lone UTF-16 surrogate in its strings. b must be well-formed
// JSON (decoded already).
func validUTF8JSON(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	inString := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case !inString:
			inString = c == '"'
		case c == '"':
			inString = false
		case c == '\\' && i+1 < len(b) && b[i+1] == 'u':
			r := hex4(b[i+2:])
			i += 5 // at the escape's last digit
			if r < 0xd800 || r > 0xdfff {
				continue // not a surrogate
			}
			// A high surrogate followed by the escape of a low one is a
			// pair; any other surrogate stands alone.
			if r < 0xdc00 && i+6 < len(b) && b[i+1] == '\\' && b[i+2] == 'u' &&
				isLowSurrogate(hex4(b[i+3:])) {
				i += 6
				continue
			}
			return false
		case c == '\\':
			i++ // the escaped character, a quote perhaps
		}
	}
	return true
}

// hex4 reads the four hex digits that start b; -1 when they do not.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// isLowSurrogate reports whether r is the second half of a UTF-16
// surrogate pair.
func isLowSurrogate(r rune) bool { return 0xdc00 <= r && r <= 0xdfff }
