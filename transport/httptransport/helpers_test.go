package httptransport_test

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/azenna/advox"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport"
	"github.com/azenna/advox/transport/httptransport/operatortest"
	"github.com/azenna/advox/transport/transporttest"
)

// Webhook credentials of the test harness.
const (
	hookSecret   = "webhook-secret-0123456789"
	hookUser     = "sinch-callbacks"
	hookPassword = "webhook-password-0123456789"
)

// dialects pairs each built-in profile with the simulator dialect it
// speaks.
var dialects = []struct {
	name    string
	profile func() httptransport.Profile
	dialect operatortest.Dialect
}{
	{"Kannel", httptransport.Kannel, operatortest.Kannel},
	{"Elks46", httptransport.Elks46, operatortest.Elks46},
	{"Sinch", httptransport.SinchBatches, operatortest.Sinch},
	{"GenericJSON", httptransport.GenericJSON, operatortest.GenericJSON},
}

// harness connects a Transport to an operator simulator, with a webhook
// server the simulator reports to. It implements transporttest.Harness,
// FaultInjector, PartFaultInjector and PartObserver.
type harness struct {
	t       *testing.T
	dialect operatortest.Dialect
	profile httptransport.Profile
	sim     *operatortest.Server
	hook    *httptest.Server
	rt      *http.Transport
	tr      atomic.Pointer[httptransport.Transport]
	// failDial makes the next dial fail: the "never written" failure.
	failDial atomic.Bool
	// mutate adjusts the config before the transport is made.
	mutate func(*httptransport.Config)
	// lastURL is the URL of the last request the webhook server got.
	lastURL atomic.Pointer[url.URL]
	// senders are InjectInbound's goroutines; closed stops them.
	senders sync.WaitGroup
	closed  chan struct{}
}

type harnessOptions struct {
	sim    *operatortest.Options
	mutate func(*httptransport.Config)
}

func newHarness(t *testing.T, profile httptransport.Profile, d operatortest.Dialect, o harnessOptions) *harness {
	h := &harness{t: t, dialect: d, profile: profile, mutate: o.mutate, closed: make(chan struct{})}
	var simCfg operatortest.Options
	if o.sim != nil {
		simCfg = *o.sim
	}
	h.sim = operatortest.NewServer(d, &simCfg)
	h.hook = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.lastURL.Store(r.URL)
		if tr := h.tr.Load(); tr != nil {
			if strings.HasPrefix(r.URL.Path, "/mo") {
				tr.InboundWebhook().ServeHTTP(w, r)
				return
			}
			tr.Webhook().ServeHTTP(w, r)
			return
		}
		http.Error(w, "no transport yet", http.StatusServiceUnavailable)
	}))
	dialer := &net.Dialer{Timeout: 2 * time.Second}
	h.rt = &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if h.failDial.CompareAndSwap(true, false) {
				return nil, errors.New("injected dial failure")
			}
			return dialer.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 64,
	}
	return h
}

// config is the transport configuration for this harness.
func (h *harness) config() httptransport.Config {
	cfg := httptransport.Config{
		Profile: h.profile,
		BaseURL: h.sim.URL(),
		Credentials: httptransport.Credentials{
			User: operatortest.DefaultUser, Password: operatortest.DefaultPassword, Token: operatortest.DefaultToken,
		},
		HTTPClient:  &http.Client{Transport: h.rt},
		Timeout:     5 * time.Second,
		CallbackURL: h.hook.URL + "/dlr",
		Webhook: httptransport.WebhookConfig{
			Secret: hookSecret, User: hookUser, Password: hookPassword, ParkFor: time.Second,
		},
	}
	if h.dialect == operatortest.GenericJSON {
		cfg.Webhook.Secret = operatortest.DefaultSigningSecret
	}
	if h.mutate != nil {
		h.mutate(&cfg)
	}
	return cfg
}

// newTransport makes the transport and points the webhook at it.
func (h *harness) newTransport() *httptransport.Transport {
	tr, err := httptransport.New(h.config())
	require.NoError(h.t, err)
	h.tr.Store(tr)
	return tr
}

func (h *harness) Transport() transport.Transport { return h.newTransport() }

