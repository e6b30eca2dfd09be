package router_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/phone"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/internal/nodesmpp"
	"github.com/azenna/advox/transport/router"
	"github.com/azenna/advox/transport/smpptransport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

func TestFailover(t *testing.T) {
	notSent := fmt.Errorf("link down: %w", transport.ErrNotSent)
	tests := []struct {
		name      string
		first     error // what the first transport answers
		wantErr   error // nil: the second transport takes the message
		wantFirst bool  // the result names the first transport
	}{
		{"not sent fails over", notSent, nil, false},
		{"closed transport fails over", fmt.Errorf("smpp: %w", transport.ErrClosed), nil, false},
		{"accepted stays", nil, nil, true},
		{"outcome unknown never fails over", fmt.Errorf("timeout: %w", transport.ErrOutcomeUnknown), transport.ErrOutcomeUnknown, true},
		{"unclassified error never fails over", errors.New("mystery"), nil, true},
		{"rejected never fails over", fmt.Errorf("bad number: %w", transport.ErrRejected), transport.ErrRejected, true},
		{"throttled never fails over", &transport.RetryAfterError{After: 1, Err: transport.ErrThrottled}, transport.ErrThrottled, true},
		{"partial acceptance never fails over", &transport.PartialError{Accepted: []string{"p1"}, Err: notSent}, transport.ErrNotSent, true},
		{"partial without accepted parts fails over", &transport.PartialError{Err: notSent}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := &scripted{name: "a"}, &scripted{name: "b"}
			a.queue(tt.first)
			r := newRouter(t, router.Config{Routes: failover("a", "b"), Throttle: router.ThrottlePolicy{Pause: 1}}, a, b)
			m := msg()
			res, err := r.Submit(ctxT(t), m)
			assert.Equal(t, "default", res.Route)
			assert.Equal(t, 1, a.count(), "the first transport is always tried")
			if tt.wantFirst {
				assert.Equal(t, "a", res.Transport)
				assert.Zero(t, b.count(), "the second transport must receive nothing")
				if tt.first == nil {
					require.NoError(t, err)
					return
				}
				require.Error(t, err)
				if tt.wantErr != nil {
					assert.ErrorIs(t, err, tt.wantErr)
				}
				var pe *transport.PartialError
				if errors.As(tt.first, &pe) {
					require.ErrorAs(t, err, &pe, "the partial acceptance reaches the Client")
					assert.Equal(t, []string{"p1"}, pe.Accepted)
					assert.False(t, transport.SafeToRetry(err))
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "b", res.Transport)
			assert.Equal(t, []string{"b-1"}, res.OperatorIDs)
			assert.Equal(t, 1, b.count())
		})
	}
}

func TestFailoverAllNotSent(t *testing.T) {
	a, b, c := &scripted{name: "a"}, &scripted{name: "b"}, &scripted{name: "c"}
	for _, s := range []*scripted{a, b, c} {
		s.queue(fmt.Errorf("%s down: %w", s.name, transport.ErrNotSent))
	}
	r := newRouter(t, router.Config{Routes: failover("a", "b", "c")}, a, b, c)
	m := msg()
	res, err := r.Submit(ctxT(t), m)
	require.Error(t, err)
	assert.ErrorIs(t, err, transport.ErrNotSent)
	assert.True(t, transport.SafeToRetry(err), "nothing was taken: the Client may retry")
	assert.False(t, errors.Is(err, transport.ErrOutcomeUnknown))
	assert.Equal(t, "c", res.Transport, "the result names the last transport tried")
	assert.Equal(t, "default", res.Route)
	for _, s := range []*scripted{a, b, c} {
		assert.Equal(t, 1, s.count())
		assert.Contains(t, err.Error(), s.name+" down")
	}
	assert.NotContains(t, err.Error(), m.To)
}

func TestClosedSubTransportIsNotRouterClosed(t *testing.T) {
	ts := mems("a")
	r := newRouter(t, router.Config{Routes: failover("a")}, asTransports(ts)...)
	require.NoError(t, ts[0].Close())
	_, err := r.Submit(ctxT(t), msg())
	require.Error(t, err)
	assert.ErrorIs(t, err, transport.ErrNotSent)
	assert.False(t, errors.Is(err, transport.ErrClosed), "the router itself is open")
}

func TestNoFailoverAfterCallerGaveUp(t *testing.T) {
	a, b := &scripted{name: "a"}, &scripted{name: "b"}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a.queue(fmt.Errorf("%w: %w", transport.ErrNotSent, context.Canceled))
	r := newRouter(t, router.Config{Routes: failover("a", "b"), Breaker: router.BreakerPolicy{Failures: 1}}, a, b)
	_, err := r.Submit(ctx, msg())
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, transport.ErrNotSent)
	assert.Zero(t, b.count())
	assert.Equal(t, router.BreakerClosed, r.Breaker("a"), "the caller's cancellation is not the transport's failure")
}

