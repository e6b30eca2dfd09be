package pii

// This file finds contact data of persons — e-mail addresses, phone
// numbers, IP addresses — in text that should hold none: ids, actors and
// the free text of customer data. Nothing here returns or logs what it
// found.

import (
	"net/netip"
	"strings"

	"github.com/azenna/advox/phone"
)

// ContainsContactData reports whether s holds an e-mail address ("@"), an
// IP address, address and port or network, or a phone number in
// international form: "+" and at least 7 digits, spaces, "-", "." and
// parentheses allowed between them.
func ContainsContactData(s string) bool {
	if strings.Contains(s, "@") {
		return true
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '+' {
			continue
		}
		digits := 0
		for _, r := range s[i+1:] {
			if r >= '0' && r <= '9' {
				digits++
			} else if !strings.ContainsRune(" -.()", r) {
				break
			}
		}
		if digits >= 7 {
			return true
		}
	}
	// IP addresses: the tokens made of what addresses are written with.
	for _, tok := range strings.FieldsFunc(s, func(r rune) bool {
		return !strings.ContainsRune("0123456789abcdefABCDEF.:[]/%", r)
	}) {
		// "ip:203.0.113.7" leaves ":203.0.113.7"; "::1" must stay whole.
		if isIPText(tok) || isIPText(strings.Trim(tok, ":")) {
			return true
		}
	}
	return false
}

// isIPText reports whether s is an IP address, address and port, or network.
func isIPText(s string) bool {
	_, err1 := netip.ParseAddr(s)
	_, err2 := netip.ParseAddrPort(s)
	_, err3 := netip.ParsePrefix(s)
	return err1 == nil || err2 == nil || err3 == nil
}

// ContainsPersonContact reports whether free text holds contact data
// (see ContainsContactData) or a phone number written the national way: a
// run of digits, spaces, "-", "/", "." and parentheses starting with "0"
// whose 7–15 digits are a valid number (read as Swedish, or as
// international after "00"): "privat mobil 070-174 06 05". Runs that do
// not start with "0" (postal codes, references, organisation numbers) are
// not phone numbers as written.
func ContainsPersonContact(s string) bool {
	if ContainsContactData(s) {
		return true
	}
	var groups []string // the digit groups of the current run
	flush := func() bool {
		defer func() { groups = groups[:0] }()
		for i, g := range groups {
			if g[0] != '0' {
				continue
			}
			num := ""
			for _, h := range groups[i:] {
				num += h
				if len(num) > 15 {
					break
				}
				if len(num) >= 7 && isPhoneNumber(num) {
					return true
				}
			}
		}
		return false
	}
	start := -1
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			groups = append(groups, s[start:i])
			start = -1
		}
		if i < len(s) && strings.IndexByte(" -/.()", s[i]) >= 0 {
			continue
		}
		if len(groups) > 0 && flush() {
			return true
		}
	}
	return false
}

// isPhoneNumber reports whether digits, written nationally ("070…") or
// internationally with "00", are a valid phone number.
func isPhoneNumber(digits string) bool {
	if rest, ok := strings.CutPrefix(digits, "00"); ok {
		digits = "+" + rest
	}
	_, ok := phone.Normalise(digits, "SE")
	return ok
}
