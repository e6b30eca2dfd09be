package smpptransport

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/azenna/advox/gsm7"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport/internal/wire"
	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutlv"
)

// The data_coding values sent.
const (
	codingGSM7 = 0x00 // SMSC default alphabet, unpacked septets
	codingUCS2 = 0x08 // UTF-16BE
)

// maxShortMessage is the largest short_message (sm_length is one octet).
const maxShortMessage = 254

// rejectf builds a local refusal: nothing was sent, and resending the
// same message cannot succeed.
func rejectf(format string, args ...any) error {
	return fmt.Errorf("smpp: "+format+": %w", append(args, transport.ErrRejected)...)
}

// encodeParts encodes every part's text for the wire: GSM-7 as unpacked
// septets (never passing unencodable text through), UCS-2 as UTF-16BE.
func encodeParts(m *transport.Message) ([][]byte, uint8, error) {
	if len(m.Parts) == 0 {
		return nil, 0, rejectf("message has no parts")
	}
	if len(m.Parts) > 255 {
		return nil, 0, rejectf("message has %d parts, more than 255", len(m.Parts))
	}
	out := make([][]byte, len(m.Parts))
	switch m.Encoding {
	case transport.GSM7:
		for i, p := range m.Parts {
			b, err := gsm7.Encode(p)
			if err != nil {
				return nil, 0, rejectf("part %d: %v", i+1, err)
			}
			out[i] = b
		}
		return out, codingGSM7, nil
	case transport.UCS2:
		for i, p := range m.Parts {
			out[i] = wire.UTF16BE(p)
		}
		return out, codingUCS2, nil
	}
	return nil, 0, rejectf("unsupported encoding %q", m.Encoding)
}

// udh returns the concatenation user data header of part i (0-based) of
// n, with an 8-bit or 16-bit reference.
func udh(c transport.Concat, ref uint16, i, n int) []byte {
	if c == transport.Concat16 {
		return []byte{0x06, 0x08, 0x04, byte(ref >> 8), byte(ref), byte(n), byte(i + 1)}
	}
	return []byte{0x05, 0x00, 0x03, byte(ref), byte(n), byte(i + 1)}
}

// addrOf chooses the TON/NPI and wire form of an address.
func addrOf(value string, kind transport.SenderKind, override *AddrType) (AddrType, string) {
	var a AddrType
	switch {
	case kind == transport.SenderAlphanumeric:
		a = AddrType{TON: 5, NPI: 0}
	case kind == transport.SenderShortCode:
		a = AddrType{TON: 3, NPI: 0}
	case kind == transport.SenderInternational, strings.HasPrefix(value, "+"):
		a = AddrType{TON: 1, NPI: 1}
		value = strings.TrimPrefix(value, "+")
	case isDigits(value):
		a = AddrType{TON: 0, NPI: 1}
	default:
		a = AddrType{TON: 5, NPI: 0}
	}
	if override != nil {
		a = *override
	}
	return a, value
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// validity formats d in SMPP's relative time format, YYMMDDhhmmss000R
// (days beyond 30 carried into months, capped at 99 months).
func validity(d time.Duration) string {
	s := int64(d / time.Second)
	if s <= 0 {
		return ""
	}
	days := s / 86400
	months := min(days/30, 99)
	days -= months * 30
	if months == 99 {
		days = min(days, 30)
	}
	s %= 86400
	return fmt.Sprintf("00%02d%02d%02d%02d%02d000R", months, days, s/3600, s/60%60, s%60)
}

// build makes the submit_sm frames of m: one per part (only the parts
// idx lists, when it is not nil), or one carrying the whole text in
// message_payload when the transport is so configured. The sequence
// number is filled in when a frame is sent.
//
// submit_sm is encoded here, appending to one buffer, rather than with
// go-smpp's codec, which builds maps per PDU: this is the hot path.
func (t *Transport) build(m *transport.Message, texts [][]byte, coding uint8, ref uint16, idx []int) ([][]byte, error) {
	src, srcAddr := addrOf(m.From.Value, m.From.Kind, t.cfg.Source)
	dst, dstAddr := addrOf(m.To, transport.SenderInternational, t.cfg.Dest)
	vp := t.cfg.ValidityPeriod
	if m.ValidFor > 0 {
		vp = m.ValidFor
	}
	h := submitHeader{
		serviceType: t.cfg.ServiceType, src: src, srcAddr: srcAddr, dst: dst, dstAddr: dstAddr,
		validity: validity(vp), coding: coding,
	}
	if m.ReportRequested {
		h.registered = t.cfg.RegisteredDelivery
	}
	if t.cfg.Payload {
		var payload []byte
		for _, b := range texts {
			payload = append(payload, b...)
		}
		if len(payload) > 0xFFFF {
			return nil, rejectf("message of %d octets is too long for message_payload", len(payload))
		}
		return [][]byte{h.frame(0, nil, nil, payload)}, nil
	}
	n := len(texts)
	if idx != nil {
		n = len(idx)
	}
	out := make([][]byte, n)
	for k := range out {
		i := k
		if idx != nil {
			i = idx[k]
		}
		b := texts[i]
		var esm uint8
		var head []byte
		if len(texts) > 1 {
			esm, head = 0x40, udh(m.Concat, ref, i, len(texts))
		}
		if n := len(head) + len(b); n > maxShortMessage {
			return nil, rejectf("part %d is %d octets, more than short_message holds", i+1, n)
		}
		out[k] = h.frame(esm, head, b, nil)
	}
	return out, nil
}

// submitHeader holds the submit_sm fields shared by every part.
type submitHeader struct {
	serviceType      string
	src, dst         AddrType
	srcAddr, dstAddr string
	validity         string
	registered       uint8
	coding           uint8
}

// frame encodes one submit_sm: short_message is head followed by sm; a
// non-nil payload goes in the message_payload TLV instead.
func (h *submitHeader) frame(esm uint8, head, sm, payload []byte) []byte {
	n := pdu.HeaderLen + len(h.serviceType) + len(h.srcAddr) + len(h.dstAddr) + len(h.validity) + 17 +
		len(head) + len(sm)
	if payload != nil {
		n += 4 + len(payload)
	}
	b := make([]byte, pdu.HeaderLen, n)
	b = appendCString(b, h.serviceType)
	b = append(b, h.src.TON, h.src.NPI)
	b = appendCString(b, h.srcAddr)
	b = append(b, h.dst.TON, h.dst.NPI)
	b = appendCString(b, h.dstAddr)
	b = append(b, esm, 0, 0) // esm_class, protocol_id, priority_flag
	b = append(b, 0)         // schedule_delivery_time: immediate
	b = appendCString(b, h.validity)
	b = append(b, h.registered, 0, h.coding, 0, byte(len(head)+len(sm)))
	b = append(append(b, head...), sm...)
	if payload != nil {
		b = binary.BigEndian.AppendUint16(b, uint16(pdutlv.TagMessagePayload))
		b = binary.BigEndian.AppendUint16(b, uint16(len(payload)))
		b = append(b, payload...)
	}
	binary.BigEndian.PutUint32(b[0:], uint32(len(b)))
	binary.BigEndian.PutUint32(b[4:], uint32(pdu.SubmitSMID))
	return b
}

func appendCString(b []byte, s string) []byte {
	return append(append(b, s...), 0)
}