func TestNilMessage(t *testing.T) {
	r := newRouter(t, router.Config{Routes: failover("a")}, &scripted{name: "a"})
	_, err := r.Submit(ctxT(t), nil)
	assert.ErrorIs(t, err, transport.ErrRejected)
}

func throttled(hint time.Duration) error {
	return &transport.RetryAfterError{After: hint, Err: fmt.Errorf("slow down: %w", transport.ErrThrottled)}
}

// shortCtx is a context that ends long before any pause in these tests.
func shortCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	t.Cleanup(cancel)
	return ctx
}

func TestThrottlePausesWithoutFailingOver(t *testing.T) {
	tests := []struct {
		name  string
		hint  time.Duration
		pause time.Duration // how long the transport stays paused
	}{
		{"operator hint", 10 * time.Second, 10 * time.Second},
		{"no hint: ThrottlePolicy.Pause", 0, 3 * time.Second},
		{"short hint: at least Pause", time.Millisecond, 3 * time.Second},
		{"long hint capped at MaxPause", time.Hour, 30 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			a, b := &scripted{name: "a"}, &scripted{name: "b"}
			policy := router.ThrottlePolicy{Pause: 3 * time.Second, MaxPause: 30 * time.Second}
			r := newRouter(t, router.Config{Routes: failover("a", "b"), Throttle: policy, Now: clk.Now}, a, b)
			a.queue(throttled(tt.hint))

			res, err := r.Submit(ctxT(t), msg())
			require.Error(t, err)
			assert.ErrorIs(t, err, transport.ErrThrottled)
			assert.True(t, transport.SafeToRetry(err))
			hint, _ := transport.RetryAfter(err)
			assert.Equal(t, tt.hint, hint, "the operator's hint reaches the Client unchanged")
			assert.Equal(t, "a", res.Transport)
			assert.Zero(t, b.count(), "throttling never fails over")

			// Paused: a submit waits for a rather than switching to b.
			clk.Advance(tt.pause / 2)
			_, err = r.Submit(shortCtx(t), msg())
			require.Error(t, err)
			assert.ErrorIs(t, err, transport.ErrNotSent, "a wait cut short sent nothing")
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Equal(t, 1, a.count())
			assert.Zero(t, b.count())

			// The pause over, a takes the next message at once.
			clk.Advance(tt.pause - tt.pause/2)
			res, err = r.Submit(shortCtx(t), msg())
			require.NoError(t, err)
			assert.Equal(t, "a", res.Transport)
			assert.Zero(t, b.count())
		})
	}
}

func TestThrottleWaitEndsOnClose(t *testing.T) {
	a := &scripted{name: "a"}
	clk := newClock()
	calls := make(chan struct{}, 16)
	now := func() time.Time {
		calls <- struct{}{}
		return clk.Now()
	}
	r, err := router.New(router.Config{Transports: []transport.Transport{a}, Routes: failover("a"),
		Throttle: router.ThrottlePolicy{Pause: time.Minute}, Now: now})
	require.NoError(t, err)
	a.queue(throttled(0))
	_, err = r.Submit(ctxT(t), msg())
	require.ErrorIs(t, err, transport.ErrThrottled)
	for len(calls) > 0 {
		<-calls
	}

	errc := make(chan error)
	go func() {
		_, err := r.Submit(ctxT(t), msg())
		errc <- err
	}()
	<-calls // admitted, about to wait out the pause
	require.NoError(t, r.Close())
	err = <-errc
	assert.ErrorIs(t, err, transport.ErrClosed)
	assert.ErrorIs(t, err, transport.ErrNotSent)
	assert.Equal(t, 1, a.count(), "the waiting submit never reached the transport")
}

func TestThrottleRealPause(t *testing.T) {
	a, b := &scripted{name: "a"}, &scripted{name: "b"}
	r := newRouter(t, router.Config{Routes: failover("a", "b"), Throttle: router.ThrottlePolicy{Pause: 5 * time.Millisecond}}, a, b)
	a.queue(throttled(0))
	_, err := r.Submit(ctxT(t), msg())
	require.ErrorIs(t, err, transport.ErrThrottled)
	res, err := r.Submit(ctxT(t), msg())
	require.NoError(t, err, "the submit waits out the pause and goes through")
	assert.Equal(t, "a", res.Transport)
	assert.Zero(t, b.count())
}

