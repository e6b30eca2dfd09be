package router_test

import (
	"context"
	"testing"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/router"
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
