package httptransport

import (
	"strings"
	"unicode"

	"github.com/azenna/advox/phone"
)

// MaskNumber masks a phone number for logs and errors, the way
// phone.Mask does: "+", the country code, the first two and the last
// two national digits stay ("+4670*****67"), at least half of the digits
// are hidden, and input that is not a number gives "***".
func MaskNumber(n string) string { return phone.Mask(n) }

// maxQuoted bounds how much of an operator's message an error quotes.
const maxQuoted = 160

// redactor scrubs operator messages before they are quoted in errors:
// secrets and the message's own text are replaced, the recipient masked,
// runs of five or more digits (phone numbers, personal identity numbers)
// masked, control characters dropped, and the result cut to one short line.
type redactor struct {
	secrets []string // credentials and message text: replaced whole
	numbers []string // the recipient as the operator may spell it: masked
}

func (r redactor) clean(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	s = strings.Map(func(c rune) rune {
		if unicode.IsControl(c) {
			return -1
		}
		return c
	}, s)
	for _, sec := range r.secrets {
		if len(sec) >= 3 {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	for _, n := range r.numbers {
		if len(n) >= 3 {
			s = strings.ReplaceAll(s, n, MaskNumber(n))
		}
	}
	s = maskDigitRuns(strings.TrimSpace(s))
	if len(s) > maxQuoted {
		cut := maxQuoted
		for cut > 0 && !isRuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// maskDigitRuns masks every run of five or more digits (spaces and dashes
// inside a run count as part of it) keeping its last two digits.
func maskDigitRuns(s string) string {
	b := []byte(s)
	for i := 0; i < len(b); {
		if b[i] < '0' || b[i] > '9' {
			i++
			continue
		}
		j, digits := i, 0
		for j < len(b) && (b[j] >= '0' && b[j] <= '9' || (b[j] == ' ' || b[j] == '-') && j+1 < len(b) && b[j+1] >= '0' && b[j+1] <= '9') {
			if b[j] >= '0' && b[j] <= '9' {
				digits++
			}
			j++
		}
		if digits >= 5 {
			seen := 0
			for k := i; k < j; k++ {
				if b[k] >= '0' && b[k] <= '9' {
					seen++
					if seen <= digits-2 {
						b[k] = '*'
					}
				}
			}
		}
		i = j
	}
	return string(b)
}
