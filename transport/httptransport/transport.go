package httptransport

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/azenna/advox/transport"
)

// Transport sends SMS through an HTTP operator API described by a Profile,
// receives its delivery reports on Webhook and messages from handsets on
// InboundWebhook. It implements transport.Transport,
// transport.ReportSource and transport.InboundSource and is safe for
// concurrent use.
type Transport struct {
	name     string
	operator transport.Operator
	p        Profile
	endpoint *url.URL
	callback *url.URL // nil: no callback URL is sent
	creds    Credentials
	client   *http.Client
	ownsIdle bool // the default client: Close closes its idle connections
	timeout  time.Duration
	hook     WebhookConfig
	now      func() time.Time

	handler atomic.Pointer[transport.ReportHandler]
	inbound atomic.Pointer[transport.InboundHandler]
	corr    *correlator
	nonces  *nonceCache
	stats   counters

	inflight atomic.Int64 // submits waiting for an answer
	ctx      context.Context
	cancel   context.CancelFunc
	mu       sync.Mutex // guards closed and wg.Add
	closed   bool
	wg       sync.WaitGroup // submits, and report and inbound handler calls
}

var (
	_ transport.Transport     = (*Transport)(nil)
	_ transport.ReportSource  = (*Transport)(nil)
	_ transport.InboundSource = (*Transport)(nil)
	_ transport.ValidityAware = (*Transport)(nil)
	_ transport.PartSubmitter = (*Transport)(nil)
	_ transport.Operated      = (*Transport)(nil)
)

// New returns a Transport for cfg. It makes no network call.
func New(cfg Config) (*Transport, error) {
	endpoint, callback, err := cfg.validate()
	if err != nil {
		return nil, fmt.Errorf("httptransport: invalid config: %w", err)
	}
	t := &Transport{
		name:     cfg.Name,
		operator: cfg.Operator,
		p:        cfg.Profile,
		endpoint: endpoint,
		callback: callback,
		creds:    cfg.Credentials,
		timeout:  cfg.Timeout,
		hook:     cfg.Webhook.withDefaults(),
		now:      cfg.Now,
	}
	if t.now == nil {
		t.now = time.Now
	}
	if t.name == "" {
		t.name = "http:" + cfg.Profile.Name
	}
	if t.timeout == 0 {
		t.timeout = DefaultTimeout
	}
	if cfg.HTTPClient != nil {
		t.client = withoutRedirects(cfg.HTTPClient)
	} else {
		t.client, t.ownsIdle = newDefaultClient(cfg.TLS, t.timeout), true
	}
	t.corr = newCorrelator(t.hook.Remember)
	t.nonces = newNonceCache()
	t.ctx, t.cancel = context.WithCancel(context.Background())
	return t, nil
}

// Name implements transport.Transport.
func (t *Transport) Name() string { return t.name }

// Operators implements transport.Operated: the operator Config.Operator
// declares, if any.
func (t *Transport) Operators() map[string]transport.Operator {
	if t.operator == (transport.Operator{}) {
		return nil
	}
	return map[string]transport.Operator{t.name: t.operator}
}

// SetReportHandler implements transport.ReportSource.
func (t *Transport) SetReportHandler(h transport.ReportHandler) {
	if h == nil {
		t.handler.Store(nil)
		return
	}
	t.handler.Store(&h)
}

// begin registers a unit of work unless the transport is closed.
func (t *Transport) begin() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	t.wg.Add(1)
	return true
}

// isClosed reports whether Close has begun; once it is true, begin fails.
func (t *Transport) isClosed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.closed
}

// Close implements transport.Transport: it cancels submits in flight,
// drops parked reports (their requests are answered 503, for the operator
// to deliver them again), waits for running report and inbound handlers
// (whose context it cancels) and closes the default client's idle
// connections.
func (t *Transport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	t.mu.Unlock()
	t.cancel()
	for _, p := range t.corr.releaseAll() {
		t.stats.dropped.Add(1)
		p.b.done(errClosing)
		t.wg.Done()
	}
	t.wg.Wait()
	if t.ownsIdle {
		t.client.CloseIdleConnections()
	}
	return nil
}

// Submit implements transport.Transport: one HTTP request, classified
// (one per part with Profile.PerPart; a later part's failure is then a
// Resumable *transport.PartialError, see SubmitParts).
func (t *Transport) Submit(ctx context.Context, m *transport.Message) (transport.Result, error) {
	if err := t.check(m); err != nil {
		return transport.Result{}, err
	}
	if !t.enter() {
		return transport.Result{}, closedError(t.name)
	}
	defer t.leave()
	if t.p.PerPart {
		return t.sendParts(ctx, m, nil, concatRef(m))
	}
	ans, err := t.exchange(ctx, m, piece{})
	if err != nil {
		return transport.Result{}, err
	}
	t.unparked(t.corr.learn(m.ID, ans.IDs), true)
	return transport.Result{OperatorIDs: ans.IDs, Parts: ans.Parts, Price: ans.Price}, nil
}

// check refuses, before sending, a message the transport cannot send.
func (t *Transport) check(m *transport.Message) error {
	switch {
	case m == nil:
		return t.fail(Rejected, 0, "nil message", nil)
	case m.ValidFor > 0 && !t.HonoursValidFor():
		return t.fail(NotSent, 0, "refused before sending: the profile takes no validity period", nil)
	case t.p.PerPart && (len(m.Parts) == 0 || len(m.Parts) > maxParts):
		return t.fail(NotSent, 0, "refused before sending: a message of 1 to 255 parts", nil)
	}
	return nil
}