// spilling is a router on a fake clock over a and b on a route that
// spills, pausing throttled transports for a second.
func spilling(t *testing.T) (*clock, *scripted, *scripted, *router.Router) {
	clk := newClock()
	a, b := &scripted{name: "a"}, &scripted{name: "b"}
	rt := failover("a", "b")
	rt[0].SpillThrottled = true
	r := newRouter(t, router.Config{Routes: rt, Now: clk.Now, Throttle: router.ThrottlePolicy{Pause: time.Second}}, a, b)
	return clk, a, b, r
}

// On a route that spills, a throttled answer (nothing taken) moves the
// message on, and a paused transport is passed over instead of waited
// for: against a throttling SMSC, messages waited out 1 s pauses or
// failed as throttled while the second transport sat idle.
func TestSpillThrottled(t *testing.T) {
	clk, a, b, r := spilling(t)

	a.queue(throttled(0))
	res, err := r.Submit(ctxT(t), msg())
	require.NoError(t, err)
	assert.Equal(t, "b", res.Transport, "the throttled message spilled over")

	res, err = r.Submit(shortCtx(t), msg())
	require.NoError(t, err, "no wait for the paused transport")
	assert.Equal(t, "b", res.Transport)
	assert.Equal(t, 1, a.count())

	clk.Advance(time.Second)
	res, err = r.Submit(ctxT(t), msg())
	require.NoError(t, err)
	assert.Equal(t, "a", res.Transport, "the pause over, a takes messages again")
	assert.Equal(t, router.BreakerClosed, r.Breaker("a"), "throttling is no failure")

	// A message partly taken never spills: that could duplicate it.
	a.queue(&transport.PartialError{Accepted: []string{"p1"}, Err: throttled(0)})
	_, err = r.Submit(ctxT(t), msg())
	require.ErrorIs(t, err, transport.ErrThrottled)
	assert.Equal(t, 2, b.count())
}

// When every transport of a spilling route is throttled, the error is
// throttled — one classification, with the earliest retry hint — so the
// Client backs off as for one throttled transport.
func TestSpillAllThrottled(t *testing.T) {
	clk, a, b, r := spilling(t)
	a.queue(throttled(3 * time.Second))
	b.queue(throttled(0))
	_, err := r.Submit(ctxT(t), msg())
	require.ErrorIs(t, err, transport.ErrThrottled)
	assert.NotErrorIs(t, err, transport.ErrNotSent)
	assert.True(t, transport.SafeToRetry(err))
	hint, ok := transport.RetryAfter(err)
	require.True(t, ok)
	assert.Equal(t, time.Second, hint, "b's pause ends first")

	// Both paused: passed over without a submit, still throttled.
	clk.Advance(500 * time.Millisecond)
	_, err = r.Submit(ctxT(t), msg())
	require.ErrorIs(t, err, transport.ErrThrottled)
	hint, _ = transport.RetryAfter(err)
	assert.Equal(t, 500*time.Millisecond, hint)
	assert.Equal(t, 1, a.count())
	assert.Equal(t, 1, b.count())

	// One paused, the other down: not sent, and only that.
	clk.Advance(500 * time.Millisecond)
	b.queue(fmt.Errorf("b: %w", transport.ErrNotSent))
	_, err = r.Submit(ctxT(t), msg())
	require.ErrorIs(t, err, transport.ErrNotSent)
	assert.NotErrorIs(t, err, transport.ErrThrottled, "exactly one classification")
	assert.Contains(t, err.Error(), "a: paused after throttling")
}

