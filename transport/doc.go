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
// type assertion (ReportSource for delivery reports, Pinger for health,
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
// message is whole or its retry policy or context gives up; an adapter
// without PartSubmitter is never asked to send a message again once part
// of it was accepted.
package transport
