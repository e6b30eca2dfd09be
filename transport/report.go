package transport

import (
	"context"
	"time"
)

// Report is a delivery report as an adapter parsed it. It carries no text
// of the message (SMPP receipts quote the first 20 characters; adapters drop
// them) and the recipient only when the operator insists on sending it
// (never stored, never logged).
type Report struct {
	// OperatorID is the operator's id of the part (or message) the report
	// is about, as returned in Result.OperatorIDs. Adapters normalise it the
	// same way on both sides (e.g. hex vs decimal SMPP ids).
	OperatorID string
	// MessageID is the library's message id when the operator echoes the
	// client reference; either OperatorID or MessageID must be set.
	MessageID string
	// Status is the reported status, mapped onto the core vocabulary.
	Status Status
	// ErrorCode is the operator's error code, if any, verbatim.
	ErrorCode string
	// At is when the operator says the status was reached (zero: unknown).
	At time.Time
	// Transport names the transport that received the report when it is
	// not the one the Client registered with (a router forwarding for one
	// of its transports); "" otherwise. Operator ids are scoped by it.
	Transport string
}

// ReportHandler receives delivery reports. It is called from the adapter's
// goroutines, possibly concurrently and in any order. It returns nil once
// it has taken the report (applied it, or holds it to apply later); an
// error asks the adapter to have the operator deliver the report again —
// the SMPP transport answers the deliver_sm with ESME_RX_T_APPN, an HTTP
// webhook answers 503 — and an adapter whose operator cannot deliver
// again (an in-memory fake's scheduled report) drops it. The adapter
// acknowledges the report to the operator only after the handler
// returned, so a handler must not take long. A handler must not call its
// transport's Close: Close waits for running handlers.
type ReportHandler func(ctx context.Context, r Report) error

// ReportSource is the optional interface of transports that receive
// delivery reports. The Client calls SetReportHandler once, before the first
// Submit. An adapter does not deliver reports that arrive while no handler
// is set: where the protocol lets it, it leaves them with the operator to
// be delivered again (the SMPP transport answers ESME_RX_T_APPN, an HTTP
// webhook 503); else it drops them.
type ReportSource interface {
	// SetReportHandler makes h receive every delivery report from then on.
	SetReportHandler(h ReportHandler)
}

// Pinger is the optional interface of transports that can tell whether the
// operator answers (an SMPP enquire_link, an HTTP health endpoint).
type Pinger interface {
	// Ping returns nil when the operator answers, honouring ctx; it sends
	// no message.
	Ping(ctx context.Context) error
}

// Local is the optional interface of transports that hand messages to no
// third party (in-memory fakes): they need no sub-processor registration.
// Every transport that reaches an operator must be registered instead.
type Local interface {
	// Local reports whether the transport hands messages to no third
	// party.
	Local() bool
}

// Composite is the optional interface of transports that hand messages to
// other transports (a router): Transports names every transport messages
// reach through it — for a member that is itself a Composite, that
// member's Transports — so the Client can check each operator behind it
// against the sub-processors.
type Composite interface {
	// Transports returns the Name of every transport messages can reach
	// through this one, composites expanded.
	Transports() []string
}

// Operator declares who a transport hands messages to: the SMS operator
// behind it, a sub-processor of the deployment. An adapter takes one in
// its configuration (smpptransport.Config.Operator,
// httptransport.Config.Operator) and reports it through Operated.
type Operator struct {
	// Name is the operator's (legal) name, "Telia Sverige AB".
	Name string
	// Country is where it processes the data, ISO 3166-1 alpha-2.
	Country string
	// AgreementDate is when its data processing agreement was signed:
	// data goes only to operators under agreement.
	AgreementDate time.Time
	// Safeguard is the legal basis of a transfer outside the EU/EEA (an
	// adequacy decision, standard contractual clauses, …); required for an
	// operator there.
	Safeguard string
}

// Operated is the optional interface of transports that declare the
// operators they hand messages to, so that a Client given no
// sub-processor register (advox.Options.Processors) registers them itself
// — under the same rules as one the application registers: under
// agreement, in the EU/EEA or with a safeguard.
type Operated interface {
	// Operators returns the declared operators by the Name of the
	// transport each is behind: one for an adapter (none when its
	// configuration declares none), those of every member for a
	// Composite.
	Operators() map[string]Operator
}

// ValidityAware is the optional interface of transports that know whether
// their operator can be told how long to keep trying (Message.ValidFor).
// One that cannot would drop ValidFor without a word, so the Client refuses
// a message that asks for a validity when HonoursValidFor reports false,
// rather than send it with the operator's default.
type ValidityAware interface {
	// HonoursValidFor reports whether a positive Message.ValidFor reaches
	// the operator. An operator that caps the validity (Sinch: three days)
	// still honours the bound: it gives up no later than asked.
	HonoursValidFor() bool
}
