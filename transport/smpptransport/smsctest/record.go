package smsctest

import (
	"strings"

	"github.com/azenna/advox/gsm7"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport/internal/wire"
	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/fiorix/go-smpp/smpp/pdu/pdufield"
	"github.com/fiorix/go-smpp/smpp/pdu/pdutlv"
)

// Addr is an SMPP address with its TON and NPI.
type Addr struct {
	TON   uint8  // type of number
	NPI   uint8  // numbering plan indicator
	Value string // the address as on the wire (no "+")
}

// Submit is one submit_sm as the simulator received it.
type Submit struct {
	// SystemID is the bind's system id.
	SystemID string
	// Seq is the PDU's sequence number.
	Seq uint32
	// MessageID is the id answered ("" when refused or dropped).
	MessageID string
	// Status is the command_status answered (0 when accepted).
	Status CommandStatus
	// Answered is false when a fault kept the answer back.
	Answered bool
	// Source and Dest are the addresses with their TON/NPI.
	Source, Dest Addr
	// ESMClass, DataCoding and RegisteredDelivery are the raw fields.
	ESMClass, DataCoding, RegisteredDelivery uint8
	// ValidityPeriod is the raw validity_period.
	ValidityPeriod string
	// Ref, Total and Index describe the concatenation, from the user data
	// header or else the SAR TLVs (Total 0: none); RefBits is 8 or 16
	// (16 for SAR).
	Ref, Total, Index, RefBits int
	// Payload is true when the text came in the message_payload TLV.
	Payload bool
	// Text is the decoded text (without the user data header): GSM 7-bit
	// (data_coding 0), Latin-1 (3) and UCS-2 (8) are decoded, other
	// codings kept as they came.
	Text string
}

// Message is a whole message the simulator accepted (or received without
// answering): a single submit_sm, or every part of a concatenated one.
type Message struct {
	// IDs holds the id given to each part.
	IDs []string
	// From and To are the addresses, with "+" prefixed to international
	// (TON 1) numbers.
	From, To string
	// Encoding is what data_coding said: GSM7 (0) or UCS2 (8).
	Encoding transport.Encoding
	// Parts holds the decoded text of each part, in order.
	Parts []string
}

// Submits returns every submit_sm received, in arrival order.
func (s *Server) Submits() []Submit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Submit(nil), s.submits...)
}

// Messages returns every complete message received, in the order they
// were completed.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.messages))
	for i, m := range s.messages {
		m.IDs = append([]string(nil), m.IDs...)
		m.Parts = append([]string(nil), m.Parts...)
		out[i] = m
	}
	return out
}

// Reset forgets everything received so far (ThrottleEvery counts afresh),
// the answers to injected messages and every queued fault. Stats and receipts on their way are kept.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.submits, s.messages, s.faults, s.count, s.moAnswers = nil, nil, nil, 0, nil
	clear(s.partial)
}

