package router_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/azenna/advox"
	"github.com/azenna/advox/phone"
	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/storage/memstore"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
	"github.com/azenna/advox/transport/router"
	"github.com/azenna/advox/transport/smpptransport"
	"github.com/azenna/advox/transport/smpptransport/smsctest"
)

// A route table: Swedish mobiles go to operator A with B as failover,
// everything else to B. A is down for the first message, so B takes it.
func ExampleNew() {
	a := memtransport.New(&memtransport.Options{Name: "operator-a"})
	b := memtransport.New(&memtransport.Options{Name: "operator-b"})
	r, err := router.New(router.Config{
		Transports: []transport.Transport{a, b},
		Routes: []router.Route{
			{Name: "se-mobile", Match: router.Match{Prefixes: []string{"+4670", "+4672", "+4673"}},
				Transports: []router.Target{{Transport: "operator-a"}, {Transport: "operator-b"}}},
			{Name: "rest", Transports: []router.Target{{Transport: "operator-b"}}},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()

	a.Inject(memtransport.NotSent) // operator A is not connected for one submit
	for _, to := range []string{"+46701234567", "+46701234568", "+4581234567"} {
		m := &transport.Message{To: to, From: transport.Sender{Value: "Advox", Kind: transport.SenderAlphanumeric},
			Encoding: transport.GSM7, Parts: []string{"Hello"}}
		res, err := r.Submit(context.Background(), m)
		fmt.Println(phone.Mask(to), res.Route, res.Transport, err)
	}
	// Output:
	// +4670*****67 se-mobile operator-b <nil>
	// +4670*****68 se-mobile operator-a <nil>
	// +4581****67 rest operator-b <nil>
}

// A weighted route shares the traffic; Seed makes the draw reproducible.
func ExampleNew_weighted() {
	a := memtransport.New(&memtransport.Options{Name: "a"})
	b := memtransport.New(&memtransport.Options{Name: "b"})
	r, err := router.New(router.Config{
		Transports: []transport.Transport{a, b},
		Routes: []router.Route{{Name: "spread", Mode: router.Weighted,
			Transports: []router.Target{{Transport: "a", Weight: 1}, {Transport: "b", Weight: 3}}}},
		Seed: 1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	for range 1000 {
		m := &transport.Message{To: "+46701234567", Encoding: transport.GSM7, Parts: []string{"Hi"}}
		if _, err := r.Submit(context.Background(), m); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println(len(a.Sent())/100, len(b.Sent())/100, "(hundreds)")
	// Output: 2 7 (hundreds)
}

// A transport that keeps failing leaves rotation for a back-off, then one
// probe brings it back.
func ExampleRouter_Breaker() {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	a := memtransport.New(&memtransport.Options{Name: "a"})
	b := memtransport.New(&memtransport.Options{Name: "b"})
	r, err := router.New(router.Config{
		Transports: []transport.Transport{a, b},
		Routes:     []router.Route{{Name: "all", Transports: []router.Target{{Transport: "a"}, {Transport: "b"}}}},
		Breaker:    router.BreakerPolicy{Failures: 2, Backoff: time.Minute},
		Now:        func() time.Time { return now },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	send := func() string {
		res, _ := r.Submit(context.Background(), &transport.Message{To: "+46701234567", Encoding: transport.GSM7, Parts: []string{"Hi"}})
		return res.Transport
	}
	a.Inject(memtransport.NotSent, memtransport.NotSent)
	fmt.Println(send(), send(), r.Breaker("a"))
	fmt.Println(send(), r.Breaker("a"))
	now = now.Add(time.Minute)
	fmt.Println(r.Breaker("a"))
	fmt.Println(send(), r.Breaker("a"))
	// Output:
	// b b open
	// b open
	// half-open
	// a closed
}

// A Client sends through the router as through any transport. The Client
// checks the router's name against the register of sub-processors; data
// goes to every transport of the table, so each one is registered too.
func ExampleRouter_Transports() {
	a := memtransport.New(&memtransport.Options{Name: "a"})
	b := memtransport.New(&memtransport.Options{Name: "b"})
	r, err := router.New(router.Config{
		Name:       "edge",
		Transports: []transport.Transport{a, b},
		Routes:     []router.Route{{Name: "all", Transports: []router.Target{{Transport: "a"}, {Transport: "b"}}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	agreed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	procs, _ := processing.NewRegister(processing.OperatorProcessor(r.Name(), "SE", agreed))
	for _, name := range r.Transports() {
		_ = procs.Declare(processing.OperatorProcessor(name, "SE", agreed))
	}
	c, err := advox.NewClient(r, memstore.New(nil), &advox.Options{Processors: procs, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	a.Inject(memtransport.NotSent)
	rcpt, err := c.Send(context.Background(), advox.Message{Account: "acct-1", From: "Advox", To: "+46701234567", Text: "Hello"})
	if err != nil {
		fmt.Println(err)
		return
	}
	rec, _ := c.Status(context.Background(), advox.PurposeTransmit, rcpt.ID)
	fmt.Println(r.Transports(), rec.Route, rec.Transport, rec.Status)
	// Output: [a b] all b accepted
}

// On a route with SpillThrottled, a message the first transport refused
// for throttling goes to the next one, and the paused transport is passed
// over until its pause ends, instead of being waited for.
func ExampleRoute_spillThrottled() {
	a := memtransport.New(&memtransport.Options{Name: "a"})
	b := memtransport.New(&memtransport.Options{Name: "b"})
	r, err := router.New(router.Config{
		Transports: []transport.Transport{a, b},
		Routes: []router.Route{{Name: "all", SpillThrottled: true,
			Transports: []router.Target{{Transport: "a"}, {Transport: "b"}}}},
		Throttle: router.ThrottlePolicy{Pause: time.Hour},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	a.Inject(memtransport.Throttle)
	for range 2 {
		res, err := r.Submit(context.Background(), &transport.Message{To: "+46701234567", Encoding: transport.GSM7, Parts: []string{"Hi"}})
		fmt.Println(res.Transport, err)
	}
	fmt.Println(len(a.Sent()), len(b.Sent()))
	// Output:
	// b <nil>
	// b <nil>
	// 0 2
}

// The breakers are OpenTelemetry metrics: here read with the SDK's manual
// reader, as an exporter would.
func ExampleConfig_meterProvider() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())
	a := memtransport.New(&memtransport.Options{Name: "a"})
	b := memtransport.New(&memtransport.Options{Name: "b"})
	r, err := router.New(router.Config{
		Transports:    []transport.Transport{a, b},
		Routes:        []router.Route{{Name: "all", Transports: []router.Target{{Transport: "a"}, {Transport: "b"}}}},
		Breaker:       router.BreakerPolicy{Failures: 1},
		MeterProvider: mp,
		Logger:        slog.New(slog.DiscardHandler),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	a.Inject(memtransport.NotSent)
	_, _ = r.Submit(context.Background(), &transport.Message{To: "+46701234567", Encoding: transport.GSM7, Parts: []string{"Hi"}})

	var rm metricdata.ResourceMetrics
	_ = reader.Collect(context.Background(), &rm)
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if m.Name != router.MetricBreakerState {
			continue
		}
		for _, p := range m.Data.(metricdata.Gauge[int64]).DataPoints {
			name, _ := p.Attributes.Value(router.AttrTransport)
			fmt.Println(name.AsString(), p.Value)
		}
	}
	// Unordered output:
	// a 2
	// b 0
}

// Behind a router, an SMPP member whose SMSC goes away is passed over as
// soon as its session is lost (the router makes it fail fast instead of
// waiting for the rebind), and takes traffic again once it has rebound.
func ExampleNew_smpp() {
	smscA, _ := smsctest.NewServer(nil)
	defer smscA.Close()
	smscB, _ := smsctest.NewServer(nil)
	defer smscB.Close()
	member := func(name string, smsc *smsctest.Server) *smpptransport.Transport {
		tr, err := smpptransport.New(smpptransport.Config{Name: name, Addr: smsc.Addr(),
			SystemID: smsctest.DefaultSystemID, Password: smsctest.DefaultPassword, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			panic(err)
		}
		return tr
	}
	a, b := member("a", smscA), member("b", smscB)
	r, err := router.New(router.Config{
		Transports: []transport.Transport{a, b},
		Routes:     []router.Route{{Name: "all", Transports: []router.Target{{Transport: a.Name()}, {Transport: b.Name()}}}},
		Logger:     slog.New(slog.DiscardHandler),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	link := func(tr *smpptransport.Transport, want bool) { // waits until tr's link is up or down
		for up, changed := tr.Link(); up != want; up, changed = tr.Link() {
			<-changed
		}
	}
	send := func() {
		res, err := r.Submit(context.Background(), &transport.Message{To: "+46701234567",
			From: transport.Sender{Value: "Advox", Kind: transport.SenderAlphanumeric}, Encoding: transport.GSM7, Parts: []string{"Hi"}})
		fmt.Println(res.Transport, err)
	}
	link(a, true)
	link(b, true)
	send()
	smscA.Stop()
	link(a, false)
	send()
	_ = smscA.Start()
	link(a, true)
	send()
	// Output:
	// smpp:a <nil>
	// smpp:b <nil>
	// smpp:a <nil>
}

// A member that took the first part of a message and throttled the second
// sends the rest itself: the Client resumes through the router, which
// hands the parts to that member and never to the other one.
func ExampleRouter_SubmitParts() {
	a := memtransport.New(&memtransport.Options{Name: "a"})
	b := memtransport.New(&memtransport.Options{Name: "b"})
	r, err := router.New(router.Config{
		Transports: []transport.Transport{a, b},
		Routes:     []router.Route{{Name: "all", Transports: []router.Target{{Transport: "a"}, {Transport: "b"}}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	c, err := advox.NewClient(r, memstore.New(nil), &advox.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	a.InjectPart(2, memtransport.Throttle) // part 2 throttled once
	long := strings.Repeat("A message of three parts. ", 15)
	rcpt, err := c.Send(context.Background(), advox.Message{Account: "acme", From: "Acme", To: "+46701234567", Text: long})
	fmt.Println(rcpt.Segments, rcpt.Attempts, err)
	for _, s := range a.Sent() {
		fmt.Println("a took parts", s.Parts)
	}
	fmt.Println("b took", len(b.Sent()))
	// Output:
	// 3 2 <nil>
	// a took parts [1]
	// a took parts [2 3]
	// b took 0
}
