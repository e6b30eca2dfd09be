package pii

import (
	"errors"
	"strings"

	"github.com/azenna/advox/internal/errs"
)

// ErrSoleTraderNumber is the cause of the error ValidateOrgNumber and
// ValidateVATNumber return for a sole trader's number, which is the
// owner's personal identity number. Such errors also match
// ErrPersonalNumber.
var ErrSoleTraderNumber = errors.New("a sole trader's organisation number is the owner's personal identity number, " +
	"which is never collected: register the business without it")

// ValidateOrgNumber checks a Swedish organisationsnummer: 10 digits, or 12
// starting with "16", with optional spaces and "-"; digits 3–4 must form a
// number of at least 20 and the Luhn check must pass. A personnummer or
// samordningsnummer (a sole trader's number) is refused with CodePersonalNumber
// and ErrSoleTraderNumber as cause. Errors are *advox.Error values and
// never contain the number.
func ValidateOrgNumber(s string) error {
	return validateOrgNumber("validate org number", s)
}

func validateOrgNumber(op, s string) error {
	err := checkOrgNumber(op, s)
	if codeOf(err) == errs.CodeInvalidArgument && ContainsPersonalNumber(s) {
		// Not an organisation number, but a personal identity number (or
		// a VAT number made of one): refused as such, like in any field.
		return &errs.Error{Op: op, Code: errs.CodePersonalNumber, Err: ErrSoleTraderNumber}
	}
	return err
}

func checkOrgNumber(op, s string) error {
	d, ok := compactDigits(s)
	if ok && len(d) == 12 {
		if isPnr12([]byte(d)) {
			return &errs.Error{Op: op, Code: errs.CodePersonalNumber, Err: ErrSoleTraderNumber}
		}
		if !strings.HasPrefix(d, "16") {
			return errs.New(op, errs.CodeInvalidArgument, "a 12-digit organisation number starts with 16")
		}
		d = d[2:]
	}
	if !ok || len(d) != 10 {
		return errs.New(op, errs.CodeInvalidArgument, "an organisation number has 10 digits, or 12 starting with 16")
	}
	b := []byte(d)
	if isPnr10(b, false) || isPnr10(b, true) {
		return &errs.Error{Op: op, Code: errs.CodePersonalNumber, Err: ErrSoleTraderNumber}
	}
	if num(b[2:4]) < 20 {
		return errs.New(op, errs.CodeInvalidArgument, "digits 3–4 of an organisation number form a number of at least 20")
	}
	if !luhnValid(b) {
		return errs.New(op, errs.CodeInvalidArgument, "the check digit of the organisation number is wrong")
	}
	return nil
}

// ValidateVATNumber checks a Swedish VAT number: "SE", the 10 digits of an
// organisation number, then "01" (spaces and "-" allowed). One whose core
// is a personal identity number (a sole trader's) is refused like
// ValidateOrgNumber refuses it.
func ValidateVATNumber(s string) error {
	const op = "validate vat number"
	err := checkVATNumber(op, s)
	if codeOf(err) == errs.CodeInvalidArgument && ContainsPersonalNumber(s) {
		return &errs.Error{Op: op, Code: errs.CodePersonalNumber, Err: ErrSoleTraderNumber}
	}
	return err
}

func checkVATNumber(op, s string) error {
	t := strings.TrimSpace(s)
	if len(t) < 2 || !strings.EqualFold(t[:2], "SE") {
		return errs.New(op, errs.CodeInvalidArgument, "a Swedish VAT number starts with SE")
	}
	d, ok := compactDigits(t[2:])
	if !ok || len(d) != 12 || !strings.HasSuffix(d, "01") {
		return errs.New(op, errs.CodeInvalidArgument, "a Swedish VAT number is SE, 10 digits and 01")
	}
	if err := validateOrgNumber(op, d[:10]); err != nil {
		if codeOf(err) == errs.CodePersonalNumber {
			return err
		}
		return errs.New(op, errs.CodeInvalidArgument, "the VAT number's core is not a valid organisation number")
	}
	return nil
}

// compactDigits removes separators (as the personnummer guard sees them)
// and reports whether only digits remain; the digits come back ASCII.
func compactDigits(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		if d, ok := digitValue(r); ok {
			b.WriteByte('0' + byte(d))
			continue
		}
		if !isPnrSeparator(r) {
			return "", false
		}
	}
	return b.String(), true
}

// codeOf returns the code of an error of this file.
func codeOf(err error) errs.Code {
	var e *errs.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return errs.CodeUnknown
}
