package smpptransport

import (
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport/internal/wire"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
	"github.com/fiorix/go-smpp/smpp/pdu"
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
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	tr := newTransport(t, Config{
		Addr: ln.Addr().String(), SystemID: "advox", RespTimeout: 500 * time.Millisecond,
		EnquireLink: 20 * time.Millisecond, Backoff: fastBackoff, Logger: quiet,
	})
	smsc := acceptBound(t, ln)
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
