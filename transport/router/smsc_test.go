package router_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox"
	"github.com/azenna/advox/phone"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/router"
	"github.com/azenna/advox/transport/smpptransport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

var quiet = slog.New(slog.DiscardHandler)

// smpp starts an SMSC simulator and an SMPP transport bound to it.
func smpp(t *testing.T, name string) (*smsctest.Server, *smpptransport.Transport) {
	t.Helper()
	srv, err := smsctest.NewServer(nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	tr, err := smpptransport.New(smpptransport.Config{
		Name: name, Addr: srv.Addr(), SystemID: smsctest.DefaultSystemID, Password: smsctest.DefaultPassword,
		RespTimeout: 2 * time.Second, Outage: smpptransport.OutageFailFast, Logger: quiet,
		Backoff: func(int) time.Duration { return 5 * time.Millisecond },
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	require.Eventually(t, func() bool { return tr.Ping(ctxT(t)) == nil }, 5*time.Second, time.Millisecond, "%s never bound", name)
	return srv, tr
}

// outcome is what one Send returned, and when.
type outcome struct {
	to   string
	rcpt advox.Receipt
	err  error
	at   time.Time
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

func countByTo(ms []smsctest.Message) map[string]int {
	out := make(map[string]int, len(ms))
	for _, m := range ms {
		out[m.To]++
	}
	return out
}

// pair is two SMSC simulators, an SMPP transport bound to each, a router
// over them (a first, b second) and a Client over the router.
type pair struct {
	srvA, srvB *smsctest.Server
	a, b       *smpptransport.Transport
	r          *router.Router
	c          *advox.Client
}

// pairConfig tunes a pair: the first SMSC and transport, and the route.
type pairConfig struct {
	smscA  smsctest.Config
	tuneA  func(*smpptransport.Config)
	spill  bool
	window int
}

// memberConfig is the transport configuration of a pair member: the
// defaults of a production setup (OutageWait, the router makes it fail
// fast) with a 1 s response timeout.
func memberConfig(name, addr string, window int) smpptransport.Config {
	return smpptransport.Config{
		Name: name, Addr: addr, SystemID: smsctest.DefaultSystemID, Password: smsctest.DefaultPassword,
		RespTimeout: time.Second, Window: window, Logger: quiet,
		Backoff: func(int) time.Duration { return 5 * time.Millisecond },
	}
}

func newPair(t testing.TB, pc pairConfig) *pair {
	t.Helper()
	p := &pair{}
	var err error
	p.srvA, err = smsctest.NewServer(&pc.smscA)
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.srvA.Close() })
	p.srvB, err = smsctest.NewServer(nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.srvB.Close() })
	cfgA := memberConfig("a", p.srvA.Addr(), pc.window)
	if pc.tuneA != nil {
		pc.tuneA(&cfgA)
	}
	p.route(t, cfgA, memberConfig("b", p.srvB.Addr(), pc.window), pc.spill)
	return p
}

// route makes the pair's transports, router and Client, and waits until
// both transports are bound.
func (p *pair) route(t testing.TB, cfgA, cfgB smpptransport.Config, spill bool) {
	t.Helper()
	var err error
	p.a, err = smpptransport.New(cfgA)
	require.NoError(t, err)
	p.b, err = smpptransport.New(cfgB)
	require.NoError(t, err)
	p.r, err = router.New(router.Config{
		Name: "pair", Transports: []transport.Transport{p.a, p.b}, Logger: quiet,
		Routes: []router.Route{{Name: "default", SpillThrottled: spill,
			Transports: []router.Target{{Transport: p.a.Name()}, {Transport: p.b.Name()}}}},
	})
	require.NoError(t, err)
	agreed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	procs, err := processing.NewRegister(processing.OperatorProcessor(p.r.Name(), "SE", agreed),
		processing.OperatorProcessor(p.a.Name(), "SE", agreed), processing.OperatorProcessor(p.b.Name(), "SE", agreed))
	require.NoError(t, err)
	p.c, err = advox.NewClient(p.r, memstore.New(nil), &advox.Options{Processors: procs, Logger: quiet, NoReports: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.c.Close() })
	for _, tr := range []*smpptransport.Transport{p.a, p.b} {
		require.Eventually(t, func() bool { up, _ := tr.Link(); return up }, 5*time.Second, time.Millisecond, "%s never bound", tr.Name())
	}
}

// close ends the pair (also left to the test's cleanup).
func (p *pair) close() {
	_ = p.c.Close()
	_ = p.r.Close()
	_ = p.srvA.Close()
	_ = p.srvB.Close()
}

// load is senders sending through a pair's Client until stopped, each
// message to a number of its own.
type load struct {
	mu      sync.Mutex
	results []outcome
	done    atomic.Int64
	stop    chan struct{}
	wg      sync.WaitGroup
}

func (p *pair) start(senders int) *load {
	l := &load{stop: make(chan struct{})}
	var next atomic.Int64
	for range senders {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for {
				select {
				case <-l.stop:
					return
				default:
				}
				to := fmt.Sprintf("+4670%07d", next.Add(1))
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				rcpt, err := p.c.Send(ctx, advox.Message{Account: "acct-1", From: "Advox", To: to, Text: "hello"})
				cancel()
				l.mu.Lock()
				l.results = append(l.results, outcome{to: to, rcpt: rcpt, err: err, at: time.Now()})
				l.mu.Unlock()
				l.done.Add(1)
			}
		}()
	}
	return l
}

