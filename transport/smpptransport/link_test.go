package smpptransport

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport/internal/wire"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

// ESME_RINVBNDSTS answering a submit_sm says the session is not bound for
// transmit: the message was not accepted and is fine, so it is only not
// sent (safe to retry), and the session rebinds.
func TestInvalidBindStatusIsNotSentAndRebinds(t *testing.T) {
	srv := newServer(t, nil)
	tr := newTransport(t, testConfig(srv))
	waitBound(t, tr)
	srv.InjectFault(smsctest.Fault{Status: smsctest.StatusInvalidBind})
	_, err := tr.Submit(ctxT(t, 5*time.Second), msg())
	assertOnlyClass(t, err, transport.ErrNotSent)
	assert.True(t, transport.SafeToRetry(err))
	var se *StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, StatusInvalidBind, se.Status)
	assert.Contains(t, err.Error(), "ESME_RINVBNDSTS")

	require.Eventually(t, func() bool { return tr.Stats().Binds == 2 }, 5*time.Second, time.Millisecond,
		"the session rebinds")
	assert.Equal(t, int64(1), srv.Stats().Unbinds, "after unbinding the broken session")
	_, err = tr.Submit(ctxT(t, 5*time.Second), msg())
	require.NoError(t, err)
}

// A session dropped right after its bind does not reset the backoff: a
// flapping SMSC sees the pause grow. Only a session that stayed up resets it.
func TestBackoffGrowsWhileSessionsFlap(t *testing.T) {
	tests := []struct {
		name        string
		stableAfter time.Duration
		want        []int
	}{
		{"flapping", time.Hour, []int{1, 2, 3, 4}},
		{"stable", time.Nanosecond, []int{1, 1, 1, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, nil)
			cfg := testConfig(srv)
			cfg.stableAfter = tc.stableAfter
			var (
				mu       sync.Mutex
				attempts []int
			)
			cfg.Backoff = func(n int) time.Duration {
				mu.Lock()
				attempts = append(attempts, n)
				mu.Unlock()
				return time.Millisecond
			}
			tr := newTransport(t, cfg)
			for i := range len(tc.want) {
				require.Eventually(t, func() bool { return tr.Stats().Binds == int64(i+1) }, 5*time.Second, time.Millisecond)
				srv.DropConnections()
			}
			require.Eventually(t, func() bool { return tr.Stats().Binds == int64(len(tc.want)+1) }, 5*time.Second, time.Millisecond)
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, tc.want, attempts)
		})
	}
}

// An SMSC that answers enquire_link with ESME_RINVBNDSTS no longer counts
// the session as bound, though the connection is up: the session unbinds
// and binds again before a submit finds out.
func TestKeepAliveNotBoundRebinds(t *testing.T) {
	tr, smsc, ln := rawBound(t, func(c *Config) { c.EnquireLink = 20 * time.Millisecond })
	for {
		h, _, err := wire.ReadFrame(smsc.br)
		require.NoError(t, err)
		if h.ID == pdu.EnquireLinkID {
			smsc.write(pdu.EnquireLinkRespID, pdu.Status(StatusInvalidBind), h.Seq, nil)
			break
		}
	}
	for {
		h, _, err := wire.ReadFrame(smsc.br)
		require.NoError(t, err)
		if h.ID == pdu.UnbindID {
			smsc.write(pdu.UnbindRespID, 0, h.Seq, nil)
			break
		}
		if h.ID == pdu.EnquireLinkID { // one more tick may have gone out
			smsc.write(pdu.EnquireLinkRespID, pdu.Status(StatusInvalidBind), h.Seq, nil)
		}
	}
	acceptBound(t, ln) // the transport binds again
	require.Eventually(t, func() bool { return tr.Stats().Binds == 2 }, 5*time.Second, time.Millisecond)
}

// TestBindAgainstGoSMPPTestServer binds to go-smpp's smpptest SMSC, which
// numbers its bind responses its own way: during a bind only one request
// is outstanding, so its response is taken whatever its sequence number.
// This broke: the bind response was dropped, transmitter+receiver never
// bound and every rebind failed.
func TestBindAgainstGoSMPPTestServer(t *testing.T) {
	for _, mode := range []struct {
		name  string
		mode  BindMode
		links int64 // binds per (re)connection of the session
	}{
		{"transceiver", Transceiver, 1},
		{"transmitter+receiver", TransmitterReceiver, 2},
	} {
		t.Run(mode.name, func(t *testing.T) {
			smsc := newGoSMPPSMSC(t)
			var logs strings.Builder // read once the transport is closed
			tr := newTransport(t, Config{
				Addr: smsc.Addr(), SystemID: "advox", Password: "secret", BindMode: mode.mode,
				RespTimeout: 2 * time.Second, Backoff: fastBackoff,
				Logger: slog.New(slog.NewTextHandler(&logs, nil)), // the handler serialises writes
			})
			waitBound(t, tr)
			require.Equal(t, mode.links, tr.Stats().Binds)
			res, err := tr.Submit(ctxT(t, 5*time.Second), msg())
			require.NoError(t, err)
			assert.Equal(t, []string{"gosmpp-1"}, res.OperatorIDs)
			require.NoError(t, tr.Ping(ctxT(t, 5*time.Second)))

			// A lost connection rebinds, with the same tolerance.
			smsc.dropSubmitters()
			require.Eventually(t, func() bool {
				_, err := tr.Submit(ctxT(t, 5*time.Second), msg())
				return err == nil
			}, 5*time.Second, 5*time.Millisecond, "the session rebinds")
			assert.GreaterOrEqual(t, tr.Stats().Binds, mode.links+1)
			assert.GreaterOrEqual(t, smsc.submitted(), 2)
			require.NoError(t, tr.Close())
			assert.Equal(t, 1, strings.Count(logs.String(), "sequence number of its own"), "logged once: %s", logs.String())
		})
	}
}

