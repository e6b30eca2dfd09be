package main

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/memtransport"
)

// routeTestConfig exercises every kind of match and both modes.
const routeTestConfig = `{
  "transports": [
    {"name": "a", "kind": "smpp", "country": "SE", "agreement": "2026-01-15"},
    {"name": "b", "kind": "smpp", "country": "NO", "agreement": "2026-03-01"},
    {"name": "c", "kind": "http", "profile": "generic", "country": "US", "agreement": "2026-02-01", "safeguard": "SCC 2021/914"}
  ],
  "routes": [
    {"name": "vip", "accounts": ["vip"], "transports": ["c"]},
    {"name": "finland", "calling_codes": [358], "transports": ["b", "a"]},
    {"name": "se-mobile", "prefixes": ["+467"], "senders": ["alphanumeric"], "transports": ["a", "b"], "weights": [3, 0]},
    {"name": "rest", "transports": ["c", "a"]}
  ],
  "accounts": []
}`

// builtMem stands in for the configured transports with in-memory ones
// of the names the real ones would have.
func builtMem(t *testing.T, c *config) []*built {
	var bs []*built
	for i := range c.Transports {
		tc := &c.Transports[i]
		bs = append(bs, &built{cfg: tc, tr: memtransport.New(&memtransport.Options{Name: tc.Kind + ":" + tc.Name})})
	}
	return bs
}

// The route table of the file becomes the router's: each message takes
// the first route that matches it, and goes out through that route's
// transport.
func TestBuildRouter(t *testing.T) {
	c, err := parseConfig([]byte(routeTestConfig))
	require.NoError(t, err)
	bs := builtMem(t, c)
	rt, err := buildRouter(c, bs)
	require.NoError(t, err)
	defer rt.Close()
	assert.Equal(t, []string{"smpp:a", "smpp:b", "http:c"}, rt.Transports())

	alpha := transport.Sender{Value: "Acme", Kind: transport.SenderAlphanumeric}
	short := transport.Sender{Value: "71234", Kind: transport.SenderShortCode}
	tests := []struct {
		account, to string
		from        transport.Sender
		route, via  string
	}{
		{"vip", "+46701740605", alpha, "vip", "http:c"},
		{"acme", "+358401234567", alpha, "finland", "smpp:b"},
		{"acme", "+46701740605", alpha, "se-mobile", "smpp:a"},
		{"acme", "+46701740605", short, "rest", "http:c"},
		{"acme", "+4681234567", alpha, "rest", "http:c"},
	}
	for _, tt := range tests {
		m := &transport.Message{ID: "m-" + tt.route, Account: tt.account, From: tt.from, To: tt.to,
			Encoding: transport.GSM7, Parts: []string{"hi"}, Concat: transport.Concat8}
		name, ok := rt.Route(m)
		require.True(t, ok)
		assert.Equal(t, tt.route, name, "%s %s %s", tt.account, tt.from.Kind, tt.to)
		res, err := rt.Submit(context.Background(), m)
		require.NoError(t, err)
		assert.Equal(t, tt.via, res.Transport)
		assert.Equal(t, tt.route, res.Route)
	}
}

// Every operator is declared as a sub-processor, and the router in front
// with the strictest of their terms.
func TestProcessorsFor(t *testing.T) {
	c, err := parseConfig([]byte(routeTestConfig))
	require.NoError(t, err)
	bs := builtMem(t, c)
	procs, err := processorsFor(c, bs)
	require.NoError(t, err)
	for _, name := range []string{"smpp:a", "smpp:b", "http:c", routerName} {
		assert.NoError(t, procs.Check(name), name)
	}
	list := procs.List()
	require.Len(t, list, 4)
	i := slices.IndexFunc(list, func(p processing.Processor) bool { return p.Name == routerName })
	require.GreaterOrEqual(t, i, 0)
	front := list[i]
	assert.Equal(t, "US", front.Country, "outside the EU/EEA when any operator is")
	assert.Equal(t, "SCC 2021/914", front.Safeguard)
	assert.Equal(t, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), front.AgreementDate, "the latest agreement")

	c.Transports[2].Safeguard = ""
	procs, err = processorsFor(c, bs)
	require.NoError(t, err)
	assert.Error(t, procs.Check("http:c"), "no transfer outside the EU/EEA without a safeguard")
	assert.Error(t, procs.Check(routerName), "nor through the router")
	for _, b := range bs {
		require.NoError(t, b.tr.Close())
	}
}
