package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The start banner describes each route by everything it matches on: a
// route matching by calling code, sender kind or account is not shown as
// matching every message ("*").
func TestBannerDescribesRouteMatches(t *testing.T) {
	g := &gateway{
		cfg: &config{MetricsPath: "/metrics", KEK: "set", Routes: []routeConfig{
			{Name: "sweden", CallingCodes: []int{46}, Transports: []string{"opa", "elks"}},
			{Name: "mobile", Prefixes: []string{"+4670", "+4672"}, Transports: []string{"opa"}},
			{Name: "shared", Senders: []string{"alphanumeric"}, Transports: []string{"opa", "elks"}, Weights: []int{3, 1}},
			{Name: "vip", CallingCodes: []int{358}, Prefixes: []string{"+46"}, Accounts: []string{"acme"}, Transports: []string{"elks"}},
			{Name: "world", Transports: []string{"elks"}},
		}},
		url:    "http://127.0.0.1:8080",
		stores: &stores{desc: "SQLite at x"},
	}
	var out strings.Builder
	g.banner(&out)
	for _, want := range []string{
		"route:      sweden (+46) -> opa, elks\n",
		"route:      mobile (+4670,+4672) -> opa\n",
		"route:      shared (sender alphanumeric) -> opa, elks (weights 3, 1)\n",
		"route:      vip (+358,+46; account acme) -> elks\n",
		"route:      world (*) -> elks\n",
	} {
		assert.Contains(t, out.String(), want)
	}
}