// A refused bind leaves the session unbound: a submit meanwhile was never
// sent, and must not also claim the operator rejected it (the bind's
// command_status is not the message's).
func TestRefusedBindIsOnlyNotSent(t *testing.T) {
	for _, tc := range []struct {
		name   string
		outage OutagePolicy
	}{{"FailFast", OutageFailFast}, {"Wait", OutageWait}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t, nil)
			cfg := testConfig(srv)
			cfg.Password = "wrong-password"
			cfg.Outage = tc.outage
			tr := newTransport(t, cfg)
			require.Eventually(t, func() bool { return srv.Stats().BindsRefused > 0 }, 5*time.Second, time.Millisecond)
			require.Eventually(t, func() bool { _, err := tr.tx[0].state(); return err != nil }, 5*time.Second, time.Millisecond)
			_, err := tr.Submit(ctxT(t, 50*time.Millisecond), msg())
			assertOnlyClass(t, err, transport.ErrNotSent)
			assert.Contains(t, err.Error(), "ESME_RINVPASWD", "the cause is still named")
			var se *StatusError
			assert.ErrorAs(t, err, &se, "the bind refusal is still reachable")
		})
	}
}

func TestSMSCUnbindRebinds(t *testing.T) {
	srv := newServer(t, nil)
	tr := newTransport(t, testConfig(srv))
	waitBound(t, tr)
	srv.UnbindAll()
	require.Eventually(t, func() bool { return tr.Stats().Binds == 2 }, 5*time.Second, time.Millisecond)
	_, err := tr.Submit(ctxT(t, 5*time.Second), msg())
	require.NoError(t, err)
}

func TestBindModesAndClose(t *testing.T) {
	srv := newServer(t, nil)
	cfg := testConfig(srv)
	cfg.BindMode, cfg.Sessions = TransmitterReceiver, 2
	tr, err := New(cfg)
	require.NoError(t, err)
	waitBound(t, tr)
	st := srv.Stats()
	assert.Equal(t, int64(2), st.Transmitters)
	assert.Equal(t, int64(2), st.Receivers)
	assert.Zero(t, st.Transceivers)
	require.NoError(t, tr.Ping(ctxT(t, time.Second)))
	require.NoError(t, tr.Close())
	assert.Equal(t, int64(4), srv.Stats().Unbinds, "every bind is unbound on Close")
	_, err = tr.Submit(ctxT(t, time.Second), msg())
	assert.ErrorIs(t, err, transport.ErrClosed)
	assert.ErrorIs(t, tr.Ping(ctxT(t, time.Second)), transport.ErrClosed)
}

func TestBindRefused(t *testing.T) {
	srv := newServer(t, nil)
	cfg := testConfig(srv)
	cfg.Password = "wrong-password"
	tr := newTransport(t, cfg)
	_, err := tr.Submit(ctxT(t, 100*time.Millisecond), msg())
	require.ErrorIs(t, err, transport.ErrNotSent)
	assert.Contains(t, err.Error(), "ESME_RINVPASWD")
	assert.NotContains(t, err.Error(), "wrong-password")
	assert.Positive(t, srv.Stats().BindsRefused)
}

// selfSigned returns a server TLS config for 127.0.0.1 and a client
// config trusting it.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		NotBefore:    time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	return server, &tls.Config{RootCAs: pool}
}

func TestTLS(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	srv := newServer(t, &smsctest.Options{TLS: serverTLS})
	cfg := testConfig(srv)
	cfg.TLS = clientTLS
	tr := newTransport(t, cfg)
	reports := collect(tr)
	res, err := tr.Submit(ctxT(t, 5*time.Second), msg())
	require.NoError(t, err)
	require.Eventually(t, func() bool { return reports.count(res.OperatorIDs[0]) == 1 }, 5*time.Second, time.Millisecond)
	require.NoError(t, tr.Ping(ctxT(t, time.Second)))
}
