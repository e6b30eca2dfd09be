package httptransport_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/httptransport"
	"github.com/azenna/advox/transport/httptransport/operatortest"
)

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
