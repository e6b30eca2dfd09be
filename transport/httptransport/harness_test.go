package httptransport_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/require"

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
	sim    *operatortest.Config
	mutate func(*httptransport.Config)
}

func newHarness(t *testing.T, profile httptransport.Profile, d operatortest.Dialect, o harnessOptions) *harness {
	h := &harness{t: t, dialect: d, profile: profile, mutate: o.mutate, closed: make(chan struct{})}
	var simCfg operatortest.Config
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
