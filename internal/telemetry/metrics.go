// Package telemetry holds the Client's OpenTelemetry instruments and
// spans: what is counted, measured and traced for a Send, its attempts,
// delivery reports, purges and erases. The names (Metric*, Attr*, Span*)
// are documented on package advox, which re-exports them; attributes come
// from closed sets or configuration only, never from traffic data. It
// decides nothing: the Client calls it. Not for users.
package telemetry

import (
	"context"
	"errors"
	"log/slog"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"
)

// InstrumentationName names the OpenTelemetry meter and tracer of the
// library.
const InstrumentationName = "github.com/azenna/advox"

// The metric instruments (documented on their advox names).
const (
	// MetricSentMessages counts messages handed to a transport, by the
	// outcome of their last attempt (AttrTransport, AttrRoute,
	// AttrOutcome, AttrEncoding). Messages refused before any attempt
	// (validation, quota, rate-limit wait) are not counted.
	MetricSentMessages = "advox.sent.messages"
	// MetricSentSegments counts the segments of those messages, with the
	// same attributes.
	MetricSentSegments = "advox.sent.segments"
	// MetricSubmitDuration is the latency of each submit attempt in seconds
	// (AttrTransport, AttrRoute, AttrOutcome).
	MetricSubmitDuration = "advox.submit.duration"
	// MetricSubmitActive is the number of submits in flight, by the
	// Client's transport (AttrTransport).
	MetricSubmitActive = "advox.submit.active"
	// MetricSubmitThrottled counts attempts the operator answered with
	// throttling (AttrTransport, AttrRoute).
	MetricSubmitThrottled = "advox.submit.throttled"
	// MetricSubmitRetries counts attempts made again after a failure that
	// was safe to retry, by that failure (AttrTransport, AttrRoute,
	// AttrOutcome).
	MetricSubmitRetries = "advox.submit.retries"
	// MetricReportLatency is the time in seconds from a message's record
	// to a delivery report that moved the message's status (AttrTransport,
	// AttrStatus: the status reached).
	MetricReportLatency = "advox.report.latency"
	// MetricReportFinal counts messages that reached a final status
	// through a delivery report (AttrTransport, AttrStatus).
	MetricReportFinal = "advox.report.final"
	// MetricPurgeDeleted counts records deleted by retention purges.
	MetricPurgeDeleted = "advox.purge.deleted"
	// MetricEraseDeleted counts records deleted by erasure on request
	// (AttrEraseReason).
	MetricEraseDeleted = "advox.erase.deleted"
)

// The attribute keys of metrics and spans (documented on their advox
// names).
const (
	// AttrTransport is the transport's Name.
	AttrTransport = "advox.transport"
	// AttrRoute is the route a router chose; absent when unrouted.
	AttrRoute = "advox.route"
	// AttrOutcome is a submit's outcome: "accepted", or the record's
	// error classification: "rejected", "outcome_unknown", "not_sent",
	// "throttled", "canceled", "error", each possibly prefixed "partial:".
	AttrOutcome = "advox.outcome"
	// AttrEncoding is the character set, "gsm7" or "ucs2".
	AttrEncoding = "advox.encoding"
	// AttrStatus is a delivery status of transport.Statuses().
	AttrStatus = "advox.status"
	// AttrEraseReason is an EraseReason.
	AttrEraseReason = "advox.erase.reason"
	// AttrSegments is a message's segment count (spans only).
	AttrSegments = "advox.segments"
	// AttrAttempt is the number of a submit attempt, from 1 (spans only).
	AttrAttempt = "advox.attempt"
	// AttrAttempts is how many attempts a Send made (spans only).
	AttrAttempts = "advox.attempts"
)

// Histogram bucket boundaries, in seconds, advised to the SDK.
var (
	submitBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
	reportBuckets = []float64{.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400, 259200}
)

