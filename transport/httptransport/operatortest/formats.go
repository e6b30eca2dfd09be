package operatortest

import (
	"errors"
	"net/url"
	"strings"
)

// errNotInDialect is returned for a callback the dialect's operator does
// not post to a report URL.
var errNotInDialect = errors.New("operatortest: the dialect's operator posts no such callback to a report URL")

// isE164 reports whether s is an E.164 number: "+", a non-zero digit and
// at most 15 digits in all (ITU-T E.164 §6).
func isE164(s string) bool {
	d, ok := strings.CutPrefix(s, "+")
	return ok && len(d) >= 2 && len(d) <= 15 && d[0] != '0' && allDigits(d)
}

func allDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// isAlnum reports whether s holds only A–Z, a–z and 0–9.
func isAlnum(s string) bool {
	return s != "" && strings.TrimFunc(s, func(r rune) bool {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
	}) == ""
}

// isCallbackURL reports whether s is an absolute http or https URL.
func isCallbackURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
