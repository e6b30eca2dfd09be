package smpptransport

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport/internal/wire"
	"github.com/fiorix/go-smpp/smpp/pdu"
)

// sentinels are the classification sentinels; every Submit error wraps
// exactly one of them.
var sentinels = []error{transport.ErrNotSent, transport.ErrThrottled, transport.ErrOutcomeUnknown, transport.ErrRejected}

func assertOnlyClass(t *testing.T, err, want error) {
	t.Helper()
	require.ErrorIs(t, err, want)
	for _, other := range sentinels {
		if other != want {
			assert.NotErrorIs(t, err, other, "exactly one classification")
		}
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

// A submit whose ctx ends while it waits for the throughput limiter was
// never written: ErrNotSent and the context's error.
func TestCanceledWhilePacedIsNotSent(t *testing.T) {
	srv := newServer(t, nil)
	cfg := testConfig(srv)
	cfg.MaxRate = 0.001 // one token, then none for 1000 s
	tr := newTransport(t, cfg)
	_, err := tr.Submit(ctxT(t, 5*time.Second), msg())
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background()) // no deadline: the limiter waits
	errs := make(chan error, 1)
	go func() {
		_, err := tr.Submit(ctx, msg())
		errs <- err
	}()
	require.Eventually(t, func() bool { return len(tr.tx[0].window) == 1 }, 5*time.Second, time.Millisecond)
	cancel()
	err = <-errs
	assertOnlyClass(t, err, transport.ErrNotSent)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, int64(1), srv.Stats().Submits)
}

// A response that has arrived when the wait ends (ctx done, or the
// timeout firing at the same moment) is the outcome: the message was
// accepted, and its id is what correlates its delivery receipt.
func TestWaitPrefersArrivedResponse(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		timeout time.Duration
	}{
		{"ctx done", canceled, time.Hour},
		{"timeout", context.Background(), time.Nanosecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := net.Pipe()
			defer b.Close()
			var late atomic.Int64
			c := newConn(a, time.Second, func(*conn, *pdu.Header, []byte) {}, &late, 1)
			defer c.close(nil)
			for i := range 64 {
				seq := uint32(i + 1)
				cl := &call{want: pdu.SubmitSMRespID, ch: make(chan response, 1)}
				c.mu.Lock()
				c.pending[seq] = cl
				c.mu.Unlock()
				c.dispatch(&pdu.Header{ID: pdu.SubmitSMRespID, Seq: seq}, []byte("42\x00"))
				r, err := c.wait(tc.ctx, cl, seq, tc.timeout)
				require.NoError(t, err, "attempt %d", i)
				assert.Equal(t, "42", wire.CString(r.body))
			}
			assert.Zero(t, late.Load())
		})
	}
}
