package advox

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/azenna/advox/transport"
)

// outcomeOf names a submit's outcome (AttrOutcome).
func outcomeOf(err error) string {
	if err == nil {
		return string(transport.StatusAccepted)
	}
	return errorCode(err)
}

// routed returns the attributes of a submit's transport and route: the
// transport that answered (a router names one of its own) and the route it
// chose, if any.
func (t *telemetry) routed(res transport.Result, kv ...attribute.KeyValue) []attribute.KeyValue {
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

// sent counts a message handed to the transport and describes it on the
// Send span, once its last attempt is over: segments is how many of its
// parts went (all of them, unless the message went out incomplete), or
// all of them when it was not sent at all.
func (t *telemetry) sent(ctx context.Context, tm *transport.Message, segments int, res transport.Result, attempts int, err error) {
	outcome := outcomeOf(err)
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
func (t *telemetry) attemptDone(ctx context.Context, d time.Duration, res transport.Result, outcome string) {
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

// retry counts a submit made again after err.
func (t *telemetry) retry(ctx context.Context, res transport.Result, err error) {
	if t.retries.Enabled(ctx) {
		t.retries.Add(ctx, 1, metric.WithAttributes(t.routed(res, attribute.String(AttrOutcome, outcomeOf(err)))...))
	}
}
