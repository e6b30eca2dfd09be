// Package router is a composite transport that routes each message to one
// of several transports and fails over between them, so that an
// advox.Client — which always holds exactly one transport — can send
// through many: advox.NewClient(router, store, opts).
//
// A Router holds named transports and an ordered route table. The first
// route whose Match accepts the message (destination calling code or number
// prefix, sender kind, account) chooses the candidates; a route with an
// empty Match is a default route. Within a route the transports are tried
// in order (Failover) or in an order drawn by weight (Weighted).
//
// # No duplicate SMS
//
// The router moves on to the next transport only when the previous one
// certainly did not take the message: an error wrapping
// transport.ErrNotSent (or transport.ErrClosed from a transport closed on
// its own), without accepted parts, while ctx is still alive. An
// outcome-unknown answer, a rejection, a partial acceptance or a throttled
// answer is returned at once, so a failover can never send an SMS twice.
// When every candidate failed or was out of rotation the error wraps
// transport.ErrNotSent, which the Client may retry. A Close during a
// submit stops the failover: the error then wraps transport.ErrClosed too.
//
// # Circuit breaker
//
// Each transport has a breaker. After BreakerPolicy.Failures consecutive
// failures (not sent, unavailable, or timed out with an unknown outcome,
// of a first part or of a later one — never a caller's own cancellation)
// the transport is taken out of
// rotation for a back-off period that doubles with each consecutive
// opening up to BreakerPolicy.MaxBackoff. When it ends, one submit is let
// through as a probe (half-open): an answer from the operator — accepted,
// rejected or throttled — closes the breaker; a failure reopens it for
// longer. Other submits skip the transport meanwhile.
//
// # Throttling
//
// A throttled answer is returned to the Client, which backs off and
// retries; the router does not fail over. It also pauses that transport
// for the operator's retry hint or ThrottlePolicy.Pause, whichever is
// longer, at most ThrottlePolicy.MaxPause: until the pause ends, submits
// that choose the transport wait for it (bounded by their ctx and Close)
// instead of switching to another one. Throttling never counts against
// the breaker; a throttled answer shows the operator is there.
//
// # Results, reports and sub-processors
//
// Result.Transport names the transport that took (or last tried) the
// message and Result.Route the route, and the Client records both. Delivery
// reports of every transport that is a transport.ReportSource are forwarded
// with Report.Transport set, because operator ids are scoped per transport;
// the router sets its handler on them only once its own SetReportHandler is
// called, so until then each keeps reports as it does without a handler.
//
// The Client checks only the Router's Name against its register of
// sub-processors. Data goes to every transport of the table, so an
// application must register the router's name and each name returned by
// Transports (advox.Processors.Check every one of them). A router made only
// of transport.Local transports is itself Local.
package router
