package smpptransport

import (
	"math/big"
	"strconv"
	"strings"
)

// normalizeID brings an SMSC message id into the one form used on both
// sides, submit_sm_resp and receipts. With base 10 or 16 the id is read as
// a number in that base and written in decimal; otherwise (or when it is
// not such a number) it is an opaque string: trimmed, lower-cased, and,
// when it consists of hex digits, stripped of leading zeros.
func normalizeID(id string, base int) string {
	id = strings.TrimSpace(strings.TrimRight(id, "\x00"))
	if base == 10 || base == 16 {
		if v, err := strconv.ParseUint(id, base, 64); err == nil {
			return strconv.FormatUint(v, 10)
		}
		if v, ok := new(big.Int).SetString(id, base); ok && v.Sign() >= 0 {
			return v.String()
		}
	}
	id = strings.ToLower(id)
	if isHex(id) {
		if t := strings.TrimLeft(id, "0"); t != "" {
			return t
		}
		return "0"
	}
	return id
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return s != ""
}

// mask hides all but the last three characters of an id for logs.
func mask(s string) string {
	if len(s) <= 3 {
		return "***"
	}
	return "***" + s[len(s)-3:]
}
