package smpptransport

import (
	"cmp"
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport/internal/wire"
)

// receiptText is what the text form of a delivery receipt says. The
// "text:" field (the first characters of the message) is never kept.
type receiptText struct {
	id, stat, err, done string
}

// receiptKeys are the keys of the text form, lower-case, including the
// spellings SMSCs use besides the SMPP 3.4 appendix B one.
var receiptKeys = []struct{ key, field string }{
	{"submit date:", "submit"}, {"submit_date:", "submit"}, {"submitdate:", "submit"},
	{"done date:", "done"}, {"done_date:", "done"}, {"donedate:", "done"},
	{"id:", "id"}, {"sub:", "sub"}, {"dlvrd:", "dlvrd"},
	{"stat:", "stat"}, {"err:", "err"}, {"text:", "text"},
}

// parseReceiptText reads "id:… sub:… dlvrd:… submit date:… done date:…
// stat:… err:… text:…" with keys in any case and order, fields missing
// or empty. Parsing stops at "text:": what follows is message text.
func parseReceiptText(s string) receiptText {
	var r receiptText
	for i := 0; i < len(s); {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		field, n := matchKey(s[i:])
		if n == 0 { // not a key: skip the token
			for i < len(s) && !isSpace(s[i]) {
				i++
			}
			continue
		}
		if field == "text" {
			break
		}
		i += n
		j := i
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if _, k := matchKey(s[j:]); k > 0 { // empty value
			i = j
			continue
		}
		start := j
		for i = j; i < len(s) && !isSpace(s[i]); i++ {
		}
		v := s[start:i]
		switch field {
		case "id":
			r.id = cmp.Or(r.id, v)
		case "stat":
			r.stat = cmp.Or(r.stat, v)
		case "err":
			r.err = cmp.Or(r.err, v)
		case "done":
			r.done = cmp.Or(r.done, v)
		}
	}
	return r
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0 }

// matchKey reports which receipt key s starts with (ASCII case folded)
// and its length, or 0.
func matchKey(s string) (string, int) {
	for _, k := range receiptKeys {
		if len(s) >= len(k.key) && asciiEqualFold(s[:len(k.key)], k.key) {
			return k.field, len(k.key)
		}
	}
	return "", 0
}

func asciiEqualFold(s, lower string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// statOf maps a receipt's stat to the core vocabulary.
func statOf(stat string) (transport.Status, bool) {
	switch strings.ToUpper(stat) {
	case "DELIVRD", "DELIVERED":
		return transport.StatusDelivered, true
	case "EXPIRED":
		return transport.StatusExpired, true
	case "DELETED":
		return transport.StatusDeleted, true
	case "UNDELIV", "UNDELIVERABLE":
		return transport.StatusUndeliverable, true
	case "ACCEPTD", "ACCEPTED":
		return transport.StatusAccepted, true
	case "UNKNOWN":
		return transport.StatusUnknown, true
	case "REJECTD", "REJECTED":
		return transport.StatusRejected, true
	case "ENROUTE":
		return transport.StatusEnroute, true
	}
	return "", false
}

// stateOf maps the message_state TLV to the core vocabulary.
func stateOf(b []byte) (transport.Status, bool) {
	if len(b) != 1 {
		return "", false
	}
	switch b[0] {
	case 1:
		return transport.StatusEnroute, true
	case 2:
		return transport.StatusDelivered, true
	case 3:
		return transport.StatusExpired, true
	case 4:
		return transport.StatusDeleted, true
	case 5:
		return transport.StatusUndeliverable, true
	case 6:
		return transport.StatusAccepted, true
	case 7:
		return transport.StatusUnknown, true
	case 8:
		return transport.StatusRejected, true
	}
	return "", false
}

// receiptDate reads a receipt date: YYMMDDhhmm, YYMMDDhhmmss or
// YYYYMMDDhhmmss. Anything else is the zero time (unknown).
func receiptDate(s string, loc *time.Location) time.Time {
	var layout string
	switch len(s) {
	case 10:
		layout = "0601021504"
	case 12:
		layout = "060102150405"
	case 14:
		layout = "20060102150405"
	default:
		return time.Time{}
	}
	if !isDigits(s) {
		return time.Time{}
	}
	t, err := time.ParseInLocation(layout, s, loc)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Why a deliver_sm yields no report.
var (
	errNotReceipt = errors.New("smpp: deliver_sm is not a delivery receipt")
	errNoID       = errors.New("smpp: delivery receipt without message id")
	errNoStatus   = errors.New("smpp: delivery receipt without a known status")
)

// reportOf turns a deliver_sm or data_sm carrying a delivery receipt into
// a Report. The receipted_message_id and message_state TLVs win over the
// text.
func (t *Transport) reportOf(s *sm) (transport.Report, error) {
	if mt := s.esmClass & 0x3C; mt != 0x04 && mt != 0x20 {
		return transport.Report{}, errNotReceipt
	}
	raw := s.short
	if v, ok := s.tlv(tagMessagePayload); len(raw) == 0 && ok {
		raw = v
	}
	text := string(raw)
	if s.coding == codingUCS2 {
		text = wire.FromUTF16BE(raw)
	}
	rt := parseReceiptText(text)

	var r transport.Report
	if v, ok := s.tlv(tagReceiptedMessageID); ok && strings.TrimRight(string(v), "\x00") != "" {
		r.OperatorID = normalizeID(string(v), t.cfg.SubmitIDBase)
	} else if rt.id != "" {
		r.OperatorID = normalizeID(rt.id, t.cfg.ReceiptIDBase)
	}
	if r.OperatorID == "" {
		return r, errNoID
	}
	ok := false
	if v, has := s.tlv(tagMessageState); has {
		r.Status, ok = stateOf(v)
	}
	if !ok {
		r.Status, ok = statOf(rt.stat)
	}
	if !ok {
		return r, errNoStatus
	}
	r.ErrorCode = strings.TrimSpace(rt.err)
	if strings.Trim(r.ErrorCode, "0") == "" {
		r.ErrorCode = ""
	}
	if v, has := s.tlv(tagNetworkErrorCode); r.ErrorCode == "" && has && len(v) == 3 {
		if code := binary.BigEndian.Uint16(v[1:]); code != 0 {
			r.ErrorCode = strconv.Itoa(int(code))
		}
	}
	r.At = receiptDate(rt.done, t.cfg.ReceiptLocation)
	return r, nil
}