// until waits (at most 10 s) until cond holds while the load runs.
func (l *load) until(t testing.TB, cond func() bool, what string) {
	t.Helper()
	require.Eventually(t, cond, 10*time.Second, time.Millisecond, what)
}

// end stops the load and returns what every Send returned.
func (l *load) end() []outcome {
	close(l.stop)
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.results
}

// tally is what became of a run's messages.
type tally struct {
	accepted, unknown, notSent, failed int
	lost, duplicated                   int // must be 0
	onA, onB                           int
}

// count checks every outcome against what each SMSC received: an
// accepted message is on exactly one SMSC, an unknown one on at most
// one, a not-sent one on none.
func (p *pair) count(results []outcome) tally {
	return tallyOf(results, countByTo(p.srvA.Messages()), countByTo(p.srvB.Messages()))
}

// tallyOf checks results against what each SMSC received, by recipient.
func tallyOf(results []outcome, onA, onB map[string]int) tally {
	var n tally
	n.onA, n.onB = len(onA), len(onB)
	for _, o := range results {
		got := onA[o.to] + onB[o.to]
		if got > 1 {
			n.duplicated++
		}
		switch {
		case o.err == nil:
			n.accepted++
			if got == 0 {
				n.lost++
			}
		case errors.Is(o.err, advox.ErrOutcomeUnknown):
			n.unknown++
		case errors.Is(o.err, advox.ErrUnavailable), errors.Is(o.err, advox.ErrThrottled):
			n.notSent++
			if got != 0 {
				n.lost++ // said not sent, yet out: a retry would duplicate it
			}
		default:
			n.failed++
		}
	}
	return n
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
		{"throttling at 100/s", pairConfig{smscA: smsctest.Config{MaxRate: 100}, spill: true,
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

// A member SMSC that takes part 1 of a three-part message and throttles
// part 2 gets the rest through the same member, under the same
// concatenation reference, even while the other member is free: the
// handset has each part exactly once, and the other SMSC nothing. Behind
// a router these messages ended incomplete, part 1 alone on the handset.
func TestSMSCRestThroughSameMember(t *testing.T) {
	tests := []struct {
		name   string
		part2  smsctest.Fault
		nested bool
	}{
		{"part 2 throttled", smsctest.Fault{Status: smsctest.StatusThrottled}, false},
		{"part 2 throttled, then the link lost", smsctest.Fault{Status: smsctest.StatusThrottled, DropAfter: true}, false},
		{"part 2 queue full, nested router", smsctest.Fault{Status: smsctest.StatusQueueFull}, true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPair(t, pairConfig{})
			c := p.c
			if tt.nested {
				outer, err := router.New(router.Config{Name: "outer", Transports: []transport.Transport{p.r}, Logger: quiet,
					Routes: []router.Route{{Name: "all", Transports: []router.Target{{Transport: p.r.Name()}}}}})
				require.NoError(t, err)
				agreed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
				procs, err := processing.NewRegister(processing.OperatorProcessor(outer.Name(), "SE", agreed),
					processing.OperatorProcessor(p.a.Name(), "SE", agreed), processing.OperatorProcessor(p.b.Name(), "SE", agreed))
				require.NoError(t, err)
				c, err = advox.NewClient(outer, memstore.New(nil), &advox.Options{Processors: procs, Logger: quiet, NoReports: true})
				require.NoError(t, err)
				t.Cleanup(func() { _ = c.Close(); _ = outer.Close() })
			}
			p.srvA.InjectFault(smsctest.Fault{}) // part 1
			p.srvA.InjectFault(tt.part2)
			to := fmt.Sprintf("+4670%07d", 9000+i)
			text := strings.Repeat("One message, three parts. ", 13)
			rcpt, err := c.Send(ctxT(t), advox.Message{Account: "acct-1", From: "Advox", To: to, Text: text})
			require.NoError(t, err)
			assert.Equal(t, 3, rcpt.Segments)

			var parts []smsctest.Submit // what the handset got from a
			for _, s := range p.srvA.Submits() {
				if s.Status == 0 && s.MessageID != "" && "+"+s.Dest.Value == to {
					parts = append(parts, s)
				}
			}
			require.Len(t, parts, 3, "each part accepted once")
			for i, s := range parts {
				assert.Equal(t, i+1, s.Index, "parts 1, 2, 3 in order")
				assert.Equal(t, 3, s.Total)
				assert.Equal(t, parts[0].Ref, s.Ref, "one concatenation reference")
			}
			assert.Equal(t, 1, countByTo(p.srvA.Messages())[to], "the handset joins one message")
			assert.Empty(t, p.srvB.Submits(), "nothing on the other SMSC")
			rec, err := c.Status(ctxT(t), advox.PurposeTransmit, rcpt.ID)
			require.NoError(t, err)
			assert.Equal(t, p.a.Name(), rec.Transport)
			assert.Equal(t, transport.StatusAccepted, rec.Status)
		})
	}
}
