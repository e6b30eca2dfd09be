package main

import (
	"time"

	"github.com/azenna/advox/processing"
	"github.com/azenna/advox/transport"
	"github.com/azenna/advox/transport/router"
)

// routerName is the router's Name, which the Client checks against the
// register of sub-processors.
const routerName = "router"

// senderKinds maps the configured sender kinds onto the contract's.
var senderKinds = map[string]transport.SenderKind{
	"alphanumeric":  transport.SenderAlphanumeric,
	"shortcode":     transport.SenderShortCode,
	"international": transport.SenderInternational,
}

// buildRouter makes the router that sends each message through the route
// table over the built transports. On success the router owns them.
func buildRouter(c *config, bs []*built) (*router.Router, error) {
	trs := make([]transport.Transport, len(bs))
	names := make(map[string]string, len(bs)) // configured name → Name()
	for i, b := range bs {
		trs[i] = b.tr
		names[b.cfg.Name] = b.tr.Name()
	}
	routes := make([]router.Route, len(c.Routes))
	for i, rc := range c.Routes {
		r := router.Route{Name: rc.Name, Match: router.Match{
			CallingCodes: rc.CallingCodes, Prefixes: rc.Prefixes, Accounts: rc.Accounts,
		}}
		for _, s := range rc.Senders {
			r.Match.Senders = append(r.Match.Senders, senderKinds[s])
		}
		if len(rc.Weights) > 0 {
			r.Mode = router.Weighted
		}
		for j, t := range rc.Transports {
			tg := router.Target{Transport: names[t]}
			if len(rc.Weights) > 0 {
				tg.Weight = rc.Weights[j]
			}
			r.Transports = append(r.Transports, tg)
		}
		routes[i] = r
	}
	return router.New(router.Config{Name: routerName, Transports: trs, Routes: routes})
}

// processorsFor declares every configured operator as a sub-processor, and
// the router in front of them: data reaches the operators only, but the
// Client checks the name of the one transport it holds. The router is
// declared with the strictest of its operators' terms: the latest
// agreement, and outside the EU/EEA when any operator is.
func processorsFor(c *config, bs []*built) (*processing.Register, error) {
	var ps []processing.Processor
	front := processing.OperatorProcessor(routerName, "", time.Time{})
	front.Role = "router in front of the SMS operators declared beside it"
	for _, b := range bs {
		p := processing.OperatorProcessor(b.tr.Name(), b.cfg.Country, b.cfg.Agreement.Time)
		p.Safeguard = b.cfg.Safeguard
		ps = append(ps, p)
		if front.Country == "" || (processing.InEEA(front.Country) && !processing.InEEA(p.Country)) {
			front.Country, front.Safeguard = p.Country, p.Safeguard
		}
		if p.AgreementDate.After(front.AgreementDate) {
			front.AgreementDate = p.AgreementDate
		}
	}
	return processing.NewRegister(append(ps, front)...)
}
