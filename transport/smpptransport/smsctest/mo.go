package smsctest

import (
	"errors"
	"fmt"
	"strings"

	"github.com/azenna/advox/gsm7"
	"github.com/azenna/advox/transport/smpptransport/internal/wire"
	"github.com/fiorix/go-smpp/smpp/pdu"
)

// ConcatMethod is how the parts of an injected message say they belong
// together.
type ConcatMethod int

// The concatenation methods.
const (
	// ConcatUDH8 is a user data header with IEI 0x00 (8-bit reference).
	ConcatUDH8 ConcatMethod = iota
	// ConcatUDH16 is a user data header with IEI 0x08 (16-bit reference).
	ConcatUDH16
	// ConcatSAR is the SAR TLVs (sar_msg_ref_num, sar_total_segments,
	// sar_segment_seqnum), with no header in the user data.
	ConcatSAR
)

// MO is a message from a handset (mobile originated) for InjectMO to
// deliver to the client, as an SMSC delivers one.
type MO struct {
	// From is the sender and To the destination: "+" and digits are
	// international numbers (TON 1, NPI 1), other digits a national
	// number or short code (TON 0, NPI 1), anything else alphanumeric
	// (TON 5, NPI 0).
	From, To string
	// Text is the message, coded as DataCoding says: 0 GSM 7-bit
	// (unpacked septets), 1 ASCII, 3 Latin-1, 8 UCS-2 (UTF-16BE). Data,
	// when not nil, is sent instead, as it is, with any DataCoding (binary
	// data, or malformed text).
	Text       string
	Data       []byte
	DataCoding uint8
	// Parts splits the message into that many parts of one concatenated
	// message (0 or 1: a single part): the octets of UCS-2 text and of
	// Data are cut evenly (so a surrogate pair may be split across parts,
	// as handsets do), other text between characters.
	Parts int
	// Concat is how the parts carry their concatenation data, and Ref the
	// reference they share (cut to 8 bits for ConcatUDH8).
	Concat ConcatMethod
	Ref    uint16
	// Order is the order the parts are delivered in, by part number
	// (1-based); a number given twice is delivered twice (a duplicate).
	// Empty: each part once, in order.
	Order []int
	// Payload sends the user data in the message_payload TLV instead of
	// short_message (which data_sm has not: DataSM implies it).
	Payload bool
	// DataSM sends data_sm instead of deliver_sm.
	DataSM bool
}

// moPart identifies a delivered part of an injected message.
type moPart struct {
	to   string
	ref  uint16
	part int
}

// MOAnswer is the client's answer to one delivery of a part of an
// injected message.
type MOAnswer struct {
	// To is the message's destination, Ref its reference and Part the
	// part's number (1-based).
	To   string
	Ref  uint16
	Part int
	// Delivery counts the deliveries of the part so far: 1 for the first,
	// more for a redelivery after a refusal or a lost connection.
	Delivery int
	// Status is the command_status of the deliver_sm_resp (or
	// data_sm_resp): 0 accepted, ESME_RX_T_APPN (StatusTempAppError)
	// asking for a redelivery.
	Status CommandStatus
}

// InjectMO delivers the parts of m to a receiver or transceiver bind of
// the configured system id (waiting for one to bind if there is none), in
// m.Order. A part the client answers with a non-zero command_status, or
// leaves unanswered when its connection closes, is delivered again after
// Options.RedeliveryDelay, up to Options.MaxDeliveries times, as receipts
// are. MOAnswers records every answer.
func (s *Server) InjectMO(m MO) error {
	parts, err := moUserData(m)
	if err != nil {
		return err
	}
	n := len(parts)
	order := m.Order
	if len(order) == 0 {
		for i := range n {
			order = append(order, i+1)
		}
	}
	for _, p := range order {
		if p < 1 || p > n {
			return fmt.Errorf("smsctest: MO.Order names part %d of %d", p, n)
		}
	}
	ref := m.Ref
	if m.Concat == ConcatUDH8 {
		ref &= 0xFF
	}
	for _, p := range order {
		s.sendReceipt(outbound{
			systemID: s.cfg.SystemID,
			body:     moBody(m, parts[p-1], ref, p, n),
			cmd:      map[bool]pdu.ID{false: pdu.DeliverSMID, true: pdu.DataSMID}[m.DataSM],
			mo:       &moPart{to: m.To, ref: ref, part: p},
		}, nil, 0)
	}
	return nil
}

