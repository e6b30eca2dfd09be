// Package httptransport sends SMS through operators and aggregators that
// are reached over HTTP, and receives their delivery reports on a webhook.
//
// Every operator speaks its own dialect, so one Transport is configured
// with a Profile: the request (method, path, body encoding, field names,
// authentication), how to read the answer (message id, parts, price), a
// Classifier that turns (HTTP status, body) into accepted, throttled,
// not-sent, outcome-unknown or rejected, and the delivery-report dialect
// (fields, status mapping, time format, the acknowledgement the operator
// expects). Adding an operator means writing a Profile value, not forking
// the transport. Built-in profiles: Kannel (sendsms), Elks46, SinchBatches
// and GenericJSON, a documented schema for gateways without a dialect; each
// follows its operator's published API.
//
// The transport keeps the contract's promise of never causing a duplicate
// SMS: only failures that prove the operator never took the message (the
// request was never fully written, HTTP 429, a profile's own "not
// accepted" answer) are reported as safe to retry; a timeout or reset after
// the request left, a 5xx from a proxy or a malformed 2xx answer is
// outcome-unknown. Go's own transparent retry of idempotent requests on a
// reused connection is disabled for submits, because an operator's GET is
// not idempotent.
//
// A profile may send each part of a multipart message as its own request
// (Profile.PerPart, as Kannel's does), exactly as the Client split it,
// with its concatenation header and a callback URL naming the part, so
// that a gateway never splits the text again and reports are per part.
// When a later part is refused as not sent or throttled, the Client sends
// the rest with SubmitParts (transport.PartSubmitter) under the same
// reference and part numbers, so the message still arrives whole. A
// profile that sends the whole text in one request never fails part way,
// and its SubmitParts sends nothing.
// A profile states the validity it can carry; one that carries none tells
// the Client (transport.ValidityAware), which refuses a message asking for
// one instead of letting it vanish.
//
// Delivery reports arrive on the http.Handler returned by Webhook, which the
// application mounts at Config.CallbackURL. It authenticates the caller (a
// shared-secret URL token, a token of the message's own in its callback
// URL, basic auth configured at the operator, or an HMAC-SHA256 signature
// with timestamp and nonce), bounds the body, parses the profile's dialect,
// drops duplicates and regressions, parks a report that outruns its submit
// answer until the operator id is known, hands each report to the Client's
// handler and acknowledges with the profile's exact body once the handler
// took them all; a handler error, or no handler yet, is answered 503 so
// that the operator delivers the report again (and the duplicate filter
// forgets it, so the redelivery is news). Other callbacks an operator posts
// to the same URL (an inbound SMS, a batch summary) are acknowledged and
// counted, not refused: inbound messages have an endpoint of their own,
// InboundWebhook. Each built-in profile's doc lists what to set up at the
// operator.
//
// Error strings never contain credentials, message text or recipient
// numbers; operator messages quoted in errors are masked.
//
// Package operatortest holds an embeddable operator simulator speaking each
// built-in dialect, as strict as the real operator, with fault injection.
//
// The package holds the client side of HTTP operator APIs and their
// webhooks, and no server: it starts no listener of its own (mount
// Webhook and InboundWebhook on the application's server) and simulates
// no operator (operatortest does).
package httptransport
