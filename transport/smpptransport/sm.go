package smpptransport

import (
	"bytes"
	"encoding/binary"
	"errors"

	"github.com/fiorix/go-smpp/smpp/pdu"
)

// sm is a deliver_sm or data_sm as read off the wire: what the SMSC
// delivers, a delivery receipt or a message from a handset. The package
// reads these two PDUs itself rather than with go-smpp's codec, which has
// no data_sm and reads a user data header whose lengths lie into the
// wrong fields; every slice points into the frame.
type sm struct {
	id       pdu.ID // pdu.DeliverSMID or pdu.DataSMID
	srcTON   uint8
	src      string
	dstTON   uint8
	dst      string
	esmClass uint8
	coding   uint8
	// short is the short_message (nil for data_sm, which has none).
	short []byte
	tlvs  []tlv
}

// tlv is one optional parameter.
type tlv struct {
	tag uint16
	val []byte
}

// TLV tags read from deliver_sm and data_sm.
const (
	tagReceiptedMessageID uint16 = 0x001E
	tagSarMsgRefNum       uint16 = 0x020C
	tagSarTotalSegments   uint16 = 0x020E
	tagSarSegmentSeqnum   uint16 = 0x020F
	tagNetworkErrorCode   uint16 = 0x0423
	tagMessagePayload     uint16 = 0x0424
	tagMessageState       uint16 = 0x0427
)

// Why a deliver_sm or data_sm cannot be read at all. Such a PDU names no
// sender or nothing can be trusted of it: it is answered with the
// command_status each error maps to (answerOf), a permanent refusal.
var (
	errTruncated = errors.New("smpp: PDU body ends inside a mandatory field")
	errTLVStream = errors.New("smpp: optional parameters do not parse")
)

// parseSM reads the body (after the header) of a deliver_sm or data_sm.
func parseSM(id pdu.ID, body []byte) (*sm, error) {
	r := reader{b: body}
	s := &sm{id: id}
	r.cstring() // service_type
	s.srcTON = r.byte()
	r.byte() // source_addr_npi
	s.src = r.cstring()
	s.dstTON = r.byte()
	r.byte() // dest_addr_npi
	s.dst = r.cstring()
	s.esmClass = r.byte()
	if id == pdu.DeliverSMID {
		r.byte()    // protocol_id
		r.byte()    // priority_flag
		r.cstring() // schedule_delivery_time
		r.cstring() // validity_period
		r.byte()    // registered_delivery
		r.byte()    // replace_if_present_flag
		s.coding = r.byte()
		r.byte() // sm_default_msg_id
		n := int(r.byte())
		s.short = r.take(n)
	} else {
		r.byte() // registered_delivery
		s.coding = r.byte()
	}
	if r.bad {
		return nil, errTruncated
	}
	for len(r.b) > 0 {
		if len(r.b) < 4 {
			return nil, errTLVStream
		}
		tag, n := binary.BigEndian.Uint16(r.b), int(binary.BigEndian.Uint16(r.b[2:]))
		if len(r.b) < 4+n {
			return nil, errTLVStream
		}
		s.tlvs = append(s.tlvs, tlv{tag: tag, val: r.b[4 : 4+n : 4+n]})
		r.b = r.b[4+n:]
	}
	return s, nil
}

// tlv returns the value of the first optional parameter with tag, and
// whether there was one.
func (s *sm) tlv(tag uint16) ([]byte, bool) {
	for _, t := range s.tlvs {
		if t.tag == tag {
			return t.val, true
		}
	}
	return nil, false
}

// reader reads a PDU body; running off its end sets bad.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) byte() uint8 {
	if len(r.b) == 0 {
		r.bad = true
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// cstring reads a C-octet string up to and including its NUL.
func (r *reader) cstring() string {
	i := bytes.IndexByte(r.b, 0)
	if i < 0 {
		r.bad, r.b = true, nil
		return ""
	}
	s := string(r.b[:i])
	r.b = r.b[i+1:]
	return s
}

func (r *reader) take(n int) []byte {
	if len(r.b) < n {
		r.bad, r.b = true, nil
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

// The command_status values a deliver_sm or data_sm that cannot be read
// is refused with, for good.
const (
	statusInvalidCmdLen CommandStatus = 0x02 // ESME_RINVCMDLEN
	statusInvalidTLVs   CommandStatus = 0xC0 // ESME_RINVOPTPARSTREAM
)

// answerOf is the command_status refusing a PDU parseSM failed on.
func answerOf(err error) CommandStatus {
	if errors.Is(err, errTLVStream) {
		return statusInvalidTLVs
	}
	return statusInvalidCmdLen
}
