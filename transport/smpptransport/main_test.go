package smpptransport

import (
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// quiet is the logger of every test transport.
var quiet = slog.New(slog.DiscardHandler)

// fastBackoff rebinds quickly in tests.
func fastBackoff(int) time.Duration { return 5 * time.Millisecond }

// newServer starts a simulator closed at the end of the test.
func newServer(t testing.TB, cfg *smsctest.Options) *smsctest.Server {
	t.Helper()
	s, err := smsctest.NewServer(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// testConfig is a Config for srv with short timeouts.
func testConfig(srv *smsctest.Server) Config {
	return Config{
		Addr: srv.Addr(), SystemID: smsctest.DefaultSystemID, Password: smsctest.DefaultPassword,
		RespTimeout: 500 * time.Millisecond, Backoff: fastBackoff, Logger: quiet,
		ThrottleRetryAfter: time.Millisecond,
	}
}

// newTransport makes a transport closed at the end of the test.
func newTransport(t testing.TB, cfg Config) *Transport {
	t.Helper()
	tr, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	return tr
}