// parseSubmit reads a decoded submit_sm.
func parseSubmit(p pdu.Body) Submit {
	f := p.Fields()
	sub := Submit{
		Source:             Addr{fixed(f, pdufield.SourceAddrTON), fixed(f, pdufield.SourceAddrNPI), str(f, pdufield.SourceAddr)},
		Dest:               Addr{fixed(f, pdufield.DestAddrTON), fixed(f, pdufield.DestAddrNPI), str(f, pdufield.DestinationAddr)},
		ESMClass:           fixed(f, pdufield.ESMClass),
		DataCoding:         fixed(f, pdufield.DataCoding),
		RegisteredDelivery: fixed(f, pdufield.RegisteredDelivery),
		ValidityPeriod:     str(f, pdufield.ValidityPeriod),
	}
	var sm []byte
	if v := f[pdufield.ShortMessage]; v != nil {
		sm = v.Bytes()
	}
	if v := p.TLVFields()[pdutlv.TagMessagePayload]; len(sm) == 0 && v != nil {
		sm, sub.Payload = v.Bytes(), true
	}
	if sub.ESMClass&0x40 != 0 && len(sm) > 0 && int(sm[0])+1 <= len(sm) {
		udh := sm[1 : 1+int(sm[0])]
		sm = sm[1+int(sm[0]):]
		for len(udh) >= 2 && int(udh[1])+2 <= len(udh) {
			iei, data := udh[0], udh[2:2+int(udh[1])]
			switch {
			case iei == 0x00 && len(data) == 3:
				sub.Ref, sub.Total, sub.Index, sub.RefBits = int(data[0]), int(data[1]), int(data[2]), 8
			case iei == 0x08 && len(data) == 4:
				sub.Ref, sub.Total, sub.Index, sub.RefBits = int(data[0])<<8|int(data[1]), int(data[2]), int(data[3]), 16
			}
			udh = udh[2+int(udh[1]):]
		}
	}
	if sub.Total == 0 {
		sub.Ref, sub.Total, sub.Index, sub.RefBits = sar(p.TLVFields())
	}
	sub.Text = decodeText(sm, sub.DataCoding)
	return sub
}

// sar reads the SAR TLVs, which concatenate parts without a user data
// header; total is 0 when they are absent or malformed.
func sar(t pdutlv.Map) (ref, total, index, bits int) {
	r, n, i := t[pdutlv.TagSarMsgRefNum], t[pdutlv.TagSarTotalSegments], t[pdutlv.TagSarSegmentSeqnum]
	if r == nil || n == nil || i == nil || len(r.Bytes()) != 2 || len(n.Bytes()) != 1 || len(i.Bytes()) != 1 {
		return 0, 0, 0, 0
	}
	return int(r.Bytes()[0])<<8 | int(r.Bytes()[1]), int(n.Bytes()[0]), int(i.Bytes()[0]), 16
}

func decodeText(b []byte, coding uint8) string {
	switch coding {
	case 0x00:
		if s, err := gsm7.Decode(b); err == nil {
			return s
		}
	case 0x03: // Latin-1: each octet is the code point
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r)
	case 0x08:
		return wire.FromUTF16BE(b)
	}
	return string(b)
}

func encodingOf(coding uint8) transport.Encoding {
	if coding == 0x08 {
		return transport.UCS2
	}
	return transport.GSM7
}

func e164(a Addr) string {
	if a.TON == 1 && !strings.HasPrefix(a.Value, "+") {
		return "+" + a.Value
	}
	return a.Value
}

// concatKey identifies the parts of one concatenated message.
type concatKey struct {
	systemID, from, to string
	ref, total, bits   int
}

type assembly struct {
	msg Message
	got int
}

// assemble files an accepted part; a message is complete when all its
// parts are in. Call with s.mu held.
func (s *Server) assemble(sub Submit) {
	msg := Message{From: e164(sub.Source), To: e164(sub.Dest), Encoding: encodingOf(sub.DataCoding)}
	if sub.Total <= 1 || sub.Index < 1 || sub.Index > sub.Total {
		msg.IDs, msg.Parts = []string{sub.MessageID}, []string{sub.Text}
		s.messages = append(s.messages, msg)
		return
	}
	k := concatKey{sub.SystemID, sub.Source.Value, sub.Dest.Value, sub.Ref, sub.Total, sub.RefBits}
	a := s.partial[k]
	if a == nil {
		msg.IDs, msg.Parts = make([]string, sub.Total), make([]string, sub.Total)
		a = &assembly{msg: msg}
		s.partial[k] = a
	}
	i := sub.Index - 1
	if a.msg.IDs[i] == "" {
		a.got++
	}
	a.msg.IDs[i], a.msg.Parts[i] = sub.MessageID, sub.Text
	if a.got == sub.Total {
		s.messages = append(s.messages, a.msg)
		delete(s.partial, k)
	}
}
