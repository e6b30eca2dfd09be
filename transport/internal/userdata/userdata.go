// Package userdata reads the user data of an SMS part — its concatenation
// header and its text in a given coding — into a transport.Inbound, for
// every adapter that receives raw parts (SMPP deliver_sm, Kannel's
// sms-service, gateways that post binary parts), so that all of them
// read a header whose lengths lie, or a lone surrogate, the same way.
// It holds no protocol framing (PDUs, HTTP forms): each adapter extracts
// the user data its protocol carries and hands it here.
package userdata

import (
	"bytes"
	"unicode/utf16"

	"github.com/azenna/advox/gsm7"
	"github.com/azenna/advox/transport"
)

// Fill completes in with the part's user data ud, in in.Coding: its
// concatenation header when hasUDH (which wins over concatenation data in
// already has, such as SMPP's SAR TLVs), its text, and for UCS-2 and
// binary codings its octets. What is not what it claims to be comes back
// flagged Malformed (see transport.Inbound): a header whose lengths run
// past it or do not fill it, a concatenation element of the wrong length
// or two of them, a total of 0, a part number of 0 or above the total,
// GSM or ASCII octets above 0x7F, odd-length UCS-2 or a lone surrogate
// other than half a pair at the edge toward a neighbouring part. A part
// "1 of 1" becomes a whole message. Text already in in (an operator that
// decoded it) is kept for codings Fill does not decode.
func Fill(in transport.Inbound, ud []byte, hasUDH bool) transport.Inbound {
	text := ud
	if hasUDH {
		h, rest, why := readUDH(ud)
		if why != "" {
			return Malformed(in, ud, why)
		}
		text = rest
		if h.width != 0 {
			in.Total, in.Seq, in.Ref, in.RefWidth = h.total, h.seq, h.ref, h.width
		}
	}
	switch {
	case in.RefWidth == 0 && in.Total == 0:
	case in.Total == 0:
		return Malformed(in, ud, "concatenation total of 0")
	case in.Seq == 0 || in.Seq > in.Total:
		return Malformed(in, ud, "part number 0 or above the total")
	case in.Total == 1:
		// One part of one: a whole message with a needless header.
		in.Total, in.Seq, in.Ref, in.RefWidth = 0, 0, 0, 0
	}
	switch in.Coding {
	case transport.CodingGSM7:
		t, err := gsm7.Decode(text)
		if err != nil {
			return Malformed(in, ud, "octet above 0x7F in GSM 7-bit text")
		}
		in.Text = t
	case transport.CodingASCII:
		for _, c := range text {
			if c > 0x7F {
				return Malformed(in, ud, "octet above 0x7F in ASCII text")
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
			return Malformed(in, ud, "odd number of UCS-2 octets")
		}
		units := make([]uint16, len(text)/2)
		for i := range units {
			units[i] = uint16(text[2*i])<<8 | uint16(text[2*i+1])
		}
		if !surrogatesPaired(units, in.Seq > 1, in.Seq < in.Total) {
			return Malformed(in, ud, "lone UTF-16 surrogate")
		}
		in.Text = string(utf16.Decode(units))
		in.Bytes = bytes.Clone(text)
	case transport.CodingBinary:
		in.Text, in.Bytes = "", bytes.Clone(text)
	}
	return in
}

// Malformed flags in as Malformed for why, with every octet of its user
// data ud and no text or concatenation data (see transport.Inbound).
func Malformed(in transport.Inbound, ud []byte, why string) transport.Inbound {
	in.Malformed = why
	in.Bytes = bytes.Clone(ud)
	if in.Bytes == nil {
		in.Bytes = []byte{}
	}
	in.Text, in.Total, in.Seq, in.Ref, in.RefWidth = "", 0, 0, 0, 0
	return in
}

// concatHeader is what a user data header says of concatenation.
type concatHeader struct {
	ref        uint16
	total, seq int
	width      transport.Concat // 0: the header has no concatenation element
}

// readUDH splits user data into its header and the rest and reads the
// header's concatenation element (IEI 0x00, 8-bit reference, or 0x08,
// 16-bit). why is not empty when the header cannot be trusted.
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
