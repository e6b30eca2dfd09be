package router_test

import (
	"errors"
	"slices"
	"strconv"
	"strings"
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

// accepts is the reference reading of a Match: every non-empty criterion
// holds; the destination matches a calling code or a prefix.
func accepts(mt router.Match, m *transport.Message) bool {
	if len(mt.Accounts) > 0 && !slices.Contains(mt.Accounts, m.Account) {
		return false
	}
	if len(mt.Senders) > 0 && !slices.Contains(mt.Senders, m.From.Kind) {
		return false
	}
	if len(mt.CallingCodes)+len(mt.Prefixes) == 0 {
		return true
	}
	for _, cc := range mt.CallingCodes {
		if strings.HasPrefix(m.To, "+"+strconv.Itoa(cc)) {
			return true
		}
	}
	for _, p := range mt.Prefixes {
		if strings.HasPrefix(m.To, p) {
			return true
		}
	}
	return false
}

// FuzzRoute checks that the route chosen for any destination, account and
// sender kind is the first one the reference reading accepts, and that
// Submit agrees.
func FuzzRoute(f *testing.F) {
	f.Add("+46701234567", "acct", "alphanumeric")
	f.Add("+46701234567", "vip-1", "shortcode")
	f.Add("+358401234567", "", "international")
	f.Add("+12025550123", "acct", "international")
	f.Add("", "", "")
	f.Add("+", "vip-2", "pigeon")
	f.Add("46701234567", "acct", "alphanumeric")
	routes := table()
	ts := mems("a", "b")
	r, err := router.New(router.Config{Transports: asTransports(ts), Routes: routes})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = r.Close() })
	f.Fuzz(func(t *testing.T, to, account, kind string) {
		m := &transport.Message{Account: account, To: to, From: transport.Sender{Value: "x", Kind: transport.SenderKind(kind)},
			Encoding: transport.GSM7, Parts: []string{"x"}}
		want := ""
		for _, rt := range routes {
			if accepts(rt.Match, m) {
				want = rt.Name
				break
			}
		}
		got, ok := r.Route(m)
		if got != want || ok != (want != "") {
			t.Fatalf("Route = %q, %v; want %q", got, ok, want)
		}
		res, err := r.Submit(t.Context(), m)
		switch {
		case want == "" && !errors.Is(err, transport.ErrRejected):
			t.Fatalf("no route: Submit error %v, want ErrRejected", err)
		case want != "" && (err != nil || res.Route != want):
			t.Fatalf("Submit = %+v, %v; want route %q", res, err, want)
		}
		if err != nil && len(to) >= 6 && strings.Contains(err.Error(), to) {
			t.Fatalf("the error carries the recipient: %v", err)
		}
	})
}
