package httptransport

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/azenna/advox/transport"
)

// InboundDialect is how an operator posts messages from handsets (mobile
// originated) to the application: the endpoint InboundWebhook serves.
type InboundDialect struct {
	// Format says where the fields travel: the URL query (Kannel's
	// sms-service GET), a form or a JSON body. Only GET and POST are
	// served; for InboundHMAC a BodyQuery request is signed over its raw
	// query, any other over its body.
	Format BodyFormat
	// Auth is how the endpoint authenticates the operator; "" means the
	// same as Reports.Auth. InboundMessageToken is not possible (an
	// inbound message is about no message of ours): use InboundToken, with
	// the "token" parameter in the URL given to the operator, InboundBasic
	// or InboundHMAC.
	Auth InboundAuth
	// Parse reads the parts one request carries (query is the URL's query,
	// body the request body) without the time, which the endpoint fills
	// in when the operator gives none. It must never panic. It returns
	// ErrOtherCallback for a callback of another kind (acknowledged and
	// counted in Stats.Ignored), and an error wrapping ErrMalformedInbound
	// for a request that cannot be read at all (answered 400). User data
	// that is not what it claims (a header whose lengths lie, odd-length
	// UCS-2) is no error: the part is returned flagged Malformed.
	Parse func(query url.Values, body []byte) ([]transport.Inbound, error)
	// Ack is the exact answer the operator expects for a request whose
	// parts were taken. A zero Ack is an empty 200.
	Ack Ack
}

// ErrMalformedInbound is wrapped by the errors of inbound parsing: the
// request cannot be read as a message (no sender or destination, a body
// that does not parse). Such requests are answered 400.
var ErrMalformedInbound = errors.New("httptransport: malformed inbound message")

// errNoInbound is the answer to a request for a profile without inbound
// messages.
var errNoInbound = errors.New("httptransport: the profile takes no inbound messages")

// SetInboundHandler implements transport.InboundSource: the parts that
// InboundWebhook reads are handed to h.
func (t *Transport) SetInboundHandler(h transport.InboundHandler) {
	if h == nil {
		t.inbound.Store(nil)
		return
	}
	t.inbound.Store(&h)
}

// InboundWebhook returns the handler the application mounts at the URL it
// gives the operator for messages from handsets (Profile.Inbound says what
// the operator posts; each built-in profile's doc says what to set up).
// For every request it authenticates the caller (401 otherwise), bounds
// the body (413), reads the parts (400 for a request that cannot be read,
// never a panic), hands each part to the inbound handler in turn and
// answers the dialect's Ack once the handler took them all. When the
// handler fails on a part, or none is set, it answers 503, so that the
// operator delivers the request again (parts the handler took then come
// again: the handler drops repeats). After Close it answers 503. Other
// callbacks the operator posts to the same URL are acknowledged and
// counted in Stats.Ignored.
func (t *Transport) InboundWebhook() http.Handler { return http.HandlerFunc(t.serveInbound) }

func (t *Transport) serveInbound(w http.ResponseWriter, r *http.Request) {
	t.stats.requests.Add(1)
	d := &t.p.Inbound
	switch {
	case t.ctx.Err() != nil:
		http.Error(w, "closed", http.StatusServiceUnavailable)
		return
	case d.Parse == nil:
		t.stats.malformed.Add(1)
		http.Error(w, errNoInbound.Error(), http.StatusNotFound)
		return
	}
	body, ok := t.readRequest(w, r, "message")
	if !ok {
		return
	}
	auth := d.inboundAuth(t.p.Reports.Auth)
	if !t.authenticateAs(auth, d.Format, r, body) {
		t.stats.unauthorized.Add(1)
		if auth == InboundBasic {
			w.Header().Set("WWW-Authenticate", `Basic realm="advox inbound messages"`)
		}
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	parts, err := parseInbound(d, r.URL.Query(), body)
	switch {
	case errors.Is(err, ErrOtherCallback):
		t.stats.ignored.Add(1)
		writeAck(w, d.Ack)
		return
	case err != nil:
		t.stats.malformed.Add(1)
		http.Error(w, "malformed message", http.StatusBadRequest)
		return
	}
	now := t.hook.Now()
	for _, p := range parts {
		if p.At.IsZero() {
			p.At = now
		}
		if err := t.deliverInbound(p); err != nil {
			http.Error(w, "message not taken, deliver again later", http.StatusServiceUnavailable)
			return
		}
	}
	writeAck(w, d.Ack)
}

// parseInbound runs the dialect's parser, turning a panic into a
// malformed request: the parser reads outside input.
func parseInbound(d *InboundDialect, q url.Values, body []byte) (parts []transport.Inbound, err error) {
	defer func() {
		if recover() != nil {
			parts, err = nil, fmt.Errorf("%w: the parser failed", ErrMalformedInbound)
		}
	}()
	parts, err = d.Parse(q, body)
	if err == nil && len(parts) == 0 {
		err = ErrOtherCallback
	}
	return parts, err
}

// inboundAuth is the dialect's authentication, or the reports' when it
// names none.
func (d *InboundDialect) inboundAuth(reports InboundAuth) InboundAuth {
	if d.Auth != "" {
		return d.Auth
	}
	return reports
}

// deliverInbound hands one part to the inbound handler and returns why it
// was not taken, if it was not.
func (t *Transport) deliverInbound(p transport.Inbound) error {
	h := t.inbound.Load()
	switch {
	case h == nil:
		t.stats.dropped.Add(1)
		return errNoInboundHandler
	case !t.begin():
		t.stats.dropped.Add(1)
		return errClosing
	}
	defer t.wg.Done()
	t.stats.inbound.Add(1)
	if p.Malformed != "" {
		t.stats.malformedInbound.Add(1)
	}
	if err := (*h)(t.ctx, p); err != nil {
		t.stats.refused.Add(1)
		return fmt.Errorf("httptransport: inbound handler: %w", err)
	}
	return nil
}

var errNoInboundHandler = errors.New("httptransport: no inbound handler set")

// validate checks an inbound dialect that is set.
func (d *InboundDialect) validate() error {
	if d.Parse == nil {
		return nil
	}
	var errs []error
	switch d.Format {
	case BodyQuery, BodyForm, BodyJSON:
	default:
		errs = append(errs, fmt.Errorf("inbound Format %q is not query, form or json", d.Format))
	}
	switch d.Auth {
	case "", InboundToken, InboundBasic, InboundHMAC:
	default:
		errs = append(errs, fmt.Errorf("inbound Auth %q is not token, basic or hmac", d.Auth))
	}
	return errors.Join(errs...)
}

// inboundTime parses an operator's time in one of layouts (UnixTime:
// seconds since the epoch); a layout without a zone reads UTC. The zero
// time when none fits: the endpoint then stamps the arrival.
func inboundTime(s string, layouts ...string) time.Time {
	d := ReportDialect{TimeLayouts: layouts}
	if t, ok := d.parseTime(s); ok {
		return t
	}
	return time.Time{}
}
