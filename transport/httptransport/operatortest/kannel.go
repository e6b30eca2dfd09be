package operatortest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/azenna/advox/gsm7"
	"github.com/azenna/advox/transport"
)

// kannel speaks smsbox's sendsms interface and dlr-url reports, as the
// Kannel 1.4 user guide documents them ("SMS Push (send-sms) CGI
// Variables", "SMS Push reply codes") and smsbox implements them
// (gw/smsbox.c smsbox_req_sendsms and smsbox_req_handle, gw/sms.c
// sms_split).
type kannel struct{}

func (kannel) base() string       { return "" }
func (kannel) path() string       { return "/cgi-bin/sendsms" }
func (kannel) method() string     { return http.MethodGet }
func (kannel) newID(n int) string { return "k" + strconv.Itoa(n) }

// maxSMSOctets is smsbox's sms-length default (MAX_SMS_OCTETS).
const maxSMSOctets = 140

// kannelNumberChars is smsbox's default sendsms-chars: what a "to" may
// hold ("smsbox" group variables).
const kannelNumberChars = "0123456789 +-"

func (kannel) parse(r *http.Request, _ []byte, cfg *Options) (Message, *answer) {
	q := r.URL.Query()
	bad := func(s string) (Message, *answer) { return Message{}, textAnswer(http.StatusBadRequest, s) }
	// "username (or user)", "password (or pass)"; a wrong pair is
	// "Authorization failed" (403).
	user, pass := cgi(q, "username", "user"), cgi(q, "password", "pass")
	if user != cfg.User || pass != cfg.Password {
		return Message{}, textAnswer(http.StatusForbidden, "Authorization failed for sendsms")
	}
	// smsbox_req_sendsms: "to" is required and not empty.
	if !q.Has("to") {
		return bad("Missing receiver number, rejected")
	}
	to := q.Get("to")
	if to == "" {
		return bad("Empty receiver number not allowed, rejected")
	}
	// smsbox_req_handle: a receiver with characters outside sendsms-chars
	// is denied. (The simulator takes one receiver, not a list.)
	if !cfg.Lenient && (strings.Trim(to, kannelNumberChars) != "" || strings.Contains(to, " ")) {
		return bad("Number(s) has/have been denied by white- and/or black-lists.")
	}
	// "udh: Optional User Data Header (UDH) part of the message. Must be
	// URL encoded."; smsbox_req_handle checks its length octet.
	var udh []byte
	if q.Has("udh") {
		udh = []byte(q.Get("udh"))
		if len(udh) == 0 || len(udh) != int(udh[0])+1 {
			return bad("UDH field misformed, rejected")
		}
		if len(udh) > maxSMSOctets {
			return bad("UDH field is too long, rejected")
		}
	}
	// "coding: ... Accepts values 0 to 2, for 7bit, 8bit or UCS-2. If
	// unset, defaults to 7 bits unless a udh is defined, which sets coding
	// to 8bits." The simulator decodes no 8-bit text.
	m := Message{From: q.Get("from"), To: to, UDH: udh, Encoding: transport.GSM7}
	switch coding := q.Get("coding"); {
	case coding == "0" || coding == "" && udh == nil:
	case coding == "2":
		m.Encoding = transport.UCS2
	default:
		return bad("Coding field misformed, rejected")
	}
	// smsbox_req_handle: dlr-mask 0..63, a dlr-url of http:// or
	// https://, validity and a sender.
	if v := q.Get("dlr-mask"); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < -1 || n > 63 {
			return bad("DLR-Mask field misformed, rejected")
		}
	}
	if dlr := q.Get("dlr-url"); dlr != "" {
		if !strings.HasPrefix(strings.ToLower(dlr), "http://") && !strings.HasPrefix(strings.ToLower(dlr), "https://") {
			return bad("DLR-URL field misformed, rejected")
		}
	}
	if v := q.Get("validity"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n < -1 {
			return bad("Validity field misformed, rejected")
		}
		m.Validity = v
	}
	if m.From == "" {
		return bad("Sender missing and no global set, rejected")
	}
	// "charset: Charset of text message. Used to convert to a format
	// suitable for 7 bits or to UCS-2." The simulator converts UTF-8 only.
	text := q.Get("text")
	if cs := q.Get("charset"); cs != "" && !strings.EqualFold(cs, "UTF-8") || !utf8.ValidString(text) {
		return bad("Charset or body misformed, rejected")
	}
	if m.Encoding == transport.GSM7 {
		text = toGSM(text)
	}
	m.Ref, m.Part, m.Parts = concatOf(udh)
	m.Text, m.Segments, m.Truncated = text, 1, false
	if !cfg.Lenient {
		m.Text, m.Segments, m.Truncated = kannelSplit(text, m.Encoding, len(udh), cfg)
	}
	if q.Get("dlr-mask") != "" {
		m.Callback = q.Get("dlr-url")
		m.Reference = refOf(m.Callback)
	}
	return m, nil
}

