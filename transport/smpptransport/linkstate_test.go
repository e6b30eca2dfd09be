package smpptransport

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

// closedWithin reports whether ch is closed within 5s.
func closedWithin(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	case <-time.After(5 * time.Second):
		return false
	}
}

func TestLinkFollowsTheSession(t *testing.T) {
	srv := newServer(t, nil)
	tr := newTransport(t, testConfig(srv))
	require.Eventually(t, func() bool { up, _ := tr.Link(); return up }, 5*time.Second, time.Millisecond)

	up, changed := tr.Link()
	require.True(t, up)
	srv.Stop()
	require.True(t, closedWithin(changed), "the loss is announced")
	require.Eventually(t, func() bool { up, _ := tr.Link(); return !up }, 5*time.Second, time.Millisecond)

	up, changed = tr.Link()
	require.False(t, up)
	require.NoError(t, srv.Start())
	require.True(t, closedWithin(changed), "the rebind is announced")
	require.Eventually(t, func() bool { up, _ := tr.Link(); return up }, 5*time.Second, time.Millisecond)

	require.NoError(t, tr.Close())
	up, _ = tr.Link()
	assert.False(t, up, "a closed transport has no link")
}

// An SMSC that answers binds and nothing else never counts as up: its
// binds are not confirmed by an enquire_link, so no submit is written to
// it to end unknown.
func TestBindWithoutAnswersIsNotUp(t *testing.T) {
	srv := newServer(t, nil)
	srv.Hang()
	cfg := testConfig(srv)
	cfg.RespTimeout = 20 * time.Millisecond
	cfg.Outage = OutageFailFast
	tr := newTransport(t, cfg)
	require.Eventually(t, func() bool { return srv.Stats().Transceivers >= 2 }, 5*time.Second, time.Millisecond,
		"the SMSC took binds again and again")
	up, _ := tr.Link()
	assert.False(t, up)
	assert.Zero(t, tr.Stats().Binds, "no bind was confirmed")
	_, err := tr.Submit(ctxT(t, 5*time.Second), msg())
	assertOnlyClass(t, err, transport.ErrNotSent)
	assert.Empty(t, srv.Submits())

	srv.Resume()
	require.Eventually(t, func() bool { up, _ := tr.Link(); return up }, 5*time.Second, time.Millisecond)
	_, err = tr.Submit(ctxT(t, 5*time.Second), msg())
	require.NoError(t, err)
}

// FailFast turns a transport configured to wait for its link into one
// that fails at once, as a router needs.
func TestFailFastStopsWaitingForTheLink(t *testing.T) {
	srv := newServer(t, nil)
	cfg := testConfig(srv)
	cfg.Backoff = func(int) time.Duration { return time.Hour } // no rebind while the test runs
	tr := newTransport(t, cfg)                                 // OutageWait
	waitBound(t, tr)
	srv.Stop()
	waitUnbound(t, tr)

	_, err := tr.Submit(ctxT(t, 20*time.Millisecond), msg())
	require.ErrorIs(t, err, context.DeadlineExceeded, "OutageWait waits for the caller's deadline")
	tr.FailFast()
	_, err = tr.Submit(ctxT(t, 5*time.Second), msg())
	assertOnlyClass(t, err, transport.ErrNotSent)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "failed at once")
}

// When an SMSC stops answering mid-run, the session is declared hung
// after HangTimeout: the submits waiting for its window were never
// written and come back at once as not sent (they used to wait for the
// written ones' response timeout, or the caller's deadline), and only the
// written ones end unknown.
func TestHungSessionHandsBackQueuedSubmits(t *testing.T) {
	for _, fault := range []struct {
		name  string
		apply func(*smsctest.Server)
	}{
		{"hung", (*smsctest.Server).Hang},
		{"frozen", (*smsctest.Server).Freeze},
	} {
		t.Run(fault.name, func(t *testing.T) {
			srv := newServer(t, nil)
			cfg := testConfig(srv)
			cfg.Window = 2
			cfg.RespTimeout = 5 * time.Second // far beyond the hang detection
			cfg.HangTimeout = 20 * time.Millisecond
			cfg.Backoff = func(int) time.Duration { return time.Hour }
			tr := newTransport(t, cfg)
			tr.FailFast()
			waitBound(t, tr)
			_, err := tr.Submit(ctxT(t, 5*time.Second), msg())
			require.NoError(t, err)

			fault.apply(srv)
			const n = 5
			errs := make(chan error, n)
			var wg sync.WaitGroup
			for range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := tr.Submit(ctxT(t, 10*time.Second), msg())
					errs <- err
				}()
			}
			// The three that found the window full come back first, as not
			// sent, long before the two written ones time out.
			for range n - cfg.Window {
				err := <-errs
				assertOnlyClass(t, err, transport.ErrNotSent)
				assert.Contains(t, err.Error(), "hung")
			}
			up, _ := tr.Link()
			assert.False(t, up, "the hung session is down")
			srv.DropConnections() // the written ones are never answered
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					assert.True(t, errors.Is(err, transport.ErrOutcomeUnknown), "only a written submit may be unknown: %v", err)
				}
			}
		})
	}
}

