package operatortest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/azenna/advox/transport"
)

// kannel speaks smsbox's sendsms interface and dlr-url reports.
type kannel struct{}

func (kannel) base() string       { return "" }
func (kannel) path() string       { return "/cgi-bin/sendsms" }
func (kannel) method() string     { return http.MethodGet }
func (kannel) newID(n int) string { return "k" + strconv.Itoa(n) }

func (kannel) parse(r *http.Request, _ []byte, cfg *Config) (Message, *answer) {
	q := r.URL.Query()
	if q.Get("username") != cfg.User || q.Get("password") != cfg.Password {
		return Message{}, textAnswer(http.StatusForbidden, "Authorization failed for sendsms")
	}
	if q.Get("to") == "" {
		return Message{}, textAnswer(http.StatusBadRequest, "Missing receiver number, rejected")
	}
	m := Message{From: q.Get("from"), To: q.Get("to"), Text: q.Get("text"), Encoding: transport.GSM7}
	switch q.Get("coding") {
	case "", "0":
	case "2":
		m.Encoding = transport.UCS2
	default:
		return Message{}, textAnswer(http.StatusBadRequest, "Coding field misformed, rejected")
	}
	if cs := q.Get("charset"); cs != "" && !strings.EqualFold(cs, "UTF-8") {
		return Message{}, textAnswer(http.StatusBadRequest, "Charset not supported by the simulator")
	}
	if q.Get("dlr-mask") != "" {
		m.Callback = q.Get("dlr-url")
		m.Reference = refOf(m.Callback)
	}
	return m, nil
}

func (kannel) accepted(Message) *answer {
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

// kannelDLR maps the vocabulary onto Kannel's report types.
func kannelDLR(s transport.Status) string {
	switch s {
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

// callbackURL expands the dlr-url's escapes the way smsbox does: each
// %-letter is replaced by its value, URL-escaped; "%%" is a "%"; escapes
// with no value here expand to nothing.
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
			v = kannelDLR(r.Status)
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

func (kannel) report(_ Message, _ Report, u *url.URL, _ *Config, _ string) (*recordedReport, error) {
	return &recordedReport{method: http.MethodGet, url: u.String(), header: http.Header{}}, nil
}