// Received reports what the simulator took, the parts of a message sent
// part by part (Kannel) gathered into one Received in part order; a
// message some of whose parts never came is left out, as a handset would.
func (h *harness) Received() []transporttest.Received {
	var out []transporttest.Received
	multipart := map[string]int{} // index in out, by reference and concatenation reference
	for _, m := range h.sim.Received() {
		r := transporttest.Received{MessageID: m.Reference, From: m.From, To: m.To, Parts: []string{m.Text}}
		if h.dialect == operatortest.Kannel || h.dialect == operatortest.GenericJSON {
			r.Encoding = m.Encoding // only these dialects carry it
		}
		if m.Parts < 2 || m.Part < 1 || m.Part > m.Parts {
			out = append(out, r)
			continue
		}
		key := m.Reference + "/" + strconv.Itoa(m.Ref)
		i, ok := multipart[key]
		if !ok {
			r.Parts = make([]string, m.Parts)
			i = len(out)
			multipart[key] = i
			out = append(out, r)
		}
		out[i].Parts[m.Part-1] = m.Text
	}
	// A handset shows a concatenated message only once it has every part:
	// a message whose later parts never came is not received.
	return slices.DeleteFunc(out, func(r transporttest.Received) bool { return slices.Contains(r.Parts, "") })
}

func (h *harness) Close() error {
	close(h.closed)
	h.senders.Wait()
	h.sim.Close()
	h.hook.Close()
	h.rt.CloseIdleConnections()
	return nil
}

// InjectFault maps the suite's faults onto the simulator's.
func (h *harness) InjectFault(f transporttest.Fault) {
	switch f {
	case transporttest.FaultThrottle:
		h.sim.Inject(operatortest.FaultThrottle)
	case transporttest.FaultReject:
		h.sim.Inject(operatortest.FaultReject)
	case transporttest.FaultNotSent:
		if h.dialect == operatortest.Kannel || h.dialect == operatortest.GenericJSON {
			h.sim.Inject(operatortest.FaultNotAccepted)
			return
		}
		// 46elks and Sinch have no "not accepted" answer: the honest
		// not-sent failure is a connection that fails before the write.
		h.rt.CloseIdleConnections()
		h.failDial.Store(true)
	case transporttest.FaultOutcomeUnknown:
		h.sim.Inject(operatortest.FaultAcceptThenReset)
	}
}

// InjectPartFault makes the simulator accept part requests before part
// (0-based) and answer part number part with f: a fault on a later part
// of a message sent part by part.
func (h *harness) InjectPartFault(part int, f transporttest.Fault) {
	if !h.profile.PerPart {
		return // one request per message: no part fails alone, the suite skips
	}
	for range part {
		h.sim.Inject(operatortest.FaultNone)
	}
	h.InjectFault(f)
}

// ReceivedParts reports the parts of multipart messages the simulator
// took, one request each (Kannel), with the reference and numbers of
// their udh: the suite checks no part went twice.
func (h *harness) ReceivedParts() []transporttest.ReceivedPart {
	var out []transporttest.ReceivedPart
	for _, m := range h.sim.Received() {
		if m.Parts > 1 {
			out = append(out, transporttest.ReceivedPart{To: m.To, Ref: m.Ref, Number: m.Part, Total: m.Parts})
		}
	}
	return out
}

// setup makes a harness and its transport and registers their cleanup.
func setup(t *testing.T, profile httptransport.Profile, d operatortest.Dialect, o harnessOptions) (*harness, *httptransport.Transport) {
	t.Helper()
	h := newHarness(t, profile, d, o)
	tr := h.newTransport()
	t.Cleanup(func() {
		tr.Close()
		h.Close()
	})
	return h, tr
}