// A slow answer is not a hang while other submits are answered; alone on
// its connection it retires the session, yet still counts when it comes.
func TestSlowAnswerIsNotLost(t *testing.T) {
	srv := newServer(t, nil)
	cfg := testConfig(srv)
	cfg.RespTimeout = 5 * time.Second
	cfg.HangTimeout = 20 * time.Millisecond
	tr := newTransport(t, cfg)
	waitBound(t, tr)

	srv.InjectFault(smsctest.Fault{Delay: 200 * time.Millisecond})
	slow := make(chan error, 1)
	go func() {
		_, err := tr.Submit(ctxT(t, 10*time.Second), msg())
		slow <- err
	}()
	require.Eventually(t, func() bool { return len(srv.Submits()) == 1 }, 5*time.Second, time.Millisecond)
	for range 5 { // other submits are answered meanwhile
		_, err := tr.Submit(ctxT(t, 5*time.Second), msg())
		require.NoError(t, err)
		time.Sleep(10 * time.Millisecond)
	}
	require.NoError(t, <-slow)
	assert.Equal(t, int64(1), tr.Stats().Binds, "the session was never taken for hung")

	srv.InjectFault(smsctest.Fault{Delay: 200 * time.Millisecond})
	_, err := tr.Submit(ctxT(t, 10*time.Second), msg())
	require.NoError(t, err, "the answer of a submit alone past HangTimeout still arrives")
	require.Eventually(t, func() bool { return tr.Stats().Binds == 2 }, 5*time.Second, time.Millisecond,
		"and the silent session was replaced")
}

func TestOutageFailFast(t *testing.T) {
	srv := newServer(t, nil)
	cfg := testConfig(srv)
	cfg.Outage = OutageFailFast
	cfg.Backoff = func(int) time.Duration { return time.Hour }
	tr := newTransport(t, cfg)
	waitBound(t, tr)
	srv.DropConnections()
	waitUnbound(t, tr)
	start := time.Now()
	_, err := tr.Submit(ctxT(t, 5*time.Second), msg())
	require.ErrorIs(t, err, transport.ErrNotSent)
	assert.Less(t, time.Since(start), time.Second, "fails at once")
	assert.ErrorIs(t, tr.Ping(ctxT(t, time.Second)), transport.ErrNotSent)
}

func TestOutageWaitsForRebind(t *testing.T) {
	srv := newServer(t, nil)
	cfg := testConfig(srv)
	gate := make(chan struct{})
	var open sync.Once
	cfg.Backoff = func(int) time.Duration {
		<-gate // the test decides when the rebind happens
		return time.Millisecond
	}
	tr := newTransport(t, cfg)
	t.Cleanup(func() { open.Do(func() { close(gate) }) }) // runs before Close
	waitBound(t, tr)
	srv.DropConnections()
	waitUnbound(t, tr)

	_, err := tr.Submit(ctxT(t, 20*time.Millisecond), msg())
	require.ErrorIs(t, err, transport.ErrNotSent, "the wait is bounded by ctx")
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	done := make(chan error, 1)
	go func() {
		_, err := tr.Submit(ctxT(t, 5*time.Second), msg())
		done <- err
	}()
	open.Do(func() { close(gate) })
	require.NoError(t, <-done, "the submit waited for the rebind")
	assert.Equal(t, int64(2), tr.Stats().Binds)
}
