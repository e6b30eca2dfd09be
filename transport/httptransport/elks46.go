package httptransport

import (
	"net/http"
	"time"

	"github.com/azenna/advox/transport"
)

// Elks46 returns the profile of 46elks (https://46elks.com, BaseURL
// "https://api.46elks.com"): POST /a1/sms, form-encoded from, to, message
// and whendelivered, HTTP basic auth with the API username and password.
// The JSON answer carries id, parts and cost. Delivery reports are form
// POSTs with id, status (sent, delivered, failed) and delivered (the time);
// they correlate by id, and by the "ref" the callback URL carries.
func Elks46() Profile {
	return Profile{
		Name:   "46elks",
		Method: http.MethodPost,
		Path:   "/a1/sms",
		Body:   BodyForm,
		Auth:   Auth{Kind: AuthBasic},
		Fields: Fields{From: "from", To: "to", Text: "message", Callback: "whendelivered"},
		Response: ResponseSpec{
			Format: ResponseJSON, ID: "id", RequireID: true, Parts: "parts", Price: "cost",
		},
		Reports: ReportDialect{
			Format: BodyForm,
			Auth:   InboundToken,
			ID:     "id",
			Status: "status",
			Time:   "delivered",
			Statuses: map[string]transport.Status{
				"sent":      transport.StatusEnroute,
				"delivered": transport.StatusDelivered,
				"failed":    transport.StatusUndeliverable,
			},
			TimeLayouts: []string{"2006-01-02T15:04:05.999999", time.RFC3339Nano},
			Ack:         Ack{Status: http.StatusOK},
		},
	}
}
