package httptransport

import (
	"net/http"
	"time"

	"github.com/azenna/advox/transport"
)

// Elks46 returns the profile of 46elks (https://46elks.com, BaseURL
// "https://api.46elks.com"): POST /a1/sms, form-encoded from, to, message
// and whendelivered, HTTP basic auth with the API username and password.
// The JSON answer carries id, parts and cost; cost is in 1/10,000 of the
// account's currency and becomes Result.Price as a decimal in that
// currency (cost 3500 is "0.35").
//
// 46elks takes no validity period: the profile says so
// (transport.ValidityAware), so the Client refuses a message with a
// ValidFor rather than send it with 46elks' default.
//
// Delivery reports are form POSTs to whendelivered with id, status (sent,
// delivered, failed) and delivered (the time, for delivered only); they
// correlate by id, and by the "ref" the callback URL carries, which also
// carries the webhook token (InboundToken). No setting is needed at
// 46elks. An inbound SMS posted to the report URL (direction=incoming) is
// acknowledged and ignored, so 46elks does not retry it for hours.
//
// Messages from handsets ("Receive SMS") are form POSTs with
// direction=incoming, id, from, to, message and created, to the sms_url
// set on the number at 46elks: set it to InboundWebhook's URL with
// "?token=<Webhook.Secret>" (InboundToken). 46elks joins concatenated
// messages: each request is a whole message. It calls the URL again when
// the answer is not a 2xx.
func Elks46() Profile {
	return Profile{
		Name:   "46elks",
		Method: http.MethodPost,
		Path:   "/a1/sms",
		Body:   BodyForm,
		Auth:   Auth{Kind: AuthBasic},
		Fields: Fields{From: "from", To: "to", Text: "message", Callback: "whendelivered"},
		Response: ResponseSpec{
			Format: ResponseJSON, ID: "id", RequireID: true, Parts: "parts", Price: "cost", PriceDecimals: 4,
		},
		Reports: ReportDialect{
			Format: BodyForm,
			Auth:   InboundToken,
			ID:     "id",
			Status: "status",
			Time:   "delivered",
			Kind:   "direction", // only inbound SMS carry it
			Statuses: map[string]transport.Status{
				"sent":      transport.StatusEnroute,
				"delivered": transport.StatusDelivered,
				"failed":    transport.StatusUndeliverable,
			},
			TimeLayouts: []string{"2006-01-02T15:04:05.999999", time.RFC3339Nano},
			Ack:         Ack{Status: http.StatusOK},
		},
		Inbound: InboundDialect{Format: BodyForm, Auth: InboundToken, Parse: parseElks46Inbound, Ack: Ack{Status: http.StatusOK}},
	}
}
