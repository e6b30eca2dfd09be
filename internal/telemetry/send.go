package telemetry

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/azenna/advox/transport"
)

// routed returns the attributes of a submit's transport and route: the
// transport that answered (a router names one of its own) and the route it
// chose, if any.
func (t *Telemetry) routed(res transport.Result, kv ...attribute.KeyValue) []attribute.KeyValue {
	name := t.trName
	if res.Transport != "" {
		name = res.Transport
	}
	kv = append(kv, attribute.String(AttrTransport, name))
	if res.Route != "" {
		kv = append(kv, attribute.String(AttrRoute, res.Route))
	}
	return kv
}

// Sent counts a message handed to the transport and describes it on the
// Send span, once its last attempt is over: segments is how many of its
// parts went (all of them, unless the message went out incomplete), or
// all of them when it was not sent at all; outcome is the last attempt's
// (AttrOutcome).
func (t *Telemetry) Sent(ctx context.Context, tm *transport.Message, segments int, res transport.Result, attempts int, outcome string) {
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.SetAttributes(t.routed(res,
			attribute.Int(AttrSegments, segments), attribute.String(AttrEncoding, string(tm.Encoding)),
			attribute.Int(AttrAttempts, attempts), attribute.String(AttrOutcome, outcome))...)
	}
	if !t.messages.Enabled(ctx) && !t.segments.Enabled(ctx) {
		return
	}
	attrs := metric.WithAttributes(t.routed(res,
		attribute.String(AttrOutcome, outcome), attribute.String(AttrEncoding, string(tm.Encoding)))...)
	t.messages.Add(ctx, 1, attrs)
	t.segments.Add(ctx, int64(segments), attrs)
}

// attemptDone records a finished submit attempt that took d.
func (t *Telemetry) attemptDone(ctx context.Context, d time.Duration, res transport.Result, outcome string) {
	t.active.Add(ctx, -1, t.trAttr...)
	throttled := outcome == "throttled"
	if !t.duration.Enabled(ctx) && !(throttled && t.throttled.Enabled(ctx)) {
		return
	}
	kv := t.routed(res)
	t.duration.Record(ctx, d.Seconds(), metric.WithAttributes(append(kv, attribute.String(AttrOutcome, outcome))...))
	if throttled {
		t.throttled.Add(ctx, 1, metric.WithAttributes(kv...))
	}
}

// Retry counts a submit made again after a failure of the given outcome.
func (t *Telemetry) Retry(ctx context.Context, res transport.Result, outcome string) {
	if t.retries.Enabled(ctx) {
		t.retries.Add(ctx, 1, metric.WithAttributes(t.routed(res, attribute.String(AttrOutcome, outcome))...))
	}
}
