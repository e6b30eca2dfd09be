package smpptransport

import (
	"time"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/internal/userdata"
)

// inboundOf reads a deliver_sm or data_sm that is no receipt as one part of
// a message from a handset. It never fails: what is not what it claims
// to be comes back flagged Malformed, with every octet of its user data
// (see transport.Inbound). def is the alphabet data_coding 0 means.
func inboundOf(s *sm, def transport.Coding, at time.Time) transport.Inbound {
	in := transport.Inbound{From: address(s.srcTON, s.src), To: address(s.dstTON, s.dst), At: at, DataCoding: int(s.coding)}
	payload, hasPayload := s.tlv(tagMessagePayload)
	ud := s.short
	switch {
	case len(ud) > 0 && hasPayload:
		return malformed(in, ud, "both short_message and message_payload")
	case hasPayload:
		ud = payload
	}
	coding, known := codingOf(s.coding, def)
	in.Coding = coding
	if !known {
		in.Coding = transport.CodingBinary
		return malformed(in, ud, "unknown data_coding")
	}
	if why := sarOf(s, &in); why != "" && s.esmClass&0x40 == 0 {
		return malformed(in, ud, why)
	}
	return userdata.Fill(in, ud, s.esmClass&0x40 != 0)
}

// malformed flags in as Malformed (see userdata.Malformed).
func malformed(in transport.Inbound, ud []byte, why string) transport.Inbound {
	return userdata.Malformed(in, ud, why)
}

// address writes an SMPP address: international numbers (TON 1) in E.164
// with their "+", others as they came.
func address(ton uint8, value string) string {
	if ton == 1 && value != "" && value[0] != '+' {
		return "+" + value
	}
	return value
}

// codingOf maps a data_coding value onto the coding of its user data and
// reports whether the value is one SMPP 3.4 or GSM 03.38 defines. def is
// what the SMSC's default alphabet (0) is.
func codingOf(dc uint8, def transport.Coding) (transport.Coding, bool) {
	switch {
	case dc == 0x00:
		return def, true
	case dc == 0x01:
		return transport.CodingASCII, true
	case dc == 0x03:
		return transport.CodingLatin1, true
	case dc == 0x08:
		return transport.CodingUCS2, true
	case dc <= 0x0E && dc != 0x0B && dc != 0x0C:
		// 2 and 4 are octets; 5 JIS, 6 Cyrillic, 7 Hebrew, 9 pictogram,
		// 0x0A music codes, 0x0D extended Kanji, 0x0E KS C 5601 are text
		// the transport does not decode: their octets, DataCoding says.
		return transport.CodingBinary, true
	case dc >= 0x10 && dc <= 0x1F, dc >= 0x40 && dc <= 0x5F:
		// GSM 03.38 general data coding, uncompressed: bits 3–2 name the
		// alphabet (SMSCs pass these through, e.g. 0x10 or 0x18 for a
		// class 0 "flash" message).
		switch dc >> 2 & 3 {
		case 0:
			return transport.CodingGSM7, true
		case 1:
			return transport.CodingBinary, true
		case 2:
			return transport.CodingUCS2, true
		}
	case dc >= 0xC0 && dc <= 0xDF: // message waiting indication, GSM 7-bit
		return transport.CodingGSM7, true
	case dc >= 0xE0 && dc <= 0xEF: // message waiting indication, UCS-2
		return transport.CodingUCS2, true
	case dc >= 0xF0: // data coding and message class: bit 2, 8-bit data
		if dc&0x04 != 0 {
			return transport.CodingBinary, true
		}
		return transport.CodingGSM7, true
	}
	return "", false // reserved values, compressed text
}

// sarOf reads the SAR TLVs (sar_msg_ref_num, sar_total_segments,
// sar_segment_seqnum) into in. why is not empty when some are there but
// not all three, or with the wrong lengths.
func sarOf(s *sm, in *transport.Inbound) (why string) {
	ref, okRef := s.tlv(tagSarMsgRefNum)
	total, okTotal := s.tlv(tagSarTotalSegments)
	seq, okSeq := s.tlv(tagSarSegmentSeqnum)
	switch {
	case !okRef && !okTotal && !okSeq:
		return ""
	case !okRef || !okTotal || !okSeq:
		return "SAR parameters incomplete"
	case len(ref) != 2 || len(total) != 1 || len(seq) != 1:
		return "SAR parameter of the wrong length"
	}
	in.Ref, in.Total, in.Seq, in.RefWidth = uint16(ref[0])<<8|uint16(ref[1]), int(total[0]), int(seq[0]), transport.Concat16
	return ""
}
