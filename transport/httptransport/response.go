package httptransport

import (
	"errors"
	"strconv"
	"strings"
)

// Answer is what an accepted submit's answer says.
type Answer struct {
	// IDs holds the operator's id(s): one for the message, one per part,
	// or none.
	IDs []string
	// Parts is the segment count the operator reports (0: not said).
	Parts int
	// Price is the operator's price, verbatim (a number, maybe a currency).
	Price string
}

var (
	errTrailingData = errors.New("trailing data after JSON value")
	errNoID         = errors.New("answer carries no message id")
	errBadID        = errors.New("answer's message id is not a string or number")
	errBadParts     = errors.New("answer's part count is not a positive integer")
)

// Read parses an accepted submit's answer. An error means the answer is
// malformed, which the transport reports as outcome unknown.
func (s *ResponseSpec) Read(body []byte) (Answer, error) {
	var a Answer
	if s.Format == ResponseText {
		if s.IDPattern != nil {
			if m := s.IDPattern.FindSubmatch(body); len(m) > 1 && len(m[1]) > 0 {
				a.IDs = []string{string(m[1])}
			}
		}
		if s.RequireID && len(a.IDs) == 0 {
			return Answer{}, errNoID
		}
		if s.PartsPattern != nil {
			if m := s.PartsPattern.FindSubmatch(body); len(m) > 1 {
				n, err := strconv.Atoi(string(m[1]))
				if err != nil || n < 1 {
					return Answer{}, errBadParts
				}
				a.Parts = n
			}
		}
		return a, nil
	}
	v, err := decodeJSON(body)
	if err != nil {
		return Answer{}, err
	}
	if _, ok := v.(map[string]any); !ok {
		return Answer{}, errors.New("answer is not a JSON object")
	}
	if s.ID != "" {
		ids, err := readIDs(lookup(v, s.ID))
		if err != nil {
			return Answer{}, err
		}
		a.IDs = ids
	}
	if s.RequireID && len(a.IDs) == 0 {
		return Answer{}, errNoID
	}
	if p, ok := scalar(lookup(v, s.Parts)); ok {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			return Answer{}, errBadParts
		}
		a.Parts = n
	}
	if p, ok := scalar(lookup(v, s.Price)); ok {
		a.Price = scalePrice(p, s.PriceDecimals)
	}
	return a, nil
}

// scalePrice reads an integer price p as a count of 10^-decimals of the
// currency and writes it as a decimal ("3500", 4 → "0.35"), exactly, with
// no trailing zeros. A price that is not an integer gives "": read as a
// count it would be misread. decimals 0 keeps p as it is.
func scalePrice(p string, decimals int) string {
	if decimals == 0 {
		return p
	}
	digits, neg := strings.CutPrefix(p, "-")
	if digits == "" || len(digits) > 30 || strings.Trim(digits, "0123456789") != "" {
		return ""
	}
	if len(digits) <= decimals {
		digits = strings.Repeat("0", decimals-len(digits)+1) + digits
	}
	whole, frac := strings.TrimLeft(digits[:len(digits)-decimals], "0"), strings.TrimRight(digits[len(digits)-decimals:], "0")
	if whole == "" {
		whole = "0"
	}
	out := whole
	if frac != "" {
		out += "." + frac
	}
	if neg && out != "0" {
		out = "-" + out
	}
	return out
}

// readIDs accepts a scalar id or an array of scalar ids; nil is no id.
func readIDs(v any) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	if arr, ok := v.([]any); ok {
		ids := make([]string, 0, len(arr))
		for _, e := range arr {
			id, ok := scalar(e)
			if !ok || !validID(id) {
				return nil, errBadID
			}
			ids = append(ids, id)
		}
		return ids, nil
	}
	id, ok := scalar(v)
	if !ok || !validID(id) {
		return nil, errBadID
	}
	return []string{id}, nil
}

// maxIDLen bounds ids and references taken from outside input.
const maxIDLen = 128

// validID reports whether id is a plausible operator id or reference:
// 1–128 printable ASCII characters without spaces.
func validID(id string) bool {
	if id == "" || len(id) > maxIDLen {
		return false
	}
	return !strings.ContainsFunc(id, func(r rune) bool { return r <= ' ' || r > '~' })
}