// cgi reads the first of a CGI variable's names that is present.
func cgi(q url.Values, names ...string) string {
	for _, n := range names {
		if q.Has(n) {
			return q.Get(n)
		}
	}
	return ""
}

// toGSM is the text as smsbox's conversion to GSM 03.38 leaves it: a
// character the alphabet lacks becomes "?".
func toGSM(s string) string {
	return strings.Map(func(r rune) rune {
		if gsm7.Septets(r) == 0 {
			return '?'
		}
		return r
	}, s)
}

// concatOf reads the concatenated-message element of a UDH (3GPP TS 23.040
// §9.2.3.24.1, 8-bit reference, and .8, 16-bit): reference, this part's
// number and the part count; zeros without one.
func concatOf(udh []byte) (ref, part, parts int) {
	if len(udh) == 0 {
		return 0, 0, 0
	}
	ies := udh[1:]
	for len(ies) >= 2 {
		iei, n := ies[0], int(ies[1])
		if len(ies) < 2+n {
			break
		}
		v := ies[2 : 2+n]
		switch {
		case iei == 0x00 && n == 3:
			return int(v[0]), int(v[2]), int(v[1])
		case iei == 0x08 && n == 4:
			return int(v[0])<<8 | int(v[1]), int(v[3]), int(v[2])
		}
		ies = ies[2+n:]
	}
	return 0, 0, 0
}

// kannelSplit is what smsbox sends of a text (gw/sms.c sms_split, with
// sms-length 140): parts of at most 140 octets with the UDH, cut in
// septets (never inside an escape pair) or in UCS-2 octets (even inside a
// surrogate pair, which the handset then shows broken), at most
// max-messages of them and the rest cut off. With concatenation each part
// also carries a 5-octet concatenation element. It returns the text that
// was sent, the parts it took and whether any was cut off.
func kannelSplit(text string, enc transport.Encoding, udhLen int, cfg *Options) (string, int, bool) {
	maxLen := func(udh int) int {
		if enc == transport.UCS2 {
			return (maxSMSOctets - udh) / 2 // in UTF-16 units
		}
		return (maxSMSOctets - udh) * 8 / 7 // in septets
	}
	var units []uint16
	length := 0
	if enc == transport.UCS2 {
		units = utf16.Encode([]rune(text))
		length = len(units)
	} else {
		length = gsm7.Len(text)
	}
	limit := maxLen(udhLen)
	if length > limit && cfg.KannelConcatenation {
		udh := max(udhLen, 1) + 5
		limit = maxLen(udh)
	}
	if length <= limit {
		return text, 1, false
	}
	parts := min((length+limit-1)/limit, cfg.KannelMaxMessages)
	keep := min(parts*limit, length)
	if enc == transport.UCS2 {
		return string(utf16.Decode(units[:keep])), parts, keep < length
	}
	var b strings.Builder
	septets := 0
	for _, r := range text {
		n := gsm7.Septets(r)
		if septets+n > keep {
			break
		}
		septets += n
		b.WriteRune(r)
	}
	return b.String(), parts, septets < length
}

// accepted is smsbox's answer once the bearerbox took the message, or its
// immediate "Sent." ("SMS Push reply codes"; gw/smsbox.c).
func (kannel) accepted(m Message, cfg *Options) *answer {
	if cfg.KannelImmediateReply {
		body := "Sent."
		if m.Segments > 1 {
			body += " Message splits: " + strconv.Itoa(m.Segments)
		}
		return textAnswer(http.StatusAccepted, body)
	}
	return textAnswer(http.StatusAccepted, "0: Accepted for delivery")
}

func (kannel) rejected(Message) *answer {
	return textAnswer(http.StatusForbidden, "Not routable. Do not try again.")
}

func (kannel) notAccepted() *answer {
	return textAnswer(http.StatusServiceUnavailable, "Temporal failure, try again later.")
}

func (kannel) serverError() *answer {
	return textAnswer(http.StatusInternalServerError, "Sending failed.")
}

// kannelDLR maps the vocabulary onto Kannel's report types ("dlr-mask":
// 1 delivered, 2 non-delivered to phone, 4 queued on SMSC, 8 delivered to
// SMSC, 16 non-delivered to SMSC).
func kannelDLR(r Report) string {
	if r.OperatorStatus != "" {
		return r.OperatorStatus
	}
	switch r.Status {
	case transport.StatusDelivered:
		return "1"
	case transport.StatusUndeliverable, transport.StatusExpired, transport.StatusDeleted:
		return "2"
	case transport.StatusEnroute:
		return "4"
	case transport.StatusAccepted:
		return "8"
	}
	return "16"
}

