package httptransport

import (
	"net/http"
	"time"

	"github.com/azenna/advox/transport"
)

// GenericJSON returns the profile of advox's own documented schema, for
// in-house gateways and operators without a dialect of their own.
//
// Submit: POST <BaseURL>/messages, "Authorization: Bearer <token>", JSON
//
//	{"from": "Advox", "to": "+46701234567", "text": "…",
//	 "encoding": "gsm7" | "ucs2", "reference": "<library message id>",
//	 "valid_for": "<seconds>", "callback_url": "<URL, when reports are wanted>"}
//
// Answers:
//
//	2xx {"id": "<gateway id>" | ["<id per part>", …], "parts": 2, "price": "0.07 EUR"}
//	429 with optional Retry-After (seconds or HTTP-date): throttled
//	any status with {"status": "throttled"}: throttled (for gateways that
//	  cannot set 429 through their stack)
//	any status with {"status": "not_accepted"}: not sent, safe to retry
//	4xx {"error": "<reason>"}: rejected
//	5xx otherwise: outcome unknown
//
// Delivery report: POST to the callback URL, JSON object or array of
//
//	{"id": "<gateway id>", "reference": "<library message id>",
//	 "status": "accepted" | "enroute" | "delivered" | "expired" | "deleted" |
//	           "undeliverable" | "rejected" | "unknown",
//	 "error_code": "<gateway code>", "at": "<RFC 3339>"}
//
// signed with HMAC-SHA256 (see InboundHMAC and Sign): X-Advox-Timestamp
// (seconds since the epoch), X-Advox-Nonce (unique per request) and
// X-Advox-Signature (hex). The webhook answers 200 {"ok":true}.
//
// Inbound message: POST to the application's inbound URL (InboundWebhook),
// signed the same way, JSON object or array of
//
//	{"id": "<gateway id>", "from": "+46701234567", "to": "+46766860000",
//	 "at": "<RFC 3339>",
//	 "text": "<UTF-8 text>"                               (a whole message)
//	 | "data": "<base64 user data>", "coding": "gsm7" | "ascii" |
//	           "latin1" | "ucs2" | "binary",               (raw user data)
//	 "udh": "<hex user data header, for a part of a concatenated message>"}
//
// UCS-2 parts go as data, so that a surrogate pair split across two parts
// survives. The endpoint answers 200 {"ok":true} once the application
// took every message, 503 when the gateway must post again.
func GenericJSON() Profile {
	all := transport.Statuses()
	statuses := make(map[string]transport.Status, len(all))
	for _, s := range all {
		statuses[string(s)] = s
	}
	return Profile{
		Name:   "generic",
		Method: http.MethodPost,
		Path:   "/messages",
		Body:   BodyJSON,
		Auth:   Auth{Kind: AuthBearer},
		Fields: Fields{
			From: "from", To: "to", Text: "text", Reference: "reference",
			Callback: "callback_url", ValidFor: "valid_for", ValidForUnit: time.Second,
			ByEncoding: map[transport.Encoding]map[string]string{
				transport.GSM7: {"encoding": "gsm7"},
				transport.UCS2: {"encoding": "ucs2"},
			},
		},
		Response: ResponseSpec{Format: ResponseJSON, ID: "id", Parts: "parts", Price: "price", Error: "error"},
		Classify: classifyGeneric,
		Reports: ReportDialect{
			Format:      BodyJSON,
			Auth:        InboundHMAC,
			ID:          "id",
			Reference:   "reference",
			Status:      "status",
			Error:       "error_code",
			Time:        "at",
			Statuses:    statuses,
			TimeLayouts: []string{time.RFC3339Nano},
			Ack:         Ack{Status: http.StatusOK, ContentType: "application/json", Body: `{"ok":true}`},
		},
		Inbound: InboundDialect{Format: BodyJSON, Auth: InboundHMAC, Parse: parseGenericInbound,
			Ack: Ack{Status: http.StatusOK, ContentType: "application/json", Body: `{"ok":true}`}},
	}
}

// classifyGeneric recognises the schema's status signals in any answer.
func classifyGeneric(r Reply) Class {
	if v, err := decodeJSON(r.Body); err == nil {
		if s, ok := scalar(lookup(v, "status")); ok {
			switch s {
			case "throttled":
				return Throttled
			case "not_accepted":
				return NotSent
			}
		}
	}
	return DefaultClassifier(r)
}
