package httptransport_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

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

func (h *harness) Received() []transporttest.Received {
	var out []transporttest.Received
	for _, m := range h.sim.Received() {
		r := transporttest.Received{MessageID: m.Reference, From: m.From, To: m.To, Parts: []string{m.Text}}
		if h.dialect == operatortest.Kannel || h.dialect == operatortest.GenericJSON {
			r.Encoding = m.Encoding // only these dialects carry it
		}
		out = append(out, r)
	}
	return out
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
