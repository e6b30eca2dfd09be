package httptransport

import (
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/azenna/advox/transport"
)

// KannelDLRMask is the dlr-mask Kannel is sent: every report type (1
// delivered, 2 undeliverable, 4 queued on the SMSC, 8 accepted by the SMSC,
// 16 rejected by the SMSC).
const KannelDLRMask = "31"

// Kannel returns the profile of a Kannel 1.4 smsbox's sendsms interface
// ("SMS Push (send-sms) CGI Variables" in the Kannel user guide): GET
// /cgi-bin/sendsms with username, password, from, to, text, coding and
// charset (0 and UTF-8 for GSM-7, 2 and UTF-8 for UCS-2), validity in
// minutes, and when reports are asked for dlr-mask=31 and a dlr-url.
//
// Each part is its own request (Profile.PerPart): text is the part exactly
// as the Client split it and udh its concatenation header, so Kannel never
// splits the text again its own way (which cuts characters across parts,
// bills another number of parts than the Client counted, and asks a
// receipt for the first part only). Each part's dlr-url names the part, so
// every part gets its own reports and the record's status follows all of
// them. A part refused after earlier ones were accepted (a 503 "Temporal
// failure", a 429 from a proxy) is sent again by SubmitParts with the same
// udh reference and part number, so the handset still joins the message.
//
// Kannel answers no message id: Result.OperatorIDs holds PartID(id, n) for
// each part, and reports correlate by the "ref" and "part" the dlr-url
// carries with the webhook token (InboundToken) and these Kannel escapes,
// which smsbox expands when it calls the URL:
//
//	status=%d  the report type: 1, 2, 4, 8 or 16 (see KannelDLRMask)
//	at=%T      the report's time, seconds since the epoch
//
// Every "%" of the rest of the URL is written "%%" (Kannel's literal
// percent), so no percent-encoded byte can be taken for one of Kannel's
// escapes. %A (the SMSC's raw receipt) is deliberately not asked for: it
// quotes the start of the message text, which would then sit in web-server
// logs. So Kannel reports carry no error code.
//
// Answers: 202 "0: Accepted for delivery", 202 "3: Queued for later
// delivery" and 202 "Sent." (with immediate-sendsms-reply; "Message
// splits: n" in it becomes Result.Parts) are accepted; 503 "Temporal
// failure, try again later." is not sent (safe to retry); 4xx, such as 403
// "Not routable. Do not try again." or 403 "Authorization failed for
// sendsms", is rejected; any other 2xx or 5xx is outcome-unknown.
//
// The Kannel settings the profile needs:
//
//   - a sendsms-user group with the username and password; max-messages
//     and concatenation are not needed (each request is one SMS), but if
//     set they do no harm;
//   - smsbox's sms-length left at its default of 140 octets: a lower
//     value makes Kannel split each part again;
//   - smsbox's sendsms-chars allowing "+" (the default "0123456789 +-"
//     does), as numbers are sent in E.164;
//   - delivery reports: a dlr-storage in the core group (internal loses
//     pending reports on restart) and an SMSC connection that returns
//     receipts; smsbox must reach the dlr-url (an https callback needs a
//     Kannel built with SSL);
//   - validity works only where the SMSC module passes it on.
//
// Messages from handsets come from an sms-service whose get-url is
// InboundWebhook's URL with the token (InboundToken) and KannelGetURL,
// for example
//
//	group = sms-service
//	keyword = default
//	catch-all = true
//	max-messages = 0
//	get-url = "https://app.example/sms/in?token=<Webhook.Secret>&from=%p&to=%P&text=%b&coding=%c&charset=%C&udh=%u&time=%T&id=%I"
//
// (max-messages = 0: smsbox sends no reply of its own; a "%" of the token
// must be written "%%"). smsbox fetches the URL again after a failure
// (the endpoint answers 503 when the application did not take the
// message) only when the smsbox group sets http-request-retry (and
// http-queue-delay): set them, or a message fetched while the application
// is down is lost. With the core group's sms-combine-concatenated-mo left
// at its default, bearerbox joins the parts and each request is a whole
// message; otherwise each part comes with its header (%u).
func Kannel() Profile {
	return Profile{
		Name:    "kannel",
		Method:  http.MethodGet,
		Path:    "/cgi-bin/sendsms",
		Body:    BodyQuery,
		Auth:    Auth{Kind: AuthFields, UserField: "username", PasswordField: "password"},
		PerPart: true,
		Fields: Fields{
			From: "from", To: "to", Text: "text", UDH: "udh",
			Callback: "dlr-url",
			ValidFor: "validity", ValidForUnit: time.Minute,
			ByEncoding: map[transport.Encoding]map[string]string{
				transport.GSM7: {"coding": "0", "charset": "UTF-8"},
				transport.UCS2: {"coding": "2", "charset": "UTF-8"},
			},
			WhenReport: map[string]string{"dlr-mask": KannelDLRMask},
		},
		Response: ResponseSpec{Format: ResponseText, PartsPattern: kannelSplits},
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
			EscapePercent: true,
			Ack:           Ack{Status: http.StatusOK},
		},
		Inbound: InboundDialect{Format: BodyQuery, Auth: InboundToken, Parse: parseKannelInbound, Ack: Ack{Status: http.StatusOK}},
	}
}

// kannelSplits reads the part count smsbox appends to "Sent." when it split
// a message.
var kannelSplits = regexp.MustCompile(`Message splits: (\d+)`)

// classifyKannel reads smsbox's sendsms answers (gw/smsbox.c: the
// bearerbox acknowledgement, or "Sent." with immediate-sendsms-reply).
func classifyKannel(r Reply) Class {
	body := strings.TrimSpace(string(r.Body))
	switch {
	case r.StatusCode == http.StatusAccepted &&
		(strings.HasPrefix(body, "0:") || strings.HasPrefix(body, "3:") || strings.HasPrefix(body, "Sent.")):
		return Accepted
	case r.StatusCode >= 200 && r.StatusCode < 300:
		return OutcomeUnknown // not smsbox's answer: a proxy or something else
	case r.StatusCode == http.StatusServiceUnavailable && strings.HasPrefix(body, "Temporal failure"):
		return NotSent
	}
	return DefaultClassifier(r)
}
