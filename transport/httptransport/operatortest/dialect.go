package operatortest

import (
	"net/http"
	"net/url"
	"strconv"
	"time"
	"unicode/utf16"

	"github.com/azenna/advox/gsm7"
	"github.com/azenna/advox/transport"
)

// Dialect is an operator API the simulator speaks.
type Dialect int

// The dialects, one per built-in httptransport profile.
const (
	// Kannel is Kannel 1.4's smsbox sendsms: GET /cgi-bin/sendsms, plain
	// text answers, reports on the dlr-url with %-escapes expanded.
	Kannel Dialect = iota + 1
	// Elks46 is 46elks: POST /a1/sms, form body, basic auth, JSON answer,
	// form-encoded reports.
	Elks46
	// Sinch is Sinch's SMS REST API (batches) under /xms/v1/sim-plan:
	// POST /batches, bearer token, JSON, per-recipient JSON reports to the
	// batch's callback_url, with basic auth when Options.CallbackUser is
	// set (as Sinch's account configuration does), batch summaries and
	// inbound messages.
	Sinch
	// GenericJSON is advox's own schema (see httptransport.GenericJSON),
	// with HMAC-signed reports.
	GenericJSON
)

// String returns the dialect's name.
func (d Dialect) String() string {
	switch d {
	case Kannel:
		return "kannel"
	case Elks46:
		return "46elks"
	case Sinch:
		return "sinch"
	case GenericJSON:
		return "generic"
	}
	return "Dialect(" + strconv.Itoa(int(d)) + ")"
}

// dialect is what the server needs of an operator API.
type dialect interface {
	// base is the URL prefix the transport's BaseURL includes.
	base() string
	// path and method are the submit endpoint.
	path() string
	method() string
	// parse checks credentials and reads a submit; a non-nil answer is
	// the operator's refusal.
	parse(r *http.Request, body []byte, cfg *Options) (Message, *answer)
	// newID is the operator id of the n-th message.
	newID(n int) string
	// accepted, rejected, notAccepted and serverError are the answers.
	accepted(m Message, cfg *Options) *answer
	rejected(m Message) *answer
	notAccepted() *answer
	serverError() *answer
	// callbackURL is where a report about m goes (Kannel expands its
	// escapes here).
	callbackURL(m Message, r Report, now time.Time) (string, error)
	// report builds the report request.
	report(m Message, r Report, u *url.URL, cfg *Options, nonce string) (*recordedReport, error)
	// inbound builds the inbound-SMS callback the operator posts to u
	// (signed with nonce where the dialect signs), and summary the batch
	// summary about m; errNotInDialect when the operator posts none.
	inbound(in Inbound, u *url.URL, cfg *Options, nonce string) (*recordedReport, error)
	summary(m Message, r Report, u *url.URL, cfg *Options) (*recordedReport, error)
}

func (d Dialect) impl() dialect {
	switch d {
	case Kannel:
		return kannel{}
	case Elks46:
		return elks46{}
	case Sinch:
		return sinch{}
	case GenericJSON:
		return generic{}
	}
	panic("operatortest: unknown dialect " + d.String())
}

// encodingOf is the encoding an operator picks for text it was given no
// encoding for.
func encodingOf(text string) transport.Encoding {
	if gsm7.Encodable(text) {
		return transport.GSM7
	}
	return transport.UCS2
}

// segments is the number of SMS the text takes in enc.
func segments(text string, enc transport.Encoding) int {
	n, single, multi := 0, 160, 153
	if enc == transport.GSM7 {
		n = gsm7.Len(text)
	} else {
		n, single, multi = len(utf16.Encode([]rune(text))), 70, 67
	}
	if n <= single {
		return 1
	}
	return (n + multi - 1) / multi
}

// refOf reads the "ref" the transport put in a callback URL. Kannel's
// escapes make the query invalid for strict parsing, so errors are
// ignored: the other parameters still parse.
func refOf(callback string) string {
	u, err := url.Parse(callback)
	if err != nil {
		return ""
	}
	q, _ := url.ParseQuery(u.RawQuery)
	return q.Get("ref")
}

// textAnswer is a plain-text answer.
func textAnswer(status int, body string) *answer {
	return &answer{status: status, body: body}
}

// jsonAnswer is a JSON answer.
func jsonAnswer(status int, body string) *answer {
	return &answer{status: status, ctype: "application/json", body: body}
}
