package operatortest

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/azenna/advox/transport"
)

// sinch speaks Sinch's SMS REST API as its reference documents it:
// "Batches – Send" (request body schema), "Delivery reports" (statuses,
// the recipient delivery report) and "Webhooks" (callbacks, incoming SMS).
type sinch struct{}

func (sinch) base() string       { return "/xms/v1/sim-plan" }
func (sinch) path() string       { return "/batches" }
func (sinch) method() string     { return http.MethodPost }
func (sinch) newID(n int) string { return fmt.Sprintf("01SIM%021d", n) }

// sinchTime is Sinch's ISO-8601 form: YYYY-MM-DDThh:mm:ss.SSSZ.
const sinchTime = "2006-01-02T15:04:05.000Z07:00"

// The limits of "Batches – Send": body up to 2000 characters,
// callback_url and client_reference up to 2048, expire_at at most three
// days after sending.
const (
	sinchMaxBody      = 2000
	sinchMaxURL       = 2048
	sinchMaxReference = 2048
	sinchMaxExpiry    = 72 * time.Hour
)

type sinchBatch struct {
	From            string   `json:"from"`
	To              []string `json:"to"`
	Body            *string  `json:"body"`
	Type            string   `json:"type"`
	ClientReference string   `json:"client_reference"`
	CallbackURL     string   `json:"callback_url"`
	DeliveryReport  string   `json:"delivery_report"`
	ExpireAt        string   `json:"expire_at"`
}

// sinchError is Sinch's error answer: a code and a text.
func sinchError(status int, code, text string) *answer {
	b, _ := json.Marshal(map[string]string{"code": code, "text": text})
	return jsonAnswer(status, string(b))
}

func (sinch) parse(r *http.Request, body []byte, cfg *Options) (Message, *answer) {
	// Every request carries the service plan's API token as a bearer token.
	if r.Header.Get("Authorization") != "Bearer "+cfg.Token {
		return Message{}, sinchError(http.StatusUnauthorized, "unauthorized", "Unauthorized")
	}
	var b sinchBatch
	if err := json.Unmarshal(body, &b); err != nil {
		return Message{}, sinchError(http.StatusBadRequest, "syntax_invalid_json", "The JSON structure is invalid")
	}
	violation := func(text string) (Message, *answer) {
		return Message{}, sinchError(http.StatusBadRequest, "syntax_constraint_violation", text)
	}
	// to: required, 1 to 1000 recipients (the simulator takes one).
	if len(b.To) != 1 {
		return violation("The simulator takes exactly one recipient")
	}
	// body: required (mt_text, the default type).
	if b.Body == nil || *b.Body == "" || b.Type != "" && b.Type != "mt_text" {
		return violation("body is required")
	}
	switch b.DeliveryReport {
	case "", "none", "summary", "full", "per_recipient", "per_recipient_final":
	default:
		return violation("delivery_report must be none, summary, full, per_recipient or per_recipient_final")
	}
	m := Message{From: b.From, To: b.To[0], Text: *b.Body, Reference: b.ClientReference, Validity: b.ExpireAt}
	if !cfg.Lenient {
		// to: phone numbers in E.164 (MSISDN) format.
		if !isE164(m.To) && !isE164("+"+m.To) {
			return violation("Invalid recipient")
		}
		// from: "Must be valid phone number, short code or alphanumeric"
		// (alphanumeric: at most 11 characters, 3GPP TS 23.040 §9.1.2.5).
		if m.From != "" && !isE164(m.From) && !allDigits(m.From) && !(len(m.From) <= 11 && isAlnum(strings.ReplaceAll(m.From, " ", ""))) {
			return violation("Invalid originator")
		}
		switch {
		case utf8.RuneCountInString(m.Text) > sinchMaxBody:
			return violation("body is longer than 2000 characters")
		case len(b.CallbackURL) > sinchMaxURL || b.CallbackURL != "" && !isCallbackURL(b.CallbackURL):
			return violation("callback_url must be a valid URL of at most 2048 characters")
		case len(b.ClientReference) > sinchMaxReference:
			return violation("client_reference is longer than 2048 characters")
		}
		// expire_at: "Must be after send_at. Default and max is 3 days
		// after send_at."
		if b.ExpireAt != "" {
			at, err := time.Parse(time.RFC3339Nano, b.ExpireAt)
			now := cfg.Now()
			if err != nil || !at.After(now) || at.After(now.Add(sinchMaxExpiry+time.Minute)) {
				return violation("expire_at must be after send_at and at most 3 days after it")
			}
		}
	}
	m.Encoding = encodingOf(m.Text)
	if b.DeliveryReport == "per_recipient" || b.DeliveryReport == "per_recipient_final" {
		m.Callback = b.CallbackURL
	}
	return m, nil
}

