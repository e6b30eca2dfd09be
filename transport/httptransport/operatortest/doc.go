// Package operatortest is an embeddable HTTP operator simulator for tests
// and examples, built on net/http/httptest. A Server speaks one Dialect —
// Kannel's sendsms, 46elks, Sinch's batches or advox's GenericJSON —
// checks credentials, records what it received, answers like the real
// operator, and sends delivery reports to the callback URL each message
// carries, signed or authenticated the way the dialect does.
//
// It is as strict as the real operator: by default each dialect refuses
// what its operator's documentation says it refuses (number and sender
// formats, length limits, Kannel's sendsms field checks), Kannel splits
// and cuts a long text as smsbox does (max-messages, concatenation) with
// a delivery report for the first part only, and Sinch sends its reports
// with the basic auth its account is configured with, to the callback URL
// exactly as given. Each rule names the documentation it comes from.
// Options.Lenient turns the format and length checks off. SendInbound posts
// a message from a handset, or a part of one, in each dialect's documented
// form (Kannel's sms-service GET, 46elks' "Receive SMS", Sinch's mo_text
// and mo_binary, GenericJSON's signed JSON); SendSummary Sinch's batch
// summary.
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
// It imports nothing of httptransport and holds no client side.
package operatortest
