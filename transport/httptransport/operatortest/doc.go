// Package operatortest is an embeddable HTTP operator simulator for tests
// and examples, built on net/http/httptest. A Server speaks one Dialect —
// Kannel's sendsms, 46elks, Sinch-style batches or advox's GenericJSON —
// checks credentials, records what it received, answers like the real
// operator, and sends delivery reports to the callback URL each message
// carries, signed or authenticated the way the dialect does.
//
// Faults are injected per submit (Inject): slow answers, 429 with and
// without Retry-After, throttling disguised as 200 or 403, "not accepted"
// answers, rejections, operator 5xx and proxy HTML pages, truncated JSON,
// a connection reset before the request is read or after it was accepted,
// and a report that outruns the submit's answer. Report faults (SendReport
// and ReplayLastReport) cover duplicates, late and out-of-order reports,
// unknown ids, missing references, bad credentials or signatures, stale
// timestamps and replayed nonces.
//
// The simulator is written independently of httptransport's profiles, so
// a test of a profile against it checks the profile, not a mirror of it.
package operatortest