// TestSMSCDropsMidRun sends through two real SMPP transports behind a
// failover route while the first SMSC goes away: every message ends
// accepted exactly once, or the caller is told (and an unknown outcome is
// recorded); nothing is ever on both SMSCs.
func TestSMSCDropsMidRun(t *testing.T) {
	faults := []struct {
		name  string
		fault func(*smsctest.Server)
	}{
		{"server closed", func(s *smsctest.Server) { _ = s.Close() }},
		{"connections dropped", (*smsctest.Server).DropConnections},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			srvA, a := smpp(t, "a")
			srvB, b := smpp(t, "b")
			r, err := router.New(router.Config{
				Name:       "smpp-router",
				Transports: []transport.Transport{a, b},
				Routes: []router.Route{{Name: "se", Match: router.Match{CallingCodes: []int{46}},
					Transports: []router.Target{{Transport: a.Name()}, {Transport: b.Name()}}}},
				Breaker: router.BreakerPolicy{Failures: 3, Backoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond},
			})
			require.NoError(t, err)

			agreed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			procs, err := processing.NewRegister(processing.OperatorProcessor(r.Name(), "SE", agreed))
			require.NoError(t, err)
			for _, name := range r.Transports() {
				require.Error(t, procs.Check(name), "not registered yet")
				require.NoError(t, procs.Declare(processing.OperatorProcessor(name, "SE", agreed)))
				require.NoError(t, procs.Check(name))
			}
			c, err := advox.NewClient(r, memstore.New(nil), &advox.Options{
				Processors: procs, Logger: quiet,
				Backoff: func(int, time.Duration) time.Duration { return 5 * time.Millisecond },
			})
			require.NoError(t, err)
			t.Cleanup(func() { _ = c.Close() })

			const n, workers = 90, 6
			results := make([]outcome, n)
			var next atomic.Int64
			var faultOnce sync.Once
			var wg sync.WaitGroup
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := int(next.Add(1)) - 1
						if i >= n {
							return
						}
						if i == n/3 {
							faultOnce.Do(func() { f.fault(srvA) })
						}
						to := fmt.Sprintf("+4670%07d", 1000+i)
						rcpt, err := c.Send(ctxT(t), advox.Message{Account: "acct-1", From: "Advox", To: to, Text: fmt.Sprintf("message %d", i)})
						results[i] = outcome{to: to, rcpt: rcpt, err: err}
					}
				}()
			}
			wg.Wait()

			onA, onB := countByTo(srvA.Messages()), countByTo(srvB.Messages())
			require.NotZero(t, len(onA), "the first SMSC took messages before it went away")
			require.NotZero(t, len(onB), "the router failed over to the second SMSC")
			unknown := 0
			for _, o := range results {
				got := onA[o.to] + onB[o.to]
				require.LessOrEqual(t, got, 1, "never on both SMSCs, never twice")
				switch {
				case o.err == nil:
					assert.Equal(t, 1, got, "an accepted message is on exactly one SMSC")
					rec, err := c.Status(ctxT(t), advox.PurposeTransmit, o.rcpt.ID)
					require.NoError(t, err, "an accepted message is recorded")
					assert.Equal(t, "se", rec.Route)
					assert.Equal(t, phone.Number(o.to), rec.To)
					want := map[string]map[string]int{a.Name(): onA, b.Name(): onB}[rec.Transport]
					assert.Equal(t, 1, want[o.to], "the record names the transport that took it (%s)", rec.Transport)
				case errors.Is(o.err, advox.ErrOutcomeUnknown):
					unknown++
					require.NotEmpty(t, o.rcpt.ID, "an unknown outcome is recorded")
					rec, err := c.Status(ctxT(t), advox.PurposeTransmit, o.rcpt.ID)
					require.NoError(t, err)
					assert.Equal(t, a.Name(), rec.Transport, "only the SMSC that went away leaves outcomes unknown")
					assert.Contains(t, []transport.Status{transport.StatusUnknown, transport.StatusDelivered}, rec.Status)
				default:
					t.Errorf("message %s: unexpected error with the second SMSC up: %v", phone.Number(o.to), o.err)
				}
			}
			t.Logf("on A %d, on B %d, unknown %d", len(onA), len(onB), unknown)
			assert.LessOrEqual(t, unknown, workers, "only submits in flight at the drop can be unknown")

			// Reports from the second SMSC reach the Client through the
			// router, scoped by transport, and settle its records.
			require.Eventually(t, func() bool {
				for _, o := range results {
					if o.err != nil || onB[o.to] == 0 {
						continue
					}
					rec, err := c.Status(ctxT(t), advox.PurposeTransmit, o.rcpt.ID)
					if err != nil || rec.Status != transport.StatusDelivered {
						return false
					}
				}
				return true
			}, 5*time.Second, 5*time.Millisecond, "every message on the second SMSC is reported delivered")
			require.NoError(t, c.Close())
		})
	}
}