// clientFor wraps tr in a Client over a memory store, with tr declared as
// the sub-processor it is.
func clientFor(t *testing.T, tr transport.Transport) *advox.Client {
	t.Helper()
	procs, err := processing.NewRegister(processing.OperatorProcessor(tr.Name(), "SE", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
	require.NoError(t, err)
	c, err := advox.NewClient(tr, memstore.New(nil), &advox.Options{
		Processors: procs,
		Backoff:    func(int, time.Duration) time.Duration { return time.Millisecond },
	})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// statusOf waits until the Client's record of id has status want.
func statusOf(t *testing.T, c *advox.Client, id string, want transport.Status) {
	t.Helper()
	var got transport.Status
	require.Eventually(t, func() bool {
		rec, err := c.Status(context.Background(), advox.PurposeTransmit, id)
		if err == nil {
			got = rec.Status
		}
		return got == want
	}, 5*time.Second, 5*time.Millisecond, "record status: want %s", want)
}

// inboundURL is where the harness's operator posts messages from handsets:
// the transport's InboundWebhook, with the token in the URL where the
// dialect authenticates so.
func (h *harness) inboundURL() string {
	return h.hook.URL + "/mo?token=" + url.QueryEscape(hookSecret)
}

// wholeOnly reports whether the dialect's operator joins the parts of a
// message before posting it (46elks, Sinch's mo_text).
func (h *harness) wholeOnly() bool {
	return h.dialect == operatortest.Elks46 || h.dialect == operatortest.Sinch
}

// InjectInbound implements transporttest.InboundInjector: the simulator
// posts the message as its operator does — whole (46elks, Sinch), or each
// part with its header (Kannel's sms-service, GenericJSON) — and posts
// again, as operators retry, while the endpoint answers 5xx.
func (h *harness) InjectInbound(m transporttest.MO) error {
	var posts []operatortest.Inbound
	n := max(1, m.Parts)
	order := m.Order
	if len(order) == 0 {
		for i := range n {
			order = append(order, i+1)
		}
	}
	switch {
	case h.wholeOnly() || n == 1:
		for _, p := range order {
			if p == 1 {
				posts = append(posts, operatortest.Inbound{From: m.From, To: m.To, Text: m.Text})
			}
		}
	default:
		parts := splitMO(m.Text, n, m.UCS2)
		for _, p := range order {
			in := operatortest.Inbound{From: m.From, To: m.To, UCS2: m.UCS2,
				UDH: []byte{5, 0, 3, byte(m.Ref), byte(n), byte(p)}, ID: fmt.Sprintf("%s-%d", m.From, p)}
			if m.UCS2 {
				in.Data = parts[p-1]
			} else {
				in.Text = string(parts[p-1])
			}
			posts = append(posts, in)
		}
	}
	h.senders.Add(1)
	go func() {
		defer h.senders.Done()
		for _, in := range posts {
			for try := 0; try < 500; try++ {
				code, err := h.sim.SendInbound(context.Background(), h.inboundURL(), in)
				if err == nil && code < 500 {
					break
				}
				select {
				case <-h.closed:
					return
				case <-time.After(10 * time.Millisecond):
				}
			}
		}
	}()
	return nil
}

// splitMO cuts text into n parts: its UTF-16BE units evenly (a surrogate
// pair may be split), or its characters.
func splitMO(text string, n int, ucs2 bool) [][]byte {
	out := make([][]byte, n)
	if ucs2 {
		u := utf16.Encode([]rune(text))
		for i := range out {
			for _, c := range u[i*len(u)/n : (i+1)*len(u)/n] {
				out[i] = append(out[i], byte(c>>8), byte(c))
			}
		}
		return out
	}
	r := []rune(text)
	for i := range out {
		out[i] = []byte(string(r[i*len(r)/n : (i+1)*len(r)/n]))
	}
	return out
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// reportLog collects the reports a transport forwards.
type reportLog struct{ ch chan transport.Report }

func collect(tr *httptransport.Transport) *reportLog {
	l := &reportLog{ch: make(chan transport.Report, 64)}
	tr.SetReportHandler(func(_ context.Context, r transport.Report) error { l.ch <- r; return nil })
	return l
}

// next waits for the next forwarded report.
func (l *reportLog) next(t *testing.T) transport.Report {
	t.Helper()
	select {
	case r := <-l.ch:
		return r
	case <-time.After(5 * time.Second):
		require.FailNow(t, "no report forwarded")
	}
	return transport.Report{}
}

// none checks that nothing more is forwarded for a short while.
func (l *reportLog) none(t *testing.T) {
	t.Helper()
	select {
	case r := <-l.ch:
		require.FailNow(t, "unexpected report", "%+v", r)
	case <-time.After(50 * time.Millisecond):
	}
}

var msgN atomic.Int64

// testMessage is a message with a recipient and text that errors must
// never quote.
func testMessage() *transport.Message {
	n := msgN.Add(1)
	return &transport.Message{
		ID:              fmt.Sprintf("msg-%06d", n),
		From:            transport.Sender{Value: "Advox", Kind: transport.SenderAlphanumeric},
		To:              fmt.Sprintf("+46709%06d", n),
		Encoding:        transport.GSM7,
		Parts:           []string{fmt.Sprintf("Your secret code is %d, keep it private", 4711+n)},
		Concat:          transport.Concat8,
		ReportRequested: true,
	}
}

// threeParts is testMessage as three GSM-7 parts sized for concat.
func threeParts(concat transport.Concat) *transport.Message {
	m := testMessage()
	m.Parts, m.Concat = []string{strings.Repeat("a", 153), strings.Repeat("b", 153), "c"}, concat
	return m
}

// outcome is how a fault must be classified.
type outcome int

const (
	accepted outcome = iota
	throttled
	notSent
	unknown
	rejected
)

func (o outcome) sentinel() error {
	return map[outcome]error{
		throttled: transport.ErrThrottled, notSent: transport.ErrNotSent,
		unknown: transport.ErrOutcomeUnknown, rejected: transport.ErrRejected,
	}[o]
}

// assertClean checks that an error quotes no credential, text or number.
func assertClean(t *testing.T, err error, m *transport.Message) {
	t.Helper()
	s := err.Error()
	for _, secret := range []string{
		operatortest.DefaultPassword, operatortest.DefaultToken, hookSecret, hookPassword,
		operatortest.DefaultSigningSecret, m.Text(), m.To, m.To[1:],
	} {
		assert.NotContains(t, s, secret)
	}
}

// captured is one request as an operator received it.
type captured struct {
	method, path string
	query        url.Values
	header       http.Header
	body         []byte
}

// capture runs a server that records requests and answers status/body.
func capture(t *testing.T, status int, body string) (*httptest.Server, <-chan captured) {
	ch := make(chan captured, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ch <- captured{r.Method, r.URL.Path, r.URL.Query(), r.Header.Clone(), b}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, ch
}

func wireMessage(enc transport.Encoding) *transport.Message {
	return &transport.Message{
		ID: "msg-42", From: transport.Sender{Value: "Advox"}, To: "+46701234567",
		Encoding: enc, Parts: []string{"Hello & ", "welcome=1 +€"}, ReportRequested: true,
		ValidFor: 90 * time.Minute,
	}
}

// postCallback sends a callback straight to tr's webhook.
func postCallback(t *testing.T, tr *httptransport.Transport, target, contentType, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	rec := httptest.NewRecorder()
	tr.Webhook().ServeHTTP(rec, req)
	return rec
}

// sent submits one message and returns it with the simulator's record.
func sent(t *testing.T, h *harness, tr *httptransport.Transport) (*transport.Message, operatortest.Message) {
	t.Helper()
	m := testMessage()
	_, err := tr.Submit(context.Background(), m)
	require.NoError(t, err)
	got := h.sim.Received()
	require.NotEmpty(t, got)
	return m, got[len(got)-1]
}

func report(t *testing.T, h *harness, r operatortest.Report) int {
	t.Helper()
	code, err := h.sim.SendReport(context.Background(), r)
	require.NoError(t, err)
	return code
}

// signed builds a GenericJSON report request signed with the simulator's
// secret.
func signed(t *testing.T, target, body string, at time.Time, nonce string) *http.Request {
	t.Helper()
	ts := strconv.FormatInt(at.Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set(httptransport.DefaultTimestampHeader, ts)
	req.Header.Set(httptransport.DefaultNonceHeader, nonce)
	req.Header.Set(httptransport.DefaultSignatureHeader,
		hex.EncodeToString(httptransport.Sign(operatortest.DefaultSigningSecret, ts, nonce, []byte(body))))
	return req
}

// benchTransport connects a transport (default client) to a simulator.
func benchTransport(b *testing.B, d struct {
	name    string
	profile func() httptransport.Profile
	dialect operatortest.Dialect
}) (*operatortest.Server, *httptransport.Transport) {
	sim := operatortest.NewServer(d.dialect, nil)
	b.Cleanup(sim.Close)
	tr, err := httptransport.New(httptransport.Config{
		Profile: d.profile(), BaseURL: sim.URL(),
		Credentials: httptransport.Credentials{
			User: operatortest.DefaultUser, Password: operatortest.DefaultPassword, Token: operatortest.DefaultToken,
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { tr.Close() })
	return sim, tr
}

func signedRequest(body, nonce string) *http.Request {
	ts := fmt.Sprint(time.Now().Unix())
	req := httptest.NewRequest(http.MethodPost, "/dlr", strings.NewReader(body))
	req.Header.Set(httptransport.DefaultTimestampHeader, ts)
	req.Header.Set(httptransport.DefaultNonceHeader, nonce)
	req.Header.Set(httptransport.DefaultSignatureHeader,
		fmt.Sprintf("%x", httptransport.Sign(operatortest.DefaultSigningSecret, ts, nonce, []byte(body))))
	return req
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }

// reportCPU reports the process's CPU time (user + system: the client and
// the simulator together) per operation, which a shared machine disturbs
// far less than wall time. Call the returned func when the loop is done.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64((cpuTime()-start).Microseconds())/float64(b.N), "cpu-µs/op")
		}
	}
}

func kannelBinary(t *testing.T, name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	p := "/usr/sbin/" + name
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s not installed", name)
	}
	return p
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitPort(t *testing.T, port int) {
	require.Eventually(t, func() bool {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 100*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err == nil
	}, 20*time.Second, 50*time.Millisecond, "port %d never opened", port)
}

// startBox runs a Kannel box until the test ends, and prints its log on
// failure.
func startBox(t *testing.T, bin, conf, dir, name string) {
	cmd := exec.Command(bin, conf)
	out, err := os.Create(filepath.Join(dir, name+".out"))
	require.NoError(t, err)
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		out.Close()
		if t.Failed() {
			for _, f := range []string{name + ".out", name + ".log"} {
				b, _ := os.ReadFile(filepath.Join(dir, f))
				t.Logf("%s:\n%s", f, b)
			}
		}
	})
}
