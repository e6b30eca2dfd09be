package operatortest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/azenna/advox/transport"
)

// Report is a delivery report for SendReport to send, with optional
// tampering to test the webhook's defences.
type Report struct {
	// ID is the Message.ID of an accepted message; its callback URL is
	// where the report goes.
	ID string
	// Status is the status to report, in the core vocabulary; the dialect
	// maps it onto its own values.
	Status transport.Status
	// OperatorStatus, when set, is sent as the status instead, verbatim in
	// the dialect's own vocabulary (Sinch's "Unknown", "Aborted", Kannel's
	// "16"), for values the mapping from Status does not produce.
	OperatorStatus string
	// ErrorCode is the operator error code to report (dialects that carry
	// one).
	ErrorCode string
	// At is the report's time; zero means now.
	At time.Time
	// UnknownID names an operator id the operator never issued and no
	// reference (Kannel, whose reports carry only the reference: an
	// unknown reference).
	UnknownID bool
	// OmitReference leaves out the client reference and the callback
	// URL's "ref", so only the operator id can correlate the report.
	OmitReference bool
	// BadCredentials sends a wrong token, basic-auth password or
	// signature.
	BadCredentials bool
	// StaleTimestamp signs with a timestamp an hour old (GenericJSON).
	StaleTimestamp bool
}

// recordedReport is a sent report request, kept for ReplayLastReport.
type recordedReport struct {
	id     string
	status transport.Status
	method string
	url    string
	header http.Header
	body   []byte
}

var errNoCallback = errors.New("operatortest: the message has no callback URL")

// SendReport sends r to the callback URL of the message it names and
// returns the webhook's HTTP status.
func (s *Server) SendReport(ctx context.Context, r Report) (int, error) {
	return s.toCallback(ctx, r, s.d.report)
}

// SendSummary sends the batch summary the operator posts about the
// message r names to its callback URL (Sinch's delivery_report_sms,
// counting the message in r.Status), and returns the webhook's HTTP
// status. Dialects whose operator posts none fail.
func (s *Server) SendSummary(ctx context.Context, r Report) (int, error) {
	return s.toCallback(ctx, r, func(m Message, r Report, u *url.URL, cfg *Options, _ string) (*recordedReport, error) {
		return s.d.summary(m, r, u, cfg)
	})
}

// Inbound is an SMS from a handset, or one part of it, as the operator
// posts it.
type Inbound struct {
	// From is the sender's number, To the operator number it was sent to,
	// Text the message (or the part's text).
	From, To, Text string
	// At is when the operator received it; zero means now.
	At time.Time
	// ID is the operator's id of the message; "" makes one up.
	ID string
	// Data, when not nil, is the user data sent instead of Text: UTF-16BE
	// units with UCS2, else binary data (Kannel coding 1, Sinch
	// mo_binary, GenericJSON coding "binary"). 46elks posts text only.
	Data []byte
	// UCS2 sends the message as UCS-2: Kannel's coding 2 with charset
	// UTF-16BE (Text is coded so when Data is nil), GenericJSON's data
	// with coding "ucs2".
	UCS2 bool
	// UDH is the user data header of a part of a concatenated message, as
	// operators that hand parts over send it (Kannel's %u, as octets;
	// Sinch's and GenericJSON's udh, in hex). 46elks joins parts itself.
	UDH []byte
	// BadCredentials sends a wrong token, password or signature.
	BadCredentials bool
}

// SendInbound posts an inbound SMS the way the operator posts it to the
// URL configured for inbound messages — target, with the credentials the
// operator was given (a "token" parameter) — and returns the webhook's
// HTTP status: Kannel's sms-service GET with httptransport.KannelGetURL's
// parameters, 46elks' "Receive SMS" form, Sinch's mo_text or mo_binary,
// GenericJSON's signed JSON.
func (s *Server) SendInbound(ctx context.Context, target string, in Inbound) (int, error) {
	u, err := url.Parse(target)
	if err != nil {
		return 0, err
	}
	if in.At.IsZero() {
		in.At = s.cfg.Now()
	}
	n := s.nextSeq()
	if in.ID == "" {
		in.ID = fmt.Sprintf("mo-%d-%d", n, in.At.UnixNano())
	}
	if in.BadCredentials {
		q := u.Query()
		if q.Has("token") {
			q.Set("token", "wrong-token-wrong-token")
			u.RawQuery = q.Encode()
		}
	}
	rec, err := s.d.inbound(in, u, &s.cfg, s.nonce(n))
	if err != nil {
		return 0, err
	}
	return s.send(ctx, rec)
}