// TestFailoverUnderFaults runs 16 senders through two SMPP members while
// the first one fails the way SMSCs do, and counts what became of every
// message. Times are measured by BenchmarkFailover; here only counts are
// asserted: nothing lost or duplicated, nothing ends not sent while the
// second member is free, and only messages written to the failing SMSC
// can be unknown — at most one window's worth.
func TestFailoverUnderFaults(t *testing.T) {
	const senders, window = 16, 10
	tests := []struct {
		name string
		pc   pairConfig
		// run applies the fault while the load runs, and anything after.
		run func(t *testing.T, p *pair, l *load)
		// maxUnknown bounds the unknown outcomes.
		maxUnknown int
	}{
		{"killed", pairConfig{}, func(t *testing.T, p *pair, l *load) {
			l.until(t, func() bool { return len(p.srvA.Messages()) >= 50 }, "a takes traffic")
			p.srvA.Stop()
			n := len(p.srvB.Messages())
			l.until(t, func() bool { return len(p.srvB.Messages()) >= n+100 }, "traffic flows through b")
		}, window},
		{"hung after bind", pairConfig{}, func(t *testing.T, p *pair, l *load) {
			// Hung before the load starts: see below.
			l.until(t, func() bool { return len(p.srvB.Messages()) >= 100 }, "traffic flows through b")
		}, window},
		{"frozen mid-run", pairConfig{}, func(t *testing.T, p *pair, l *load) {
			l.until(t, func() bool { return len(p.srvA.Messages()) >= 50 }, "a takes traffic")
			p.srvA.Freeze()
			n := len(p.srvB.Messages())
			l.until(t, func() bool { return len(p.srvB.Messages()) >= n+100 }, "traffic flows through b")
			p.srvA.Resume() // answers what it held: late, or to a session given up
		}, window},
		{"throttling at 100/s", pairConfig{smscA: smsctest.Options{MaxRate: 100}, spill: true,
			tuneA: func(c *smpptransport.Config) { c.MaxRate = 200 }}, func(t *testing.T, p *pair, l *load) {
			l.until(t, func() bool { return p.a.Stats().Throttled > 0 }, "a throttles")
			n := len(p.srvA.Messages())
			l.until(t, func() bool { return len(p.srvA.Messages()) >= n+100 }, "a keeps taking traffic")
		}, 0},
		{"restarted", pairConfig{}, func(t *testing.T, p *pair, l *load) {
			l.until(t, func() bool { return len(p.srvA.Messages()) >= 50 }, "a takes traffic")
			p.srvA.Stop()
			n := len(p.srvB.Messages())
			l.until(t, func() bool { return len(p.srvB.Messages()) >= n+50 }, "traffic flows through b")
			require.NoError(t, p.srvA.Start())
			m := len(p.srvA.Messages())
			l.until(t, func() bool { return len(p.srvA.Messages()) >= m+50 }, "a is back in rotation")
			assert.Equal(t, router.BreakerClosed, p.r.Breaker(p.a.Name()))
		}, window},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.pc.window = window
			p := newPair(t, tt.pc)
			if tt.name == "hung after bind" {
				p.srvA.Hang()
			}
			l := p.start(senders)
			tt.run(t, p, l)
			n := p.count(l.end())
			t.Logf("%+v", n)
			assert.Zero(t, n.lost, "lost")
			assert.Zero(t, n.duplicated, "duplicated")
			assert.Zero(t, n.notSent, "not sent while b was free")
			assert.Zero(t, n.failed, "failed otherwise")
			assert.LessOrEqual(t, n.unknown, tt.maxUnknown, "unknown")
			assert.Positive(t, n.onB, "b took traffic")
		})
	}
}

// nodeSMSCScript is an SMSC on node-smpp, driven line by line on stdin:
// "hang" (answer binds only, take submits silently), "resume", "stop"
// (close the listener and every session), "start" (listen again on the
// same port), "rate N" (throttle submits above N/s; 0: no limit),
// "received" (a JSON object: destination address → submits taken). It
// prints "listening PORT" once up and "ok" after each command.
const nodeSMSCScript = `
const smpp = require('smpp');
const readline = require('readline');
let hung = false, rate = 0, tokens = 0, last = Date.now(), nextId = 1, port = 0, server = null;
const received = {};
function take(pdu) { const to = pdu.destination_addr; received[to] = (received[to] || 0) + 1; }
function allow() {
	const now = Date.now();
	tokens = Math.min(rate, tokens + (now - last) * rate / 1000);
	last = now;
	if (tokens >= 1) { tokens -= 1; return true; }
	return false;
}
function start(cb) {
	server = smpp.createServer(session => {
		session.on('error', () => {});
		for (const b of ['bind_transceiver', 'bind_transmitter', 'bind_receiver']) {
			session.on(b, pdu => session.send(pdu.response({system_id: 'node-smpp'})));
		}
		session.on('enquire_link', pdu => { if (!hung) session.send(pdu.response()); });
		session.on('unbind', pdu => { if (!hung) { session.send(pdu.response()); session.close(); } });
		session.on('submit_sm', pdu => {
			if (hung) { take(pdu); return; }
			if (rate > 0 && !allow()) { session.send(pdu.response({command_status: smpp.ESME_RTHROTTLED})); return; }
			take(pdu);
			session.send(pdu.response({message_id: String(nextId++)}));
		});
	});
	server.on('error', e => { console.error(e); process.exit(1); });
	server.listen(port, '127.0.0.1', () => { port = server.address().port; cb(); });
}
function stop() {
	server.close();
	for (const s of server.sessions.slice()) s.destroy();
}
start(() => console.log('listening ' + port));
readline.createInterface({input: process.stdin}).on('line', line => {
	const [cmd, arg] = line.trim().split(' ');
	switch (cmd) {
	case 'hang': hung = true; break;
	case 'resume': hung = false; break;
	case 'stop': stop(); break;
	case 'start': start(() => console.log('ok')); return;
	case 'rate': rate = Number(arg); tokens = rate; last = Date.now(); break;
	case 'received': console.log(JSON.stringify(received)); return;
	}
	console.log('ok');
}).on('close', () => process.exit(0));
`

