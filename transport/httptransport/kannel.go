package httptransport

import (
	"net/http"
	"strings"
	"time"

	"github.com/azenna/advox/transport"
)

// KannelDLRMask is the dlr-mask Kannel is sent: every report type (1
// delivered, 2 undeliverable, 4 queued on the SMSC, 8 accepted by the SMSC,
// 16 rejected by the SMSC).
const KannelDLRMask = "31"

// Kannel returns the profile of a Kannel 1.4 smsbox's sendsms interface:
// GET /cgi-bin/sendsms with username, password, from, to, text and
// coding/charset (0 and UTF-8 for GSM-7, 2 and UTF-8 for UCS-2), validity
// in minutes, and when reports are asked for dlr-mask=31 and a dlr-url.
//
// Kannel answers no message id, so reports correlate by the library's
// message id, which the dlr-url carries in its "ref" parameter. The
// dlr-url also carries the webhook token and these Kannel escapes, which
// smsbox expands when it calls the URL:
//
//	status=%d  the report type: 1, 2, 4, 8 or 16 (see KannelDLRMask)
//	at=%T      the report's time, seconds since the epoch
//
// %A (the SMSC's raw receipt) is deliberately not asked for: it quotes the
// start of the message text, which would then sit in web-server logs. So
// Kannel reports carry no error code.
//
// Answers: 202 "0: Accepted for delivery" and 202 "3: Queued for later
// delivery" are accepted; 503 "Temporal failure, try again later." is not
// sent (safe to retry); 4xx, such as 403 "Not routable. Do not try again."
// or 403 "Authorization failed for sendsms", is rejected; any other 2xx or
// 5xx is outcome-unknown.
func Kannel() Profile {
	return Profile{
		Name:   "kannel",
		Method: http.MethodGet,
		Path:   "/cgi-bin/sendsms",
		Body:   BodyQuery,
		Auth:   Auth{Kind: AuthFields, UserField: "username", PasswordField: "password"},
		Fields: Fields{
			From: "from", To: "to", Text: "text",
			Callback: "dlr-url",
			ValidFor: "validity", ValidForUnit: time.Minute,
			ByEncoding: map[transport.Encoding]map[string]string{
				transport.GSM7: {"coding": "0", "charset": "UTF-8"},
				transport.UCS2: {"coding": "2", "charset": "UTF-8"},
			},
			WhenReport: map[string]string{"dlr-mask": KannelDLRMask},
		},
		Response: ResponseSpec{Format: ResponseText},
		Classify: classifyKannel,
		Reports: ReportDialect{
			Format: BodyQuery,
			Auth:   InboundToken,
			Status: "status",
			Time:   "at",
			Statuses: map[string]transport.Status{
				"1":  transport.StatusDelivered,
				"2":  transport.StatusUndeliverable,
				"4":  transport.StatusEnroute,
				"8":  transport.StatusAccepted,
				"16": transport.StatusRejected,
			},
			TimeLayouts:   []string{UnixTime},
			CallbackQuery: "status=%d&at=%T",
			Ack:           Ack{Status: http.StatusOK},
		},
	}
}

// classifyKannel reads smsbox's sendsms answers.
func classifyKannel(r Reply) Class {
	body := strings.TrimSpace(string(r.Body))
	switch {
	case r.StatusCode == http.StatusAccepted && (strings.HasPrefix(body, "0:") || strings.HasPrefix(body, "3:")):
		return Accepted
	case r.StatusCode >= 200 && r.StatusCode < 300:
		return OutcomeUnknown // not smsbox's answer: a proxy or something else
	case r.StatusCode == http.StatusServiceUnavailable && strings.HasPrefix(body, "Temporal failure"):
		return NotSent
	}
	return DefaultClassifier(r)
}
