package operatortest_test

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport/httptransport/operatortest"
)

// The reset faults reset the connection (an RST, ECONNRESET at the
// client) over TLS as over plain TCP, rather than closing it cleanly.
func TestResetFaultsResetOverTLS(t *testing.T) {
	for _, useTLS := range []bool{false, true} {
		for _, f := range []operatortest.Fault{operatortest.FaultResetBeforeRead, operatortest.FaultAcceptThenReset} {
			name := f.String() + "/plain"
			if useTLS {
				name = f.String() + "/tls"
			}
			t.Run(name, func(t *testing.T) {
				s := operatortest.NewServer(operatortest.GenericJSON, &operatortest.Options{TLS: useTLS})
				defer s.Close()
				tr := &http.Transport{}
				defer tr.CloseIdleConnections()
				if useTLS {
					pool := x509.NewCertPool()
					pool.AddCert(s.Certificate())
					tr.TLSClientConfig = &tls.Config{RootCAs: pool}
				}
				s.Inject(f)
				req, err := http.NewRequest(http.MethodPost, s.URL()+"/messages",
					strings.NewReader(`{"to":"+46701234567","text":"hi"}`))
				require.NoError(t, err)
				req.Header.Set("Authorization", "Bearer "+operatortest.DefaultToken)
				resp, err := (&http.Client{Transport: tr}).Do(req)
				if err == nil {
					resp.Body.Close()
				}
				require.Error(t, err)
				assert.ErrorIs(t, err, syscall.ECONNRESET)
			})
		}
	}
}

func TestNames(t *testing.T) {
	assert.Equal(t, "kannel", operatortest.Kannel.String())
	assert.Equal(t, "accept-then-reset", operatortest.FaultAcceptThenReset.String())
	assert.Equal(t, "Fault(99)", operatortest.Fault(99).String())
	assert.Equal(t, "Dialect(9)", operatortest.Dialect(9).String())
}