// nodeSMSC is one node-smpp SMSC process.
type nodeSMSC struct {
	t     testing.TB
	cmd   *exec.Cmd
	in    io.WriteCloser
	out   *bufio.Scanner
	addr  string
	mu    chan struct{} // one command at a time
	froze bool
}

func startNodeSMSC(t testing.TB, modules string) *nodeSMSC {
	t.Helper()
	p := nodesmpp.Start(t, modules, nodeSMSCScript)
	s := &nodeSMSC{t: t, cmd: p.Cmd, in: p.In, out: p.Out, addr: p.Addr, mu: make(chan struct{}, 1)}
	t.Cleanup(func() { // before the process's own cleanup: a stopped process never reads its closed stdin
		if s.froze {
			_ = s.cmd.Process.Signal(syscall.SIGCONT)
		}
	})
	return s
}

// do sends one command and returns its answer line.
func (s *nodeSMSC) do(cmd string) string {
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	_, err := fmt.Fprintln(s.in, cmd)
	require.NoError(s.t, err)
	require.True(s.t, s.out.Scan(), "node-smpp SMSC gone after %q", cmd)
	return s.out.Text()
}

// received returns the submits taken, by recipient in E.164 form.
func (s *nodeSMSC) received() map[string]int {
	var raw map[string]int
	require.NoError(s.t, json.Unmarshal([]byte(s.do("received")), &raw))
	out := make(map[string]int, len(raw))
	for to, n := range raw {
		out["+"+to] = n
	}
	return out
}

func (s *nodeSMSC) total() int {
	n := 0
	for _, c := range s.received() {
		n += c
	}
	return n
}

// freeze stops the process (SIGSTOP): its connections stay up, nothing is
// read or answered; thaw continues it.
func (s *nodeSMSC) freeze() {
	require.NoError(s.t, s.cmd.Process.Signal(syscall.SIGSTOP))
	s.froze = true
}

func (s *nodeSMSC) thaw() {
	require.NoError(s.t, s.cmd.Process.Signal(syscall.SIGCONT))
	s.froze = false
}

