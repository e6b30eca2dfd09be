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
// Linker for the state of the link to the operator), so an adapter
// written against an older contract keeps compiling and working.
package transport
