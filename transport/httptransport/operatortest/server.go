package operatortest

import (
	"context"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/azenna/advox/transport"
)

// The credentials a Server expects when Options leaves them empty.
const (
	DefaultUser          = "advox"
	DefaultPassword      = "operator-password"
	DefaultToken         = "operator-token"
	DefaultSigningSecret = "operatortest-signing-secret"
	DefaultSlowFor       = time.Second
)

// Options configures a Server; nil or zero fields mean the defaults.
type Options struct {
	// User and Password are the credentials Kannel (username/password) and
	// 46elks (basic auth) submits must carry.
	User, Password string
	// Token is the bearer token Sinch and GenericJSON submits must carry.
	Token string
	// SigningSecret is the HMAC key GenericJSON reports are signed with.
	SigningSecret string
	// AutoReport sends a "delivered" report for every accepted message
	// that carries a callback URL, except those of FaultAcceptThenReset
	// (SendReport settles them) and FaultReportBeforeResponse (which sent
	// the message's report already).
	AutoReport bool
	// ReportDelay delays automatic reports (late reports).
	ReportDelay time.Duration
	// SlowFor is how long FaultSlow holds its answer.
	SlowFor time.Duration
	// TLS serves HTTPS with httptest's self-signed certificate (see
	// Certificate).
	TLS bool
	// Now is the clock for report times and signatures; nil is time.Now.
	Now func() time.Time
	// Lenient turns off the checks of number and sender formats and of
	// length limits, which by default the simulator applies as strictly as
	// the real operator (see each dialect). Credentials are always checked.
	Lenient bool
	// CallbackUser and CallbackPassword are the basic-auth credentials an
	// operator sends with its callbacks when its account is configured so
	// (Sinch: set by the account manager, never read from the URL). Empty:
	// none are sent.
	CallbackUser, CallbackPassword string
	// KannelMaxMessages and KannelConcatenation are the sendsms-user's
	// max-messages (0 means Kannel's default, 1) and concatenation
	// (Kannel's default: false). Text longer than one SMS is split as
	// smsbox splits it (gw/sms.c sms_split): into at most max-messages
	// parts, the rest cut off, as one concatenated message only with
	// concatenation, and with a delivery report for the first part only.
	KannelMaxMessages   int
	KannelConcatenation bool
	// KannelImmediateReply answers sendsms as smsbox's
	// immediate-sendsms-reply does: 202 "Sent.", with " Message splits: n"
	// when smsbox split the text.
	KannelImmediateReply bool
}

