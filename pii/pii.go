// Package pii finds personal data where none may be: Swedish personal
// identity numbers (personnummer, samordningsnummer) in any text, free
// text included (ContainsPersonalNumber, SplitPersonalNumber), contact
// data of persons — e-mail addresses, phone numbers, IP addresses — in
// text that should hold none (ContainsContactData, ContainsPersonContact),
// and organisation and VAT numbers that are really a sole trader's
// personal identity number (ValidateOrgNumber, ValidateVATNumber).
//
// Nothing here returns, logs or formats what it found: callers refuse the
// input with an error that names the field only. It decides nothing about
// which fields may hold what: the account guard (package accounts), the
// Client's account ids and the audit actor (package audit) apply it.
package pii

import (
	"slices"
	"time"
	"unicode"
	"unicode/utf8"
)

// This file finds Swedish personal identity numbers (personnummer) and
// coordination numbers (samordningsnummer) in text, so that none is ever
// collected. Nothing here returns, logs or formats the number it found.
//
// A number is found when, after removing spaces, "-" and "+", a run of 10
// or 12 digits has a real calendar date (day + 60 for a samordningsnummer)
// and passes the Luhn check over its 10-digit form. The 10-digit form
// YYMMDD-NNNC is read in the two centuries its separator allows: "-" (or
// none) for the last 100 years, "+" for people 100 or older. The 12-digit
// form YYYYMMDDNNNC must be in the years 1800–2099. A 12-digit run ending
// in "01" whose first 10 digits are a personnummer is a Swedish VAT number
// (SE + personnummer + 01) and is found too.
//
// Runs are cut at every character that is neither a digit nor a separator,
// so numbers embedded in longer text are found ("pnr:811218-9876,"). Groups
// of digits joined by separators are tried in every contiguous combination
// of 10 or 12 digits, so two numbers written next to each other
// ("070 123 45 67 811218-9876") hide neither.
//
// The trade-off: roughly one 10-digit string in a few hundred passes the
// date and the Luhn check by chance. Some Swedish phone numbers written in
// national form (070-…) do, and are refused like a personnummer; written in
// international form (+46 70 …) they never are, because then they have 11
// digits. A number embedded in a longer digit run (13 digits or more with no
// separator) is not found: as written it is not a personnummer, and
// scanning every window of long numbers (OCR references, IBANs) would
// refuse a large share of them.
//
// Beyond the policy's space, "-" and "+", the "/", "." and "_" that
// numbers are also written with ("811218/9876", "81.12.18-9876"), every
// Unicode space, dash and connector, the minus sign, the fullwidth and
// small plus signs and invisible format characters (zero-width space)
// count as separators, and non-ASCII decimal
// digits (fullwidth "８") as digits, and combining marks (variation
// selectors, the enclosing keycap of emoji digits "8️⃣") are skipped, so
// typography does not smuggle a number past the guard.

// ContainsPersonalNumber reports whether s contains a Swedish personnummer
// or samordningsnummer, in any of the forms described above, anywhere.
func ContainsPersonalNumber(s string) bool {
	if fewDigits(s) {
		return false
	}
	var sc pnrScanner
	for _, r := range s {
		if sc.feed(r) {
			return true
		}
	}
	return sc.flush()
}

// fewDigits reports, without allocating, that ASCII s has fewer than the
// 10 digits any number takes (common for ids and short fields).
func fewDigits(s string) bool {
	n := 0
	for i := range len(s) {
		c := s[i]
		if c >= utf8.RuneSelf {
			return false
		}
		if c >= '0' && c <= '9' {
			n++
		}
	}
	return n < 10
}

// pnrScanner collects one run of digit groups at a time.
type pnrScanner struct {
	digits  []byte // the run's digits, ASCII
	bounds  []int  // group starts within digits, ascending; bounds[0] == 0
	plus    []bool // plus[i]: a "+" separated group i from group i-1
	pending bool   // separators seen since the last digit
	pendPl  bool   // one of them was "+"
}

// feed takes the next rune and reports whether a number was found in a run
// that the rune ended.
func (sc *pnrScanner) feed(r rune) bool {
	if d, ok := digitValue(r); ok {
		if len(sc.digits) == 0 || sc.pending {
			sc.bounds = append(sc.bounds, len(sc.digits))
			sc.plus = append(sc.plus, sc.pendPl)
		}
		sc.pending, sc.pendPl = false, false
		sc.digits = append(sc.digits, '0'+byte(d))
		return false
	}
	if unicode.In(r, unicode.Mn, unicode.Me) {
		// A combining mark (a variation selector, the keycap of "8️⃣")
		// leaves the digit or separator it sits on what it was.
		return false
	}
	if isPnrSeparator(r) {
		if len(sc.digits) > 0 {
			sc.pending = true
			sc.pendPl = sc.pendPl || isPlus(r)
		}
		return false
	}
	return sc.flush()
}

// flush checks the current run and starts a new one.
func (sc *pnrScanner) flush() bool {
	if len(sc.digits) == 0 {
		return false
	}
	found := sc.check()
	sc.digits, sc.bounds, sc.plus = sc.digits[:0], sc.bounds[:0], sc.plus[:0]
	sc.pending, sc.pendPl = false, false
	return found
}

// check tries every contiguous combination of groups of 10 or 12 digits.
func (sc *pnrScanner) check() bool {
	n := len(sc.digits)
	for i, start := range sc.bounds {
		for j := i + 1; j <= len(sc.bounds); j++ {
			end := n
			if j < len(sc.bounds) {
				end = sc.bounds[j]
			}
			l := end - start
			if l > 12 {
				break
			}
			if l != 10 && l != 12 {
				continue
			}
			plus := false
			for k := i + 1; k < j; k++ {
				if sc.plus[k] && sc.bounds[k]-start == 6 {
					plus = true
				}
			}
			if isPersonalNumber(sc.digits[start:end], plus) {
				return true
			}
		}
	}
	return false
}