// TestFailoverAgainstNodeSMPP runs the failover scenarios of
// TestFailoverUnderFaults against two SMSCs this project did not write
// (node-smpp), counting what became of every message. It runs only with
// ADVOX_NODE_SMPP=1, node and npm on PATH (npm installs node-smpp outside
// the repository, see nodesmpp.Modules).
func TestFailoverAgainstNodeSMPP(t *testing.T) {
	if os.Getenv("ADVOX_NODE_SMPP") != "1" {
		t.Skip("set ADVOX_NODE_SMPP=1 to run against node-smpp (needs node and npm)")
	}
	modules := nodesmpp.Modules(t)
	const senders, window = 16, 10
	tests := []struct {
		name       string
		spill      bool
		run        func(t *testing.T, a *nodeSMSC, p *pair, l *load, b *nodeSMSC) (fault time.Time)
		maxUnknown int
	}{
		{"killed", false, func(t *testing.T, a *nodeSMSC, p *pair, l *load, b *nodeSMSC) time.Time {
			l.until(t, func() bool { return a.total() >= 50 }, "a takes traffic")
			t0 := time.Now()
			a.do("stop")
			n := b.total()
			l.until(t, func() bool { return b.total() >= n+100 }, "traffic flows through b")
			return t0
		}, window},
		{"hung", false, func(t *testing.T, a *nodeSMSC, p *pair, l *load, b *nodeSMSC) time.Time {
			l.until(t, func() bool { return a.total() >= 50 }, "a takes traffic")
			t0 := time.Now()
			a.do("hang")
			n := b.total()
			l.until(t, func() bool { return b.total() >= n+100 }, "traffic flows through b")
			return t0
		}, window},
		{"frozen", false, func(t *testing.T, a *nodeSMSC, p *pair, l *load, b *nodeSMSC) time.Time {
			l.until(t, func() bool { return a.total() >= 50 }, "a takes traffic")
			t0 := time.Now()
			a.freeze()
			n := b.total()
			l.until(t, func() bool { return b.total() >= n+100 }, "traffic flows through b")
			a.thaw()
			return t0
		}, window},
		{"throttling at 100/s", true, func(t *testing.T, a *nodeSMSC, p *pair, l *load, b *nodeSMSC) time.Time {
			a.do("rate 100")
			l.until(t, func() bool { return p.a.Stats().Throttled > 0 }, "a throttles")
			n := a.total()
			t0 := time.Now()
			l.until(t, func() bool { return a.total() >= n+100 }, "a keeps taking traffic")
			t.Logf("a accepted %.1f submits/s", float64(a.total()-n)/time.Since(t0).Seconds())
			return time.Time{}
		}, 0},
		{"restarted", false, func(t *testing.T, a *nodeSMSC, p *pair, l *load, b *nodeSMSC) time.Time {
			l.until(t, func() bool { return a.total() >= 50 }, "a takes traffic")
			a.do("stop")
			n := b.total()
			l.until(t, func() bool { return b.total() >= n+50 }, "traffic flows through b")
			a.do("start")
			m := a.total()
			l.until(t, func() bool { return a.total() >= m+50 }, "a is back in rotation")
			assert.Equal(t, router.BreakerClosed, p.r.Breaker(p.a.Name()))
			return time.Time{}
		}, window},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := startNodeSMSC(t, modules), startNodeSMSC(t, modules)
			p := &pair{}
			cfgA := memberConfig("a", a.addr, window)
			cfgA.MaxRate = 200
			cfgA.BindMode = smpptransport.TransmitterReceiver
			p.route(t, cfgA, memberConfig("b", b.addr, window), tt.spill)
			t.Cleanup(func() { _ = p.c.Close() })
			l := p.start(senders)
			fault := tt.run(t, a, p, l, b)
			results := l.end()
			if a.froze {
				a.thaw()
			}
			onB := b.received()
			n := tallyOf(results, a.received(), onB)
			t.Logf("%+v", n)
			if !fault.IsZero() {
				first := time.Time{}
				for _, o := range results {
					if o.err == nil && onB[o.to] > 0 && o.at.After(fault) && (first.IsZero() || o.at.Before(first)) {
						first = o.at
					}
				}
				t.Logf("traffic through b %s after the fault", first.Sub(fault).Round(time.Millisecond))
			}
			assert.Zero(t, n.lost, "lost")
			assert.Zero(t, n.duplicated, "duplicated")
			assert.Zero(t, n.notSent, "not sent while b was free")
			assert.Zero(t, n.failed, "failed otherwise")
			assert.LessOrEqual(t, n.unknown, tt.maxUnknown, "unknown")
		})
	}
}