func (c Options) withDefaults() Options {
	if c.User == "" {
		c.User = DefaultUser
	}
	if c.Password == "" {
		c.Password = DefaultPassword
	}
	if c.Token == "" {
		c.Token = DefaultToken
	}
	if c.SigningSecret == "" {
		c.SigningSecret = DefaultSigningSecret
	}
	if c.SlowFor <= 0 {
		c.SlowFor = DefaultSlowFor
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.KannelMaxMessages <= 0 {
		c.KannelMaxMessages = 1
	}
	return c
}

// Message is a submit the simulator accepted.
type Message struct {
	// ID is the operator id the simulator gave the message (Kannel answers
	// no id, but its reports still name one internally).
	ID string
	// Reference is the library's message id as the operator saw it: the
	// client reference, or the "ref" of the callback URL.
	Reference string
	// From, To and Text are as received; Text is the whole text.
	From, To, Text string
	// Encoding is the encoding the operator used: the one requested
	// (Kannel coding, GenericJSON encoding) or, for dialects that take
	// none, GSM-7 when the text fits it.
	Encoding transport.Encoding
	// Callback is the delivery-report URL as received (Kannel's escapes
	// unexpanded), empty when none was given.
	Callback string
	// Validity is the validity field as received (Kannel's validity in
	// minutes, Sinch's expire_at, GenericJSON's valid_for), empty when
	// none was given.
	Validity string
	// UDH is the User Data Header received with the text (Kannel's udh),
	// and Ref, Part and Parts what its concatenation element says: the
	// reference, this part's number and the part count (all 0 without one).
	UDH              []byte
	Ref, Part, Parts int
	// Segments is the number of SMS the operator made of the request, and
	// Truncated says it cut the text to fit its limits (Kannel with
	// max-messages); Text is then what was sent.
	Segments  int
	Truncated bool
	// Fault is the fault the submit was answered with.
	Fault Fault
}

// SentReport is a report the simulator sent and what the webhook answered.
type SentReport struct {
	// ID is the Report.ID the report was sent for: the simulator's
	// Message.ID of the message it is about.
	ID string
	// Status is the delivery status the report carried.
	Status transport.Status
	// Code is the webhook's HTTP status (0 when the request failed).
	Code int
	// Err is why the request failed (nil when the webhook answered,
	// whatever its status).
	Err error
}

// Server is a running operator simulator. Its methods are safe for
// concurrent use.
type Server struct {
	d      dialect
	cfg    Options
	srv    *httptest.Server
	client *http.Client
	ctx    context.Context // canceled by Close
	stop   context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	faults   []Fault
	received []Message
	requests int
	sent     []SentReport
	last     *recordedReport
	seq      int
}

// NewServer starts a simulator speaking d on a loopback port. opts may be
// nil (the defaults).
func NewServer(d Dialect, opts *Options) *Server {
	var c Options
	if opts != nil {
		c = *opts
	}
	s := &Server{
		d:   d.impl(),
		cfg: c.withDefaults(),
		client: &http.Client{
			Timeout:   5 * time.Second,
			Transport: &http.Transport{MaxIdleConnsPerHost: 16, IdleConnTimeout: 30 * time.Second},
		},
	}
	s.ctx, s.stop = context.WithCancel(context.Background())
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	if s.cfg.TLS {
		s.srv.StartTLS()
	} else {
		s.srv.Start()
	}
	return s
}

// Certificate is the server's TLS certificate (nil without Options.TLS),
// for the transport's RootCAs.
func (s *Server) Certificate() *x509.Certificate { return s.srv.Certificate() }

// URL is the BaseURL to configure the transport with.
func (s *Server) URL() string { return s.srv.URL + s.d.base() }

// Close stops the server, cancels slow answers and pending reports, and
// waits for everything it started.
func (s *Server) Close() {
	if s.ctx.Err() != nil {
		return
	}
	s.stop()
	s.srv.CloseClientConnections()
	s.srv.Close()
	s.wg.Wait()
	s.client.CloseIdleConnections()
}

// Inject queues faults; each submit answers with the next one.
func (s *Server) Inject(faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, faults...)
}

// Received returns the messages accepted so far, in arrival order.
func (s *Server) Received() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.received...)
}

// Requests is the number of submit requests that reached the server,
// whatever they were answered.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Sent returns the reports sent so far and the webhook's answers.
func (s *Server) Sent() []SentReport {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SentReport(nil), s.sent...)
}

// take pops the next fault and counts the request.
func (s *Server) take() Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	if len(s.faults) == 0 {
		return FaultNone
	}
	f := s.faults[0]
	s.faults = s.faults[1:]
	return f
}

// record stores an accepted message under a fresh operator id.
func (s *Server) record(m Message) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	m.ID = s.d.newID(s.seq)
	if m.Segments == 0 {
		m.Segments = segments(m.Text, m.Encoding)
	}
	s.received = append(s.received, m)
	return m
}

