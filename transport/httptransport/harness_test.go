package httptransport_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
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
// server the simulator reports to. It implements transporttest.Harness and
// FaultInjector.
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
}

type harnessOptions struct {
	sim    *operatortest.Config
	mutate func(*httptransport.Config)
}

func newHarness(t *testing.T, profile httptransport.Profile, d operatortest.Dialect, o harnessOptions) *harness {
	h := &harness{t: t, dialect: d, profile: profile, mutate: o.mutate}
	var simCfg operatortest.Config
	if o.sim != nil {
		simCfg = *o.sim
	}
	h.sim = operatortest.NewServer(d, &simCfg)
	h.hook = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.lastURL.Store(r.URL)
		if tr := h.tr.Load(); tr != nil {
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
	procs, err := advox.NewProcessors(advox.OperatorProcessor(tr.Name(), "SE", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
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