// Telemetry holds a Client's instruments and tracer.
type Telemetry struct {
	tracer trace.Tracer

	messages  metric.Int64Counter
	segments  metric.Int64Counter
	duration  metric.Float64Histogram
	active    metric.Int64UpDownCounter
	throttled metric.Int64Counter
	retries   metric.Int64Counter
	latency   metric.Float64Histogram
	final     metric.Int64Counter
	erased    metric.Int64Counter

	trName string             // the Client's transport
	trAttr []metric.AddOption // AttrTransport = trName, built once

	reportLocks reportLocks
}

// New creates the instruments of a Client sending through the transport
// named trName on mp, and the tracer on tp (nil: the otel global
// providers). An instrument the provider refuses is replaced by a no-op one
// and the refusal logged: metrics never stop sending.
func New(mp metric.MeterProvider, tp trace.TracerProvider, trName string, log *slog.Logger) *Telemetry {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	m := meter(mp)
	t := &Telemetry{
		tracer: tp.Tracer(InstrumentationName),
		trName: trName,
		trAttr: []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(attribute.String(AttrTransport, trName)))},
	}
	t.reportLocks = newReportLocks()
	var errs []error
	t.messages = counter(m, MetricSentMessages, "{message}", "Messages handed to a transport, by outcome.", &errs)
	t.segments = counter(m, MetricSentSegments, "{segment}", "Segments of messages handed to a transport, by outcome.", &errs)
	t.throttled = counter(m, MetricSubmitThrottled, "{submit}", "Submit attempts answered with throttling.", &errs)
	t.retries = counter(m, MetricSubmitRetries, "{retry}", "Submit attempts made again after a safe failure.", &errs)
	t.final = counter(m, MetricReportFinal, "{message}", "Messages that reached a final status through a delivery report.", &errs)
	t.erased = counter(m, MetricEraseDeleted, "{record}", "Traffic records deleted by erasure on request.", &errs)
	t.duration = histogram(m, MetricSubmitDuration, "Latency of submit attempts.", submitBuckets, &errs)
	t.latency = histogram(m, MetricReportLatency, "Time from a message's record to a delivery report that moved its status.", reportBuckets, &errs)
	var err error
	t.active, err = m.Int64UpDownCounter(MetricSubmitActive, metric.WithUnit("{submit}"), metric.WithDescription("Submits in flight."))
	if err != nil || t.active == nil {
		errs = append(errs, err)
		t.active = noop.Int64UpDownCounter{}
	}
	if err := errors.Join(errs...); err != nil {
		log.Warn("advox: metric instruments not available", "error", err)
	}
	return t
}

// meter returns the library's meter of mp (nil: the global provider).
func meter(mp metric.MeterProvider) metric.Meter {
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	return mp.Meter(InstrumentationName)
}

func counter(m metric.Meter, name, unit, desc string, errs *[]error) metric.Int64Counter {
	c, err := m.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
	if err != nil || c == nil {
		*errs = append(*errs, err)
		return noop.Int64Counter{}
	}
	return c
}

func histogram(m metric.Meter, name, desc string, buckets []float64, errs *[]error) metric.Float64Histogram {
	h, err := m.Float64Histogram(name, metric.WithUnit("s"), metric.WithDescription(desc),
		metric.WithExplicitBucketBoundaries(buckets...))
	if err != nil || h == nil {
		*errs = append(*errs, err)
		return noop.Float64Histogram{}
	}
	return h
}

// ErasedRecords counts records deleted by an erase for reason.
func (t *Telemetry) ErasedRecords(ctx context.Context, n int, reason string) {
	if n > 0 {
		t.erased.Add(ctx, int64(n), metric.WithAttributes(attribute.String(AttrEraseReason, reason)))
	}
}

// PurgeCounter returns the MetricPurgeDeleted counter of mp (nil: the
// global provider), or a no-op one when the provider refuses it.
func PurgeCounter(mp metric.MeterProvider, log *slog.Logger) metric.Int64Counter {
	var errs []error
	c := counter(meter(mp), MetricPurgeDeleted, "{record}", "Traffic records deleted by retention purges.", &errs)
	if err := errors.Join(errs...); err != nil {
		log.Warn("advox: metric instruments not available", "error", err)
	}
	return c
}
