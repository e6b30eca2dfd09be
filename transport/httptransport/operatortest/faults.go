package operatortest

import "strconv"

// Fault is how the simulator answers one submit. Inject queues faults;
// each submit takes the next one, or answers normally when none is queued.
type Fault int

// The faults.
const (
	// FaultNone answers normally.
	FaultNone Fault = iota
	// FaultSlow accepts the message but answers only after Options.SlowFor
	// (or when the client gives up).
	FaultSlow
	// FaultThrottle answers 429 without Retry-After.
	FaultThrottle
	// FaultThrottleRetryAfter answers 429 with "Retry-After: 2".
	FaultThrottleRetryAfter
	// FaultThrottleRetryAfterDate answers 429 with Retry-After as an
	// HTTP-date three seconds ahead.
	FaultThrottleRetryAfterDate
	// FaultThrottle200 answers 200 {"status":"throttled"}: throttling
	// disguised as success (GenericJSON's schema signal).
	FaultThrottle200
	// FaultThrottle403 answers 403 {"status":"throttled"}.
	FaultThrottle403
	// FaultNotAccepted answers the dialect's "not accepted, try again"
	// (Kannel: 503 "Temporal failure, try again later."; the JSON
	// dialects: 503 {"status":"not_accepted"}).
	FaultNotAccepted
	// FaultReject answers the dialect's permanent refusal; its message
	// quotes the recipient, as real operators do.
	FaultReject
	// FaultServerError answers the dialect's own 500.
	FaultServerError
	// FaultProxyHTML answers 502 with an HTML error page, as a proxy in
	// front of the operator would.
	FaultProxyHTML
	// FaultHTML200 answers 200 with an HTML page (a captive portal or a
	// misrouted proxy).
	FaultHTML200
	// FaultTruncated accepts the message and answers the first half of
	// its success body.
	FaultTruncated
	// FaultResetBeforeRead resets the connection before reading the
	// request body; nothing is recorded.
	FaultResetBeforeRead
	// FaultAcceptThenReset reads and accepts the message (it is recorded,
	// and SendReport can report on it; Options.AutoReport does not), then
	// resets the connection without answering.
	FaultAcceptThenReset
	// FaultReportBeforeResponse accepts the message, sends its
	// "delivered" report (without the client reference, so only the
	// operator id correlates it) and answers the submit once the webhook
	// answered the report or, for a webhook that holds its answer until
	// it learns the id, a quarter of a second later (Sent records the
	// webhook's answer when it comes).
	FaultReportBeforeResponse
)

var faultNames = [...]string{
	FaultNone:                   "none",
	FaultSlow:                   "slow",
	FaultThrottle:               "throttle",
	FaultThrottleRetryAfter:     "throttle-retry-after",
	FaultThrottleRetryAfterDate: "throttle-retry-after-date",
	FaultThrottle200:            "throttle-200",
	FaultThrottle403:            "throttle-403",
	FaultNotAccepted:            "not-accepted",
	FaultReject:                 "reject",
	FaultServerError:            "server-error",
	FaultProxyHTML:              "proxy-html",
	FaultHTML200:                "html-200",
	FaultTruncated:              "truncated",
	FaultResetBeforeRead:        "reset-before-read",
	FaultAcceptThenReset:        "accept-then-reset",
	FaultReportBeforeResponse:   "report-before-response",
}

// String returns the fault's name.
func (f Fault) String() string {
	if f >= 0 && int(f) < len(faultNames) {
		return faultNames[f]
	}
	return "Fault(" + strconv.Itoa(int(f)) + ")"
}
