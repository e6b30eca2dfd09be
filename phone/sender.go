package phone

import (
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/azenna/advox/gsm7"
	"github.com/azenna/advox/internal/errs"
	"github.com/azenna/advox/transport"
)

// The sender id limits.
const (
	maxAlphanumericSender = 11
	minShortCode          = 3
	maxShortCode          = 8
)

// ParseSender validates an originating address and says what kind it is:
//
//   - "+" and 8–15 digits (first digit not 0): SenderInternational as is.
//     A "+" number with separators ("+46 70-123 45 67") is accepted when
//     phonenumbers finds it valid, of any type, and is normalised to E.164.
//   - 3–8 digits: SenderShortCode.
//   - 9 or more digits without "+": an international number whose "+" was
//     left out; accepted, as SenderInternational normalised to E.164, only
//     when phonenumbers finds "+" and the digits valid; refused otherwise.
//   - anything else: SenderAlphanumeric, when it has 1–11 characters, all in
//     the GSM-7 basic set (no extension characters such as € or {, no line
//     breaks), at least one letter, and no leading or trailing space.
//     Spaces inside are allowed ("Shop 24"): most operators pass them on.
//
// Errors are *advox.Error with CodeInvalidArgument and an
// *advox.FieldError for field "from".
func ParseSender(s string) (transport.Sender, error) {
	switch {
	case s == "":
		return transport.Sender{}, invalidSender("empty")
	case len(s) > maxInput:
		return transport.Sender{}, invalidSender("too long")
	case s[0] == '+' && isE164(s):
		return transport.Sender{Value: s, Kind: transport.SenderInternational}, nil
	case s[0] == '+':
		return internationalSender(s)
	case isDigits(s) && len(s) < minShortCode:
		return transport.Sender{}, invalidSender("too short for a short code")
	case isDigits(s) && len(s) <= maxShortCode:
		return transport.Sender{Value: s, Kind: transport.SenderShortCode}, nil
	case isDigits(s):
		return internationalSender("+" + s)
	}
	return alphanumericSender(s)
}

func invalidSender(reason string) error { return errs.Field("parse sender", "from", reason) }

// internationalSender accepts s, which starts with '+', as an E.164 sender
// when phonenumbers finds it valid.
func internationalSender(s string) (transport.Sender, error) {
	if screenNumber(s, true) != "" {
		return transport.Sender{}, invalidSender("not an international number")
	}
	pn, ok := parsePhone(s, "")
	if !ok || pn.GetExtension() != "" || !phonenumbers.IsValidNumber(pn) {
		return transport.Sender{}, invalidSender("not a valid international number")
	}
	e164 := phonenumbers.Format(pn, phonenumbers.E164)
	if !isE164(e164) {
		return transport.Sender{}, invalidSender("not a valid international number")
	}
	return transport.Sender{Value: e164, Kind: transport.SenderInternational}, nil
}

// alphanumericSender accepts s as an alphanumeric sender id.
func alphanumericSender(s string) (transport.Sender, error) {
	if !utf8.ValidString(s) {
		return transport.Sender{}, invalidSender("not valid UTF-8")
	}
	if utf8.RuneCountInString(s) > maxAlphanumericSender {
		return transport.Sender{}, invalidSender("longer than 11 characters")
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return transport.Sender{}, invalidSender("starts or ends with a space")
	}
	letter := false
	for _, r := range s {
		if !gsm7.InBasicSet(r) || unicode.IsControl(r) {
			return transport.Sender{}, invalidSender("has a character outside the GSM-7 basic set")
		}
		letter = letter || unicode.IsLetter(r)
	}
	if !letter {
		return transport.Sender{}, invalidSender("has no letter")
	}
	return transport.Sender{Value: s, Kind: transport.SenderAlphanumeric}, nil
}
