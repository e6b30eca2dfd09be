package router_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/router"
)

// table is a route table exercising every criterion, most specific first.
func table() []router.Route {
	to := func(n string) []router.Target { return []router.Target{{Transport: n}} }
	return []router.Route{
		{Name: "vip", Match: router.Match{Accounts: []string{"vip-1", "vip-2"}}, Transports: to("a")},
		{Name: "se-mobile-shortcode", Match: router.Match{Prefixes: []string{"+4670", "+4672"}, Senders: []transport.SenderKind{transport.SenderShortCode}}, Transports: to("b")},
		{Name: "se-mobile", Match: router.Match{Prefixes: []string{"+4670", "+4672", "+4673"}}, Transports: to("a")},
		{Name: "nordics", Match: router.Match{CallingCodes: []int{45, 47, 358}}, Transports: to("b")},
		{Name: "nanp-intl-sender", Match: router.Match{CallingCodes: []int{1}, Senders: []transport.SenderKind{transport.SenderInternational}}, Transports: to("a")},
	}
}

func TestRouteMatching(t *testing.T) {
	alpha := transport.Sender{Value: "Advox", Kind: transport.SenderAlphanumeric}
	short := transport.Sender{Value: "72456", Kind: transport.SenderShortCode}
	intl := transport.Sender{Value: "+46701111111", Kind: transport.SenderInternational}
	tests := []struct {
		name        string
		withDefault bool
		account, to string
		from        transport.Sender
		want        string // "" means no route
	}{
		{"account wins over destination", false, "vip-2", "+4670123", alpha, "vip"},
		{"prefix and sender kind", false, "acct", "+46701234567", short, "se-mobile-shortcode"},
		{"prefix, other sender kind falls through", false, "acct", "+46701234567", alpha, "se-mobile"},
		{"second prefix of a route", false, "acct", "+46731234567", intl, "se-mobile"},
		{"country calling code", false, "acct", "+4791234567", alpha, "nordics"},
		{"three-digit calling code", false, "acct", "+358401234567", alpha, "nordics"},
		{"neighbouring calling code", false, "acct", "+3591234567", alpha, ""},
		{"calling code with sender kind", false, "acct", "+12025550123", intl, "nanp-intl-sender"},
		{"calling code, wrong sender kind", false, "acct", "+12025550123", alpha, ""},
		{"Swedish landline: no route", false, "acct", "+4681234567", alpha, ""},
		{"Swedish landline: default route", true, "acct", "+4681234567", alpha, "default"},
		{"default never shadows an earlier route", true, "acct", "+4791234567", alpha, "nordics"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			routes := table()
			if tt.withDefault {
				routes = append(routes, failover("b")...)
			}
			ts := mems("a", "b")
			r := newRouter(t, router.Config{Routes: routes}, asTransports(ts)...)
			m := msgTo(tt.to)
			m.Account, m.From = tt.account, tt.from

			name, ok := r.Route(m)
			assert.Equal(t, tt.want != "", ok)
			assert.Equal(t, tt.want, name)

			res, err := r.Submit(ctxT(t), m)
			if tt.want == "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, transport.ErrRejected, "no route is a permanent refusal")
				assert.NotContains(t, err.Error(), tt.to, "errors never carry the recipient")
				assert.Empty(t, ts[0].Sent())
				assert.Empty(t, ts[1].Sent())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, res.Route)
			taker := map[string]int{"a": 0, "b": 1}[res.Transport]
			require.Len(t, ts[taker].Sent(), 1)
			assert.Equal(t, tt.to, ts[taker].Sent()[0].Message.To)
			assert.Empty(t, ts[1-taker].Sent())
		})
	}
}
