package router_test

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/router"
)

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
