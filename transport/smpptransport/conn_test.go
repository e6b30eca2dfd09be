package smpptransport

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fiorix/go-smpp/smpp/pdu"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport/internal/wire"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

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

// A full window waits for a free slot instead of failing.
func TestFullWindowWaits(t *testing.T) {
	srv := newServer(t, nil)
	cfg := testConfig(srv)
	cfg.Window = 2
	tr := newTransport(t, cfg)
	const n = 10
	for range n {
		srv.InjectFault(smsctest.Fault{Delay: 10 * time.Millisecond})
	}
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := tr.Submit(ctxT(t, 5*time.Second), msg())
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Len(t, srv.Messages(), n)

	// The wait is bounded by ctx, and a submit that never got a slot was
	// not sent.
	srv.InjectFault(smsctest.Fault{NoAnswer: true})
	srv.InjectFault(smsctest.Fault{NoAnswer: true})
	for range 2 {
		go func() { _, _ = tr.Submit(ctxT(t, 5*time.Second), msg()) }()
	}
	require.Eventually(t, func() bool { return srv.Stats().Submits == n+2 }, 5*time.Second, time.Millisecond,
		"two unanswered submits hold the window")
	_, err := tr.Submit(ctxT(t, 20*time.Millisecond), msg())
	require.ErrorIs(t, err, transport.ErrNotSent)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, int64(n+2), srv.Stats().Submits)
}

// Sequence numbers wrap within 1..0x7FFFFFFF on a live session.
func TestSequenceWrapOnTheWire(t *testing.T) {
	srv := newServer(t, nil)
	tr := newTransport(t, testConfig(srv))
	waitBound(t, tr)
	c, _ := tr.tx[0].state()
	c.seq.last.Store(maxSeq - 2)
	for range 4 {
		_, err := tr.Submit(ctxT(t, 5*time.Second), msg())
		require.NoError(t, err)
	}
	var seqs []uint32
	for _, s := range srv.Submits() {
		seqs = append(seqs, s.Seq)
	}
	assert.Equal(t, []uint32{maxSeq - 1, maxSeq, 1, 2}, seqs)
}

func TestSequenceWraps(t *testing.T) {
	var s sequence
	assert.Equal(t, uint32(1), s.next())
	s.last.Store(maxSeq - 1)
	assert.Equal(t, uint32(maxSeq), s.next())
	assert.Equal(t, uint32(1), s.next(), "wraps within 1..0x7FFFFFFF, never 0")
	assert.Equal(t, uint32(2), s.next())
}
