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

// elks46 speaks 46elks' SMS API.
type elks46 struct{}

func (elks46) base() string       { return "" }
func (elks46) path() string       { return "/a1/sms" }
func (elks46) method() string     { return http.MethodPost }
func (elks46) newID(n int) string { return fmt.Sprintf("s%032x", n) }

func (elks46) parse(r *http.Request, body []byte, cfg *Config) (Message, *answer) {
	u, p, ok := r.BasicAuth()
	if !ok || u != cfg.User || p != cfg.Password {
		return Message{}, textAnswer(http.StatusUnauthorized, "API access requires Basic HTTP authentication")
	}
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
	m.Encoding = encodingOf(m.Text)
	m.Reference = refOf(m.Callback)
	return m, nil
}

func (elks46) accepted(m Message) *answer {
	b, _ := json.Marshal(map[string]any{
		"status": "created", "direction": "outgoing", "id": m.ID,
		"from": m.From, "to": m.To, "message": m.Text,
		"created": time.Now().UTC().Format("2006-01-02T15:04:05.000000"),
		"parts":   segments(m.Text, m.Encoding), "cost": 3500 * segments(m.Text, m.Encoding),
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

func elksStatus(s transport.Status) string {
	switch s {
	case transport.StatusDelivered:
		return "delivered"
	case transport.StatusAccepted, transport.StatusEnroute:
		return "sent"
	}
	return "failed"
}

func (elks46) report(m Message, r Report, u *url.URL, _ *Config, _ string) (*recordedReport, error) {
	f := url.Values{"id": {m.ID}, "status": {elksStatus(r.Status)}}
	if r.Status == transport.StatusDelivered {
		f.Set("delivered", r.At.UTC().Format("2006-01-02T15:04:05.000000"))
	}
	return &recordedReport{
		method: http.MethodPost, url: u.String(),
		header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		body:   []byte(f.Encode()),
	}, nil
}
