// Package phone holds what the library knows about phone numbers and
// sender ids: it parses and validates recipient numbers into E.164
// (ParseNumber, ValidateRecipient: valid, mobile-capable), normalises any
// valid number (Normalise: the customer's phone, numbers in free text),
// validates and classifies sender ids (ParseSender) and masks numbers for
// logs and errors (Mask, Number's LogValue). A fast path over
// github.com/nyaruka/phonenumbers' metadata answers the common case; the
// library's own API gives every refusal.
//
// It does not send, store or log anything, and it knows nothing of
// personal identity numbers (package pii) or of accounts. Errors are
// *advox.Error values with CodeInvalidArgument and an *advox.FieldError
// that names the field and never holds the number.
package phone

import (
	"log/slog"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/azenna/advox/internal/errs"
)

// Number is a recipient number in E.164 form ("+46701234567"), made by
// ParseNumber or ValidateRecipient and therefore valid and mobile-capable.
// It logs masked (LogValue); String gives it whole, for transports only.
type Number string

// ParseNumber parses s into an E.164 Number. region is the ISO 3166 region
// national numbers are read in ("SE" reads "070-123 45 67" as
// +46701234567); "" means s must be international ("+…"). Errors are
// *Error with CodeInvalidArgument and a *FieldError for field "number".
// See ValidateRecipient for what is accepted.
func ParseNumber(s, region string) (Number, error) {
	return ValidateRecipient("number", s, region)
}

// ValidateRecipient parses s like ParseNumber, naming field in the error
// (the Client passes "to"). Accepted: digits with an optional leading "+"
// and the separators space - ( ) . /, at most 64 bytes, that
// github.com/nyaruka/phonenumbers finds possible and valid, of type MOBILE
// or FIXED_LINE_OR_MOBILE (regions such as the US where the two cannot be
// told apart), with 8–15 digits in E.164. Refused: letters (vanity
// numbers), extensions, and every type that cannot be relied on to take an
// SMS: FIXED_LINE, TOLL_FREE, PREMIUM_RATE, SHARED_COST, VOIP,
// PERSONAL_NUMBER, PAGER, UAN, VOICEMAIL. A valid number never has type
// UNKNOWN (phonenumbers defines validity as a known type), so UNKNOWN is
// refused as invalid.
func ValidateRecipient(field, s, region string) (Number, error) {
	const op = "parse number"
	if reason := screenNumber(s, region == ""); reason != "" {
		return "", errs.Field(op, field, reason)
	}
	region = strings.ToUpper(region)
	if region != "" && !phonenumbers.GetSupportedRegions()[region] {
		return "", errs.Field(op, "region", "unknown region code")
	}
	if digits, intl := digitsOf(s); intl || region != "" {
		if n := fastMobile(digits, intl, region); n != "" {
			return Number(n), nil
		}
	}
	return slowValidate(op, field, s, region)
}

// slowValidate is ValidateRecipient through phonenumbers' own API, which
// also says precisely why a number is refused.
func slowValidate(op, field, s, region string) (Number, error) {
	pn, ok := parsePhone(s, region)
	switch {
	case !ok:
		return "", errs.Field(op, field, "not a phone number")
	case pn.GetExtension() != "":
		return "", errs.Field(op, field, "has an extension")
	case !phonenumbers.IsPossibleNumber(pn):
		return "", errs.Field(op, field, "not a possible number")
	case !phonenumbers.IsValidNumber(pn):
		return "", errs.Field(op, field, "not a valid number")
	case !mobileCapable(phonenumbers.GetNumberType(pn)):
		return "", errs.Field(op, field, "not a mobile number")
	}
	e164 := phonenumbers.Format(pn, phonenumbers.E164)
	if !isE164(e164) {
		return "", errs.Field(op, field, "not a valid number")
	}
	return Number(e164), nil
}

// mobileCapable reports whether numbers of type t can be relied on to
// receive an SMS.
func mobileCapable(t phonenumbers.PhoneNumberType) bool {
	return t == phonenumbers.MOBILE || t == phonenumbers.FIXED_LINE_OR_MOBILE
}

// screenNumber refuses early what no parser should see, returning the
// reason or "": empty or overlong input, letters and other characters that
// are neither digits nor separators, a '+' that does not lead, and national
// input when international input is required.
func screenNumber(s string, needPlus bool) string {
	if len(s) > maxInput {
		return "too long"
	}
	t := strings.TrimSpace(s)
	if t == "" {
		return "empty"
	}
	digits := 0
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case '0' <= c && c <= '9':
			digits++
		case c == '+' && i == 0:
		case isSeparator(c):
		default:
			return "not a number: only digits, a leading '+' and separators are allowed"
		}
	}
	switch {
	case digits == 0:
		return "not a phone number"
	case needPlus && t[0] != '+':
		return "not in international form (+…)"
	}
	return ""
}

// parsePhone calls phonenumbers.Parse, turning a panic of the parser on
// hostile input into a refusal: input validation must never crash the
// caller.
func parsePhone(s, region string) (pn *phonenumbers.PhoneNumber, ok bool) {
	defer func() {
		if recover() != nil {
			pn, ok = nil, false
		}
	}()
	pn, err := phonenumbers.Parse(s, region)
	return pn, err == nil
}

// isE164 reports whether s is "+" and 8–15 digits, not starting with 0.
func isE164(s string) bool {
	return len(s) >= 1+8 && len(s) <= 1+15 && s[0] == '+' && s[1] != '0' && isDigits(s[1:])
}

// isDigits reports whether s is one or more ASCII digits.
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// String returns the full E.164 number. Use it to address the message,
// never to log it: logs get Masked (slog does so through LogValue).
func (n Number) String() string { return string(n) }

// Masked returns the number with all but "+", the country code, the first
// two and the last two national digits replaced by '*', for example
// "+4670*****67"; see Mask.
func (n Number) Masked() string { return Mask(string(n)) }

// LogValue implements slog.LogValuer, so that a Number is never logged
// whole.
func (n Number) LogValue() slog.Value { return slog.StringValue(n.Masked()) }

// Normalise returns the E.164 form of s when it is a valid phone number of
// any type (fixed lines too, unlike ParseNumber), read as national in
// region when it has no "+" ("SE" reads "08-123 456 78" as +46812345678).
// It is the one normaliser of numbers that are not recipients: a
// customer's phone, a number found in free text.
func Normalise(s, region string) (string, bool) {
	if len(s) > maxInput {
		return "", false
	}
	pn, ok := parsePhone(s, region)
	if !ok || !phonenumbers.IsValidNumber(pn) {
		return "", false
	}
	return phonenumbers.Format(pn, phonenumbers.E164), true
}
