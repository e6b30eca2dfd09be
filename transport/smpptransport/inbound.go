package smpptransport

import (
	"bytes"
	"time"
	"unicode/utf16"

	"github.com/azenna/advox/gsm7"
	"github.com/azenna/advox/transport"
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
	text := ud
	if s.esmClass&0x40 != 0 {
		hdr, rest, why := readUDH(ud)
		if why != "" {
			return malformed(in, ud, why)
		}
		text = rest
		in.Total, in.Seq, in.Ref, in.RefWidth = hdr.total, hdr.seq, hdr.ref, hdr.width
	} else if why := sarOf(s, &in); why != "" {
		return malformed(in, ud, why)
	}
	switch {
	case in.RefWidth == 0:
	case in.Total == 0:
		return malformed(in, ud, "concatenation total of 0")
	case in.Seq == 0 || in.Seq > in.Total:
		return malformed(in, ud, "part number 0 or above the total")
	case in.Total == 1:
		// One part of one: a whole message with a needless header.
		in.Total, in.Seq, in.Ref, in.RefWidth = 0, 0, 0, 0
	}
	switch coding {
	case transport.CodingGSM7:
		t, err := gsm7.Decode(text)
		if err != nil {
			return malformed(in, ud, "octet above 0x7F in GSM 7-bit text")
		}
		in.Text = t
	case transport.CodingASCII:
		for _, c := range text {
			if c > 0x7F {
				return malformed(in, ud, "octet above 0x7F in ASCII text")
			}
		}
		in.Text = string(text)
	case transport.CodingLatin1:
		r := make([]rune, len(text))
		for i, c := range text {
			r[i] = rune(c)
		}
		in.Text = string(r)
	case transport.CodingUCS2:
		if len(text)%2 != 0 {
			return malformed(in, ud, "odd number of UCS-2 octets")
		}
		units := make([]uint16, len(text)/2)
		for i := range units {
			units[i] = uint16(text[2*i])<<8 | uint16(text[2*i+1])
		}
		if !surrogatesPaired(units, in.Seq > 1, in.Seq < in.Total) {
			return malformed(in, ud, "lone UTF-16 surrogate")
		}
		in.Text = string(utf16.Decode(units))
		in.Bytes = bytes.Clone(text)
	default: // binary
		in.Bytes = bytes.Clone(text)
	}
	return in
}

// malformed flags in as Malformed for why, with every octet of its user
// data and no concatenation data (see transport.Inbound).
func malformed(in transport.Inbound, ud []byte, why string) transport.Inbound {
	in.Malformed = why
	in.Bytes = bytes.Clone(ud)
	if in.Bytes == nil {
		in.Bytes = []byte{}
	}
	in.Text, in.Total, in.Seq, in.Ref, in.RefWidth = "", 0, 0, 0, 0
	return in
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

// concatHeader is what a user data header says of concatenation.
type concatHeader struct {
	ref        uint16
	total, seq int
	width      transport.Concat // 0: the header has no concatenation element
}

// readUDH splits user data into its header and the rest and reads the
// header's concatenation element (IEI 0x00, 8-bit reference, or 0x08,
// 16-bit). why is not empty when the header cannot be trusted: lengths
// that run past its end or do not fill it, a concatenation element of the
// wrong length, or two of them.
func readUDH(ud []byte) (h concatHeader, rest []byte, why string) {
	if len(ud) == 0 || 1+int(ud[0]) > len(ud) {
		return h, nil, "user data header longer than the user data"
	}
	hdr, rest := ud[1:1+int(ud[0])], ud[1+int(ud[0]):]
	for len(hdr) > 0 {
		if len(hdr) < 2 || 2+int(hdr[1]) > len(hdr) {
			return h, nil, "user data header element runs past the header"
		}
		iei, data := hdr[0], hdr[2:2+int(hdr[1])]
		hdr = hdr[2+int(hdr[1]):]
		if iei != 0x00 && iei != 0x08 {
			continue // port addressing and the like: not the transport's
		}
		if h.width != 0 {
			return h, nil, "two concatenation elements"
		}
		switch {
		case iei == 0x00 && len(data) == 3:
			h = concatHeader{ref: uint16(data[0]), total: int(data[1]), seq: int(data[2]), width: transport.Concat8}
		case iei == 0x08 && len(data) == 4:
			h = concatHeader{ref: uint16(data[0])<<8 | uint16(data[1]), total: int(data[2]), seq: int(data[3]), width: transport.Concat16}
		default:
			return h, nil, "concatenation element of the wrong length"
		}
	}
	return h, rest, ""
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

// surrogatesPaired reports whether every surrogate in units is half of a
// pair, but for a high surrogate at the end when more parts follow
// (openEnd) or a low one at the start when parts came before (openStart):
// the other half is in the neighbouring part.
func surrogatesPaired(units []uint16, openStart, openEnd bool) bool {
	for i := 0; i < len(units); i++ {
		u := units[i]
		switch {
		case u < 0xD800 || u > 0xDFFF:
		case u <= 0xDBFF: // high
			if i+1 < len(units) {
				if n := units[i+1]; n < 0xDC00 || n > 0xDFFF {
					return false
				}
				i++
			} else if !openEnd {
				return false
			}
		default: // low, with no high before it
			if i != 0 || !openStart {
				return false
			}
		}
	}
	return true
}