func (s *Server) find(id string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.received {
		if m.ID == id {
			return m, true
		}
	}
	return Message{}, false
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != s.d.base()+s.d.path() {
		http.NotFound(w, r)
		return
	}
	if r.Method != s.d.method() {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	f := s.take()
	if f == FaultResetBeforeRead {
		reset(w)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	m, refusal := s.d.parse(r, body, &s.cfg)
	if refusal != nil {
		refusal.write(w)
		return
	}
	if a := s.faultAnswer(f, m); a != nil {
		a.write(w)
		return
	}
	m.Fault = f
	m = s.record(m)
	ok := s.d.accepted(m, &s.cfg)
	switch f {
	case FaultSlow:
		select {
		case <-time.After(s.cfg.SlowFor):
		case <-r.Context().Done():
		case <-s.ctx.Done():
		}
	case FaultTruncated:
		ok.body = ok.body[:len(ok.body)/2]
	case FaultAcceptThenReset:
		reset(w) // no automatic report: SendReport settles it when a test wants
		return
	case FaultReportBeforeResponse:
		// The report reaches the webhook before the answer leaves. A
		// webhook that holds its own answer until it learns the id (from
		// this very answer) gets reportHeadStart to take the report in.
		answered := make(chan struct{})
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer close(answered)
			_, _ = s.SendReport(s.ctx, Report{ID: m.ID, Status: transport.StatusDelivered, OmitReference: true})
		}()
		head := time.NewTimer(reportHeadStart)
		select {
		case <-answered:
		case <-head.C:
		case <-r.Context().Done():
		}
		head.Stop()
		ok.write(w)
		return // its report is sent: no automatic one on top
	}
	ok.write(w)
	s.autoReport(m)
}

// faultAnswer is the answer of a fault that refuses the message.
func (s *Server) faultAnswer(f Fault, m Message) *answer {
	throttled := `{"status":"throttled"}`
	switch f {
	case FaultThrottle:
		return &answer{status: http.StatusTooManyRequests, body: "Too Many Requests"}
	case FaultThrottleRetryAfter:
		return &answer{status: http.StatusTooManyRequests, body: "Too Many Requests", header: http.Header{"Retry-After": {"2"}}}
	case FaultThrottleRetryAfterDate:
		at := s.cfg.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)
		return &answer{status: http.StatusTooManyRequests, body: "Too Many Requests", header: http.Header{"Retry-After": {at}}}
	case FaultThrottle200:
		return &answer{status: http.StatusOK, ctype: "application/json", body: throttled}
	case FaultThrottle403:
		return &answer{status: http.StatusForbidden, ctype: "application/json", body: throttled}
	case FaultNotAccepted:
		return s.d.notAccepted()
	case FaultReject:
		return s.d.rejected(m)
	case FaultServerError:
		return s.d.serverError()
	case FaultProxyHTML:
		return &answer{status: http.StatusBadGateway, ctype: "text/html", body: htmlPage("502 Bad Gateway")}
	case FaultHTML200:
		return &answer{status: http.StatusOK, ctype: "text/html", body: htmlPage("Welcome")}
	}
	return nil
}

func htmlPage(title string) string {
	return "<html><head><title>" + title + "</title></head><body><h1>" + title + "</h1><hr><center>nginx</center></body></html>\n"
}

// autoReport schedules the automatic "delivered" report of m.
func (s *Server) autoReport(m Message) {
	if !s.cfg.AutoReport || m.Callback == "" {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if s.cfg.ReportDelay > 0 {
			t := time.NewTimer(s.cfg.ReportDelay)
			defer t.Stop()
			select {
			case <-t.C:
			case <-s.ctx.Done():
				return
			}
		}
		_, _ = s.SendReport(s.ctx, Report{ID: m.ID, Status: transport.StatusDelivered}) // the webhook's answer is the test's to check
	}()
}

// reportHeadStart is how long FaultReportBeforeResponse holds the answer
// for a webhook that holds its own answer to the early report.
const reportHeadStart = 250 * time.Millisecond

// answer is an HTTP answer.
type answer struct {
	status int
	ctype  string
	body   string
	header http.Header
}

func (a *answer) write(w http.ResponseWriter) {
	for k, v := range a.header {
		w.Header()[k] = v
	}
	ct := a.ctype
	if ct == "" {
		ct = "text/plain; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body) // the client hung up: nothing left to tell it
}

// reset closes the connection under w with an RST and without an answer.
func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	// Under TLS, close the TCP connection beneath: closing the TLS one
	// would send close_notify, a clean end the client reads as EOF.
	if tc, ok := conn.(interface{ NetConn() net.Conn }); ok {
		conn = tc.NetConn()
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // best effort: a FIN instead of an RST still ends the answer
	}
	_ = conn.Close()
}
