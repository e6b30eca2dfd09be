package telemetry

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/azenna/advox/transport"
)

// The spans (documented on their advox names).
const (
	// SpanSend is the span of one Send.
	SpanSend = "advox.Send"
	// SpanSubmit is the span of one submit attempt.
	SpanSubmit = "advox.submit"
)

// attrErrorType is the OpenTelemetry semantic-convention key for an
// error's class.
const attrErrorType = "error.type"

// submitOpts mark submit spans as calls out of the process (a slice built
// once, so that starting a span allocates nothing for it).
var submitOpts = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient)}

// StartSend starts the Send span.
func (t *Telemetry) StartSend(ctx context.Context) (context.Context, trace.Span) {
	return t.tracer.Start(ctx, SpanSend)
}

// EndSend ends a Send span, marking it failed with the class of its error
// (errType, "" when it succeeded).
func EndSend(span trace.Span, errType string) {
	if errType != "" && span.IsRecording() {
		typ := errType
		span.SetAttributes(attribute.String(attrErrorType, typ))
		span.SetStatus(codes.Error, typ)
	}
	span.End()
}

// Attempt is one submit attempt being measured and traced.
type Attempt struct {
	Ctx   context.Context // carries the attempt's span: hand it to the transport
	span  trace.Span
	start time.Time
	t     *Telemetry
}

// StartAttempt counts submit attempt number n in flight and starts its
// span.
func (t *Telemetry) StartAttempt(ctx context.Context, n int) Attempt {
	t.active.Add(ctx, 1, t.trAttr...)
	ctx, span := t.tracer.Start(ctx, SpanSubmit, submitOpts...)
	if span.IsRecording() {
		span.SetAttributes(attribute.Int(AttrAttempt, n))
	}
	return Attempt{Ctx: ctx, span: span, start: time.Now(), t: t}
}

// End records the attempt's outcome (AttrOutcome: "accepted" or the
// failure's class) and ends its span.
func (a Attempt) End(res transport.Result, outcome string) {
	a.t.attemptDone(a.Ctx, time.Since(a.start), res, outcome)
	if a.span.IsRecording() {
		a.span.SetAttributes(a.t.routed(res, attribute.String(AttrOutcome, outcome))...)
		if outcome != string(transport.StatusAccepted) {
			a.span.SetAttributes(attribute.String(attrErrorType, outcome))
			a.span.SetStatus(codes.Error, outcome)
		}
	}
	a.span.End()
}
