package httptransport

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/internal/userdata"
)

// maxInboundPerRequest bounds a JSON array of inbound messages.
const maxInboundPerRequest = 1000

func malformedInbound(why string) error { return fmt.Errorf("%w: %s", ErrMalformedInbound, why) }

// number writes a sender or destination as the Inbound contract wants it:
// a number the operator wrote in international form without its "+"
// (digits only, longer than a short code's 3–8) gets it back; anything
// else is kept. An empty or overlong address, or one with control
// characters, is refused.
func number(s string) (string, bool) {
	if s == "" || len(s) > 32 || !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return "", false
	}
	if len(s) > 8 && strings.Trim(s, "0123456789") == "" {
		return "+" + s, true
	}
	return s, true
}

// addresses reads and checks the sender and destination of a part.
func addresses(from, to string) (string, string, error) {
	f, okf := number(from)
	t, okt := number(to)
	if !okf || !okt {
		return "", "", malformedInbound("sender or destination missing or not an address")
	}
	return f, t, nil
}

// operatorID keeps an operator's message id when it is a plausible one.
func operatorID(id string) string {
	if validID(id) {
		return id
	}
	return ""
}

// textPart is a part whose text the operator decoded: UTF-8 text is kept,
// anything else is handed over flagged Malformed with its octets.
func textPart(in transport.Inbound, text string) transport.Inbound {
	in.Coding, in.DataCoding = transport.CodingText, -1
	if !utf8.ValidString(text) {
		return userdata.Malformed(in, []byte(text), "text is not UTF-8")
	}
	in.Text = text
	return in
}

// parseElks46Inbound reads 46elks' "Receive SMS" callback: a form POST
// with direction=incoming, id, from, to, message and created (UTC,
// microseconds). A delivery report posted to the inbound URL (it has a
// status and no message) is another kind of callback.
func parseElks46Inbound(_ url.Values, body []byte) ([]transport.Inbound, error) {
	f, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, malformedInbound("form does not parse")
	}
	if dir := f.Get("direction"); dir != "" && dir != "incoming" || !f.Has("message") && f.Has("status") {
		return nil, ErrOtherCallback
	}
	if !f.Has("message") {
		return nil, malformedInbound("no message field")
	}
	from, to, err := addresses(f.Get("from"), f.Get("to"))
	if err != nil {
		return nil, err
	}
	in := transport.Inbound{From: from, To: to, OperatorID: operatorID(f.Get("id")),
		At: inboundTime(f.Get("created"), "2006-01-02T15:04:05.999999", time.RFC3339Nano)}
	return []transport.Inbound{textPart(in, f.Get("message"))}, nil
}

// parseSinchInbound reads Sinch's inbound messages (the "Inbounds" of the
// SMS REST API): JSON of type mo_text (body is the text) or mo_binary
// (body is the user data in base64 and udh its header in hex), with id,
// from, to and received_at. Other types (delivery reports posted to the
// inbound URL) are another kind of callback.
func parseSinchInbound(_ url.Values, body []byte) ([]transport.Inbound, error) {
	return jsonInbound(body, func(get getter) ([]transport.Inbound, error) {
		kind, _ := get("type")
		if kind != "mo_text" && kind != "mo_binary" {
			return nil, nil
		}
		in, err := jsonEnvelope(get, "received_at")
		if err != nil {
			return nil, err
		}
		text, ok := get("body")
		if !ok {
			return nil, malformedInbound("no body")
		}
		if kind == "mo_text" {
			return []transport.Inbound{textPart(in, text)}, nil
		}
		udh, _ := get("udh")
		return []transport.Inbound{binaryPart(in, text, base64.StdEncoding, udh, transport.CodingBinary)}, nil
	})
}

// binaryPart is a part whose user data came encoded (base64), with its
// user data header in hex ("" for none), in the given coding.
func binaryPart(in transport.Inbound, data string, enc *base64.Encoding, udhHex string, coding transport.Coding) transport.Inbound {
	in.Coding, in.DataCoding = coding, -1
	ud, err := enc.DecodeString(data)
	if err != nil {
		return userdata.Malformed(in, []byte(data), "user data is not base64")
	}
	if udhHex == "" {
		return userdata.Fill(in, ud, false)
	}
	udh, err := hex.DecodeString(udhHex)
	if err != nil || len(udh) == 0 {
		return userdata.Malformed(in, append([]byte(udhHex), ud...), "user data header is not hex")
	}
	return userdata.Fill(in, append(udh, ud...), true)
}

