package operatortest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/azenna/advox/transport"
)

// elks46 speaks 46elks' SMS API as its documentation describes it: "Send
// an SMS" (POST /a1/sms), "SMS Delivery Reports (DLRs)", "Receive SMS" and
// the knowledge-base article "Text sender ID".
type elks46 struct{}

func (elks46) base() string       { return "" }
func (elks46) path() string       { return "/a1/sms" }
func (elks46) method() string     { return http.MethodPost }
func (elks46) newID(n int) string { return fmt.Sprintf("s%032x", n) }

// elksTime is how 46elks writes times: UTC, microseconds, no zone.
const elksTime = "2006-01-02T15:04:05.000000"

func (elks46) parse(r *http.Request, body []byte, cfg *Options) (Message, *answer) {
	// Every request authenticates with the API username and password as
	// HTTP basic auth.
	u, p, ok := r.BasicAuth()
	if !ok || u != cfg.User || p != cfg.Password {
		return Message{}, textAnswer(http.StatusUnauthorized, "API access requires Basic HTTP authentication")
	}
	// Parameters are application/x-www-form-urlencoded; from, to and
	// message are required.
	f, err := url.ParseQuery(string(body))
	if err != nil || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return Message{}, textAnswer(http.StatusBadRequest, "Missing key from")
	}
	for _, k := range []string{"from", "to", "message"} {
		if f.Get(k) == "" {
			return Message{}, textAnswer(http.StatusBadRequest, "Missing key "+k)
		}
	}
	m := Message{From: f.Get("from"), To: f.Get("to"), Text: f.Get("message"), Callback: f.Get("whendelivered")}
	if !cfg.Lenient {
		// "to: The phone number of the recipient in E.164 format."
		if !isE164(m.To) {
			return Message{}, textAnswer(http.StatusBadRequest, "Invalid to number")
		}
		// "from: Either a text sender ID or a phone number in E.164
		// format"; a text sender ID ("Text sender ID", basic format) has
		// 3–11 characters A–Z, a–z, 0–9 and does not start with a digit.
		if !isE164(m.From) && !elksSenderID(m.From) {
			return Message{}, textAnswer(http.StatusBadRequest, "Invalid from")
		}
		// "whendelivered": the URL 46elks POSTs delivery reports to.
		if m.Callback != "" && !isCallbackURL(m.Callback) {
			return Message{}, textAnswer(http.StatusBadRequest, "Invalid whendelivered")
		}
	}
	m.Encoding = encodingOf(m.Text)
	m.Reference = refOf(m.Callback)
	return m, nil
}

// elksSenderID reports whether s is a text sender ID of 46elks' basic
// format.
func elksSenderID(s string) bool {
	return len(s) >= 3 && len(s) <= 11 && isAlnum(s) && (s[0] < '0' || s[0] > '9')
}

// accepted is the documented answer: the message with status "created",
// its id, its parts and its cost in 1/10,000 of the account currency.
func (elks46) accepted(m Message, _ *Options) *answer {
	b, _ := json.Marshal(map[string]any{
		"status": "created", "direction": "outgoing", "id": m.ID,
		"from": m.From, "to": m.To, "message": m.Text,
		"created": time.Now().UTC().Format(elksTime),
		"parts":   m.Segments, "cost": 3500 * m.Segments,
	})
	return jsonAnswer(http.StatusOK, string(b))
}

func (elks46) rejected(m Message) *answer {
	return textAnswer(http.StatusForbidden, "Invalid to number: "+m.To)
}

func (elks46) notAccepted() *answer {
	return jsonAnswer(http.StatusServiceUnavailable, `{"status":"not_accepted"}`)
}

func (elks46) serverError() *answer {
	return textAnswer(http.StatusInternalServerError, "Internal Server Error")
}

func (elks46) callbackURL(m Message, _ Report, _ time.Time) (string, error) {
	return m.Callback, nil
}

// elksStatus maps the vocabulary onto the DLR's status: "sent",
// "delivered" or "failed".
func elksStatus(r Report) string {
	if r.OperatorStatus != "" {
		return r.OperatorStatus
	}
	switch r.Status {
	case transport.StatusDelivered:
		return "delivered"
	case transport.StatusAccepted, transport.StatusEnroute:
		return "sent"
	}
	return "failed"
}

// report is the DLR: a form POST with id, status and, for delivered
// only, delivered (the time in UTC). Basic auth comes from the URL's
// userinfo, as the DLR documentation allows.
func (elks46) report(m Message, r Report, u *url.URL, _ *Options, _ string) (*recordedReport, error) {
	status := elksStatus(r)
	f := url.Values{"id": {m.ID}, "status": {status}}
	if status == "delivered" {
		f.Set("delivered", r.At.UTC().Format(elksTime))
	}
	return formPost(u, f), nil
}

// inbound is "Receive SMS": a form POST with direction=incoming, id, from,
// to, created and message.
func (elks46) inbound(in Inbound, u *url.URL, _ *Options, _ string) (*recordedReport, error) {
	if in.Data != nil || in.UDH != nil {
		return nil, errNotInDialect // 46elks posts whole text messages only
	}
	return formPost(u, url.Values{
		"direction": {"incoming"}, "id": {in.ID},
		"from": {in.From}, "to": {in.To}, "created": {in.At.UTC().Format(elksTime)}, "message": {in.Text},
	}), nil
}

// 46elks sends no summaries.
func (elks46) summary(Message, Report, *url.URL, *Options) (*recordedReport, error) {
	return nil, errNotInDialect
}

func formPost(u *url.URL, f url.Values) *recordedReport {
	return &recordedReport{
		method: http.MethodPost, url: u.String(),
		header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		body:   []byte(f.Encode()),
	}
}
