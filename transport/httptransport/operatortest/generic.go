package operatortest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/azenna/advox/transport"
)

// generic speaks httptransport's GenericJSON schema, as its doc comment
// documents it.
type generic struct{}

func (generic) base() string       { return "" }
func (generic) path() string       { return "/messages" }
func (generic) method() string     { return http.MethodPost }
func (generic) newID(n int) string { return "gw-" + strconv.Itoa(n) }

type genericSubmit struct {
	From        string `json:"from"`
	To          string `json:"to"`
	Text        string `json:"text"`
	Encoding    string `json:"encoding"`
	Reference   string `json:"reference"`
	CallbackURL string `json:"callback_url"`
	ValidFor    string `json:"valid_for"`
}

func (generic) parse(r *http.Request, body []byte, cfg *Options) (Message, *answer) {
	if r.Header.Get("Authorization") != "Bearer "+cfg.Token {
		return Message{}, jsonAnswer(http.StatusUnauthorized, `{"error":"unauthorized"}`)
	}
	var s genericSubmit
	if err := json.Unmarshal(body, &s); err != nil || s.To == "" || s.Text == "" {
		return Message{}, jsonAnswer(http.StatusBadRequest, `{"error":"to and text are required"}`)
	}
	// The schema's "to" is E.164 (httptransport.GenericJSON).
	if !cfg.Lenient && !isE164(s.To) {
		return Message{}, jsonAnswer(http.StatusBadRequest, `{"error":"to must be an E.164 number"}`)
	}
	m := Message{From: s.From, To: s.To, Text: s.Text, Reference: s.Reference, Callback: s.CallbackURL, Validity: s.ValidFor}
	switch s.Encoding {
	case "gsm7":
		m.Encoding = transport.GSM7
	case "ucs2":
		m.Encoding = transport.UCS2
	case "":
		m.Encoding = encodingOf(s.Text)
	default:
		return Message{}, jsonAnswer(http.StatusBadRequest, `{"error":"unknown encoding"}`)
	}
	return m, nil
}

func (generic) accepted(m Message, _ *Options) *answer {
	n := m.Segments
	b, _ := json.Marshal(map[string]any{"id": m.ID, "parts": n, "price": strconv.Itoa(5*n) + " EUR cents"})
	return jsonAnswer(http.StatusCreated, string(b))
}

func (generic) rejected(m Message) *answer {
	b, _ := json.Marshal(map[string]string{"error": "invalid recipient " + m.To})
	return jsonAnswer(http.StatusUnprocessableEntity, string(b))
}

func (generic) notAccepted() *answer {
	return jsonAnswer(http.StatusServiceUnavailable, `{"status":"not_accepted"}`)
}

func (generic) serverError() *answer {
	return jsonAnswer(http.StatusInternalServerError, `{"error":"internal error"}`)
}

func (generic) callbackURL(m Message, _ Report, _ time.Time) (string, error) {
	return m.Callback, nil
}

// inbound is the schema's inbound message (see httptransport.GenericJSON):
// text, or data in base64 with its coding, udh in hex, signed like a
// report.
func (generic) inbound(in Inbound, u *url.URL, cfg *Options, nonce string) (*recordedReport, error) {
	mo := map[string]string{"id": in.ID, "from": in.From, "to": in.To, "at": in.At.UTC().Format(time.RFC3339Nano)}
	switch {
	case in.UCS2:
		data := in.Data
		if data == nil {
			data = utf16BE(in.Text)
		}
		mo["data"], mo["coding"] = base64.StdEncoding.EncodeToString(data), "ucs2"
	case in.Data != nil:
		mo["data"], mo["coding"] = base64.StdEncoding.EncodeToString(in.Data), "binary"
	default:
		mo["text"] = in.Text
	}
	if in.UDH != nil {
		mo["udh"] = hex.EncodeToString(in.UDH)
	}
	body, err := json.Marshal(mo)
	if err != nil {
		return nil, err
	}
	return signedPost(u, body, cfg, cfg.Now(), nonce, in.BadCredentials), nil
}

func (generic) summary(Message, Report, *url.URL, *Options) (*recordedReport, error) {
	return nil, errNotInDialect
}

func (generic) report(m Message, r Report, u *url.URL, cfg *Options, nonce string) (*recordedReport, error) {
	status := string(r.Status)
	if r.OperatorStatus != "" {
		status = r.OperatorStatus
	}
	rep := map[string]string{"id": m.ID, "status": status, "at": r.At.UTC().Format(time.RFC3339Nano)}
	if m.Reference != "" {
		rep["reference"] = m.Reference
	}
	if r.ErrorCode != "" {
		rep["error_code"] = r.ErrorCode
	}
	body, err := json.Marshal(rep)
	if err != nil {
		return nil, err
	}
	ts := cfg.Now()
	if r.StaleTimestamp {
		ts = ts.Add(-time.Hour)
	}
	return signedPost(u, body, cfg, ts, nonce, r.BadCredentials), nil
}

// signedPost is a JSON POST to u signed as the schema says: HMAC-SHA256
// over timestamp.nonce.body, keyed with cfg.SigningSecret (spoilt when
// bad).
func signedPost(u *url.URL, body []byte, cfg *Options, ts time.Time, nonce string, bad bool) *recordedReport {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(cfg.SigningSecret))
	mac.Write([]byte(stamp + "." + nonce + "."))
	mac.Write(body)
	sig := mac.Sum(nil)
	if bad {
		sig[0] ^= 0xff
	}
	return &recordedReport{
		method: http.MethodPost, url: u.String(),
		header: http.Header{
			"Content-Type":      {"application/json"},
			"X-Advox-Timestamp": {stamp},
			"X-Advox-Nonce":     {nonce},
			"X-Advox-Signature": {"sha256=" + hex.EncodeToString(sig)},
		},
		body: body,
	}
}
