package operatortest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/azenna/advox/transport"
)

// sinch speaks a Sinch-style batch API.
type sinch struct{}

func (sinch) base() string       { return "/xms/v1/sim-plan" }
func (sinch) path() string       { return "/batches" }
func (sinch) method() string     { return http.MethodPost }
func (sinch) newID(n int) string { return fmt.Sprintf("01SIM%021d", n) }

type sinchBatch struct {
	From            string   `json:"from"`
	To              []string `json:"to"`
	Body            string   `json:"body"`
	ClientReference string   `json:"client_reference"`
	CallbackURL     string   `json:"callback_url"`
	DeliveryReport  string   `json:"delivery_report"`
}

func (sinch) parse(r *http.Request, body []byte, cfg *Config) (Message, *answer) {
	if r.Header.Get("Authorization") != "Bearer "+cfg.Token {
		return Message{}, jsonAnswer(http.StatusUnauthorized, `{"code":"unauthorized","text":"Unauthorized"}`)
	}
	var b sinchBatch
	if err := json.Unmarshal(body, &b); err != nil {
		return Message{}, jsonAnswer(http.StatusBadRequest, `{"code":"syntax_invalid_json","text":"The JSON structure is invalid"}`)
	}
	if len(b.To) != 1 || b.Body == "" {
		return Message{}, jsonAnswer(http.StatusBadRequest, `{"code":"syntax_constraint_violation","text":"The simulator takes one recipient and a body"}`)
	}
	m := Message{From: b.From, To: b.To[0], Text: b.Body, Reference: b.ClientReference}
	m.Encoding = encodingOf(m.Text)
	if b.DeliveryReport == "per_recipient" {
		m.Callback = b.CallbackURL
	}
	return m, nil
}

func (sinch) accepted(m Message) *answer {
	now := time.Now().UTC().Format(time.RFC3339Nano)
	b, _ := json.Marshal(map[string]any{
		"id": m.ID, "to": []string{m.To}, "from": m.From, "canceled": false,
		"body": m.Text, "type": "mt_text", "created_at": now, "modified_at": now,
		"delivery_report": "per_recipient", "client_reference": m.Reference,
	})
	return jsonAnswer(http.StatusCreated, string(b))
}

func (sinch) rejected(m Message) *answer {
	b, _ := json.Marshal(map[string]string{"code": "syntax_constraint_violation", "text": "Invalid recipient " + m.To})
	return jsonAnswer(http.StatusBadRequest, string(b))
}

func (sinch) notAccepted() *answer {
	return jsonAnswer(http.StatusServiceUnavailable, `{"status":"not_accepted"}`)
}

func (sinch) serverError() *answer {
	return jsonAnswer(http.StatusInternalServerError, `{"code":"internal_error","text":"Internal error"}`)
}

func (sinch) callbackURL(m Message, _ Report, _ time.Time) (string, error) {
	return m.Callback, nil
}

func sinchStatus(s transport.Status) string {
	switch s {
	case transport.StatusAccepted:
		return "Queued"
	case transport.StatusEnroute:
		return "Dispatched"
	case transport.StatusDelivered:
		return "Delivered"
	case transport.StatusUndeliverable:
		return "Failed"
	case transport.StatusExpired:
		return "Expired"
	case transport.StatusRejected:
		return "Rejected"
	case transport.StatusDeleted:
		return "Deleted"
	}
	return "Unknown"
}

func (sinch) report(m Message, r Report, u *url.URL, _ *Config, _ string) (*recordedReport, error) {
	code, _ := strconv.Atoi(r.ErrorCode)
	rep := map[string]any{
		"type": "recipient_delivery_report_sms", "batch_id": m.ID, "recipient": m.To,
		"code": code, "status": sinchStatus(r.Status), "at": r.At.UTC().Format(time.RFC3339Nano),
	}
	if m.Reference != "" {
		rep["client_reference"] = m.Reference
	}
	b, err := json.Marshal(rep)
	if err != nil {
		return nil, err
	}
	return &recordedReport{
		method: http.MethodPost, url: u.String(),
		header: http.Header{"Content-Type": {"application/json"}}, body: b,
	}, nil
}
