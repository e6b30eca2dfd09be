package router

import (
	"context"

	"github.com/azenna/advox/transport"
)

// SetReportHandler implements transport.ReportSource: reports of every
// transport that is a transport.ReportSource reach h with Report.Transport
// set to that transport's Name (unless a nested router set it already).
// Reports that arrive before it is called are dropped.
func (r *Router) SetReportHandler(h transport.ReportHandler) {
	r.handler.Store(&h)
}

// forward returns the handler the router registers on the named transport.
func (r *Router) forward(name string) transport.ReportHandler {
	return func(ctx context.Context, rep transport.Report) {
		h := r.handler.Load()
		if h == nil || *h == nil {
			return
		}
		if rep.Transport == "" {
			rep.Transport = name
		}
		(*h)(ctx, rep)
	}
}
