package router_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/router"
)

func TestNewValidates(t *testing.T) {
	ab := asTransports(mems("a", "b"))
	one := func(targets ...router.Target) []router.Route {
		return []router.Route{{Name: "r", Transports: targets}}
	}
	tests := []struct {
		name   string
		cfg    router.Config
		errHas string
	}{
		{"no transports", router.Config{Routes: failover("a")}, "Transports is empty"},
		{"no routes", router.Config{Transports: ab}, "Routes is empty"},
		{"nil transport", router.Config{Transports: []transport.Transport{nil}, Routes: failover("a")}, "is nil"},
		{"duplicate transport name", router.Config{Transports: asTransports(mems("a", "a")), Routes: failover("a")}, `"a" used twice`},
		{"unknown transport", router.Config{Transports: ab, Routes: failover("a", "c")}, `unknown transport "c"`},
		{"empty route", router.Config{Transports: ab, Routes: one()}, "no transports"},
		{"route without name", router.Config{Transports: ab, Routes: []router.Route{{Transports: []router.Target{{Transport: "a"}}}}}, "has no Name"},
		{"duplicate route name", router.Config{Transports: ab, Routes: append(
			[]router.Route{{Name: "default", Match: router.Match{Prefixes: []string{"+46"}}, Transports: []router.Target{{Transport: "a"}}}},
			failover("b")...)}, "name used twice"},
		{"transport twice in a route", router.Config{Transports: ab, Routes: failover("a", "a")}, "listed twice"},
		{"negative weight", router.Config{Transports: ab, Routes: []router.Route{{Name: "w", Mode: router.Weighted,
			Transports: []router.Target{{Transport: "a", Weight: 1}, {Transport: "b", Weight: -1}}}}}, "negative weight"},
		{"weight on failover route", router.Config{Transports: ab, Routes: one(router.Target{Transport: "a", Weight: 2})}, "weight set on a failover route"},
		{"weighted without weights", router.Config{Transports: ab, Routes: []router.Route{{Name: "w", Mode: router.Weighted,
			Transports: []router.Target{{Transport: "a"}, {Transport: "b"}}}}}, "without a positive weight"},
		{"unknown mode", router.Config{Transports: ab, Routes: []router.Route{{Name: "m", Mode: 7, Transports: []router.Target{{Transport: "a"}}}}}, "unknown Mode"},
		{"unknown calling code", router.Config{Transports: ab, Routes: []router.Route{{Name: "x",
			Match: router.Match{CallingCodes: []int{999}}, Transports: []router.Target{{Transport: "a"}}}}}, "calling code 999"},
		{"bad prefix", router.Config{Transports: ab, Routes: []router.Route{{Name: "x",
			Match: router.Match{Prefixes: []string{"4670"}}, Transports: []router.Target{{Transport: "a"}}}}}, `prefix "4670"`},
		{"unknown sender kind", router.Config{Transports: ab, Routes: []router.Route{{Name: "x",
			Match: router.Match{Senders: []transport.SenderKind{"pigeon"}}, Transports: []router.Target{{Transport: "a"}}}}}, "unknown sender kind"},
		{"empty account", router.Config{Transports: ab, Routes: []router.Route{{Name: "x",
			Match: router.Match{Accounts: []string{""}}, Transports: []router.Target{{Transport: "a"}}}}}, "empty account"},
		{"route after the default", router.Config{Transports: ab, Routes: append(failover("a"),
			router.Route{Name: "se", Match: router.Match{CallingCodes: []int{46}}, Transports: []router.Target{{Transport: "b"}}})}, "unreachable"},
		{"negative breaker", router.Config{Transports: ab, Routes: failover("a"), Breaker: router.BreakerPolicy{Failures: -1}}, "Breaker"},
		{"negative throttle", router.Config{Transports: ab, Routes: failover("a"), Throttle: router.ThrottlePolicy{Pause: -1}}, "Throttle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := router.New(tt.cfg)
			require.Error(t, err)
			assert.Nil(t, r)
			assert.Contains(t, err.Error(), tt.errHas)
		})
	}
}

func TestNewDefaults(t *testing.T) {
	ts := mems("a", "b")
	r := newRouter(t, router.Config{Routes: failover("a", "b")}, asTransports(ts)...)
	assert.Equal(t, "router", r.Name())
	assert.Equal(t, []string{"a", "b"}, r.Transports())
	assert.Equal(t, router.BreakerClosed, r.Breaker("a"))
	assert.Equal(t, router.BreakerState(""), r.Breaker("nope"))
	assert.True(t, r.Local(), "a router of local transports is local")

	inner := newRouter(t, router.Config{Name: "inner", Routes: failover("c", "d")}, &scripted{name: "c"}, &scripted{name: "d"})
	outer := newRouter(t, router.Config{Name: "outer", Routes: failover("a", "inner")}, mems("a")[0], inner)
	assert.Equal(t, []string{"a", "c", "d"}, outer.Transports(),
		"a nested router's transports are named, not the router: each operator behind it is checked")

	named := newRouter(t, router.Config{Name: "edge", Routes: failover("x")}, &scripted{name: "x"})
	assert.Equal(t, "edge", named.Name())
	assert.False(t, named.Local(), "a transport that is not Local makes the router reach a third party")
}
