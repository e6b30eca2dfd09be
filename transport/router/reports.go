package router

import (
	"context"
	"errors"

	"github.com/azenna/advox/transport"
)

// SetReportHandler implements transport.ReportSource: reports of every
// transport that is a transport.ReportSource reach h with Report.Transport
// set to that transport's Name (unless a nested router set it already).
// The router registers its handler on those transports only here (and
// removes it when h is nil), so reports that arrive while no handler is
// set are treated as each transport treats them without one: left with
// the operator where the protocol allows it, else dropped.
func (r *Router) SetReportHandler(h transport.ReportHandler) {
	r.handlerMu.Lock()
	defer r.handlerMu.Unlock()
	if h != nil {
		r.handler.Store(&h) // before the members deliver to forward
	}
	for _, m := range r.members {
		rs, ok := m.t.(transport.ReportSource)
		if !ok {
			continue
		}
		var fwd transport.ReportHandler // nil when h is
		if h != nil {
			fwd = r.forward(m.name)
		}
		rs.SetReportHandler(fwd)
	}
	if h == nil {
		r.handler.Store(nil) // after the members stopped taking reports
	}
}

// forward returns the handler the router registers on the named transport:
// the router's handler's error goes back to the transport, which has the
// operator deliver the report again.
func (r *Router) forward(name string) transport.ReportHandler {
	return func(ctx context.Context, rep transport.Report) error {
		h := r.handler.Load() // never a pointer to nil: see SetReportHandler
		if h == nil {
			return errNoHandler
		}
		if rep.Transport == "" {
			rep.Transport = name
		}
		return (*h)(ctx, rep)
	}
}

// errNoHandler answers a report that reached a member while the router's
// handler was being removed: the operator delivers it again.
var errNoHandler = errors.New("router: no report handler")