// nextSeq takes the next number of the server's sequence, which numbers
// messages and callbacks.
func (s *Server) nextSeq() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return s.seq
}

// reportBuilder builds a callback about a message.
type reportBuilder func(m Message, r Report, u *url.URL, cfg *Options, nonce string) (*recordedReport, error)

// toCallback sends the callback build makes about the message r names to
// that message's callback URL.
func (s *Server) toCallback(ctx context.Context, r Report, build reportBuilder) (int, error) {
	m, ok := s.find(r.ID)
	if !ok {
		return 0, errors.New("operatortest: no accepted message with id " + strconv.Quote(r.ID))
	}
	if m.Callback == "" {
		return 0, errNoCallback
	}
	if r.At.IsZero() {
		r.At = s.cfg.Now()
	}
	n := s.nextSeq()
	_, refOnly := s.d.(kannel) // Kannel reports name the message by ref only
	// Sinch calls a batch's callback_url exactly as given, so its "ref" is
	// never left out (only the body's client_reference is).
	_, verbatim := s.d.(sinch)
	unknownRef := ""
	if r.UnknownID {
		m.ID = s.d.newID(1_000_000 + n)
		if refOnly || verbatim {
			unknownRef = "unknown-" + strconv.Itoa(n)
		}
	}
	if r.OmitReference || r.UnknownID {
		m.Reference = ""
	}
	callback, err := s.d.callbackURL(m, r, s.cfg.Now())
	if err != nil {
		return 0, err
	}
	u, err := url.Parse(callback)
	if err != nil {
		return 0, err
	}
	q := u.Query()
	switch {
	case unknownRef != "":
		q.Set("ref", unknownRef)
	case !verbatim && (r.OmitReference || r.UnknownID):
		q.Del("ref")
	}
	if r.BadCredentials {
		if q.Has("token") {
			q.Set("token", "wrong-token-wrong-token")
		}
		if u.User != nil {
			u.User = url.UserPassword(u.User.Username(), "wrong-password-wrong")
		}
	}
	u.RawQuery = q.Encode()
	rec, err := build(m, r, u, &s.cfg, s.nonce(n))
	if err != nil {
		return 0, err
	}
	rec.id, rec.status = r.ID, r.Status
	return s.send(ctx, rec)
}

// ReplayLastReport sends the last report request again, byte for byte
// (same nonce and signature): a duplicate, or for a signed dialect a
// replay the webhook must refuse.
func (s *Server) ReplayLastReport(ctx context.Context) (int, error) {
	s.mu.Lock()
	rec := s.last
	s.mu.Unlock()
	if rec == nil {
		return 0, errors.New("operatortest: no report sent yet")
	}
	return s.send(ctx, rec)
}

func (s *Server) nonce(n int) string {
	return "nonce-" + strconv.Itoa(n) + "-" + strconv.FormatInt(s.cfg.Now().UnixNano(), 36)
}

// send performs a recorded report request and logs the outcome.
func (s *Server) send(ctx context.Context, rec *recordedReport) (int, error) {
	s.mu.Lock()
	s.last = rec
	s.mu.Unlock()
	var body io.Reader
	if rec.body != nil {
		body = bytes.NewReader(rec.body)
	}
	req, err := http.NewRequestWithContext(ctx, rec.method, rec.url, body)
	code := 0
	if err == nil {
		req.Header = rec.header.Clone()
		var resp *http.Response
		if resp, err = s.client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16)) // only the status counts
			_ = resp.Body.Close()
			code = resp.StatusCode
		}
	}
	s.mu.Lock()
	s.sent = append(s.sent, SentReport{ID: rec.id, Status: rec.status, Code: code, Err: err})
	s.mu.Unlock()
	return code, err
}
