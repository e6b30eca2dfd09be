package router

import (
	"context"
	"errors"
	"log/slog"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
)

// InstrumentationName names the OpenTelemetry meter of the router.
const InstrumentationName = "github.com/azenna/advox/transport/router"

// The metric instruments a Router records through Config.MeterProvider.
// Their attributes are transport and route names from the configuration
// and values from closed sets: never anything of a message.
const (
	// MetricBreakerState is each transport's breaker state, a gauge: 0
	// closed, 1 half-open, 2 open (AttrTransport).
	MetricBreakerState = "advox.router.breaker.state"
	// MetricBreakerTransitions counts breaker state changes by the state
	// reached (AttrTransport, AttrBreakerState).
	MetricBreakerTransitions = "advox.router.breaker.transitions"
	// MetricBreakerFailures counts the failures counted against each
	// transport's breaker (AttrTransport).
	MetricBreakerFailures = "advox.router.breaker.failures"
	// MetricPassedOver counts submits that passed a transport over without
	// handing it the message, by why (AttrTransport, AttrReason: "open",
	// "probing" — another submit is the half-open probe —, "link_down",
	// "throttled" — paused on a route that spills).
	MetricPassedOver = "advox.router.passed_over"
	// MetricFailovers counts messages moved on to the route's next
	// transport after one certainly did not take them (AttrTransport: the
	// one left, AttrRoute, AttrReason: "not_sent", "throttled").
	MetricFailovers = "advox.router.failovers"
)

// The attribute keys of the router's metrics. AttrTransport and AttrRoute
// are the keys the advox Client uses for the same things.
const (
	AttrTransport    = "advox.transport"
	AttrRoute        = "advox.route"
	AttrBreakerState = "advox.breaker.state"
	AttrReason       = "advox.reason"
)

// telemetry holds the router's instruments and logger.
type telemetry struct {
	log         *slog.Logger
	transitions metric.Int64Counter
	failures    metric.Int64Counter
	passed      metric.Int64Counter
	failovers   metric.Int64Counter
	gauge       metric.Registration // nil when the provider refused it
}

// newTelemetry makes the instruments on mp (nil: the otel global
// provider). An instrument the provider refuses is replaced by a no-op
// one and the refusal logged: metrics never stop routing.
func newTelemetry(mp metric.MeterProvider, log *slog.Logger, r *Router) *telemetry {
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	m := mp.Meter(InstrumentationName)
	t := &telemetry{log: log}
	var errs []error
	counter := func(name, unit, desc string) metric.Int64Counter {
		c, err := m.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		if err != nil || c == nil {
			errs = append(errs, err)
			return noop.Int64Counter{}
		}
		return c
	}
	t.transitions = counter(MetricBreakerTransitions, "{transition}", "Circuit breaker state changes, by the state reached.")
	t.failures = counter(MetricBreakerFailures, "{failure}", "Failures counted against a transport's circuit breaker.")
	t.passed = counter(MetricPassedOver, "{submit}", "Submits that passed a transport over without handing it the message.")
	t.failovers = counter(MetricFailovers, "{message}", "Messages moved on to the next transport after one did not take them.")
	g, err := m.Int64ObservableGauge(MetricBreakerState, metric.WithUnit("{state}"),
		metric.WithDescription("Circuit breaker state: 0 closed, 1 half-open, 2 open."))
	if err == nil && g != nil {
		t.gauge, err = m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
			now := r.now()
			for _, mem := range r.members {
				o.ObserveInt64(g, stateValue(mem.br.current(now)), mem.attrs)
			}
			return nil
		}, g)
	}
	if err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		log.Warn("router: metric instruments not available", "error", err)
	}
	return t
}

// close unregisters the gauge's callback.
func (t *telemetry) close() {
	if t.gauge != nil {
		_ = t.gauge.Unregister()
	}
}

func stateValue(s BreakerState) int64 {
	switch s {
	case BreakerHalfOpen:
		return 1
	case BreakerOpen:
		return 2
	}
	return 0
}

// transition counts and logs one breaker state change of mem.
func (t *telemetry) transition(mem *member, from, to BreakerState) {
	t.transitions.Add(context.Background(), 1, metric.WithAttributeSet(attribute.NewSet(
		attribute.String(AttrTransport, mem.name), attribute.String(AttrBreakerState, string(to)))))
	switch to {
	case BreakerOpen:
		t.log.Warn("router: transport out of rotation", "transport", mem.name, "from", string(from))
	case BreakerHalfOpen:
		t.log.Info("router: probing transport", "transport", mem.name)
	default:
		t.log.Info("router: transport back in rotation", "transport", mem.name)
	}
}

// passedOver counts a submit that passed mem over for reason.
func (t *telemetry) passedOver(mem *member, reason string) {
	t.passed.Add(context.Background(), 1, metric.WithAttributeSet(attribute.NewSet(
		attribute.String(AttrTransport, mem.name), attribute.String(AttrReason, reason))))
}

// failover counts a message moved on from mem on route rt for reason.
func (t *telemetry) failover(mem *member, rt *route, reason string) {
	t.failovers.Add(context.Background(), 1, metric.WithAttributeSet(attribute.NewSet(
		attribute.String(AttrTransport, mem.name), attribute.String(AttrRoute, rt.name), attribute.String(AttrReason, reason))))
}