// isPersonalNumber reports whether d (10 or 12 ASCII digits) is a
// personnummer, a samordningsnummer, or a VAT number whose core is one.
// plus says the 10-digit form was written with "+".
func isPersonalNumber(d []byte, plus bool) bool {
	switch len(d) {
	case 10:
		return isPnr10(d, plus)
	case 12:
		return isPnr12(d) || (d[10] == '0' && d[11] == '1' && isPnr10(d[:10], false))
	}
	return false
}

// isPnr10 checks the form YYMMDDNNNC.
func isPnr10(d []byte, plus bool) bool {
	if !luhnValid(d) {
		return false
	}
	yy, mm, dd := num(d[0:2]), num(d[2:4]), num(d[4:6])
	centuries := [2]int{1900, 2000}
	if plus {
		centuries = [2]int{1800, 1900}
	}
	return validBirthDate(centuries[0]+yy, mm, dd) || validBirthDate(centuries[1]+yy, mm, dd)
}

// isPnr12 checks the form YYYYMMDDNNNC.
func isPnr12(d []byte) bool {
	y := num(d[0:4])
	return y >= 1800 && y <= 2099 && validBirthDate(y, num(d[4:6]), num(d[6:8])) && luhnValid(d[2:])
}

// validBirthDate reports whether y-m-d is a calendar date, where d may be
// the day plus 60 (samordningsnummer).
func validBirthDate(y, m, d int) bool {
	if d > 60 {
		d -= 60
	}
	return m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, time.Month(m))
}

// luhnValid runs the Luhn check (weights 2, 1, 2, … from the left) over
// the 10 ASCII digits of d.
func luhnValid(d []byte) bool {
	sum := 0
	for i, c := range d {
		v := int(c - '0')
		if i%2 == 0 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return sum%10 == 0
}

// num converts ASCII digits to an int.
func num(d []byte) int {
	v := 0
	for _, c := range d {
		v = v*10 + int(c-'0')
	}
	return v
}

// digitValue returns the value of a decimal digit of any script. Unicode
// encodes decimal digits only in contiguous runs of whole 0–9 sets, so the
// value is the distance from the start of the run, modulo 10.
func digitValue(r rune) (int, bool) {
	if r >= '0' && r <= '9' {
		return int(r - '0'), true
	}
	if r < utf8.RuneSelf || !unicode.IsDigit(r) {
		return 0, false
	}
	start := r
	for unicode.IsDigit(start - 1) {
		start--
	}
	return int(r-start) % 10, true
}

// isPnrSeparator reports whether r may sit inside a written number: space,
// "-", "+" (also fullwidth or small), "/", "." and "_" (also fullwidth, and
// the division and fraction slashes), any Unicode space or dash, the minus
// sign, connector punctuation, or an invisible format character.
func isPnrSeparator(r rune) bool {
	if r < utf8.RuneSelf {
		switch r {
		case ' ', '-', '+', '/', '.', '_', '\t', '\n', '\v', '\f', '\r':
			return true
		}
		return false
	}
	switch r {
	case '\u2212', '\uff0f', '\uff0e', '\u2215', '\u2044':
		return true
	}
	return isPlus(r) || unicode.IsSpace(r) || unicode.In(r, unicode.Pd, unicode.Pc, unicode.Cf)
}

// SplitPersonalNumber reports whether a personal identity number is
// written across two of the strings, its date at the end of one ("…
// 811218-") and its last four digits at the start of another ("9876 …"),
// and which two (indexes into ss). Each string alone may hold none.
func SplitPersonalNumber(ss []string) (i, j int, found bool) {
	type edge struct {
		digits []byte
		plus   bool
	}
	var heads, tails []edge
	for _, s := range ss {
		d, plus := edgeDigits(s, false)
		heads = append(heads, edge{d, plus})
		d, plus = edgeDigits(s, true)
		tails = append(tails, edge{d, plus})
	}
	for i, t := range tails {
		if len(t.digits) != 6 && len(t.digits) != 8 {
			continue
		}
		for j, h := range heads {
			if i == j || len(h.digits) != 4 {
				continue
			}
			if isPersonalNumber(append(slices.Clip(t.digits), h.digits...), t.plus || h.plus) {
				return i, j, true
			}
		}
	}
	return 0, 0, false
}

// edgeDigits returns the digits of the run of digits and separators that
// starts s (or ends it, when tail), and whether a "+" separated it from
// the rest of the number: a "+" after a date that ends s, before a number
// that starts it.
func edgeDigits(s string, tail bool) ([]byte, bool) {
	rs := []rune(s)
	if tail {
		slices.Reverse(rs)
	}
	var digits []byte
	plus := false
	for _, r := range rs {
		if d, ok := digitValue(r); ok {
			digits = append(digits, '0'+byte(d))
			continue
		}
		if unicode.In(r, unicode.Mn, unicode.Me) {
			continue
		}
		if !isPnrSeparator(r) {
			break
		}
		if len(digits) == 0 && isPlus(r) {
			plus = true
		}
	}
	if tail {
		slices.Reverse(digits)
	}
	return digits, plus
}

// isPlus reports whether r is "+" or one of its typographic variants
// (fullwidth, small), which mean the same in a written number.
func isPlus(r rune) bool {
	return r == '+' || r == '\uff0b' || r == '\ufe62'
}

// daysIn returns the number of days of month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