// jsonEnvelope reads what a JSON inbound message says besides its user
// data: from, to, id and the RFC 3339 time in the field named at.
func jsonEnvelope(get getter, at string) (transport.Inbound, error) {
	from, _ := get("from")
	to, _ := get("to")
	f, t, err := addresses(from, to)
	if err != nil {
		return transport.Inbound{}, err
	}
	id, _ := get("id")
	when, _ := get(at)
	return transport.Inbound{From: f, To: t, OperatorID: operatorID(id), At: inboundTime(when, time.RFC3339Nano)}, nil
}

// jsonInbound reads a JSON object, or an array of them, with one, each
// read by one (which returns no part for a callback of another kind).
func jsonInbound(body []byte, one func(getter) ([]transport.Inbound, error)) ([]transport.Inbound, error) {
	v, err := decodeJSON(body)
	if err != nil {
		return nil, malformedInbound("JSON does not parse")
	}
	var objs []any
	switch x := v.(type) {
	case map[string]any:
		objs = []any{x}
	case []any:
		if len(x) == 0 || len(x) > maxInboundPerRequest {
			return nil, malformedInbound("too many messages in one request")
		}
		objs = x
	default:
		return nil, malformedInbound("not a JSON object or array of objects")
	}
	var out []transport.Inbound
	for _, o := range objs {
		obj, ok := o.(map[string]any)
		if !ok {
			return nil, malformedInbound("not a JSON object")
		}
		parts, err := one(jsonGetter(obj))
		if err != nil {
			return nil, err
		}
		out = append(out, parts...)
	}
	if len(out) == 0 {
		return nil, ErrOtherCallback
	}
	return out, nil
}

// genericCodings are the codings of GenericJSON's "coding" field.
var genericCodings = map[string]transport.Coding{
	"gsm7": transport.CodingGSM7, "ascii": transport.CodingASCII, "latin1": transport.CodingLatin1,
	"ucs2": transport.CodingUCS2, "binary": transport.CodingBinary,
}

// parseGenericInbound reads GenericJSON's inbound messages (see
// GenericJSON): an object or array of objects with id, from, to, at and
// either text (UTF-8) or data (base64 user data) with coding; udh (hex)
// carries the header of a part of a concatenated message.
func parseGenericInbound(_ url.Values, body []byte) ([]transport.Inbound, error) {
	return jsonInbound(body, func(get getter) ([]transport.Inbound, error) {
		in, err := jsonEnvelope(get, "at")
		if err != nil {
			return nil, err
		}
		udh, _ := get("udh")
		if data, ok := get("data"); ok {
			name, _ := get("coding")
			coding, known := genericCodings[name]
			if !known {
				in.Coding, in.DataCoding = transport.CodingBinary, -1
				return []transport.Inbound{userdata.Malformed(in, []byte(data), "unknown coding "+strconv.Quote(name))}, nil
			}
			return []transport.Inbound{binaryPart(in, data, base64.StdEncoding, udh, coding)}, nil
		}
		text, ok := get("text")
		if !ok {
			return nil, malformedInbound("neither text nor data")
		}
		return []transport.Inbound{withHeader(textPart(in, text), udh, hexHeader)}, nil
	})
}

// withHeader reads the concatenation data of a text part from the user
// data header the operator gave separately (udh, decoded by decode; ""
// for none). A header that does not read flags the part Malformed, its
// octets the header's followed by the text's.
func withHeader(p transport.Inbound, udh string, decode func(string) ([]byte, bool)) transport.Inbound {
	if udh == "" || p.Malformed != "" {
		return p
	}
	h, ok := decode(udh)
	if !ok || len(h) == 0 {
		return userdata.Malformed(p, append([]byte(udh), p.Text...), "user data header does not decode")
	}
	// Fill decodes nothing of CodingText: it reads the header and keeps
	// the text.
	return userdata.Fill(p, append(h, p.Text...), true)
}

// hexHeader decodes a user data header written in hex.
func hexHeader(s string) ([]byte, bool) {
	b, err := hex.DecodeString(s)
	return b, err == nil
}
