// Package advox sends SMS through pluggable operator transports (SMPP, HTTP
// operator APIs) while enforcing, in code, a strict privacy policy on the
// traffic data that sending leaves behind.
//
// A Client owns all policy: validation of numbers and sender ids, GSM-7 /
// UCS-2 encoding and segmentation, rate limits, safe retries (never a
// duplicate SMS), delivery reports and traffic recording. Transports
// (package transport and its adapters) and traffic stores (package storage
// and its adapters) are wired in by the application:
//
//	client, err := advox.NewClient(tr, store, nil)
//
// Every error the Client returns is an *Error whose Code classifies it;
// match with errors.Is(err, advox.ErrThrottled) and friends.
package advox
