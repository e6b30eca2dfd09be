package httptransport

import (
	"net/http"
	"time"

	"github.com/azenna/advox/transport"
)

// SinchValidityLayout is how the Sinch profile writes expire_at:
// ISO-8601 in UTC with milliseconds, as the batch API documents it.
const SinchValidityLayout = "2006-01-02T15:04:05.000Z07:00"

// SinchMaxValidFor is the longest expire_at Sinch takes: three days after
// sending (the batch API's default and maximum).
const SinchMaxValidFor = 72 * time.Hour

// SinchBatches returns the profile of Sinch's SMS REST API (batches);
// BaseURL includes the region and service plan, e.g.
// "https://us.sms.api.sinch.com/xms/v1/<service-plan-id>". A submit is
// POST /batches with the plan's bearer token and a JSON body with from, to
// (an array of one), body, client_reference (the library's message id),
// expire_at (Message.ValidFor, at most SinchMaxValidFor), and when reports
// are asked for callback_url and delivery_report "per_recipient". The
// answer's id is the batch id.
//
// Delivery reports are JSON objects of type recipient_delivery_report_sms
// with batch_id, client_reference, status, code, at and operator_status_at
// (preferred when present: when the operator's network reached the
// status). Statuses map as Sinch's "Delivery report statuses" document
// them, final or intermediate:
//
//	Queued      intermediate  accepted
//	Dispatched  intermediate  enroute
//	Delivered   final         delivered
//	Failed      final         undeliverable
//	Expired     final         expired
//	Rejected    final         rejected
//	Aborted     final         rejected  (before reaching the SMSC)
//	Cancelled   final         deleted   (before reaching the SMSC)
//	Deleted     final         deleted
//	Unknown     final         undeliverable (the SMSC sent no usable
//	                          receipt: delivery cannot be confirmed, and no
//	                          report will follow)
//
// code is kept as the error code on failures only (it is 0, 400 or 401 on
// the others). Other callbacks Sinch posts to the same URL (mo_text and
// mo_binary inbound messages, delivery_report_sms batch summaries) are
// acknowledged and ignored once authenticated; a callback without the
// URL's token (an inbound URL set in Sinch's dashboard to the report URL)
// is refused as unauthenticated.
//
// Authentication of reports. Sinch does not retry a 4xx answer, so a
// report refused for its credentials is lost; and Sinch sets callback
// credentials per account, not from the URL. The profile therefore
// authenticates with InboundMessageToken: each batch's callback_url
// carries a token valid for that message only, which needs no setting at
// Sinch. To have Sinch send basic authentication as well, ask your Sinch
// account manager to configure basic authentication for the callback URL
// with a user name and password you choose, set them in Webhook.User and
// Password, keep Webhook.Secret, and set Reports.Auth to InboundBasic: the
// webhook then requires both. (OAuth 2.0, mutual TLS and HMAC callbacks,
// which Sinch also offers, are not supported.) When the callback URL is
// configured at Sinch rather than sent per batch (Config.CallbackURL
// empty), only InboundBasic can work.
//
// Messages from handsets ("Inbounds") are JSON posts of type mo_text
// (body is the text) or mo_binary (body in base64, udh in hex), with id,
// from, to and received_at, to the callback URL set for the service plan
// in Sinch's dashboard: set it to InboundWebhook's URL with
// "?token=<Webhook.Secret>" (the inbound endpoint authenticates with
// InboundToken, since there is no message to bind a token to). Sinch
// retries a callback answered 5xx.
func SinchBatches() Profile {
	return Profile{
		Name:   "sinch",
		Method: http.MethodPost,
		Path:   "/batches",
		Body:   BodyJSON,
		Auth:   Auth{Kind: AuthBearer},
		Fields: Fields{
			From: "from", To: "to", ToArray: true, Text: "body",
			Reference: "client_reference", Callback: "callback_url",
			ValidFor: "expire_at", ValidForLayout: SinchValidityLayout, MaxValidFor: SinchMaxValidFor,
			WhenReport: map[string]string{"delivery_report": "per_recipient"},
		},
		Response: ResponseSpec{Format: ResponseJSON, ID: "id", RequireID: true, Error: "text"},
		Reports: ReportDialect{
			Format:       BodyJSON,
			Auth:         InboundMessageToken,
			ID:           "batch_id",
			Reference:    "client_reference",
			Status:       "status",
			Error:        "code",
			Time:         "at",
			OperatorTime: "operator_status_at",
			Kind:         "type",
			ReportKinds:  []string{"recipient_delivery_report_sms"},
			Statuses: map[string]transport.Status{
				"Queued":     transport.StatusAccepted,
				"Dispatched": transport.StatusEnroute,
				"Delivered":  transport.StatusDelivered,
				"Failed":     transport.StatusUndeliverable,
				"Expired":    transport.StatusExpired,
				"Rejected":   transport.StatusRejected,
				"Aborted":    transport.StatusRejected,
				"Cancelled":  transport.StatusDeleted,
				"Deleted":    transport.StatusDeleted,
				"Unknown":    transport.StatusUndeliverable,
			},
			TimeLayouts: []string{time.RFC3339Nano},
			Ack:         Ack{Status: http.StatusOK},
		},
		Inbound: InboundDialect{Format: BodyJSON, Auth: InboundToken, Parse: parseSinchInbound, Ack: Ack{Status: http.StatusOK}},
	}
}
