package advox

import (
	"context"
	"errors"
	"strings"

	"go.opentelemetry.io/otel/trace"

	"github.com/azenna/advox/internal/telemetry"
	"github.com/azenna/advox/transport"
)

// InstrumentationName names the OpenTelemetry meter and tracer of the
// library.
const InstrumentationName = telemetry.InstrumentationName

// The metric instruments the Client records through Options.MeterProvider.
// Their attributes are drawn from the Attr* keys only: never a number, a
// sender, an account, a message id or text, so that metrics stay outside
// the traffic data the privacy policy governs.
const (
	// MetricSentMessages counts messages handed to a transport, by the
	// outcome of their last attempt (AttrTransport, AttrRoute,
	// AttrOutcome, AttrEncoding). Messages refused before any attempt
	// (validation, quota, rate-limit wait) are not counted.
	MetricSentMessages = telemetry.MetricSentMessages
	// MetricSentSegments counts the segments of those messages, with the
	// same attributes.
	MetricSentSegments = telemetry.MetricSentSegments
	// MetricSubmitDuration is the latency of each submit attempt in seconds
	// (AttrTransport, AttrRoute, AttrOutcome).
	MetricSubmitDuration = telemetry.MetricSubmitDuration
	// MetricSubmitActive is the number of submits in flight, by the
	// Client's transport (AttrTransport).
	MetricSubmitActive = telemetry.MetricSubmitActive
	// MetricSubmitThrottled counts attempts the operator answered with
	// throttling (AttrTransport, AttrRoute).
	MetricSubmitThrottled = telemetry.MetricSubmitThrottled
	// MetricSubmitRetries counts attempts made again after a failure that
	// was safe to retry, by that failure (AttrTransport, AttrRoute,
	// AttrOutcome).
	MetricSubmitRetries = telemetry.MetricSubmitRetries
	// MetricReportLatency is the time in seconds from a message's record
	// to a delivery report that moved the message's status (AttrTransport,
	// AttrStatus: the status reached).
	MetricReportLatency = telemetry.MetricReportLatency
	// MetricReportFinal counts messages that reached a final status
	// through a delivery report (AttrTransport, AttrStatus).
	MetricReportFinal = telemetry.MetricReportFinal
	// MetricPurgeDeleted counts records deleted by retention purges.
	MetricPurgeDeleted = telemetry.MetricPurgeDeleted
	// MetricEraseDeleted counts records deleted by erasure on request
	// (AttrEraseReason).
	MetricEraseDeleted = telemetry.MetricEraseDeleted
)

// The attribute keys of metrics and spans. Values come from closed sets or
// from configuration (transport and route names).
const (
	// AttrTransport is the transport's Name.
	AttrTransport = telemetry.AttrTransport
	// AttrRoute is the route a router chose; absent when unrouted.
	AttrRoute = telemetry.AttrRoute
	// AttrOutcome is a submit's outcome: "accepted", or the record's
	// error classification: "rejected", "outcome_unknown", "not_sent",
	// "throttled", "canceled", "error", each possibly prefixed "partial:"
	// or "incomplete:".
	AttrOutcome = telemetry.AttrOutcome
	// AttrEncoding is the character set, "gsm7" or "ucs2".
	AttrEncoding = telemetry.AttrEncoding
	// AttrStatus is a delivery status of transport.Statuses().
	AttrStatus = telemetry.AttrStatus
	// AttrEraseReason is an EraseReason.
	AttrEraseReason = telemetry.AttrEraseReason
	// AttrSegments is a message's segment count (spans only).
	AttrSegments = telemetry.AttrSegments
	// AttrAttempt is the number of a submit attempt, from 1 (spans only).
	AttrAttempt = telemetry.AttrAttempt
	// AttrAttempts is how many attempts a Send made (spans only).
	AttrAttempts = telemetry.AttrAttempts
)

// The spans the Client starts through Options.TracerProvider. SpanSend
// covers a whole Send, as a child of the span in Send's ctx; each submit
// attempt is a SpanSubmit child of it, whose context is the one the
// transport gets (so an HTTP transport can propagate it). Their attributes
// follow the metrics' rule (see AttrTransport and the other Attr* keys):
// no number, sender, account, message id or text. A failed span carries
// the error's class as its status description and "error.type", never
// the error's text.
const (
	// SpanSend is the span of one Send.
	SpanSend = telemetry.SpanSend
	// SpanSubmit is the span of one submit attempt.
	SpanSubmit = telemetry.SpanSubmit
)

// outcomeOf names a submit's outcome (AttrOutcome).
func outcomeOf(err error) string {
	if err == nil {
		return string(transport.StatusAccepted)
	}
	return errorCode(err)
}

// endSend ends a Send span, marking it failed with err's class.
func endSend(span trace.Span, err error) {
	typ := ""
	if err != nil {
		typ = errorType(err)
	}
	telemetry.EndSend(span, typ)
}

// errorType names err's class for a span ("invalid_argument",
// "outcome_unknown", "canceled", …).
func errorType(err error) string {
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline_exceeded"
	}
	return strings.ReplaceAll(CodeOf(err).String(), " ", "_")
}
