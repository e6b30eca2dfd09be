package phone

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// maxInput bounds raw number and sender input; longer input is refused
// (or masked whole) before any parsing.
const maxInput = 64

// isSeparator reports whether c is formatting people put in numbers.
func isSeparator(c byte) bool {
	switch c {
	case ' ', '-', '(', ')', '.', '/':
		return true
	}
	return false
}

// maskedNonNumber is what Mask returns for input that is not a number at
// all: nothing of it is revealed, not even its length.
const maskedNonNumber = "***"

// Mask masks a number, parsed or not, for logs and errors. A number with a leading '+' keeps
// "+", its country code (when it is a known one), the first two and the
// last two national digits; one without keeps its first two and last two
// digits; separators are dropped. Fewer digits are kept when the number is
// short, so that at least three digits and at least half of the national
// digits are always masked. Input that is not a number (letters, overlong,
// no digits) gives "***". It never panics. The transports mask numbers in
// their errors the same way.
func Mask(s string) string {
	if len(s) > maxInput {
		return maskedNonNumber
	}
	t := strings.TrimSpace(s)
	plus := strings.HasPrefix(t, "+")
	if plus {
		t = t[1:]
	}
	digits := make([]byte, 0, len(t))
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case '0' <= c && c <= '9':
			digits = append(digits, c)
		case isSeparator(c):
		default:
			return maskedNonNumber
		}
	}
	if len(digits) == 0 {
		return maskedNonNumber
	}
	cc := 0
	if plus {
		cc = callingCodeLen(digits)
	}
	national := digits[cc:]
	n := len(national)
	hide := max(3, (n+1)/2)
	head, tail := 2, 2
	for n-head-tail < hide && tail > 0 {
		tail--
	}
	for n-head-tail < hide && head > 0 {
		head--
	}
	var b strings.Builder
	b.Grow(1 + len(digits))
	if plus {
		b.WriteByte('+')
	}
	b.Write(digits[:cc+head])
	b.WriteString(strings.Repeat("*", n-head-tail))
	b.Write(national[n-tail:])
	return b.String()
}

// callingCodeLen returns the length of the known country calling code
// digits start with, or 0. Calling codes are prefix-free, so the first
// match is the only one.
func callingCodeLen(digits []byte) int {
	codes := phonenumbers.GetSupportedCallingCodes()
	cc := 0
	for i := 0; i < 3 && i < len(digits)-1; i++ {
		cc = cc*10 + int(digits[i]-'0')
		if codes[cc] {
			return i + 1
		}
	}
	return 0
}
