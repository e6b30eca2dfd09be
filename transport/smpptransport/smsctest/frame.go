package smsctest

import (
	"encoding/binary"

	"github.com/fiorix/go-smpp/smpp/pdu"
)

// The simulator writes its few outbound PDUs by hand rather than with
// go-smpp's codec: that codec serialises deliver_sm with a stray UDH
// length octet, and faults need to forge sequence numbers.

// frame builds a whole PDU: header and body.
func frame(id pdu.ID, status CommandStatus, seq uint32, body []byte) []byte {
	b := make([]byte, pdu.HeaderLen, pdu.HeaderLen+len(body))
	binary.BigEndian.PutUint32(b[0:], uint32(pdu.HeaderLen+len(body)))
	binary.BigEndian.PutUint32(b[4:], uint32(id))
	binary.BigEndian.PutUint32(b[8:], uint32(status))
	binary.BigEndian.PutUint32(b[12:], seq)
	return append(b, body...)
}

func cstring(b []byte, s string) []byte {
	return append(append(b, s...), 0)
}

func tlv(b []byte, tag uint16, v []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, tag)
	b = binary.BigEndian.AppendUint16(b, uint16(len(v)))
	return append(b, v...)
}

// maxShortMessage is the longest short_message; longer texts go in the
// message_payload TLV.
const maxShortMessage = 254

// deliverBody builds the body of a deliver_sm carrying a delivery receipt
// (esm_class 0x04) with an ASCII text and optional TLVs. A text too long
// for short_message goes in message_payload, with sm_length 0.
func deliverBody(src, dst Addr, text string, tlvs []byte) []byte {
	if len(text) > maxShortMessage {
		tlvs = tlv(append([]byte(nil), tlvs...), 0x0424, []byte(text))
		text = ""
	}
	b := make([]byte, 0, 64+len(text)+len(tlvs))
	b = cstring(b, "") // service_type
	b = append(b, src.TON, src.NPI)
	b = cstring(b, src.Value)
	b = append(b, dst.TON, dst.NPI)
	b = cstring(b, dst.Value)
	b = append(b, 0x04, 0, 0) // esm_class, protocol_id, priority_flag
	b = cstring(b, "")        // schedule_delivery_time
	b = cstring(b, "")        // validity_period
	b = append(b, 0, 0, 0, 0, byte(len(text)))
	b = append(b, text...)
	return append(b, tlvs...)
}
