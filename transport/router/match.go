package router

import (
	"slices"
	"strings"

	"github.com/azenna/advox/transport"
)

// matcher is a validated Match: destination prefixes (calling codes
// included), sender kinds and accounts. Empty lists accept everything.
type matcher struct {
	dest     []string
	senders  []transport.SenderKind
	accounts []string
}

// matches reports whether the matcher accepts m.
func (mt *matcher) matches(m *transport.Message) bool {
	if len(mt.accounts) > 0 && !slices.Contains(mt.accounts, m.Account) {
		return false
	}
	if len(mt.senders) > 0 && !slices.Contains(mt.senders, m.From.Kind) {
		return false
	}
	if len(mt.dest) == 0 {
		return true
	}
	for _, p := range mt.dest {
		if strings.HasPrefix(m.To, p) {
			return true
		}
	}
	return false
}

// route is a compiled Route.
type route struct {
	name    string
	match   matcher
	mode    Mode
	targets []target
	spill   bool // Route.SpillThrottled
}

// target is a route's candidate: an index into Router.members.
type target struct {
	member int
	weight int
}

// Route returns the name of the route that would take m, or false when no
// route matches.
func (r *Router) Route(m *transport.Message) (string, bool) {
	rt := r.route(m)
	if rt == nil {
		return "", false
	}
	return rt.name, true
}

// route returns the first route that takes m, or nil.
func (r *Router) route(m *transport.Message) *route {
	for i := range r.routes {
		if r.routes[i].match.matches(m) {
			return &r.routes[i]
		}
	}
	return nil
}
