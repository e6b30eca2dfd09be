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
// its own, or transport.ErrThrottled on a route that spills, see below),
// without accepted parts, while ctx is still alive. An outcome-unknown
// answer, a rejection or a partial acceptance is returned at once, so a
// failover can never send an SMS twice.
// When every candidate failed or was out of rotation the error wraps
// transport.ErrNotSent, which the Client may retry. A Close during a
// submit stops the failover: the error then wraps transport.ErrClosed too.
//
// # Multipart messages
//
// A member that takes the first parts of a multipart message and fails a
// later one answers with a *transport.PartialError, which the router
// returns at once, never failing over: the parts taken cannot be taken
// back, and another operator's parts would not join them on the handset.
// The Router is a transport.PartSubmitter, so that the Client can send
// the rest: SubmitParts hands the parts to the member the first submit's
// Result.Transport named (Parts.Transport), through nested routers too,
// and to no other — waiting for its throttle pause and its breaker, never
// failing over. The router keeps no state per message for this. A partial
// failure it passes on says Resumable only when that member is itself a
// PartSubmitter; else the message ends incomplete, none of it sent again.
//
// # Members that wait
//
// A member that waits for its operator — for a connection to come back,
// say — holds the message until the caller's deadline, and a caller whose
// deadline has passed gets no failover. So the router never lets a
// member wait for its link: every transport that is a transport.Linker
// (the SMPP transport is) is told to FailFast when the router is made,
// a member whose Link is down is passed over without a submit (and
// without counting against its breaker), and a member that loses its
// link during a submit hands back what it had not written as
// transport.ErrNotSent, which fails over. A transport that is not a
// Linker must not wait for its operator itself: built on the contract,
// it fails at once with ErrNotSent when it cannot send.
//
// # Circuit breaker
//
// Each transport has a breaker. After BreakerPolicy.Failures consecutive
// failures (not sent, unavailable, or timed out with an unknown outcome,
// of a first part or of a later one — never a caller's own cancellation)
// the transport is taken out of rotation for a back-off period that
// doubles with each consecutive opening up to BreakerPolicy.MaxBackoff.
// When it ends, one submit is let through as a probe (half-open): an
// answer from the operator — accepted, rejected or throttled — closes the
// breaker; a failure reopens it for longer. Other submits skip the
// transport meanwhile. For a transport.Linker the probe also waits for
// the link to be up, and comes as soon as the link is back (a change
// announced since the opening, and up) rather than when the back-off
// ends: a probe never races the transport's reconnection, and a
// recovered transport takes the first submit after its reconnection.
//
// State changes are logged once each (Config.Logger) and, with the
// breaker's counters, exported as OpenTelemetry metrics
// (Config.MeterProvider): MetricBreakerState, MetricBreakerTransitions,
// MetricBreakerFailures, MetricPassedOver and MetricFailovers.
//
// # Throttling
//
// A throttled answer pauses that transport for the operator's retry hint
// or ThrottlePolicy.Pause, whichever is longer, at most
// ThrottlePolicy.MaxPause, and never counts against the breaker: a
// throttled answer shows the operator is there. By default the answer is
// returned to the Client, which backs off and retries, and submits that
// choose a paused transport wait for the pause to end (bounded by their
// ctx and Close) instead of switching to another one. A route with
// SpillThrottled moves a throttled message on to its next transport
// instead (nothing of it was taken, so it cannot be duplicated), and
// passes paused transports over; when every transport of the route is
// throttled or paused the error wraps transport.ErrThrottled with the
// earliest end of a pause as its retry hint.
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
// Data goes to every transport of the table, so the Client checks each
// name returned by Transports (a transport.Composite) against its register
// of sub-processors: an application registers every one of them, or lets
// its transports declare their operators: a router reports every declaration
// of its transports (transport.Operated), and a Client given no register
// registers them. A router made only of transport.Local transports is
// itself Local.
//
// It holds routing, failover, breakers and throttle pauses, and no
// protocol: its members are any transports (smpptransport, httptransport,
// memtransport, another router), which it never imports. Retries of the
// same transport and rate limits per account stay the Client's.
package router
