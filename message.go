package advox

import (
	"fmt"
	"log/slog"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/azenna/advox/gsm7"
	"github.com/azenna/advox/transport"
)

// This file holds what the Client checks and computes about a message
// before any transport sees it: recipient numbers, sender ids, the encoding
// and the segmentation. Nothing here ever puts a number or a text into an
// error string.

// FieldError names the offending field and why, never echoing its value,
// so that it can be logged and returned to callers as it is.
type FieldError struct{ Field, Reason string }

// Error implements error: "to: not a mobile number".
func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// invalidField is the *Error of every validation failure in this file.
func invalidField(op, field, reason string) error {
	return &Error{Op: op, Code: CodeInvalidArgument, Err: &FieldError{Field: field, Reason: reason}}
}

// ---- Recipient numbers ----

// Number is a recipient number in E.164 form ("+46701234567"), made by
// ParseNumber or ValidateRecipient and therefore valid and mobile-capable.
// It logs masked (LogValue); String gives it whole, for transports only.
type Number string

// maxNumberInput bounds raw number and sender input; longer input is
// refused before any parsing.
const maxNumberInput = 64

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
		return "", invalidField(op, field, reason)
	}
	region = strings.ToUpper(region)
	if region != "" && !phonenumbers.GetSupportedRegions()[region] {
		return "", invalidField(op, "region", "unknown region code")
	}
	pn, ok := parsePhone(s, region)
	switch {
	case !ok:
		return "", invalidField(op, field, "not a phone number")
	case pn.GetExtension() != "":
		return "", invalidField(op, field, "has an extension")
	case !phonenumbers.IsPossibleNumber(pn):
		return "", invalidField(op, field, "not a possible number")
	case !phonenumbers.IsValidNumber(pn):
		return "", invalidField(op, field, "not a valid number")
	case !mobileCapable(phonenumbers.GetNumberType(pn)):
		return "", invalidField(op, field, "not a mobile number")
	}
	e164 := phonenumbers.Format(pn, phonenumbers.E164)
	if !isE164(e164) {
		return "", invalidField(op, field, "not a valid number")
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
	if len(s) > maxNumberInput {
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
		case isNumberSeparator(c):
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

// isNumberSeparator reports whether c is formatting people put in numbers.
func isNumberSeparator(c byte) bool {
	switch c {
	case ' ', '-', '(', ')', '.', '/':
		return true
	}
	return false
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
	if len(s) < 1+8 || len(s) > 1+15 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String returns the full E.164 number. Use it to address the message,
// never to log it: logs get Masked (slog does so through LogValue).
func (n Number) String() string { return string(n) }

// Masked returns the number with all but "+", the country code, the first
// two and the last two national digits replaced by '*', for example
// "+4670*****67"; see MaskNumber.
func (n Number) Masked() string { return MaskNumber(string(n)) }

// LogValue implements slog.LogValuer, so that a Number is never logged
// whole.
func (n Number) LogValue() slog.Value { return slog.StringValue(n.Masked()) }

// maskedNonNumber is what MaskNumber returns for input that is not a
// number at all: nothing of it is revealed, not even its length.
const maskedNonNumber = "***"

// MaskNumber masks a number, parsed or not, for logs. A number with a
// leading '+' keeps "+", its country code (when it is a known one), the
// first two and the last two national digits; one without keeps its first
// two and last two digits; separators are dropped. Fewer digits are kept
// when the number is short, so that at least three digits and at least
// half of the national digits are always masked. Input that is not a
// number (letters, overlong, no digits) gives "***". It never panics.
func MaskNumber(s string) string {
	if len(s) > maxNumberInput {
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
		case isNumberSeparator(c):
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

// ---- Sender ids ----

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
// Errors are *Error with CodeInvalidArgument and a *FieldError for field
// "from".
func ParseSender(s string) (transport.Sender, error) {
	switch {
	case s == "":
		return transport.Sender{}, invalidSender("empty")
	case len(s) > maxNumberInput:
		return transport.Sender{}, invalidSender("too long")
	case s[0] == '+' && isE164(s):
		return transport.Sender{Value: s, Kind: transport.SenderInternational}, nil
	case s[0] == '+':
		return internationalSender(s)
	case allDigits(s) && len(s) < minShortCode:
		return transport.Sender{}, invalidSender("too short for a short code")
	case allDigits(s) && len(s) <= maxShortCode:
		return transport.Sender{Value: s, Kind: transport.SenderShortCode}, nil
	case allDigits(s):
		return internationalSender("+" + s)
	}
	return alphanumericSender(s)
}

func invalidSender(reason string) error { return invalidField("parse sender", "from", reason) }

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

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ---- Encoding and segmentation ----

// DefaultMaxSegments is how many parts a message may have unless
// SegmentOptions says otherwise: a runaway text fails instead of billing
// dozens of parts.
const DefaultMaxSegments = 10

// maxConcatParts is the most parts a concatenated SMS can have: the part
// count is one octet of the user data header.
const maxConcatParts = 255

// The segment sizes, in septets (GSM-7) or UTF-16 code units (UCS-2): one
// whole SMS, and one part of a concatenated SMS whose user data header
// carries an 8-bit or a 16-bit reference.
const (
	gsm7Single   = 160
	gsm7Concat8  = 153
	gsm7Concat16 = 152
	ucs2Single   = 70
	ucs2Concat8  = 67
	ucs2Concat16 = 66
)

// SegmentOptions tunes Preview. The zero value (or nil) means automatic
// encoding, 8-bit concatenation references and DefaultMaxSegments.
type SegmentOptions struct {
	// ForceUCS2 sends as UCS-2 even when GSM-7 would do.
	ForceUCS2 bool
	// Concat is the reference width parts are sized for; 0 means
	// transport.Concat8.
	Concat transport.Concat
	// MaxSegments refuses texts that need more parts; 0 means
	// DefaultMaxSegments, at most 255.
	MaxSegments int
}

// Segmentation is how a text is sent: its encoding and its parts.
type Segmentation struct {
	// Encoding is GSM-7 when every character is in the GSM 03.38 basic set
	// or extension table, UCS-2 otherwise (or when forced).
	Encoding transport.Encoding
	// Parts is the text of each part; joined they give the text back
	// exactly.
	Parts []string
	// Units is the whole text's size: septets (GSM-7, extension characters
	// count two) or UTF-16 code units (UCS-2, characters outside the BMP
	// count two).
	Units int
}

// Segments returns the number of parts, the number of SMS billed.
func (s Segmentation) Segments() int { return len(s.Parts) }

// Preview chooses the encoding of text and splits it into parts: one part
// up to 160 septets or 70 UTF-16 units, otherwise parts of 153 / 67 (152 /
// 66 with Concat16), filled greedily. An extension character's escape pair
// and a surrogate pair are never split across parts. Empty text, invalid
// UTF-8 and texts needing more than MaxSegments parts are refused with
// CodeInvalidArgument and a *FieldError for field "text".
func Preview(text string, opts *SegmentOptions) (Segmentation, error) {
	const op = "preview"
	var o SegmentOptions
	if opts != nil {
		o = *opts
	}
	if o.Concat == 0 {
		o.Concat = transport.Concat8
	}
	if o.MaxSegments == 0 {
		o.MaxSegments = DefaultMaxSegments
	}
	switch {
	case o.Concat != transport.Concat8 && o.Concat != transport.Concat16:
		return Segmentation{}, invalidField(op, "concat", "must be 8 or 16")
	case o.MaxSegments < 0 || o.MaxSegments > maxConcatParts:
		return Segmentation{}, invalidField(op, "max segments", "must be between 1 and 255")
	case text == "":
		return Segmentation{}, invalidField(op, "text", "empty")
	case !utf8.ValidString(text):
		return Segmentation{}, invalidField(op, "text", "not valid UTF-8")
	}

	enc, cost := transport.UCS2, ucs2Units
	if !o.ForceUCS2 && gsm7.Encodable(text) {
		enc, cost = transport.GSM7, gsm7.Septets
	}
	units := 0
	for _, r := range text {
		units += cost(r)
	}
	single, part := segmentLimits(enc, o.Concat)
	if units <= single {
		return Segmentation{Encoding: enc, Parts: []string{text}, Units: units}, nil
	}
	if n := fillParts(text, cost, part, nil); n > o.MaxSegments {
		return Segmentation{}, invalidField(op, "text",
			fmt.Sprintf("needs %d segments, maximum is %d", n, o.MaxSegments))
	}
	var parts []string
	fillParts(text, cost, part, func(p string) { parts = append(parts, p) })
	return Segmentation{Encoding: enc, Parts: parts, Units: units}, nil
}

// ucs2Units is the number of UTF-16 code units r takes.
func ucs2Units(r rune) int { return utf16.RuneLen(r) }

// segmentLimits returns the single-SMS and the per-part size for enc.
func segmentLimits(enc transport.Encoding, c transport.Concat) (single, part int) {
	switch {
	case enc == transport.GSM7 && c == transport.Concat16:
		return gsm7Single, gsm7Concat16
	case enc == transport.GSM7:
		return gsm7Single, gsm7Concat8
	case c == transport.Concat16:
		return ucs2Single, ucs2Concat16
	}
	return ucs2Single, ucs2Concat8
}

// fillParts cuts text greedily into parts of at most limit units, whole
// characters only, calls emit (when not nil) with each and returns their
// number.
func fillParts(text string, cost func(rune) int, limit int, emit func(string)) int {
	n, start, used := 0, 0, 0
	for i, r := range text {
		u := cost(r)
		if used+u > limit {
			if emit != nil {
				emit(text[start:i])
			}
			n, start, used = n+1, i, 0
		}
		used += u
	}
	if emit != nil {
		emit(text[start:])
	}
	return n + 1
}