func (sinch) accepted(m Message, _ *Options) *answer {
	now := time.Now().UTC().Format(sinchTime)
	b, _ := json.Marshal(map[string]any{
		"id": m.ID, "to": []string{m.To}, "from": m.From, "canceled": false,
		"body": m.Text, "type": "mt_text", "created_at": now, "modified_at": now,
		"delivery_report": "per_recipient", "client_reference": m.Reference,
	})
	return jsonAnswer(http.StatusCreated, string(b))
}

func (sinch) rejected(m Message) *answer {
	return sinchError(http.StatusBadRequest, "syntax_constraint_violation", "Invalid recipient "+m.To)
}

func (sinch) notAccepted() *answer {
	return jsonAnswer(http.StatusServiceUnavailable, `{"status":"not_accepted"}`)
}

func (sinch) serverError() *answer {
	return sinchError(http.StatusInternalServerError, "internal_error", "Internal error")
}

func (sinch) callbackURL(m Message, _ Report, _ time.Time) (string, error) {
	return m.Callback, nil
}

// sinchStatus maps the vocabulary onto "Delivery report statuses".
func sinchStatus(r Report) string {
	if r.OperatorStatus != "" {
		return r.OperatorStatus
	}
	switch r.Status {
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

// sinchCode is the delivery report's code for a status without an
// error code: 400 Queued, 401 Dispatched, 0 otherwise.
func sinchCode(r Report, status string) int {
	if n, err := strconv.Atoi(r.ErrorCode); err == nil {
		return n
	}
	switch status {
	case "Queued":
		return 400
	case "Dispatched":
		return 401
	}
	return 0
}

// report is a recipient delivery report (type
// recipient_delivery_report_sms): at is when the report was written,
// operator_status_at when the operator's network reached the status (the
// Report's At).
func (sinch) report(m Message, r Report, u *url.URL, cfg *Options, _ string) (*recordedReport, error) {
	status := sinchStatus(r)
	rep := map[string]any{
		"type": "recipient_delivery_report_sms", "batch_id": m.ID, "recipient": strings.TrimPrefix(m.To, "+"),
		"code": sinchCode(r, status), "status": status,
		"at": cfg.Now().UTC().Format(sinchTime), "operator_status_at": r.At.UTC().Format(sinchTime),
	}
	if m.Reference != "" {
		rep["client_reference"] = m.Reference
	}
	return sinchCallback(u, rep, cfg, r.BadCredentials)
}

// summary is a batch delivery report (type delivery_report_sms): the
// statuses of the batch's recipients, counted.
func (sinch) summary(m Message, r Report, u *url.URL, cfg *Options) (*recordedReport, error) {
	status := sinchStatus(r)
	rep := map[string]any{
		"type": "delivery_report_sms", "batch_id": m.ID, "total_message_count": 1,
		"statuses": []map[string]any{{"code": sinchCode(r, status), "status": status, "count": 1}},
	}
	if m.Reference != "" {
		rep["client_reference"] = m.Reference
	}
	return sinchCallback(u, rep, cfg, r.BadCredentials)
}

// inbound is an incoming SMS: type mo_text, or mo_binary (body in base64,
// udh in hex) for Data or a part with a header.
func (sinch) inbound(in Inbound, u *url.URL, cfg *Options, _ string) (*recordedReport, error) {
	mo := map[string]any{
		"type": "mo_text", "id": in.ID,
		"from": strings.TrimPrefix(in.From, "+"), "to": strings.TrimPrefix(in.To, "+"),
		"body": in.Text, "received_at": in.At.UTC().Format(sinchTime),
	}
	if in.Data != nil || in.UDH != nil {
		data := in.Data
		if data == nil {
			data = []byte(in.Text)
		}
		mo["type"], mo["body"] = "mo_binary", base64.StdEncoding.EncodeToString(data)
		if in.UDH != nil {
			mo["udh"] = hex.EncodeToString(in.UDH)
		}
	}
	return sinchCallback(u, mo, cfg, in.BadCredentials)
}

// sinchCallback is a JSON POST to u, with the basic auth the account is
// configured to send ("Webhooks": callbacks authenticate as configured by
// the account manager, never with credentials from the URL).
func sinchCallback(u *url.URL, body map[string]any, cfg *Options, badCredentials bool) (*recordedReport, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	target := *u
	target.User = nil
	rec := &recordedReport{
		method: http.MethodPost, url: target.String(),
		header: http.Header{"Content-Type": {"application/json"}}, body: b,
	}
	if cfg.CallbackUser != "" {
		password := cfg.CallbackPassword
		if badCredentials {
			password = "wrong-password-wrong"
		}
		req := http.Request{Header: http.Header{}}
		req.SetBasicAuth(cfg.CallbackUser, password)
		rec.header.Set("Authorization", req.Header.Get("Authorization"))
	}
	return rec, nil
}
