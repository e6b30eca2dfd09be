package httptransport_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport"
	"github.com/azenna/advox/transport/httptransport/operatortest"
)

// net/http replays a GET on a reused connection that fails after the
// write; an operator's GET sendsms is not idempotent, so the transport
// must prevent it. Both with the default client and a supplied one.
func TestNoSilentReplayOnReusedConnection(t *testing.T) {
	for _, own := range []bool{true, false} {
		name := map[bool]string{true: "default-client", false: "supplied-client"}[own]
		t.Run(name, func(t *testing.T) {
			h, tr := setup(t, httptransport.Kannel(), operatortest.Kannel, harnessOptions{
				mutate: func(c *httptransport.Config) {
					if own {
						c.HTTPClient = nil
					}
				},
			})
			_, err := tr.Submit(context.Background(), testMessage()) // pools a connection
			require.NoError(t, err)
			h.sim.Inject(operatortest.FaultAcceptThenReset)
			_, err = tr.Submit(context.Background(), testMessage())
			require.ErrorIs(t, err, transport.ErrOutcomeUnknown)
			assert.Equal(t, 2, h.sim.Requests(), "the reset request must not be resent")
			assert.Len(t, h.sim.Received(), 2)
		})
	}
}

func TestConnectionRefusedIsNotSent(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	tr, err := httptransport.New(httptransport.Config{
		Profile:     httptransport.Kannel(),
		BaseURL:     "http://" + addr,
		Credentials: httptransport.Credentials{User: "kannel-user", Password: "kannel-password-in-the-url"},
	})
	require.NoError(t, err)
	defer tr.Close()
	m := testMessage()
	_, err = tr.Submit(context.Background(), m)
	require.ErrorIs(t, err, transport.ErrNotSent)
	assert.True(t, transport.SafeToRetry(err))
	var op *net.OpError
	assert.ErrorAs(t, err, &op, "the network cause stays reachable")
	// Kannel carries the password, text and number in the URL, which
	// net/http quotes in its own errors.
	assert.NotContains(t, err.Error(), "kannel-password-in-the-url")
	assert.NotContains(t, err.Error(), "sendsms")
	assertClean(t, err, m)
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	var hit atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hit.Add(1) }))
	defer target.Close()
	redirect := httptest.NewServer(http.RedirectHandler(target.URL+"/elsewhere", http.StatusTemporaryRedirect))
	defer redirect.Close()
	for _, client := range []*http.Client{nil, {Transport: &http.Transport{}}} {
		tr, err := httptransport.New(httptransport.Config{
			Profile: httptransport.GenericJSON(), BaseURL: redirect.URL, HTTPClient: client,
			Credentials: httptransport.Credentials{Token: "token"},
		})
		require.NoError(t, err)
		_, err = tr.Submit(context.Background(), testMessage())
		assert.ErrorIs(t, err, transport.ErrRejected)
		assert.Contains(t, err.Error(), "HTTP 307")
		require.NoError(t, tr.Close())
		if client != nil {
			client.CloseIdleConnections()
		}
	}
	assert.Zero(t, hit.Load(), "the redirect target must never see the credentials")
}

func TestTLS(t *testing.T) {
	sim := operatortest.NewServer(operatortest.GenericJSON, &operatortest.Options{TLS: true})
	defer sim.Close()
	pool := x509.NewCertPool()
	pool.AddCert(sim.Certificate())
	newTransport := func(tlsConf *tls.Config) *httptransport.Transport {
		tr, err := httptransport.New(httptransport.Config{
			Profile: httptransport.GenericJSON(), BaseURL: sim.URL(), TLS: tlsConf,
			Credentials: httptransport.Credentials{Token: operatortest.DefaultToken},
		})
		require.NoError(t, err)
		return tr
	}

	trusted := newTransport(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
	defer trusted.Close()
	res, err := trusted.Submit(context.Background(), testMessage())
	require.NoError(t, err)
	assert.Len(t, res.OperatorIDs, 1)

	untrusted := newTransport(nil)
	defer untrusted.Close()
	_, err = untrusted.Submit(context.Background(), testMessage())
	assert.ErrorIs(t, err, transport.ErrNotSent, "a failed handshake sends nothing")
	assert.Len(t, sim.Received(), 1)
}

// A supplied client without a timeout is still bounded by Config.Timeout.
func TestZeroTimeoutClientIsBounded(t *testing.T) {
	h, tr := setup(t, httptransport.Elks46(), operatortest.Elks46, harnessOptions{
		sim: &operatortest.Options{SlowFor: 5 * time.Second},
		mutate: func(c *httptransport.Config) {
			c.HTTPClient.Timeout = 0
			c.Timeout = 100 * time.Millisecond
		},
	})
	h.sim.Inject(operatortest.FaultSlow)
	start := time.Now()
	_, err := tr.Submit(context.Background(), testMessage())
	require.ErrorIs(t, err, transport.ErrOutcomeUnknown)
	assert.Less(t, time.Since(start), 4*time.Second)
}

func TestResultOperatorIDs(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			h, tr := setup(t, d.profile(), d.dialect, harnessOptions{})
			m := testMessage()
			m.Parts = []string{strings.Repeat("x", 153), "tail"}
			res, err := tr.Submit(context.Background(), m)
			require.NoError(t, err)
			got := h.sim.Received()
			if d.dialect == operatortest.Kannel {
				// Kannel answers no id, and takes each part on its own.
				assert.Equal(t, []string{httptransport.PartID(m.ID, 1), httptransport.PartID(m.ID, 2)}, res.OperatorIDs)
				require.Len(t, got, 2)
				for i, g := range got {
					assert.Equal(t, m.Parts[i], g.Text)
					assert.Equal(t, m.ID, g.Reference)
					assert.Equal(t, []int{i + 1, 2}, []int{g.Part, g.Parts})
				}
				return
			}
			require.Len(t, got, 1)
			assert.Equal(t, []string{got[0].ID}, res.OperatorIDs, "one id for the whole message")
			assert.Equal(t, m.Text(), got[0].Text)
			assert.Equal(t, m.ID, got[0].Reference)
		})
	}
}