// MOAnswers returns every answer the client gave to deliveries of
// injected parts, in the order they came.
func (s *Server) MOAnswers() []MOAnswer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]MOAnswer(nil), s.moAnswers...)
}

// moUserData codes m and cuts it into its parts' user data.
func moUserData(m MO) ([][]byte, error) {
	n := max(1, m.Parts)
	if n > 255 {
		return nil, errors.New("smsctest: MO.Parts above 255")
	}
	if m.Data != nil || m.DataCoding == 0x08 {
		data := m.Data
		unit := 1
		if data == nil {
			data, unit = wire.UTF16BE(m.Text), 2
		}
		units := len(data) / unit
		if units < n {
			return nil, errors.New("smsctest: more MO parts than units of data")
		}
		out := make([][]byte, n)
		for i := range out {
			out[i] = data[i*units/n*unit : (i+1)*units/n*unit]
		}
		if units*unit < len(data) { // an odd octet goes with the last part
			out[n-1] = data[(n-1)*units/n*unit:]
		}
		return out, nil
	}
	runes := []rune(m.Text)
	if len(runes) < n {
		return nil, errors.New("smsctest: more MO parts than characters")
	}
	out := make([][]byte, n)
	for i := range out {
		chunk := string(runes[i*len(runes)/n : (i+1)*len(runes)/n])
		b, err := codeText(chunk, m.DataCoding)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

// codeText codes text in data_coding 0 (GSM 7-bit), 1 (ASCII) or 3
// (Latin-1).
func codeText(text string, coding uint8) ([]byte, error) {
	switch coding {
	case 0x00:
		return gsm7.Encode(text)
	case 0x01, 0x03:
		limit := rune(0x7F)
		if coding == 0x03 {
			limit = 0xFF
		}
		b := make([]byte, 0, len(text))
		for _, r := range text {
			if r > limit {
				return nil, fmt.Errorf("smsctest: %q cannot be coded with data_coding %d", r, coding)
			}
			b = append(b, byte(r))
		}
		return b, nil
	}
	return nil, fmt.Errorf("smsctest: give Data for data_coding %d", coding)
}

// moAddr is an address's TON, NPI and wire form (see MO.From).
func moAddr(a string) Addr {
	switch {
	case strings.HasPrefix(a, "+"):
		return Addr{TON: 1, NPI: 1, Value: a[1:]}
	case a != "" && strings.Trim(a, "0123456789") == "":
		return Addr{TON: 0, NPI: 1, Value: a}
	}
	return Addr{TON: 5, NPI: 0, Value: a}
}

// moBody builds the deliver_sm or data_sm body of part p (1-based) of n
// with user data ud.
func moBody(m MO, ud []byte, ref uint16, p, n int) []byte {
	esm := byte(0)
	var tlvs []byte
	if n > 1 {
		switch m.Concat {
		case ConcatUDH8:
			esm, ud = 0x40, append([]byte{5, 0x00, 3, byte(ref), byte(n), byte(p)}, ud...)
		case ConcatUDH16:
			esm, ud = 0x40, append([]byte{6, 0x08, 4, byte(ref >> 8), byte(ref), byte(n), byte(p)}, ud...)
		case ConcatSAR:
			tlvs = tlv(tlvs, 0x020C, []byte{byte(ref >> 8), byte(ref)})
			tlvs = tlv(tlvs, 0x020E, []byte{byte(n)})
			tlvs = tlv(tlvs, 0x020F, []byte{byte(p)})
		}
	}
	src, dst := moAddr(m.From), moAddr(m.To)
	b := cstring(nil, "") // service_type
	b = append(b, src.TON, src.NPI)
	b = cstring(b, src.Value)
	b = append(b, dst.TON, dst.NPI)
	b = cstring(b, dst.Value)
	if m.DataSM {
		b = append(b, esm, 0, m.DataCoding) // esm_class, registered_delivery, data_coding
		b = append(b, tlvs...)
		return tlv(b, 0x0424, ud)
	}
	b = append(b, esm, 0, 0) // esm_class, protocol_id, priority_flag
	b = cstring(b, "")       // schedule_delivery_time
	b = cstring(b, "")       // validity_period
	b = append(b, 0, 0, m.DataCoding, 0)
	if m.Payload || len(ud) > maxShortMessage {
		b = append(b, 0)
		tlvs = tlv(tlvs, 0x0424, ud)
	} else {
		b = append(b, byte(len(ud)))
		b = append(b, ud...)
	}
	return append(b, tlvs...)
}
