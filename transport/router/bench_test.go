package router_test

import (
	"context"
	"testing"
	"time"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/router"
	"github.com/azenna/advox/transport/smpptransport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

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