// BenchmarkSubmit measures what the router adds to a submit: route
// matching, breaker bookkeeping and, for weighted routes, the draw. The
// transports are fakes that answer at once without recording.
func BenchmarkSubmit(b *testing.B) {
	routes := table() // five routes before the one under test
	cases := []struct {
		name   string
		routes []router.Route
	}{
		{"failover", append(routes, failover("a", "b")...)},
		{"weighted", append(routes, weighted(router.Target{Transport: "a", Weight: 1}, router.Target{Transport: "b", Weight: 3})...)},
	}
	m := msgTo("+4581234567") // parallel: Denmark, the fourth route
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			m := msgTo("+4681234567") // no earlier route: the last one
			r, err := router.New(router.Config{Transports: []transport.Transport{nop("a"), nop("b")}, Routes: c.routes})
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Submit(context.Background(), m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("parallel", func(b *testing.B) {
		r, err := router.New(router.Config{Transports: []transport.Transport{nop("a"), nop("b")},
			Routes: append(table(), failover("a", "b")...)})
		if err != nil {
			b.Fatal(err)
		}
		defer r.Close()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := r.Submit(context.Background(), m); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// nop is a transport that accepts everything at once.
type nop string

func (n nop) Name() string { return string(n) }

func (n nop) Close() error { return nil }

func (n nop) Submit(context.Context, *transport.Message) (transport.Result, error) {
	return transport.Result{OperatorIDs: nopIDs}, nil
}

var nopIDs = []string{"1"}

// BenchmarkFailover measures how fast traffic flows again when the first
// of two SMPP members fails, with 16 senders through a Client over a
// failover route (one scenario per iteration; record the metrics in
// BENCHMARKS.md):
//
//   - killed, hung, frozen: flow-ms is the time from the fault to the
//     first message the second member accepted; unknowns the messages
//     left with an unknown outcome (the window is 10, the response
//     timeout 1 s, the hang timeout 500 ms).
//   - throttled: the first SMSC takes 100 submits/s (its transport's
//     contract rate is 200/s) and the route spills; a-accepted/s is its
//     accepted rate over 4 s after a 1 s warm-up, failed the messages
//     that did not go through at all.
//   - restarted: back-ms is the time from the first member's rebind,
//     after its SMSC was stopped and restarted, to the first message it
//     accepted again.
func BenchmarkFailover(b *testing.B) {
	const senders, window = 16, 10
	b.Run("killed", func(b *testing.B) {
		benchFault(b, window, senders, (*smsctest.Server).Stop)
	})
	b.Run("hung", func(b *testing.B) {
		benchFault(b, window, senders, (*smsctest.Server).Hang)
	})
	b.Run("frozen", func(b *testing.B) {
		benchFault(b, window, senders, (*smsctest.Server).Freeze)
	})
	b.Run("throttled", func(b *testing.B) {
		var rate, failed, spilled stat
		for b.Loop() {
			p := newPair(b, pairConfig{window: window, spill: true, smscA: smsctest.Options{MaxRate: 100, Receipts: smsctest.ReceiptsNever},
				tuneA: func(c *smpptransport.Config) { c.MaxRate = 200 }})
			l := p.start(senders)
			time.Sleep(time.Second)
			from, t0 := len(p.srvA.Messages()), time.Now()
			time.Sleep(4 * time.Second)
			to, t1 := len(p.srvA.Messages()), time.Now()
			n := p.count(l.end())
			p.close()
			rate.add(float64(to-from) / t1.Sub(t0).Seconds())
			failed.add(float64(n.failed + n.notSent + n.unknown + n.lost + n.duplicated))
			spilled.add(float64(n.onB))
		}
		rate.report(b, "a-accepted/s")
		failed.report(b, "failed")
		spilled.report(b, "on-b")
	})
	b.Run("restarted", func(b *testing.B) {
		var back stat
		for b.Loop() {
			p := newPair(b, pairConfig{window: window})
			l := p.start(senders)
			l.until(b, func() bool { return len(p.srvA.Messages()) >= 50 }, "a takes traffic")
			p.srvA.Stop()
			l.until(b, func() bool { up, _ := p.a.Link(); return !up }, "a is down")
			time.Sleep(200 * time.Millisecond) // b alone
			_, changed := p.a.Link()
			if err := p.srvA.Start(); err != nil {
				b.Fatal(err)
			}
			var rebound time.Time
			for rebound.IsZero() {
				<-changed
				var up bool
				up, changed = p.a.Link()
				if up {
					rebound = time.Now()
				}
			}
			m := len(p.srvA.Messages())
			l.until(b, func() bool { return len(p.srvA.Messages()) >= m+50 }, "a is back in rotation")
			results := l.end()
			onA := countByTo(p.srvA.Messages()[m:])
			p.close()
			first := time.Time{}
			for _, o := range results {
				if o.err == nil && onA[o.to] > 0 && (first.IsZero() || o.at.Before(first)) {
					first = o.at
				}
			}
			back.add(float64(first.Sub(rebound)) / float64(time.Millisecond))
		}
		back.report(b, "back-ms")
	})
}

// benchFault runs one fault scenario per iteration (see BenchmarkFailover).
func benchFault(b *testing.B, window, senders int, fault func(*smsctest.Server)) {
	var flow, unknown stat
	for b.Loop() {
		p := newPair(b, pairConfig{window: window, smscA: smsctest.Options{Receipts: smsctest.ReceiptsNever}})
		l := p.start(senders)
		l.until(b, func() bool { return len(p.srvA.Messages()) >= 200 }, "a takes traffic")
		t0 := time.Now()
		fault(p.srvA)
		n0 := len(p.srvB.Messages())
		l.until(b, func() bool { return len(p.srvB.Messages()) >= n0+50 }, "traffic flows through b")
		results := l.end()
		n := p.count(results)
		onB := countByTo(p.srvB.Messages())
		p.close()
		if n.lost+n.duplicated+n.notSent+n.failed > 0 {
			b.Fatalf("%+v", n)
		}
		first := time.Time{}
		for _, o := range results {
			if o.err == nil && onB[o.to] > 0 && (first.IsZero() || o.at.Before(first)) {
				first = o.at
			}
		}
		flow.add(float64(first.Sub(t0)) / float64(time.Millisecond))
		unknown.add(float64(n.unknown))
	}
	flow.report(b, "flow-ms")
	unknown.report(b, "unknowns")
}

// stat collects one metric over a benchmark's iterations.
type stat struct {
	sum, min, max float64
	n             int
}

func (s *stat) add(v float64) {
	if s.n == 0 || v < s.min {
		s.min = v
	}
	s.sum += v
	s.max = max(s.max, v)
	s.n++
}

// report reports the mean, the lowest and the highest value.
func (s *stat) report(b *testing.B, unit string) {
	if s.n == 0 {
		return
	}
	b.ReportMetric(s.sum/float64(s.n), unit)
	b.ReportMetric(s.min, "min-"+unit)
	b.ReportMetric(s.max, "max-"+unit)
}
