// Package transport is the adapter contract between the advox Client and an
// operator connection (SMPP, an HTTP operator API, an in-memory fake).
//
// The contract is deliberately tiny: a Transport makes exactly one attempt
// per Submit, is safe for concurrent use and honours ctx, in the spirit of
// http.RoundTripper. All policy — validation, encoding and segmentation,
// rate limits, retries, recording — belongs to the Client. What an adapter
// owes the Client is an honest classification of every failure, by wrapping
// one of the sentinels ErrNotSent, ErrThrottled, ErrOutcomeUnknown or
// ErrRejected, because that classification is what keeps the Client from
// ever sending the same SMS twice.
//
// New abilities arrive as optional interfaces that the Client discovers by
// type assertion (ReportSource for delivery reports, InboundSource for
// messages from handsets, Pinger for health,
// Linker for the state of the link to the operator, PartSubmitter for
// sending the rest of a multipart message whose later part failed), so an
// adapter written against an older contract keeps compiling and working.
//
// # Multipart messages
//
// An adapter that sends the parts of a message one by one sends them in
// order, each once the previous one was accepted. When a part fails after
// others were accepted it returns a *PartialError: the accepted parts'
// operator ids, the failed part's classification, and — only an adapter
// that implements PartSubmitter — Resumable with the concatenation
// reference used. The Client then sends the parts certainly not received
// with SubmitParts, under the same reference and part numbers, until the
// message is whole or its retry policy or context gives up — naming in
// Parts.Transport the transport the first submit's Result named, so that
// a router sends them through the member that took the others; an adapter
// without PartSubmitter is never asked to send a message again once part
// of it was accepted.
//
// # Both directions: reports and inbound messages
//
// A ReportSource hands delivery reports to a ReportHandler, an
// InboundSource hands the parts of inbound (mobile-originated) messages to
// an InboundHandler, one call per part. Both handlers return an error, and
// both follow one rule, which is what keeps the operator's copy until the
// Client has its own: the adapter acknowledges a report or part to the
// operator only after the handler returned nil. A handler error, or no
// handler set yet, asks the operator to deliver it again where the
// protocol can say so (SMPP: ESME_RX_T_APPN in deliver_sm_resp or
// data_sm_resp; HTTP: 503), so a report or part is never lost to a
// failing store or a start-up; an operator redelivers anyway when an
// acknowledgement is lost, so handlers drop repeats.
//
// An inbound part carries its sender, destination, the operator's id and
// time, its data coding, its text decoded to UTF-8 (Inbound.Text) or its
// raw octets (binary codings; UCS-2 also keeps its UTF-16 units so that a
// surrogate pair split across parts survives JoinText), and its
// concatenation data (reference, total, sequence) from a user data header
// or SMPP's SAR TLVs. What an adapter cannot read as it claims to be — a
// header whose lengths lie, a part number out of range, odd-length UCS-2,
// an unknown coding — is handed over flagged Malformed, with its octets,
// rather than refused: nothing a handset sent is dropped without a record,
// and a bad part never costs a good one.
//
// This package holds the contract, its types (Message, Result, Report,
// Inbound, Status, …) and the helpers every adapter shares (SafeToRetry,
// RetryAfter, JoinText). It holds no adapter: those are memtransport,
// smpptransport, httptransport and router, each in a package of its own
// that imports this one, never another adapter; the conformance suite is
// transporttest.
package transport
