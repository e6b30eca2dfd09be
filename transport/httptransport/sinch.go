package httptransport

import (
	"net/http"
	"time"

	"github.com/azenna/advox/transport"
)

// SinchBatches returns the profile of a Sinch-style batch API; BaseURL
// includes the service plan, e.g.
// "https://us.sms.api.sinch.com/xms/v1/<service-plan-id>". A submit is
// POST /batches with a bearer token and a JSON body with from, to (an
// array of one), body, client_reference (the library's message id),
// callback_url and delivery_report "per_recipient"; the answer's id is the
// batch id. Delivery reports are JSON objects with batch_id,
// client_reference, status, code and at, authenticated with basic auth
// (the credentials travel in the callback URL).
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
			WhenReport: map[string]string{"delivery_report": "per_recipient"},
		},
		Response: ResponseSpec{Format: ResponseJSON, ID: "id", RequireID: true, Error: "text"},
		Reports: ReportDialect{
			Format:    BodyJSON,
			Auth:      InboundBasic,
			ID:        "batch_id",
			Reference: "client_reference",
			Status:    "status",
			Error:     "code",
			Time:      "at",
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
				"Unknown":    transport.StatusUnknown,
			},
			TimeLayouts: []string{time.RFC3339Nano},
			Ack:         Ack{Status: http.StatusOK},
		},
	}
}
