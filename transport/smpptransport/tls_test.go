package smpptransport

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

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
