package main

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport"
	"github.com/azenna/advox/transport/httptransport/operatortest"
	"github.com/azenna/advox/transport/smpptransport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

// profiles maps a configured profile name onto the httptransport profile
// and the simulator dialect that speaks it.
var profiles = map[string]struct {
	profile func() httptransport.Profile
	dialect operatortest.Dialect
}{
	"kannel":  {httptransport.Kannel, operatortest.Kannel},
	"46elks":  {httptransport.Elks46, operatortest.Elks46},
	"sinch":   {httptransport.SinchBatches, operatortest.Sinch},
	"generic": {httptransport.GenericJSON, operatortest.GenericJSON},
}

// simReportDelay is how long the simulators wait before reporting
// delivery: long enough that a report usually follows its submit answer.
const simReportDelay = 50 * time.Millisecond

// built is a transport made from its configuration, with its webhook
// (HTTP operators) and the simulator it talks to (when no real operator
// is configured).
type built struct {
	cfg     *transportConfig
	tr      transport.Transport
	webhook http.Handler
	// closeSim stops the simulator; nil for a real operator. It runs after
	// the transport has closed.
	closeSim func()
	// sim describes the simulator for the start banner ("" when none).
	sim string
	// smsc and operator are the simulator, when there is one, for tests
	// to look at what went over the wire.
	smsc     *smsctest.Server
	operator *operatortest.Server
}

// buildTransport makes the configured transport. publicURL is the base URL
// the operator posts delivery reports to.
func buildTransport(tc *transportConfig, publicURL string, log *slog.Logger) (*built, error) {
	if tc.Kind == kindSMPP {
		return buildSMPP(tc, log)
	}
	return buildHTTP(tc, publicURL)
}

// buildSMPP makes an SMPP transport, starting an SMSC simulator when no
// address is configured.
func buildSMPP(tc *transportConfig, log *slog.Logger) (*built, error) {
	b := &built{cfg: tc}
	// While the SMSC is unreachable a submit fails at once as not sent,
	// rather than waiting for the rebind: the router then fails over to
	// the route's next transport (never a duplicate: nothing was written),
	// or the Client retries later.
	cfg := smpptransport.Config{
		Name: tc.Name, Addr: tc.Addr, SystemID: tc.SystemID, Password: string(tc.Password),
		Sessions: tc.Sessions, Window: tc.Window, MaxRate: tc.MaxRate, Logger: log,
		Outage: smpptransport.OutageFailFast,
	}
	if tc.simulated() {
		sim, err := smsctest.NewServer(&smsctest.Options{ReceiptDelay: simReportDelay})
		if err != nil {
			return nil, err
		}
		b.closeSim, b.smsc = func() { _ = sim.Close() }, sim
		b.sim = "SMSC simulator at " + sim.Addr()
		cfg.Addr, cfg.SystemID, cfg.Password = sim.Addr(), smsctest.DefaultSystemID, smsctest.DefaultPassword
	}
	tr, err := smpptransport.New(cfg)
	if err != nil {
		b.stopSim()
		return nil, err
	}
	b.tr = tr
	return b, nil
}

// buildHTTP makes an HTTP-operator transport, starting an operator
// simulator when no base URL is configured.
func buildHTTP(tc *transportConfig, publicURL string) (*built, error) {
	b := &built{cfg: tc}
	p := profiles[tc.Profile]
	cfg := httptransport.Config{
		Name:        kindHTTP + ":" + tc.Name,
		Profile:     p.profile(),
		BaseURL:     tc.BaseURL,
		Credentials: httptransport.Credentials{User: tc.User, Password: string(tc.Password), Token: string(tc.Token)},
		CallbackURL: publicURL + tc.webhookPath(),
		Webhook: httptransport.WebhookConfig{
			Secret: string(tc.WebhookSecret), User: tc.WebhookUser, Password: string(tc.WebhookPassword),
		},
	}
	if tc.simulated() {
		// Fresh webhook credentials per run: the simulator learns them from
		// the callback URL, or signs with the shared secret.
		secret, password := randomHex(24), randomHex(24)
		sim := operatortest.NewServer(p.dialect, &operatortest.Options{
			AutoReport: true, ReportDelay: simReportDelay, SigningSecret: secret,
		})
		b.closeSim, b.operator = sim.Close, sim
		b.sim = "operator simulator (" + p.dialect.String() + ") at " + sim.URL()
		cfg.BaseURL = sim.URL()
		cfg.Credentials = httptransport.Credentials{
			User: operatortest.DefaultUser, Password: operatortest.DefaultPassword, Token: operatortest.DefaultToken,
		}
		cfg.Webhook.Secret, cfg.Webhook.User, cfg.Webhook.Password = secret, "operator", password
	}
	tr, err := httptransport.New(cfg)
	if err != nil {
		b.stopSim()
		return nil, err
	}
	b.tr, b.webhook = tr, tr.Webhook()
	return b, nil
}

// stopSim stops the simulator, if any.
func (b *built) stopSim() {
	if b.closeSim != nil {
		b.closeSim()
		b.closeSim = nil
	}
}

// randomHex returns n random bytes, hex-encoded.
func randomHex(n int) string {
	p := make([]byte, n)
	_, _ = rand.Read(p) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(p)
}