// enter registers a submit in flight, unless the transport is closed;
// leave ends it. While one is in flight, reports whose ids it may learn
// are parked rather than forwarded uncorrelated.
func (t *Transport) enter() bool {
	if !t.begin() {
		return false
	}
	t.inflight.Add(1)
	return true
}

// leave ends a submit that enter registered.
func (t *Transport) leave() {
	if t.inflight.Add(-1) == 0 {
		// No submit can learn a parked report's id any more.
		t.unparked(t.corr.releaseAll(), false)
	}
	t.wg.Done()
}

// exchange makes one HTTP request for m (or its part, see fields) and
// reads the operator's answer: an accepted answer, or the classified
// failure.
func (t *Transport) exchange(ctx context.Context, m *transport.Message, pc piece) (Answer, error) {
	attempt, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	defer context.AfterFunc(t.ctx, cancel)()
	tr := newWriteTrace()
	req, err := t.newRequest(tr.attach(attempt), m, pc)
	if err != nil {
		return Answer{}, t.fail(Rejected, 0, "cannot build the request", nil)
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return Answer{}, t.sendError(ctx, err, tr.wrote())
	}
	body, readErr := readLimited(resp.Body, maxResponse)
	_ = resp.Body.Close() // the answer is read: nothing is lost
	reply := Reply{StatusCode: resp.StatusCode, Header: resp.Header, Body: body}
	// When the caller's context ended the read, its error stays
	// reachable (ctx.Err() is nil otherwise).
	var cause error
	if readErr != nil {
		cause = ctx.Err()
	}
	class := t.p.classify(reply)
	if class != Accepted {
		return Answer{}, t.refusal(class, reply, m, cause)
	}
	if readErr != nil {
		return Answer{}, t.fail(OutcomeUnknown, resp.StatusCode, "accepted answer cut short: "+readErr.Error(), cause)
	}
	ans, err := t.p.Response.Read(body)
	if err != nil {
		return Answer{}, t.fail(OutcomeUnknown, resp.StatusCode, "malformed accepted answer: "+err.Error(), nil)
	}
	return ans, nil
}

// fail builds an *Error.
func (t *Transport) fail(c Class, status int, msg string, cause error) *Error {
	return &Error{Transport: t.name, Class: c, StatusCode: status, Message: msg, Err: cause}
}

// refusal is the error of a non-accepted answer: the operator's message,
// redacted, and for a throttle the Retry-After hint. cause is the
// caller's context error when it cut the answer short.
func (t *Transport) refusal(c Class, r Reply, m *transport.Message, cause error) error {
	e := t.fail(c, r.StatusCode, t.operatorMessage(r, m), cause)
	if c == Throttled {
		if d, ok := ParseRetryAfter(r.Header.Get("Retry-After"), time.Now()); ok {
			return &transport.RetryAfterError{After: d, Err: e}
		}
	}
	return e
}

// operatorMessage extracts the operator's explanation from a refusal,
// scrubbed of credentials, the message's text and recipient, and numbers.
func (t *Transport) operatorMessage(r Reply, m *transport.Message) string {
	if isHTML(r) {
		return "HTML page"
	}
	msg := string(r.Body)
	if path := t.p.Response.Error; path != "" {
		if v, err := decodeJSON(r.Body); err == nil {
			if s, ok := scalar(lookup(v, path)); ok {
				msg = s
			}
		}
	}
	red := redactor{
		secrets: []string{t.creds.Password, t.creds.Token, t.creds.User, t.hook.Secret, t.hook.Password, m.Text()},
		numbers: []string{m.To, strings.TrimPrefix(m.To, "+")},
	}
	return red.clean(msg)
}

// sendError classifies a request that got no answer: NotSent if the
// request was never completely written, OutcomeUnknown otherwise. The
// caller's context error stays reachable with errors.Is; internal timeouts
// are described, not wrapped, so they are never mistaken for the caller's.
func (t *Transport) sendError(ctx context.Context, err error, wrote bool) error {
	class, when := NotSent, "before the request was sent"
	if wrote {
		class, when = OutcomeUnknown, "after the request was sent"
	}
	cause := err
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = ue.Err
	}
	switch {
	case ctx.Err() != nil:
		return t.fail(class, 0, "canceled "+when, ctx.Err())
	case t.ctx.Err() != nil:
		return t.fail(class, 0, "transport closed "+when, nil)
	case errors.Is(cause, context.DeadlineExceeded) || errors.Is(cause, context.Canceled):
		return t.fail(class, 0, "timed out "+when, nil)
	}
	red := redactor{secrets: []string{t.creds.Password, t.creds.Token, t.hook.Secret}}
	return t.fail(class, 0, "failed "+when+": "+red.clean(cause.Error()), cause)
}

// isHTML reports whether a reply is an HTML page (a proxy's error page),
// which is never quoted. The body is sniffed rather than the header
// trusted: Kannel labels its one-line text answers text/html.
func isHTML(r Reply) bool {
	return strings.HasPrefix(http.DetectContentType(r.Body), "text/html")
}
