package advox

import (
	"context"
	"errors"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/azenna/advox/transport"
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

// startSend starts the Send span.
func (t *telemetry) startSend(ctx context.Context) (context.Context, trace.Span) {
	return t.tracer.Start(ctx, SpanSend)
}

// endSend ends a Send span, marking it failed with err's class.
func endSend(span trace.Span, err error) {
	if err != nil && span.IsRecording() {
		typ := errorType(err)
		span.SetAttributes(attribute.String(attrErrorType, typ))
		span.SetStatus(codes.Error, typ)
	}
	span.End()
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

// attempt is one submit attempt being measured and traced.
type attempt struct {
	ctx   context.Context // carries the attempt's span: hand it to the transport
	span  trace.Span
	start time.Time
	t     *telemetry
}

// startAttempt counts a submit in flight and starts its span.
func (t *telemetry) startAttempt(ctx context.Context, n int) attempt {
	t.active.Add(ctx, 1, t.trAttr...)
	ctx, span := t.tracer.Start(ctx, SpanSubmit, submitOpts...)
	if span.IsRecording() {
		span.SetAttributes(attribute.Int(AttrAttempt, n))
	}
	return attempt{ctx: ctx, span: span, start: time.Now(), t: t}
}

// end records the attempt's outcome and ends its span.
func (a attempt) end(res transport.Result, err error) {
	outcome := outcomeOf(err)
	a.t.attemptDone(a.ctx, time.Since(a.start), res, outcome)
	if a.span.IsRecording() {
		a.span.SetAttributes(a.t.routed(res, attribute.String(AttrOutcome, outcome))...)
		if err != nil {
			a.span.SetAttributes(attribute.String(attrErrorType, outcome))
			a.span.SetStatus(codes.Error, outcome)
		}
	}
	a.span.End()
}