// callbackURL expands the dlr-url's escapes the way smsbox does
// (gw/urltrans.c urltrans_fill_escape_codes): each %-letter is replaced
// by its value, URL-escaped; "%%" is a "%"; a "%" before any other
// character stays; escapes with no value here expand to nothing.
func (kannel) callbackURL(m Message, r Report, now time.Time) (string, error) {
	in := m.Callback
	var b strings.Builder
	for i := 0; i < len(in); i++ {
		if in[i] != '%' || i+1 == len(in) {
			b.WriteByte(in[i])
			continue
		}
		i++
		v := ""
		switch in[i] {
		case '%':
			b.WriteByte('%')
			continue
		case 'd':
			v = kannelDLR(r)
		case 'T':
			v = strconv.FormatInt(r.At.Unix(), 10)
		case 't':
			v = r.At.UTC().Format("2006-01-02 15:04:05")
		case 'i':
			v = "operatortest"
		case 'I', 'F':
			v = m.ID
		case 'p':
			v = m.To
		case 'P':
			v = m.From
		case 'A':
			v = kannelReceiptText(m, r)
		case 'a', 'b', 'B', 'c', 'C', 'D', 'e', 'E', 'f', 'k', 'm', 'M', 'n', 'o', 'O', 'q', 'Q', 'r', 'R', 's', 'S', 'u', 'U', 'v', 'V', 'x', 'X':
			// Kannel escapes the simulator has no value for.
		default:
			b.WriteByte('%')
			b.WriteByte(in[i])
			continue
		}
		b.WriteString(url.QueryEscape(v))
	}
	return b.String(), nil
}

// kannelReceiptText is the SMSC receipt Kannel's %A quotes, in the SMPP
// 3.4 appendix B form, for the report's status and error code; both dates
// are the report's time.
func kannelReceiptText(m Message, r Report) string {
	stat, dlvrd := smppStat(r.Status), "000"
	if r.Status == transport.StatusDelivered {
		dlvrd = "001"
	}
	errCode := r.ErrorCode
	if errCode == "" {
		errCode = "000"
	}
	date := r.At.UTC().Format("0601021504")
	return "id:" + m.ID + " sub:001 dlvrd:" + dlvrd + " submit date:" + date + " done date:" + date +
		" stat:" + stat + " err:" + errCode + " text:" + first(m.Text, 20)
}

// smppStat is the receipt stat of a status.
func smppStat(s transport.Status) string {
	switch s {
	case transport.StatusDelivered:
		return "DELIVRD"
	case transport.StatusUndeliverable:
		return "UNDELIV"
	case transport.StatusExpired:
		return "EXPIRED"
	case transport.StatusDeleted:
		return "DELETED"
	case transport.StatusRejected:
		return "REJECTD"
	case transport.StatusEnroute:
		return "ENROUTE"
	case transport.StatusAccepted:
		return "ACCEPTD"
	}
	return "UNKNOWN"
}

func first(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

func (kannel) report(_ Message, _ Report, u *url.URL, _ *Options, _ string) (*recordedReport, error) {
	return &recordedReport{method: http.MethodGet, url: u.String(), header: http.Header{}}, nil
}

// inbound is what smsbox fetches for an sms-service whose get-url carries
// httptransport.KannelGetURL: GET with from (%p), to (%P), text (%b, the
// message's octets), coding (%c: 0 7-bit, 1 8-bit, 2 UCS-2), charset (%C:
// UTF-8 for 7-bit text, UTF-16BE for UCS-2), udh (%u, the header's
// octets), time (%T) and id (%I), each URL-encoded as smsbox encodes
// them.
func (kannel) inbound(in Inbound, u *url.URL, _ *Options, _ string) (*recordedReport, error) {
	q := u.Query()
	coding, charset, data := "0", "UTF-8", []byte(in.Text)
	switch {
	case in.UCS2:
		coding, charset = "2", "UTF-16BE"
		if data = in.Data; data == nil {
			data = utf16BE(in.Text)
		}
	case in.Data != nil:
		coding, charset, data = "1", "binary", in.Data
	}
	q.Set("from", in.From)
	q.Set("to", in.To)
	q.Set("text", string(data))
	q.Set("coding", coding)
	q.Set("charset", charset)
	q.Set("udh", string(in.UDH))
	q.Set("time", strconv.FormatInt(in.At.Unix(), 10))
	q.Set("id", in.ID)
	target := *u
	target.RawQuery = q.Encode()
	return &recordedReport{method: http.MethodGet, url: target.String(), header: http.Header{}}, nil
}

// utf16BE codes s as UTF-16BE.
func utf16BE(s string) []byte {
	var b []byte
	for _, c := range utf16.Encode([]rune(s)) {
		b = append(b, byte(c>>8), byte(c))
	}
	return b
}

func (kannel) summary(Message, Report, *url.URL, *Options) (*recordedReport, error) {
	return nil, errNotInDialect
}
