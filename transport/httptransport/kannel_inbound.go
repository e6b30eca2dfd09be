package httptransport

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/internal/userdata"
)

// KannelGetURL is the query an sms-service's get-url carries for the
// Kannel profile's inbound endpoint, after the endpoint's own URL and the
// token: Kannel 1.4 expands each escape when it fetches the URL (user
// guide, "Setting up a SMS Gateway", "SMS-service configurations", table
// "Parameters (Escape Codes)"):
//
//	%p  the phone number of the sender
//	%P  the phone number of the receiver: the application's number
//	%b  the original message, in binary form (not %a, which squeezes
//	    spaces)
//	%c  the coding: 0 (7-bit), 1 (8-bit) or 2 (UCS-2)
//	%C  the charset the text is in (UTF-8 for 7-bit text, UTF-16BE for
//	    UCS-2, or what mo-recode recoded it to)
//	%u  the user data header, when bearerbox handed the part over
//	    without joining it (sms-combine-concatenated-mo = false)
//	%T  the time the message was sent, seconds since the epoch
//	%I  Kannel's id of the message
const KannelGetURL = "from=%p&to=%P&text=%b&coding=%c&charset=%C&udh=%u&time=%T&id=%I"

// parseKannelInbound reads what an sms-service's get-url (KannelGetURL)
// brings: the parameters are in the query; the body is empty.
func parseKannelInbound(q url.Values, _ []byte) ([]transport.Inbound, error) {
	from, to, err := addresses(q.Get("from"), q.Get("to"))
	if err != nil {
		return nil, err
	}
	in := transport.Inbound{From: from, To: to, OperatorID: operatorID(q.Get("id")),
		At: inboundTime(q.Get("time"), UnixTime), DataCoding: -1}
	if c, err := strconv.Atoi(q.Get("coding")); err == nil {
		in.DataCoding = c
	}
	data, udh := []byte(q.Get("text")), q.Get("udh")
	var header []byte
	if udh != "" {
		h, ok := kannelHeader(udh)
		if !ok || len(h) == 0 {
			return []transport.Inbound{userdata.Malformed(in, append([]byte(udh), data...), "user data header does not decode")}, nil
		}
		header = h
	}
	charset := strings.ToUpper(q.Get("charset"))
	switch {
	case in.DataCoding == 1 || charset == "BINARY" || charset == "8-BIT":
		in.Coding = transport.CodingBinary
	case charset == "UTF-16BE" || charset == "" && in.DataCoding == 2:
		in.Coding = transport.CodingUCS2
	case in.DataCoding >= 0 && in.DataCoding <= 2 || in.DataCoding == -1:
		// Text smsbox decoded: UTF-8 by default, or the charset mo-recode
		// chose.
		text, ok := kannelText(data, charset)
		if !ok {
			in.Coding = transport.CodingBinary
			return []transport.Inbound{userdata.Malformed(in, append(header, data...), "text is not in the charset Kannel named")}, nil
		}
		in.Coding, in.Text = transport.CodingText, text
		if header == nil {
			return []transport.Inbound{in}, nil
		}
		// Fill decodes nothing of CodingText: it reads the header and
		// keeps the text.
		return []transport.Inbound{userdata.Fill(in, append(header, data...), true)}, nil
	default:
		in.Coding = transport.CodingBinary
		return []transport.Inbound{userdata.Malformed(in, append(header, data...), "coding is not 0, 1 or 2")}, nil
	}
	return []transport.Inbound{userdata.Fill(in, append(header, data...), header != nil)}, nil
}

// kannelHeader decodes a user data header as Kannel writes it: its octets
// (URL-encoded in the query), or hex as its X-Kannel-UDH header writes it.
// A header's first octet is its length, never a hex digit's character in
// practice (0x30–0x39, 0x41–0x46, 0x61–0x66 would announce 48 to 102
// octets, more than an SMS holds), so hex is recognised by its form.
func kannelHeader(s string) ([]byte, bool) {
	if len(s)%2 == 0 && strings.Trim(s, "0123456789abcdefABCDEF") == "" {
		return hexHeader(s)
	}
	return []byte(s), true
}

// kannelText decodes text smsbox handed over in charset ("" is UTF-8).
func kannelText(b []byte, charset string) (string, bool) {
	switch charset {
	case "", "UTF-8", "UTF8":
		return string(b), utf8.Valid(b)
	case "ISO-8859-1", "LATIN1":
		s, err := charmap.ISO8859_1.NewDecoder().Bytes(b)
		return string(s), err == nil
	case "WINDOWS-1252", "CP1252":
		s, err := charmap.Windows1252.NewDecoder().Bytes(b)
		return string(s), err == nil
	}
	return "", false
}
